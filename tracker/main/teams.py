"""The dashboard's sections for a site team: what each member does next (open cycles and their
next step, this week's data still missing, the site's main chart, feedback waiting for a
reply) and what a site lead watches (measures and signals, stalled cycles, data gaps, feedback
requests, the next learning event and what to bring to it).

A fixed number of queries however many cycles, measures and requests; three more per site for
its main chart, unless it is kept (`team_chart`).
"""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime, timedelta

import sqlalchemy as sa
from flask import get_template_attribute, render_template, url_for
from markupsafe import Markup
from sqlalchemy.orm import contains_eager, joinedload

from ..core.versions import kept_at_sites, this_minute
from ..cycles.queries import open_cycles_at
from ..extensions import db
from ..measures.front import MeasureAtSite, compact_chart, measures_at_sites, pick_main
from ..models import (
    Cycle,
    EventKind,
    Feedback,
    FeedbackRequest,
    LearningEvent,
    Membership,
    SiteRole,
    Stage,
    User,
    Visibility,
)

REQUESTS_SHOWN = 8
TEAM_CHARTS_KEPT = 300  # per app process: a site's main chart (150 national), ~9 kB packed
TEAM_PANELS_KEPT = 300  # per app process: a site's sections for its team, ~11 kB packed
# Answered and withdrawn requests older than this are history, not news for the lead.
REQUESTS_KEPT = timedelta(days=90)
DUE_IN_FULL = 3  # measures of data still missing shown each with their buttons; more are folded


@dataclass(frozen=True)
class CycleStep:
    cycle: Cycle
    step: str  # Cycle.next_step
    idle_days: int
    stalled: bool


@dataclass(frozen=True)
class TeamChart:
    """A site's main chart as its team's dashboards show it: drawn for wide screens and for
    phones, with the first line of its summary."""

    measure_id: int
    measure_name: str
    html: Markup
    summary: str


@dataclass(frozen=True)
class RequestState:
    request: FeedbackRequest
    state: str  # 'Waiting 3 days', 'Answered 2 Dec', 'Withdrawn'
    open: bool


@dataclass
class TeamSection:
    """One site as its team sees it; `lead` is set for its site leads."""

    membership: Membership
    cycles: list[CycleStep] = field(default_factory=list)
    measures: list[MeasureAtSite] = field(default_factory=list)
    chart: TeamChart | None = None
    feedback: list[Feedback] = field(default_factory=list)  # on our cycles, not yet addressed
    asked: list[FeedbackRequest] = field(default_factory=list)  # peers asking our site
    lead: "LeadView | None" = None

    @property
    def site(self):
        return self.membership.site

    @property
    def due(self) -> list[MeasureAtSite]:
        return [m for m in self.measures if m.due]

    @property
    def due_folded(self) -> list[MeasureAtSite]:
        """Of more than DUE_IN_FULL measures missing data (a national set has a dozen or two),
        those the ward does not tally, when two or more: listed, folded, a link each, not a
        phone's length of buttons above the chart."""
        due = self.due
        folded = [m for m in due if not m.tally_url] if len(due) > DUE_IN_FULL else []
        return folded if len(folded) > 1 else []


@dataclass
class LeadView:
    stalled: list[CycleStep]
    gaps: list[MeasureAtSite]
    requests: list[RequestState]
    event: LearningEvent | None
    bring: list[tuple[str, str]]  # (what, link or '')


def team_panels(user: User, now: datetime, events: list[LearningEvent]) -> Markup:
    """`team_sections` drawn: each of the user's sites, then the lead's view of the sites they
    lead. Kept until anything these sites' own pages show is written (kept_at_sites: another
    site's writes leave them be), per set of sites and roles on them, minute (the days a
    cycle lay idle and a request waited are counted to it) and the events the lead's view may
    name: everyone on a site's team with the same role is served the same. Making them was
    most of a ward nurse's dashboard (its cycles, measures, chart, feedback and requests, and
    drawing them)."""
    if not user.memberships:
        return Markup("")
    roles = tuple(sorted((m.site_id, m.role.value) for m in user.memberships))
    return kept_at_sites(
        "team_panels", TEAM_PANELS_KEPT, (s for s, _ in roles),
        (roles, this_minute(now), tuple(e.id for e in events)),
        lambda: Markup(render_template("main/_teams.html",
                                       teams=team_sections(user, now, events))),
        packed=True)


def team_sections(user: User, now: datetime, events: list[LearningEvent]) -> list[TeamSection]:
    """A section per site the user is on, by site name (the lead's view for their sites)."""
    memberships = sorted(user.memberships, key=lambda m: m.site.name)
    if not memberships:
        return []
    ids = [m.site_id for m in memberships]
    sections = {m.site_id: TeamSection(m) for m in memberships}
    measures = measures_at_sites([m.site for m in memberships], now.date())
    steps = _cycle_steps(ids, now)
    feedback = _waiting_for_reply(ids)
    leads = [s for s in sections.values() if s.membership.role == SiteRole.SITE_LEAD]
    asked, requests = _requests(ids, [s.site.id for s in leads], now)
    for site_id, section in sections.items():
        section.measures = measures.get(site_id, [])
        section.cycles = steps[site_id]
        section.feedback, section.asked = feedback[site_id], asked[site_id]
        main = pick_main((m.measure for m in section.measures),
                         aim_measure_id=section.site.collaborative.aim_measure_id)
        shown = next((m for m in section.measures if m.measure is main), None)
        section.chart = team_chart(shown, user) if shown else None
    for section in leads:
        section.lead = _lead_view(section, requests[section.site.id], events)
    return [sections[i] for i in ids]


def team_chart(at: MeasureAtSite, user: User) -> TeamChart:
    """The small chart of a site's main measure, with its cycles, drawn; kept until anything
    the site's own pages show is written, for everyone who sees the same cycles on it: the
    site's team (and admins) see its drafts too. Each of a team's dashboards shows the same
    chart, and making it (three queries, the chart and two drawings unpacked) was a fifth of
    a ward nurse's dashboard.
    The view reads the version first (version_first): the measure and site drawn here were
    loaded after it."""
    measure, site = at.measure, at.site

    def make() -> TeamChart:
        chart = compact_chart(at, user)
        drawn = get_template_attribute("measures/_chart_svg.html", "responsive_chart")(
            chart.geometry, chart.narrow, f"dash-chart-{site.id}")
        return TeamChart(measure.id, measure.name, Markup(drawn),
                         chart.summary[0] if chart.summary else "")

    return kept_at_sites("team_charts", TEAM_CHARTS_KEPT, (site.id,),
                         (measure.id, site.id, user.sees_drafts_at(site.id)), make, packed=True)


def _cycle_steps(site_ids: list[int], now: datetime) -> dict[int, list[CycleStep]]:
    """Each site's open cycles with their next step, the longest untouched first."""
    out: dict[int, list[CycleStep]] = defaultdict(list)
    for cycle in db.session.scalars(open_cycles_at(site_ids)).unique():
        out[cycle.site_id].append(CycleStep(cycle, cycle.next_step,
                                            (now - cycle.updated_at).days,
                                            cycle.is_stalled(now)))
    return out


def _waiting_for_reply(site_ids: list[int]) -> dict[int, list[Feedback]]:
    """Feedback on the sites' cycles not yet marked addressed (one query)."""
    feedback: dict[int, list[Feedback]] = defaultdict(list)
    for item in db.session.scalars(
            db.select(Feedback).join(Feedback.cycle)
            .where(Cycle.site_id.in_(site_ids), Cycle.deleted_at.is_(None),
                   Feedback.deleted_at.is_(None), Feedback.addressed_at.is_(None))
            # Each item names its cycle (from the join above: not joined twice) and author.
            .options(contains_eager(Feedback.cycle), joinedload(Feedback.author))
            .order_by(Feedback.created_at)):
        feedback[item.cycle.site_id].append(item)
    return feedback


def _requests(site_ids: list[int], lead_ids: list[int], now: datetime
              ) -> tuple[dict[int, list[FeedbackRequest]], dict[int, list[RequestState]]]:
    """Open requests asking the sites for their view of another site's cycle (oldest first),
    and the latest requests of the sites in `lead_ids` for the lead, open ones first, each
    with its state in words: one query."""
    open_ = FeedbackRequest.answered_at.is_(None) & FeedbackRequest.withdrawn_at.is_(None)
    kept = now - REQUESTS_KEPT  # asked since then: still news for the lead, even if closed
    live = db.select(FeedbackRequest.id).join(FeedbackRequest.cycle).where(
        Cycle.deleted_at.is_(None))
    # Each part found through its own index (the sites asked; the sites' cycles), then the
    # rows themselves: one condition ORing both read every request (80 ms at 10x national).
    wanted = [live.where(FeedbackRequest.to_site_id.in_(site_ids), open_,
                         Cycle.visibility == Visibility.COLLABORATIVE)]
    if lead_ids:
        wanted.append(live.where(Cycle.site_id.in_(lead_ids),
                                 open_ | (FeedbackRequest.created_at >= kept)))
    asked: dict[int, list[FeedbackRequest]] = defaultdict(list)
    out: dict[int, list[RequestState]] = defaultdict(list)
    rows = db.session.scalars(
        db.select(FeedbackRequest).where(FeedbackRequest.id.in_(sa.union(*wanted)))
        # Each row names its cycle (with its site), whom it asks and the site asked.
        .options(joinedload(FeedbackRequest.cycle).joinedload(Cycle.site),
                 joinedload(FeedbackRequest.faculty), joinedload(FeedbackRequest.to_site))
        .order_by(FeedbackRequest.created_at.desc(), FeedbackRequest.id.desc())).all()
    lead = set(lead_ids)
    for request in reversed(rows):  # oldest first
        if (request.to_site_id in site_ids and request.is_open
                and request.cycle.visibility == Visibility.COLLABORATIVE):
            asked[request.to_site_id].append(request)
    for request in rows:  # newest first
        if request.cycle.site_id in lead and (request.is_open or request.created_at >= kept):
            out[request.cycle.site_id].append(RequestState(request, _state(request, now),
                                                           request.is_open))
    for site_id, states in out.items():
        states.sort(key=lambda s: not s.open)  # stable: newest first within each group
        out[site_id] = states[:REQUESTS_SHOWN]
    return asked, out


def _state(request: FeedbackRequest, now: datetime) -> str:
    if request.answered_at is not None:
        return f"Answered {request.answered_at:%-d %b}"
    if request.withdrawn_at is not None:
        return "Withdrawn"
    days = (now - request.created_at).days
    return f"Waiting {days} day{'' if days == 1 else 's'}"


def _lead_view(section: TeamSection, requests: list[RequestState],
               events: list[LearningEvent]) -> LeadView:
    site = section.site
    mine = {site.collaborative_id, site.network_id}
    event = next((e for e in events if e.collaborative_id in mine), None)
    gaps = [m for m in section.measures if m.gaps]
    return LeadView([c for c in section.cycles if c.stalled], gaps, requests, event,
                    _to_bring(section, event, gaps))


def _to_bring(section: TeamSection, event: LearningEvent | None,
              gaps: list[MeasureAtSite]) -> list[tuple[str, str]]:
    """What the site should bring to the next event, from what it has and has not done."""
    if event is None:
        return []
    site = section.site
    out = []
    if event.kind == EventKind.LEARNING_SESSION:
        out.append(("Your storyboard, printed or on screen",
                    url_for("reports.site_storyboard", site_id=site.id)))
    learnt = [c for c in section.cycles if c.cycle.stage in (Stage.STUDY, Stage.ACT)]
    if learnt:
        out.append((f"What you learned from {len(learnt)} cycle{'s' if len(learnt) != 1 else ''}"
                    " in Study or Act", url_for("cycles.index", site=site.id)))
    if gaps:
        out.append((f"Data brought up to date for {len(gaps)} measure"
                    f"{'s' if len(gaps) != 1 else ''} with gaps", ""))
    if not section.cycles:
        out.append(("An idea for your next small test of change", url_for("ideas.index")))
    return out
