"""Running a collaborative from the admin area: the aim's measure and target, action periods,
a measure set copied from another collaborative, and each site's sign-up record."""

import threading
from datetime import date
from functools import partial

import pytest

from tests import factories as f
from tests.concurrency.together import paused, run_together
from tracker.admin import services
from tracker.extensions import db
from tracker.models import (
    AuditEvent,
    Collaborative,
    Grade,
    Measure,
    PlannedPeriod,
    Profession,
    Site,
    User,
    utcnow,
)


def edit_form(**overrides) -> dict:
    return {"name": "Test DrEaMing", "aim": "Everyone up and eating", "starts_on": "2027-01-01",
            "ends_on": "", "aim_measure_id": "", "aim_target": "", "aim_target_on": "",
            **overrides}


def make_measures(app, world) -> tuple[int, int]:
    """A core measure of the world's collaborative and one of another collaborative."""
    with app.app_context():
        mine = f.make_measure(world.collaborative, name="DrEaMing by day 1")
        other = f.make_collaborative("Sepsis")
        theirs = f.make_measure(other.id, name="Antibiotics in 1 h")
        db.session.commit()
        return mine.id, theirs.id


def test_the_aims_measure_and_target_are_set_and_shown_where_the_aim_is(app, login, world):
    mine, _ = make_measures(app, world)
    client = login("admin")
    response = client.post(f"/admin/collaboratives/{world.collaborative}/edit", data=edit_form(
        aim_measure_id=str(mine), aim_target="80", aim_target_on="2027-12-31"))
    assert response.status_code == 302
    with app.app_context():
        collab = db.session.get(Collaborative, world.collaborative)
        assert (collab.aim_measure_id, collab.aim_target, collab.aim_target_on) == (
            mine, 80.0, date(2027, 12, 31))
    expected = "Measured by:</strong> DrEaMing by day 1, target 80% by 31 December 2027"
    for url, who in [(f"/admin/collaboratives/{world.collaborative}", "admin"),
                     ("/ideas/drivers", "member_a"), ("/dashboard", "member_a")]:
        page = " ".join(login(who).get(url).get_data(as_text=True).split())
        assert expected in page, url


@pytest.mark.parametrize("which,extra,field,message", [
    ("theirs", {}, "aim_measure_id", "Not a valid choice"),
    ("none", {"aim_target": "80"}, "aim_measure_id", "Choose the measure the target is for"),
    ("mine", {"aim_target_on": "2026-01-01"}, "aim_target_on", "must not come before the start"),
])
def test_a_bad_aim_target_is_refused_next_to_its_field_and_changes_nothing(
        app, login, world, which, extra, field, message):
    mine, theirs = make_measures(app, world)
    measure = {"mine": str(mine), "theirs": str(theirs), "none": ""}[which]
    response = login("admin").post(
        f"/admin/collaboratives/{world.collaborative}/edit",
        data=edit_form(name="Renamed meanwhile", aim_measure_id=measure, **extra))
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert message in page.split(f'id="{field}-error"')[1][:200]
    assert 'value="Renamed meanwhile"' in page  # what was typed stays
    with app.app_context():
        collab = db.session.get(Collaborative, world.collaborative)
        # The name in the same form was not saved either: nothing half-done.
        assert (collab.name, collab.aim_measure_id, collab.aim_target) == (
            "Test DrEaMing", None, None)


def test_a_new_collaborative_copies_another_ones_core_measures_or_starts_empty(
        app, login, world):
    with app.app_context():
        bundle = f.make_measure(world.collaborative, name="Bundle", position=1)
        f.make_measure(world.collaborative, name="Drink", composite_id=bundle.id, position=2)
        f.make_measure(world.collaborative, name="Removed", deleted_at=utcnow())
        f.make_measure(world.collaborative, name="Alpha's own", site_id=world.site_a)
        db.session.commit()
    client = login("admin")
    page = client.get("/admin/collaboratives/new").get_data(as_text=True)
    assert "Copy the core measures of Test DrEaMing" in page
    client.post("/admin/collaboratives/new", data={
        "name": "DrEaMing Wales", "aim": "Up and eating", "measures_from": str(
            world.collaborative)})
    client.post("/admin/collaboratives/new", data={"name": "Sepsis", "measures_from": ""})
    with app.app_context():
        def measures_of(name):
            cid = db.session.scalars(db.select(Collaborative.id).filter_by(name=name)).one()
            return db.session.scalars(db.select(Measure).filter_by(collaborative_id=cid)
                                      .order_by(Measure.position)).all()
        copies = measures_of("DrEaMing Wales")
        assert [m.name for m in copies] == ["Bundle", "Drink"]
        assert copies[1].composite_id == copies[0].id  # the bundle link points at the copy
        assert all(m.site_id is None and m.deleted_at is None for m in copies)
        assert measures_of("Sepsis") == []
        created = db.session.scalars(db.select(AuditEvent).filter_by(
            action="admin.collaborative_created").order_by(AuditEvent.id)).all()
        assert [e.after["measures_copied"] for e in created] == [2, 0]


def test_measures_cannot_be_copied_from_a_network(app, login, world):
    response = login("admin").post("/admin/collaboratives/new", data={
        "name": "Sepsis", "measures_from": str(world.network)})
    assert response.status_code == 200 and "Not a valid choice" in (
        response.get_data(as_text=True))
    with app.app_context():
        assert db.session.scalars(db.select(Collaborative).filter_by(name="Sepsis")).all() == []


def period_form(name="Action period 1", starts="2027-01-01", ends="2027-03-31") -> dict:
    return {"name": name, "starts_on": starts, "ends_on": ends}


def periods(app) -> list[tuple]:
    with app.app_context():
        return [(p.name, str(p.starts_on), str(p.ends_on)) for p in db.session.scalars(
            db.select(PlannedPeriod).order_by(PlannedPeriod.starts_on))]


def test_faculty_set_action_periods_and_the_reports_use_them(app, login, world):
    client = login("faculty")
    url = f"/admin/collaboratives/{world.collaborative}/periods/new"
    assert client.post(url, data=period_form()).status_code == 302
    assert client.post(url, data=period_form("Action period 2", "2027-04-01", "2027-06-30")
                       ).status_code == 302
    assert periods(app) == [("Action period 1", "2027-01-01", "2027-03-31"),
                            ("Action period 2", "2027-04-01", "2027-06-30")]
    page = client.get(f"/admin/collaboratives/{world.collaborative}").get_data(as_text=True)
    assert "Action period 2</strong>: 1 Apr 2027 to 30 Jun 2027" in page
    assert 'href="/events/"' in page  # the learning-events calendar
    with app.app_context():
        first = db.session.scalars(db.select(PlannedPeriod.id).filter_by(
            name="Action period 1")).one()
    report = client.get(f"/reports/action-period?collaborative={world.collaborative}"
                        f"&period=p{first}").get_data(as_text=True)
    assert "Action period 1: 1 Jan 2027 to 31 Mar 2027" in report
    assert client.post(f"/admin/periods/{first}/edit", data=period_form(
        "Action period one", "2026-12-01")).status_code == 302
    assert periods(app)[0] == ("Action period one", "2026-12-01", "2027-03-31")


@pytest.mark.parametrize("data,field,message", [
    (period_form("Overlap", "2027-03-01", "2027-04-30"), "starts_on",
     "overlap Action period 1 (1 Jan 2027 to 31 Mar 2027)"),
    (period_form("Inside", "2027-02-01", "2027-02-10"), "starts_on", "overlap Action period 1"),
    (period_form("Backwards", "2027-06-01", "2027-05-01"), "ends_on",
     "must not come before the first"),
    (period_form("", "2027-06-01", "2027-07-01"), "name", "This field is required"),
    (period_form("No end", "2027-06-01", ""), "ends_on", "This field is required"),
])
def test_bad_action_periods_are_refused_and_add_nothing(app, login, world, data, field,
                                                        message):
    client = login("admin")
    url = f"/admin/collaboratives/{world.collaborative}/periods/new"
    client.post(url, data=period_form())
    response = client.post(url, data=data)
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert message in page.split(f'id="{field}-error"')[1][:200]
    assert periods(app) == [("Action period 1", "2027-01-01", "2027-03-31")]


def test_an_edited_period_may_keep_its_own_dates_but_not_take_anothers(app, login, world):
    client = login("admin")
    url = f"/admin/collaboratives/{world.collaborative}/periods/new"
    client.post(url, data=period_form())
    client.post(url, data=period_form("Action period 2", "2027-04-01", "2027-06-30"))
    with app.app_context():
        second = db.session.scalars(db.select(PlannedPeriod.id).filter_by(
            name="Action period 2")).one()
    assert client.post(f"/admin/periods/{second}/edit", data=period_form(
        "Action period 2", "2027-04-01", "2027-07-31")).status_code == 302
    response = client.post(f"/admin/periods/{second}/edit", data=period_form(
        "Action period 2", "2027-03-15", "2027-07-31"))
    assert response.status_code == 200 and "overlap Action period 1" in response.get_data(
        as_text=True)
    assert periods(app)[1] == ("Action period 2", "2027-04-01", "2027-07-31")


def period_id(app, name: str) -> int:
    with app.app_context():
        return db.session.scalars(db.select(PlannedPeriod.id).filter_by(name=name)).one()


def live_periods(app) -> list[str]:
    with app.app_context():
        return [p.name for p in db.session.scalars(db.select(PlannedPeriod).where(
            PlannedPeriod.deleted_at.is_(None)).order_by(PlannedPeriod.starts_on))]


def test_an_action_period_is_removed_and_restored(app, login, world):
    client = login("faculty")
    url = f"/admin/collaboratives/{world.collaborative}/periods/new"
    client.post(url, data=period_form())
    client.post(url, data=period_form("Action period 2", "2027-04-01", "2027-06-30"))
    first = period_id(app, "Action period 1")
    admin_page = f"/admin/collaboratives/{world.collaborative}"
    report = f"/reports/action-period?collaborative={world.collaborative}"
    assert f'value="p{first}"' in client.get(report).get_data(as_text=True)

    response = client.post(f"/admin/periods/{first}/remove")
    assert response.status_code == 302 and response.location.endswith("#periods-heading")
    assert live_periods(app) == ["Action period 2"]
    page = client.get(admin_page).get_data(as_text=True)
    removed = page.split(">Removed action periods</h3>")[1]
    assert "Action period 1</strong>: 1 Jan 2027 to 31 Mar 2027" in removed
    assert f'action="/admin/periods/{first}/restore"' in removed
    assert "Action period 2" not in removed
    assert f'value="p{first}"' not in client.get(report).get_data(as_text=True)
    # Removed, it is neither edited nor removed again: restored first.
    assert client.get(f"/admin/periods/{first}/edit").status_code == 404
    assert client.post(f"/admin/periods/{first}/edit", data=period_form("Renamed")
                       ).status_code == 404
    assert client.post(f"/admin/periods/{first}/remove").status_code == 404

    assert client.post(f"/admin/periods/{first}/restore").status_code == 302
    assert live_periods(app) == ["Action period 1", "Action period 2"]
    page = client.get(admin_page).get_data(as_text=True)
    assert ">Removed action periods<" not in page and "Restored Action period 1." in page
    assert f'value="p{first}"' in client.get(report).get_data(as_text=True)
    with app.app_context():
        events = db.session.scalars(db.select(AuditEvent).where(
            AuditEvent.action.in_(["admin.action_period_removed",
                                   "admin.action_period_restored"]))
            .order_by(AuditEvent.id)).all()
        assert [(e.action, e.object_id) for e in events] == [
            ("admin.action_period_removed", first), ("admin.action_period_restored", first)]
        assert events[0].before["name"] == events[1].after["name"] == "Action period 1"


def test_with_every_period_removed_the_learning_sessions_divide_the_time(app, login, world):
    client = login("faculty")
    client.post(f"/admin/collaboratives/{world.collaborative}/periods/new", data=period_form(
        "Action period 1", "2020-01-01", "2099-12-31"))  # covers today
    report = f"/reports/action-period?collaborative={world.collaborative}"
    assert "Action period 1: 1 Jan 2020 to 31 Dec 2099" in client.get(report).get_data(
        as_text=True)
    client.post(f"/admin/periods/{period_id(app, 'Action period 1')}/remove")
    assert "No action periods set" in client.get(
        f"/admin/collaboratives/{world.collaborative}").get_data(as_text=True)
    page = client.get(report).get_data(as_text=True)
    assert "Action period 1" not in page and "the next learning session" in page


def test_a_removed_period_overlapped_since_is_not_restored(app, login, world):
    client = login("admin")
    url = f"/admin/collaboratives/{world.collaborative}/periods/new"
    client.post(url, data=period_form())
    first = period_id(app, "Action period 1")
    client.post(f"/admin/periods/{first}/remove")
    # Its dates are free again: a new period may take them.
    assert client.post(url, data=period_form("The real first", "2027-02-01", "2027-04-30")
                       ).status_code == 302
    response = client.post(f"/admin/periods/{first}/restore", follow_redirects=True)
    page = response.get_data(as_text=True)
    assert ("Action period 1 (1 Jan 2027 to 31 Mar 2027) overlaps The real first "
            "(1 Feb 2027 to 30 Apr 2027), now in use") in page
    assert live_periods(app) == ["The real first"]
    with app.app_context():
        assert db.session.scalars(db.select(AuditEvent.id).filter_by(
            action="admin.action_period_restored")).all() == []


@pytest.mark.committed  # two people restoring at once, each on a connection of their own
def test_two_overlapping_periods_restored_at_once_are_not_both_put_back(app, world,
                                                                       monkeypatch):
    """Each restore checks for an overlap, then puts its period back. Two at the same moment
    must not both pass the check: the collaborative is held from the check to the commit, so
    the second waits, then sees the first and is refused."""
    with app.app_context():
        ids = []
        for name, starts, ends in (("Spring", date(2027, 1, 1), date(2027, 3, 31)),
                                   ("Spring again", date(2027, 2, 1), date(2027, 4, 30))):
            period = PlannedPeriod(collaborative_id=world.collaborative, name=name,
                                   starts_on=starts, ends_on=ends, deleted_at=utcnow())
            db.session.add(period)
            db.session.flush()
            ids.append(period.id)
        db.session.commit()
    # Both past the check together, unless one is made to wait for the other.
    monkeypatch.setattr(services, "_overlapping", paused(services._overlapping,
                                                         threading.Barrier(2, timeout=2)))

    def restore(period_id: int) -> list:
        with app.app_context():
            try:
                services.restore_period(db.session.get(PlannedPeriod, period_id),
                                        by=db.session.get(User, world.admin))
                db.session.commit()
                return ["restored"]
            except services.AdminError as refused:
                db.session.rollback()
                return [str(refused)]

    outcomes = [d[0] for d in run_together({str(i): partial(restore, i) for i in ids}).values()]
    assert outcomes.count("restored") == 1, outcomes
    assert "now in use: change or remove that one first" in next(
        o for o in outcomes if o != "restored")
    assert len(live_periods(app)) == 1


def test_regional_faculty_and_teams_may_not_set_action_periods(app, login, world):
    with app.app_context():
        regional = f.make_user(role="faculty", collaborative=db.session.get(
            Collaborative, world.network), email="regional@example.org")
        period = PlannedPeriod(collaborative_id=world.collaborative, name="AP1",
                               starts_on=date(2027, 1, 1), ends_on=date(2027, 3, 31))
        db.session.add(period)
        db.session.commit()
        world.tokens["regional"], period_id = regional.session_token, period.id
    for who in ("regional", "lead_a", "partner", "member_b"):
        client = login(who)
        assert client.post(f"/admin/collaboratives/{world.collaborative}/periods/new",
                           data=period_form("AP2", "2027-04-01", "2027-05-01")
                           ).status_code == 403, who
        assert client.post(f"/admin/periods/{period_id}/edit", data=period_form(
            "Mine", "2027-01-01", "2027-03-31")).status_code == 403, who
        assert client.post(f"/admin/periods/{period_id}/remove").status_code == 403, who
    assert periods(app) == [("AP1", "2027-01-01", "2027-03-31")]
    assert live_periods(app) == ["AP1"]


def site_record(**overrides) -> dict:
    return {"name": "Gamma Hospital", "organisation": "Gamma Trust", "joined_on": "2027-02-01",
            "executive_sponsor": "Dr Kay Sponsor, Medical Director",
            "clinical_lead": "Sam Nurse", "data_lead": "Dee Analyst",
            "wards": "Ward 7 (orthopaedics)\r\n\r\n  Ward 9  \r\n", **overrides}


def test_a_site_is_created_with_its_sign_up_record_and_shows_it(app, login, world):
    client = login("faculty")
    response = client.post(f"/admin/collaboratives/{world.collaborative}/sites/new",
                           data={**site_record(), "network_id": str(world.network)})
    assert response.status_code == 302
    with app.app_context():
        site = db.session.scalars(db.select(Site).filter_by(name="Gamma Hospital")).one()
        assert (site.joined_on, site.clinical_lead, site.ward_list) == (
            date(2027, 2, 1), "Sam Nurse", ["Ward 7 (orthopaedics)", "Ward 9"])
        site_id = site.id
    page = login("member_a").get(f"/sites/{site_id}").get_data(as_text=True)
    for text in ("1 February 2027", "Dr Kay Sponsor, Medical Director", "Dee Analyst",
                 "<li>Ward 9</li>"):
        assert text in page
    assert "Edit the record" not in page  # a team member reads it; managers edit it


def test_the_sign_up_record_is_edited_in_admin(app, login, world):
    client = login("faculty")
    assert "Edit the record" in client.get(f"/sites/{world.site_a}").get_data(as_text=True)
    form = site_record(name="Alpha General", executive_sponsor="Chief Nurse", wards="Ward 1")
    assert client.post(f"/admin/sites/{world.site_a}/edit", data=form).status_code == 302
    with app.app_context():
        site = db.session.get(Site, world.site_a)
        assert (site.name, site.executive_sponsor, site.wards) == (
            "Alpha General", "Chief Nurse", "Ward 1")
        assert db.session.scalars(db.select(AuditEvent.action).filter_by(
            object_type="site")).all() == ["admin.site_updated"]


@pytest.mark.parametrize("overrides,field,message", [
    ({"name": "beta hospital"}, "name", "already has a site called"),
    ({"joined_on": "1900-01-01"}, "joined_on", ""),
    ({"clinical_lead": "Patient 943 476 5919"}, "clinical_lead", "NHS number"),
])
def test_a_bad_sign_up_record_is_refused_next_to_its_field(app, login, world, overrides,
                                                           field, message):
    response = login("admin").post(f"/admin/sites/{world.site_a}/edit",
                                   data=site_record(**overrides))
    page = response.get_data(as_text=True)
    assert response.status_code == 200 and f'id="{field}-error"' in page
    assert message in page.split(f'id="{field}-error"')[1][:300]
    assert 'value="Dr Kay Sponsor, Medical Director"' in page
    with app.app_context():
        site = db.session.get(Site, world.site_a)
        assert (site.name, site.executive_sponsor) == ("Alpha Hospital", "")


def test_only_those_who_run_its_network_edit_a_sites_record(app, login, world):
    with app.app_context():
        collab = db.session.get(Collaborative, world.collaborative)
        south = f.make_collaborative("Test South", parent_id=collab.id)
        south_site = f.make_site(collab, "South Hospital", network_id=south.id)
        regional = f.make_user(role="faculty", collaborative=south, email="south@example.org")
        db.session.commit()
        world.tokens["regional"], south_site_id = regional.session_token, south_site.id
    client = login("regional")
    assert client.get(f"/admin/sites/{south_site_id}/edit").status_code == 200
    for who in ("regional", "lead_a", "member_a", "partner"):
        response = login(who).post(f"/admin/sites/{world.site_a}/edit", data=site_record())
        assert response.status_code == 403, who
    with app.app_context():
        assert db.session.get(Site, world.site_a).name == "Alpha Hospital"


def test_a_site_moves_to_another_network_and_its_faculty_with_it(app, login, world):
    """Faculty who run both networks move a site; regional faculty then run it, but cannot
    move it out of their network; an archived network is never offered, and refused."""
    with app.app_context():
        collab = db.session.get(Collaborative, world.collaborative)
        south = f.make_collaborative("Test South", parent_id=collab.id)
        closed = f.make_collaborative("Test Closed", parent_id=collab.id)
        closed.archived_at = closed.created_at
        regional = f.make_user(role="faculty", collaborative=south, email="south@example.org")
        db.session.commit()
        world.tokens["regional"], south_id, closed_id = regional.session_token, south.id, closed.id
    url, national = f"/admin/sites/{world.site_a}/edit", login("faculty")
    assert login("regional").get(url).status_code == 403  # not theirs yet
    page = national.get(url).get_data(as_text=True)
    assert "Test South" in page and "Test Closed" not in page
    refused = national.post(url, data=site_record(network_id=str(closed_id)))
    assert refused.status_code == 200
    assert "archived" in refused.get_data(as_text=True).split('id="network_id-error"')[1][:200]
    with app.app_context():
        assert db.session.get(Site, world.site_a).network_id == world.network
    assert national.post(url, data=site_record(network_id=str(south_id))).status_code == 302
    with app.app_context():
        assert db.session.get(Site, world.site_a).network_id == south_id
        moved = db.session.scalars(db.select(AuditEvent).filter_by(
            object_type="site", action="admin.site_updated")).one()
        assert (moved.before["network_id"], moved.after["network_id"]) == (world.network,
                                                                             south_id)
    south_faculty = login("regional")
    assert south_faculty.get(url).status_code == 200  # theirs now
    for elsewhere in (str(world.network), ""):  # North, or no network: not theirs to give
        assert south_faculty.post(url, data=site_record(network_id=elsewhere)).status_code == 403
    assert south_faculty.post(url, data=site_record(name="Alpha General")).status_code == 302
    with app.app_context():
        site = db.session.get(Site, world.site_a)
        assert (site.name, site.network_id) == ("Alpha General", south_id)


def test_the_site_page_shows_the_team_by_profession_and_grade(app, login, world):
    with app.app_context():
        site = db.session.get(Site, world.site_a)
        for n in range(3):
            f.make_user(site=site, name=f"Nurse {n}", email=f"nurse{n}@example.org")
        for user in db.session.scalars(db.select(User).where(User.id.in_(
                [world.lead_a, world.member_a]))):
            user.grade = Grade.JUNIOR
        db.session.commit()
    page = " ".join(login("member_b").get(f"/sites/{world.site_a}").get_data(
        as_text=True).split())
    # Five nurses (the world's two and three more): one profession dominates.
    assert "5 of 5 are nurse: aim for no single professional group to dominate." in page
    assert "Site leads: Leo Lead (junior)." in page
    assert "Junior members lead; no senior colleague in the team yet." in page
    with app.app_context():
        f.make_user(site=db.session.get(Site, world.site_a), name="Doc Senior",
                    email="senior@example.org", profession=Profession.SURGEON).grade = (
            Grade.SENIOR)
        for n in range(4):
            f.make_user(site=db.session.get(Site, world.site_a), name=f"Physio {n}",
                        email=f"physio{n}@example.org", profession=Profession.PHYSIOTHERAPIST)
        db.session.commit()
    page = " ".join(login("member_b").get(f"/sites/{world.site_a}").get_data(
        as_text=True).split())
    assert "aim for no single professional group" not in page  # 5 of 10 is not over half
    assert "with senior colleagues in the team" in page


def test_people_set_their_grade_in_their_profile(app, login, world):
    client = login("member_a")
    assert "Senior (e.g. band 8+, consultant)" in client.get("/auth/profile").get_data(
        as_text=True)
    response = client.post("/auth/profile", data={"name": "Amy Nurse", "profession": "nurse",
                                                  "grade": "middle", "submit": "y"})
    assert response.status_code == 302
    with app.app_context():
        assert db.session.get(User, world.member_a).grade == Grade.MIDDLE


def test_the_cli_copies_a_measure_set_once_and_refuses_an_unknown_source(app, runner, world):
    with app.app_context():
        f.make_measure(world.collaborative, name="DrEaMing by day 1")
        db.session.commit()
    args = ["create-collaborative", "--name", "DrEaMing Wales", "--aim", "Up and eating",
            "--measures-from", "Test DrEaMing"]
    first, again = runner.invoke(args=args), runner.invoke(args=args)
    assert first.exit_code == 0 and "with a copy of 'Test DrEaMing'" in first.output
    assert again.exit_code == 0 and "nothing changed" in again.output
    bad = runner.invoke(args=["create-collaborative", "--name", "Sepsis", "--aim", "x",
                              "--measures-from", "Nowhere"])
    assert bad.exit_code != 0 and "--measures-from 'Nowhere': no such collaborative" in (
        bad.output)
    with app.app_context():
        wales = db.session.scalars(db.select(Collaborative).filter_by(
            name="DrEaMing Wales")).one()
        assert [m.name for m in db.session.scalars(db.select(Measure).filter_by(
            collaborative_id=wales.id))] == ["DrEaMing by day 1"]
        assert db.session.scalars(db.select(Collaborative).filter_by(name="Sepsis")).all() == []


def test_the_reports_main_measure_is_the_aims_measure_once_chosen(app, login, world):
    with app.app_context():
        f.make_measure(world.collaborative, name="Outcome first", position=0)
        bundle = f.make_measure(world.collaborative, name="Bundle", position=1)
        part = f.make_measure(world.collaborative, name="Eat by day 1", position=2,
                              composite_id=bundle.id)
        db.session.commit()
        part_id = part.id
    url = f"/reports/action-period?collaborative={world.collaborative}"
    client = login("member_a")
    assert "Main measure: Outcome first" in client.get(url).get_data(as_text=True)
    with app.app_context():
        db.session.get(Collaborative, world.collaborative).aim_measure_id = part_id
        db.session.commit()
    # Even a bundle component, when it is the one the aim names.
    assert "Main measure: Eat by day 1" in client.get(url).get_data(as_text=True)


def test_the_collaborative_page_costs_the_same_queries_with_more_sites_and_periods(
        app, login, world, count_queries):
    client = login("admin")
    url = f"/admin/collaboratives/{world.collaborative}"
    client.get(url)
    with count_queries() as few:
        assert client.get(url).status_code == 200
    with app.app_context():
        collab = db.session.get(Collaborative, world.collaborative)
        for n in range(5):
            network = f.make_collaborative(f"Net {n}", parent_id=collab.id)
            f.make_site(collab, f"Site {n}", network_id=network.id)
            db.session.add(PlannedPeriod(collaborative_id=collab.id, name=f"AP{n}",
                                         starts_on=date(2027, n + 1, 1),
                                         ends_on=date(2027, n + 1, 20)))
        db.session.commit()
    with count_queries() as many:
        page = client.get(url).get_data(as_text=True)
    assert "Site 4" in page and "AP4" in page
    assert many.count == few.count
