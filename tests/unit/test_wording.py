"""Small things a careful reader notices: one full stop at a sentence's end, "one other
single change" (not "one of 1 other single changes"), and a radar sentence that never calls
a low need "closest to mentoring" on a dimension where mentoring offers little."""

from __future__ import annotations

import re
from dataclasses import replace

import pytest

from explorer import default_content, evaluate
from explorer.cli import format_assessment
from explorer.explain import MAX_CHOICES, change_lines, radar_summary, reason_lines
from explorer.render.brief import build_brief
from explorer.scoring import Change, resolve_inputs, score
from tests.support.combinations import advanced_settings, main_combinations

CONTENT = default_content()
DOUBLE_STOP = re.compile(r"(?<!\.)\.\.(?!\.)|\.\s+\.")


def every_assessment():
    """Every main combination under each advanced setting (scored: without `changes`)."""
    for advanced in advanced_settings(CONTENT):
        for combo in main_combinations(CONTENT):
            yield score(CONTENT, resolve_inputs(CONTENT, {**combo, **advanced}))


@pytest.fixture(scope="module")
def assessments():
    return list(every_assessment())


def test_no_sentence_ends_in_two_full_stops(assessments):
    for scored in assessments[:: max(1, len(assessments) // 300)]:
        result = evaluate(scored.inputs, content=CONTENT)
        texts = [format_assessment(CONTENT, result), build_brief(CONTENT, result, "x").markdown]
        texts += [line.plain for line in reason_lines(CONTENT, result)]
        for text in texts:
            assert not DOUBLE_STOP.search(text), (dict(result.inputs), DOUBLE_STOP.search(text))


def test_one_more_change_is_one_other_single_change():
    result = evaluate(content=CONTENT)
    inputs = CONTENT.inputs[: MAX_CHOICES + 1]
    changes = tuple(Change(spec.id, spec.option_ids[0], 1, "coaching", -0.5) for spec in inputs)
    lines = change_lines(CONTENT, replace(result, changes=changes))
    assert CONTENT.text("changes.more_one") in lines[0]
    assert "one of 1 " not in lines[0]
    two_more = tuple(
        Change(spec.id, spec.option_ids[0], 1, "coaching", -0.5)
        for spec in CONTENT.inputs[: MAX_CHOICES + 2]
    )
    lines = change_lines(CONTENT, replace(result, changes=two_more))
    assert CONTENT.text("changes.more", count=2) in lines[0]


def test_the_radar_sentence_never_puts_an_approach_closest_on_what_it_offers_little_of(
    assessments,
):
    for result in assessments:
        summary = radar_summary(CONTENT, result)
        for approach in ("mentoring", "coaching"):
            lead = CONTENT.text("radar.closest", approach=approach, dims="")
            for part in summary.split(lead)[1:]:
                named = re.split(r",|\.$", part)[0]
                for d in CONTENT.dimensions:
                    if d.label in named:
                        assert d.leans == approach, (summary, dict(result.inputs))
