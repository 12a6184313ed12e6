"""One radar geometry for every radar: the Plotly chart, the brief's SVG and the live explorer.

Each radar used to place its own axes, so a change to one (order, direction, wrapping) could
silently disagree with the others. Here the axes' order, their angles (clockwise from the top,
as Plotly's `angularaxis` with direction "clockwise" and rotation 90), the fixed 0-100 scale,
the ring levels and the wrapped axis labels are computed once. Plain Python: no streamlit,
no plotly, so the brief and the browser component can use it too.
"""

from __future__ import annotations

import math
import textwrap
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TypeVar

from explorer.content import Content, Dimension

T = TypeVar("T")
SCALE_MIN = 0.0
SCALE_MAX = 100.0
RING_LEVELS = (25, 50, 75, 100)
LABEL_WIDTH = 14  # characters per axis-label line, as the Plotly radar has always wrapped
LEAN_ORDER = ("mentoring", "coaching")  # mentoring's lobe first, clockwise from the top


def wrap_label(label: str, width: int = LABEL_WIDTH) -> tuple[str, ...]:
    """Split a label into lines of about `width` characters, never inside a word, so a long
    word (or a hyphenated one) overflows its line rather than being cut in two."""
    return tuple(
        textwrap.wrap(label, width=width, break_long_words=False, break_on_hyphens=False)
    ) or (label,)


@dataclass(frozen=True)
class Axis:
    """One spoke of the radar. `content_index` is the dimension's place in the content, which
    is the order of every values list the domain produces (needs, profiles, data-needs)."""

    id: str
    label: str
    lines: tuple[str, ...]
    leans: str
    content_index: int
    angle_degrees: float  # clockwise from the top (12 o'clock)

    @property
    def angle_radians(self) -> float:
        return math.radians(self.angle_degrees)

    @property
    def text_anchor(self) -> str:
        """Where a label at the end of this spoke hangs: right of a spoke on the right,
        left of one on the left, centred on the vertical ones (SVG `text-anchor`)."""
        across = math.sin(self.angle_radians)
        if abs(across) < 0.1:
            return "middle"
        return "start" if across > 0 else "end"


@dataclass(frozen=True)
class RadarGeometry:
    """Axes in drawing order and the fixed scale. Values are always 0-100: the radar never
    rescales, so two radars (or one radar before and after a change) can be compared by eye."""

    axes: tuple[Axis, ...]
    scale: tuple[float, float] = (SCALE_MIN, SCALE_MAX)
    rings: tuple[int, ...] = RING_LEVELS

    @classmethod
    def from_content(cls, content: Content, label_width: int = LABEL_WIDTH) -> RadarGeometry:
        return cls.from_dimensions(content.dimensions, label_width)

    @classmethod
    def from_dimensions(
        cls, dimensions: Sequence[Dimension], label_width: int = LABEL_WIDTH
    ) -> RadarGeometry:
        """Mentoring-leaning axes first, then coaching-leaning ones, each group in content
        order, so the two approaches' profiles read as two lobes (right and left). Content
        that already groups them keeps its own order."""
        ordered = sorted(enumerate(dimensions), key=lambda item: LEAN_ORDER.index(item[1].leans))
        count = len(ordered)
        axes = tuple(
            Axis(
                id=dimension.id,
                label=dimension.label,
                lines=wrap_label(dimension.label, label_width),
                leans=dimension.leans,
                content_index=index,
                angle_degrees=360.0 * position / count,
            )
            for position, (index, dimension) in enumerate(ordered)
        )
        return cls(axes=axes)

    @property
    def ids(self) -> tuple[str, ...]:
        return tuple(axis.id for axis in self.axes)

    def values(self, profile: Mapping[str, float]) -> tuple[float, ...]:
        """A profile (dimension id -> 0-100) as values in axis order."""
        return tuple(profile[axis.id] for axis in self.axes)

    def closed(self, values: Sequence[T]) -> tuple[T, ...]:
        """Values in axis order with the first repeated at the end, so a line drawn through
        them closes the polygon (Plotly's Scatterpolar needs this; so does an SVG polyline)."""
        if len(values) != len(self.axes):
            raise ValueError(f"expected {len(self.axes)} values, one per axis; got {len(values)}")
        return (*values, values[0])

    def clamp(self, value: float) -> float:
        low, high = self.scale
        return min(high, max(low, value))

    def point(
        self, index: int, value: float, radius: float, cx: float, cy: float
    ) -> tuple[float, float]:
        """Screen position (y grows downward) of `value` on axis `index`, for a radar of
        `radius` centred on (cx, cy). Values outside the scale sit on its edge."""
        low, high = self.scale
        distance = radius * (self.clamp(value) - low) / (high - low)
        angle = self.axes[index].angle_radians
        return cx + distance * math.sin(angle), cy - distance * math.cos(angle)

    def polygon(
        self, values: Sequence[float], radius: float, cx: float, cy: float
    ) -> tuple[tuple[float, float], ...]:
        """The corner points of a profile (values in axis order)."""
        if len(values) != len(self.axes):
            raise ValueError(f"expected {len(self.axes)} values, one per axis; got {len(values)}")
        return tuple(self.point(i, v, radius, cx, cy) for i, v in enumerate(values))
