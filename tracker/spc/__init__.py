"""Run charts and statistical process control (SPC) charts, standard library only.

Follows `SPEC.md` beside this file: run charts with IHI or Anhøj rules, XmR charts with NHS
England "Making Data Count" (MDC, NHSRplotthedots v0.2.2) rules or qicharts2 rules, and the
qicharts2 MR, p, u, c, p′ (pp), u′ (up), g and t charts.

Every chart function takes its data, then optionally an `Options` and/or the same settings as
keywords, and returns a frozen `SpcResult`::

    spc.xmr_chart(values, rules="anhoej", baseline=12)
    spc.xmr_chart(values, spc.Options(rules="anhoej", baseline=12))

Indices are 0-based (SPEC.md numbers points from 1). `None` in a series is a missing period: it
adds nothing to a centre line, no moving range spans it, and every sequence rule skips it, so the
points either side become adjacent (SPEC.md §1.2). Invalid input (negative counts, x > 0 with
n = 0, x > n for p charts, NaN or infinity, bad indices) raises ValueError.

Choices SPEC.md leaves open, made here: missing points are labelled `Label.MISSING` with point
type None; the variation icon uses the latest non-missing point; trial limits count non-missing
points of a phase; limits are None (not flagged) when the final average moving range is 0; the
IHI runs rule beyond N = 60 uses the same exact Swed–Eisenhart computation as the table; the MR
chart's improvement direction is always neutral. `suggest_rebase` only suggests: rebasing is a
human decision.
"""

from .attributes import c_chart, g_chart, p_chart, pp_chart, u_chart, up_chart
from .icons import assurance_icon, variation_icon
from .options import Baseline, Options
from .results import PhaseResult, RunsAnalysis, SpcResult, suggest_rebase
from .runs import IHI_RUNS_TABLE, anhoej_limits, ihi_runs_limits, swed_eisenhart_limits
from .variables import mr_chart, run_chart, t_chart, xmr_chart
from .vocab import (
    AssuranceIcon,
    ChartType,
    Direction,
    Label,
    LimitStatus,
    PointType,
    RuleSet,
    VariationIcon,
)

__all__ = [
    "IHI_RUNS_TABLE",
    "AssuranceIcon",
    "Baseline",
    "ChartType",
    "Direction",
    "Label",
    "LimitStatus",
    "Options",
    "PhaseResult",
    "PointType",
    "RuleSet",
    "RunsAnalysis",
    "SpcResult",
    "VariationIcon",
    "anhoej_limits",
    "assurance_icon",
    "c_chart",
    "g_chart",
    "ihi_runs_limits",
    "mr_chart",
    "p_chart",
    "pp_chart",
    "run_chart",
    "suggest_rebase",
    "swed_eisenhart_limits",
    "t_chart",
    "u_chart",
    "up_chart",
    "variation_icon",
    "xmr_chart",
]
