"""The take-away brief: same verdict as the app, self-contained, escaped, with citations."""

from __future__ import annotations

import html
import re

from hypothesis import given, settings
from hypothesis import strategies as st

from explorer import default_content, evaluate
from explorer.explain import MAX_CHOICES, change_lines, choice_text, firm_sliders
from explorer.render.brief import build_brief

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


def test_a_brief_where_every_need_sits_midway_says_nothing_tips_the_verdict():
    result = evaluate(content=CONTENT)
    assert not result.reasons()
    brief = build_brief(CONTENT, result, "http://example.test/")
    words = CONTENT.text("brief.no_reasons")
    assert words in brief.markdown and html.escape(words) in brief.html


def test_the_brief_marks_the_reasons_that_pull_against_the_verdict():
    inputs = {"goal": "holistic", "timeframe": "weeks", "stage": "mid", "structure": "formal"}
    result = evaluate({**inputs, "support": "accountability"}, content=CONTENT)
    assert result.verdict == "coaching"
    brief = build_brief(CONTENT, result, "http://example.test/")
    mentoring = CONTENT.verdict.approaches["mentoring"].label.lower()
    against = CONTENT.text("explore.reasons_against", approach=mentoring)
    assert f"\n{against}\n\n- " in brief.markdown
    assert f'<p class="reasons-label">{html.escape(against)}</p><ul>' in brief.html


def test_share_link_is_escaped_in_the_html_brief():
    brief = build_brief(CONTENT, evaluate(), 'http://x/?a="><script>alert(1)</script>')
    assert "<script>alert(1)" not in brief.html
    assert "&lt;script&gt;" in brief.html


def test_change_lines_give_one_sentence_per_verdict_naming_the_main_sliders_first():
    result = evaluate({"goal": "mostly-specific", "timeframe": "months"})
    lines = change_lines(CONTENT, result)
    nearest = result.nearest_changes()
    assert len(lines) == len({c.verdict for c in nearest})
    order = [spec.id for spec in CONTENT.inputs]
    named = sorted({c.input for c in nearest}, key=order.index)[:MAX_CHOICES]
    for input_id in named:
        assert f" for {CONTENT.input_by_id[input_id].phrase}" in " ".join(lines)
    if len({c.input for c in nearest}) > MAX_CHOICES:
        assert "other single changes" in " ".join(lines)


def test_a_firm_verdict_says_no_single_change_flips_it():
    result = evaluate(
        {"goal": "holistic", "timeframe": "ongoing", "stage": "early", "structure": "informal"}
    )
    assert not result.changes
    assert change_lines(CONTENT, result) == [CONTENT.text("changes.none")]
    assert firm_sliders(CONTENT, result) == [spec.label for spec in CONTENT.main_inputs]


def test_brief_shows_the_contested_topic_with_both_sides_in_html_and_markdown():
    brief = build_brief(CONTENT, evaluate(), "http://localhost:8501/")
    for topic in CONTENT.contested:
        assert topic.label in brief.markdown and html.escape(topic.label) in brief.html
        for side in topic.sides:
            for claim_id in side.claims:
                quote = CONTENT.claim_by_id[claim_id].quote
                assert quote in brief.markdown and html.escape(quote) in brief.html
        assert topic.summary in brief.markdown and "does not pick a side" in topic.summary


def test_brief_never_puts_a_quote_beside_an_editorial_number():
    # Networks & culture for coaching is read by contrast: the brief says so beside the quote.
    result = evaluate({"network": "no", "goal": "specific", "structure": "formal"})
    brief = build_brief(CONTENT, result, "http://localhost:8501/")
    for line in brief.markdown.splitlines():
        if "our choice" in line:
            assert "“" not in line, line
    assert 'data-basis="editorial"><blockquote>' not in brief.html


def test_every_input_and_option_makes_a_grammatical_change_sentence():
    for spec in CONTENT.inputs:
        for option in spec.options:
            sentence = CONTENT.text(
                "changes.group_line",
                verdict="Mentoring",
                choices=choice_text(CONTENT, spec.id, [option.label]),
                distance=CONTENT.text("changes.one_step"),
            ).replace("**", "")
            assert sentence.startswith("Mentoring if you chose “"), sentence
            assert f"“{option.label}” for {spec.phrase} (" in sentence, sentence
            assert sentence.endswith(").") and "  " not in sentence, sentence
            assert spec.phrase == spec.phrase.lower() or spec.phrase[0].islower(), spec.phrase
            for wrong in (" were ", "your help", "None", "{", "}"):
                assert wrong not in sentence, sentence
