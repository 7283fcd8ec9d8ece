"""Shared series and label codes for the spc tests."""

from tracker.spc import Label, xmr_chart

REL = 1e-9

CODES = {
    ".": Label.COMMON_CAUSE,
    "m": Label.MISSING,
    "U": Label.ABOVE_UCL,
    "L": Label.BELOW_LCL,
    "T+": Label.TREND_INCREASING,
    "T-": Label.TREND_DECREASING,
    "2+": Label.TWO_IN_THREE_ABOVE,
    "2-": Label.TWO_IN_THREE_BELOW,
    "S+": Label.SHIFT_ABOVE,
    "S-": Label.SHIFT_BELOW,
    "rT+": Label.RUN_TREND_INCREASING,
    "rT-": Label.RUN_TREND_DECREASING,
    "rS+": Label.RUN_SHIFT_ABOVE,
    "rS-": Label.RUN_SHIFT_BELOW,
    "A+": Label.ASTRONOMICAL_ABOVE,
    "A-": Label.ASTRONOMICAL_BELOW,
}
NAMES = {v: k for k, v in CODES.items()}


def codes(result):
    """Labels as short codes, e.g. ['.', 'U', 'S+']."""
    return [NAMES[lab] for lab in result.labels]


def expand(spec):
    """'.*3 U' -> ['.', '.', '.', 'U']."""
    out = []
    for tok in spec.split():
        code, _, count = tok.partition("*")
        out.extend([code] * int(count or 1))
    return out


# The deviations vignette's data (SPEC.md §3.1).
DEVIATIONS = [1, 2, 1, 2, 10, 1, 2, 1, 2, 1, 2, 1, 2, 1, 2, 1, 2, 1]

BASE = [9, 11] * 6  # mean 10, every MR 2: UPL 15.32, LPL 4.68, near 13.5467 / 6.4533


def mdc(tail, **kw):
    return xmr_chart(BASE + tail, baseline=12, **kw)
