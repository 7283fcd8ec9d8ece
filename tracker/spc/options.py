"""How a chart is computed: one frozen `Options` shared by every chart function."""

from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, fields

from .vocab import Direction, RuleSet

Baseline = int | Sequence[int | None] | None  # one length for all phases, or one per phase

# The phase settings every chart takes (SPEC.md §7).
PHASING = frozenset({"phase_starts", "baseline", "exclude"})


@dataclass(frozen=True, kw_only=True)
class Options:
    """Settings for a chart; each chart reads the ones it uses and ignores the rest.

    Indices are 0-based. `phase_starts`: where a new phase begins (MDC rebase, qicharts2
    `part`). `baseline`: periods at the start of each phase used for the centre and limits
    (MDC `fix_after_n_points`, qicharts2 `freeze`), an int for every phase or one value (or
    None) per phase. `exclude`: points left out of the centre, moving ranges and runs but still
    plotted and tested. `target` is on the plotted scale (after `multiplier`). `rules` and
    `screen_outliers` left as None take the chart's default.
    """

    rules: RuleSet | str | None = None
    phase_starts: Collection[int] = ()
    baseline: Baseline = None
    exclude: Collection[int] = ()
    direction: Direction | str = Direction.INCREASE
    target: float | None = None
    multiplier: float = 1
    screen_outliers: bool | None = None
    astronomical: Collection[int] = ()  # IHI rule 4: points a person judged astronomical

    def __post_init__(self) -> None:
        object.__setattr__(self, "direction", direction_of(self.direction))


def resolve(
    name: str, uses: frozenset[str], options: Options | None, settings: Mapping[str, object]
) -> Options:
    """`options` updated by keyword `settings`, with the fields the chart does not use cleared."""
    unknown = sorted(set(settings) - uses)
    if unknown:
        raise TypeError(f"{name}() got an unexpected keyword argument {unknown[0]!r}")
    base = options or Options()
    kept = {f.name: getattr(base, f.name) for f in fields(Options) if f.name in uses}
    return Options(**{**kept, **settings})  # type: ignore[arg-type]


def direction_of(direction: Direction | str) -> Direction:
    """The Direction named, or a ValueError saying which names exist."""
    try:
        return Direction(direction)
    except ValueError:
        raise ValueError(
            f"direction must be 'increase', 'decrease' or 'neutral', got {direction!r}"
        ) from None


def rule_set(rules: RuleSet | str | None, allowed: tuple[RuleSet, ...]) -> RuleSet:
    """The rule set asked for (the first allowed when None), or a ValueError."""
    if rules is None:
        return allowed[0]
    try:
        chosen = RuleSet(rules)
    except ValueError:
        chosen = None
    if chosen not in allowed:
        raise ValueError(f"rules must be one of {', '.join(allowed)}, got {rules!r}")
    return chosen
