"""The reasons explain the verdict shown: for mentoring or coaching, the strongest
contributions toward it first, then the strongest pulling the other way (labelled); for a
blend, the strongest on each side. Checked over every combination of the main inputs (from
content), for the case that showed the old ranking's fault, and in every place that shows
reasons: Explore and Personas (the same panel), the brief, the CLI and its JSON."""

from __future__ import annotations

import itertools
import json
from collections.abc import Iterator
from html import unescape

import pytest

from explorer import Content, evaluate, load_content
from explorer.cli import main
from explorer.content import APPROACHES
from explorer.explain import assessment_json, reason_groups, reason_lines
from explorer.render.brief import build_brief
from explorer.scoring import (
    REASONS_AGAINST,
    REASONS_EACH_SIDE,
    REASONS_FOR,
    Assessment,
    Contribution,
    resolve_inputs,
    score,
)
from views.panels import reasons_markdown

CONTENT = load_content()
OTHER = {"mentoring": "coaching", "coaching": "mentoring"}
# The case: a whole-career goal, a few weeks, mid-career, formal reviews is a blend;
# asking for accountability for performance makes it coaching.
WHOLE_CAREER_IN_WEEKS = {
    "goal": "holistic",
    "timeframe": "weeks",
    "stage": "mid",
    "structure": "formal",
}
ACCOUNTABILITY = {"support": "accountability"}


def main_combinations(content: Content) -> Iterator[dict[str, str]]:
    """Every combination of the main inputs' options, the advanced ones at their defaults."""
    specs = content.main_inputs
    for options in itertools.product(*(spec.option_ids for spec in specs)):
        yield {spec.id: option for spec, option in zip(specs, options, strict=True)}


def assessments(verdict: str | None = None) -> list[Assessment]:
    """The assessment of every main combination (with this verdict, if given)."""
    results = [score(CONTENT, resolve_inputs(CONTENT, c)) for c in main_combinations(CONTENT)]
    chosen = [r for r in results if verdict is None or r.verdict == verdict]
    assert chosen, f"no combination of the main inputs gives {verdict}: the test proves nothing"
    return chosen


def strongest(result: Assessment, approach: str) -> list[Contribution]:
    """The contributions toward `approach`, strongest first (straight from the scoring)."""
    toward = [c for c in result.contributions if c.favours == approach]
    return sorted(toward, key=lambda c: abs(c.share), reverse=True)


def dimensions(contributions) -> list[str]:
    return [c.dimension for c in contributions]


def where(result: Assessment) -> str:
    return f"{dict(result.inputs)} ({result.verdict}, lean {result.lean:+.3f})"


# --------------------------------------------------------------------------- the rule


@pytest.mark.parametrize("approach", APPROACHES)
def test_every_reason_shown_for_a_mentoring_or_coaching_verdict_first_favours_that_verdict(
    approach,
):
    for result in assessments(approach):
        first, *_ = result.reason_groups()
        assert first.favours == approach and not first.against, where(result)
        assert all(c.favours == approach for c in first.contributions), where(result)
        # ... and they are its strongest: none left out is stronger than one shown.
        assert dimensions(first.contributions) == dimensions(
            strongest(result, approach)[:REASONS_FOR]
        ), where(result)


@pytest.mark.parametrize("approach", APPROACHES)
def test_the_strongest_pull_the_other_way_comes_last_and_is_marked_against_the_verdict(
    approach,
):
    for result in assessments(approach):
        groups = result.reason_groups()
        other = strongest(result, OTHER[approach])[:REASONS_AGAINST]
        if not other:
            assert len(groups) == 1, where(result)
            continue
        assert len(groups) == 2, where(result)
        assert groups[1].favours == OTHER[approach] and groups[1].against, where(result)
        assert dimensions(groups[1].contributions) == dimensions(other), where(result)


def test_a_blend_shows_the_strongest_reasons_on_each_side_the_side_it_tilts_to_first():
    for result in assessments("blend"):
        groups = result.reason_groups()
        pulling = [a for a in APPROACHES if strongest(result, a)]
        assert sorted(g.favours for g in groups) == sorted(pulling), where(result)
        for group in groups:
            assert not group.against, where(result)
            top = strongest(result, group.favours)[:REASONS_EACH_SIDE]
            assert dimensions(group.contributions) == dimensions(top), where(result)
        if len(groups) == 2 and result.lean != 0:
            tilt = "mentoring" if result.lean > 0 else "coaching"
            assert groups[0].favours == tilt, where(result)


def test_every_main_combination_shows_a_reason_unless_every_need_sits_midway():
    for result in assessments():
        pulls = [c for c in result.contributions if c.share != 0]
        assert bool(result.reasons()) == bool(pulls), where(result)
        assert all(c.share != 0 for c in result.reasons()), where(result)
        assert len(set(dimensions(result.reasons()))) == len(result.reasons()), where(result)


def test_the_reasons_change_nothing_in_the_verdict_their_contributions_still_add_up():
    for result in assessments():
        assert sum(c.share for c in result.contributions) == pytest.approx(result.lean, abs=1e-9)
        favoured = "mentoring" if result.lean > 0 else "coaching"
        if result.verdict != "blend":
            assert result.verdict == favoured, where(result)


@pytest.mark.parametrize("verdict", ["mentoring", "coaching", "blend"])
def test_each_group_of_reasons_says_which_way_it_pulls_unless_it_is_the_verdicts_own(verdict):
    for result in assessments(verdict):
        for group, words in zip(
            result.reason_groups(), reason_groups(CONTENT, result), strict=True
        ):
            approach = CONTENT.verdict.approaches[group.favours].label.lower()
            if group.against:
                expected = CONTENT.text("explore.reasons_against", approach=approach)
            elif verdict == "blend":
                expected = CONTENT.text("explore.reasons_toward", approach=approach)
            else:
                expected = ""
            assert words.label == expected, where(result)
            assert len(words.lines) == len(group.contributions), where(result)
            for line, reason in zip(words.lines, group.contributions, strict=True):
                dimension = CONTENT.dimension_by_id[reason.dimension]
                assert line.plain.startswith(dimension.label), where(result)
                assert CONTENT.verdict.approaches[group.favours].label.lower() in line.plain


# --------------------------------------------------------------------------- the case


def test_accountability_for_performance_turns_the_blend_to_coaching_and_the_reasons_say_why():
    before = evaluate(WHOLE_CAREER_IN_WEEKS, content=CONTENT)
    after = evaluate({**WHOLE_CAREER_IN_WEEKS, **ACCOUNTABILITY}, content=CONTENT)
    assert (before.verdict, after.verdict) == ("blend", "coaching")
    assert after.lean < before.lean
    accountability = CONTENT.dimension_by_id["accountability"].label
    assert "accountability" not in dimensions(before.reasons())
    assert "accountability" in dimensions(after.reason_groups()[0].contributions)
    shown = [line.plain for line in reason_lines(CONTENT, after)]
    assert any(line.startswith(accountability) for line in shown)
    assert [line.plain for line in reason_lines(CONTENT, before)] != shown
    # The whole-career goal still pulls toward mentoring, and the page says so, marked.
    first, other = reason_groups(CONTENT, after)
    assert first.label == ""
    assert other.label == CONTENT.text(
        "explore.reasons_against", approach=CONTENT.verdict.approaches["mentoring"].label.lower()
    )
    assert all("mentoring sits at" in line.plain for line in other.lines)
    assert all("coaching sits at" in line.plain for line in first.lines)


# --------------------------------------------------------------------------- every place


def one_of_each_verdict() -> list[dict[str, str]]:
    """The issue's case and the first main combination of each verdict."""
    chosen = [{**WHOLE_CAREER_IN_WEEKS, **ACCOUNTABILITY}]
    for verdict in ("mentoring", "coaching", "blend"):
        chosen.append(dict(next(r for r in assessments(verdict) if r.reasons()).inputs))
    return chosen


def between(text: str, start: str, end: str) -> str:
    """The part of `text` after the first `start`, up to the next `end`."""
    assert start in text, (start, text)
    after = text[text.index(start) + len(start) :]
    return after[: after.index(end)] if end in after else after


@pytest.mark.parametrize("inputs", one_of_each_verdict(), ids=lambda i: "-".join(i.values()))
def test_every_place_that_shows_reasons_shows_the_same_ones_in_the_same_order(inputs, capsys):
    result = evaluate(inputs, content=CONTENT)
    groups = reason_groups(CONTENT, result)
    # Each label before its lines, the groups in order.
    expected = [
        text
        for g in groups
        for text in ([g.label] if g.label else []) + [line.plain for line in g.lines]
    ]
    pairs = [f"{k}={v}" for k, v in inputs.items()]
    assert main(["verdict", *pairs]) == 0
    cli = capsys.readouterr().out
    brief = build_brief(CONTENT, result, "http://example.test/")
    why = CONTENT.text("brief.reasons_heading")
    sections = {
        "page": reasons_markdown(CONTENT, result).replace("**", ""),
        "brief (Markdown)": between(brief.markdown, f"## {why}\n", "\n## "),
        "brief (HTML)": unescape(between(brief.html, f"<h2>{why}</h2>", "<h2>")),
        "CLI": between(cli, CONTENT.text("cli.reasons"), CONTENT.text("cli.changes")),
    }
    for place, section in sections.items():
        found = [section.find(text) for text in expected]
        assert all(at >= 0 for at in found), f"{place} misses a reason or label:\n{section}"
        assert found == sorted(found), f"{place} shows them in another order:\n{section}"

    assert main(["verdict", *pairs, "--json"]) == 0
    printed = json.loads(capsys.readouterr().out)
    assert printed == assessment_json(CONTENT, result)
    assert [r["dimension"] for r in printed["reasons"]] == dimensions(result.reasons())
    against = [c.dimension for g in result.reason_groups() if g.against for c in g.contributions]
    assert [r["dimension"] for r in printed["reasons"] if r["against_verdict"]] == against
    assert all(
        r["favours"] != printed["verdict"] for r in printed["reasons"] if r["against_verdict"]
    )
