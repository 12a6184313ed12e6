"""The Explore page, driven with Streamlit's AppTest: what a person sees as they move sliders.

The four main sliders, the radar and the verdict headline are the live explorer component
(tests/support/apptest.py: `release` moves a thumb, `live_row` is what the component draws); the
reasons, what would change it, the sensitivity strips and the brief are drawn by the server.
"""

from __future__ import annotations

import json
import re

import pytest
from streamlit.testing.v1 import AppTest

from explorer import Content, evaluate
from tests.support.apptest import (
    component_data,
    live_row,
    live_view,
    main_inputs,
    open_app,
    release,
)
from views.panels import reasons_markdown

REASONS = "#### Why — the top reasons"
CHANGES = "#### What would change it"


def markdown_after(at: AppTest, heading: str) -> str:
    """The text under `heading` (a heading and its paragraphs are one markdown block)."""
    block = next(m.value for m in at.markdown if m.value.startswith(heading + "\n"))
    return block.removeprefix(heading)


STRIP = re.compile(r'data-input="([^"]+)" data-here="([^"]+)" data-leans="([^"]+)"')


def sensitivity_marks(at: AppTest, content: Content) -> list[tuple[str, float]]:
    """Each strip's 'you are here' marker, as the strips component is told to draw it:
    (option id, lean there)."""
    markup = component_data(at, "sensitivity")["html"]
    marks = []
    for input_id, here, leans in STRIP.findall(markup):
        spec = content.input_by_id[input_id]
        marks.append((here, json.loads(leans)[spec.index(here)]))
    return marks


def test_page_renders_a_blend_by_default_with_radar_reasons_and_sensitivity(content):
    at = open_app()
    assert live_row(at)["headline"] == "Both — a blend"
    view = live_view(at)
    assert view["inputs"] == {s.id: s.default for s in content.main_inputs}
    assert [i["label"] for i in view["table"]["inputs"]] == [
        "Goal type",
        "Timeframe",
        "Career stage",
        "Desired structure",
    ]
    assert len(sensitivity_marks(at, content)) == len(content.main_inputs)
    assert [s.key for s in at.select_slider] == [
        "input_support",
        "input_field",
        "input_network",
        "input_advice",
    ]
    # Every need sits midway at the defaults: no reasons yet, and an invitation to move.
    assert markdown_after(at, REASONS).strip() == content.text("explore.no_reasons")


def test_releasing_sliders_moves_the_radar_and_the_headline_and_redraws_the_reasons(content):
    at = open_app()
    before = live_row(at)
    reasons_before = markdown_after(at, REASONS)
    release(at, goal="specific", timeframe="weeks", structure="formal")
    after = live_row(at)
    assert after["needs"] != before["needs"]
    assert after["headline"] == "Coaching"
    expected = evaluate(main_inputs(at, content), content=content)
    assert after["verdict"] == expected.verdict
    assert after["needs"] == [round(expected.needs[d.id], 1) for d in content.dimensions]
    assert markdown_after(at, REASONS) != reasons_before


def test_released_sliders_are_written_to_the_url():
    at = open_app()
    release(at, stage="transition")
    assert at.query_params["stage"] == "transition"
    assert at.query_params["goal"] == "mixed"
    assert "stage=transition" in at.text_input(key="share_link").value


def test_url_parameters_restore_state():
    at = open_app(goal="holistic", timeframe="ongoing", stage="early", structure="informal")
    assert live_view(at)["inputs"] == {
        "goal": "holistic",
        "timeframe": "ongoing",
        "stage": "early",
        "structure": "informal",
    }
    assert live_row(at)["headline"] == "Mentoring"


def test_advanced_parameter_restores_state_and_picks_the_decision_table():
    at = open_app(support="accountability", network="no")
    assert at.select_slider(key="input_support").value == "accountability"
    assert at.select_slider(key="input_network").value == "no"
    assert live_view(at)["table"]["advanced"]["support"] == "accountability"


def test_an_advanced_slider_changes_the_radar_the_component_draws():
    at = open_app()
    before = live_row(at)["needs"]
    at.select_slider(key="input_support").set_value("accountability").run()
    assert not at.exception
    assert live_view(at)["table"]["advanced"]["support"] == "accountability"
    assert live_row(at)["needs"] != before


def test_an_advanced_slider_that_tips_the_verdict_redraws_the_reasons_for_the_new_verdict(
    content,
):
    main = {"goal": "holistic", "timeframe": "weeks", "stage": "mid", "structure": "formal"}
    at = open_app(**main)
    assert live_row(at)["headline"] == content.verdict.approaches["blend"].headline
    assert REASONS + markdown_after(at, REASONS) == reasons_markdown(content, evaluate(main))
    at.select_slider(key="input_support").set_value("accountability").run()
    after = evaluate({**main, "support": "accountability"}, content=content)
    assert after.verdict == "coaching"
    assert live_row(at)["headline"] == content.verdict.approaches["coaching"].headline
    shown = markdown_after(at, REASONS)
    assert REASONS + shown == reasons_markdown(content, after)
    assert content.dimension_by_id["accountability"].label in shown
    mentoring = content.verdict.approaches["mentoring"].label.lower()
    against = content.text("explore.reasons_against", approach=mentoring)
    assert f"*{against}*" in shown


@pytest.mark.parametrize(
    ("param", "value"),
    [("goal", "banana"), ("timeframe", ""), ("stage", "<script>alert(1)</script>")],
)
def test_bad_parameter_falls_back_to_default_with_a_visible_notice(content, param, value):
    at = open_app(**{param: value})
    notices = [w.value for w in at.warning]
    assert any(param in n for n in notices), notices
    default = content.input_by_id[param].default
    assert at.session_state[f"input_{param}"] == default
    assert live_view(at)["inputs"][param] == default
    assert not any("<script>" in n for n in notices)


def test_unknown_parameter_is_ignored_with_a_notice():
    at = open_app(colour="blue")
    assert any("colour" in w.value for w in at.warning)
    assert live_row(at)["headline"] == "Both — a blend"
    assert "colour" not in at.query_params


def test_many_bad_parameters_show_three_notices_and_how_many_more(content):
    at = open_app(**{f"junk{n}": "x" for n in range(6)})
    notices = [w.value for w in at.warning]
    assert len(notices) == 4, notices
    assert all(f"junk{n}" in notices[n] for n in range(3))
    assert "3" in notices[3] and "junk" not in notices[3]


def test_an_overlong_link_gives_one_short_notice_and_the_defaults(content):
    at = open_app(goal="specific", junk="x" * 2100)
    notices = [w.value for w in at.warning]
    assert notices == [content.text("explore.link_too_long")]
    assert live_view(at)["inputs"]["goal"] == content.input_by_id["goal"].default


def test_a_forged_report_falls_back_with_a_notice_and_never_echoes_it(content):
    at = open_app(goal="specific")
    release(at, goal="<script>alert(1)</script>", stage="early")
    assert at.session_state["input_goal"] == "specific"
    assert at.session_state["input_stage"] == "early"
    notices = [w.value for w in at.warning]
    assert any(content.input_by_id["goal"].label in n for n in notices), notices
    assert not any("script" in n for n in notices)


def test_the_sensitivity_strips_mark_where_the_released_inputs_are(content):
    at = open_app()
    release(at, goal="specific", timeframe="weeks")
    chosen = main_inputs(at, content)
    lean = evaluate(chosen, content=content).lean
    expected = [chosen[spec.id] for spec in content.main_inputs]
    marks = sensitivity_marks(at, content)
    assert [label for label, _ in marks] == expected
    assert all(y == pytest.approx(lean, abs=1e-4) for _, y in marks), (marks, lean)


def test_contested_topic_is_shown_with_both_sources():
    at = open_app()
    label = next(e.label for e in at.expander if "disagree" in e.label)
    assert "Leadership" in label
    quotes = " ".join(m.value for m in at.markdown)
    assert "CMC-9 §2" in quotes and "MvC-Top ¶3" in quotes


def test_each_reason_on_the_page_shows_its_chain_each_quote_beside_its_own_number(content):
    """`stage=early`: the networks need (74, our reading of career stage) is shown with "our
    choice" and no quote; MvC-Top ¶2's networks quote stands beside mentoring's 85 only."""
    from tests.unit.test_reason_chain import check_printed

    at = open_app(stage="early")
    shown = markdown_after(at, REASONS)
    result = evaluate({"stage": "early"}, content=content)
    assert check_printed(content, result, shown.splitlines(), "Explore") >= len(result.reasons())
    network = content.dimension_by_id["network"]
    stage = content.input_by_id["stage"]
    early = stage.option("early")
    answer = content.text(
        "explore.chain_answer",
        input=stage.label,
        option=early.label,
        need=early.targets["network"].need_value,
    )
    chain = shown[shown.index(network.label) :]
    line = next(x for x in chain.splitlines() if x.startswith(f"- {answer}"))
    assert "“" not in line and content.text("chain.editorial", text="", reason="")[3:] in line
