"""Which sites' own pages show a row: the sites whose versions a write of it moves.

A site's own pages (its team's dashboard sections, main chart and check-ins due, a measure's
page at the site, its storyboard) are kept under the versions of the sites they show and the
shared version (core.versions.kept_at_sites).
A write moves the versions of the sites whose pages show what it wrote; a write of a row this
module does not know, or cannot place, moves the shared version instead, and with it every
site's pages. So a row is placed only with every site whose pages can show it:

- a site's own data (its measure values and what is derived from them, its notes on charts,
  its standing, its members, its own measures unless linked to another measure): its site, and
  the site it had before if it moved;
- a cycle and what hangs on it (revisions, questions, feedback, files, check-ins): the cycle's
  site, and every site its feedback requests ask, whose dashboards name it and its title;
- a feedback request: the site asking (its cycle's, as above) and the site asked;
- what no site's own page shows (notifications, the audit log, search's index, used keys,
  an idea's totals, who gave feedback on a cycle since changed): no site.

Not placed, so shared: sites (other sites' dashboards name them), people (their names),
collaborative measures, events, ideas, and anything added later until it is placed here.
"""

from collections.abc import Callable, Iterable

import sqlalchemy as sa

from ..models import (
    Attachment,
    AuditEvent,
    ChartNote,
    Comment,
    Cycle,
    CycleQuestion,
    CycleRevision,
    Feedback,
    FeedbackFollowup,
    FeedbackRequest,
    IdeaSiteStatus,
    IdeaTotal,
    ImportBatch,
    Measure,
    MeasureSummary,
    MeasureValue,
    MeasureValueChange,
    Membership,
    Notification,
    PhaseBreak,
    PointFlag,
    ProgressScore,
    SearchDocument,
    SiteStanding,
    SubmittedFigure,
    SustainAlert,
    SustainCheck,
    TallyEntry,
    UsedKey,
)

SHARED = None  # a row that cannot be placed: the shared version moves

_BY_SITE = (MeasureValue, MeasureValueChange, MeasureSummary, PhaseBreak, ChartNote, PointFlag,
            TallyEntry, SubmittedFigure, ImportBatch, SiteStanding, IdeaSiteStatus, Membership,
            ProgressScore)
_BY_CYCLE = (CycleRevision, CycleQuestion, Feedback, SustainCheck, SustainAlert)
_NOWHERE = (Notification, AuditEvent, UsedKey, SearchDocument, IdeaTotal, FeedbackFollowup)


def _values(obj, name: str) -> set | None:
    """Every value of the attribute `name` this flush knows: the one written and the one it
    replaced. None when it is not loaded (a row deleted unread): it cannot be placed. (A new
    row's column never set, with no default, is NULL.)"""
    state = sa.inspect(obj)
    history = state.attrs[name].history
    found = {*history.added, *history.unchanged, *history.deleted}
    if not found and state.pending:
        column = state.mapper.columns[name]
        if column.default is None and column.server_default is None:
            return {None}
    return found or None


def _by_site(obj) -> tuple[set, set] | None:
    sites = _values(obj, "site_id")
    return None if sites is None or None in sites else (sites, set())


def _by_cycle(obj) -> tuple[set, set] | None:
    cycles = _values(obj, "cycle_id")
    return None if cycles is None or None in cycles else (set(), cycles)


def _cycle(obj: Cycle) -> tuple[set, set] | None:
    sites = _values(obj, "site_id")
    return None if sites is None or obj.id is None else (sites, {obj.id})


def _measure(obj: Measure) -> tuple[set, set] | None:
    # A site's own measure shows at its site; a collaborative's at every site, and so does a
    # site's own that is part of, or balances, another measure (that measure's page lists it
    # at every site: measures.queries.related_measures), before or after the write.
    # (A link not loaded cannot be told from none: shared.)
    unlinked = all(_values(obj, name) == {None} for name in ("composite_id", "balances_id"))
    return _by_site(obj) if unlinked else SHARED


def _request(obj: FeedbackRequest) -> tuple[set, set] | None:
    asked, cycles = _values(obj, "to_site_id"), _values(obj, "cycle_id")
    if asked is None or cycles is None:  # (not loaded: whom it asked is unknown)
        return None
    return {s for s in asked if s is not None}, cycles


PLACES: dict[type, Callable[[object], tuple[set, set] | None]] = {
    **{model: _by_site for model in _BY_SITE},
    **{model: _by_cycle for model in _BY_CYCLE},
    Attachment: _by_cycle,  # a file of an idea (no cycle) is shared
    Comment: _by_cycle,  # a comment on an idea is shared
    Cycle: _cycle,
    FeedbackRequest: _request,
    Measure: _measure,
    **{model: lambda obj: (set(), set()) for model in _NOWHERE},
}


def placed(objects: Iterable[object]) -> tuple[set[int], set[int]] | None:
    """The sites whose own pages show these rows (a flush's new, changed and deleted), and
    the cycles they hang on (whose sites `cycles_shown` reads); SHARED when any of them cannot
    be placed."""
    sites: set[int] = set()
    cycles: set[int] = set()
    for obj in objects:
        place = PLACES.get(type(obj))
        found = place(obj) if place is not None else None
        if found is None:
            return SHARED
        sites |= found[0]
        cycles |= found[1]
    return sites, cycles


def cycles_shown(conn: sa.Connection, cycles: set[int]) -> set[int] | None:
    """The sites whose own pages show these cycles, in one query as the transaction sees
    them: each one's site and the sites its requests ask; SHARED if one is gone (deleted for
    good: its sites are unknown)."""
    sites, found = set(), set()
    for cycle_id, site_id, asked in conn.execute(
            sa.select(Cycle.id, Cycle.site_id, FeedbackRequest.to_site_id)
            .outerjoin(FeedbackRequest, FeedbackRequest.cycle_id == Cycle.id)
            .where(Cycle.id.in_(sorted(cycles)))):
        found.add(cycle_id)
        sites.add(site_id)
        if asked is not None:
            sites.add(asked)
    return sites if found == cycles else SHARED
