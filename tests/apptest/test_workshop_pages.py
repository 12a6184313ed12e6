"""Workshop pages: personas stepper and overlay, and the presenter view (AppTest)."""

from __future__ import annotations

import json

from explorer import evaluate
from tests.support.apptest import live_view, open_app, page_script


def test_personas_span_every_verdict_and_career_stage(content):
    personas = content.personas.personas
    assert len(personas) >= 6
    assert {evaluate(p.inputs).verdict for p in personas} == {"mentoring", "coaching", "blend"}
    assert {p.inputs["stage"] for p in personas} == set(content.input_by_id["stage"].option_ids)


def test_persona_stepper_moves_forward_and_back_and_labels_each_as_illustrative(content):
    personas = content.personas.personas
    at = open_app("personas")
    assert at.subheader[0].value == personas[0].name
    assert any("Illustrative persona" in m.value for m in at.markdown)
    at.button(key="persona_next").click().run()
    assert at.subheader[0].value == personas[1].name
    at.button(key="persona_prev").click().run()
    at.button(key="persona_prev").click().run()
    assert at.subheader[0].value == personas[-1].name


def test_persona_verdict_matches_the_explorer(content):
    at = open_app("personas")
    expected = evaluate(content.personas.personas[0].inputs).verdict
    headline = content.verdict.approaches[expected].headline
    assert f"Verdict: {headline}" in [s.value for s in at.subheader]


def test_overlay_draws_each_chosen_persona_with_its_verdict(content):
    at = open_app("personas")
    at.multiselect(key="persona_overlay").set_value(["amara", "chen", "eli"]).run()
    figure = json.loads(at.get("plotly_chart")[-1].proto.spec)
    names = [t["name"] for t in figure["data"]]
    assert any(n.startswith("Amara — Mentoring") for n in names)
    assert any(n.startswith("Chen — Coaching") for n in names)
    assert len(names) == 5


def test_overlay_asks_for_at_least_two():
    at = open_app("personas")
    at.multiselect(key="persona_overlay").set_value(["amara"]).run()
    assert any("at least two" in i.value for i in at.info)


def test_presenter_parameter_turns_on_presenter_view_with_bigger_radar():
    plain = open_app()
    presenter = open_app(presenter="1")
    assert presenter.toggle(key="presenter").value and not plain.toggle(key="presenter").value
    # Explore's radar is the live explorer: it is told to draw for the projector.
    assert live_view(presenter)["presenter"] is True
    assert live_view(plain)["presenter"] is False

    # The Plotly radars (Personas) grow, and their text with them.
    def layout(at):
        at.switch_page(page_script("personas")).run()
        assert not at.exception
        return json.loads(at.get("plotly_chart")[0].proto.spec)["layout"]

    assert layout(presenter)["height"] > layout(plain)["height"]
    assert layout(presenter)["font"]["size"] > layout(plain)["font"]["size"]


def test_a_persona_is_spoken_of_in_the_third_person_with_their_answers(content):
    at = open_app("personas")
    persona = content.personas.personas[0]
    text = " ".join(m.value for m in at.markdown)
    assert f"{persona.name} needs" in text and "you need" not in text
    assert f"{persona.name}'s answers" in text
    for spec in content.main_inputs:
        assert f"**{spec.label}:** {spec.option(persona.inputs[spec.id]).label}" in text


def test_trying_a_persona_opens_explore_in_the_same_tab_with_their_inputs(content):
    at = open_app("personas")
    persona = content.personas.personas[0]
    at.button(key="persona_try").click().run()
    assert not at.exception
    assert at.query_params["goal"] == persona.inputs["goal"]
    assert at.query_params["stage"] == persona.inputs["stage"]
    shown = live_view(at)["inputs"]
    assert shown == {spec.id: persona.inputs[spec.id] for spec in content.main_inputs}
