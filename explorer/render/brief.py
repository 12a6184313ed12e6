"""The take-away brief, as self-contained HTML (opens offline, prints on A4 and Letter)
and as Markdown. Built from the same assessment as the app, so they always agree."""

from __future__ import annotations

from dataclasses import dataclass
from html import escape

from explorer.content import Content
from explorer.explain import (
    Cited,
    change_lines,
    contested_lines,
    firm_sliders,
    lean_words,
    link_text,
    question_lines,
    radar_summary,
    reason_groups,
    verdict_words,
)
from explorer.render.figures import approach_traces, needs_trace
from explorer.render.svg import radar_svg
from explorer.scoring import Assessment


@dataclass(frozen=True)
class Brief:
    html: str
    markdown: str


def build_brief(content: Content, result: Assessment, share_url: str) -> Brief:
    answers = [(spec.label, spec.option(result.inputs[spec.id]).label) for spec in content.inputs]
    firm = firm_sliders(content, result)
    changes = [line.replace("**", "") for line in change_lines(content, result)]
    if firm:
        changes.append(content.text("changes.firm_line", inputs=", ".join(firm)))
    data = {
        "verdict": content.verdict.approaches[result.verdict],
        "words": f"{verdict_words(content, result)} ({lean_words(content, result)})",
        "answers": answers,
        "reasons": reason_groups(content, result),
        "changes": changes,
        "questions": question_lines(content, result.verdict),
        "contested": contested_lines(content),
        "share_url": share_url,
    }
    return Brief(_html(content, result, data), _markdown(content, data))


def _markdown_part(part: str, text: str) -> str:
    """A chain link's location in italics, the rest as it is."""
    return f"*{text}*" if part == "location" and text else text


def _html_part(part: str, text: str) -> str:
    """A chain link's parts escaped; its quote marked as one."""
    return f'<q class="source">{escape(text)}</q>' if part == "quote" else escape(text)


def _markdown(content: Content, d: dict) -> str:
    out = [f"# {content.text('brief.title')}", ""]
    out += [f"## {content.text('brief.inputs_heading')}", ""]
    out += [f"- **{label}:** {value}" for label, value in d["answers"]]
    out += ["", f"## {content.text('brief.verdict_heading')}: {d['verdict'].headline}", ""]
    out += [f"{d['words']}.", "", d["verdict"].blurb, ""]
    out += [f"## {content.text('brief.reasons_heading')}", ""]
    for group in d["reasons"]:
        out += [group.label, ""] if group.label else []
        for r in group.lines:
            out.append(f"- {r.plain}")
            out += [f"  - {link_text(content, link, _markdown_part)}" for link in r.chain]
        out.append("")
    out += [] if d["reasons"] else [content.text("brief.no_reasons"), ""]
    out += [f"## {content.text('changes.heading')}", ""]
    out += [f"- {c}" for c in d["changes"]]
    for heading, summary, sides in d["contested"]:
        out += ["", f"## {heading}", "", summary, ""]
        out += [f"- {side.text}: “{side.quote}” ({side.location})" for side in sides]
    out += ["", f"## {content.text('brief.questions_heading')}", ""]
    out += [
        "- " + content.text("brief.question_line", text=q.text, quote=q.quote, location=q.location)
        for q in d["questions"]
    ]
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
.reasons-label{font-style:italic;margin:.6rem 0 .2rem}
blockquote{margin:.2rem 0 .4rem 1rem;color:#333;font-style:italic}
q.source{font-style:italic;color:#333;quotes:none}
.chain{margin:.15rem 0 .5rem;font-size:.95em}
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
    summary = radar_summary(content, result)
    traces = [*approach_traces(content), needs_trace(content, result.needs)]
    svg = radar_svg(content, traces, title=summary)
    rows = "".join(f"<tr><td><b>{e(k)}</b></td><td>{e(v)}</td></tr>" for k, v in d["answers"])

    def quoted(items: list[Cited]) -> str:
        out = []
        for i in items:
            lead = f"{content.text('basis.by_contrast')} " if i.basis == "contrast" else ""
            quote = (
                f"<blockquote>{e(lead)}“{e(i.quote)}” — {e(i.location)}</blockquote>"
                if i.quote
                else ""
            )
            out.append(f'<li data-basis="{e(i.basis)}">{e(i.plain)}{quote}</li>')
        return "".join(out)

    def chained(items: tuple[Cited, ...]) -> str:
        return "".join(
            f'<li class="reason">{e(i.plain)}<ul class="chain">'
            + "".join(
                f'<li data-basis="{e(link.basis)}">{link_text(content, link, _html_part)}</li>'
                for link in i.chain
            )
            + "</ul></li>"
            for i in items
        )

    reasons = (
        "".join(
            (f'<p class="reasons-label">{e(group.label)}</p>' if group.label else "")
            + f"<ul>{chained(group.lines)}</ul>"
            for group in d["reasons"]
        )
        or f"<p>{e(content.text('brief.no_reasons'))}</p>"
    )
    changes = "".join(f"<li>{e(c)}</li>" for c in d["changes"])
    contested = "".join(
        f'<h2 class="contested">{e(heading)}</h2><p>{e(summary)}</p><ul>{quoted(sides)}</ul>'
        for heading, summary, sides in d["contested"]
    )
    sources = "".join(f"<li>{e(s.id)}: {e(s.title)}</li>" for s in content.sources)
    url = e(d["share_url"])
    return f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title}</title><style>{CSS}</style></head><body>
<h1>{title}</h1>
<h2>{e(content.text("brief.verdict_heading"))}</h2>
<p class="verdict" id="verdict" data-verdict="{e(result.verdict)}">{e(d["verdict"].headline)}</p>
<p>{e(d["words"])}.</p>
<p>{e(d["verdict"].blurb)}</p>
{svg}
<p><small>{e(summary)}</small></p>
<h2>{e(content.text("brief.inputs_heading"))}</h2><table>{rows}</table>
<h2>{e(content.text("brief.reasons_heading"))}</h2>{reasons}
<h2>{e(content.text("changes.heading"))}</h2><ul>{changes}</ul>
{contested}
<h2>{e(content.text("brief.questions_heading"))}</h2><ul>{quoted(d["questions"])}</ul>
<h2>{e(content.text("brief.share_heading"))}</h2><p><a href="{url}">{url}</a></p>
<h2>{e(content.text("boundaries.heading"))}</h2><p>{e(content.text("boundaries.text"))}</p>
<h2>{e(content.text("brief.sources_heading"))}</h2><ul>{sources}</ul>
</body></html>
"""
