"""Loading and validating content: good content loads; every broken file is named precisely."""

from __future__ import annotations

import pytest

from explorer import ContentError, load_content
from explorer.content import MAIN_INPUTS
from tests.bad_content import apply_case, case_params


def test_shipped_content_loads_with_every_main_input(content):
    assert {i.id for i in content.main_inputs} == set(MAIN_INPUTS)
    assert len(content.dimensions) == 9


def test_every_number_cites_at_least_one_existing_claim(content):
    claims = content.claim_by_id
    for d in content.dimensions:
        for approach in ("mentoring", "coaching"):
            assert all(c in claims for c in getattr(d, approach).claims)
    for spec in content.inputs:
        for option in spec.options:
            assert option.targets, f"{spec.id}.{option.id} has no targets"
            for target in option.targets.values():
                assert target.claims and all(c in claims for c in target.claims)


def test_radar_axes_group_mentoring_lobe_before_coaching_lobe(content):
    leans = [d.leans for d in content.dimensions]
    first_coaching = leans.index("coaching")
    assert all(lean == "coaching" for lean in leans[first_coaching:])
    assert all(lean == "mentoring" for lean in leans[:first_coaching])


def test_known_disagreement_is_recorded_as_contested_with_both_sources(content):
    topic = next(t for t in content.contested if "leadership" in t.id)
    sources = {
        content.claim_by_id[c].source: side.approach for side in topic.sides for c in side.claims
    }
    assert sources == {"MvC-Top": "coaching", "CMC-9": "mentoring"}


def test_quotes_are_short(content):
    assert all(len(c.quote.split()) <= 25 for c in content.claims)


def test_content_models_are_frozen(content):
    with pytest.raises(Exception, match="frozen"):
        content.dimensions[0].label = "changed"


@pytest.mark.parametrize(("case", "file", "edit", "key"), case_params())
def test_broken_content_is_reported_with_file_and_key(content_copy, case, file, edit, key):
    apply_case(content_copy, file, edit)
    with pytest.raises(ContentError) as caught:
        load_content(content_copy)
    named = [p for p in caught.value.problems if p.file == file and key in p.key]
    assert named, f"no problem names {file} and {key!r}: {caught.value}"
    assert all(p.expected for p in caught.value.problems)


def test_all_problems_are_listed_not_only_the_first(content_copy):
    apply_case(content_copy, "verdict.yaml", ("tie_zone: 0.2", "tie_zone: 2"))
    apply_case(content_copy, "sources.yaml", ("file: mentoring", "fil: mentoring"))
    with pytest.raises(ContentError) as caught:
        load_content(content_copy)
    assert {p.file for p in caught.value.problems} == {"verdict.yaml", "sources.yaml"}
