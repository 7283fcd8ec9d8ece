"""The audit log covers data, not only security: cycles logged, measure data entered by hand,
and every download of data (who took what out, when)."""

from datetime import date

from tests import factories as f
from tracker.extensions import db
from tracker.measures import services as measure_services
from tracker.measures.entries import Entry
from tracker.models import AuditEvent, Measure, User


def events(app) -> list[tuple[str, str]]:
    with app.app_context():
        return [(e.action, e.detail) for e in db.session.scalars(
            db.select(AuditEvent).order_by(AuditEvent.id))]


def test_logging_a_cycle_is_audited(app, login, world):
    response = login("member_a").post("/cycles/quick", data={
        "site_id": world.site_a, "title": "Drink in recovery", "objective": "Offer water",
        "scale_amount": "1", "scale_unit": "shift"})
    assert response.status_code == 302
    assert events(app) == [("cycle.created", "Alpha Hospital: Drink in recovery")]


def test_data_entered_by_hand_is_audited_but_an_unchanged_save_is_not(app, world):
    with app.app_context():
        measure = f.make_measure(world.collaborative)
        lead = db.session.get(User, world.lead_a)
        entries = [Entry(world.site_a, date(2026, 3, 2), numerator=3, denominator=5)]
        assert measure_services.save_entries(measure, entries, by=lead, source="grid") == 1
        assert measure_services.save_entries(measure, entries, by=lead, source="grid") == 0
        db.session.commit()
        measure_id = measure.id
    assert events(app) == [
        ("measure.data_changed", f"1 period(s) by grid at site(s) [{world.site_a}]")]
    with app.app_context():
        (event,) = db.session.scalars(db.select(AuditEvent)).all()
        assert (event.object_type, event.object_id, event.actor_id) == (
            Measure.__tablename__, measure_id, world.lead_a)


def test_every_download_of_data_is_audited(app, login, world):
    with app.app_context():
        measure_id = f.make_measure(world.collaborative).id
        db.session.commit()
    client = login("member_a")
    for url in ("/cycles/export.csv?stage=plan",
                f"/measures/{measure_id}/export.csv?site_id={world.site_a}",
                f"/measures/{measure_id}/export.xlsx",
                f"/measures/{measure_id}/chart.csv?site_id={world.site_a}",
                "/reports/action-period?format=csv"):
        assert client.get(url).status_code == 200, url
    assert [action for action, _ in events(app)] == [
        "export.cycles", "export.measure_data", "export.measure_data", "export.measure_chart",
        "export.action_period_report"]
    assert events(app)[0][1] == "stage=plan"


def test_the_log_can_be_read_for_one_site(app, login, world):
    member = login("member_a")
    member.post("/cycles/quick", data={"site_id": world.site_a, "title": "Alpha test",
                                       "objective": "o", "scale_amount": "1",
                                       "scale_unit": "shift"})
    member.get(f"/cycles/export.csv?site={world.site_b}")
    admin = login("admin")
    at_a = admin.get(f"/admin/audit?site={world.site_a}").get_data(as_text=True)
    assert "<code>cycle.created</code>" in at_a and "<code>export.cycles</code>" not in at_a
    at_b = admin.get(f"/admin/audit?site={world.site_b}").get_data(as_text=True)
    assert "<code>export.cycles</code>" in at_b and "<code>cycle.created</code>" not in at_b
    csv = admin.get(f"/admin/audit.csv?site={world.site_a}").get_data(as_text=True)
    assert csv.splitlines()[0].startswith("when (UTC),person,site,action")
    assert ",Alpha Hospital,cycle.created," in csv
    # A site id that is not one is refused beside the field, and filters nothing.
    page = admin.get("/admin/audit?site=99999").get_data(as_text=True)
    assert 'id="site-error"' in page and "<code>cycle.created</code>" in page
