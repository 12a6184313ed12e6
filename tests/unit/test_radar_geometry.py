"""The one radar geometry: axis order, angles, closure, point mapping and label wrapping."""

from __future__ import annotations

import math

import pytest

from explorer import Content
from explorer.radar_geometry import LABEL_WIDTH, RING_LEVELS, RadarGeometry, wrap_label


@pytest.fixture(scope="module")
def geometry(content: Content) -> RadarGeometry:
    return RadarGeometry.from_content(content)


def test_one_axis_per_dimension_evenly_spaced_clockwise_from_the_top(content, geometry):
    count = len(content.dimensions)
    assert len(geometry.axes) == count == 10
    assert [a.angle_degrees for a in geometry.axes] == [360 * i / count for i in range(count)]
    assert geometry.axes[0].angle_degrees == 0
    assert geometry.axes[1].angle_radians == pytest.approx(2 * math.pi / count)


def test_mentoring_leaning_axes_come_first_so_the_profiles_read_as_two_lobes(content, geometry):
    leans = [axis.leans for axis in geometry.axes]
    first_coaching = leans.index("coaching")
    assert set(leans[:first_coaching]) == {"mentoring"}
    assert set(leans[first_coaching:]) == {"coaching"}
    # mentoring's lobe on the right half, coaching's on the left (y grows downward)
    for axis in geometry.axes:
        x, _ = geometry.point(geometry.axes.index(axis), 100, 1, 0, 0)
        assert x >= -1e-9 if axis.leans == "mentoring" else x < 1e-9


def test_shipped_content_is_already_grouped_so_axis_order_is_content_order(content, geometry):
    assert [a.content_index for a in geometry.axes] == list(range(len(content.dimensions)))
    assert geometry.ids == tuple(d.id for d in content.dimensions)


def test_interleaved_dimensions_are_grouped_keeping_content_order_within_each_lobe(content):
    coaching = [d for d in content.dimensions if d.leans == "coaching"]
    mentoring = [d for d in content.dimensions if d.leans == "mentoring"]
    interleaved = [d for pair in zip(coaching, mentoring, strict=False) for d in pair]
    interleaved += mentoring[len(coaching) :]
    geometry = RadarGeometry.from_dimensions(interleaved)
    assert [a.id for a in geometry.axes] == [d.id for d in mentoring + coaching]
    for axis in geometry.axes:
        assert interleaved[axis.content_index].id == axis.id


def test_points_sit_on_the_fixed_scale(geometry):
    cx, cy, radius = 200.0, 150.0, 100.0
    assert geometry.point(0, 0, radius, cx, cy) == pytest.approx((cx, cy))
    assert geometry.point(0, 100, radius, cx, cy) == pytest.approx((cx, cy - radius))
    assert geometry.point(0, 50, radius, cx, cy) == pytest.approx((cx, cy - radius / 2))
    # the axis at 90 degrees would point right; with 10 axes, axis 5 points straight down
    assert geometry.point(5, 100, radius, cx, cy) == pytest.approx((cx, cy + radius))
    x, y = geometry.point(1, 100, radius, cx, cy)
    assert (x - cx) == pytest.approx(radius * math.sin(math.radians(36)))
    assert (cy - y) == pytest.approx(radius * math.cos(math.radians(36)))


def test_values_outside_the_scale_sit_on_its_edge(geometry):
    assert geometry.point(2, 150, 80, 0, 0) == geometry.point(2, 100, 80, 0, 0)
    assert geometry.point(2, -5, 80, 0, 0) == pytest.approx((0, 0))
    assert geometry.scale == (0, 100)
    assert geometry.rings == RING_LEVELS == (25, 50, 75, 100)


def test_closed_repeats_the_first_value_and_checks_the_count(content, geometry):
    profile = {d.id: d.mentoring.value for d in content.dimensions}
    values = geometry.values(profile)
    closed = geometry.closed(values)
    assert len(closed) == len(values) + 1
    assert closed[0] == closed[-1] == profile[geometry.axes[0].id]
    with pytest.raises(ValueError, match="expected 10 values"):
        geometry.closed(values[:-1])
    with pytest.raises(ValueError, match="expected 10 values"):
        geometry.polygon(values[:3], 1, 0, 0)


def test_polygon_is_the_points_in_axis_order(geometry):
    values = [10 * i for i in range(len(geometry.axes))]
    corners = geometry.polygon(values, 50, 5, 5)
    assert corners == tuple(geometry.point(i, v, 50, 5, 5) for i, v in enumerate(values))


def test_labels_wrap_at_about_fourteen_characters_without_breaking_words(geometry):
    for axis in geometry.axes:
        assert " ".join(axis.lines) == axis.label
        assert all(len(line) <= LABEL_WIDTH or " " not in line for line in axis.lines)
    assert wrap_label("Emotional support & trust") == ("Emotional", "support &", "trust")
    assert wrap_label("Accountability-and-performance") == ("Accountability-and-performance",)
    assert wrap_label("Short") == ("Short",)


def test_label_anchors_hang_away_from_the_centre(geometry):
    anchors = {a.angle_degrees: a.text_anchor for a in geometry.axes}
    assert anchors[0] == anchors[180] == "middle"
    assert anchors[72] == "start"
    assert anchors[288] == "end"
