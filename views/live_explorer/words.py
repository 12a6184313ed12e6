"""The live explorer's interface words, all from content: the name its front end uses for
each text -> the content key it comes from."""

from __future__ import annotations

from explorer import Content

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
