"""Room summaries and CSV export: pure functions over stored answers."""

from __future__ import annotations

import csv
import io

import pytest

from explorer import evaluate
from rooms.export import answers_csv, neutralise
from rooms.statistics import room_stats


def answer(**inputs: str) -> dict[str, str]:
    return {**inputs, "verdict": evaluate(inputs).verdict}


def test_distribution_counts_every_answer_by_verdict(content):
    answers = [answer(goal="specific", timeframe="weeks", structure="formal")] * 3 + [
        answer(goal="holistic", timeframe="ongoing", stage="early", structure="informal")
    ]
    stats = room_stats(content, answers)
    assert stats.answered == 4
    assert stats.distribution == {"mentoring": 1, "coaching": 3, "blend": 0}


def test_average_needs_sit_between_the_spread(content):
    stats = room_stats(content, [answer(goal="specific"), answer(goal="holistic"), answer()])
    for dim in stats.average:
        assert stats.low[dim] <= stats.average[dim] <= stats.high[dim]
        assert stats.low[dim] >= 0 and stats.high[dim] <= 100


def test_biggest_disagreement_is_on_what_people_answered_differently(content):
    stats = room_stats(
        content,
        [answer(timeframe="weeks"), answer(timeframe="ongoing"), answer(timeframe="weeks")],
    )
    assert stats.disagreement[0][0] == "horizon"
    assert stats.disagreement[0][1] > 0


def test_identical_answers_have_no_spread(content):
    stats = room_stats(content, [answer(goal="mixed")] * 5)
    assert all(spread == 0 for _, spread in stats.disagreement)


def test_answers_that_no_longer_match_the_content_are_skipped_and_counted(content):
    stats = room_stats(content, [answer(), {"goal": "retired-option", "verdict": "blend"}])
    assert stats.answered == 1 and stats.skipped == 1


def test_an_empty_room_has_zero_counts(content):
    stats = room_stats(content, [])
    assert stats.answered == 0 and sum(stats.distribution.values()) == 0


@pytest.mark.parametrize("cell", ["=1+1", "+cmd", "-2", "@SUM(A1)", "\tx", '=HYPERLINK("x")'])
def test_formula_like_cells_are_neutralised(cell):
    assert neutralise(cell).startswith("'")


def test_plain_cells_are_left_alone():
    assert neutralise("mentoring") == "mentoring" and neutralise(None) == ""


def test_csv_has_the_given_columns_first_and_neutralises_every_cell():
    rows = [{"goal": "specific", "verdict": "coaching", "extra": "=cmd|' /C calc'!A0"}]
    text = answers_csv(rows, ["goal", "timeframe", "verdict"])
    parsed = list(csv.reader(io.StringIO(text)))
    assert parsed[0] == ["goal", "timeframe", "verdict", "extra"]
    assert parsed[1] == ["specific", "", "coaching", "'=cmd|' /C calc'!A0"]
