"""The legend: one entry per kind of shape the chart actually shows."""

from .shapes import (
    CENTRE_COLOUR,
    COLOURS,
    CYCLE_COLOUR,
    LEGEND_NAMES,
    LIMIT_COLOUR,
    TARGET_COLOUR,
    Geometry,
)


def legend(g: Geometry) -> list[tuple[float, str, str, str]]:
    """Legend entries as (x, kind, colour, text), laid out left to right."""
    kinds = {mk.colour for mk in g.marks}
    items = [("dot", COLOURS[k], text) for k, text in LEGEND_NAMES.items() if COLOURS[k] in kinds]
    items.append(("line", CENTRE_COLOUR, g.centre_name))
    if g.limits:
        items.append(("dash", LIMIT_COLOUR, "Limits"))
    if g.target:
        items.append(("target", TARGET_COLOUR, "Target"))
    if g.cycles:
        items.append(("cycle", CYCLE_COLOUR, "PDSA cycle"))
    out = []
    x = 0.0
    for kind, colour, text in items:
        out.append((x, kind, colour, text))
        x += 34 + 7 * len(text)  # about 7 px per character at 12 px
    return out
