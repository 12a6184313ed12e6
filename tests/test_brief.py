"""The take-away brief: same verdict as the app, self-contained, escaped, with citations."""

from __future__ import annotations

import re

from hypothesis import given, settings
from hypothesis import strategies as st

from explorer import default_content, evaluate
from explorer.brief import build_brief, change_lines, slider_distances

CONTENT = default_content()


@st.composite
def any_inputs(draw):
    return {spec.id: draw(st.sampled_from(spec.option_ids)) for spec in CONTENT.inputs}


@settings(max_examples=150, deadline=None)
@given(any_inputs())
def test_brief_verdict_equals_the_apps_for_any_inputs(inputs):
    result = evaluate(inputs, content=CONTENT)
    brief = build_brief(CONTENT, result, "http://localhost:8501/?x=1")
    headline = CONTENT.verdict.approaches[result.verdict].headline
    assert f'data-verdict="{result.verdict}">{headline}<' in brief.html
    assert f"## Verdict: {headline}" in brief.markdown


def test_brief_is_self_contained_with_an_inline_radar():
    brief = build_brief(CONTENT, evaluate({"goal": "specific"}), "http://localhost:8501/")
    assert "<svg" in brief.html and 'class="trace"' in brief.html
    assert not re.search(r"<script|<link|src=\"http", brief.html)
    assert "@media print" in brief.html


def test_brief_holds_reasons_changes_questions_and_share_link():
    result = evaluate({"goal": "specific", "timeframe": "months"})
    brief = build_brief(CONTENT, result, "http://example.test/?goal=specific")
    for text in (
        "Why",
        "What would change it",
        "Questions to ask",
        "http://example.test/?goal=specific",
    ):
        assert text in brief.html and text in brief.markdown
    for question in CONTENT.questions[result.verdict]:
        assert question.text in brief.markdown
    for reason in result.reasons():
        assert CONTENT.dimension_by_id[reason.dimension].label in brief.markdown


def test_share_link_is_escaped_in_the_html_brief():
    brief = build_brief(CONTENT, evaluate(), 'http://x/?a="><script>alert(1)</script>')
    assert "<script>alert(1)" not in brief.html
    assert "&lt;script&gt;" in brief.html


def test_change_lines_name_the_input_the_new_option_and_the_verdict():
    result = evaluate({"goal": "specific", "timeframe": "weeks", "structure": "formal"})
    lines = change_lines(CONTENT, result)
    assert lines and all("instead of" in line for line in lines)
    assert len(slider_distances(CONTENT, result)) == 4


def test_a_firm_verdict_says_no_single_change_flips_it():
    result = evaluate(
        {"goal": "holistic", "timeframe": "ongoing", "stage": "early", "structure": "informal"}
    )
    assert not result.changes
    assert change_lines(CONTENT, result) == [CONTENT.text("changes.none")]
    assert all("no position" in line for line in slider_distances(CONTENT, result))
