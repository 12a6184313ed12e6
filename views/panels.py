"""Drawing blocks for the pages: each takes content and an assessment and draws."""

from __future__ import annotations

from functools import partial

import streamlit as st

from explorer import Assessment, Content
from explorer.explain import (
    Cited,
    change_lines,
    contested_lines,
    firm_sliders,
    lean_words,
    link_text,
    reason_groups,
    verdict_words,
)
from explorer.render.brief import build_brief
from explorer.render.figures import lean_meter_html
from views.links import share_url
from views.sensitivity_strips import sensitivity_strips
from views.tables import download


def cited_markdown(content: Content, line: Cited) -> str:
    """A sentence, then its quote as a block (marked when read by contrast; none if editorial)."""
    if not line.quote:
        return line.text
    lead = f"{content.text('basis.by_contrast')} " if line.basis == "contrast" else ""
    return f"{line.text}\n> {lead}“{line.quote}” — *{line.location}*"


def verdict_panel(content: Content, result: Assessment, *, presenter: bool = False) -> None:
    """Headline, the verdict in words on one scale, the lean meter and the blurb."""
    verdict = content.verdict.approaches[result.verdict]
    st.subheader(content.text("cli.verdict", headline=verdict.headline), anchor=False)
    st.markdown(f"**{verdict_words(content, result)}** · {lean_words(content, result)}")
    st.html(lean_meter_html(content, result.lean, presenter=presenter))
    st.markdown(content.text("explore.match_line", **result.match))
    cited = " · ".join(dict.fromkeys(content.claim_by_id[c].location for c in verdict.claims))
    st.markdown(f"{verdict.blurb} *({cited})*")


def reasons(content: Content, result: Assessment, subject: str = "") -> None:
    """The heading and the top reasons, each with its quote, as one block of text (one
    element: an Explore rerun sends and draws it at once)."""
    st.markdown(reasons_markdown(content, result, subject))


def _markdown_part(part: str, text: str) -> str:
    """A chain link's location in italics; Markdown's own marks in its words kept as text."""
    if part == "location" and text:
        return f"*{text}*"
    return text.replace("*", "\\*").replace("_", "\\_")


def reason_markdown(content: Content, line: Cited) -> str:
    """A reason: its sentence, then its chain as a list, each number beside its own
    grounding (your answers, then what each approach offers)."""
    links = "\n".join(f"- {link_text(content, link, _markdown_part)}" for link in line.chain)
    return f"{line.text}\n\n{links}" if links else line.text


def reasons_markdown(content: Content, result: Assessment, subject: str = "") -> str:
    """The reasons block as `reasons` draws it: the heading, then each group of reasons
    after its label (the reasons pulling the other way, or each side of a blend)."""
    parts = []
    for group in reason_groups(content, result, subject):
        if group.label:
            parts.append(f"*{group.label}*")
        parts += [reason_markdown(content, line) for line in group.lines]
    return _paragraphs(
        f"#### {content.text('explore.reasons_heading')}",
        *(parts or [content.text("explore.no_reasons")]),
    )


def _paragraphs(*parts: str) -> str:
    return "\n\n".join(parts)


def contested(content: Content) -> None:
    for heading, summary, sides in contested_lines(content):
        with st.expander(heading):
            st.markdown(_paragraphs(summary, *(cited_markdown(content, side) for side in sides)))


def answers(content: Content, result: Assessment, heading: str) -> None:
    """The answers behind an assessment, input by input (e.g. a persona's sliders)."""
    st.markdown(f"#### {heading}")
    st.markdown(
        "\n".join(
            f"- **{spec.label}:** {spec.option(result.inputs[spec.id]).label}"
            for spec in content.inputs
        )
    )


def what_would_change_it(content: Content, result: Assessment) -> None:
    st.markdown(
        _paragraphs(f"#### {content.text('changes.heading')}", *change_lines(content, result))
    )
    if firm := firm_sliders(content, result):
        st.caption(content.text("changes.firm_line", inputs=", ".join(firm)))


def sensitivity_view(content: Content, result: Assessment, *, presenter: bool = False) -> None:
    st.markdown(f"#### {content.text('changes.sensitivity_heading')}")
    sensitivity_strips(content, result.inputs, presenter=presenter, key="sensitivity")


SHARE_LINK = "share_link"


def take_it_with_you(content: Content, result: Assessment) -> None:
    st.markdown(f"#### {content.text('brief.heading')}")
    link = share_url(content, result.inputs)
    # A keyed text field keeps its first value; set it before drawing so it follows the inputs.
    st.session_state[SHARE_LINK] = link
    st.text_input(content.text("brief.share_label"), key=SHARE_LINK)
    # The brief is built when a button is pressed, not on every slider move.
    formats = (("html", "mentor-or-coach-brief.html"), ("markdown", "mentor-or-coach-brief.md"))
    with st.container(horizontal=True):  # side by side, wrapping on a narrow screen
        for kind, file_name in formats:
            download(
                content.text(f"brief.download_{kind}"),
                partial(_brief_text, content, result, link, kind),
                file_name,
                key=f"brief_{kind}",
            )


def _brief_text(content: Content, result: Assessment, link: str, kind: str) -> str:
    brief = build_brief(content, result, link)
    return brief.html if kind == "html" else brief.markdown


def boundaries(content: Content) -> None:
    st.info(f"**{content.text('boundaries.heading')}** — {content.text('boundaries.text')}")


def sources_note(content: Content) -> None:
    """Each source's full title, so every 'MvC-Top ¶5' or 'CMC-9 §1' can be found."""
    items = "; ".join(content.text("sources.item", id=s.id, title=s.title) for s in content.sources)
    st.caption(content.text("sources.note", sources=items))
