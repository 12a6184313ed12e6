"""Static SVG drawings for places without JavaScript: the downloadable brief and the
sensitivity strips. Same traces, colours and line styles as the Plotly radar."""

from __future__ import annotations

import math
import textwrap
from collections.abc import Mapping, Sequence
from html import escape

from explorer.content import Content
from explorer.figures import COACHING_COLOUR, MENTORING_COLOUR, Trace

DASHES = {"solid": "", "dash": "8 5", "dot": "2 5", "dashdot": "8 4 2 4", "longdash": "14 6"}


def _point(cx: float, cy: float, radius: float, index: int, count: int) -> tuple[float, float]:
    angle = -math.pi / 2 + 2 * math.pi * index / count  # clockwise from the top
    return cx + radius * math.cos(angle), cy + radius * math.sin(angle)


def _marker(x: float, y: float, symbol: str, colour: str) -> str:
    if symbol == "square":
        return f'<rect x="{x - 4:.1f}" y="{y - 4:.1f}" width="8" height="8" fill="{colour}"/>'
    if symbol == "diamond":
        pts = f"{x:.1f},{y - 5:.1f} {x + 5:.1f},{y:.1f} {x:.1f},{y + 5:.1f} {x - 5:.1f},{y:.1f}"
        return f'<polygon points="{pts}" fill="{colour}"/>'
    return f'<circle cx="{x:.1f}" cy="{y:.1f}" r="4" fill="{colour}"/>'


def radar_svg(
    content: Content, traces: Sequence[Trace], *, size: int = 460, title: str = ""
) -> str:
    """A radar as standalone SVG with a title, a description and a legend."""
    dims = content.dimensions
    n = len(dims)
    cx, cy, radius = size / 2, size / 2, size * 0.32
    margin = 80  # room for the axis labels left and right
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="radar" '
        f'viewBox="-{margin} 0 {size + 2 * margin} {size + 40}" '
        f'width="{size + 2 * margin}" height="{size + 40}" '
        'role="img" aria-labelledby="radar-title">',
        f'<title id="radar-title">{escape(title)}</title>',
        '<g font-family="sans-serif" font-size="13" fill="#222">',
    ]
    for level in (25, 50, 75, 100):
        ring = " ".join(
            "{:.1f},{:.1f}".format(*_point(cx, cy, radius * level / 100, i, n)) for i in range(n)
        )
        parts.append(f'<polygon points="{ring}" fill="none" stroke="#ccc" stroke-width="1"/>')
        parts.append(
            f'<text x="{cx + 3:.1f}" y="{cy - radius * level / 100 + 11:.1f}" '
            f'fill="#888" font-size="9">{level}</text>'
        )
    for i, d in enumerate(dims):
        x, y = _point(cx, cy, radius, i, n)
        parts.append(f'<line x1="{cx}" y1="{cy}" x2="{x:.1f}" y2="{y:.1f}" stroke="#ddd"/>')
        lx, ly = _point(cx, cy, radius + 34, i, n)
        anchor = "middle" if abs(lx - cx) < 10 else ("start" if lx > cx else "end")
        lines = textwrap.wrap(d.label, 16)
        for k, line in enumerate(lines):
            dy = (k - (len(lines) - 1) / 2) * 12 + 4
            parts.append(
                f'<text x="{lx:.1f}" y="{ly + dy:.1f}" text-anchor="{anchor}">{escape(line)}</text>'
            )
    for trace in traces:
        points = [
            _point(cx, cy, radius * trace.values[d.id] / 100, i, n) for i, d in enumerate(dims)
        ]
        path = " ".join(f"{x:.1f},{y:.1f}" for x, y in points)
        fill = trace.colour if trace.fill else "none"
        parts.append(
            f'<polygon class="trace" data-name="{escape(trace.name)}" points="{path}" '
            f'fill="{fill}" fill-opacity="0.15" stroke="{trace.colour}" '
            f'stroke-width="{trace.width}" stroke-dasharray="{DASHES.get(trace.dash, "")}"/>'
        )
        parts += [_marker(x, y, trace.symbol, trace.colour) for x, y in points]
    legend_y = size + 20
    step = size / max(len(traces), 1)
    for k, trace in enumerate(traces):
        x = 10 + k * step
        parts.append(
            f'<line x1="{x:.1f}" y1="{legend_y}" x2="{x + 30:.1f}" y2="{legend_y}" '
            f'stroke="{trace.colour}" stroke-width="{trace.width}" '
            f'stroke-dasharray="{DASHES.get(trace.dash, "")}"/>'
            + _marker(x + 15, legend_y, trace.symbol, trace.colour)
            + f'<text x="{x + 36:.1f}" y="{legend_y + 4}">{escape(trace.name)}</text>'
        )
    parts.append("</g></svg>")
    return "".join(parts)


def sensitivity_svg(
    content: Content, leans: Mapping[str, Sequence[float]], inputs: Mapping[str, str]
) -> str:
    """Small multiples: for each main input, the lean at each position; tie zone shaded."""
    width, height, pad = 230, 120, 26
    tie = content.verdict.tie_zone
    charts = []
    for spec in content.main_inputs:
        values = leans[spec.id]
        count = len(values)
        xs = [pad + i * (width - 2 * pad) / (count - 1) for i in range(count)]

        def y_of(lean: float) -> float:
            return 12 + (1 - lean) / 2 * (height - 40)

        current = spec.index(inputs[spec.id])
        line = " ".join(f"{x:.1f},{y_of(v):.1f}" for x, v in zip(xs, values, strict=True))
        dots = "".join(
            f'<circle cx="{x:.1f}" cy="{y_of(v):.1f}" r="{6 if i == current else 3}" '
            f'fill="{"#fff" if i == current else "#333"}" stroke="#000" stroke-width="2"/>'
            for i, (x, v) in enumerate(zip(xs, values, strict=True))
        )
        label = spec.option(inputs[spec.id]).label
        charts.append(
            f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
            f'role="img" aria-label="{escape(spec.label)}: lean at each position; '
            f'now {escape(label)} ({values[current]:+.2f})" font-family="sans-serif">'
            f'<text x="4" y="10" font-size="11" font-weight="600">{escape(spec.label)}</text>'
            f'<rect x="{pad}" y="{y_of(tie):.1f}" width="{width - 2 * pad}" '
            f'height="{y_of(-tie) - y_of(tie):.1f}" fill="#e6e6e6"/>'
            f'<text x="{width - pad + 2}" y="{y_of(0.6):.1f}" font-size="9" '
            f'fill="{MENTORING_COLOUR}">M</text>'
            f'<text x="{width - pad + 2}" y="{y_of(-0.6):.1f}" font-size="9" '
            f'fill="{COACHING_COLOUR}">C</text>'
            f'<polyline points="{line}" fill="none" stroke="#555" stroke-width="1.5"/>{dots}'
            f'<text x="{pad}" y="{height - 4}" font-size="9">{escape(spec.options[0].label)}</text>'
            f'<text x="{width - pad}" y="{height - 4}" font-size="9" text-anchor="end">'
            f"{escape(spec.options[-1].label)}</text></svg>"
        )
    style = "display:flex;flex-wrap:wrap;gap:8px"
    return f'<div class="sensitivity" style="{style}">{"".join(charts)}</div>'
