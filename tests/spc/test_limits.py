"""Edge cases of the limits (SPEC.md §8) and the qicharts2 I and MR charts (§3.2, §3.3)."""

import pytest

from tests.spc.helpers import BASE, DEVIATIONS, REL, codes
from tracker.spc import (
    Label,
    LimitStatus,
    PointType,
    RuleSet,
    c_chart,
    g_chart,
    mr_chart,
    p_chart,
    suggest_rebase,
    u_chart,
    xmr_chart,
)


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


@pytest.mark.parametrize(
    ("chart", "data", "status"),
    [
        (c_chart, ([None, None],), LimitStatus.INSUFFICIENT_DATA),
        (g_chart, ([None],), LimitStatus.INSUFFICIENT_DATA),
        (p_chart, ([None, 1], [10, None]), LimitStatus.INSUFFICIENT_DATA),
        (mr_chart, ([4, None, 5],), LimitStatus.INSUFFICIENT_DATA),  # no two adjacent points
        (mr_chart, ([4, 4, 4, 4],), LimitStatus.INSUFFICIENT_VARIATION),  # every MR is 0
    ],
)
def test_no_limits_without_data_or_variation(chart, data, status):
    r = chart(*data)
    assert r.phases[0].limits_status is status
    assert set(r.upper) == {None} and not any(r.special_cause)


@pytest.mark.parametrize(
    ("call", "match"),
    [
        (lambda: p_chart([1], [10], multiplier=0), "multiplier must be positive"),
        (lambda: u_chart([1], [10], multiplier=-100), "multiplier must be positive"),
        (lambda: xmr_chart([1, 2], rules="western-electric"), "rules must be one of mdc, anhoej"),
    ],
)
def test_invalid_settings(call, match):
    with pytest.raises(ValueError, match=match):
        call()
