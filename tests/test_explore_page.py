"""The Explore page, driven with Streamlit's AppTest: what a person sees as they move sliders."""

from __future__ import annotations

import pytest
from streamlit.testing.v1 import AppTest

from tests.apptest import open_app


def headline(at: AppTest) -> str:
    return next(h.value for h in at.subheader if h.value.startswith("Verdict:"))


def needs_radius(at: AppTest) -> list[float]:
    import json

    figure = json.loads(at.get("plotly_chart")[0].proto.spec)
    needs = next(t for t in figure["data"] if t["name"] == "Your needs")
    return needs["r"]


def test_page_renders_a_blend_by_default_with_radar_and_reasons():
    at = open_app()
    assert headline(at) == "Verdict: Both — a blend"
    assert [c.key for c in at.get("plotly_chart")] == ["radar", "sensitivity"]
    assert [s.label for s in at.select_slider][:4] == [
        "Goal type",
        "Timeframe",
        "Career stage",
        "Desired structure",
    ]
    assert any("MvC-Top" in m.value or "CMC-9" in m.value for m in at.markdown)


def test_radar_follows_the_sliders_and_headline_changes():
    at = open_app()
    before = needs_radius(at)
    at.select_slider(key="input_goal").set_value("specific").run()
    at.select_slider(key="input_timeframe").set_value("weeks").run()
    at.select_slider(key="input_structure").set_value("formal").run()
    assert not at.exception
    assert needs_radius(at) != before
    assert headline(at) == "Verdict: Coaching"


def test_sliders_are_written_to_the_url():
    at = open_app()
    at.select_slider(key="input_stage").set_value("transition").run()
    assert at.query_params["stage"] == "transition"
    assert at.query_params["goal"] == "mixed"


def test_url_parameters_restore_state():
    at = open_app(goal="holistic", timeframe="ongoing", stage="early", structure="informal")
    assert at.select_slider(key="input_goal").value == "holistic"
    assert at.select_slider(key="input_stage").value == "early"
    assert headline(at) == "Verdict: Mentoring"


def test_advanced_parameter_restores_state():
    at = open_app(support="accountability", network="no")
    assert at.select_slider(key="input_support").value == "accountability"
    assert at.select_slider(key="input_network").value == "no"


@pytest.mark.parametrize(
    ("param", "value"),
    [("goal", "banana"), ("timeframe", ""), ("stage", "<script>alert(1)</script>")],
)
def test_bad_parameter_falls_back_to_default_with_a_visible_notice(param, value):
    at = open_app(**{param: value})
    notices = [w.value for w in at.warning]
    assert any(param in n for n in notices), notices
    default = {"goal": "mixed", "timeframe": "year", "stage": "mid"}[param]
    assert at.select_slider(key=f"input_{param}").value == default
    assert not any("<script>" in n for n in notices)


def test_unknown_parameter_is_ignored_with_a_notice():
    at = open_app(colour="blue")
    assert any("colour" in w.value for w in at.warning)
    assert headline(at) == "Verdict: Both — a blend"


def test_contested_topic_is_shown_with_both_sources():
    at = open_app()
    label = next(e.label for e in at.expander if "disagree" in e.label)
    assert "Leadership" in label
    quotes = " ".join(m.value for m in at.markdown)
    assert "CMC-9 §2" in quotes and "MvC-Top ¶3" in quotes
