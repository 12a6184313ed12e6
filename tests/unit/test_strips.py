"""The sensitivity strips' markup (explorer/render/strips.py): what each strip says and where it
puts things, read back with the standard library's HTML parser."""

from __future__ import annotations

import json
from html import escape
from html.parser import HTMLParser

import pytest

from explorer import sensitivity
from explorer.render.strips import sensitivity_strips_html


class Strips(HTMLParser):
    """Each strip's attributes, and the classes, styles and texts of what it holds."""

    def __init__(self) -> None:
        super().__init__()
        self.strips: list[dict] = []
        self.root: dict[str, str | None] = {}
        self.open: list[str] = []  # the class of each open element
        self.voids = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        classes = found.get("class") or ""
        if "strips" in classes.split() and not self.root:
            self.root = found
        if classes == "strip":
            self.strips.append({**found, "parts": []})
        elif self.strips:
            self.strips[-1]["parts"].append({"tag": tag, **found, "text": ""})
        if tag == "polyline":
            self.voids += 1
        else:
            self.open.append(classes)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)

    def handle_endtag(self, tag: str) -> None:
        if tag != "polyline":
            self.open.pop()

    def handle_data(self, data: str) -> None:
        if self.strips and self.strips[-1]["parts"]:
            self.strips[-1]["parts"][-1]["text"] += data


def parse(markup: str) -> Strips:
    parser = Strips()
    parser.feed(markup)
    parser.close()
    assert parser.open == [], "an element was left open"
    return parser


def parts(strip: dict, cls: str) -> list[dict]:
    return [p for p in strip["parts"] if cls in (p.get("class") or "").split()]


def position(part: dict) -> tuple[float, float]:
    style = dict(item.split(":") for item in part["style"].split(";"))
    return float(style["left"].rstrip("%")), float(style["top"].rstrip("%"))


INPUTS = [
    {},
    {"goal": "specific", "stage": "early"},
    {"goal": "holistic", "timeframe": "ongoing", "structure": "formal"},
]


@pytest.mark.parametrize("chosen", INPUTS)
def test_one_strip_per_main_slider_marks_where_the_person_is(content, chosen):
    inputs = {**content.defaults, **chosen}
    leans = sensitivity(content, inputs)
    strips = parse(sensitivity_strips_html(content, leans, inputs)).strips
    assert [s["data-input"] for s in strips] == [spec.id for spec in content.main_inputs]
    for strip, spec in zip(strips, content.main_inputs, strict=True):
        here = spec.index(inputs[spec.id])
        assert strip["data-here"] == inputs[spec.id]
        assert json.loads(strip["data-leans"]) == pytest.approx(leans[spec.id], abs=1e-4)
        points = [position(p) for p in parts(strip, "point")]
        assert len(points) == len(spec.options)
        # Left to right in option order; a higher lean (towards mentoring) sits higher.
        assert [x for x, _ in points] == sorted(x for x, _ in points)
        for (_, y), lean in zip(points, leans[spec.id], strict=True):
            assert 0 <= y <= 100
            assert y == pytest.approx(50 - 50 * lean / 1.15, abs=0.01)
        (mark,) = parts(strip, "here")
        assert position(mark) == points[here]
        (value,) = parts(strip, "value")
        assert position(value) == points[here]
        assert value["text"] == f"{leans[spec.id][here]:+.2f}".replace("-", "\u2212")
        (title,) = parts(strip, "title")
        assert title["text"] == spec.label
        (plot,) = parts(strip, "plot")
        assert plot["role"] == "img"
        for option, lean in zip(spec.options, leans[spec.id], strict=True):
            value = f"{lean:+.2f}".replace("-", "\u2212")
            assert f"{option.label} {value}" in plot["aria-label"]
        assert content.text("changes.sensitivity_here") in plot["aria-label"]
        ends = [p["text"] for p in strip["parts"] if p["tag"] == "span" and not p.get("class")]
        assert [spec.options[0].label, spec.options[-1].label] == ends[-2:]


def test_the_value_stays_inside_the_strip_at_either_end(content):
    inputs = {**content.defaults, "goal": "holistic", "timeframe": "ongoing"}
    strips = parse(sensitivity_strips_html(content, sensitivity(content, inputs), inputs)).strips
    classes = {s["data-input"]: parts(s, "value")[0]["class"].split() for s in strips}
    assert "start" in classes["goal"]
    assert "end" in classes["timeframe"]


def test_the_strips_end_with_how_to_read_them(content):
    inputs = dict(content.defaults)
    markup = sensitivity_strips_html(content, sensitivity(content, inputs), inputs)
    caption = escape(content.text("changes.sensitivity_caption"))
    assert markup.endswith(f'<p class="caption">{caption}</p></div>')


def test_the_presenter_view_is_marked_for_larger_text(content):
    inputs = dict(content.defaults)
    leans = sensitivity(content, inputs)
    assert "presenter" not in parse(sensitivity_strips_html(content, leans, inputs)).root["class"]
    shown = parse(sensitivity_strips_html(content, leans, inputs, presenter=True))
    assert "presenter" in shown.root["class"].split()


def test_words_are_escaped(content):
    spec = content.main_inputs[0]
    hostile = '<b>"x"</b> & y'
    options = [spec.options[0].model_copy(update={"label": hostile}), *spec.options[1:]]
    forged = content.model_copy(
        update={"inputs": [spec.model_copy(update={"options": options}), *content.inputs[1:]]}
    )
    inputs = dict(content.defaults)
    markup = sensitivity_strips_html(forged, sensitivity(content, inputs), inputs)
    assert hostile not in markup and "&lt;b&gt;&quot;x&quot;&lt;/b&gt; &amp; y" in markup
    assert parts(parse(markup).strips[0], "plot")[0]["aria-label"].startswith(spec.label)
