"""Query builders for measures and their data; each returns a Select scoped in SQL."""

from collections.abc import Collection

import sqlalchemy as sa
from sqlalchemy import Select

from ..extensions import db
from ..models import (
    ChartNote,
    Collaborative,
    Cycle,
    Measure,
    MeasureValue,
    PhaseBreak,
    PointFlag,
    Site,
    User,
    Visibility,
    cycle_measure,
)

# The kind of a chart mark that is a phase break (see chart_marks_of), beside the flags' kinds.
PHASE_BREAK = "break"


def measures_listed_for(user: User) -> Select:
    """Core measures of the user's collaboratives and local measures of the user's sites."""
    query = db.select(Measure).where(Measure.deleted_at.is_(None))
    if user.is_admin:
        national = db.select(Collaborative.id).where(Collaborative.parent_id.is_(None))
        core = Measure.collaborative_id.in_(national)
    else:
        core = Measure.collaborative_id.in_(user.collaborative_ids)
    local = Measure.site_id.in_(user.site_ids)
    return query.where((core & Measure.site_id.is_(None)) | local).order_by(
        Measure.position, Measure.name
    )


def live_measures(collaborative_id: int, site_id: int | None = None) -> Select:
    """A collaborative's core measures and one site's own (none with no site), not deleted
    (for pickers of related measures): not every site's own, a dozen each at national scale."""
    return db.select(Measure).where(
        Measure.collaborative_id == collaborative_id, Measure.deleted_at.is_(None),
        Measure.site_id.is_(None) | (Measure.site_id == site_id),
    ).order_by(Measure.position, Measure.name)


def related_measures(measure: Measure) -> Select:
    """Measures shown with this one: its components and the balancing measures watching it."""
    return (
        db.select(Measure)
        .where(
            Measure.deleted_at.is_(None),
            (Measure.composite_id == measure.id) | (Measure.balances_id == measure.id),
        )
        .order_by(Measure.position, Measure.name)
    )


def chart_sites(measure: Measure, user: User) -> Select:
    """Sites where the measure can be charted and the user can look."""
    query = db.select(Site).order_by(Site.name)
    if not measure.is_core:
        return query.where(Site.id == measure.site_id)
    query = query.where(Site.collaborative_id == measure.collaborative_id)
    if not user.can_view_collaborative(measure.collaborative_id):
        return query.where(False)
    return query


def networks_of(measure: Measure) -> Select:
    """The regional networks of a core measure's collaborative (to filter its sites by)."""
    return db.select(Collaborative).where(
        Collaborative.parent_id == measure.collaborative_id,
        Collaborative.archived_at.is_(None)).order_by(Collaborative.name)


def values_of(measure_ids: Collection[int], site_ids: Collection[int]) -> Select:
    """Stored values of some measures at some sites, in period order."""
    return (
        db.select(MeasureValue)
        .where(MeasureValue.measure_id.in_(measure_ids), MeasureValue.site_id.in_(site_ids))
        .order_by(MeasureValue.site_id, MeasureValue.period_start)
    )


def point_flags_at(measure_ids: Collection[int], site_ids: Collection[int], *,
                   cleared: bool = False) -> Select:
    """Flags in force for several measures at some sites (`cleared`: every flag ever set,
    cleared ones too, newest first: a chart's history of flags)."""
    query = db.select(PointFlag).where(PointFlag.measure_id.in_(measure_ids),
                                       PointFlag.site_id.in_(site_ids))
    if cleared:
        return query.order_by(PointFlag.created_at.desc(), PointFlag.id.desc())
    return query.where(PointFlag.deleted_at.is_(None))


def chart_notes_at(measure_ids: Collection[int], site_id: int) -> Select:
    """Annotations in force on several measures' charts at one site, by date."""
    return (
        db.select(ChartNote)
        .where(ChartNote.measure_id.in_(measure_ids), ChartNote.site_id == site_id,
               ChartNote.deleted_at.is_(None))
        .order_by(ChartNote.on_date, ChartNote.id)
    )


def cycles_on_charts(measure_ids: Collection[int], site_id: int, user: User) -> Select:
    """(measure id, cycle) for the cycles on several measures' charts at one site (see
    `cycles_on_chart`)."""
    query = (
        db.select(cycle_measure.c.measure_id, Cycle)
        .join(cycle_measure, cycle_measure.c.cycle_id == Cycle.id)
        .where(
            cycle_measure.c.measure_id.in_(measure_ids),
            Cycle.site_id == site_id,
            Cycle.deleted_at.is_(None),
            Cycle.do_started_on.is_not(None),
        )
        .order_by(Cycle.do_started_on, Cycle.id)
    )
    if not user.sees_drafts_at(site_id):
        query = query.where(Cycle.visibility == Visibility.COLLABORATIVE)
    return query


def chart_notes_of(measure_id: int, site_id: int) -> Select:
    """Annotations in force on a site's chart of a measure, by date."""
    return (
        db.select(ChartNote)
        .where(ChartNote.measure_id == measure_id, ChartNote.site_id == site_id,
               ChartNote.deleted_at.is_(None))
        .order_by(ChartNote.on_date, ChartNote.id)
    )


def chart_marks_of(measure_id: int, site_id: int) -> Select:
    """What a site's chart of a measure applies besides its values, in one statement: rows of
    (kind, period_start), kind "break" for each phase break in force, else the kind of each
    point flag in force (excluded, astronomical)."""
    breaks = db.select(sa.literal(PHASE_BREAK).label("kind"), PhaseBreak.period_start).where(
        PhaseBreak.measure_id == measure_id, PhaseBreak.site_id == site_id,
        PhaseBreak.deleted_at.is_(None))
    flags = db.select(PointFlag.kind, PointFlag.period_start).where(
        PointFlag.measure_id == measure_id, PointFlag.site_id == site_id,
        PointFlag.deleted_at.is_(None))
    return sa.union_all(breaks, flags)


def cycles_on_chart(measure_id: int, site_id: int, user: User) -> Select:
    """Cycles at the site linked to the measure whose test has started, that the user may
    read (a site's drafts only for its own team)."""
    query = (
        db.select(Cycle)
        .join(cycle_measure, cycle_measure.c.cycle_id == Cycle.id)
        .where(
            cycle_measure.c.measure_id == measure_id,
            Cycle.site_id == site_id,
            Cycle.deleted_at.is_(None),
            Cycle.do_started_on.is_not(None),
        )
        .order_by(Cycle.do_started_on, Cycle.id)
    )
    if not user.sees_drafts_at(site_id):
        query = query.where(Cycle.visibility == Visibility.COLLABORATIVE)
    return query


def value_rows(measure_id: int, site_ids: Collection[int]) -> Select:
    """A measure's values at many sites as plain rows (no ORM objects: small multiples of
    150 sites read thousands of them)."""
    v = MeasureValue
    return (
        db.select(v.site_id, v.period_start, v.numerator, v.denominator, v.value, v.note)
        .where(v.measure_id == measure_id, v.site_id.in_(site_ids))
        .order_by(v.site_id, v.period_start)
    )


def value_rows_of(measure_ids: Collection[int], site_ids: Collection[int]) -> Select:
    """Several measures' values at some sites as plain rows, naming their measure."""
    v = MeasureValue
    return (
        db.select(v.measure_id, v.site_id, v.period_start, v.numerator, v.denominator, v.value,
                  v.note)
        .where(v.measure_id.in_(measure_ids), v.site_id.in_(site_ids))
        .order_by(v.measure_id, v.site_id, v.period_start)
    )


def phase_breaks_at(measure_ids: Collection[int], site_ids: Collection[int]) -> Select:
    """Phase breaks in force for several measures at some sites."""
    return (
        db.select(PhaseBreak)
        .where(PhaseBreak.measure_id.in_(measure_ids), PhaseBreak.site_id.in_(site_ids),
               PhaseBreak.deleted_at.is_(None))
        .order_by(PhaseBreak.period_start)
    )
