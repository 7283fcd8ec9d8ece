"""The public API: rebase suggestions, argument checks, options, result shape."""

import pytest

from tests.spc.helpers import BASE, REL, codes
from tracker import models
from tracker.spc import (
    ChartType,
    Direction,
    Options,
    RuleSet,
    c_chart,
    g_chart,
    mr_chart,
    p_chart,
    pp_chart,
    run_chart,
    suggest_rebase,
    t_chart,
    u_chart,
    up_chart,
    xmr_chart,
)


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


# --------------------------------------------------------------------------- Options

SERIES = [3, 5, 4, 6, 5, 7, 6, 8, 9, 8, 10, 9, None, 11, 12, 11]
COUNTS = [2, 3, 1, 0, 4, 12, 2, 3, 1, 2, 3, 2]
DENOMS = [10, 12, 9, 11, 10, 30, 10, 12, 9, 11, 10, 12]


@pytest.mark.parametrize(
    ("chart", "data", "settings"),
    [
        (run_chart, (SERIES,), {"rules": "anhoej", "phase_starts": (8,), "exclude": (2,)}),
        (run_chart, (SERIES,), {"astronomical": (5,), "direction": "decrease"}),
        (xmr_chart, (SERIES,), {"rules": "mdc", "baseline": 12, "target": 9.5}),
        (xmr_chart, (SERIES,), {"rules": "anhoej", "screen_outliers": False, "baseline": 6}),
        (mr_chart, (SERIES,), {"phase_starts": (8,), "exclude": (3,)}),
        (t_chart, (COUNTS,), {"screen_outliers": False, "target": 4}),
        (c_chart, (COUNTS,), {"baseline": 6, "direction": "decrease", "target": 1}),
        (g_chart, (COUNTS,), {"exclude": (5,)}),
        (p_chart, (COUNTS, DENOMS), {"multiplier": 100, "target": 20}),
        (u_chart, (COUNTS, DENOMS), {"phase_starts": (6,)}),
        (pp_chart, (COUNTS, DENOMS), {"screen_outliers": False}),
        (up_chart, (COUNTS, DENOMS), {"multiplier": 1000, "direction": "neutral"}),
    ],
)
def test_options_object_and_keywords_agree(chart, data, settings):
    by_keywords = chart(*data, **settings)
    assert chart(*data, Options(**settings)) == by_keywords
    # Keywords given next to an Options object override it.
    assert chart(*data, Options(**{**settings, "exclude": (0, 1)}),
                 exclude=settings.get("exclude", ())) == by_keywords  # fmt: skip


def test_a_chart_ignores_options_it_does_not_use():
    # One Options for every chart (as a measure page builds): the run chart has no target,
    # the c chart no rule set and no multiplier, the MR chart no direction.
    options = Options(rules="anhoej", target=20, multiplier=100, direction="decrease")
    assert run_chart(SERIES, options).target is None
    assert run_chart(SERIES, options).rules is RuleSet.ANHOEJ
    assert c_chart(COUNTS, options) == c_chart(COUNTS, direction="decrease", target=20)
    assert mr_chart(SERIES, options).direction is Direction.NEUTRAL
    assert xmr_chart(SERIES, options).values == xmr_chart(SERIES).values  # no multiplier
    # A rule set the chart uses is still checked.
    with pytest.raises(ValueError, match="rules must be one of ihi, anhoej"):
        run_chart(SERIES, Options(rules="mdc"))


@pytest.mark.parametrize(
    ("chart", "data", "keyword"),
    [
        (run_chart, (SERIES,), "target"),
        (mr_chart, (SERIES,), "direction"),
        (c_chart, (COUNTS,), "multiplier"),
        (p_chart, (COUNTS, DENOMS), "screen_outliers"),
        (xmr_chart, (SERIES,), "astronomical"),
        (xmr_chart, (SERIES,), "colour"),
    ],
)
def test_a_keyword_the_chart_does_not_take_is_a_type_error(chart, data, keyword):
    with pytest.raises(TypeError, match=f"{chart.__name__}.*'{keyword}'"):
        chart(*data, **{keyword: 1})


def test_options_are_frozen_and_check_the_direction():
    options = Options(direction="decrease")
    assert options.direction is Direction.DECREASE
    with pytest.raises(AttributeError):
        options.target = 3  # type: ignore[misc]
    with pytest.raises(ValueError, match="direction must be"):
        Options(direction="up")


def test_rate_chart_functions_are_named_and_documented():
    for chart in (p_chart, u_chart, pp_chart, up_chart):
        assert chart.__name__.endswith("_chart") and "SPEC.md §4" in chart.__doc__


def test_direction_is_defined_once_with_a_label():
    assert models.Direction is Direction
    assert [d.label for d in Direction] == ["Increase", "Decrease", "Neutral"]
    assert [d.value for d in Direction] == ["increase", "decrease", "neutral"]  # stored values
