"""Learning events: the calendar, faculty editing, notifications, and the iCalendar feed."""

import re
from datetime import datetime, timedelta

import icalendar
import pytest

from tests import factories as f
from tracker.events import ics
from tracker.extensions import db
from tracker.models import (
    Collaborative,
    EventKind,
    LearningEvent,
    Notification,
    NotificationKind,
    User,
    utcnow,
)


@pytest.fixture
def events(app, world):
    """A national learning session, a regional webinar, and another collaborative's event."""
    now = utcnow().replace(microsecond=0)
    with app.app_context():
        national = db.session.get(Collaborative, world.collaborative)
        network = db.session.get(Collaborative, world.network)
        session = f.make_event(national, now + timedelta(days=10),
                               kind=EventKind.LEARNING_SESSION, title="Learning session 3",
                               ends_at=now + timedelta(days=10, hours=6),
                               location="Room 1, Level 2; Main St",
                               details="Bring your **run charts**, please.\nAll welcome.",
                               agenda="- 10:00 Welcome\n- 10:30 Storyboards",
                               materials="https://example.org/slides.pdf Slides")
        webinar = f.make_event(network, now + timedelta(days=3), title="North webinar")
        f.make_event(national, now - timedelta(days=30), title="Old session",
                     kind=EventKind.LEARNING_SESSION)
        f.make_event(f.make_collaborative("Falls"), now + timedelta(days=5), title="Falls day")
        db.session.commit()
        return {"session": session.id, "webinar": webinar.id}


def test_calendar_lists_national_and_regional_events_of_the_users_collaborative(login, world,
                                                                               events):
    html = login("member_a").get("/events/").get_data(True)
    upcoming = html[html.index("Coming up"):html.index("Recent")]
    assert upcoming.index("North webinar") < upcoming.index("Learning session 3")
    assert "Regional: Test North" in upcoming and "National" in upcoming
    assert "Old session" in html[html.index("Recent"):]
    assert "Falls day" not in html
    assert "Add an event" not in html


def test_event_detail_shows_agenda_details_and_materials_safely(login, world, events):
    html = login("partner").get(f"/events/{events['session']}").get_data(True)
    assert "<strong>run charts</strong>" in html and "<li>10:30 Storyboards</li>" in html
    assert '<a href="https://example.org/slides.pdf" rel="nofollow noopener">Slides</a>' in html
    assert "Edit" not in html


def test_event_of_another_collaborative_is_forbidden(app, login, world, events):
    with app.app_context():
        falls = db.session.scalars(db.select(LearningEvent.id).filter_by(title="Falls day")).one()
    assert login("member_a").get(f"/events/{falls}").status_code == 403
    assert login("member_a").get("/events/99999").status_code == 404


@pytest.mark.parametrize("who,status", [("member_a", 403), ("lead_a", 403), ("partner", 403),
                                        ("faculty", 200), ("admin", 200)])
def test_only_faculty_add_events(login, world, who, status):
    assert login(who).get("/events/new").status_code == status


def test_faculty_add_an_event_in_uk_time_and_its_people_are_told(app, login, world):
    with app.app_context():
        outsider = f.make_user(site=f.make_site(f.make_collaborative("Falls")), name="Out")
        db.session.commit()
        outsider_id = outsider.id
    response = login("faculty").post("/events/new", data={
        "collaborative_id": world.collaborative, "kind": "learning_session",
        "title": "Learning session 4", "starts_at": "2031-07-01T10:00",
        "ends_at": "2031-07-01T16:00", "location": "Online", "agenda": "- Welcome"})
    assert response.status_code == 302
    with app.app_context():
        event = db.session.scalars(db.select(LearningEvent)).one()
        # 10:00 British Summer Time is 09:00 UTC.
        assert (event.starts_at, event.ends_at) == (datetime(2031, 7, 1, 9),
                                                    datetime(2031, 7, 1, 15))
        told = set(db.session.scalars(db.select(Notification.user_id)
                                      .filter_by(kind=NotificationKind.EVENT)))
    assert told == {world.member_a, world.lead_a, world.member_b, world.lead_b, world.partner}
    assert outsider_id not in told  # and the faculty member who added it is not told
    html = login("member_a").get(response.location).get_data(True)
    assert "Tue 1 Jul 2031, 10:00 to 16:00 (UK time)" in html


def test_regional_event_tells_only_that_networks_sites(app, login, world):
    with app.app_context():
        collab = db.session.get(Collaborative, world.collaborative)
        south = f.make_site(collab, "South Hospital")
        south_member = f.make_user(site=south, name="Sam South")
        db.session.commit()
        south_id = south_member.id
    login("faculty").post("/events/new", data={
        "collaborative_id": world.network, "kind": "webinar", "title": "North only",
        "starts_at": "2031-01-10T12:00"})
    with app.app_context():
        told = set(db.session.scalars(db.select(Notification.user_id)))
    assert world.member_a in told and south_id not in told


def test_bad_event_input_is_refused_next_to_the_field_keeping_what_was_typed(app, login, world):
    response = login("faculty").post("/events/new", data={
        "collaborative_id": world.collaborative, "kind": "webinar", "title": "Kept title",
        "starts_at": "2031-01-10T12:00", "ends_at": "2031-01-10T11:00",
        "materials": "not a link"})
    html = response.get_data(True)
    assert response.status_code == 422
    assert 'id="ends_at-error"' in html and "The end must be after the start." in html
    assert "Start each line with a web address" in html
    assert 'value="Kept title"' in html and "not a link" in html
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count(LearningEvent.id))) == 0


def test_faculty_edit_bumps_the_sequence_and_delete_is_soft(app, login, world, events):
    client = login("faculty")
    sid = events["session"]
    page = client.get(f"/events/{sid}/edit").get_data(True)
    assert 'value="Learning session 3"' in page
    assert re.search(r'name="starts_at"[^>]*value="\d{4}-\d\d-\d\dT\d\d:\d\d"', page)
    response = client.post(f"/events/{sid}/edit", data={
        "collaborative_id": world.collaborative, "kind": "learning_session",
        "title": "Learning session 3 (moved)", "starts_at": "2031-02-01T10:00"})
    assert response.status_code == 302
    with app.app_context():
        event = db.session.get(LearningEvent, sid)
        assert (event.title, event.sequence) == ("Learning session 3 (moved)", 1)
        assert event.starts_at == datetime(2031, 2, 1, 10)  # GMT in winter
    assert login("member_a").post(f"/events/{sid}/delete").status_code == 403
    assert client.get(f"/events/{sid}/delete").status_code == 405
    assert client.post(f"/events/{sid}/delete").status_code == 302
    with app.app_context():
        event = db.session.get(LearningEvent, sid)
        assert event.deleted_at is not None and event.sequence == 2
    assert client.get(f"/events/{sid}").status_code == 404


def test_two_faculty_editing_an_event_at_once_overwrite_nothing(app, login, world, events):
    sid, url = events["session"], f"/events/{events['session']}/edit"
    fay, fred = login("faculty"), login("admin")
    seen = [re.search(r'name="seen" type="hidden" value="(\d+)"', c.get(url).get_data(True))
            .group(1) for c in (fay, fred)]
    form = {"collaborative_id": world.collaborative, "kind": "learning_session",
            "title": "Learning session 3", "starts_at": "2031-02-01T10:00"}
    assert fay.post(url, data={**form, "location": "Room 2", "seen": seen[0]}).status_code == 302
    # Fred's form was opened before Fay's save: his is refused, hers shown beside his.
    refused = fred.post(url, data={**form, "title": "Session 3, online", "seen": seen[1]})
    html = refused.get_data(True)
    assert refused.status_code == 409 and "Someone saved this event while you" in html
    assert '<dt class="col-sm-3">Where</dt><dd class="col-sm-9">Room 2</dd>' in html
    assert 'value="Session 3, online"' in html  # what he typed, kept
    with app.app_context():
        event = db.session.get(LearningEvent, sid)
        assert (event.title, event.location, event.sequence) == ("Learning session 3",
                                                                 "Room 2", 1)
    # Saving again, now knowing hers, keeps his form: a new version for the calendars.
    again = re.search(r'name="seen" type="hidden" value="(\d+)"', html).group(1)
    assert fred.post(url, data={**form, "title": "Session 3, online", "location": "Room 2",
                                "seen": again}).status_code == 302
    with app.app_context():
        event = db.session.get(LearningEvent, sid)
        assert (event.title, event.sequence) == ("Session 3, online", 2)


def feed_link(client, collaborative_id):
    html = client.get("/events/").get_data(True)
    match = re.search(rf'value="(http://localhost/events/{collaborative_id}/calendar\.ics'
                      r'\?token=[^"]+)"', html)
    return match.group(1).replace("http://localhost", "")


def test_ics_feed_parses_back_with_every_event_and_escaped_text(app, login, world, events,
                                                                client):
    link = feed_link(login("member_a"), world.network)
    response = client.get(link)  # a calendar app: no session, just the personal link
    assert response.status_code == 200
    assert response.mimetype == "text/calendar"
    raw = response.get_data()
    assert b"\r\n" in raw and b"\n" not in raw.replace(b"\r\n", b"")
    assert all(len(line) <= 75 for line in raw.split(b"\r\n"))
    calendar = icalendar.Calendar.from_ical(raw)
    found = {str(e["SUMMARY"]): e for e in calendar.walk("VEVENT")}
    assert set(found) == {"Learning session 3", "North webinar", "Old session"}
    session = found["Learning session 3"]
    assert str(session["LOCATION"]) == "Room 1, Level 2; Main St"
    assert "Bring your **run charts**, please.\nAll welcome." in str(session["DESCRIPTION"])
    assert str(session["UID"]).startswith(f"learning-event-{events['session']}@")
    assert session["DTSTART"].dt.tzinfo is not None and "DTSTAMP" in session
    assert str(session["STATUS"]) == "CONFIRMED"
    assert b"LOCATION:Room 1\\, Level 2\\; Main St" in raw


def test_national_feed_has_national_events_and_cancelled_ones_stay_as_cancelled(app, login,
                                                                                world, events):
    client = login("faculty")
    client.post(f"/events/{events['session']}/delete")
    raw = client.get(f"/events/{world.collaborative}/calendar.ics").get_data()
    found = {str(e["SUMMARY"]): e for e in icalendar.Calendar.from_ical(raw).walk("VEVENT")}
    assert set(found) == {"Learning session 3", "Old session"}
    assert str(found["Learning session 3"]["STATUS"]) == "CANCELLED"
    assert int(found["Learning session 3"]["SEQUENCE"]) == 1


def test_feed_needs_a_valid_token_or_a_session(app, login, world, events, client):
    link = feed_link(login("member_a"), world.network)
    assert client.get(f"/events/{world.network}/calendar.ics").status_code == 302
    assert client.get(link + "x").status_code == 302
    other_feed = link.replace(f"/events/{world.network}/", f"/events/{world.collaborative}/")
    assert client.get(other_feed).status_code == 302  # a token is for one feed only
    with app.app_context():
        db.session.get(User, world.member_a).set_password("a new password 123")
        db.session.commit()
    assert client.get(link).status_code == 302  # a password change retires old links
    with app.app_context():
        falls_id = db.session.scalars(db.select(Collaborative.id).filter_by(name="Falls")).one()
    assert login("member_b").get(f"/events/{falls_id}/calendar.ics").status_code == 403


def _feed(name: str = "Feed", **entry) -> bytes:
    """A one-event feed built straight from ics, as the bytes a calendar app receives."""
    moment = datetime(2026, 3, 2, 10, 0)
    fields = {"uid": "learning-event-1@example.org", "summary": "Session",
              "starts_at": moment, "ends_at": None, "stamp": moment, **entry}
    return ics.calendar([ics.Entry(**fields)], name=name, now=moment).encode()


@pytest.mark.parametrize("text,expected", [
    ("a,b;c\\d", b"a\\,b\\;c\\\\d"),
    ("line1\nline2\r\nline3", b"line1\\nline2\\nline3"),
])
def test_ics_text_escaping(text, expected):
    raw = _feed(name=text, summary=text, location=text)
    for prop in (b"X-WR-CALNAME:", b"SUMMARY:", b"LOCATION:"):
        assert prop + expected + b"\r\n" in raw


def test_ics_folding_never_splits_a_utf8_character():
    raw = _feed(summary="é" * 100, description="Short")
    lines = raw.split(b"\r\n")
    summary = next(i for i, line in enumerate(lines) if line.startswith(b"SUMMARY:"))
    parts = [lines[summary]]
    while lines[summary + len(parts)].startswith(b" "):
        parts.append(lines[summary + len(parts)])
    assert len(parts) > 1 and all(len(part) <= 75 for part in parts)
    for part in parts:
        part.decode()  # raises if a fold split a character
    assert b"".join([parts[0], *(part[1:] for part in parts[1:])]).decode() == (
        "SUMMARY:" + "é" * 100)
    assert b"DESCRIPTION:Short\r\n" in raw  # short lines are not folded


def test_ics_event_times_are_utc_and_a_zero_length_event_has_no_end():
    start = datetime(2026, 3, 2, 10, 0)
    raw = _feed(starts_at=start, ends_at=start, sequence=3, cancelled=True)
    assert b"DTSTART:20260302T100000Z\r\n" in raw and b"DTEND" not in raw
    assert b"SEQUENCE:3\r\n" in raw and b"STATUS:CANCELLED\r\n" in raw
    assert b"REFRESH-INTERVAL;VALUE=DURATION:PT6H\r\n" in raw


def test_calendar_page_costs_the_same_queries_for_3_or_40_events(app, login, world,
                                                                 count_queries):
    client = login("member_a")

    def add(n):
        with app.app_context():
            network = db.session.get(Collaborative, world.network)
            for i in range(n):
                f.make_event(network, utcnow() + timedelta(days=i - n // 2), title=f"E{i}")
            db.session.commit()

    add(3)
    with count_queries() as small:
        client.get("/events/")
    add(37)
    with count_queries() as large:
        client.get("/events/")
    assert large.count == small.count
