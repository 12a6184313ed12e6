"""Does plotly serialise with orjson, and what does it save on the radar?"""

from __future__ import annotations

import time

from benchmarks.common import log


def measure(repeats: int = 200) -> dict:
    import plotly.io as pio
    import streamlit.elements.plotly_chart  # noqa: F401  (registers Streamlit's plotly template)

    from explorer import evaluate, load_content
    from explorer.figures import approach_traces, needs_trace, radar

    try:
        import orjson

        orjson_version = orjson.__version__
    except ImportError:
        orjson_version = None
    content = load_content()
    result = evaluate(content.defaults, content=content)
    figure = radar(content, [*approach_traces(content), needs_trace(content, result.needs)])
    spec = figure.to_dict()
    timings = {}
    for engine in ("json", "orjson") if orjson_version else ("json",):
        started = time.perf_counter()
        for _ in range(repeats):
            pio.to_json(spec, validate=False, engine=engine)
        timings[engine] = 1000 * (time.perf_counter() - started) / repeats
    auto = pio.json.config.default_engine
    out = {
        "orjson_installed": orjson_version,
        "plotly_default_engine": auto,
        "auto_uses_orjson": auto == "orjson" or (auto == "auto" and orjson_version is not None),
        "radar_to_json_ms": timings,
        "radar_spec_bytes_with_template": len(pio.to_json(spec, validate=False)),
        "radar_spec_bytes_without_template": len(
            pio.to_json(
                {"data": spec["data"], "layout": {**spec["layout"], "template": None}},
                validate=False,
            ).replace(',"template":null', "")
        ),
    }
    log(f"serialise: engine {auto}, orjson {orjson_version}, to_json ms {timings}")
    return out
