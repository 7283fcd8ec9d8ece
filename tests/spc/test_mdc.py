"""XmR charts with Making Data Count rules (SPEC.md §3.1, §5, §7)."""

import pytest

from tests.spc.helpers import BASE, DEVIATIONS, REL, codes, expand, mdc
from tracker.spc import Label, xmr_chart
from tracker.spc.mdc import mdc_trend, two_in_three


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
    assert mdc_trend([1, 2, 3, 3, 4, 5, 6]) == [0] * 7  # c(1:3, 3:6): a tie breaks it
    assert mdc_trend([1, 2, 3, 4, 5, 6]) == [0] * 6
    assert mdc_trend(list(range(1, 8))) == [1] * 7
    assert mdc_trend([2, 1, 2, 3, 4, 5, 6, 7, 3]) == [0] + [1] * 7 + [0]
    assert mdc_trend(list(range(7, 0, -1))) == [-1] * 7
    assert mdc_trend([2, 7, 6, 5, 4, 3, 2, 1, 3]) == [0] + [-1] * 7 + [0]


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
    assert two_in_three([bool(c) for c in close], rel) == [bool(e) for e in expected]


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
