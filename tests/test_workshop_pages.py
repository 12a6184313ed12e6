"""Workshop pages: personas stepper and overlay, and the presenter view (AppTest)."""

from __future__ import annotations

import json

from streamlit.testing.v1 import AppTest

from explorer import evaluate
from tests.conftest import REPO_ROOT

APP = str(REPO_ROOT / "app.py")


def open_personas(**params: str) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=30)
    for key, value in params.items():
        at.query_params[key] = value
    at.run()
    at.switch_page("pages/personas_page.py").run()
    assert not at.exception
    return at


def test_personas_span_every_verdict_and_career_stage(content):
    personas = content.personas.personas
    assert len(personas) >= 6
    assert {evaluate(p.inputs).verdict for p in personas} == {"mentoring", "coaching", "blend"}
    assert {p.inputs["stage"] for p in personas} == set(content.input_by_id["stage"].option_ids)


def test_persona_stepper_moves_forward_and_back_and_labels_each_as_illustrative(content):
    personas = content.personas.personas
    at = open_personas()
    assert at.subheader[0].value == personas[0].name
    assert any("Illustrative persona" in m.value for m in at.markdown)
    at.button(key="persona_next").click().run()
    assert at.subheader[0].value == personas[1].name
    at.button(key="persona_prev").click().run()
    at.button(key="persona_prev").click().run()
    assert at.subheader[0].value == personas[-1].name


def test_persona_verdict_matches_the_explorer(content):
    at = open_personas()
    expected = evaluate(content.personas.personas[0].inputs).verdict
    headline = content.verdict.approaches[expected].headline
    assert f"Verdict: {headline}" in [s.value for s in at.subheader]


def test_overlay_draws_each_chosen_persona_with_its_verdict(content):
    at = open_personas()
    at.multiselect(key="persona_overlay").set_value(["amara", "chen", "eli"]).run()
    figure = json.loads(at.get("plotly_chart")[-1].proto.spec)
    names = [t["name"] for t in figure["data"]]
    assert any(n.startswith("Amara — Mentoring") for n in names)
    assert any(n.startswith("Chen — Coaching") for n in names)
    assert len(names) == 5


def test_overlay_asks_for_at_least_two():
    at = open_personas()
    at.multiselect(key="persona_overlay").set_value(["amara"]).run()
    assert any("at least two" in i.value for i in at.info)


def test_presenter_parameter_turns_on_presenter_view_with_bigger_radar():
    plain = AppTest.from_file(APP, default_timeout=30)
    plain.run()
    presenter = AppTest.from_file(APP, default_timeout=30)
    presenter.query_params["presenter"] = "1"
    presenter.run()
    assert not presenter.exception and presenter.toggle(key="presenter").value

    def layout(at):
        return json.loads(at.get("plotly_chart")[0].proto.spec)["layout"]

    assert layout(presenter)["height"] > layout(plain)["height"]
    assert layout(presenter)["font"]["size"] > layout(plain)["font"]["size"]
