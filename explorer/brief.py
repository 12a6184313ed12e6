"""The take-away brief, as self-contained HTML (opens offline, prints on A4 and Letter)
and as Markdown. Built from the same assessment as the app, so they always agree."""

from __future__ import annotations

from dataclasses import dataclass
from html import escape

from explorer.content import Content
from explorer.figures import approach_traces, needs_trace
from explorer.scoring import Assessment
from explorer.svg import radar_svg
from explorer.tables import radar_summary


@dataclass(frozen=True)
class Line:
    """A sentence and, when it speaks for a source, its quote and citation."""

    text: str
    quote: str = ""
    location: str = ""


def signed(value: float) -> str:
    """The value with its sign, using a true minus sign (U+2212) for negatives."""
    return f"{value:+.2f}".replace("-", "\u2212")


def strength_line(content: Content, result: Assessment) -> str:
    """How sure the verdict is, in words and as the lean."""
    lean = signed(result.lean)
    if result.verdict == "blend":
        return content.text("explore.blend_strength_line", lean=lean)
    strength = result.strength_label.capitalize()
    return content.text("explore.strength_line", strength=strength, lean=lean)


def change_lines(content: Content, result: Assessment) -> list[str]:
    """'If your X were Y instead of Z, the verdict would be V' for the nearest changes."""
    lines = []
    for change in result.nearest_changes():
        spec = content.input_by_id[change.input]
        lines.append(
            content.text(
                "changes.change_line",
                input=spec.label.lower(),
                to=spec.option(change.to_option).label,
                current=spec.option(result.inputs[spec.id]).label,
                verdict=content.verdict.approaches[change.verdict].headline,
            )
        )
    return lines or [content.text("changes.none")]


def slider_distances(content: Content, result: Assessment) -> list[str]:
    """For each main slider, how many steps to the nearest different verdict."""
    lines = []
    for spec in content.main_inputs:
        nearest = next((c for c in result.changes if c.input == spec.id), None)
        if nearest is None:
            lines.append(content.text("changes.no_flip_line", input=spec.label))
            continue
        lines.append(
            content.text(
                "changes.distance_line",
                input=spec.label,
                steps=nearest.steps,
                plural="" if nearest.steps == 1 else "s",
                to=spec.option(nearest.to_option).label,
                verdict=content.verdict.approaches[nearest.verdict].headline,
            )
        )
    return lines


def reason_lines(content: Content, result: Assessment) -> list[Line]:
    """The top reasons (markdown with **bold** dimension names), each with its quote."""
    lines = []
    for reason in result.reasons():
        dimension = content.dimension_by_id[reason.dimension]
        offered = getattr(dimension, reason.favours)
        claim = content.claim_by_id[offered.claims[0]]
        text = content.text(
            "explore.reason_line",
            dimension=dimension.label,
            need=reason.need,
            approach=content.verdict.approaches[reason.favours].label,
            offered=offered.value,
        )
        lines.append(Line(text, claim.quote, claim.location))
    return lines


def question_lines(content: Content, verdict: str) -> list[Line]:
    lines = []
    for question in content.questions[verdict]:
        claim = content.claim_by_id[question.claims[0]]
        lines.append(Line(question.text, claim.quote, claim.location))
    return lines


@dataclass(frozen=True)
class Brief:
    html: str
    markdown: str


def build_brief(content: Content, result: Assessment, share_url: str) -> Brief:
    verdict = content.verdict.approaches[result.verdict]
    strength = strength_line(content, result).replace("**", "")
    match = ", ".join(
        f"{content.verdict.approaches[a].label} {v:.0f}%" for a, v in result.match.items()
    )
    answers = [(spec.label, spec.option(result.inputs[spec.id]).label) for spec in content.inputs]
    data = {
        "verdict": verdict,
        "strength": strength,
        "match": match,
        "answers": answers,
        "reasons": [
            Line(r.text.replace("**", ""), r.quote, r.location)
            for r in reason_lines(content, result)
        ],
        "changes": [c.replace("**", "") for c in change_lines(content, result)],
        "distances": slider_distances(content, result),
        "questions": question_lines(content, result.verdict),
        "share_url": share_url,
    }
    return Brief(_html(content, result, data), _markdown(content, data))


def _markdown(content: Content, d: dict) -> str:
    out = [f"# {content.text('brief.title')}", ""]
    out += [f"## {content.text('brief.inputs_heading')}", ""]
    out += [f"- **{label}:** {value}" for label, value in d["answers"]]
    out += ["", f"## {content.text('brief.verdict_heading')}: {d['verdict'].headline}", ""]
    out += [f"{d['strength']}. Match: {d['match']}.", "", d["verdict"].blurb, ""]
    out += [f"## {content.text('brief.reasons_heading')}", ""]
    out += [f"- {r.text} — “{r.quote}” ({r.location})" for r in d["reasons"]]
    out += ["", f"## {content.text('changes.heading')}", ""]
    out += [f"- {c}" for c in d["changes"] + d["distances"]]
    out += ["", f"## {content.text('brief.questions_heading')}", ""]
    out += [f"- {q.text} — grounded in “{q.quote}” ({q.location})" for q in d["questions"]]
    out += ["", f"## {content.text('brief.share_heading')}", "", f"<{d['share_url']}>", ""]
    out += [f"## {content.text('boundaries.heading')}", "", content.text("boundaries.text"), ""]
    out += [f"## {content.text('brief.sources_heading')}", ""]
    out += [f"- {s.id}: {s.title}" for s in content.sources]
    return "\n".join(out) + "\n"


CSS = """
body{font-family:system-ui,-apple-system,'Segoe UI',Roboto,sans-serif;color:#111;
 max-width:180mm;margin:2rem auto;padding:0 1rem;line-height:1.45}
h1{font-size:1.6rem;margin-bottom:.2rem}h2{font-size:1.3rem;margin:1.2rem 0 .4rem;
 border-bottom:1px solid #bbb}
.verdict{font-size:1.25rem;font-weight:700;margin:.3rem 0}
blockquote{margin:.2rem 0 .4rem 1rem;color:#333;font-style:italic}
.radar{display:block;margin:0 auto;max-width:100%;height:auto}
table{border-collapse:collapse;break-inside:avoid}td{padding:.1rem .8rem .1rem 0;vertical-align:top}
a{color:#0057a3;word-break:break-all}
@page{margin:14mm}
@media print{body{margin:0;max-width:none}h2{break-after:avoid}
 .radar{max-height:110mm}li,blockquote{break-inside:avoid}}
"""


def _html(content: Content, result: Assessment, d: dict) -> str:
    e = escape
    title = e(content.text("brief.title"))
    traces = [*approach_traces(content), needs_trace(content, result.needs)]
    svg = radar_svg(content, traces, title=radar_summary(content, result))
    rows = "".join(f"<tr><td><b>{e(k)}</b></td><td>{e(v)}</td></tr>" for k, v in d["answers"])

    def quoted(items: list[Line]) -> str:
        return "".join(
            f"<li>{e(i.text)}<blockquote>“{e(i.quote)}” — {e(i.location)}</blockquote></li>"
            for i in items
        )

    changes = "".join(f"<li>{e(c)}</li>" for c in d["changes"] + d["distances"])
    sources = "".join(f"<li>{e(s.id)}: {e(s.title)}</li>" for s in content.sources)
    url = e(d["share_url"])
    return f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title}</title><style>{CSS}</style></head><body>
<h1>{title}</h1>
<h2>{e(content.text("brief.verdict_heading"))}</h2>
<p class="verdict" id="verdict" data-verdict="{e(result.verdict)}">{e(d["verdict"].headline)}</p>
<p>{e(d["strength"])}. Match: {e(d["match"])}.</p>
<p>{e(d["verdict"].blurb)}</p>
{svg}
<p><small>{e(radar_summary(content, result))}</small></p>
<h2>{e(content.text("brief.inputs_heading"))}</h2><table>{rows}</table>
<h2>{e(content.text("brief.reasons_heading"))}</h2><ul>{quoted(d["reasons"])}</ul>
<h2>{e(content.text("changes.heading"))}</h2><ul>{changes}</ul>
<h2>{e(content.text("brief.questions_heading"))}</h2><ul>{quoted(d["questions"])}</ul>
<h2>{e(content.text("brief.share_heading"))}</h2><p><a href="{url}">{url}</a></p>
<h2>{e(content.text("boundaries.heading"))}</h2><p>{e(content.text("boundaries.text"))}</p>
<h2>{e(content.text("brief.sources_heading"))}</h2><ul>{sources}</ul>
</body></html>
"""
