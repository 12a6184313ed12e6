"""How we read the sources: every number that is not a direct quote, with our reason.

The honest companion to How it works. Generated from content, so it cannot fall behind:
docs/how-we-read-the-sources.md is this text (`python -m explorer reading`), and the
How-it-works page shows it too.
"""

from __future__ import annotations

from explorer.content import Content, Grounded


def _entry(content: Content, where: str, number: Grounded, value: str) -> str:
    name = content.text(f"basis.names.{number.basis}")
    cited = ", ".join(content.claim_by_id[c].location for c in number.claims)
    context = content.text("reading.context", cited=cited) if cited else ""
    return f"- **{where}** = {value} — *{name}*: {number.reason}{context}"


def reading_markdown(content: Content) -> str:
    """The editorial and by-contrast choices behind the numbers, as Markdown."""
    out = [f"# {content.text('reading.title')}", "", content.text("reading.intro"), ""]
    out += [f"## {content.text('reading.values_heading')}", ""]
    for d in content.dimensions:
        for approach in ("mentoring", "coaching"):
            value = getattr(d, approach)
            if value.basis != "quote":
                where = f"{d.label} · {content.text(f'legend.{approach}')}"
                out.append(_entry(content, where, value, f"{value.value:g}"))
    out += ["", f"## {content.text('reading.targets_heading')}", ""]
    for spec in content.inputs:
        for option in spec.options:
            where = f"{spec.label}: {option.label}"
            if not option.targets:
                none = content.text("reading.no_targets")
                out.append(f"- **{where}** — *{none}*: {option.reason}")
            for dim, target in option.targets.items():
                if target.basis != "quote":
                    label = f"{where} → {content.dimension_by_id[dim].label}"
                    need = content.text(
                        "reading.need", need=target.need_value, weight=target.weight
                    )
                    out.append(_entry(content, label, target, need))
    out += ["", f"## {content.text('reading.verdict_heading')}", ""]
    verdict = content.verdict
    bands = ", ".join(f"{b.label} ≥ {b.min:g}" for b in verdict.strength_bands)
    out.append(
        content.text(
            "reading.verdict_choices",
            tie=verdict.tie_zone,
            even=verdict.blend_even_below,
            bands=bands,
        )
    )
    out += ["", f"## {content.text('reading.factors_heading')}", ""]
    out.append(content.text("reading.factors"))
    out += ["", f"## {content.text('reading.contested_heading')}", ""]
    out += [f"- **{topic.label}**: {topic.summary}" for topic in content.contested]
    return "\n".join(out) + "\n"
