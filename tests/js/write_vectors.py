"""Write the vectors the front end's unit tests compare the JavaScript against.

The browser code repeats a few things Python decides: where a row sits in the decision
table and what it says, where a value lands on the radar, each trace's marker shape, the
lean meter's layout, how a participant's message is filled in, which room routes are safe
and how fast the dashboard may ask for reruns. Here Python computes each of them with its
own code (read-only imports); tests/js/*.test.mjs read the JSON and check that the
JavaScript gives the same answers.

    .venv/bin/python -m tests.js.write_vectors test-artifacts/js-vectors
"""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path
from typing import Any

from explorer import Content, default_content
from explorer.live_table import live_table, row_index, table_row
from explorer.radar_geometry import RadarGeometry
from explorer.render.figures import approach_traces, lean_meter_html, needs_trace
from explorer.render.svg import _marker
from rooms import CODE_ALPHABET, CODE_LENGTH
from rooms.addresses import claim_path, join_path
from views.room_live import events_url, safe_room_route
from web.pages import PAGE_WORDS
from web.stream_guard import PER_CONNECTION

FILE_NAME = "vectors.json"
NUMBER = r"(-?\d+(?:\.\d+)?)"


def _codes() -> list[str]:
    """Room codes that together use every character of the alphabet."""
    padded = CODE_ALPHABET * 2
    return [padded[i : i + CODE_LENGTH] for i in range(0, len(CODE_ALPHABET), CODE_LENGTH)]


def tables(content: Content) -> list[dict[str, Any]]:
    """Two decision tables (advanced inputs at their defaults, and each at its last option),
    with every row's inputs, index and decoded fields."""
    settings = [{}, {spec.id: spec.options[-1].id for spec in content.advanced_inputs}]
    result = []
    for advanced in settings:
        table = live_table(content, advanced)
        rows = []
        for index in range(len(table["rows"])):
            inputs, rest = {}, index
            for spec in reversed(content.main_inputs):
                rest, position = divmod(rest, len(spec.options))
                inputs[spec.id] = spec.options[position].id
            assert row_index(content, inputs) == index
            rows.append({"inputs": inputs, "index": index, "row": table_row(table, index)})
        result.append({"advanced": advanced, "table": table, "rows": rows})
    return result


def radar(content: Content, table: dict[str, Any]) -> list[dict[str, Any]]:
    """Corner points of a few profiles (values in content order) on radars of a few sizes."""
    geometry = RadarGeometry.from_content(content)
    count = len(content.dimensions)
    profiles = [
        table["profiles"]["mentoring"]["values"],
        table["profiles"]["coaching"]["values"],
        table["rows"][0][0],
        table["rows"][-1][0],
        *([level] * count for level in geometry.rings),
        [(-20 if i % 2 else 130) for i in range(count)],  # off the scale: clamped
        [12.5 * i for i in range(count)],
    ]
    cases = []
    for radius, cx, cy in ((100.0, 200.0, 150.0), (57.3, 10.0, 20.0), (320.0, 640.0, 400.0)):
        for values in profiles:
            in_axis_order = [values[axis.content_index] for axis in geometry.axes]
            points = geometry.polygon(in_axis_order, radius, cx, cy)
            cases.append(
                {
                    "values": list(values),
                    "centre": {"cx": cx, "cy": cy, "radius": radius},
                    "points": [list(point) for point in points],
                }
            )
    return cases


def _shape(markup: str) -> dict[str, Any]:
    """explorer/render/svg.py's marker element as numbers: a rect, polygon or circle."""
    tag = markup[1 : markup.index(" ")]
    attributes = dict(re.findall(r'(\w+)="([^"]*)"', markup))
    if tag == "polygon":
        points = [[float(n) for n in pair.split(",")] for pair in attributes["points"].split()]
        return {"kind": "polygon", "points": points}
    numbers = {k: float(v) for k, v in attributes.items() if re.fullmatch(NUMBER, v)}
    return {"kind": tag, **numbers}


def markers(content: Content) -> dict[str, Any]:
    """Each trace's marker symbol and name, and the brief's marker shapes at a few places."""
    mentoring, coaching = approach_traces(content)
    needs = needs_trace(content, {})
    traces = [
        {"key": key, "symbol": trace.symbol, "name": trace.name}
        for key, trace in (("mentoring", mentoring), ("coaching", coaching), ("needs", needs))
    ]
    shapes = [
        {"symbol": symbol, "x": x, "y": y, "shape": _shape(_marker(x, y, symbol, "#000"))}
        for symbol in ("circle", "square", "diamond")
        for x, y in ((18.0, 7.0), (120.5, 33.3), (0.0, 0.0), (-7.4, 250.6))  # no .x5 ties
    ]
    return {"traces": traces, "shapes": shapes}


def meter(content: Content, table: dict[str, Any]) -> list[dict[str, Any]]:
    """The lean meter's blend zone and marker (in %) as the Plotly pages draw it."""
    leans = sorted({row[1] for row in table["rows"]})
    picked = sorted({leans[0], leans[-1], leans[len(leans) // 2], -1.0, 0.0, 1.0, 0.37})
    cases = []
    for lean in picked:
        markup = lean_meter_html(content, lean)
        zone = re.search(rf"left:{NUMBER}%;width:{NUMBER}%", markup)
        marker = re.search(rf"left:calc\({NUMBER}% - ", markup)
        assert zone and marker, "lean_meter_html changed: update tests/js/write_vectors.py"
        cases.append(
            {
                "tie_zone": content.verdict.tie_zone,
                "lean": lean,
                "zone_left": float(zone[1]),
                "zone_width": float(zone[2]),
                "marker": float(marker[1]),
            }
        )
    return cases


def fill(content: Content) -> list[dict[str, Any]]:
    """The participant page's words as content.text() fills them in."""
    values = {"time": "09:41:07", "reason": "Too many answers from here."}
    cases = []
    for name, key in PAGE_WORDS.items():
        template = content.text(key)
        cases.append({"name": name, "template": template, "values": values,
                      "expected": content.text(key, **values)})  # fmt: skip
    return cases


def routes() -> list[dict[str, Any]]:
    """Addresses navigate() may or may not go to, with safe_room_route()'s answer."""
    codes = _codes()
    made = [
        *(join_path(code) for code in codes),
        claim_path("Zq3-_x9AbC"),
        claim_path("Zq3-_x9AbC", presenter=True),
        claim_path("a" * 43),
        *(events_url(code, role) for code in codes[:2] for role in ("facilitator", "participant")),
    ]
    odd = [
        "", "/", "/j/", "/j/abcdef", "/j/ABCDE", "/j/ABCDEFG", "/j/ABCDEF/", "/j/ABCDEF\n",
        " /j/ABCDEF", "/j/ABCDEF?x=1", "//evil.example/j/ABCDEF", "https://evil.example/j/ABCDEF",
        "javascript:alert(1)", "/api/rooms/", "/api/rooms//claim", "/api/rooms/claim?c=a b",
        "/api/rooms/claim?c=<b>", "/api/rooms/claim?c=a#b", "/api/rooms/claim?next=//evil",
        "/api/rooms/../secret", "/api/rooms/a\\b", "/api/roomsX/claim", "/API/rooms/claim",
        "/api/rooms/claim?c=%2F%2Fevil", "/api/rooms/claim?c=x&presenter=1",
    ]  # fmt: skip
    return [{"url": url, "safe": safe_room_route(url)} for url in [*made, *odd]]


def events() -> dict[str, list[str]]:
    """Event-stream addresses events_url() makes, and near misses it never makes."""
    codes = _codes()
    accepted = [events_url(code, role) for code in codes for role in ("facilitator", "participant")]
    first = accepted[0]
    candidates = [
        f"/api/rooms/{code}/events?role={role}"
        for code in (codes[0].lower(), codes[0][:-1], codes[0] + "A")
        for role in ("facilitator", "participant")
    ]
    candidates += [
        f"/api/rooms/{codes[0]}/events?role=presenter",
        f"/api/rooms/{codes[0]}/events?role=",
        f"/api/rooms/{codes[0]}/events",
        first + "&x=1",
        first + "/",
        "http://localhost" + first,
        first.replace("/events", "/event"),
        first.replace("/api/rooms/", "/api/room/"),
    ]
    rejected = [url for url in candidates if url not in accepted]
    assert rejected == candidates, "a near miss is an address events_url() makes"
    return {"accepted": accepted, "rejected": rejected}


def vectors() -> dict[str, Any]:
    content = default_content()
    written = tables(content)
    table = written[0]["table"]
    return {
        "tables": written,
        "radar": {"table": table, "cases": radar(content, table)},
        "markers": markers(content),
        "meter": meter(content, table),
        "fill": fill(content),
        "routes": routes(),
        "events": events(),
        "pacing": {"per_connection_per_second": PER_CONNECTION[0]},
    }


def main(argv: list[str]) -> int:
    if len(argv) != 1:
        print("usage: python -m tests.js.write_vectors OUT_DIR", file=sys.stderr)
        return 2
    out = Path(argv[0])
    out.mkdir(parents=True, exist_ok=True)
    text = json.dumps(vectors(), ensure_ascii=False, separators=(",", ":"))
    (out / FILE_NAME).write_text(text + "\n", encoding="utf-8")
    print(f"wrote {out / FILE_NAME}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
