"""Tests for tracker.spc: published examples from the SPC spec plus designed series per rule.

Expected numbers are literals. Where they are not quoted from the spec they were computed
independently with plain-Python formulas (noted beside each), never with tracker.spc.
Indices in the API are 0-based; the spec's 1-based positions are converted in comments.
"""

import math

import pytest

from tracker.spc import (
    IHI_RUNS_TABLE,
    AssuranceIcon,
    ChartType,
    Direction,
    Label,
    LimitStatus,
    PointType,
    RuleSet,
    VariationIcon,
    _mdc_trend,
    _two_in_three,
    anhoej_limits,
    assurance_icon,
    c_chart,
    g_chart,
    ihi_runs_limits,
    mr_chart,
    p_chart,
    pp_chart,
    run_chart,
    suggest_rebase,
    swed_eisenhart_limits,
    t_chart,
    u_chart,
    up_chart,
    variation_icon,
    xmr_chart,
)

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


# --------------------------------------------------------------------------- critical values

# spc.md §2.3: Anhøj critical values from R, format N:Lmax:Cmin, N = 10..100.
ANHOEJ_TABLE = """
10:6:2 11:6:2 12:7:3 13:7:3 14:7:4 15:7:4 16:7:4 17:7:5 18:7:5 19:7:6 20:7:6 21:7:6
22:7:7 23:8:7 24:8:8 25:8:8 26:8:8 27:8:9 28:8:9 29:8:10 30:8:10 31:8:11 32:8:11 33:8:11
34:8:12 35:8:12 36:8:13 37:8:13 38:8:14 39:8:14 40:8:14 41:8:15 42:8:15 43:8:16 44:8:16 45:8:17
46:9:17 47:9:17 48:9:18 49:9:18 50:9:19 51:9:19 52:9:20 53:9:20 54:9:21 55:9:21 56:9:21 57:9:22
58:9:22 59:9:23 60:9:23 61:9:24 62:9:24 63:9:25 64:9:25 65:9:25 66:9:26 67:9:26 68:9:27 69:9:27
70:9:28 71:9:28 72:9:29 73:9:29 74:9:29 75:9:30 76:9:30 77:9:31 78:9:31 79:9:32 80:9:32 81:9:33
82:9:33 83:9:34 84:9:34 85:9:34 86:9:35 87:9:35 88:9:36 89:9:36 90:9:37 91:10:37 92:10:38 93:10:38
94:10:39 95:10:39 96:10:39 97:10:40 98:10:40 99:10:41 100:10:41
"""

# spc.md §2.4.3: IHI runs table, format N:L:U (too few if runs < L, too many if runs > U).
IHI_TABLE = """
10:3:9 11:4:9 12:4:10 13:4:11 14:4:12 15:5:12 16:5:13 17:6:13 18:6:14 19:6:15 20:7:15 21:7:16
22:8:16 23:8:17 24:8:18 25:9:18 26:9:19 27:10:19 28:10:20 29:10:21 30:11:21 31:11:22 32:12:22
33:12:23 34:12:24 35:13:24 36:13:25 37:14:25 38:14:26 39:14:26 40:15:27 41:15:28 42:16:28
43:16:29 44:17:29 45:17:30 46:17:31 47:18:31 48:18:32 49:19:32 50:19:33 51:20:33 52:20:34
53:20:35 54:21:35 55:21:36 56:22:36 57:22:37 58:23:37 59:23:38 60:24:38
"""


def parse_table(text):
    return [tuple(int(v) for v in item.split(":")) for item in text.split()]


@pytest.mark.parametrize(("n", "lmax", "cmin"), parse_table(ANHOEJ_TABLE))
def test_anhoej_critical_values_match_r_table(n, lmax, cmin):
    assert anhoej_limits(n) == (lmax, cmin)


def test_anhoej_table_is_complete():
    assert [row[0] for row in parse_table(ANHOEJ_TABLE)] == list(range(10, 101))


@pytest.mark.parametrize(
    ("n", "expected"),
    # Hand-computed: N=5: round(log2 5 + 3) = 5, P(Bin(4,1/2) <= 0) = 1/16 >= .05 -> 0.
    # N=9: round(6.17) = 6; P(Bin(8,1/2) <= 1) = 9/256 < .05, P(<= 2) = 37/256 -> 2.
    [(0, None), (1, (3, 0)), (2, (4, 0)), (5, (5, 0)), (9, (6, 2))],
)
def test_anhoej_small_n(n, expected):
    assert anhoej_limits(n) == expected


@pytest.mark.parametrize(("n", "lo", "hi"), parse_table(IHI_TABLE))
def test_ihi_runs_table(n, lo, hi):
    assert ihi_runs_limits(n) == (lo, hi)
    assert IHI_RUNS_TABLE[n] == (lo, hi)
    # The stored table is the exact Swed–Eisenhart computation (spc.md §2.4.3).
    assert swed_eisenhart_limits(n) == (lo, hi)


def test_ihi_runs_limits_outside_table():
    assert ihi_runs_limits(9) is None  # rule not applied below 10 useful observations
    # Beyond the table: same exact computation (independent script, alpha .025 per tail).
    assert ihi_runs_limits(61) == (24, 39)
    assert ihi_runs_limits(100) == (41, 61)


# --------------------------------------------------------------------------- run charts

IHI_EXAMPLE = [3, 4, 2, 6, 7, 5, 8, 6, 9, 7, 3, 2, 4, 5, 1]


def test_ihi_published_example():
    r = run_chart(IHI_EXAMPLE)
    assert r.chart is ChartType.RUN and r.rules is RuleSet.IHI
    assert set(r.centre) == {5}
    # Shift: points 4, 5, 7, 8, 9, 10 (1-based) -> 3, 4, 6, 7, 8, 9; point 6 on the median skipped.
    assert [i for i, s in enumerate(r.special_cause) if s] == [3, 4, 6, 7, 8, 9]
    assert codes(r)[3:10] == ["rS+", "rS+", ".", "rS+", "rS+", "rS+", "rS+"]
    runs = r.runs[0]
    assert (runs.n_useful, runs.runs, runs.crossings, runs.longest_run) == (13, 3, 2, 6)
    assert (runs.runs_min, runs.runs_max) == (4, 11)
    assert runs.runs < runs.runs_min  # 3 runs with N = 13: too few
    assert runs.signal and runs.verdict_shown
    assert r.upper == (None,) * 15 and r.phases[0].limits_status is LimitStatus.NOT_APPLICABLE


def test_ihi_example_with_anhoej_rules():
    r = run_chart(IHI_EXAMPLE, rules="anhoej")
    runs = r.runs[0]
    # N=13: Lmax 7, Cmin 3; 2 crossings < 3 -> signal; no per-point labels.
    assert (runs.longest_run_max, runs.crossings_min, runs.crossings) == (7, 3, 2)
    assert runs.signal
    assert not any(r.special_cause)


def crossrun_series():
    """Runs of 1,2,1,2,5,2,1,2,3,2,1,2 alternately above/below: C = 11, L = 5, N = 24."""
    out, above = [], True
    for length in (1, 2, 1, 2, 5, 2, 1, 2, 3, 2, 1, 2):
        out += [2 if above else 0] * length
        above = not above
    return out


def test_crossrun_c11_l5():
    r = run_chart(crossrun_series(), rules="anhoej")
    assert r.centre[0] == 1  # 12 zeros and 12 twos
    runs = r.runs[0]
    assert (runs.n_useful, runs.crossings, runs.longest_run) == (24, 11, 5)
    assert (runs.longest_run_max, runs.crossings_min) == (8, 8)
    assert not runs.signal


@pytest.mark.parametrize(
    ("values", "expected"),
    [
        # Trend: ties ignored, both 3s flagged; median 3 so no shift.
        ([1, 2, 3, 3, 4, 5], "rT+*6"),
        # Four collapsed points are not a trend.
        ([1, 2, 3, 4, 2, 2], ".*6"),
        # Decreasing trend with a repeat; 9 is not part of it (9 -> 1 is up).
        ([9, 1, 8, 7, 7, 6, 5, 4], ". . rT-*6"),
        # Peak shared by an up-trend and a down-trend takes the right-hand direction.
        ([1, 2, 3, 4, 5, 4, 3, 2, 1], "rT+*4 rT-*5"),
        # Shift of 6 across a gap (gap skipped); 6 below as well. Median (2+10)/2 = 6.
        ([10, 11, 10, None, 11, 10, 11, 1, 2, 1, 2, 1, 2], "rS+*3 m rS+*3 rS-*6"),
        # Shift of 5 is not a shift.
        ([10, 11, 10, 11, 10, 1, 2, 1, 2, 1, 6], ".*11"),
    ],
)
def test_ihi_rules_designed(values, expected):
    assert codes(run_chart(values)) == expand(expected)


def test_ihi_too_many_runs_and_verdict_threshold():
    r = run_chart([1, 3] * 7)  # median 2; 14 runs > U(14) = 12
    assert (r.runs[0].runs, r.runs[0].runs_max) == (14, 12)
    assert r.runs[0].signal and not any(r.special_cause)
    short = run_chart([1, 3] * 4 + [1])  # 9 useful observations
    assert not short.runs[0].verdict_shown
    assert short.runs[0].runs_min is None and not short.runs[0].signal
    assert any("insufficient data for runs analysis" in n for n in short.notes)
    assert run_chart([1, 3] * 5).runs[0].verdict_shown


def test_ihi_astronomical_is_user_flag():
    r = run_chart([5, 6, 5, 40, 6, 5, 1], astronomical=(3, 6))
    assert codes(r) == expand(". . . A+ . . A-")
    assert r.point_types[3] is PointType.IMPROVEMENT and r.point_types[6] is PointType.CONCERN
    with pytest.raises(ValueError, match="astronomical"):
        run_chart([1, 2, 3], rules="anhoej", astronomical=(1,))


def test_run_chart_freeze_applies_baseline_median_to_all_points():
    values = [4, 6, 5, 7, 3, 5, 6, 4, 5, 6] + [9, 8, 10, 9, 11, 8, 9, 10, 9, 12]
    r = run_chart(values, rules="anhoej", baseline=10)
    assert set(r.centre) == {5}  # median of the first 10 only
    assert r.phases[0].baseline_stop == 10 and r.phases[0].n_baseline == 10
    runs = r.runs[0]
    assert runs.n_useful == 17  # all 20 points tested; the three 5s are on the median
    assert runs.longest_run == 11 and runs.longest_run_max == 7 and runs.signal
    assert suggest_rebase(r) == 9  # value 6 at index 9 starts the long run above 5
    assert run_chart(values, rules="anhoej").centre[0] == 7.5  # no freeze: median of all 20


def test_run_chart_exclusions_and_missing_skipped():
    r = run_chart([1, 9, 2, None, 3, 8, 7], exclude=(1,))
    # Centre = median of 1, 2, 3, 8, 7 (9 excluded, None missing) = 3.
    assert r.centre[0] == 3
    assert r.runs[0].n_useful == 4  # 1, 2 below; 3 on the median; 8, 7 above
    assert r.excluded[1] and r.labels[3] is Label.MISSING
    assert any("1 missing period" in n for n in r.notes)


def test_run_chart_phases_restart():
    r = run_chart([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12], phase_starts=(6,))
    assert r.centre == (3.5,) * 6 + (9.5,) * 6
    assert len(r.runs) == 2 and r.phase_index == (0,) * 6 + (1,) * 6
    # Trend rule restarts in each phase: 6 increasing points in each phase.
    assert codes(r) == ["rT+"] * 12
    assert r.phases[1].start == 6 and r.phases[1].stop == 12


def test_all_identical_run_chart():
    r = run_chart([5] * 12)
    assert r.runs[0].n_useful == 0 and not r.runs[0].signal
    assert not any(r.special_cause)
    a = run_chart([5] * 12, rules="anhoej").runs[0]
    assert a.n_useful == 0 and not a.signal and a.longest_run_max is None


# --------------------------------------------------------------------------- XmR, MDC rules

DEVIATIONS = [1, 2, 1, 2, 10, 1, 2, 1, 2, 1, 2, 1, 2, 1, 2, 1, 2, 1]


@pytest.mark.parametrize(
    ("screen", "upl", "mean", "lpl"),
    [(True, 4.60, 1.94, -0.72), (False, 6.95, 1.94, -3.06)],  # deviations vignette (rounded)
)
def test_deviations_vignette(screen, upl, mean, lpl):
    r = xmr_chart(DEVIATIONS, screen_outliers=screen)
    assert round(r.upper[0], 2) == upl
    assert round(r.centre[0], 2) == mean
    assert round(r.lower[0], 2) == lpl  # not floored at 0
    assert r.labels[4] is Label.ABOVE_UCL


def test_mdc_default_is_unscreened_and_exact_limits():
    r = xmr_chart(DEVIATIONS)
    # mean 35/18; amr = 32/17 (17 MRs: fifteen 1s, 8 and 9); values from plain formulas.
    assert r.centre[0] == pytest.approx(1.9444444444444444, rel=REL)
    assert r.upper[0] == pytest.approx(6.951503267973856, rel=REL)
    assert r.lower[0] == pytest.approx(-3.062614379084967, rel=REL)
    assert r.upper_2sigma[0] == pytest.approx(5.282483660130719, rel=REL)  # mean + 2*(2.66/3)*amr
    assert r.lower_2sigma[0] == pytest.approx(-1.3935947712418304, rel=REL)


BASE = [9, 11] * 6  # mean 10, every MR 2: UPL 15.32, LPL 4.68, near 13.5467 / 6.4533


def mdc(tail, **kw):
    return xmr_chart(BASE + tail, baseline=12, **kw)


@pytest.mark.parametrize(
    ("tail", "expected_tail", "index_11"),
    [
        ([16, 4], "U L", "."),  # outside limits
        ([14], ".", "."),  # one point in the near band
        ([14, 10.5, 14], "2+ . 2+", "."),  # 2 of 3 close, all above the mean
        ([6, 9.5, 6], "2- . 2-", "."),
        ([14, 9, 14], ". . .", "."),  # opposite sides of the mean never qualify
        ([6, 10.5, 6], ". . .", "."),
        ([16, 14], "U .", "."),  # quirk: an outside point is not "close", so no 2-in-3
        ([14, 16], ". U", "."),
        ([14, 16, 14], "2+ U 2+", "."),
        ([10.5] * 6, "S+*6", "S+"),  # 6 + the baseline's last 11 = 7 above the mean
        ([10.5] * 5, ".*5", "."),  # only 6 above
        ([9.5] * 7, "S-*7", "."),
        ([10.5, 10.5, 10.5, 10, 10.5, 10.5, 10.5], ".*7", "."),  # a point on the mean breaks
        ([10.5, 10.5, 10.5, None, 10.5, 10.5, 10.5], "S+*3 m S+*3", "S+"),  # a gap is skipped
        ([9.5, 10, 10.5, 11, 11.5, 12, 12.5], "T+*7", "."),
        ([12.5, 12, 11.5, 11, 10.5, 10, 9.5], "T-*7", "."),
        ([9.5, 10, 10.5, 10.5, 11, 11.5, 12, 12.5], ".*8", "."),  # a tie breaks the trend
        ([9.5, 10, 10.5, None, 11, 11.5, 12, 12.5], "T+*3 m T+*4", "."),  # gap skipped
        # Peak shared by up- and down-trends takes the right-hand (decreasing) label; the
        # trend outranks the 9-point shift above the mean.
        ([9.5, 10, 10.5, 11, 11.5, 12, 12.5, 12, 11.5, 11, 10.5, 10, 9.5], "T+*6 T-*7", "."),
        # Outside limits outranks the trend it starts.
        ([4, 5, 6, 7, 8, 9, 10], "L T+*6", "."),
    ],
)
def test_mdc_rules_designed(tail, expected_tail, index_11):
    r = mdc(tail)
    assert r.centre[0] == 10 and r.upper[0] == pytest.approx(15.32, rel=REL)
    assert r.upper_2sigma[0] == pytest.approx(10 + 2 * (2.66 / 3) * 2, rel=REL)
    assert codes(r) == ["."] * 11 + [index_11] + expand(expected_tail)


def test_mdc_points_exactly_on_limits_and_near_lines():
    ref = xmr_chart(BASE)
    upl, nupl, lpl = ref.upper[0], ref.upper_2sigma[0], ref.lower[0]
    assert codes(mdc([upl])) == ["."] * 13  # on the UPL: not outside (strict)
    assert codes(mdc([lpl])) == ["."] * 13
    assert codes(mdc([nupl, nupl])) == ["."] * 14  # on the near line: not close
    # Exactly on the UPL is not outside but is beyond the near line, so it is "close"
    # (close_to_limits = !outside & y > nupl): two of them make a 2-in-3.
    assert codes(mdc([upl, upl]))[12:] == ["2+", "2+"]


def test_mdc_published_trend_unit_tests():
    # ptd_seven_point_trend tests, reduced to "part of a trend" directions.
    assert _mdc_trend([1, 2, 3, 3, 4, 5, 6]) == [0] * 7  # c(1:3, 3:6): a tie breaks it
    assert _mdc_trend([1, 2, 3, 4, 5, 6]) == [0] * 6
    assert _mdc_trend(list(range(1, 8))) == [1] * 7
    assert _mdc_trend([2, 1, 2, 3, 4, 5, 6, 7, 3]) == [0] + [1] * 7 + [0]
    assert _mdc_trend(list(range(7, 0, -1))) == [-1] * 7
    assert _mdc_trend([2, 7, 6, 5, 4, 3, 2, 1, 3]) == [0] + [-1] * 7 + [0]


def test_mdc_no_trend_for_published_tie_series_in_chart():
    r = xmr_chart([1, 2, 3, 3, 4, 5, 6])  # c(1:3, 3:6)
    assert Label.TREND_INCREASING not in r.labels


@pytest.mark.parametrize(
    ("close", "rel", "expected"),
    [
        # ptd_two_in_three / ptd_part_of_two_in_three published tests.
        ([1, 0, 1], [1, 1, 1], [1, 0, 1]),
        ([0, 1, 1], [1, 1, 1], [0, 1, 1]),
        ([1, 1, 0], [1, 1, 1], [1, 1, 0]),
        ([0, 0, 1, 0, 1, 0, 0], [1] * 7, [0, 0, 1, 0, 1, 0, 0]),
        ([0, 0, 1, 1, 0, 0, 0], [1] * 7, [0, 0, 1, 1, 0, 0, 0]),
        ([1, 0, 0, 1], [1] * 4, [0, 0, 0, 0]),
        ([1, 0, 0, 1, 1], [1] * 5, [0, 0, 0, 1, 1]),
        # Opposite sides of the mean (NEWS 0.2.2, issue #143).
        ([1, 0, 1], [1, -1, 1], [0, 0, 0]),
        ([0, 1, 1], [1, -1, 1], [0, 0, 0]),
        ([1, 1, 0], [1, -1, 1], [0, 0, 0]),
        ([0, 0, 1, 0, 1, 0, 0], [1, -1, 1, -1, 1, -1, 1], [0] * 7),
        ([0, 0, 1, 1, 0, 0, 0], [-1, 1, -1, 1, -1, 1, -1], [0] * 7),
    ],
)
def test_mdc_published_two_in_three_unit_tests(close, rel, expected):
    assert _two_in_three([bool(c) for c in close], rel) == [bool(e) for e in expected]


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


def test_mdc_baseline_freezes_limits_but_tests_all_points():
    r = mdc([20, 20])
    assert r.centre == (10,) * 14  # mean of the first 12 only
    assert r.phases[0].baseline_stop == 12 and r.phases[0].n_baseline == 12
    assert codes(r)[12:] == ["U", "U"]
    assert not r.phases[0].trial_limits  # 14 points


def test_mdc_baseline_must_be_at_least_12():
    with pytest.raises(ValueError, match="at least 12"):
        xmr_chart(BASE, baseline=11)
    xmr_chart(BASE, rules="anhoej", baseline=5)  # qicharts2 freeze has no such minimum


def test_mdc_phases_restart_everything():
    values = [1, 2, 1, 2, 1, 2] + [10, 12, 10, 12, 10, 12]
    r = xmr_chart(values, phase_starts=(6,))
    # Phase 1: mean 1.5, amr 1; phase 2: mean 11, amr 2 (the MR 2 -> 10 spans phases: unused).
    assert r.centre == (1.5,) * 6 + (11,) * 6
    assert r.upper == pytest.approx((1.5 + 2.66,) * 6 + (11 + 5.32,) * 6, rel=REL)
    assert r.lower == pytest.approx((1.5 - 2.66,) * 6 + (11 - 5.32,) * 6, rel=REL)
    assert not any(r.special_cause)
    assert [p.trial_limits for p in r.phases] == [True, True]
    assert len(r.runs) == 2
    # The same series in one group: 10..12 are far above the overall mean.
    assert any(xmr_chart(values).special_cause)


def test_mdc_rules_never_span_a_rebase():
    tail = [9.5, 10, 10.5, 11, 11.5, 12, 12.5]
    assert codes(mdc(tail))[12:] == ["T+"] * 7
    r = mdc(tail, phase_starts=(15,))
    assert codes(r) == ["."] * 19
    assert r.centre[15] == pytest.approx(11.75, rel=REL)  # phase 2: own mean


def test_mdc_gap_moving_range_never_bridges():
    r = xmr_chart([1, 3, None, 10, 12])
    # MRs: |3-1| = 2 and |12-10| = 2 only; mean of 1, 3, 10, 12 = 6.5.
    assert r.centre[0] == 6.5
    assert r.upper[0] == pytest.approx(6.5 + 2.66 * 2, rel=REL)
    assert r.values[2] is None and r.labels[2] is Label.MISSING and r.point_types[2] is None
    assert codes(r) == ["L", ".", "m", ".", "U"]
    assert any("missing" in n for n in r.notes)


def test_exclusion_is_bridged_by_moving_range_but_tested():
    r = xmr_chart([1, 2, 20, 5, 6], exclude=(2,))
    # Excluded points are removed first, so the MRs are |2-1|, |5-2|, |6-5| -> amr 5/3.
    assert r.centre[0] == 3.5
    assert r.upper[0] == pytest.approx(7.933333333333334, rel=REL)
    assert r.lower[0] == pytest.approx(-0.9333333333333336, rel=REL)
    assert r.labels[2] is Label.ABOVE_UCL and r.excluded == (False, False, True, False, False)
    gap = xmr_chart([1, 2, None, 5, 6])
    assert gap.upper[0] == pytest.approx(3.5 + 2.66, rel=REL)  # MRs 1 and 1 only


def test_exclusions_removed_from_runs_and_sequence_rules():
    # Seven points above the mean, one of which is excluded in the middle: still 6 + 1.
    r = mdc([10.5, 10.5, 10.5, 30, 10.5, 10.5, 10.5], exclude=(15,))
    assert codes(r)[11:] == ["S+", "S+", "S+", "S+", "U", "S+", "S+", "S+"]
    assert r.runs[0].n_useful == 18  # 19 points minus the excluded one


# --------------------------------------------------------------------------- edge cases (§8)


@pytest.mark.parametrize("rules", ["mdc", "anhoej"])
@pytest.mark.parametrize("screen", [True, False])
def test_all_identical_values_have_no_limits(rules, screen):
    r = xmr_chart([5] * 12, rules=rules, screen_outliers=screen)
    assert r.centre == (5,) * 12
    assert r.upper == (None,) * 12 and r.lower == (None,) * 12
    assert r.phases[0].limits_status is LimitStatus.INSUFFICIENT_VARIATION
    assert not any(r.special_cause)
    assert r.runs[0].n_useful == 0 and not r.runs[0].signal
    assert any("insufficient variation for limits" in n for n in r.notes)
    assert not r.phases[0].trial_limits  # no limits, so nothing to call "trial"


def test_eleven_fives_and_a_fifteen_screened():
    values = [5] * 11 + [15]
    r = xmr_chart(values, screen_outliers=True)
    # Screening drops the only non-zero MR: amr 0 -> no limits rather than flag everything.
    assert r.phases[0].limits_status is LimitStatus.INSUFFICIENT_VARIATION
    assert r.upper == (None,) * 12
    assert r.centre[0] == pytest.approx(5.833333333333333, rel=REL)
    assert Label.ABOVE_UCL not in r.labels and Label.BELOW_LCL not in r.labels
    assert codes(r) == ["S-"] * 11 + ["."]  # the shift rule needs no limits
    q = xmr_chart(values, rules="anhoej")
    assert q.upper == (None,) * 12 and not any(q.special_cause)
    assert q.runs[0].longest_run == 11 and q.runs[0].signal
    u = xmr_chart(values)  # unscreened MDC: amr 10/11
    assert u.upper[0] == pytest.approx(8.251515151515152, rel=REL)
    assert u.lower[0] == pytest.approx(3.4151515151515146, rel=REL)
    assert codes(u) == ["S-"] * 11 + ["U"]


@pytest.mark.parametrize(
    ("values", "centre", "n_points"),
    [([5], 5, 1), ([5, None, 6], 5.5, 2), ([None, None], None, 0)],
)
def test_fewer_than_two_consecutive_points_is_insufficient_data(values, centre, n_points):
    r = xmr_chart(values)
    assert r.centre[0] == centre
    assert set(r.upper) == {None}
    assert r.phases[0].limits_status is LimitStatus.INSUFFICIENT_DATA
    assert r.phases[0].n_points == n_points
    assert not any(r.special_cause)
    assert any("insufficient data" in n for n in r.notes)


def test_empty_series():
    r = xmr_chart([])
    assert r.phases == () and r.labels == () and r.variation_icon is None
    assert r.assurance_icon is None and suggest_rebase(r) is None
    assert any("No data" in n for n in r.notes)


def test_trial_limits_for_twelve_points_or_fewer():
    r12 = xmr_chart(BASE)
    assert r12.phases[0].trial_limits
    assert any("trial limits" in n for n in r12.notes)
    r13 = xmr_chart(BASE + [10])
    assert not r13.phases[0].trial_limits
    assert not any("trial limits" in n for n in r13.notes)


# --------------------------------------------------------------------------- qicharts2 I / MR


def test_i_chart_qicharts2_deviations_data():
    r = xmr_chart(DEVIATIONS, rules="anhoej")  # screened by default, sigma = amr / 1.128
    assert r.rules is RuleSet.ANHOEJ
    assert r.centre[0] == pytest.approx(1.9444444444444444, rel=REL)
    assert r.upper[0] == pytest.approx(4.604018912529551, rel=REL)
    assert r.lower[0] == pytest.approx(-0.7151300236406624, rel=REL)
    assert r.upper_2sigma[0] == pytest.approx(3.7174940898345152, rel=REL)
    assert r.lower_2sigma[0] == pytest.approx(0.17139479905437338, rel=REL)
    assert codes(r) == ["."] * 4 + ["U"] + ["."] * 13
    runs = r.runs[0]  # signs around 1.944: 2 and 10 above, 1 below -> 18 runs
    assert (runs.n_useful, runs.crossings, runs.longest_run) == (18, 16, 2)
    assert not runs.signal


def test_i_chart_freeze_and_exclude():
    values = [1, 2, 1, 2, 1, 2, 1, 2, 1, 2, 20, 2, 1, 5]
    r = xmr_chart(values, rules="anhoej", baseline=10, exclude=(11,))
    # Centre 1.5 and amr 1 from the first 10 points; sigma = 1/1.128.
    assert r.centre[0] == 1.5
    assert r.upper[0] == pytest.approx(1.5 + 3 / 1.128, rel=REL)
    assert codes(r) == ["."] * 10 + ["U", ".", ".", "U"]
    assert r.runs[0].n_useful == 13  # all points after the freeze except the excluded one


def test_anhoej_shift_suggests_rebase():
    values = [1, 2] * 6 + [8, 9] * 6
    r = xmr_chart(values, rules="anhoej")
    assert r.runs[0].longest_run == 12 and r.runs[0].signal
    assert suggest_rebase(r) == 12
    r2 = xmr_chart(values, rules="anhoej", phase_starts=(12,))
    assert suggest_rebase(r2) is None


def test_mr_chart():
    r = mr_chart([1, 3, 2, 6, 5, 5.5, 20])
    # MRs 2, 1, 4, 1, 0.5, 14.5 -> CL 23/6, UCL 3.267 * CL, LCL 0.
    assert r.values == (None, 2, 1, 4, 1, 0.5, 14.5)
    assert r.centre[1] == pytest.approx(3.8333333333333335, rel=REL)
    assert r.upper[1] == pytest.approx(12.5235, rel=REL)
    assert r.lower[1] == 0
    assert codes(r) == ["m", ".", ".", ".", ".", ".", "U"]
    assert r.point_types[6] is PointType.NEUTRAL_HIGH  # direction fixed to neutral
    assert not r.runs[0].signal
    assert not any("missing" in n for n in r.notes)  # the first MR is not a data gap


def test_mr_chart_gaps_and_phases():
    r = mr_chart([1, 3, None, 4, 6, 2, 5], phase_starts=(5,))
    assert r.values == (None, 2, None, None, 2, None, 3)
    assert r.centre == (2,) * 5 + (3,) * 2


# --------------------------------------------------------------------------- attribute charts

P_X, P_N = [5, 20, 3, 15], [10, 100, 30, 20]


def test_p_chart_weighted_centre_and_varying_limits():
    r = p_chart(P_X, P_N)
    # p-bar = 43/160 = 0.26875 (the mean of the proportions would be 0.3875).
    assert r.centre == pytest.approx((0.26875,) * 4, rel=REL)
    assert r.values == pytest.approx((0.5, 0.2, 0.1, 0.75), rel=REL)
    # sqrt(p(1-p)/n) per point; LCL floored at 0 (n = 10 and 20).
    assert r.upper == pytest.approx(
        (0.6893104519566717, 0.40174289219729, 0.511560690147695, 0.5661311474774418), rel=REL
    )
    assert r.lower == pytest.approx((0, 0.13575710780271, 0.025939309852304915, 0), rel=REL)
    assert r.upper_2sigma[1] == pytest.approx(0.35741192813152667, rel=REL)
    assert r.lower_2sigma[2] == pytest.approx(0.10687620656820326, rel=REL)
    assert codes(r) == [".", ".", ".", "U"]


def test_p_chart_multiplier():
    r = p_chart(P_X, P_N, multiplier=100, target=50)
    assert r.centre[0] == pytest.approx(26.875, rel=REL)
    assert r.values[3] == pytest.approx(75, rel=REL)
    assert r.upper[1] == pytest.approx(40.174289219729, rel=REL)
    assert r.phases[0].centre == pytest.approx(26.875, rel=REL)
    # Last row's limits (n = 20): 0 .. 56.6 -> target 50 inside -> inconsistent.
    assert r.assurance_icon is AssuranceIcon.INCONSISTENT


def test_p_chart_limits_capped_at_one():
    r = p_chart([9, 8, 9], [10, 10, 10])
    assert r.centre[0] == pytest.approx(0.8666666666666667, rel=REL)
    assert r.upper == (1.0,) * 3  # 1.189 capped
    assert r.lower[0] == pytest.approx(0.5441763567347248, rel=REL)
    assert r.upper_2sigma[0] == 1.0  # 1.0817 capped as well
    assert r.lower_2sigma[0] == pytest.approx(0.6516731267120387, rel=REL)


@pytest.mark.parametrize(
    ("x", "n", "pbar"), [([0, 0, 0], [10, 20, 30], 0), ([10, 20], [10, 20], 1)]
)
def test_p_chart_pbar_zero_or_one(x, n, pbar):
    r = p_chart(x, n)
    assert set(r.centre) == {pbar} and set(r.upper) == {pbar} and set(r.lower) == {pbar}
    assert not any(r.special_cause)
    assert any("limits equal the centre" in note for note in r.notes)


def test_p_chart_zero_denominator_is_missing():
    r = p_chart([0, 1, 2, 3], [0, 10, 10, None])
    assert r.values[0] is None and r.values[3] is None
    assert r.labels[0] is Label.MISSING and r.upper[0] is None and r.upper[3] is None
    assert r.centre[0] == pytest.approx(0.15, rel=REL)  # 3/20
    assert r.runs[0].n_useful == 2
    assert any("2 missing period" in n for n in r.notes)


@pytest.mark.parametrize(
    ("chart", "x", "n", "match"),
    [
        (p_chart, [1], [0], "zero denominator"),
        (u_chart, [2], [0], "zero denominator"),
        (p_chart, [11], [10], "exceeds denominator"),
        (p_chart, [-1], [10], "negative"),
        (u_chart, [1], [-10], "negative"),
        (p_chart, [1, 2], [10], "same length"),
        (p_chart, [math.nan], [10], "finite"),
        (p_chart, ["3"], [10], "number"),
        (pp_chart, [11], [10], "exceeds denominator"),
    ],
)
def test_rate_chart_invalid_input(chart, x, n, match):
    with pytest.raises(ValueError, match=match):
        chart(x, n)


def test_u_chart_allows_rate_above_one_and_floors_lcl():
    r = u_chart([3, 1, 0, 9, 2], [2, 1, 2, 3, 2])
    assert r.centre[0] == 1.5  # 15/10
    assert r.upper == pytest.approx(
        (4.098076211353316, 5.174234614174766, 4.098076211353316, 3.621320343559643,
         4.098076211353316), rel=REL)  # fmt: skip
    assert r.lower == (0.0,) * 5
    assert r.values[3] == 3.0 and not any(r.special_cause)


def test_large_denominators_suggest_laney():
    r = p_chart([50, 60], [2000, 2100])
    assert any("p′" in n for n in r.notes)
    assert not any("′" in n for n in pp_chart([50, 60], [2000, 2100]).notes)


PP_X = [50, 62, 48, 70, 55, 45, 58, 90]
PP_N = [1000, 1100, 950, 1200, 1000, 980, 1050, 1000]


def test_pp_chart_laney():
    r = pp_chart(PP_X, PP_N)
    # z_i = (p_i - pbar)/sigma_i, screened mean |diff z| / 1.128 = 1.3030418057767006.
    assert r.centre[0] == pytest.approx(0.057729468599033815, rel=REL)
    assert r.upper == pytest.approx(
        (0.08656089895671494, 0.08521915883952244, 0.08730989200566538, 0.08404884321910247,
         0.08656089895671494, 0.08685361133792525, 0.08586606358830537, 0.08656089895671494),
        rel=REL)  # fmt: skip
    assert r.lower[3] == pytest.approx(0.031410093978965166, rel=REL)
    assert codes(r) == ["."] * 7 + ["U"]
    plain = p_chart(PP_X, PP_N)
    assert plain.upper[0] == pytest.approx(0.07985571982893633, rel=REL)  # narrower


def test_up_chart_laney():
    r = up_chart(PP_X, PP_N, multiplier=1000)
    assert r.centre[0] == pytest.approx(57.729468599033815, rel=REL)
    assert r.upper[5] == pytest.approx(86.85361133792527, rel=REL)
    assert r.lower[5] == pytest.approx(28.605325860142368, rel=REL)


def test_pp_chart_without_variation():
    r = pp_chart([0, 0, 0], [1000, 1000, 1000])
    assert r.phases[0].limits_status is LimitStatus.INSUFFICIENT_VARIATION
    assert set(r.upper) == {None}


def test_c_chart_freeze_and_floor():
    r = c_chart([2, 3, 1, 0, 4, 12], baseline=5)
    assert r.centre == (2,) * 6
    assert r.upper[0] == pytest.approx(6.242640687119286, rel=REL)
    assert r.lower[0] == 0.0  # 2 - 3*sqrt(2) < 0 floored
    assert r.upper_2sigma[0] == pytest.approx(4.82842712474619, rel=REL)
    assert codes(r) == ["."] * 5 + ["U"]
    with pytest.raises(ValueError, match="negative"):
        c_chart([1, -1])


def test_g_chart():
    r = g_chart([3, 10, 0, 7, 25, 4, 1, 60], baseline=7)
    # Limits from the mean 50/7, centre line shown = median 4.
    assert r.centre[0] == 4
    assert r.upper[0] == pytest.approx(30.022310540067092, rel=REL)
    assert r.lower[0] == 0.0
    assert r.upper_2sigma[0] == pytest.approx(22.395826074330444, rel=REL)
    assert codes(r) == ["."] * 7 + ["U"]


def test_t_chart():
    r = t_chart([2.0, 5.0, 1.0, 8.0, 3.0, 4.0, 6.0, 2.5, 40.0])
    # I chart of y ** (1/3.6), screened; centre and limits back-transformed with ** 3.6.
    assert r.centre[0] == pytest.approx(5.041051029933993, rel=REL)
    assert r.upper[0] == pytest.approx(51.1988743066734, rel=REL)
    assert r.lower[0] == pytest.approx(0.0010962771180230838, rel=REL)
    assert r.upper_2sigma[0] == pytest.approx(27.536439077934205, rel=REL)
    assert not any(r.special_cause)


# --------------------------------------------------------------------------- API details


def test_suggest_rebase_mdc_shift():
    r = xmr_chart([11, 9] * 6 + [12] * 8, baseline=12)
    assert codes(r)[12:] == ["S+"] * 8
    assert suggest_rebase(r) == 12
    assert suggest_rebase(xmr_chart(BASE)) is None
    # A rebase at the shift's start removes the suggestion (rebasing is never automatic).
    rebased = xmr_chart([11, 9] * 6 + [12] * 8, phase_starts=(12,))
    assert suggest_rebase(rebased) is None


def test_suggest_rebase_run_chart():
    r = run_chart([5, 6, 4, 5, 6, 4, 5, 9, 9, 8, 9, 9, 8])
    # Median 6: the six points 9, 9, 8, 9, 9, 8 from index 7 are above it.
    assert r.centre[0] == 6
    assert suggest_rebase(r) == 7


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"rules": "ihi"}, "rules"),
        ({"direction": "up"}, "direction|Direction"),
        ({"exclude": (12,)}, "exclude"),
        ({"phase_starts": (-1,)}, "phase_starts"),
        ({"baseline": 0, "rules": "anhoej"}, "baseline"),
        ({"baseline": (12, 12)}, "one per phase"),
    ],
)
def test_xmr_invalid_arguments(kwargs, match):
    with pytest.raises(ValueError, match=match):
        xmr_chart(BASE, **kwargs)


def test_per_phase_baseline_sequence():
    r = xmr_chart(BASE + [20, 22, 21, 20], phase_starts=(12,), baseline=(12, None))
    assert r.phases[0].baseline_stop == 12 and r.phases[1].baseline_stop == 16
    assert r.centre[12] == pytest.approx(20.75, rel=REL)


def test_result_is_frozen_and_sized():
    r = xmr_chart(BASE)
    n = len(BASE)
    for col in (
        r.values,
        r.centre,
        r.upper,
        r.lower,
        r.upper_2sigma,
        r.lower_2sigma,
        r.labels,
        r.point_types,
        r.special_cause,
        r.excluded,
        r.phase_index,
    ):
        assert len(col) == n
    with pytest.raises(AttributeError):
        r.chart = ChartType.P  # type: ignore[misc]
