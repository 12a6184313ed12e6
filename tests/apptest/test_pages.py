"""Every page renders without an exception and shows its key content (AppTest)."""

from __future__ import annotations

import pytest

from tests.support.apptest import live_row, live_view, open_app


def card_titles(at) -> list[str]:
    return [m.value[5:] for m in at.markdown if m.value.startswith("#### ")]


def test_compare_page_shows_a_card_per_dimension_and_the_disagreement(content):
    at = open_app("compare")
    titles = card_titles(at)
    assert set(titles) >= {d.label for d in content.dimensions}
    assert any("Sources disagree" in t for t in titles)
    text = " ".join(m.value for m in at.markdown)
    assert "quoted" in text and "by contrast" in text
    assert "MvC-Top ¶2" in text and "CMC-9 §4" in text
    assert any("Mentoring vs Coaching: Top Mentors" in c.value for c in at.caption)


def test_compare_page_search_shows_only_matching_cards():
    at = open_app("compare")
    at.text_input(key="compare_search").input("in your field").run()
    assert [t for t in card_titles(at) if "disagree" not in t] == ["Experience in your field"]


def test_how_it_works_shows_formula_targets_and_full_decision_table(content):
    at = open_app("how-it-works")
    text = " ".join(m.value for m in at.markdown)
    assert "Pull." in text and "Lean." in text
    assert any("magnitudes" in i.value and "our choices" in i.value for i in at.info)
    decision = at.dataframe[-1].value
    assert len(decision) == 5**4
    assert set(decision["verdict"]) == {"Mentoring", "Coaching", "Both — a blend"}
    tables = [t.value for t in at.table]
    values, targets = tables[0], tables[1]
    assert len(values) == len(content.dimensions)
    assert values.map(lambda cell: " · " in str(cell)).all().all()
    assert targets["Basis"].str.len().gt(0).all()


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"goal": "mostly-specific", "timeframe": "months"}, "if you chose"),
        (
            {"goal": "holistic", "timeframe": "ongoing", "stage": "early", "structure": "informal"},
            "No single",
        ),
    ],
)
def test_explore_page_says_what_would_change_it(params, expected):
    at = open_app(**params)
    assert any(expected in m.value for m in at.markdown)


def test_explore_page_offers_the_radar_as_a_table_and_the_brief(content):
    at = open_app()
    # The table toggle is the live explorer's (drawn in the browser): it gets its words and a
    # row of needs for every one of the ten dimensions, with both approaches' values.
    view = live_view(at)
    assert view["words"]["show_table"] == content.text("accessibility.show_table")
    table = view["table"]
    assert [d["label"] for d in table["dimensions"]] == [d.label for d in content.dimensions]
    assert len(table["dimensions"]) == 10
    assert len(live_row(at)["needs"]) == 10
    assert len(table["profiles"]["mentoring"]["values"]) == 10
    assert len(table["profiles"]["coaching"]["values"]) == 10
    # The brief: a share link that reopens this state, and both downloads.
    assert "goal=mixed" in at.text_input(key="share_link").value
    assert [b.proto.label for b in at.get("download_button")] == [
        content.text("brief.download_html"),
        content.text("brief.download_markdown"),
    ]
    assert any("not a validated instrument" in i.value for i in at.info)
