"""The live explorer's interface words: all from content, except the few it is still waiting
for (WORDS_NEEDED), which it uses until content/ui.yaml has them under the same keys."""

from __future__ import annotations

from explorer import Content

# Wording the component needs that content/ui.yaml does not have yet; move each entry into
# ui.yaml under its key (e.g. `live:` / `hide_table:`) and this fallback stops being used.
WORDS_NEEDED: dict[str, str] = {
    "live.hide_table": "Hide the table",
    "live.bad_report": (
        "The explorer sent a value for “{input}” that it could not use, so it kept “{option}”."
    ),
    "live.unknown_report": "The explorer sent settings it does not know; they were ignored.",
}

# What the component shows, by the name its front end uses -> the content key.
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


def text(content: Content, key: str, **values: object) -> str:
    """Content's wording for `key`, else the interim English in WORDS_NEEDED."""
    try:
        return content.text(key, **values)
    except (KeyError, TypeError):
        template = WORDS_NEEDED[key]
        return template.format(**values) if values else template


def component_words(content: Content) -> dict[str, str]:
    return {name: text(content, key) for name, key in COMPONENT_WORDS.items()}
