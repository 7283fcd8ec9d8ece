"""The audit log viewer: admins only, filtered, newest first, paged, exported as CSV."""

import csv
import io
from datetime import datetime

import pytest

from tests import factories as f
from tracker.core import audit
from tracker.cycles import services as cycle_services
from tracker.extensions import db
from tracker.feedback import services as feedback_services
from tracker.models import AuditEvent, Cycle, Site, User


def add_events(app, world, count=3, *, when=datetime(2026, 11, 2, 9, 0)):
    with app.app_context():
        amy = db.session.get(User, world.member_a)
        for n in range(count):
            event = audit.record("auth.login", actor=amy, obj=amy, detail=f"login {n}")
            event.created_at = when.replace(minute=n)
        audit.record("auth.login_failed", actor=None, detail="=cmd|' /C calc'!A0").created_at = (
            datetime(2026, 11, 20, 12, 0))
        db.session.commit()


@pytest.mark.parametrize("who", ["member_a", "lead_a", "faculty", "partner"])
def test_only_admins_read_the_audit_log(login, world, who):
    client = login(who)
    assert client.get("/admin/audit").status_code == 403
    assert client.get("/admin/audit.csv").status_code == 403


def test_the_log_is_newest_first_and_filtered(app, login, world):
    add_events(app, world)
    client = login("admin")
    page = client.get("/admin/audit").get_data(as_text=True)
    assert page.index("2026-11-20 12:00") < page.index("login 2") < page.index("login 0")
    page = client.get("/admin/audit?person=AMY&action=auth.login").get_data(as_text=True)
    assert "3 events" in page and "login_failed" not in page.split("<tbody>")[1]
    page = client.get("/admin/audit?since=2026-11-20&until=2026-11-20").get_data(as_text=True)
    assert "1 event," in page and "login 0" not in page
    page = client.get("/admin/audit?since=2026-13-40&person=amy").get_data(as_text=True)
    assert "Not a valid date" in page and 'value="amy"' in page and "3 events" in page


def test_the_log_is_paged_in_a_fixed_number_of_queries(app, login, world, count_queries):
    client = login("admin")
    add_events(app, world, 2)
    client.get("/admin/audit")
    with count_queries() as few:
        client.get("/admin/audit")
    add_events(app, world, 58)
    with count_queries() as many:
        page = client.get("/admin/audit").get_data(as_text=True)
    assert many.count == few.count
    assert "62 events" in page and "page=2" in page
    assert "login 0" in client.get("/admin/audit?page=2").get_data(as_text=True)


def test_the_csv_export_is_filtered_spreadsheet_safe_and_audited(app, login, world):
    add_events(app, world)
    response = login("admin").get("/admin/audit.csv?action=auth.login_failed")
    assert response.mimetype == "text/csv"
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True))))
    assert rows[0][:4] == ["when (UTC)", "person", "site", "action"]
    assert [r[3] for r in rows[1:]] == ["auth.login_failed"]
    assert rows[1][6].startswith("'=")
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count(AuditEvent.id)).where(
            AuditEvent.action == "admin.audit_exported")) == 1


def test_cycle_delete_restore_and_feedback_are_audited(app, world):
    with app.app_context():
        site = db.session.get(Site, world.site_a)
        lead, faculty = db.session.get(User, world.lead_a), db.session.get(User, world.faculty)
        cycle = f.make_cycle(site)
        cycle_services.soft_delete(cycle, by=lead)
        cycle_services.restore(cycle, by=lead)
        feedback_services.request_feedback(cycle, by=lead)
        feedback_services.give_feedback(cycle, "Try a smaller test first.", by=faculty)
        db.session.commit()
        events = db.session.execute(
            db.select(AuditEvent.action, AuditEvent.actor_id).order_by(AuditEvent.id)).all()
        assert [tuple(e) for e in events] == [
            ("cycle.deleted", world.lead_a), ("cycle.restored", world.lead_a),
            ("feedback.requested", world.lead_a), ("feedback.given", world.faculty)]
        assert db.session.get(Cycle, cycle.id).deleted_at is None
