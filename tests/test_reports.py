"""Action-period report figures on a designed world, its CSV, the storyboard, the faculty
dashboard, and who may see them."""

import csv
import io
import re
from datetime import timedelta

import pytest

from tests import factories as f
from tracker.extensions import db
from tracker.measures import periods
from tracker.models import (
    Collaborative,
    CycleRevision,
    Decision,
    Driver,
    EventKind,
    Feedback,
    Frequency,
    Profession,
    Site,
    Stage,
    Visibility,
    utcnow,
)
from tracker.reports import dashboard


@pytest.fixture
def designed(app, world):
    """Site A did a known amount in the action period (opened 28 days ago); Site B nothing."""
    now = utcnow()
    with app.app_context():
        collab = db.session.get(Collaborative, world.collaborative)
        a, b = (db.session.get(Site, s) for s in (world.site_a, world.site_b))
        f.make_event(collab, now - timedelta(days=28), kind=EventKind.LEARNING_SESSION,
                     title="LS2")
        f.make_event(collab, now + timedelta(days=28), kind=EventKind.LEARNING_SESSION,
                     title="LS3")
        f.make_event(collab, now - timedelta(days=100), kind=EventKind.LEARNING_SESSION,
                     title="LS1")
        primary = Driver(collaborative_id=collab.id, title="Mobilise", position=1)
        db.session.add(primary)
        db.session.flush()
        secondary = Driver(collaborative_id=collab.id, title="Chairs", parent_id=primary.id)
        db.session.add(secondary)
        db.session.flush()
        adopt_idea = f.make_idea(a, title="Chair by the bed", driver_id=secondary.id)
        abandon_idea = f.make_idea(a, title="Day clothes")
        day = lambda n: (now - timedelta(days=n)).date()  # noqa: E731
        first = f.make_cycle(a, title="Chair: 1 patient", idea_id=adopt_idea.id,
                             do_started_on=day(40), created_at=now - timedelta(days=60),
                             stage=Stage.COMPLETE, decision=Decision.ADOPT,
                             study_learning="Patients liked the chair.", scale_amount=1,
                             scale_unit="patient")
        db.session.add(CycleRevision(cycle_id=first.id, version=2, action="stage",
                                     created_at=now - timedelta(days=10),
                                     snapshot={"stage": "complete"}))
        first.completed_at = now - timedelta(days=10)  # as the move to Complete sets it
        f.make_cycle(a, title="Chair: 1 bay", previous_id=first.id, idea_id=adopt_idea.id,
                     do_started_on=day(7), author_id=world.member_a)
        f.make_cycle(a, title="Not run yet", created_at=now - timedelta(days=3),
                     author_id=world.member_a)
        f.make_cycle(a, title="Draft", visibility=Visibility.SITE)
        f.make_cycle(a, title="Deleted", deleted_at=now)
        abandoned = f.make_cycle(a, title="Clothes", idea_id=abandon_idea.id,
                                 do_started_on=day(50), created_at=now - timedelta(days=55),
                                 stage=Stage.COMPLETE, decision=Decision.ABANDON,
                                 updated_at=now - timedelta(days=5))
        physio = f.make_user(site=a, name="Phil Physio", profession=Profession.PHYSIOTHERAPIST)
        measure = f.make_measure(collab.id, name="DrEaMing", frequency=Frequency.WEEKLY)
        this_week = periods.current_period(Frequency.WEEKLY)
        start = periods.period_start((now - timedelta(days=28)).date(), Frequency.WEEKLY)
        if start < (now - timedelta(days=28)).date():
            start = periods.next_period(start, Frequency.WEEKLY)
        expected = periods.periods_between(start, this_week, Frequency.WEEKLY)[:-1]
        older = [periods.previous_period(start, Frequency.WEEKLY)]
        values = [(6, 10)] * (len(expected) - 1) + [None]  # the last complete week missing
        f.make_values(measure, a, [(5, 10)], start=older[0])
        f.make_values(measure, a, values, start=start, entered_by_id=physio.id)
        f.make_feedback(first, world.faculty, created_at=now - timedelta(days=2))
        f.make_feedback(abandoned, world.member_b, created_at=now - timedelta(days=1))
        f.make_feedback(first, world.faculty, created_at=now - timedelta(days=40))  # before
        f.make_feedback(first, world.faculty, deleted_at=now)
        db.session.commit()
        return {"expected": len(expected), "measure": measure.id}


def figures_page(client, **params):
    return client.get("/reports/action-period", query_string=params).get_data(True)


def csv_rows(client, **params):
    response = client.get("/reports/action-period", query_string={**params, "format": "csv"})
    assert response.mimetype == "text/csv"
    return list(csv.DictReader(io.StringIO(response.get_data(True))))


def test_report_figures_per_site_on_the_designed_world(login, world, designed):
    rows = {r["site"]: r for r in csv_rows(login("faculty"))}
    a, b = rows["Alpha Hospital"], rows["Beta Hospital"]
    assert (a["cycles_started"], a["cycles_completed"], a["ramps_extended"]) == ("2", "2", "1")
    assert (a["ideas_adopted"], a["ideas_adapted"], a["ideas_abandoned"]) == ("1", "0", "1")
    assert a["periods_of_data_submitted"] == str(designed["expected"] - 1)
    assert a["periods_of_data_missing"] == "1"
    assert a["main_measure_latest_signal"].startswith("60% (")
    assert (a["feedback_given"], a["feedback_received"]) == ("0", "2")
    assert (b["feedback_given"], b["feedback_received"]) == ("1", "0")
    assert a["professions_contributing"] == "Nurse (1); Physiotherapist (1)"
    assert b["professions_contributing"] == "Nurse (1)"  # Bea's feedback on Alpha's cycle
    assert (b["cycles_started"], b["periods_of_data_submitted"]) == ("0", "0")
    assert b["periods_of_data_missing"] == str(designed["expected"])
    assert b["main_measure_latest_signal"] == "No data yet"


def test_someone_who_only_edited_an_old_cycle_in_the_period_contributed(app, login, world,
                                                                         designed):
    """An edit saved through the worksheet in the period counts its author's profession,
    however long ago the cycle was made or last changed."""
    from tracker.cycles.services import save_worksheet
    from tracker.models import Cycle

    with app.app_context():
        site = db.session.get(Site, world.site_b)
        dietitian = f.make_user(site=site, name="Dee Dietitian",
                                profession=Profession.DIETITIAN)
        old = f.make_cycle(site, title="Old", created_at=utcnow() - timedelta(days=300),
                           updated_at=utcnow() - timedelta(days=300))
        db.session.commit()
        cycle = db.session.get(Cycle, old.id)
        assert save_worksheet(cycle, {"objective": "Sip feeds by lunch"},
                              base_version=cycle.version, by=dietitian).saved
        db.session.commit()
    rows = {r["site"]: r for r in csv_rows(login("faculty"))}
    assert rows["Beta Hospital"]["professions_contributing"] == "Dietitian (1); Nurse (1)"
    # In the period before, the same cycle was untouched: nobody from its edit counts there.
    with app.app_context():
        from tracker.models import LearningEvent

        ls1 = db.session.scalars(db.select(LearningEvent.id).filter_by(title="LS1")).one()
    earlier = {r["site"]: r for r in csv_rows(login("faculty"), period=str(ls1))}
    assert "Dietitian" not in earlier["Beta Hospital"]["professions_contributing"]


def test_an_earlier_action_period_can_be_chosen(app, login, world, designed):
    html = figures_page(login("member_a"))
    assert "(after LS2), up to LS3" in html
    with app.app_context():
        from tracker.models import LearningEvent

        ls1 = db.session.scalars(db.select(LearningEvent.id).filter_by(title="LS1")).one()
    rows = {r["site"]: r for r in csv_rows(login("member_a"), period=str(ls1))}
    # Between LS1 (100 days ago) and LS2 (28 days ago): the two old cycles started.
    assert rows["Alpha Hospital"]["cycles_started"] == "2"
    assert rows["Alpha Hospital"]["cycles_completed"] == "0"


def test_csv_cells_are_formula_safe(app, login, world, designed):
    with app.app_context():
        db.session.get(Site, world.site_b).name = "=HYPERLINK(\"http://evil\")"
        db.session.commit()
    text = login("faculty").get("/reports/action-period?format=csv").get_data(True)
    assert "'=HYPERLINK" in text


@pytest.mark.parametrize("who,status", [("member_a", 200), ("partner", 200), ("faculty", 200)])
def test_report_is_open_to_the_collaborative(login, world, designed, who, status):
    assert login(who).get("/reports/action-period").status_code == status


def test_report_of_another_collaborative_is_forbidden(app, login, world):
    with app.app_context():
        other = f.make_collaborative("Falls")
        db.session.commit()
        other_id = other.id
    client = login("member_a")
    assert client.get(f"/reports/action-period?collaborative={other_id}").status_code == 403
    assert client.get("/reports/action-period?collaborative=999").status_code == 404
    assert client.get(f"/reports/action-period?collaborative={world.network}").status_code == 404


def test_report_costs_the_same_queries_for_2_or_12_sites(app, login, world, designed,
                                                         count_queries):
    client = login("faculty")
    with count_queries() as small:
        client.get("/reports/action-period")
    with app.app_context():
        collab = db.session.get(Collaborative, world.collaborative)
        for i in range(10):
            site = f.make_site(collab, f"Extra {i}")
            f.make_user(site=site)
            f.make_cycle(site, do_started_on=utcnow().date())
        db.session.commit()
    with count_queries() as large:
        assert figures_page(client).count("Storyboard<span") == 12
    assert large.count == small.count


def test_storyboard_shows_aim_drivers_chart_ramp_and_learning(login, world, designed):
    html = login("member_b").get(f"/reports/sites/{world.site_a}/storyboard").get_data(True)
    assert "Improve things" in html  # the collaborative's aim
    assert "<strong>Mobilise</strong> → Chairs: Chair by the bed" in html
    assert '<svg xmlns="http://www.w3.org/2000/svg"' in html and "DrEaMing, Alpha Hospital" in html
    ramp = html[html.index("The ramp"):html.index("Key learning")]
    assert ramp.index("Chair: 1 patient") < ramp.index("Chair: 1 bay")
    assert "Patients liked the chair." in html
    assert "Draft" not in html  # another site's draft stays private


def test_storyboard_of_another_collaborative_is_forbidden(app, login, world):
    with app.app_context():
        site = f.make_site(f.make_collaborative("Falls"))
        db.session.commit()
        sid = site.id
    assert login("member_a").get(f"/reports/sites/{sid}/storyboard").status_code == 403
    assert login("member_a").get("/reports/sites/9999/storyboard").status_code == 404


@pytest.mark.parametrize("who,status", [("faculty", 200), ("admin", 200), ("member_a", 403),
                                        ("lead_a", 403), ("partner", 403)])
def test_only_faculty_see_the_dashboard(login, world, who, status):
    assert login(who).get("/reports/faculty").status_code == status


def test_dashboard_heatmap_support_and_mix(app, login, world, designed):
    with app.app_context():
        cycle = f.make_cycle(db.session.get(Site, world.site_a), title="Asked")
        db.session.add(CycleRevision(cycle_id=cycle.id, version=1, action="created",
                                     snapshot={}, created_at=utcnow()))
        f.make_feedback_request(cycle, world.member_a, created_at=utcnow() - timedelta(days=4))
        db.session.commit()
    html = login("faculty").get("/reports/faculty").get_data(True)
    support = html[html.index("may need support"):html.index("Activity per site")]
    assert "Beta Hospital</a>: No DrEaMing data ever; No cycle this action period" in support
    assert "Alpha Hospital</a>: 1 feedback request unanswered (oldest 4 days)" in support
    heat = html[html.index("Activity per site"):html.index("Profession mix")]
    alpha_row = heat[heat.index("Alpha Hospital"):heat.index("</tr>", heat.index("Alpha"))]
    cells = re.findall(r'<td class="heat-(\d)">(\d+)<span class="visually-hidden"> \((.+?)\)',
                       alpha_row)
    assert len(cells) == 12
    shade, count, words = cells[-1]
    assert int(count) >= 1  # this week's revision
    # Not colour alone: the shade is said in words too, as the legend says.
    assert words == dashboard.heat_words(int(count)) and int(shade) == dashboard.heat(int(count))
    assert f"{words.capitalize()} (" in heat
    mix = html[html.index("Profession mix"):]
    assert "<strong>Alpha Hospital</strong>: Nurse 2, Physiotherapist 1" in mix
    for name in ("Amy Nurse", "Leo Lead", "Phil Physio"):
        assert name not in html  # about teams, not people


def test_activity_counts_what_each_sites_team_did_in_the_weeks_shown(app, world):
    # A team member's peer feedback and comments count for their site (even on another
    # site's cycle); faculty's feedback is no site's activity; nothing before the 12 weeks.
    with app.app_context():
        alpha, beta = db.session.get(Site, world.site_a), db.session.get(Site, world.site_b)
        theirs = f.make_cycle(beta, title="Beta's test")
        now = utcnow()
        db.session.add_all([
            Feedback(cycle_id=theirs.id, author_id=world.member_a, body="Try it", created_at=now),
            Feedback(cycle_id=theirs.id, author_id=world.faculty, body="Hm", created_at=now),
            Feedback(cycle_id=theirs.id, author_id=world.member_a, body="Old",
                     created_at=now - timedelta(weeks=dashboard.WEEKS + 1)),
        ])
        f.make_comment(theirs, world.member_a, created_at=now - timedelta(weeks=1))
        db.session.flush()
        rows = {r.site.name: r.weeks for r in dashboard.build([alpha, beta], now)}
    assert rows["Alpha Hospital"][-2:] == [1, 1] and sum(rows["Alpha Hospital"]) == 2
    assert sum(rows["Beta Hospital"]) == 0


def test_activity_counts_an_edit_of_a_long_unchanged_cycle(app, world):
    """A save this week of a cycle last changed a year ago shows in this week's activity (its
    revisions are found through the cycles changed lately)."""
    from tracker.cycles.services import save_worksheet
    from tracker.models import Cycle, User

    with app.app_context():
        beta = db.session.get(Site, world.site_b)
        year_ago = utcnow() - timedelta(days=365)
        old = f.make_cycle(beta, title="Old", created_at=year_ago, updated_at=year_ago)
        db.session.commit()
        before = {r.site.name: r.weeks for r in dashboard.build([beta], utcnow())}
        cycle = db.session.get(Cycle, old.id)
        assert save_worksheet(cycle, {"objective": "Sip feeds by lunch"},
                              base_version=cycle.version,
                              by=db.session.get(User, world.member_b)).saved
        db.session.commit()
        after = {r.site.name: r.weeks for r in dashboard.build([beta], utcnow())}
    assert sum(before["Beta Hospital"]) == 0
    # Two revisions: the baseline kept for a cycle made outside the app's verbs, and the edit.
    assert after["Beta Hospital"][-1] >= 1 and sum(after["Beta Hospital"][:-1]) == 0


def test_a_revision_stamped_a_moment_after_its_cycle_still_finds_it(app, world):
    """revised_since allows for a revision's stamp falling a moment after the cycle's."""
    from tracker.cycles.queries import revised_since
    from tracker.models import Cycle

    with app.app_context():
        changed = utcnow() - timedelta(days=3)
        cycle = f.make_cycle(db.session.get(Site, world.site_a), updated_at=changed)
        db.session.flush()
        found = lambda when: db.session.scalar(  # noqa: E731
            db.select(Cycle.id).where(Cycle.id == cycle.id, revised_since(when)))
        assert found(changed + timedelta(seconds=5)) == cycle.id  # its revision's stamp
        assert found(changed + timedelta(hours=1)) is None
        db.session.rollback()


def test_unindexed_is_a_unary_plus_on_sqlite_only():
    from sqlalchemy.dialects import postgresql, sqlite

    from tracker.core.queries import Unindexed
    condition = Unindexed(Feedback.created_at) >= utcnow()
    assert str(condition.compile(dialect=sqlite.dialect())).startswith("+feedback.created_at >=")
    assert str(condition.compile(dialect=postgresql.dialect())).startswith(
        "feedback.created_at >=")
    # Cacheable, and told apart by the column it holds (else a statement could be served
    # another's compiled SQL, or none could be cached).
    keys = [(Unindexed(column) >= utcnow())._generate_cache_key()
            for column in (Feedback.created_at, Feedback.created_at, Feedback.cycle_id)]
    assert None not in keys
    assert keys[0].key == keys[1].key != keys[2].key


def _site_names(html: str, section: str) -> list[str]:
    """The sites named in rows of one per-site section of the faculty dashboard."""
    part = html[html.index(section):]
    part = part[:part.index("</section>")]
    return re.findall(r'<th scope="row" class="small">([^<]+)</th>', part)


def test_dashboard_pages_the_sites_and_every_site_stays_reachable(app, login, world,
                                                                  monkeypatch):
    with app.app_context():
        collab = db.session.get(Collaborative, world.collaborative)
        for i in range(5):
            f.make_site(collab, f"Extra {i}")
        db.session.commit()
        everyone = sorted(s.name for s in db.session.scalars(
            db.select(Site).where(Site.collaborative_id == world.collaborative)))
    monkeypatch.setattr(dashboard, "PAGE_SIZE", 3)
    client = login("faculty")
    seen = []
    for n in (1, 2, 3):
        html = client.get(f"/reports/faculty?page={n}").get_data(True)
        shown = _site_names(html, "Activity per site")
        assert len(shown) == (3 if n < 3 else len(everyone) - 6)
        # The other per-site sections show the same page of sites.
        mix = html[html.index("Profession mix"):]
        assert all(f"<strong>{name}</strong>" in mix for name in shown)
        assert f"Sites {3 * n - 2}–{3 * n - 3 + len(shown)} of {len(everyone)}" in html
        nav = html[html.index('aria-label="Pages of sites"'):]
        assert f'aria-current="page"><span class="visually-hidden">Page </span>{n}<' in nav
        seen += shown
    assert seen == everyone  # by name, each once
    # Past the last page: the last; nonsense: the first.
    assert _site_names(client.get("/reports/faculty?page=99").get_data(True),
                       "Activity per site") == everyone[6:]
    assert _site_names(client.get("/reports/faculty?page=x").get_data(True),
                       "Activity per site") == everyone[:3]


def test_dashboard_lists_the_most_urgent_sites_and_links_to_them_all(
        app, login, world, designed, monkeypatch):
    with app.app_context():
        collab = db.session.get(Collaborative, world.collaborative)
        for i in range(3):
            f.make_site(collab, f"Extra {i}")
        db.session.commit()
    monkeypatch.setattr(dashboard, "SUPPORT_SHOWN", 2)
    client = login("faculty")
    html = client.get("/reports/faculty").get_data(True)
    support = html[html.index("may need support"):html.index('id="queue-heading"')]
    assert "may need support (4)</h2>" in support  # Beta and the three new sites
    assert support.count("<li>") == 2
    link = f"/reports/faculty/support?collaborative={world.collaborative}"
    assert f'href="{link}">All 4 sites that may need support</a>' in support
    full = client.get(link).get_data(True)
    listed = re.findall(r'<li><a href="/sites/\d+">([^<]+)</a>: ', full)
    assert sorted(listed) == ["Beta Hospital", "Extra 0", "Extra 1", "Extra 2"]
    assert listed[0] == "Beta Hospital"  # two reasons: the most urgent
    # The dashboard's list is the top of the full one.
    assert re.findall(r'<li><a href="/sites/\d+">([^<]+)</a>: ', support) == listed[:2]
    # A page of the full list goes on numbering where the last one stopped.
    monkeypatch.setattr(dashboard, "SUPPORT_PAGE_SIZE", 3)
    second = client.get(f"{link}&page=2").get_data(True)
    assert '<ol class="support-list" start="4">' in second
    assert re.findall(r'<li><a href="/sites/\d+">([^<]+)</a>: ', second) == listed[3:]


def test_dashboard_costs_the_same_queries_for_2_or_12_sites(app, login, world, designed,
                                                            count_queries):
    client = login("faculty")
    with count_queries() as small:
        client.get("/reports/faculty")
    with app.app_context():
        collab = db.session.get(Collaborative, world.collaborative)
        for i in range(10):
            f.make_user(site=f.make_site(collab, f"Extra {i}"))
        db.session.commit()
    with count_queries() as large:
        client.get("/reports/faculty")
    assert large.count == small.count


def test_dashboard_and_support_list_cost_the_same_queries_on_any_page(
        app, login, world, designed, count_queries, monkeypatch):
    monkeypatch.setattr(dashboard, "PAGE_SIZE", 2)
    monkeypatch.setattr(dashboard, "SUPPORT_PAGE_SIZE", 2)
    with app.app_context():
        collab = db.session.get(Collaborative, world.collaborative)
        for i in range(6):
            f.make_user(site=f.make_site(collab, f"Extra {i}"))
        db.session.commit()
    client = login("faculty")
    counts = []
    for path in ("/reports/faculty", "/reports/faculty?page=2", "/reports/faculty?page=4",
                 "/reports/faculty/support", "/reports/faculty/support?page=3"):
        app.extensions["memos"].clear()  # each page as a server that has kept nothing makes it
        with count_queries() as counter:
            assert client.get(path).status_code == 200
        counts.append(counter.count)
    assert counts[0] == counts[1] == counts[2] and counts[3] == counts[4]


def test_the_report_shows_a_page_of_sites_and_its_csv_every_site(app, login, world, designed,
                                                                 monkeypatch):
    from tracker.reports import routes

    monkeypatch.setattr(routes, "REPORT_SITES_PER_PAGE", 5)
    with app.app_context():
        collab = db.session.get(Collaborative, world.collaborative)
        for i in range(10):
            f.make_cycle(f.make_site(collab, f"Extra {i:02}"), do_started_on=utcnow().date())
        db.session.commit()
    client = login("faculty")
    pages = [figures_page(client, page=n) for n in (1, 2, 3)]
    shown = [p.count("Storyboard<span") for p in pages]
    assert shown == [5, 5, 2]
    names = ["Alpha Hospital", "Beta Hospital", *(f"Extra {i:02}" for i in range(10))]
    for name in names:  # each site on exactly one page, by name
        assert sum(f">{name}</a>" in p for p in pages) == 1
    assert ">Alpha Hospital</a>" in pages[0] and ">Extra 09</a>" in pages[2]
    assert "Sites 6 to 10 of 12, by name; the CSV has every site." in pages[1]
    assert 'aria-current="page"' in pages[1]
    # The CSV: every site, the same figures as its page.
    rows = {r["site"]: r for r in csv_rows(client)}
    assert set(rows) == set(names)
    alpha = pages[0][pages[0].index(">Alpha Hospital</a>"):]
    assert f'<td data-label="Cycles started">{rows["Alpha Hospital"]["cycles_started"]}</td>' \
        in alpha
    # The progress distribution still counts every site, not the page's.
    assert all("<caption>All sites (12 sites)</caption>" in p for p in pages)
