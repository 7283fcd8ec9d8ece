"""Attribute charts: p, u, p′, u′, c, g and t (SPEC.md §1.3, §4)."""

import math

import pytest

from tests.spc.helpers import REL, codes
from tracker.spc import (
    AssuranceIcon,
    Label,
    LimitStatus,
    c_chart,
    g_chart,
    p_chart,
    pp_chart,
    t_chart,
    u_chart,
    up_chart,
)

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
