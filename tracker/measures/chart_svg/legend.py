"""The legend: one entry per kind of shape the chart actually shows."""

from .shapes import (
    CENTRE_COLOUR,
    COLOURS,
    CYCLE_COLOUR,
    LEGEND_NAMES,
    LIMIT_COLOUR,
    NOTE_COLOUR,
    TARGET_COLOUR,
    Geometry,
)


def legend(g: Geometry) -> list[tuple[float, float, str, str, str]]:
    """Legend entries as (x, y, kind, colour, text), left to right, wrapping onto a second
    row (below the first) when the chart is too narrow for one."""
    kinds = {mk.colour for mk in g.marks}
    items = [("dot", COLOURS[k], text) for k, text in LEGEND_NAMES.items() if COLOURS[k] in kinds]
    items.append(("line", CENTRE_COLOUR, g.centre_name))
    if g.limits:
        items.append(("dash", LIMIT_COLOUR, "Limits"))
    if g.target:
        items.append(("target", TARGET_COLOUR, "Target"))
    if g.cycles:
        items.append(("cycle", CYCLE_COLOUR, "PDSA cycle"))
    if g.notes:
        items.append(("note", NOTE_COLOUR, "Note"))
    if any(mk.hollow for mk in g.marks):
        items.append(("ring", COLOURS[next(iter(LEGEND_NAMES))], "Excluded"))
    if g.bands:
        items.append(("band", "#0b6e4f", "Test period"))
    out = []
    x, y, room = 0.0, 0.0, g.right - g.left
    for kind, colour, text in items:
        width = 22 + 0.6 * g.font_size * len(text)  # a system font's characters average 0.6 em
        if x and x + width > room:
            x, y = 0.0, y + g.font_size + 8
        out.append((x, y, kind, colour, text))
        x += width + 12
    return out
