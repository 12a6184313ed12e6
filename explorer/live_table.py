"""The decision table the live explorer looks rows up in, so the browser never scores.

For one setting of the advanced inputs, every combination of the four main inputs is scored
here, with `explorer.scoring.score`, and worded here, with `explorer.explain`; the browser
component only finds the row for the sliders' positions and draws it. One source of truth:
what the component shows on every frame of a drag is what `evaluate()` says.

The table is JSON-ready and small (it is resent on every rerun): repeated words are sent
once, in `strings`, and rows refer to them by index; numbers are rounded to what is drawn.

Row lookup: `index = ((i0 * n1 + i1) * n2 + i2) * n3 + i3`, where `ik` is the position of
the chosen option of the k-th main input (content order) and `nk` its number of options,
i.e. the first main input is the most significant digit (`row_index`).
"""

from __future__ import annotations

import itertools
from collections.abc import Mapping
from typing import Any

from explorer.content import Content
from explorer.explain import lean_words, radar_summary, verdict_words
from explorer.radar_geometry import RadarGeometry
from explorer.render.figures import COACHING_COLOUR, MENTORING_COLOUR, NEEDS_COLOUR
from explorer.scoring import Assessment, resolve_inputs, score

NEED_DECIMALS = 1
LEAN_DECIMALS = 4
ROW_FIELDS = (
    "needs",
    "lean",
    "verdict",
    "strength_label",
    "verdict_words",
    "lean_words",
    "radar_summary",
)
WORDED_FIELDS = ROW_FIELDS[2:]  # indices into `strings`

# The live explorer's interface words, all from content: the name its front end uses for
# each text -> the content key it comes from (Explore and the participant page alike).
COMPONENT_WORDS: dict[str, str] = {
    "verdict_label": "columns.verdict",
    "meter_left": "explore.meter_left",
    "meter_right": "explore.meter_right",
    "meter_tie": "explore.meter_tie",
    "sliders_heading": "explore.sidebar_heading",
    "radar_caption": "explore.radar_caption",
    "show_table": "accessibility.show_table",
    "hide_table": "live.hide_table",
    "column_dimension": "columns.dimension",
}


def component_words(content: Content) -> dict[str, str]:
    return {name: content.text(key) for name, key in COMPONENT_WORDS.items()}


def _number(value: float, decimals: int) -> float | int:
    """Rounded, and whole numbers without a trailing `.0` (JSON bytes; JS reads them alike)."""
    rounded = round(value, decimals) + 0.0  # + 0.0 turns -0.0 into 0.0
    return int(rounded) if rounded.is_integer() else rounded


class _Strings:
    """Each distinct string once; rows carry its index."""

    def __init__(self) -> None:
        self.items: list[str] = []
        self._index: dict[str, int] = {}

    def index(self, text: str) -> int:
        if text not in self._index:
            self._index[text] = len(self.items)
            self.items.append(text)
        return self._index[text]


def _row(content: Content, result: Assessment, strings: _Strings) -> list[Any]:
    words = (
        result.verdict,
        result.strength_label,
        verdict_words(content, result),
        lean_words(content, result),
        radar_summary(content, result),
    )
    return [
        [_number(result.needs[d.id], NEED_DECIMALS) for d in content.dimensions],
        _number(result.lean, LEAN_DECIMALS),
        *(strings.index(text) for text in words),
    ]


def _advanced_choice(content: Content, advanced: Mapping[str, str]) -> dict[str, str]:
    """Every input at its default, then the given advanced ones (main keys are ignored: the
    table varies them). An unknown key or option raises `InputError` naming it."""
    main_ids = {spec.id for spec in content.main_inputs}
    return resolve_inputs(content, {k: v for k, v in advanced.items() if k not in main_ids})


def live_table(content: Content, advanced: Mapping[str, str]) -> dict[str, Any]:
    """Everything the live explorer draws, for these advanced inputs: the main inputs and
    their options, the radar's axes and the two approaches' profiles, the tie zone, colours,
    and one row per combination of the main inputs (see the module docstring for its index).

    A pure function of (content, advanced): callers may cache it by those two.
    """
    base = _advanced_choice(content, advanced)
    main = content.main_inputs
    geometry = RadarGeometry.from_content(content)
    by_id = {axis.id: axis for axis in geometry.axes}
    strings = _Strings()
    ids = [spec.id for spec in main]
    rows = [
        _row(content, score(content, {**base, **dict(zip(ids, combo, strict=True))}), strings)
        for combo in itertools.product(*(spec.option_ids for spec in main))
    ]
    return {
        "advanced": {spec.id: base[spec.id] for spec in content.advanced_inputs},
        "inputs": [
            {
                "id": spec.id,
                "label": spec.label,
                "help": spec.help,
                "options": [{"id": o.id, "label": o.label} for o in spec.options],
            }
            for spec in main
        ],
        "dimensions": [
            {
                "id": d.id,
                "label": d.label,
                "lines": list(by_id[d.id].lines),
                "angle": _number(by_id[d.id].angle_degrees, 2),
                "anchor": by_id[d.id].text_anchor,
            }
            for d in content.dimensions
        ],
        "axis_order": [axis.content_index for axis in geometry.axes],
        "scale": list(geometry.scale),
        "rings": list(geometry.rings),
        "profiles": {
            "mentoring": {
                "name": content.text("legend.mentoring"),
                "colour": MENTORING_COLOUR,
                "values": [d.mentoring.value for d in content.dimensions],
            },
            "coaching": {
                "name": content.text("legend.coaching"),
                "colour": COACHING_COLOUR,
                "values": [d.coaching.value for d in content.dimensions],
            },
            "needs": {"name": content.text("legend.needs"), "colour": NEEDS_COLOUR},
        },
        "tie_zone": content.verdict.tie_zone,
        "headlines": {k: v.headline for k, v in content.verdict.approaches.items()},
        "row_fields": list(ROW_FIELDS),
        "strings": strings.items,
        "rows": rows,
    }


def row_index(content: Content, inputs: Mapping[str, str]) -> int:
    """Where the row for these main inputs sits in `live_table(...)["rows"]`."""
    index = 0
    for spec in content.main_inputs:
        index = index * len(spec.options) + spec.index(inputs[spec.id])
    return index


def table_row(table: Mapping[str, Any], index: int) -> dict[str, Any]:
    """One row decoded: its fields by name, string fields as text, plus the headline."""
    raw = table["rows"][index]
    row = dict(zip(ROW_FIELDS, raw, strict=True))
    for field in WORDED_FIELDS:
        row[field] = table["strings"][row[field]]
    row["headline"] = table["headlines"][row["verdict"]]
    return row
