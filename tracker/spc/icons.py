"""MDC point types and the variation and assurance icons (SPEC.md §5.6, §6)."""

from .options import direction_of
from .vocab import AssuranceIcon, Direction, Label, PointType, VariationIcon

# Which side of the centre each signal label points to.
_LABEL_SIGN = {
    Label.ABOVE_UCL: 1, Label.BELOW_LCL: -1,
    Label.TREND_INCREASING: 1, Label.TREND_DECREASING: -1,
    Label.TWO_IN_THREE_ABOVE: 1, Label.TWO_IN_THREE_BELOW: -1,
    Label.SHIFT_ABOVE: 1, Label.SHIFT_BELOW: -1,
    Label.ASTRONOMICAL_ABOVE: 1, Label.ASTRONOMICAL_BELOW: -1,
    Label.RUN_TREND_INCREASING: 1, Label.RUN_TREND_DECREASING: -1,
    Label.RUN_SHIFT_ABOVE: 1, Label.RUN_SHIFT_BELOW: -1,
}  # fmt: skip
_NEUTRAL = {1: PointType.NEUTRAL_HIGH, -1: PointType.NEUTRAL_LOW}
_ORIENTED = {1: PointType.IMPROVEMENT, -1: PointType.CONCERN}
_VARIATION = {  # point type -> icon when higher is better, when lower is better (§6.1)
    PointType.IMPROVEMENT: (VariationIcon.IMPROVEMENT_HIGH, VariationIcon.IMPROVEMENT_LOW),
    PointType.CONCERN: (VariationIcon.CONCERN_LOW, VariationIcon.CONCERN_HIGH),
    PointType.NEUTRAL_HIGH: (VariationIcon.NEUTRAL_HIGH, VariationIcon.NEUTRAL_HIGH),
    PointType.NEUTRAL_LOW: (VariationIcon.NEUTRAL_LOW, VariationIcon.NEUTRAL_LOW),
}


def point_type(label: Label, direction: Direction) -> PointType | None:
    """ptd_point_type: orient the label's side by the improvement direction (SPEC.md §5.6)."""
    if label is Label.MISSING:
        return None
    v = _LABEL_SIGN.get(label, 0)
    if direction is Direction.NEUTRAL:
        return _NEUTRAL.get(v, PointType.COMMON_CAUSE)
    v *= 1 if direction is Direction.INCREASE else -1
    return _ORIENTED.get(v, PointType.COMMON_CAUSE)


def variation_icon(point_type: PointType | None, direction: Direction | str) -> VariationIcon:
    """MDC variation icon for the latest point's type (SPEC.md §6.1)."""
    low = direction_of(direction) is Direction.DECREASE
    if point_type is None or point_type not in _VARIATION:
        return VariationIcon.COMMON_CAUSE
    return _VARIATION[point_type][low]


def assurance_icon(
    lower: float | None, upper: float | None, target: float | None, direction: Direction | str
) -> AssuranceIcon | None:
    """MDC assurance icon from the latest limits (SPEC.md §6.2); None if not applicable."""
    direction = direction_of(direction)
    if target is None or lower is None or upper is None or direction is Direction.NEUTRAL:
        return None
    increase = direction is Direction.INCREASE
    if target > upper:
        return AssuranceIcon.CONSISTENT_FAIL if increase else AssuranceIcon.CONSISTENT_PASS
    if target < lower:
        return AssuranceIcon.CONSISTENT_PASS if increase else AssuranceIcon.CONSISTENT_FAIL
    return AssuranceIcon.INCONSISTENT  # includes target exactly on a limit
