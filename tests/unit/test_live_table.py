"""The live explorer's decision table equals the verdict logic, row for row."""

from __future__ import annotations

import itertools
import json

import pytest

from explorer import Content, InputError, evaluate
from explorer.explain import lean_words, radar_summary, verdict_words
from explorer.live_table import ROW_FIELDS, live_table, row_index, table_row
from explorer.radar_geometry import RadarGeometry

MAX_PAYLOAD_BYTES = 150_000  # as Streamlit sends it: json.dumps with default separators
# The defaults, then every advanced input at its first option, then at its last (content's
# option ids are its own to rename, so none is spelt out here).
ADVANCED_SETTINGS = ("default", "first", "last")


def combinations(content: Content):
    specs = content.main_inputs
    for combo in itertools.product(*(s.option_ids for s in specs)):
        yield dict(zip((s.id for s in specs), combo, strict=True))


@pytest.fixture(scope="module", params=ADVANCED_SETTINGS)
def advanced(request: pytest.FixtureRequest, content: Content) -> dict[str, str]:
    position = {"default": None, "first": 0, "last": -1}[request.param]
    if position is None:
        return {}
    return {spec.id: spec.option_ids[position] for spec in content.advanced_inputs}


@pytest.fixture(scope="module")
def table(content: Content, advanced: dict[str, str]) -> dict:
    return live_table(content, advanced)


def test_every_row_equals_evaluate(content, advanced, table):
    rows = 0
    for main in combinations(content):
        result = evaluate({**advanced, **main}, content)
        row = table_row(table, row_index(content, main))
        assert row["needs"] == [round(result.needs[d.id], 1) for d in content.dimensions], main
        assert row["lean"] == round(result.lean, 4), main
        assert row["verdict"] == result.verdict, main
        assert row["strength_label"] == result.strength_label, main
        assert row["verdict_words"] == verdict_words(content, result), main
        assert row["lean_words"] == lean_words(content, result), main
        assert row["radar_summary"] == radar_summary(content, result), main
        assert row["headline"] == content.verdict.approaches[result.verdict].headline
        rows += 1
    assert rows == len(table["rows"]) == 5**4


def test_payload_is_small(table):
    size = len(json.dumps(table).encode())
    assert size < MAX_PAYLOAD_BYTES, f"{size:,} bytes"
    assert len(set(table["strings"])) == len(table["strings"])  # each string sent once


def test_rows_are_indexed_first_input_most_significant(content, table):
    for position, main in enumerate(combinations(content)):
        assert row_index(content, main) == position
    assert all(len(row) == len(ROW_FIELDS) for row in table["rows"])
    assert table["row_fields"] == list(ROW_FIELDS)


def test_table_names_its_advanced_inputs(content, advanced, table):
    assert table["advanced"] == {
        spec.id: advanced.get(spec.id, spec.default) for spec in content.advanced_inputs
    }


def test_everything_to_draw_comes_from_content_and_the_one_geometry(content, table):
    geometry = RadarGeometry.from_content(content)
    assert [d["id"] for d in table["dimensions"]] == [d.id for d in content.dimensions]
    for entry, axis in zip(table["dimensions"], geometry.axes, strict=True):
        assert entry["lines"] == list(axis.lines)
        assert entry["angle"] == axis.angle_degrees
        assert entry["anchor"] == axis.text_anchor
    assert table["axis_order"] == [a.content_index for a in geometry.axes]
    assert table["rings"] == [25, 50, 75, 100] and table["scale"] == [0, 100]
    profiles = table["profiles"]
    assert profiles["mentoring"]["values"] == [d.mentoring.value for d in content.dimensions]
    assert profiles["coaching"]["values"] == [d.coaching.value for d in content.dimensions]
    assert profiles["mentoring"]["colour"] == "#0072B2"
    assert profiles["coaching"]["colour"] == "#D55E00"
    assert profiles["needs"]["name"] == content.text("legend.needs")
    assert table["tie_zone"] == content.verdict.tie_zone
    inputs = table["inputs"]
    assert [i["id"] for i in inputs] == [s.id for s in content.main_inputs]
    for entry, spec in zip(inputs, content.main_inputs, strict=True):
        assert entry["label"] == spec.label and entry["help"] == spec.help
        assert entry["options"] == [{"id": o.id, "label": o.label} for o in spec.options]


def test_main_inputs_among_the_advanced_ones_are_ignored(content):
    assert live_table(content, {"goal": "specific"}) == live_table(content, {})


def test_an_unknown_advanced_input_or_option_is_a_clear_error(content):
    with pytest.raises(InputError, match="unknown input 'nope'"):
        live_table(content, {"nope": "x"})
    with pytest.raises(InputError, match="unknown option 'x' for 'support'"):
        live_table(content, {"support": "x"})


def test_advanced_inputs_change_the_rows(content):
    tables = [
        live_table(content, {s.id: s.option_ids[position] for s in content.advanced_inputs})
        for position in (0, -1)
    ]
    default = live_table(content, {})["rows"]
    assert all(table["rows"] != default for table in tables)
