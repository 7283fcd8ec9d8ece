"""Notifications in the app: the bell, the list, mark read, preferences, immediate email."""

import pytest

from tests import factories as f
from tracker.core.notify import notify
from tracker.extensions import db
from tracker.models import (
    EmailChoice,
    IdeaFollow,
    Notification,
    NotificationKind,
    NotificationPreference,
    Site,
)
from tracker.notifications import delivery


def add_notifications(app, user_id, n, kind=NotificationKind.COMMENT, obj=None):
    with app.app_context():
        for i in range(n):
            notify([user_id], kind, f"Note {i}", obj=obj)
        db.session.commit()
        return [n.id for n in db.session.scalars(
            db.select(Notification).where(Notification.user_id == user_id)
            .order_by(Notification.id))]


def unread(app, user_id):
    with app.app_context():
        return db.session.scalar(db.select(db.func.count(Notification.id)).where(
            Notification.user_id == user_id, Notification.read_at.is_(None)))


def test_bell_shows_the_unread_count(app, login, world):
    add_notifications(app, world.member_a, 3)
    html = login("member_a").get("/dashboard").get_data(True)
    assert '3<span class="visually-hidden"> unread</span>' in html
    assert "unread</span>" not in login("member_b").get("/dashboard").get_data(True)


def test_list_shows_own_notifications_and_marks_one_read_and_follows_its_link(app, login,
                                                                               world):
    with app.app_context():
        cycle = f.make_cycle(db.session.get(Site, world.site_a), title="Linked")
        db.session.commit()
        cycle_id = cycle.id
    ids = add_notifications(app, world.member_a, 2)
    linked = add_notifications(app, world.member_a, 1, obj=cycle)[-1]
    add_notifications(app, world.member_b, 1)
    client = login("member_a")
    html = client.get("/notifications/").get_data(True)
    assert html.count('class="notification-text"') == 3
    response = client.post(f"/notifications/{ids[0]}/read")
    assert response.status_code == 302 and response.location == "/notifications/"
    assert unread(app, world.member_a) == 2
    response = client.post(f"/notifications/{linked}/read", data={"go": "1"})
    assert response.location == f"/cycles/{cycle_id}"
    assert unread(app, world.member_a) == 1


def test_someone_elses_notification_is_not_found(app, login, world):
    other = add_notifications(app, world.member_b, 1)[0]
    assert login("member_a").post(f"/notifications/{other}/read").status_code == 404
    assert unread(app, world.member_b) == 1
    assert login("member_a").get(f"/notifications/{other}/read").status_code == 405


def test_mark_all_read_touches_only_own(app, login, world):
    add_notifications(app, world.member_a, 4)
    add_notifications(app, world.member_b, 2)
    assert login("member_a").post("/notifications/read-all").status_code == 302
    assert (unread(app, world.member_a), unread(app, world.member_b)) == (0, 2)


def test_notification_list_costs_the_same_queries_for_2_or_60(app, login, world,
                                                              count_queries):
    client = login("member_a")
    add_notifications(app, world.member_a, 2)
    with count_queries() as small:
        client.get("/notifications/")
    add_notifications(app, world.member_a, 58)
    with count_queries() as large:
        html = client.get("/notifications/").get_data(True)
    assert html.count('class="notification-text"') == 30  # one page
    assert large.count == small.count


def test_preferences_show_defaults_and_save_per_kind(app, login, world):
    client = login("member_a")
    html = client.get("/notifications/preferences").get_data(True)
    assert '<option selected value="immediately">' in html  # mentions by default
    data = {k.value: "daily" for k in NotificationKind}
    data["mention"] = "never"
    assert client.post("/notifications/preferences", data=data).status_code == 302
    with app.app_context():
        saved = {p.kind: p.email for p in db.session.scalars(
            db.select(NotificationPreference).filter_by(user_id=world.member_a))}
    assert saved[NotificationKind.MENTION] == EmailChoice.NEVER
    assert saved[NotificationKind.COMMENT] == EmailChoice.DAILY
    assert client.post("/notifications/preferences", data=data).status_code == 302
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count(NotificationPreference.id))) == len(
            NotificationKind)


def test_bad_preference_value_is_refused(app, login, world):
    response = login("member_a").post("/notifications/preferences",
                                      data={"mention": "hourly"})
    assert response.status_code == 200 and "Not a valid choice" in response.get_data(True)
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count(NotificationPreference.id))) == 0


@pytest.mark.parametrize("choice,emailed", [("immediately", True), ("daily", False),
                                            ("never", False)])
def test_mention_is_emailed_straight_away_only_when_chosen(app, login, world, outbox, choice,
                                                           emailed):
    with app.app_context():
        cycle = f.make_cycle(db.session.get(Site, world.site_a))
        db.session.add(NotificationPreference(user_id=world.faculty,
                                              kind=NotificationKind.MENTION,
                                              email=EmailChoice(choice)))
        db.session.commit()
        cycle_id = cycle.id
    login("member_b").post(f"/cycles/{cycle_id}/comments", data={"body": "@[Fay Faculty] hi"})
    to_faculty = [m for m in outbox if m["To"] == "faculty@example.org"]
    assert len(to_faculty) == (1 if emailed else 0)
    if emailed:
        body = to_faculty[0].get_content()
        assert "Bea Physio mentioned you" in body and f"/cycles/{cycle_id}" in body
        with app.app_context():
            row = db.session.scalars(db.select(Notification).filter_by(
                user_id=world.faculty)).one()
            assert row.emailed_at is not None and row.email_claim


def test_followers_who_chose_it_are_emailed_at_once_when_a_site_tests_the_idea(
        app, login, world, outbox):
    """Every notification reaches "immediately", not only those of the feedback views."""
    with app.app_context():
        idea = f.make_idea(db.session.get(Site, world.site_b), title="Chair by the bed")
        db.session.add_all([
            IdeaFollow(user_id=world.member_b, idea_id=idea.id),
            NotificationPreference(user_id=world.member_b, kind=NotificationKind.IDEA_ACTIVITY,
                                   email=EmailChoice.IMMEDIATELY)])
        db.session.commit()
        idea_id = idea.id
    response = login("member_a").post("/cycles/quick", data={
        "site_id": world.site_a, "title": "Chair by the bed, bay 2", "idea_id": idea_id,
        "objective": "Sit out on the evening of surgery"})
    assert response.status_code == 302
    to_follower = [m for m in outbox if m["To"] == "member.b@example.org"]
    assert len(to_follower) == 1
    assert "Alpha Hospital started testing" in to_follower[0].get_content()


def test_nothing_is_emailed_for_notifications_a_request_did_not_commit(app, world, outbox):
    with app.app_context():
        db.session.add(NotificationPreference(user_id=world.faculty, kind=NotificationKind.MENTION,
                                              email=EmailChoice.IMMEDIATELY))
        db.session.commit()
    with app.test_request_context("/"):
        notify([world.faculty], NotificationKind.MENTION, "never committed")
        db.session.flush()  # written, but the view never commits
        delivery.email_immediately()
        assert db.session.scalar(db.select(db.func.count(Notification.id))) == 0
    assert outbox == []
    with app.test_request_context("/"):  # the same, committed: sent
        notify([world.faculty], NotificationKind.MENTION, "committed")
        db.session.commit()
        delivery.email_immediately()
    assert [m["To"] for m in outbox] == ["faculty@example.org"]
