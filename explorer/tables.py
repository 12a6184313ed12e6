"""Tables and sentences derived from content and scoring: one source of truth for the
Compare and How-it-works pages, the accessible radar, and the brief."""

from __future__ import annotations

import itertools
from collections.abc import Iterable

import pandas as pd

from explorer.content import Content
from explorer.scoring import Assessment, _score, resolve_inputs


def cite(content: Content, claim_ids: Iterable[str]) -> str:
    """Quotes with their citations, e.g. “long-term relationship” (MvC-Top ¶2)."""
    claims = [content.claim_by_id[c] for c in claim_ids]
    return " · ".join(f"\u201c{c.quote}\u201d ({c.location})" for c in claims)


def sources_of(content: Content, claim_ids: Iterable[str]) -> set[str]:
    return {content.claim_by_id[c].source for c in claim_ids}


def comparison(content: Content) -> pd.DataFrame:
    """Every dimension as a row: what each approach offers, with quotes and citations;
    contested topics are added with both sides and a 'sources disagree' marker."""
    rows = []
    for d in content.dimensions:
        claims = d.mentoring.claims + d.coaching.claims
        rows.append(
            {
                "Dimension": d.label,
                "Meaning": d.meaning,
                "Leans to": d.leans.capitalize(),
                "Mentoring": d.mentoring.value,
                "Coaching": d.coaching.value,
                "What the sources say of mentoring": cite(content, d.mentoring.claims),
                "What the sources say of coaching": cite(content, d.coaching.claims),
                "Sources": ", ".join(sorted(sources_of(content, claims))),
                "Sources disagree": "",
            }
        )
    for topic in content.contested:
        by_side = {s.approach: s.claims for s in topic.sides}
        claims = [c for s in topic.sides for c in s.claims]
        rows.append(
            {
                "Dimension": topic.label,
                "Meaning": topic.summary,
                "Leans to": "⚠ Contested",
                "Mentoring": None,
                "Coaching": None,
                "What the sources say of mentoring": cite(content, by_side["mentoring"]),
                "What the sources say of coaching": cite(content, by_side["coaching"]),
                "Sources": ", ".join(sorted(sources_of(content, claims))),
                "Sources disagree": "⚠ Sources disagree",
            }
        )
    return pd.DataFrame(rows)


def option_targets(content: Content) -> pd.DataFrame:
    """What every option of every input asks of each dimension, with the claims behind it."""
    rows = []
    for spec in content.inputs:
        for option in spec.options:
            for dim, target in option.targets.items():
                rows.append(
                    {
                        "Input": spec.label,
                        "Option": option.label,
                        "Dimension": content.dimension_by_id[dim].label,
                        "Need": target.need,
                        "Weight": target.weight,
                        "Grounded in": cite(content, target.claims),
                    }
                )
    return pd.DataFrame(rows)


def decision_table(content: Content) -> pd.DataFrame:
    """The verdict for every combination of the main inputs (advanced ones at defaults)."""
    specs = content.main_inputs
    rows = []
    for combo in itertools.product(*(s.options for s in specs)):
        inputs = {s.id: o.id for s, o in zip(specs, combo, strict=True)}
        result = _score(content, resolve_inputs(content, inputs))
        row = {s.label: o.label for s, o in zip(specs, combo, strict=True)}
        row |= {f"{s.id} (id)": o.id for s, o in zip(specs, combo, strict=True)}
        row |= {
            "Verdict": content.verdict.approaches[result.verdict].headline,
            "Lean": round(result.lean, 3),
        }
        rows.append(row)
    return pd.DataFrame(rows)


def needs_table(content: Content, result: Assessment) -> pd.DataFrame:
    """The radar's numbers as a table: the accessible alternative to the chart."""
    return pd.DataFrame(
        [
            {
                "Dimension": d.label,
                "Your need": round(result.needs[d.id]),
                "Mentoring": d.mentoring.value,
                "Coaching": d.coaching.value,
                "Closer to": _closer(c.pull),
                "Importance": c.importance,
            }
            for d, c in zip(content.dimensions, result.contributions, strict=True)
        ]
    )


def _closer(pull: float) -> str:
    if pull > 0:
        return "Mentoring"
    return "Coaching" if pull < 0 else "Midway"


def radar_summary(content: Content, result: Assessment) -> str:
    """One sentence naming where the needs sit closest to each approach."""
    ranked = sorted(result.contributions, key=lambda c: c.share, reverse=True)
    mentoring = [content.dimension_by_id[c.dimension].label for c in ranked if c.share > 0][:2]
    coaching = [
        content.dimension_by_id[c.dimension].label for c in reversed(ranked) if c.share < 0
    ][:2]
    parts = []
    if mentoring:
        parts.append(f"closest to mentoring on {' and '.join(mentoring)}")
    if coaching:
        parts.append(f"closest to coaching on {' and '.join(coaching)}")
    if not parts:
        return "Your needs sit midway between mentoring and coaching on every dimension."
    return "Your needs sit " + ", and ".join(parts) + "."
