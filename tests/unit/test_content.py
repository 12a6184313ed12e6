"""Loading and validating content: good content loads; every broken file is named precisely."""

from __future__ import annotations

import pytest

from explorer import ContentError, load_content
from explorer.content import MAIN_INPUTS
from explorer.reading import reading_markdown
from tests.conftest import REPO_ROOT
from tests.support.bad_content import SOURCES_DIR, apply_case, case_params, requires_sources


def test_shipped_content_loads_with_every_main_input(content):
    assert {i.id for i in content.main_inputs} == set(MAIN_INPUTS)
    assert [d.id for d in content.dimensions] == [
        "horizon", "scope", "network", "field", "roles",
        "trust", "skill", "structure", "results", "accountability",
    ]  # fmt: skip


def numbers(content):
    """Every grounded number: (where, dimension, approach or None, the number)."""
    for d in content.dimensions:
        for approach in ("mentoring", "coaching"):
            yield f"{d.id}.{approach}", d.id, approach, getattr(d, approach)
    for spec in content.inputs:
        for option in spec.options:
            for dim, target in option.targets.items():
                yield f"{spec.id}.{option.id}.{dim}", dim, None, target


def test_every_number_has_a_basis_and_what_that_basis_needs(content):
    for where, _, _, number in numbers(content):
        assert number.basis in ("quote", "contrast", "editorial"), where
        if number.basis in ("quote", "contrast"):
            assert number.claims, f"{where}: {number.basis} without a claim"
            assert all(c in content.claim_by_id for c in number.claims), where
        else:
            assert number.reason and len(number.reason.split()) >= 5, f"{where}: no reason"


def test_a_quote_basis_cites_only_claims_about_the_same_dimension(content):
    for where, dimension, approach, number in numbers(content):
        if number.basis != "quote":
            continue
        for claim_id in number.claims:
            claim = content.claim_by_id[claim_id]
            assert dimension in claim.topics, f"{where} quotes {claim_id} ({claim.topics})"
            if approach:
                assert claim.describes in (approach, "both"), f"{where} quotes {claim_id}"


def test_a_contrast_basis_on_a_value_cites_what_the_sources_say_of_the_other_approach(content):
    other = {"mentoring": "coaching", "coaching": "mentoring"}
    for where, _, approach, number in numbers(content):
        if approach and number.basis == "contrast":
            described = {content.claim_by_id[c].describes for c in number.claims}
            assert described <= {other[approach], "both"}, where


def test_an_option_that_sets_no_need_says_why(content):
    for spec in content.inputs:
        for option in spec.options:
            assert option.targets or option.reason, f"{spec.id}.{option.id}"


def test_the_contested_claims_back_no_number(content):
    contested = {c for t in content.contested for s in t.sides for c in s.claims}
    for where, _, _, number in numbers(content):
        assert not contested & set(number.claims), where


def test_the_roles_point_of_both_sources_is_on_the_radar(content):
    roles = content.dimension_by_id["roles"]
    cited = roles.mentoring.claims + roles.coaching.claims
    assert {content.claim_by_id[c].location for c in cited} >= {"CMC-9 §4", "MvC-Top ¶2"}
    assert any("roles" in t for o in content.input_by_id["advice"].options for t in o.targets)


def test_how_we_read_the_sources_doc_is_the_generated_text(content):
    doc = (REPO_ROOT / "docs" / "how-we-read-the-sources.md").read_text(encoding="utf-8")
    assert doc == reading_markdown(content), "run: python -m explorer reading > docs/..."
    for _, _, _, number in numbers(content):
        if number.basis != "quote":
            assert number.reason in doc


@requires_sources
def test_every_quote_is_found_verbatim_at_its_location():
    content = load_content(sources_dir=SOURCES_DIR)
    assert content.quotes.checked, content.quotes.detail


def test_without_the_sources_the_content_says_quotes_were_not_checked(tmp_path):
    content = load_content(sources_dir=tmp_path / "nowhere")
    assert not content.quotes.checked
    assert "could not read" in content.quotes.detail


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


# What a quote must say for a topic to be tagged on it: the words that speak to each
# dimension (reviewed by hand against the two articles). A topic whose words the quote lacks
# is a tag that lets a number claim the quote says more than it does.
SPEAKS_TO = {
    "horizon": ("long-term", "shorter-term", "ongoing", "time-bound", "immediate", "period"),
    "scope": ("overall career", "holistic", "broad career", "task-oriented", "specific skills",
              "career planning"),
    "network": ("networks", "institutional", "organizational culture"),
    "field": ("field", "industry"),
    "roles": ("advisor", "facilitator", "shares knowledge"),
    "trust": ("trust", "emotional"),
    "skill": ("skill",),
    "structure": ("structured", "formal", "informal"),
    "results": ("measurable", "results", "outcomes", "goal achievement"),
    "accountability": ("accountability", "performance"),
    "leadership-communication": ("leadership", "communication"),
}  # fmt: skip


def test_every_topic_of_a_claim_is_something_its_quote_says(content):
    assert set(SPEAKS_TO) == set(content.dimension_by_id) | {t.id for t in content.contested}
    for claim in content.claims:
        quote = claim.quote.lower()
        for topic in claim.topics:
            assert any(word in quote for word in SPEAKS_TO[topic]), (
                f"{claim.id} is tagged {topic!r} but its quote says nothing of it: {claim.quote!r}"
            )


def test_quotes_are_short(content):
    assert all(len(c.quote.split()) <= 25 for c in content.claims)


def test_paraphrases_do_not_overstate_the_sources(content):
    paraphrases = " ".join(c.paraphrase for c in content.claims).lower()
    for overstatement in ("helps most", "over years", "always", "proven", "not one task"):
        assert overstatement not in paraphrases


def test_content_models_are_frozen(content):
    with pytest.raises(Exception, match="frozen"):
        content.dimensions[0].label = "changed"


@pytest.mark.parametrize(("case", "file", "edit", "key"), case_params())
def test_broken_content_is_reported_with_file_and_key(content_copy, case, file, edit, key):
    apply_case(content_copy, file, edit)
    with pytest.raises(ContentError) as caught:
        load_content(content_copy, sources_dir=SOURCES_DIR)
    named = [p for p in caught.value.problems if p.file == file and key in p.key]
    assert named, f"no problem names {file} and {key!r}: {caught.value}"
    assert all(p.expected for p in caught.value.problems)


def test_all_problems_are_listed_not_only_the_first(content_copy):
    apply_case(content_copy, "verdict.yaml", ("tie_zone: 0.2", "tie_zone: 2"))
    apply_case(content_copy, "sources.yaml", ("file: mentoring", "fil: mentoring"))
    with pytest.raises(ContentError) as caught:
        load_content(content_copy)
    assert {p.file for p in caught.value.problems} == {"verdict.yaml", "sources.yaml"}
