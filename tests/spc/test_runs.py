"""Run charts: Anhøj and IHI critical values, IHI rules, phases, gaps (SPEC.md §2)."""

import pytest

from tests.spc.helpers import codes, expand
from tracker.spc import (
    IHI_RUNS_TABLE,
    ChartType,
    Label,
    LimitStatus,
    PointType,
    RuleSet,
    anhoej_limits,
    ihi_runs_limits,
    run_chart,
    suggest_rebase,
    swed_eisenhart_limits,
)
from tracker.spc import runs as runs_module

# SPEC.md §2.3: Anhøj critical values from R, format N:Lmax:Cmin, N = 10..100.
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

# SPEC.md §2.4.3: IHI runs table, format N:L:U (too few if runs < L, too many if runs > U).
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
    # The stored table is the exact Swed–Eisenhart computation (SPEC.md §2.4.3).
    assert swed_eisenhart_limits(n) == (lo, hi)


def test_ihi_runs_limits_outside_table():
    assert ihi_runs_limits(9) is None  # rule not applied below 10 useful observations
    # Beyond the table: same exact computation (independent script, alpha .025 per tail).
    assert ihi_runs_limits(61) == (24, 39)
    assert ihi_runs_limits(100) == (41, 61)


def _limits_by_definition(n: int) -> tuple[int, int]:
    """The limits straight from their definition: each tail summed afresh for every r."""
    import math

    m, k = n // 2, n - n // 2
    count = {r: runs_module._runs_count(m, k, r) for r in range(2, n + 1)}
    total = math.comb(n, m)
    lower = max(r for r in range(2, n + 2) if 40 * sum(count.get(j, 0) for j in range(r)) <= total)
    upper = min(r for r in range(1, n + 1)
                if 40 * sum(count[j] for j in range(r + 1, n + 1)) <= total)
    return lower, upper


@pytest.mark.parametrize("n", [*range(10, 121), 199, 250, 333])
def test_running_sums_give_the_definitions_limits(n):
    assert swed_eisenhart_limits(n) == _limits_by_definition(n)


def test_a_long_series_gets_limits_that_keep_the_table_s_shape():
    # A weekly measure imported back to 1835: ten thousand points (seconds before the
    # running sums; now a moment). The limits sit either side of half the points.
    lower, upper = swed_eisenhart_limits(10_000)
    assert lower < 5_000 < upper and upper - lower < 250
    assert lower + upper == 10_000 + 2  # the distribution of runs is symmetric for even n


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
