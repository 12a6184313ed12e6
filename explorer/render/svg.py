"""The radar as static SVG, for the downloadable brief (no JavaScript there). Same geometry,
traces, colours and line styles as the Plotly radar."""

from __future__ import annotations

from collections.abc import Sequence
from html import escape

from explorer.content import Content
from explorer.radar_geometry import RadarGeometry
from explorer.render.figures import Trace

DASHES = {"solid": "", "dash": "8 5", "dot": "2 5", "dashdot": "8 4 2 4", "longdash": "14 6"}


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
    geometry = RadarGeometry.from_content(content)
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
    for level in geometry.rings:
        ring = " ".join(
            f"{x:.1f},{y:.1f}"
            for x, y in geometry.polygon([level] * len(geometry.axes), radius, cx, cy)
        )
        parts.append(f'<polygon points="{ring}" fill="none" stroke="#ccc" stroke-width="1"/>')
        parts.append(
            f'<text x="{cx + 3:.1f}" y="{cy - radius * level / 100 + 11:.1f}" '
            f'fill="#888" font-size="9">{level}</text>'
        )
    for i, axis in enumerate(geometry.axes):
        x, y = geometry.point(i, 100, radius, cx, cy)
        parts.append(f'<line x1="{cx}" y1="{cy}" x2="{x:.1f}" y2="{y:.1f}" stroke="#ddd"/>')
        lx, ly = geometry.point(i, 100, radius + 34, cx, cy)
        for k, line in enumerate(axis.lines):
            dy = (k - (len(axis.lines) - 1) / 2) * 12 + 4
            parts.append(
                f'<text x="{lx:.1f}" y="{ly + dy:.1f}" text-anchor="{axis.text_anchor}">'
                f"{escape(line)}</text>"
            )
    for trace in traces:
        points = geometry.polygon(geometry.values(trace.values), radius, cx, cy)
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
