"""Figures: the radar and the lean meter. Plotly only; fixed 0-100 radial range.

Colours are the Okabe-Ito colour-blind-safe palette, and every trace also differs
in line style and marker shape, so nothing relies on colour alone.
"""

from __future__ import annotations

import html
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import plotly.graph_objects as go

from explorer.content import Content
from explorer.radar_geometry import RadarGeometry

MENTORING_COLOUR = "#0072B2"
COACHING_COLOUR = "#D55E00"
NEEDS_COLOUR = "#009E73"
EXTRA_COLOURS = ("#CC79A7", "#E69F00", "#56B4E9", "#000000")
EXTRA_DASHES = ("dashdot", "longdash", "longdashdot", "solid")
EXTRA_SYMBOLS = ("triangle-up", "x", "star", "hexagon")
# Presenter view: every chart text at the page's presenter body size on a 1080-line screen
# (views/presenter.py), in near-black: read from the back of a room.
PRESENTER_FONT = 24
PRESENTER_TEXT_COLOUR = "#111111"


@dataclass(frozen=True)
class Trace:
    """One closed polygon on the radar."""

    name: str
    values: Mapping[str, float]
    colour: str
    dash: str = "solid"
    symbol: str = "circle"
    width: float = 2.5
    fill: bool = False


@dataclass(frozen=True)
class Band:
    """A shaded spread between two profiles, e.g. one standard deviation around a mean."""

    name: str
    low: Mapping[str, float]
    high: Mapping[str, float]
    colour: str = "#000000"


def approach_traces(content: Content) -> list[Trace]:
    """Mentoring and coaching as the content values them."""
    return [
        Trace(
            content.text("legend.mentoring"),
            {d.id: d.mentoring.value for d in content.dimensions},
            MENTORING_COLOUR,
            "solid",
            "circle",
        ),
        Trace(
            content.text("legend.coaching"),
            {d.id: d.coaching.value for d in content.dimensions},
            COACHING_COLOUR,
            "dash",
            "square",
        ),
    ]


def needs_trace(content: Content, needs: Mapping[str, float], name: str | None = None) -> Trace:
    """A person's (or a room's) needs: the thick dotted, filled polygon."""
    label = name or content.text("legend.needs")
    return Trace(label, needs, NEEDS_COLOUR, "dot", "diamond", width=4, fill=True)


def extra_trace(index: int, name: str, values: Mapping[str, float]) -> Trace:
    """Further profiles (personas, rooms), each with its own colour, dash and marker."""
    i = index % len(EXTRA_COLOURS)
    return Trace(name, values, EXTRA_COLOURS[i], EXTRA_DASHES[i], EXTRA_SYMBOLS[i], width=3)


def radar(
    content: Content,
    traces: Sequence[Trace],
    *,
    presenter: bool = False,
    height: int = 440,
    band: Band | None = None,
) -> go.Figure:
    """A radar of the given traces over the content's dimensions, in content order.

    `band`, if given, is drawn first as a shaded ring between its low and high values.
    """
    geometry = RadarGeometry.from_content(content)
    theta = list(geometry.closed(["<br>".join(axis.lines) for axis in geometry.axes]))
    meanings = list(geometry.closed([content.dimension_by_id[i].meaning for i in geometry.ids]))
    scale = 1.6 if presenter else 1.0
    fig = go.Figure()
    if band is not None:
        high = list(geometry.closed(geometry.values(band.high)))
        low = list(geometry.closed(geometry.values(band.low)))
        fig.add_trace(
            go.Scatterpolar(
                r=[*high, *reversed(low)],
                theta=[*theta, *reversed(theta)],
                name=band.name,
                mode="lines",
                line={"color": band.colour, "width": 0.5},
                fill="toself",
                fillcolor=_translucent(band.colour, 0.22),
                hoverinfo="skip",
            )
        )
    for trace in traces:
        r = geometry.closed([round(v, 1) for v in geometry.values(trace.values)])
        fig.add_trace(
            go.Scatterpolar(
                r=list(r),
                theta=theta,
                customdata=meanings,
                name=trace.name,
                mode="lines+markers",
                line={"color": trace.colour, "dash": trace.dash, "width": trace.width * scale},
                marker={"symbol": trace.symbol, "size": 8 * scale, "color": trace.colour},
                fill="toself" if trace.fill else "none",
                opacity=1.0,
                fillcolor=_translucent(trace.colour) if trace.fill else None,
                hovertemplate=(
                    f"<b>{html.escape(trace.name)}</b><br>%{{theta}}: %{{r:.0f}}/100"
                    "<br><i>%{customdata}</i><extra></extra>"
                ),
            )
        )
    font = PRESENTER_FONT if presenter else 12
    fig.update_layout(
        height=int(height * (1.6 if presenter else 1)),
        margin={
            "l": 160 if presenter else 75,  # room for two lines of axis label at 24 px
            "r": 160 if presenter else 75,
            "t": 70 if presenter else 45,
            "b": 250 if presenter else 90,  # the bottom axis label, then the legend (3 rows)
        },
        font={"size": font, "color": PRESENTER_TEXT_COLOUR if presenter else "#222222"},
        polar={
            "radialaxis": {
                "range": list(geometry.scale),
                # On a projector, large numbers at the centre (0) and the rim (100) would sit
                # on the 25 and on the axis labels: the caption says what the scale runs to.
                "tickvals": (
                    [r for r in geometry.rings if r < geometry.scale[1]]
                    if presenter
                    else [0, *geometry.rings]
                ),
                "angle": 70,  # between the first two spokes, clear of the traces' markers
                "tickfont": {
                    "size": font if presenter else font - 3,
                    "color": PRESENTER_TEXT_COLOUR if presenter else "#777777",
                },
                "gridcolor": "#BBBBBB" if presenter else "#DDDDDD",
            },
            "angularaxis": {"direction": "clockwise", "rotation": 90},
            "bgcolor": "#FFFFFF",
        },
        legend={
            "orientation": "h",
            # At the figure's foot, below the bottom axis label, as wide as the figure
            # (not the plot area between the margins) before it wraps.
            "yref": "container",
            "yanchor": "bottom",
            "y": 0,
            "xref": "container",
            "x": 0.5,
            "xanchor": "center",
            "font": {"size": font},
        },
        paper_bgcolor="rgba(0,0,0,0)",
        uirevision="radar",
    )
    return fig


def _translucent(colour: str, alpha: float = 0.18) -> str:
    red, green, blue = (int(colour[i : i + 2], 16) for i in (1, 3, 5))
    return f"rgba({red},{green},{blue},{alpha})"


def lean_meter_html(content: Content, lean: float, *, presenter: bool = False) -> str:
    """A bar from coaching (left) to mentoring (right) with the blend zone and a marker.

    The position is also given as text, so the meter never relies on colour alone.
    """
    tie = content.verdict.tie_zone
    left = 50 * (1 - tie)
    marker = 50 * (1 + lean)
    size = "1rem" if presenter else "0.85rem"
    coach, mentor, zone = (
        html.escape(content.text(k))
        for k in ("explore.meter_left", "explore.meter_right", "explore.meter_tie")
    )
    # On a projector the words are near-black (full contrast), each beside its colour.
    coach_colour, mentor_colour = (
        (PRESENTER_TEXT_COLOUR,) * 2 if presenter else (COACHING_COLOUR, MENTORING_COLOUR)
    )
    swatch = (
        '<span aria-hidden="true" style="display:inline-block;width:1.2em;height:0.4em;'
        'margin:0 0.3em;vertical-align:middle;background:{}"></span>'
    )
    coach_shown, mentor_shown = (
        (swatch.format(COACHING_COLOUR) + coach, mentor + swatch.format(MENTORING_COLOUR))
        if presenter
        else (coach, mentor)
    )
    ends = {end: content.text(f"explore.meter_{end}") for end in ("left", "right")}
    spoken = html.escape(content.text("explore.meter_label", lean=lean, **ends))
    return (
        f'<div class="lean-meter" role="img" aria-label="{spoken}" '
        f'style="font-size:{size};margin:0.2rem 0 0.6rem 0">'
        f'<div style="display:flex;justify-content:space-between;font-weight:600">'
        f'<span style="color:{coach_colour}">{coach_shown}</span>'
        f'<span style="color:{mentor_colour}">{mentor_shown}</span></div>'
        f'<div style="position:relative;height:1.2rem;border:2px solid #444;border-radius:4px;'
        f"background:linear-gradient(90deg,{_translucent(COACHING_COLOUR, 0.35)},#fff 50%,"
        f'{_translucent(MENTORING_COLOUR, 0.35)})">'
        f'<div style="position:absolute;left:{left:.1f}%;width:{100 * tie:.1f}%;top:0;bottom:0;'
        f'background:repeating-linear-gradient(45deg,#ccc 0 4px,transparent 4px 8px)"></div>'
        f'<div class="lean-marker" style="position:absolute;left:calc({marker:.1f}% - 0.6rem);'
        f'top:-0.45rem;font-size:1.6em;line-height:1">▼</div></div>'
        f'<div style="text-align:center;color:#444">{zone}</div></div>'
    )


PATTERNS = ("/", ".", "x")


def distribution_bar(
    labels: Sequence[str], counts: Sequence[int], colours: Sequence[str], *, presenter: bool = False
) -> go.Figure:
    """Counts per verdict: bars with their number on top, and a distinct fill pattern each."""
    font = PRESENTER_FONT if presenter else 13
    fig = go.Figure(
        go.Bar(
            x=list(labels),
            y=list(counts),
            text=[str(c) for c in counts],
            textposition="outside",
            marker={
                "color": list(colours),
                "pattern": {"shape": list(PATTERNS[: len(labels)]), "fgcolor": "#ffffff"},
                "line": {"color": "#222222", "width": 1.5},
            },
            hovertemplate="%{x}: %{y}<extra></extra>",
        )
    )
    top = max([1, *counts])
    fig.update_layout(
        height=340 if presenter else 260,
        margin={"l": 40, "r": 20, "t": 30, "b": 40},
        font={"size": font, "color": "#111111"},
        yaxis={"range": [0, top * 1.25], "dtick": max(1, top // 5), "title": None},
        showlegend=False,
        paper_bgcolor="rgba(0,0,0,0)",
        plot_bgcolor="#FFFFFF",
    )
    return fig
