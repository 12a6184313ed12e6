"""Tables derived from content and scoring: one source of truth for the Compare and
How-it-works pages, the radar's table view and the CSV downloads.

Columns are stable ids; their display labels live in content (`columns.*`), so a page
configures columns by id and a download can carry the readable labels.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable
from typing import Any

import pandas as pd

from explorer.content import ApproachValue, Content, Grounded
from explorer.scoring import Assessment, resolve_inputs, score


def cite(content: Content, claim_ids: Iterable[str]) -> str:
    """Quotes with their citations, e.g. “long-term relationship” (MvC-Top ¶2)."""
    claims = [content.claim_by_id[c] for c in claim_ids]
    return " · ".join(f"\u201c{c.quote}\u201d ({c.location})" for c in claims)


def basis_cell(content: Content, number: Grounded) -> str:
    """The basis in a few words: 'quoted', 'by contrast: …', 'our choice: …'."""
    name = content.text(f"basis.names.{number.basis}")
    return f"{name}: {number.reason}" if number.reason else name


def sources_of(content: Content, claim_ids: Iterable[str]) -> str:
    return ", ".join(sorted({content.claim_by_id[c].source for c in claim_ids}))


def column_label(content: Content, column: str) -> str:
    """A column id's readable label: an input's label, else `columns.<id>` from content."""
    spec = content.input_by_id.get(column)
    return spec.label if spec else content.text(f"columns.{column}")


def labelled(content: Content, table: pd.DataFrame) -> pd.DataFrame:
    """The same table with readable column labels (for downloads)."""
    return table.rename(columns=lambda column: column_label(content, column))


def comparison(content: Content) -> pd.DataFrame:
    """Every dimension as a row: each approach's value, its basis and the sources' words;
    contested topics are added with both sides and no values."""
    rows: list[dict[str, Any]] = []
    for d in content.dimensions:
        rows.append(
            {
                "dimension": d.label,
                "meaning": d.meaning,
                "leans": content.text(f"legend.{d.leans}"),
                "mentoring": d.mentoring.value,
                "coaching": d.coaching.value,
                "mentoring_basis": basis_cell(content, d.mentoring),
                "coaching_basis": basis_cell(content, d.coaching),
                "mentoring_says": cite(content, d.mentoring.claims),
                "coaching_says": cite(content, d.coaching.claims),
                "sources": sources_of(content, d.mentoring.claims + d.coaching.claims),
            }
        )
    for topic in content.contested:
        by_side = {s.approach: s.claims for s in topic.sides}
        claims = [c for s in topic.sides for c in s.claims]
        rows.append(
            {
                "dimension": topic.label,
                "meaning": topic.summary,
                "leans": content.text("compare.contested"),
                "mentoring": None,
                "coaching": None,
                "mentoring_basis": "",
                "coaching_basis": "",
                "mentoring_says": cite(content, by_side["mentoring"]),
                "coaching_says": cite(content, by_side["coaching"]),
                "sources": sources_of(content, claims),
            }
        )
    return pd.DataFrame(rows)


def values_table(content: Content) -> pd.DataFrame:
    """The radar's values, compact enough for a phone: each approach's value with the name
    of its basis ("90 · quoted")."""

    return pd.DataFrame(
        [
            {
                "dimension": d.label,
                "mentoring": _value(content, d.mentoring),
                "coaching": _value(content, d.coaching),
            }
            for d in content.dimensions
        ]
    )


def option_targets(content: Content) -> pd.DataFrame:
    """What every option of every input asks of each dimension, and the name of its basis
    (the reasons are in How we read the sources)."""
    rows: list[dict[str, Any]] = []
    for spec in content.inputs:
        for option in spec.options:
            if not option.targets:
                rows.append(
                    {
                        "input": spec.label,
                        "option": option.label,
                        "dimension": content.text("columns.none"),
                        "need": float("nan"),
                        "weight": float("nan"),
                        "basis": content.text("basis.names.editorial"),
                    }
                )
            for dim, target in option.targets.items():
                rows.append(
                    {
                        "input": spec.label,
                        "option": option.label,
                        "dimension": content.dimension_by_id[dim].label,
                        "need": round(target.need_value, 1),
                        "weight": target.weight,
                        "basis": content.text(f"basis.names.{target.basis}"),
                    }
                )
    return pd.DataFrame(rows)


def decision_table(content: Content) -> pd.DataFrame:
    """The verdict for every combination of the main inputs (advanced ones at defaults)."""
    specs = content.main_inputs
    rows: list[dict[str, Any]] = []
    for combo in itertools.product(*(s.options for s in specs)):
        inputs = {s.id: o.id for s, o in zip(specs, combo, strict=True)}
        result = score(content, resolve_inputs(content, inputs))
        row: dict[str, Any] = {s.id: o.label for s, o in zip(specs, combo, strict=True)}
        row |= {
            "verdict": content.verdict.approaches[result.verdict].headline,
            "lean": round(result.lean, 3),
        }
        rows.append(row)
    return pd.DataFrame(rows)


def needs_table(content: Content, result: Assessment) -> pd.DataFrame:
    """The radar's numbers as a table (the chart's accessible alternative), each approach's
    value with the name of its basis."""
    return pd.DataFrame(
        [
            {
                "dimension": d.label,
                "need": round(result.needs[d.id]),
                "mentoring": _value(content, d.mentoring),
                "coaching": _value(content, d.coaching),
                "closer_to": content.text(f"columns.closer.{_closer(c.pull)}"),
            }
            for d, c in zip(content.dimensions, result.contributions, strict=True)
        ]
    )


def _value(content: Content, number: ApproachValue) -> str:
    """'90 · quoted': a value with the name of its basis."""
    return f"{number.value:g} · {content.text(f'basis.names.{number.basis}')}"


def _closer(pull: float) -> str:
    if pull > 0:
        return "mentoring"
    return "coaching" if pull < 0 else "midway"
