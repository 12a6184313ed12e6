"""What the live explorer reports comes from the browser and can be forged: it is validated
like a link's query parameters (usable values taken, the rest falls back with a notice that
never repeats what was sent) and it never raises."""

from __future__ import annotations

import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from streamlit.testing.v1 import AppTest

from explorer import Content
from explorer.live_table import component_words
from views.live_explorer import ReportNotice, read_report
from views.live_explorer.report import MAX_ENTRIES

HOSTILE = "<script>alert(1)</script>"
HUGE = "x" * 1_000_000

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=50),
    lambda children: (
        st.lists(children, max_size=5) | st.dictionaries(st.text(max_size=12), children, max_size=6)
    ),
    max_leaves=20,
)


@pytest.fixture(scope="module")
def current(content: Content) -> dict[str, str]:
    """Inputs in use: each main input at its last option, so a fallback is not the default."""
    return {**content.defaults, **{s.id: s.option_ids[-1] for s in content.main_inputs}}


def first_options(content: Content) -> dict[str, str]:
    return {s.id: s.option_ids[0] for s in content.main_inputs}


def assert_not_echoed(content: Content, notices: tuple[ReportNotice, ...], *sent: str) -> None:
    for notice in notices:
        message = notice.message(content)
        assert message
        assert "<" not in message
        for text in filter(None, sent):
            assert text not in message


def test_a_valid_report_is_taken_whole(content, current):
    chosen = first_options(content)
    report = read_report(content, {**chosen, "release": 1717171717171}, current)
    assert report.inputs == chosen
    assert report.notices == ()
    assert report.release == 1717171717171


def test_a_missing_input_keeps_its_current_value_quietly(content, current):
    report = read_report(content, {"goal": content.main_inputs[0].option_ids[0]}, current)
    assert report.notices == ()
    assert report.inputs["stage"] == current["stage"]


@pytest.mark.parametrize("key", ["nope", HOSTILE, "support", "release ", "", "GOAL"])
def test_unknown_keys_are_ignored_with_one_notice(content, current, key):
    report = read_report(content, {key: "whatever", "goal": "mixed"}, current)
    assert report.notices == (ReportNotice(),)
    assert report.inputs["goal"] == "mixed"
    assert report.inputs["timeframe"] == current["timeframe"]
    assert_not_echoed(content, report.notices, key, "whatever")


@pytest.mark.parametrize(
    "value", [HOSTILE, HUGE, "", "MIXED", " mixed", 3, 2.5, None, True, ["mixed"], {"id": "mixed"}]
)
def test_unusable_values_keep_the_current_option_with_a_notice(content, current, value):
    report = read_report(content, {"goal": value, "stage": "early"}, current)
    assert report.inputs["goal"] == current["goal"]
    assert report.inputs["stage"] == "early"
    assert report.notices == (ReportNotice("goal", current["goal"]),)
    kept = content.input_by_id["goal"].option(current["goal"]).label
    message = report.notices[0].message(content)
    assert content.input_by_id["goal"].label in message and kept in message
    assert_not_echoed(content, report.notices, HOSTILE, HUGE[:50])


@pytest.mark.parametrize("report", [None, [], "goal=mixed", 42, HUGE, [["goal", "mixed"]]])
def test_a_report_that_is_not_a_mapping_changes_nothing(content, current, report):
    result = read_report(content, report, current)
    main = {s.id: current[s.id] for s in content.main_inputs}
    assert result.inputs == main
    assert result.notices == (ReportNotice(),)
    assert result.release is None


@pytest.mark.parametrize("release", [True, -1, 2**60, 1.5, "123", None, [1], {"n": 1}])
def test_an_unusable_release_is_dropped_quietly(content, current, release):
    report = read_report(content, {"goal": "mixed", "release": release}, current)
    assert report.release is None
    assert report.notices == ()


def test_a_flood_of_keys_is_not_even_read(content, current):
    flood = {f"key{i}": HOSTILE for i in range(100_000)}
    report = read_report(content, {"goal": "mixed", **flood}, current)
    assert report.notices == (ReportNotice(),)
    assert report.inputs["goal"] == "mixed"
    assert MAX_ENTRIES < 100


def test_bad_current_inputs_fall_back_to_defaults(content):
    report = read_report(content, {}, {"goal": HOSTILE})
    assert report.inputs == {s.id: s.default for s in content.main_inputs}


@settings(max_examples=300, deadline=None)
@given(reported=json_values)
def test_any_json_gives_valid_inputs_and_never_raises(content, reported):
    current = content.defaults
    report = read_report(content, reported, current)
    assert set(report.inputs) == {s.id for s in content.main_inputs}
    for spec in content.main_inputs:
        assert report.inputs[spec.id] in spec.option_ids
    assert_not_echoed(content, report.notices)


def test_every_component_word_comes_from_content(content):
    words = component_words(content)
    assert all(isinstance(v, str) and v for v in words.values())


# --------------------------------------------------------------------------- the wrapper


def _harness() -> None:
    import json

    import streamlit as st

    from explorer import load_content
    from views.live_explorer import live_explorer, take_release

    content = load_content()
    inputs = {**content.defaults, "goal": "specific"}
    report = take_release(content, inputs, key="live")
    live_explorer(
        content, inputs, presenter=False, key="live", notices=report.notices if report else ()
    )
    st.text(json.dumps(report.inputs if report else None, sort_keys=True))


def run_wrapper(report: object | None = None) -> AppTest:
    at = AppTest.from_function(_harness, default_timeout=30)
    if report is not None:
        at.session_state["live:report"] = report
    at.run()
    assert not at.exception
    return at


def test_the_wrapper_returns_none_without_a_report():
    at = run_wrapper()
    assert at.text[0].value == "null"
    assert not at.warning


def test_the_wrapper_returns_a_validated_report_and_warns_in_content_words(content):
    at = run_wrapper({"goal": "holistic", "stage": HOSTILE, HOSTILE: 1, "release": 7})
    reported = json.loads(at.text[0].value)
    assert reported["goal"] == "holistic"
    assert reported["stage"] == content.input_by_id["stage"].default
    assert len(at.warning) == 2
    for warning in at.warning:
        assert "<" not in warning.value and "script" not in warning.value
    assert at.session_state["live:release"] == 7
