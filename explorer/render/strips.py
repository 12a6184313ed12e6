"""The sensitivity strips as HTML: for each main slider, the lean at each of its positions
(the others held), the blend zone, and where the person is now.

Plain markup and a little inline SVG, styled by the strips component's CSS
(views/sensitivity_strips/strips.css): the browser lays it out at any width and any text size
(rem units follow the presenter view's root size), so a redraw is one `innerHTML`. Explore
redraws the strips on every committed move; a Plotly figure cost ~10 ms to build on the server
and ~50 ms of the browser's main thread to draw, for four small line charts.

Position is never shown by colour alone: "you are here" is a large ringed dot with its value
written beside it, and each strip has a text alternative naming every value.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from html import escape

from explorer.content import Content, Input

LEAN_RANGE = 1.15  # the vertical scale runs from -LEAN_RANGE (coaching) to +LEAN_RANGE
EDGE = 5.0  # % of the plot's width left free at each end, so the end markers are whole


def _minus(value: float) -> str:
    """A signed value with a real minus sign, as on every lean the app shows."""
    return f"{value:+.2f}".replace("-", "\u2212")


def _top(lean: float) -> float:
    """% from the plot's top edge for a lean."""
    return round(100 * (LEAN_RANGE - lean) / (2 * LEAN_RANGE), 2)


def _left(index: int, count: int) -> float:
    """% from the plot's left edge for an option's position."""
    return round(EDGE + (100 - 2 * EDGE) * index / max(1, count - 1), 2)


def _attrs(**values: object) -> str:
    """HTML attributes, escaped: `data_input=` → `data-input=`, `class_=` → `class=`."""
    return "".join(
        f' {name.rstrip("_").replace("_", "-")}="{escape(str(value), quote=True)}"'
        for name, value in values.items()
    )


def _strip(content: Content, spec: Input, leans: Sequence[float], here: int, tie: float) -> str:
    labels = [option.label for option in spec.options]
    count = len(labels)
    points = [(_left(k, count), _top(lean)) for k, lean in enumerate(leans)]
    described = ", ".join(
        f"{label} {_minus(lean)}" for label, lean in zip(labels, leans, strict=True)
    )
    here_words = f"{content.text('changes.sensitivity_here')}: {labels[here]} {_minus(leans[here])}"
    alternative = f"{spec.label}: {described}. {here_words}."
    ticks = "".join(
        f"<span{_attrs(style=f'top:{_top(lean)}%')}>{escape(word)}</span>"
        for lean, word in (
            (1.0, content.text("changes.sensitivity_mentoring")),
            (0.0, "0"),
            (-1.0, content.text("changes.sensitivity_coaching")),
        )
    )
    markers = "".join(
        f'<span class="point"{_attrs(style=f"left:{x}%;top:{y}%")}></span>' for x, y in points
    )
    x, y = points[here]
    # The value sits above the ringed dot, or below it when the dot is near the top; at an
    # end of the strip it is aligned inward, so it never runs past the chart.
    side = "start" if here == 0 else "end" if here == count - 1 else "middle"
    value_class = f"value {side} {'below' if leans[here] > 0.3 else 'above'}"
    return (
        f'<div class="strip"{_attrs(data_input=spec.id, data_here=spec.option_ids[here])}'
        f"{_attrs(data_leans=json.dumps([round(v, 4) for v in leans]))}>"
        f'<p class="title">{escape(spec.label)}</p>'
        '<div class="chart">'
        f'<div class="ticks" aria-hidden="true">{ticks}</div>'
        f'<div class="plot" role="img"{_attrs(aria_label=alternative)}>'
        f'<span class="zone"{_attrs(style=f"top:{_top(tie)}%;bottom:{100 - _top(-tie)}%")}></span>'
        f'<span class="zero"{_attrs(style=f"top:{_top(0)}%")}></span>'
        '<svg class="line" viewBox="0 0 100 100" preserveAspectRatio="none" aria-hidden="true">'
        f"<polyline{_attrs(points=' '.join(f'{px},{py}' for px, py in points))}/></svg>"
        f"{markers}"
        f'<span class="here" data-testid="strip-here"{_attrs(style=f"left:{x}%;top:{y}%")}></span>'
        f"<span{_attrs(class_=value_class, style=f'left:{x}%;top:{y}%')}>"
        f"{_minus(leans[here])}</span>"
        "</div>"
        '<span></span><div class="ends" aria-hidden="true">'
        f"<span>{escape(labels[0])}</span><span>{escape(labels[-1])}</span></div>"
        "</div>"
        "</div>"
    )


def sensitivity_strips_html(
    content: Content,
    leans: Mapping[str, Sequence[float]],
    inputs: Mapping[str, str],
    *,
    presenter: bool = False,
) -> str:
    """One strip per main slider, top to bottom, for `leans` (explorer.sensitivity) at
    `inputs`, then the caption saying how to read them; `presenter` makes every word as
    large as the presenter view's body text."""
    tie = content.verdict.tie_zone
    strips = "".join(
        _strip(content, spec, leans[spec.id], spec.index(inputs[spec.id]), tie)
        for spec in content.main_inputs
    )
    classes = "strips presenter" if presenter else "strips"
    caption = escape(content.text("changes.sensitivity_caption"))
    return (
        f'<div class="{classes}" data-testid="sensitivity-strips">{strips}'
        f'<p class="caption">{caption}</p></div>'
    )
