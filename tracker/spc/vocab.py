"""The closed vocabularies of the charts: directions, rule sets, chart types, labels, icons."""

from enum import StrEnum


class Direction(StrEnum):
    """Which way is better for a measure; also stored on `Measure.direction`."""

    INCREASE = "increase"
    DECREASE = "decrease"
    NEUTRAL = "neutral"

    @property
    def label(self) -> str:
        """A readable label, e.g. "Increase"."""
        return self.value.capitalize()


class RuleSet(StrEnum):
    IHI = "ihi"
    ANHOEJ = "anhoej"
    MDC = "mdc"


class ChartType(StrEnum):
    RUN = "run"
    XMR = "xmr"
    MR = "mr"
    P = "p"
    U = "u"
    C = "c"
    PP = "pp"
    UP = "up"
    G = "g"
    T = "t"


class Label(StrEnum):
    COMMON_CAUSE = "Common Cause"
    MISSING = "Missing"
    ABOVE_UCL = "Above UCL"
    BELOW_LCL = "Below LCL"
    # MDC labels exactly as NHSRplotthedots prints them (SPEC.md §5).
    TREND_INCREASING = "7 Point Trend (Increasing)"
    TREND_DECREASING = "7 Point Trend (Decreasing)"
    TWO_IN_THREE_ABOVE = "2 in 3 Above CL"
    TWO_IN_THREE_BELOW = "2 in 3 Below CL"
    SHIFT_ABOVE = "7 Points Above CL"
    SHIFT_BELOW = "7 Points Below CL"
    # IHI run chart labels (SPEC.md §2.4).
    ASTRONOMICAL_ABOVE = "Astronomical Point Above Median"
    ASTRONOMICAL_BELOW = "Astronomical Point Below Median"
    ASTRONOMICAL = "Astronomical Point"
    RUN_TREND_INCREASING = "Trend (Increasing)"
    RUN_TREND_DECREASING = "Trend (Decreasing)"
    RUN_SHIFT_ABOVE = "Shift Above Median"
    RUN_SHIFT_BELOW = "Shift Below Median"


class PointType(StrEnum):
    COMMON_CAUSE = "common_cause"
    IMPROVEMENT = "special_cause_improvement"
    CONCERN = "special_cause_concern"
    NEUTRAL_HIGH = "special_cause_neutral_high"
    NEUTRAL_LOW = "special_cause_neutral_low"


class VariationIcon(StrEnum):
    COMMON_CAUSE = "common_cause"
    IMPROVEMENT_HIGH = "improvement_high"
    IMPROVEMENT_LOW = "improvement_low"
    CONCERN_HIGH = "concern_high"
    CONCERN_LOW = "concern_low"
    NEUTRAL_HIGH = "neutral_high"
    NEUTRAL_LOW = "neutral_low"


class AssuranceIcon(StrEnum):
    CONSISTENT_PASS = "consistent_pass"
    CONSISTENT_FAIL = "consistent_fail"
    INCONSISTENT = "inconsistent"


class LimitStatus(StrEnum):
    OK = "ok"
    NOT_APPLICABLE = "not_applicable"  # run charts have no limits
    INSUFFICIENT_DATA = "insufficient_data"
    INSUFFICIENT_VARIATION = "insufficient_variation"
