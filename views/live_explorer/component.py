"""The Streamlit side of the live explorer: read back what the component reported on release
(`take_release`), then mount it with the decision table (`live_explorer`).

The component (live_explorer.js/.css/.html beside this file; loader.js brings the code and
style from the app's own route) redraws the radar and the verdict in the browser on every
input event; Python reruns only on release, to render what needs the server (reasons,
changes, brief, share link).
"""

from __future__ import annotations

import gzip
import json
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import streamlit as st

from explorer import Content
from explorer.live_table import component_words, live_table
from views.assets import asset_url
from views.live_explorer.report import Report, ReportNotice, read_report

STATE = "inputs"  # the component's one state: the chosen main inputs, set on release
ASSETS = Path(__file__).parent


def _loader() -> str:
    """The component's JS: a small loader that imports live_explorer.js and links
    live_explorer.css from the app's own route (web/assets.py), so the browser keeps them
    instead of receiving them again inside every rerun's delta."""
    text = (ASSETS / "loader.js").read_text(encoding="utf-8")
    return text.replace("__CODE_URL__", asset_url("live_explorer.js")).replace(
        "__STYLE_URL__", asset_url("live_explorer.css")
    )


_mount = st.components.v2.component(
    "live_explorer",
    html=(ASSETS / "live_explorer.html").read_text(encoding="utf-8"),
    js=_loader(),
)


def _json(value: Any) -> str:
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False)


@st.cache_resource(show_spinner=False, max_entries=64)
def _table_json(_content: Content, advanced: tuple[tuple[str, str], ...]) -> str:
    """The decision table for these advanced inputs, as JSON, shared by every session (the
    content, loaded once per process, is left out of the cache key)."""
    return _json(live_table(_content, dict(advanced)))


def _payload(table_json: str, view: Mapping[str, Any]) -> bytes:
    """`{"table": ..., **view}` as gzipped JSON. Streamlit resends a component's data on every
    rerun; gzip makes the table about a tenth of its JSON, and it is cheaper than the JSON
    encoding Streamlit would otherwise do twice per run."""
    text = f'{{"table":{table_json},{_json(dict(view))[1:]}'
    return gzip.compress(text.encode("utf-8"), compresslevel=6, mtime=0)


def _keys(key: str) -> tuple[str, str]:
    """Session-state keys for the report waiting to be read and the last release read."""
    return f"{key}:report", f"{key}:release"


def take_release(content: Content, inputs: Mapping[str, str], *, key: str) -> Report | None:
    """What the person chose on their latest release of a slider, validated like a URL: the
    four main inputs (unusable parts fall back to `inputs`) and a notice for each unusable
    part. Returned once, in the run right after the release; None otherwise (keep the inputs
    you have).

    Separate from mounting so that a page can draw what the new inputs change (the reasons)
    before the component itself, whose data is larger: the browser shows them sooner."""
    report_key, release_key = _keys(key)
    if report_key not in st.session_state:
        return None
    report = read_report(content, st.session_state.pop(report_key), inputs)
    st.session_state[release_key] = report.release
    return report


def live_explorer(
    content: Content,
    inputs: Mapping[str, str],
    *,
    presenter: bool,
    key: str,
    presenter_text: str | None = None,
    notices: Sequence[ReportNotice] = (),
) -> None:
    """Mount the live explorer for `inputs` (all inputs; the advanced ones choose the table),
    with `notices` (from `take_release`) shown above it in content's words.

    `presenter_text` is the presenter view's body text size as a CSS length (the page's own,
    e.g. views.presenter.PRESENTER_TEXT), so the component's text scales with the page's; the
    component falls back to 24 px."""
    report_key, release_key = _keys(key)
    for notice in notices:
        st.warning(notice.message(content))

    def keep_report() -> None:
        state = st.session_state[key]
        st.session_state[report_key] = state.get(STATE) if isinstance(state, Mapping) else state

    advanced = tuple(
        (spec.id, inputs.get(spec.id, spec.default)) for spec in content.advanced_inputs
    )
    view = {
        "inputs": {spec.id: inputs.get(spec.id, spec.default) for spec in content.main_inputs},
        "release": st.session_state.get(release_key),
        "presenter": presenter,
        "presenter_text": presenter_text,
        "words": component_words(content),
    }
    _mount(
        key=key,
        data=_payload(_table_json(content, advanced), view),
        on_inputs_change=keep_report,
    )
