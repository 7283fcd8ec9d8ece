"""Point types, variation and assurance icons (SPEC.md §5.6, §6)."""

import pytest

from tests.spc.helpers import BASE, mdc
from tracker.spc import (
    AssuranceIcon,
    Direction,
    PointType,
    VariationIcon,
    assurance_icon,
    variation_icon,
    xmr_chart,
)


@pytest.mark.parametrize(
    ("lpl", "upl", "direction", "expected"),
    [
        # test-ptd_calculate_assurance_type.R, target 4.
        (1, 3, "increase", AssuranceIcon.CONSISTENT_FAIL),
        (5, 7, "increase", AssuranceIcon.CONSISTENT_PASS),
        (1, 5, "increase", AssuranceIcon.INCONSISTENT),
        (1, 3, "decrease", AssuranceIcon.CONSISTENT_PASS),
        (5, 7, "decrease", AssuranceIcon.CONSISTENT_FAIL),
        (1, 5, "decrease", AssuranceIcon.INCONSISTENT),
        (1, 3, "neutral", None),
        (5, 7, "neutral", None),
        (1, 5, "neutral", None),
        (4, 7, "increase", AssuranceIcon.INCONSISTENT),  # target on a limit: hit and miss
        (1, 4, "decrease", AssuranceIcon.INCONSISTENT),
    ],
)
def test_assurance_icon_published(lpl, upl, direction, expected):
    assert assurance_icon(lpl, upl, 4, direction) == expected


@pytest.mark.parametrize(
    ("target", "direction", "expected"),
    [
        (20, "increase", AssuranceIcon.CONSISTENT_FAIL),  # UPL 15.32
        (20, "decrease", AssuranceIcon.CONSISTENT_PASS),
        (3, "increase", AssuranceIcon.CONSISTENT_PASS),  # LPL 4.68
        (10, "increase", AssuranceIcon.INCONSISTENT),
        (10, "neutral", None),
        (None, "increase", None),
    ],
)
def test_assurance_icon_from_chart(target, direction, expected):
    assert xmr_chart(BASE, target=target, direction=direction).assurance_icon == expected


def test_assurance_uses_last_phase_limits():
    r = xmr_chart(BASE + [20, 22] * 6, phase_starts=(12,), target=18)
    # Last phase: mean 21, amr 2 -> limits 15.68 .. 26.32 contain 18 -> inconsistent.
    assert r.assurance_icon is AssuranceIcon.INCONSISTENT
    assert xmr_chart(BASE, target=18).assurance_icon is AssuranceIcon.CONSISTENT_FAIL


@pytest.mark.parametrize(
    ("point_type", "direction", "icon"),
    [
        (PointType.COMMON_CAUSE, "increase", VariationIcon.COMMON_CAUSE),
        (PointType.COMMON_CAUSE, "decrease", VariationIcon.COMMON_CAUSE),
        (PointType.IMPROVEMENT, "increase", VariationIcon.IMPROVEMENT_HIGH),
        (PointType.IMPROVEMENT, "decrease", VariationIcon.IMPROVEMENT_LOW),
        (PointType.CONCERN, "increase", VariationIcon.CONCERN_LOW),
        (PointType.CONCERN, "decrease", VariationIcon.CONCERN_HIGH),
        (PointType.NEUTRAL_HIGH, "neutral", VariationIcon.NEUTRAL_HIGH),
        (PointType.NEUTRAL_LOW, "neutral", VariationIcon.NEUTRAL_LOW),
    ],
)
def test_variation_icon_table(point_type, direction, icon):
    assert variation_icon(point_type, direction) is icon


@pytest.mark.parametrize(
    ("tail", "direction", "point_type", "icon"),
    [
        ([16], "increase", PointType.IMPROVEMENT, VariationIcon.IMPROVEMENT_HIGH),
        ([16], "decrease", PointType.CONCERN, VariationIcon.CONCERN_HIGH),
        ([4], "increase", PointType.CONCERN, VariationIcon.CONCERN_LOW),
        ([4], "decrease", PointType.IMPROVEMENT, VariationIcon.IMPROVEMENT_LOW),
        ([16], "neutral", PointType.NEUTRAL_HIGH, VariationIcon.NEUTRAL_HIGH),
        ([4], "neutral", PointType.NEUTRAL_LOW, VariationIcon.NEUTRAL_LOW),
        ([9.5] * 7, "increase", PointType.CONCERN, VariationIcon.CONCERN_LOW),
        ([10], "increase", PointType.COMMON_CAUSE, VariationIcon.COMMON_CAUSE),
        # The latest non-missing point decides (trailing gap).
        ([16, None], "increase", PointType.IMPROVEMENT, VariationIcon.IMPROVEMENT_HIGH),
    ],
)
def test_point_type_and_variation_icon_from_chart(tail, direction, point_type, icon):
    r = mdc(tail, direction=direction)
    last = max(i for i, v in enumerate(r.values) if v is not None)
    assert r.point_types[last] is point_type
    assert r.variation_icon is icon
    assert r.phases[-1].last_point_type is point_type
    assert r.direction is Direction(direction)
