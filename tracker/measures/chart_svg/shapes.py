"""The shapes a chart is made of, and their colours.

Colours follow Making Data Count (improvement blue, concern orange, common cause grey, neutral
purple), darkened so each has at least 3:1 contrast against white; the details table and the
summary repeat every signal in words, so colour is never the only cue.
"""

from collections.abc import Hashable
from dataclasses import dataclass, field
from datetime import date

from ...spc import PointType

COLOURS = {
    PointType.IMPROVEMENT: "#1f77b4",  # 4.8:1 on white
    PointType.CONCERN: "#c55a00",  # 4.3:1
    PointType.COMMON_CAUSE: "#6b6b6b",  # 5.3:1
    PointType.NEUTRAL_HIGH: "#5b2a86",  # 9.9:1
    PointType.NEUTRAL_LOW: "#5b2a86",
}
LEGEND_NAMES = {
    PointType.IMPROVEMENT: "Improvement",
    PointType.CONCERN: "Concern",
    PointType.NEUTRAL_HIGH: "Neutral",
    PointType.COMMON_CAUSE: "Common cause",
}
CENTRE_COLOUR = "#231f20"
LIMIT_COLOUR = "#6b6b6b"
TARGET_COLOUR = "#b3261e"
CYCLE_COLOUR = "#0b6e4f"
NOTE_COLOUR = "#7a4a00"  # 7.6:1 on white
BAND_COLOUR = "#d8efe5"  # a cycle's test period, behind the data


@dataclass(frozen=True)
class Mark:
    x: float
    y: float
    colour: str
    radius: float
    title: str
    href: str = ""
    special: bool = False
    hollow: bool = False  # an excluded point: drawn as a ring (its title says why)


@dataclass(frozen=True)
class Annotation:
    """A PDSA cycle on the chart: a numbered flag at the period its test started."""

    x: float
    y: float  # flags of cycles starting in the same period stack downwards
    number: int
    title: str
    href: str


@dataclass(frozen=True)
class NoteMark:
    """A free-text annotation on the chart: a lettered diamond at its date, on the x-axis."""

    x: float
    y: float
    letter: str
    title: str


@dataclass(frozen=True)
class Band:
    """A shaded span behind the data: a cycle's test period (its Do dates)."""

    x: float
    width: float
    title: str


@dataclass(frozen=True)
class ChartNoteItem:
    """What the chart needs of an annotation."""

    on_date: date
    text: str


@dataclass(frozen=True)
class ChartCycle:
    """What the chart needs of a cycle linked to the measure."""

    id: int
    title: str
    started_on: date
    href: str = ""


@dataclass
class Geometry:
    width: int
    height: int
    left: float
    top: float
    right: float
    bottom: float
    title: str
    description: str
    y_ticks: list[tuple[float, str]] = field(default_factory=list)
    x_ticks: list[tuple[float, str]] = field(default_factory=list)
    lines: list[str] = field(default_factory=list)  # path data of the data line
    centre: str = ""
    limits: str = ""
    target: tuple[float, str] | None = None
    marks: list[Mark] = field(default_factory=list)
    phases: list[tuple[float, str]] = field(default_factory=list)  # (x, title)
    cycles: list[Annotation] = field(default_factory=list)
    notes: list[NoteMark] = field(default_factory=list)
    bands: list[Band] = field(default_factory=list)
    # (x, y, kind, colour, text) from the legend's origin, `legend_y` below the plot
    legend: list[tuple[float, float, str, str, str]] = field(default_factory=list)
    centre_name: str = "Mean"
    compact: bool = False
    narrow: bool = False
    font_size: int = 12
    message: str = ""
    # What it was drawn from, when kept between requests (`drawing.layout`).
    key: Hashable | None = field(default=None, compare=False, repr=False)

    @property
    def flag_radius(self) -> int:
        """The radius of a PDSA cycle's numbered flag (bigger on a phone, to read and tap)."""
        return 10 if self.narrow else 8

    @property
    def legend_y(self) -> float:
        """Where the legend's first row sits: below the x-axis labels."""
        return self.bottom + (44 if self.narrow else 58)

    @property
    def labelled(self) -> bool:
        """Whether phase breaks carry their words on the chart (the wide layout only: on a
        phone or a small multiple they would overlap; the phases list names them)."""
        return not (self.compact or self.narrow)

    @property
    def interactive(self) -> bool:
        """Whether the chart holds links (points to table rows, cycles to their pages)."""
        return any(m.href for m in self.marks) or any(c.href for c in self.cycles)
