"""Compare as cards: one per dimension, readable on a phone as on a laptop (no clipped cells).

Each card shows both approaches' values as labelled bars (blue mentoring, orange coaching,
as on every chart; the number and the name are written out, so colour is never needed), the
basis of each value, and what the sources say, quote by quote.
"""

from __future__ import annotations

from html import escape

import streamlit as st

from explorer import Content
from explorer.content import Dimension, Grounded
from explorer.explain import Cited
from explorer.render.figures import COACHING_COLOUR, MENTORING_COLOUR
from explorer.tables import basis_cell
from views.panels import cited_markdown

COLOURS = {"mentoring": MENTORING_COLOUR, "coaching": COACHING_COLOUR}


def value_bar(content: Content, approach: str, value: float) -> str:
    """A labelled bar: '<name> <value>' with a filled track in the approach's colour."""
    name = escape(content.text(f"legend.{approach}"))
    return (
        f'<div class="value-bar" data-approach="{approach}" data-value="{value:g}" '
        'style="display:flex;align-items:center;gap:.5rem;margin:.15rem 0">'
        f'<span style="width:6.5rem;font-weight:600">{name}</span>'
        '<span style="flex:1;height:.8rem;border:1px solid #444;border-radius:3px;'
        'background:#fff;position:relative">'
        f'<span style="position:absolute;left:0;top:0;bottom:0;width:{value:g}%;'
        f'background:{COLOURS[approach]}"></span></span>'
        f'<span style="width:2.2rem;text-align:right;font-weight:600">{value:g}</span></div>'
    )


def _side(content: Content, approach: str, number: Grounded) -> None:
    """One approach's basis and its quotes, as one block: the quotes sit under their line."""
    lines = [f"**{content.text(f'legend.{approach}')}** · *{basis_cell(content, number)}*"]
    for claim_id in number.claims:
        claim = content.claim_by_id[claim_id]
        lead = content.text("basis.by_contrast") + " " if number.basis == "contrast" else ""
        lines.append(f"> {lead}“{claim.quote}” — *{claim.location}*")
    st.markdown("\n\n".join(lines))


def dimension_card(content: Content, dimension: Dimension) -> None:
    with st.container(border=True, key=f"card_{dimension.id}"):
        st.markdown(f"#### {dimension.label}")
        st.markdown(dimension.meaning)
        st.html(
            value_bar(content, "mentoring", dimension.mentoring.value)
            + value_bar(content, "coaching", dimension.coaching.value)
        )
        _side(content, "mentoring", dimension.mentoring)
        _side(content, "coaching", dimension.coaching)


def contested_card(content: Content, heading: str, summary: str, sides: list[Cited]) -> None:
    with st.container(border=True, key="card_contested"):
        st.markdown(f"#### {heading}")
        st.markdown(summary)
        for side in sides:
            st.markdown(cited_markdown(content, side))
