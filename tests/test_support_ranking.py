"""The sites that may need support are found and ranked by the database
(reports.dashboard._Facts.ranked); they must be the sites, in the order, that the written rule
gives: each site's reasons reckoned one site at a time in Python, ranked by by_urgency (more
reasons, then the longest-standing, then the name)."""

from datetime import timedelta

import sqlalchemy as sa

from tests import factories as f
from tracker.events.periods import current_period
from tracker.extensions import db
from tracker.measures import periods
from tracker.models import (
    Collaborative,
    MeasureSummary,
    MeasureValue,
    Site,
    SiteStanding,
    Stage,
    utcnow,
)
from tracker.reports import dashboard, standing
from tracker.reports.dashboard import Reason, SiteRow, by_urgency
from tracker.reports.front import sites_needing_support


def reckoned(collaborative: Collaborative, now) -> list[SiteRow]:
    """Each live site's reasons, from its own rows one site at a time, ranked by by_urgency."""
    period = current_period(collaborative, now)
    facts = dashboard._Facts(
        {collaborative.id: m} if (m := dashboard.main_measure(collaborative.id)) else {},
        period, now)
    rows = []
    for site in db.session.scalars(sa.select(Site).where(
            Site.collaborative_id == collaborative.id, Site.archived_at.is_(None))):
        last = (db.session.scalar(sa.select(sa.func.max(MeasureValue.period_start)).where(
            MeasureValue.measure_id == m.id, MeasureValue.site_id == site.id)) if m else None)
        row = db.session.get(SiteStanding, site.id)
        active = row is not None and (
            (row.cycle_changed_at is not None and row.cycle_changed_at >= period.start)
            or (row.test_started_on is not None
                and row.test_started_on >= period.start.date()))
        stood = standing.Standing(active, row and row.open_changes, row and row.requests_open,
                                  row and row.request_oldest_at)
        rows.append(SiteRow(site, reasons=[Reason(words(), days) for days, words
                                           in facts.reasons(site, last, stood)]))
    return by_urgency(rows)


def test_the_database_ranks_as_the_rule_does(app, world):
    """Sites with each reason alone and together, the same days by different reasons, days
    that differ by less than a day's hours (an hour either side of a whole day), and ties
    broken by name."""
    now = utcnow()
    with app.app_context():
        collaborative = db.session.get(Collaborative, world.collaborative)
        measure = f.make_measure(collaborative.id, name="DrEaMing")
        recent = periods.recent_periods(measure.frequency, 12)

        def site(name: str, *, data: int | None = 0, **facts) -> Site:
            """A site whose latest data is `data` periods old (None: never), with cycles and
            requests as `facts` say."""
            made = f.make_site(collaborative, name, created_at=now - timedelta(days=400))
            if data is not None:
                f.make_values(measure, made, [(5, 10)], start=recent[data])
            if "active" in facts:  # a cycle changed this action period
                f.make_cycle(made, title="Busy", stage=Stage.COMPLETE, updated_at=now)
            for hours in facts.get("asked", ()):
                cycle = f.make_cycle(made, title="Asks", stage=Stage.COMPLETE,
                                     updated_at=now - timedelta(days=200))
                f.make_feedback_request(cycle, world.lead_a,
                                        created_at=now - timedelta(hours=hours))
            for hours in facts.get("stalled", ()):
                f.make_cycle(made, title="Stuck", stage=Stage.DO,
                             updated_at=now - timedelta(hours=hours))
            return made

        day = 24
        site("Ash", active=True)  # no reason
        site("Birch", data=None, active=True)  # no data ever: as old as the site
        cedar = site("Cedar", data=6, active=True)  # no data for 6 periods
        elm = site("Elm", data=6, active=True)  # and a recent period entered with no value
        db.session.add(MeasureValue(measure_id=measure.id, site_id=elm.id,
                                    period_start=recent[1]))
        site("Damson", data=2, active=True)  # data 2 periods ago: not a reason yet
        site("Elder")  # quiet only
        site("Fir", active=True, asked=[6 * day + 1])  # a request 6 days old
        site("Gorse", active=True, asked=[6 * day - 1])  # one just short of 6 days
        site("Hazel", active=True, asked=[6 * day + 1])  # Fir's twin: by name
        site("Holly", active=True, stalled=[16 * day + 1, 15 * day])  # two stalled
        site("Ivy", active=True, stalled=[13 * day])  # changed 13 days ago: not stalled
        site("Juniper", data=None, asked=[3 * day], stalled=[20 * day])  # three reasons
        site("Larch", data=None, stalled=[15 * day - 1])  # two
        site("Maple", data=8, asked=[30 * day])  # three
        archived = site("Oak", data=None)
        archived.archived_at = now
        db.session.commit()
        # A series without a stored summary (as after a restore) is read from its values.
        db.session.execute(sa.delete(MeasureSummary).where(MeasureSummary.site_id == cedar.id))
        db.session.commit()

        expected = reckoned(collaborative, now)
        needing = sites_needing_support(collaborative, now)
        found = needing[:]
        assert [r.site.name for r in found] == [r.site.name for r in expected]
        assert [[(str(x), x.days) for x in r.reasons] for r in found] == [
            [(str(x), x.days) for x in r.reasons] for r in expected]
        assert len(needing) == len(expected) == 12  # Alpha and Beta (quiet) too
        # The cases above do what they say.
        names = [r.site.name for r in found]
        assert names[0] == "Juniper" and "Ash" not in names and "Oak" not in names
        assert "Damson" not in names and "Ivy" not in names and "Elm" not in names
        assert "Cedar" in names
        assert names.index("Fir") < names.index("Hazel") < names.index("Gorse")
        days = {r.site.name: [x.days for x in r.reasons] for r in found}
        assert days["Fir"] == [6] and days["Gorse"] == [5] and days["Holly"] == [16]
        # The database's own count of each site's reasons and their most days, which it ranks
        # by, are the rule's.
        facts = dashboard._Facts({collaborative.id: measure},
                                 current_period(collaborative, now), now)
        ids = sa.select(Site.id).where(Site.collaborative_id == collaborative.id,
                                       Site.archived_at.is_(None))
        counted = {r.name: (r.reasons, r.most)
                   for r in db.session.execute(facts.ranked(ids), facts.params)}
        assert counted == {r.site.name: (len(r.reasons), max(x.days for x in r.reasons))
                           for r in expected}


def test_past_the_first_rows_the_ranking_is_read_a_page_at_a_time(app, world, monkeypatch):
    now = utcnow()
    monkeypatch.setattr(dashboard.Needing, "FIRST", 3)
    with app.app_context():
        collaborative = db.session.get(Collaborative, world.collaborative)
        for n in range(8):  # quiet, and each a day longer asked than the last
            cycle = f.make_cycle(f.make_site(collaborative, f"Site {n}"), title="Asks",
                                 updated_at=now - timedelta(days=100))
            f.make_feedback_request(cycle, world.lead_a, created_at=now - timedelta(days=n))
        db.session.commit()
        expected = [r.site.name for r in reckoned(collaborative, now)]
        needing = sites_needing_support(collaborative, now)
        assert len(needing) == 10  # Alpha and Beta, quiet, too
        assert [r.site.name for r in needing[:2]] + [r.site.name for r in needing[2:7]] + [
            r.site.name for r in needing[7:]] == expected
        assert needing[-1].site.name == expected[-1] and needing[4].site.name == expected[4]
        assert needing[20:] == [] and needing[::3] == [needing[0], needing[3], needing[6],
                                                       needing[9]]
        assert [r.site.name for r in needing[::-1]] == expected[::-1]
        assert [r.site.name for r in needing[8:1:-3]] == expected[8:1:-3]
