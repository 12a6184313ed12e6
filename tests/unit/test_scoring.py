"""The verdict logic: pure, explained, monotone and stable."""

from __future__ import annotations

import itertools
import json
import os
import subprocess
import sys

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from explorer import InputError, evaluate, load_content
from explorer.content import default_content
from explorer.live_table import live_table, row_index, table_row
from explorer.scoring import resolve_inputs, score, sensitivity
from tests.conftest import REPO_ROOT
from tests.support.combinations import main_combination_count, main_combinations


def all_main_combinations(content):
    """Every combination of the main inputs (derived from content: a slider added to
    content/inputs.yaml is walked too)."""
    return main_combinations(content)


def leans_along(content, key, others):
    spec = content.input_by_id[key]
    chosen = resolve_inputs(content, others)
    return [score(content, {**chosen, key: o}).lean for o in spec.option_ids]


def assert_never_decreases(values, what):
    for before, after in itertools.pairwise(values):
        assert after >= before - 1e-12, f"{what}: {values}"


def test_defaults_give_a_blend(content):
    assert evaluate(content=content).verdict == "blend"


def test_contract_example_gives_coaching_with_all_fields():
    result = evaluate(
        {"goal": "specific", "timeframe": "weeks", "stage": "mid", "structure": "formal"}
    )
    assert result.verdict == "coaching"
    assert -1 <= result.lean < 0
    assert set(result.needs) >= {"horizon", "skill", "structure"}
    assert all(0 <= v <= 100 for v in result.needs.values())
    assert set(result.match) == {"mentoring", "coaching"}


def test_longer_timeframe_never_favours_coaching(content):
    for combo in all_main_combinations(content):
        if combo["timeframe"] == "weeks":
            assert_never_decreases(leans_along(content, "timeframe", combo), combo)


def test_more_formal_structure_never_favours_mentoring(content):
    for combo in all_main_combinations(content):
        if combo["structure"] == "informal":
            leans = leans_along(content, "structure", combo)
            assert_never_decreases([-x for x in leans], combo)


def test_more_specific_goal_never_favours_mentoring(content):
    for combo in all_main_combinations(content):
        if combo["goal"] == "holistic":
            leans = leans_along(content, "goal", combo)
            assert_never_decreases([-x for x in leans], combo)


def test_contributions_add_up_to_the_lean(content):
    for combo in all_main_combinations(content):
        result = score(content, resolve_inputs(content, combo))
        assert sum(c.share for c in result.contributions) == pytest.approx(result.lean, abs=1e-9)


def test_extremes_reach_beyond_half_both_ways():
    mentoring = evaluate(
        {"goal": "holistic", "timeframe": "ongoing", "stage": "early", "structure": "informal"}
    )
    coaching = evaluate(
        {"goal": "specific", "timeframe": "weeks", "stage": "senior", "structure": "formal"}
    )
    assert mentoring.lean > 0.5 and mentoring.verdict == "mentoring"
    assert coaching.lean < -0.5 and coaching.verdict == "coaching"


def test_every_verdict_occurs_across_the_main_combinations(content):
    verdicts = {
        score(content, resolve_inputs(content, c)).verdict for c in all_main_combinations(content)
    }
    assert verdicts == {"mentoring", "coaching", "blend"}


def test_verdict_follows_the_tie_zone(content):
    tie = content.verdict.tie_zone
    for combo in all_main_combinations(content):
        result = score(content, resolve_inputs(content, combo))
        expected = (
            "blend" if abs(result.lean) < tie else ("mentoring" if result.lean > 0 else "coaching")
        )
        assert result.verdict == expected
        assert 0 <= result.strength <= 1


def test_higher_match_agrees_with_the_lean(content):
    for combo in all_main_combinations(content):
        result = score(content, resolve_inputs(content, combo))
        gap = result.match["mentoring"] - result.match["coaching"]
        assert gap == pytest.approx(0, abs=1e-9) or (gap > 0) == (result.lean > 0)


def test_contested_topic_does_not_tip_the_verdict(content, content_copy):
    # Give the contested topic's sides the other way round: if any verdict used them, some
    # combination would change.
    path = content_copy / "dimensions.yaml"
    text = path.read_text(encoding="utf-8")
    swapped = (
        text.replace("approach: coaching", "approach: TMP")
        .replace("approach: mentoring", "approach: coaching")
        .replace("approach: TMP", "approach: mentoring")
    )
    assert swapped != text
    path.write_text(swapped, encoding="utf-8")
    perturbed = load_content(content_copy)
    assert perturbed.contested != content.contested
    for combo in all_main_combinations(content):
        shipped = score(content, resolve_inputs(content, combo))
        again = score(perturbed, resolve_inputs(perturbed, combo))
        assert (again.verdict, again.lean) == (shipped.verdict, shipped.lean), combo


@pytest.mark.parametrize("stage", ["early", "transition"])
def test_early_career_or_a_transition_alone_gives_mentoring(stage):
    result = evaluate({"stage": stage})
    assert result.verdict == "mentoring", result.lean


@pytest.mark.parametrize("stage", ["mid", "senior", "student"])
def test_mid_career_senior_or_student_alone_stays_a_blend(stage):
    assert evaluate({"stage": stage}).verdict == "blend"


def test_being_senior_never_tips_toward_mentoring_nor_alone_toward_coaching(content):
    for combo in all_main_combinations(content):
        senior = evaluate({**combo, "stage": "senior"}, content=content).lean
        mid = evaluate({**combo, "stage": "mid"}, content=content).lean
        assert senior == pytest.approx(mid), combo


def test_each_personas_verdict_matches_their_story(content):
    for persona in content.personas.personas:
        result = evaluate(persona.inputs, content=content)
        assert result.verdict == persona.verdict, (persona.id, result.lean)


def test_people_moving_into_management_or_back_from_a_break_are_transitions(content):
    by_id = {p.id: p for p in content.personas.personas}
    assert by_id["farah"].inputs["stage"] == "transition"
    assert by_id["gus"].inputs["stage"] == "transition"


def test_unknown_key_is_named_with_the_valid_ones():
    with pytest.raises(InputError, match=r"'mood'.*goal, timeframe, stage, structure"):
        evaluate({"mood": "happy"})


def test_unknown_option_is_named_with_the_valid_ones():
    with pytest.raises(InputError, match=r"'decade'.*weeks, months, year, years, ongoing"):
        evaluate({"timeframe": "decade"})


def test_what_would_change_it_really_changes_the_verdict():
    start = {"goal": "specific", "timeframe": "weeks", "stage": "mid", "structure": "formal"}
    result = evaluate(start)
    assert result.nearest_changes()
    for change in result.changes:
        moved = evaluate({**start, change.input: change.to_option})
        assert moved.verdict == change.verdict != result.verdict


def test_sensitivity_marks_the_current_lean_at_the_current_position(content):
    inputs = {"goal": "mostly-specific", "timeframe": "months"}
    result = evaluate(inputs)
    for key, leans in sensitivity(content, inputs).items():
        spec = content.input_by_id[key]
        assert leans[spec.index(result.inputs[key])] == pytest.approx(result.lean)


CONTENT = load_content()
# Every (input, option) pair: any input may be set, to any of its options.
option_choice = st.sampled_from(
    [(spec.id, option) for spec in CONTENT.inputs for option in spec.option_ids]
)


@pytest.fixture(scope="module")
def fresh_content():
    """A second, independent load of the shipped content (not the process-wide one
    `evaluate()` uses by default), so that nothing cached or shared can make them agree."""
    fresh = load_content()
    assert fresh is not default_content()
    return fresh


@pytest.fixture(scope="module")
def decision_tables(fresh_content):
    """The live explorer's decision table for each setting of the advanced inputs."""
    tables: dict[tuple[tuple[str, str], ...], dict] = {}

    def table_for(inputs):
        advanced = tuple((s.id, inputs[s.id]) for s in fresh_content.advanced_inputs)
        if advanced not in tables:
            tables[advanced] = live_table(fresh_content, dict(advanced))
        return tables[advanced]

    return table_for


@settings(max_examples=200, deadline=None)
@given(st.lists(option_choice, max_size=8))
def test_same_inputs_always_give_the_same_assessment(fresh_content, decision_tables, pairs):
    inputs = dict(pairs)
    first = evaluate(inputs)
    # Whatever the order of the keys, whichever loaded content, however it is reached.
    assert evaluate(dict(reversed(list(inputs.items())))) == first
    assert evaluate(inputs, content=fresh_content) == first
    assert score(fresh_content, resolve_inputs(fresh_content, inputs)).lean == first.lean
    assert -1 <= first.lean <= 1
    # The row the live explorer draws for these inputs says the same.
    table = decision_tables(first.inputs)
    row = table_row(table, row_index(fresh_content, first.inputs))
    assert row["verdict"] == first.verdict
    assert row["strength_label"] == first.strength_label
    assert row["lean"] == pytest.approx(first.lean, abs=5e-5)
    needs = [first.needs[d.id] for d in fresh_content.dimensions]
    assert row["needs"] == pytest.approx(needs, abs=0.05)


@pytest.mark.parametrize(
    "inputs",
    [
        {},
        {"goal": "specific", "timeframe": "weeks", "stage": "mid", "structure": "formal"},
        {"goal": "holistic", "timeframe": "ongoing", "stage": "early", "structure": "informal"},
        {"goal": "mostly-specific", "stage": "senior", "support": "accountability"},
        {"timeframe": "months", "field": "important", "network": "no", "advice": "facilitation"},
        CONTENT.personas.personas[0].inputs,
    ],
    ids=["defaults", "contract", "mentoring", "senior", "advanced", "first-persona"],
)
def test_the_cli_gives_the_same_assessment_as_evaluate(inputs):
    args = [f"{key}={value}" for key, value in inputs.items()]
    env = {k: v for k, v in os.environ.items() if k != "EXPLORER_CONTENT_DIR"}
    done = subprocess.run(
        [sys.executable, "-m", "explorer", "verdict", *args, "--json"],
        cwd=REPO_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    printed = json.loads(done.stdout)
    expected = evaluate(inputs)
    assert printed["inputs"] == expected.inputs
    assert printed["verdict"] == expected.verdict
    assert printed["lean"] == pytest.approx(expected.lean, abs=5e-5)
    assert printed["needs"] == pytest.approx(expected.needs, abs=0.05)
    assert printed["match"] == pytest.approx(expected.match, abs=0.05)


# --------------------------------------------------------------------------- the three factors
# CMC-9 §8 and MvC-Top ¶5 name career stage as one of three things to choose by, beside the
# goal and the kind of support: not a trump. Tested as properties over every combination.

SIDES = {1: "mentoring", -1: "coaching"}


def ordered(content, spec) -> bool:
    """An ordered input (a scale): every option sets the same dimensions with the same
    weights, each need moving one way only. Career stage is not one."""
    dims = [tuple(sorted((d, t.weight) for d, t in o.targets.items())) for o in spec.options]
    if not dims[0] or len(set(dims)) != 1:
        return False
    for dim, _ in dims[0]:
        needs = [o.targets[dim].need_value for o in spec.options]
        if needs != sorted(needs) and needs != sorted(needs, reverse=True):
            return False
    return True


def side_of(content, input_id: str, option: str) -> int:
    """+1 if this option sits on the mentoring half of its scale, -1 on coaching's, 0 at the
    middle. Which end is mentoring's is read from the scale's ends alone."""
    spec = content.input_by_id[input_id]
    ends = (spec.option_ids[0], spec.option_ids[-1])
    first, last = (evaluate({input_id: end}, content=content).lean for end in ends)
    toward = 1 if first > last else -1
    position = spec.index(option) - (len(spec.options) - 1) / 2
    return 0 if position == 0 else (toward if position < 0 else -toward)


def test_the_ordered_main_inputs_are_the_scales_and_stage_is_not_one(content):
    scales = {spec.id for spec in content.main_inputs if ordered(content, spec)}
    assert {"goal", "timeframe", "structure"} <= scales
    assert "stage" not in scales


def test_each_scale_alone_gives_its_side_at_either_end(content):
    for spec in content.main_inputs:
        if not ordered(content, spec):
            continue
        for option in (spec.option_ids[0], spec.option_ids[-1]):
            result = evaluate({spec.id: option}, content=content)
            assert result.verdict == SIDES[side_of(content, spec.id, option)], (spec.id, option)


def test_when_goal_and_structure_state_one_side_no_combination_gives_the_other(content):
    """No career stage (nor any other main input) carries the verdict to the other side."""
    checked = 0
    for combo in all_main_combinations(content):
        side = side_of(content, "goal", combo["goal"])
        if side and side == side_of(content, "structure", combo["structure"]):
            result = score(content, resolve_inputs(content, combo))
            assert result.verdict != SIDES[-side], (combo, result.lean)
            checked += 1
    assert checked


def test_when_timeframe_agrees_with_goal_and_structure_every_stage_gives_their_side(content):
    checked = 0
    for combo in all_main_combinations(content):
        sides = {side_of(content, key, combo[key]) for key in ("goal", "structure", "timeframe")}
        if len(sides) == 1 and 0 not in sides:
            result = score(content, resolve_inputs(content, combo))
            assert result.verdict == SIDES[sides.pop()], (combo, result.lean)
            checked += 1
    assert checked


def test_on_the_dimension_they_share_a_stated_goal_outweighs_a_career_stage(content):
    """Career stage and goal both set whole-career scope (CMC-9 §6's "broad career guidance");
    the goal, one of the three factors in its own right, weighs more there."""
    stage = content.input_by_id["stage"]
    for spec in content.main_inputs:
        if spec.id == "stage" or not ordered(content, spec):
            continue
        for dim, target in spec.options[0].targets.items():
            for option in stage.options:
                if dim in option.targets:
                    assert option.targets[dim].weight < target.weight, (spec.id, dim, option.id)


def test_every_advanced_input_moves_the_lean_one_way_over_every_main_combination(content):
    for spec in content.advanced_inputs:
        toward = side_of(content, spec.id, spec.option_ids[0]) or 1
        for combo in all_main_combinations(content):
            leans = leans_along(content, spec.id, combo)
            assert_never_decreases([-toward * x for x in leans], (spec.id, combo))


def test_the_walks_cover_every_main_combination(content):
    assert sum(1 for _ in all_main_combinations(content)) == main_combination_count(content)
