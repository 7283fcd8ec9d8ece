"""The numbers the rules use, each with where it comes from (SPEC.md §3–§7)."""

MDC_LIMIT = 2.66  # ptd_spc_standard.R: `limit <- 2.66`
MDC_NEAR = 2 * (MDC_LIMIT / 3)  # `limitclose <- 2*(limit/3)`, same operation order
MR_SCREEN = 3.267  # moving-range screening factor (Nelson 1982), also the MR chart UCL factor
D2 = 1.128  # qicharts2 sigma = amr / 1.128
MDC_SHIFT = 7
MDC_TREND = 7
MDC_MIN_BASELINE = 12  # the MDC options validator rejects fix_after_n_points < 12 (SPEC.md §7)
IHI_SHIFT = 6
IHI_TREND = 5
RUNS_MIN_USEFUL = 10  # runs verdict shown from 10 useful observations (SPEC.md §2.3, §9)
TRIAL_MAX_POINTS = 12  # groups of 12 or fewer points get trial limits (SPEC.md §7)
LARGE_DENOMINATOR = 1000  # suggest p′/u′ above this (SPEC.md §1.4, §8)
T_POWER = 3.6  # t chart transform y ** (1/3.6) (SPEC.md §4)
