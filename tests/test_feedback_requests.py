"""Structured feedback: requests, giving feedback on a section and criterion, addressing it,
and the faculty review queue."""

import re
from datetime import datetime, timedelta

import pytest

from tests import factories as f
from tracker.extensions import db
from tracker.models import (
    Collaborative,
    Cycle,
    EventKind,
    Feedback,
    FeedbackRequest,
    Notification,
    NotificationKind,
    Site,
    User,
    Visibility,
    utcnow,
)


@pytest.fixture
def cycle_id(app, world):
    with app.app_context():
        cycle = f.make_cycle(db.session.get(Site, world.site_a), title="Chair by the bed")
        db.session.commit()
        return cycle.id


def told(app, kind):
    with app.app_context():
        return sorted(db.session.scalars(
            db.select(Notification.user_id).where(Notification.kind == kind)))


def requests(app):
    with app.app_context():
        return db.session.scalars(db.select(FeedbackRequest).order_by(FeedbackRequest.id)).all()


def test_team_asks_any_faculty_and_every_faculty_member_is_told(app, login, world, cycle_id):
    with app.app_context():
        second = f.make_user(role="faculty", collaborative=db.session.get(
            Collaborative, world.network), name="Net Faculty")
        db.session.commit()
        second_id = second.id
    response = login("member_a").post(f"/cycles/{cycle_id}/feedback-requests",
                                      data={"message": "Is our scale right?"})
    assert response.status_code == 302
    assert told(app, NotificationKind.FEEDBACK_REQUESTED) == sorted([world.faculty, second_id])
    request = requests(app)[0]
    assert (request.message, request.faculty_id, request.to_site_id) == (
        "Is our scale right?", None, None)


def test_team_asks_a_named_faculty_member_or_another_site(app, login, world, cycle_id):
    client = login("member_a")
    client.post(f"/cycles/{cycle_id}/feedback-requests", data={"faculty_id": world.faculty})
    assert told(app, NotificationKind.FEEDBACK_REQUESTED) == [world.faculty]
    client.post(f"/cycles/{cycle_id}/feedback-requests", data={"site_id": world.site_b})
    assert told(app, NotificationKind.FEEDBACK_REQUESTED) == sorted(
        [world.faculty, world.member_b, world.lead_b])


def test_asking_both_a_person_and_a_site_is_refused_keeping_the_message(app, login, world,
                                                                         cycle_id):
    response = login("member_a").post(
        f"/cycles/{cycle_id}/feedback-requests",
        data={"faculty_id": world.faculty, "site_id": world.site_b, "message": "Keep me"})
    html = response.get_data(True)
    assert response.status_code == 422
    assert "Ask either a named faculty member or a site, not both." in html
    assert "Keep me" in html
    assert requests(app) == []


def test_only_the_team_asks_and_not_for_a_site_draft(app, login, world, cycle_id):
    assert login("member_b").post(f"/cycles/{cycle_id}/feedback-requests").status_code == 403
    assert login("faculty").post(f"/cycles/{cycle_id}/feedback-requests").status_code == 403
    with app.app_context():
        draft = f.make_cycle(db.session.get(Site, world.site_a), visibility=Visibility.SITE)
        db.session.commit()
        draft_id = draft.id
    response = login("member_a").post(f"/cycles/{draft_id}/feedback-requests")
    assert response.status_code == 422
    assert "Share this cycle with the collaborative first" in response.get_data(True)
    assert requests(app) == []


def test_feedback_points_at_section_and_criterion_answers_the_request_and_tells_team(
        app, login, world, cycle_id):
    login("lead_a").post(f"/cycles/{cycle_id}/feedback-requests",
                         data={"faculty_id": world.faculty})
    client = login("faculty")
    page = client.get(f"/cycles/{cycle_id}/feedback?section=plan&criterion=prediction")
    assert '<option selected value="plan">' in page.get_data(True)
    response = client.post(f"/cycles/{cycle_id}/feedback", data={
        "body": "Write a **prediction** for each question.", "section": "plan",
        "criterion": "prediction"})
    assert response.status_code == 302
    with app.app_context():
        feedback = db.session.scalars(db.select(Feedback)).one()
        assert (feedback.section, feedback.criterion, feedback.author_id) == (
            "plan", "prediction", world.faculty)
        request = db.session.scalars(db.select(FeedbackRequest)).one()
        assert request.answered_at is not None and feedback.request_id == request.id
    assert told(app, NotificationKind.FEEDBACK_GIVEN) == sorted([world.member_a, world.lead_a])
    html = login("member_a").get(f"/cycles/{cycle_id}").get_data(True)
    assert "Section: Plan" in html and "Criterion: Prediction-based test" in html
    assert "<strong>prediction</strong>" in html and "Not yet addressed" in html


def test_unknown_section_or_criterion_is_refused(app, login, world, cycle_id):
    response = login("faculty").post(f"/cycles/{cycle_id}/feedback", data={
        "body": "text kept", "section": "bogus", "criterion": "nope"})
    assert response.status_code == 422 and "text kept" in response.get_data(True)
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count(Feedback.id))) == 0


@pytest.mark.parametrize("who,allowed", [
    ("faculty", True), ("member_b", True), ("admin", True),
    ("member_a", False), ("lead_a", False), ("partner", False),
])
def test_who_gives_feedback(app, login, world, cycle_id, who, allowed):
    response = login(who).post(f"/cycles/{cycle_id}/feedback", data={"body": "x"})
    assert response.status_code == (302 if allowed else 403)


def test_a_peer_site_answers_the_request_addressed_to_it(app, login, world, cycle_id):
    login("member_a").post(f"/cycles/{cycle_id}/feedback-requests",
                           data={"site_id": world.site_b})
    login("faculty").post(f"/cycles/{cycle_id}/feedback", data={"body": "Faculty view"})
    assert requests(app)[0].answered_at is None  # faculty did not answer a site's request
    login("member_b").post(f"/cycles/{cycle_id}/feedback", data={"body": "Peer view"})
    assert requests(app)[0].answered_at is not None


def test_team_marks_feedback_addressed_and_back(app, login, world, cycle_id):
    with app.app_context():
        fid = f.make_feedback(db.session.get(Cycle, cycle_id), world.faculty).id
        db.session.commit()
    assert login("member_b").post(f"/feedback/{fid}/addressed").status_code == 403
    assert login("faculty").post(f"/feedback/{fid}/addressed").status_code == 403
    client = login("member_a")
    assert client.get(f"/feedback/{fid}/addressed").status_code == 405
    client.post(f"/feedback/{fid}/addressed", data={"addressed": "1"})
    with app.app_context():
        feedback = db.session.get(Feedback, fid)
        assert feedback.addressed_at is not None and feedback.addressed_by_id == world.member_a
    assert "Mark not yet addressed" in client.get(f"/cycles/{cycle_id}").get_data(True)
    client.post(f"/feedback/{fid}/addressed", data={"addressed": "0"})
    with app.app_context():
        assert db.session.get(Feedback, fid).addressed_at is None


def test_feedback_author_deletes_softly(app, login, world, cycle_id):
    with app.app_context():
        fid = f.make_feedback(db.session.get(Cycle, cycle_id), world.faculty, "Gone soon").id
        db.session.commit()
    assert login("member_a").post(f"/feedback/{fid}/delete").status_code == 403
    assert login("faculty").post(f"/feedback/{fid}/delete").status_code == 302
    with app.app_context():
        assert db.session.get(Feedback, fid).deleted_at is not None
    assert "Gone soon" not in login("member_a").get(f"/cycles/{cycle_id}").get_data(True)


def test_team_withdraws_a_request(app, login, world, cycle_id):
    login("member_a").post(f"/cycles/{cycle_id}/feedback-requests")
    rid = requests(app)[0].id
    assert login("member_b").post(f"/feedback-requests/{rid}/withdraw").status_code == 403
    assert login("lead_a").post(f"/feedback-requests/{rid}/withdraw").status_code == 302
    assert requests(app)[0].withdrawn_at is not None
    assert login("lead_a").post(f"/feedback-requests/{rid}/withdraw").status_code == 404


@pytest.mark.parametrize("who,status", [
    ("faculty", 200), ("admin", 200), ("member_a", 403), ("lead_b", 403), ("partner", 403)])
def test_only_faculty_see_the_review_queue(login, world, who, status):
    assert login(who).get("/review").status_code == status


def test_review_queue_lists_oldest_first_changed_cycles_and_quiet_sites(app, login, world):
    now = utcnow()
    with app.app_context():
        collab = db.session.get(Collaborative, world.collaborative)
        a, b = (db.session.get(Site, s) for s in (world.site_a, world.site_b))
        gamma = f.make_site(collab, "Gamma Hospital")
        f.make_event(collab, now - timedelta(days=20), kind=EventKind.LEARNING_SESSION)
        f.make_event(collab, now + timedelta(days=40), kind=EventKind.LEARNING_SESSION)
        old = f.make_cycle(a, title="Old request")
        new = f.make_cycle(b, title="New request")
        f.make_feedback_request(new, world.member_b, created_at=now - timedelta(days=2))
        f.make_feedback_request(old, world.member_a, created_at=now - timedelta(days=9),
                                faculty_id=world.faculty)
        answered = f.make_cycle(a, title="Answered")
        f.make_feedback_request(answered, world.member_a, answered_at=now)
        changed = f.make_cycle(b, title="Changed since", updated_at=now)
        f.make_feedback(changed, world.faculty, created_at=now - timedelta(days=3))
        same = f.make_cycle(a, title="Unchanged", updated_at=now - timedelta(days=5))
        f.make_feedback(same, world.faculty, created_at=now - timedelta(days=1))
        delta = f.make_site(collab, "Delta Hospital")
        f.make_feedback(f.make_cycle(delta), world.faculty, created_at=now - timedelta(days=30))
        other = f.make_site(f.make_collaborative("Falls"), "Outside Hospital")
        f.make_feedback_request(f.make_cycle(other, title="Not mine"), world.member_a)
        db.session.commit()
        gamma_name = gamma.name
    html = login("faculty").get("/review").get_data(True)
    waiting = html[html.index("Waiting for feedback"):html.index("Changed since your")]
    assert waiting.index("Old request") < waiting.index("New request")
    assert "9 days" in waiting and "2 days" in waiting and "Answered" not in waiting
    assert "Not mine" not in html
    changed_part = html[html.index("Changed since your"):html.index("No feedback this")]
    assert "Changed since" in changed_part and "Unchanged" not in changed_part
    quiet = html[html.index("No feedback this"):html.index("</main>")]
    # Beta and Alpha had feedback this period (3 and 1 days ago); Gamma none, and Delta's
    # came before the learning session that opened the period.
    assert gamma_name in quiet and "Delta Hospital" in quiet
    assert "Beta Hospital" not in quiet and "Alpha Hospital" not in quiet


def test_review_queue_pages_and_costs_the_same_queries_with_30_or_60_requests(
        app, login, world, count_queries):
    client = login("faculty")

    def add(first, n):
        with app.app_context():
            site = db.session.get(Site, world.site_a)
            user = db.session.get(User, world.member_a)
            for i in range(first, first + n):
                cycle = f.make_cycle(site, title=f"Cycle {i}")
                f.make_feedback_request(cycle, user, faculty_id=world.faculty if i % 2 else None,
                                        to_site_id=world.site_b if i % 3 == 0 else None)
                f.make_feedback(cycle, world.faculty, created_at=datetime(2020, 1, 1))
            db.session.commit()

    add(0, 30)
    with count_queries() as small:
        first = client.get("/review").get_data(True)
    assert first.count("Give feedback<") == 25 and "Waiting for feedback (30)" in first
    assert "1 to 25 of 30, the oldest first." in first
    second = client.get("/review?page=2").get_data(True)
    assert second.count("Give feedback<") == 5 and 'start="26"' in second
    assert "<span>26.</span>" in second  # numbered on from the first page
    titles = {t for html in (first, second)
              for t in re.findall(r'fw-semibold" href="[^"]+">(Cycle \d+)</a>', html)}
    assert titles == {f"Cycle {i}" for i in range(30)}  # every request on one page or the other
    # The changed-since list pages on its own (?changed=), keeping the other list's page.
    changed = client.get("/review?page=2&changed=2").get_data(True)
    assert "Changed since your feedback (30)" in changed and 'start="26"' in changed
    add(30, 30)
    with count_queries() as large:
        assert "Waiting for feedback (60)" in client.get("/review").get_data(True)
    assert large.count == small.count


def test_feedback_mentions_tell_people_outside_the_team_once(app, login, world, cycle_id):
    login("faculty").post(f"/cycles/{cycle_id}/feedback",
                          data={"body": "See @[Bea Physio]'s ramp, @[Leo Lead]"})
    assert told(app, NotificationKind.MENTION) == [world.member_b]
    assert told(app, NotificationKind.FEEDBACK_GIVEN) == sorted([world.member_a, world.lead_a])


def test_a_windowed_page_counts_its_list_with_its_rows(app, world, count_queries):
    """QueryPage(windowed=True): the total comes with the page's rows (one query); a page
    past the end, with no rows to carry it, counts apart; an empty list is counted as none."""
    from tracker.core.paging import QueryPage

    with app.app_context():
        site = db.session.get(Site, world.site_a)
        for i in range(7):
            f.make_cycle(site, title=f"Listed {i}")
        db.session.commit()
        listed = db.select(Cycle).where(Cycle.title.like("Listed %")).order_by(Cycle.title)
        with count_queries() as one:
            page = QueryPage(listed, rows=False, page=2, per_page=5, windowed=True)
        assert one.count == 1 and page.total == 7 and page.pages == 2
        assert [c.title for c in page.items] == ["Listed 5", "Listed 6"]
        rows = QueryPage(listed.add_columns(Cycle.id), rows=True, page=1, per_page=5,
                         windowed=True)
        assert rows.total == 7 and all(len(r) == 2 and r[0].id == r[1] for r in rows.items)
        with count_queries() as two:
            past = QueryPage(listed, rows=False, page=4, per_page=5, windowed=True)
        assert two.count == 2 and past.total == 7 and past.items == []
        with count_queries() as none:
            empty = QueryPage(listed.where(Cycle.id < 0), rows=False, page=1, per_page=5,
                              windowed=True)
        assert none.count == 1 and empty.total == 0 and empty.items == []
