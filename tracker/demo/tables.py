"""The demo's data tables, read from the TOML files in `data/` into typed, read-only rows."""

import tomllib
from dataclasses import dataclass
from importlib.resources import files
from typing import Any, NamedTuple

from ..models import (
    DataKind,
    Decision,
    Direction,
    EventKind,
    MeasureKind,
    Profession,
    SiteRole,
)


def _load(name: str) -> dict[str, Any]:
    """One data file, found inside the package so it works from a checkout or an install."""
    return tomllib.loads(files(__package__).joinpath("data", f"{name}.toml").read_text("utf-8"))


@dataclass(frozen=True)
class Scale:
    """How big a data set to build: one generator serves the demo and the benchmark."""

    networks: tuple[str, ...]
    sites: int
    team_sizes: tuple[int, ...]  # staff per site, repeated over the sites
    cycles_per_site: int
    comments: int
    all_series: bool  # data for the process and balancing measures too, not only the bundle
    weeks: int  # weeks of data, ending with last complete week's
    local_measures: int  # each site's own measures, charted weekly beside the core ones
    revisions: bool  # keep each cycle's history (a snapshot per stage move)
    unread: int  # unread notifications for the well-known ward nurse


class SiteRow(NamedTuple):
    """A hospital and the story its data tells."""

    name: str
    organisation: str
    region: str
    network: int  # position in the scale's networks
    domain: str  # email domain, before .example.org
    ward: str
    baseline: float  # DrEaMing rate before any change
    patients: int  # eligible patients a week
    key_change: str | None = None  # Template.short of the change it adopts
    step_week: int | None = None  # the week that change shows in the data
    gap_week: int | None = None  # the first of three weeks with no data
    # How engaged the team is: how many cycles it runs (None: the scale's usual number), the
    # weeks since it last did anything (None: still going), how often it enters its data (every
    # N weeks, a batch at a time), and whether faculty answer its feedback requests.
    cycles: int | None = None
    stopped_weeks: int | None = None
    entry_every: int = 1
    feedback: bool = True


class Person(NamedTuple):
    name: str
    profession: Profession
    email: str


class Idea(NamedTuple):
    title: str
    description: str
    tags: tuple[str, ...]


class SecondaryDriver(NamedTuple):
    title: str
    ideas: tuple[Idea, ...]


class PrimaryDriver(NamedTuple):
    title: str
    description: str
    secondaries: tuple[SecondaryDriver, ...]


class MeasureRow(NamedTuple):
    key: str
    name: str
    kind: MeasureKind
    data_kind: DataKind
    unit: str
    direction: Direction
    target: float | None
    definition: str
    composite: str | None  # key of the bundle this measure is a component of
    balances: str | None  # key of the measure this one balances


class Template(NamedTuple):
    """A change idea as a site tests it: the text a ramp of cycles is written from."""

    idea: str
    short: str
    boost: str  # the bundle component the change lifts once adopted
    measures: tuple[str, ...]
    outcome: str
    prediction: int  # % of patients predicted on the first numeric test
    what: str
    q2: str
    p2: str
    happened: str
    problem: str
    learning: str
    adapt: str


class Rung(NamedTuple):
    """One size of test on the ladder a ramp climbs."""

    amount: int
    unit: str
    patients: int  # patients seen in the test
    days: int
    where: str  # {ward} is the site's ward


class CommentRow(NamedTuple):
    who: str  # faculty, peer or partner
    body: str  # {site}: the commenting peer's site
    reply: str  # from the author of what was commented on; "" for none


class FeedbackRow(NamedTuple):
    section: str
    criterion: str
    body: str


class EventRow(NamedTuple):
    kind: EventKind
    title: str
    days: int  # from today
    hours: int  # 0 for a deadline
    location: str
    details: str
    regional: bool  # for the first network rather than the national collaborative


def _scales(raw: dict[str, Any]) -> dict[str, Scale]:
    return {name: Scale(**{**s, "networks": tuple(s["networks"]),
                           "team_sizes": tuple(s["team_sizes"])})
            for name, s in raw.items()}


def _sites(raw: list[dict[str, Any]]) -> tuple[SiteRow, ...]:
    return tuple(SiteRow(**row) for row in raw)


def _person(row: dict[str, str]) -> Person:
    return Person(row["name"], Profession(row["profession"]), row["email"])


def _drivers(raw: list[dict[str, Any]]) -> tuple[PrimaryDriver, ...]:
    return tuple(PrimaryDriver(primary["title"], primary["description"], tuple(
        SecondaryDriver(secondary["title"], tuple(
            Idea(idea["title"], idea["description"], tuple(idea["tags"]))
            for idea in secondary["idea"]))
        for secondary in primary["secondary"])) for primary in raw)


def _measures(raw: list[dict[str, Any]]) -> tuple[MeasureRow, ...]:
    return tuple(MeasureRow(
        row["key"], row["name"], MeasureKind(row["kind"]), DataKind(row["data_kind"]),
        row["unit"], Direction(row["direction"]), row.get("target"), row["definition"],
        row.get("composite"), row.get("balances")) for row in raw)


def _templates(raw: list[dict[str, Any]]) -> tuple[Template, ...]:
    return tuple(Template(**{**row, "measures": tuple(row["measures"])}) for row in raw)


# What a comment is on: a cycle's decision, None for a cycle still in Study, or "idea".
_COMMENT_TARGETS: dict[str, Decision | str | None] = {
    "adopt": Decision.ADOPT, "adapt": Decision.ADAPT, "abandon": Decision.ABANDON,
    "study": None, "idea": "idea"}


def _comments(raw: dict[str, list[dict[str, str]]]) -> dict[Decision | str | None,
                                                            tuple[CommentRow, ...]]:
    return {_COMMENT_TARGETS[target]: tuple(
        CommentRow(row["who"], row["body"], row.get("reply", "")) for row in rows)
        for target, rows in raw.items()}


_collaborative = _load("collaborative")
COLLABORATIVE: str = _collaborative["name"]
AIM: str = _collaborative["aim"]
NETWORK_AIM: str = _collaborative["network_aim"]
GAP_NOTE: str = _collaborative["gap_note"]
STEP_NOTE: str = _collaborative["step_note"]

SCALES = _scales(_load("scales"))

_sites_file = _load("sites")
SITES = _sites(_sites_file["site"])
PLACES: tuple[str, ...] = tuple(_sites_file["places"])
HOSPITAL_KINDS: tuple[str, ...] = tuple(_sites_file["hospital_kinds"])

_people = _load("people")
ACCOUNTS: tuple[tuple[str, str], ...] = tuple((a["email"], a["label"])
                                              for a in _people["account"])
# Team member positions at the first site that get the well-known logins.
WELL_KNOWN: dict[int, str] = {int(n): local for n, local in _people["well_known"].items()}
FIRST_NAMES: tuple[str, ...] = tuple(_people["first_names"])
SURNAMES: tuple[str, ...] = tuple(_people["surnames"])
TEAM: tuple[tuple[Profession, SiteRole], ...] = tuple(
    (Profession(t["profession"]), SiteRole(t["role"])) for t in _people["team"])
FACULTY = tuple(_person(row) for row in _people["faculty"])
PARTNER = _person(_people["partner"])
ADMIN = _person(_people["admin"])

DRIVERS = _drivers(_load("drivers")["driver"])
_measures_file = _load("measures")
MEASURES = _measures(_measures_file["measure"])
# A site's own measures (the larger scales give each site some), as a rate per patient or a count.
LOCAL_MEASURES = _measures(_measures_file["local"])
TEMPLATES = _templates(_load("templates")["template"])
TEMPLATE_BY_SHORT = {t.short: t for t in TEMPLATES}

_cycles = _load("cycles")
LADDER = tuple(Rung(**rung) for rung in _cycles["rung"])
MINOR_PROBLEMS: tuple[str, ...] = tuple(_cycles["minor_problems"])
DEVIATIONS: tuple[str, ...] = tuple(_cycles["deviations"])
ONE_PATIENT: str = _cycles["one_patient"]
ONE_PATIENT_PROBLEM: str = _cycles["one_patient_problem"]
WORDING: dict[str, Any] = _cycles["wording"]

COMMENTS = _comments(_load("comments")["comment"])



_feedback = _load("feedback")
FEEDBACK = tuple(FeedbackRow(**row) for row in _feedback["feedback"])
REQUESTS: tuple[str, ...] = tuple(_feedback["requests"])

_events = _load("events")
EVENTS = tuple(EventRow(**{**row, "kind": EventKind(row["kind"])}) for row in _events["event"])
AGENDA: str = _events["agenda"]
MATERIALS: str = _events["materials"]
