"""The dashboard's activity feed: recent work across the collaborative, only what the user
may see, new items marked since the last visit."""

from datetime import timedelta

import pytest

from tests import factories as f
from tracker.core import versions
from tracker.cycles import services
from tracker.extensions import db
from tracker.models import (
    Collaborative,
    CycleRevision,
    EventKind,
    Site,
    Stage,
    User,
    Visibility,
    utcnow,
)


def revision(cycle, user_id, action="created", version=1, **overrides):
    db.session.add(CycleRevision(cycle_id=cycle.id, version=version, action=action, user_id=user_id,
                                 snapshot={}, **overrides))


def test_feed_shows_visible_work_and_hides_drafts_and_other_collaboratives(app, login, world):
    with app.app_context():
        a, b = (db.session.get(Site, s) for s in (world.site_a, world.site_b))
        shared = f.make_cycle(b, title="Shared at Beta", stage=Stage.STUDY)
        revision(shared, world.member_b)
        revision(shared, world.member_b, action="stage", version=2)
        draft = f.make_cycle(b, title="Beta draft", visibility=Visibility.SITE)
        revision(draft, world.member_b)
        f.make_comment(shared, world.faculty, "Nice one")
        f.make_feedback(shared, world.faculty, "Think about scale")
        f.make_comment(draft, world.member_b, "Secret draft comment")
        f.make_event(db.session.get(Collaborative, world.network), utcnow() + timedelta(days=9),
                     title="North huddle", kind=EventKind.WEBINAR)
        falls = f.make_site(f.make_collaborative("Falls"), "Gamma")
        other = f.make_cycle(falls, title="Falls cycle")
        revision(other, world.admin)
        old = f.make_cycle(a, title="Long ago")
        revision(old, world.member_a, created_at=utcnow() - timedelta(days=30))
        db.session.commit()
    html = login("member_a").get("/dashboard").get_data(True)
    feed = html[html.index("What's been happening"):]
    assert "Bea Physio (Beta Hospital) logged a new cycle “Shared at Beta”" in feed
    assert "Bea Physio (Beta Hospital) moved “Shared at Beta” to Study" in feed
    assert "Fay Faculty commented on “Shared at Beta”" in feed
    assert "Fay Faculty gave Beta Hospital feedback on “Shared at Beta”" in feed
    assert "New webinar in the calendar: North huddle" in feed
    for hidden in ("Beta draft", "Secret", "Falls cycle", "Long ago"):
        assert hidden not in feed
    # One statement serves every reader (made once, run with each one's sites): Beta's own
    # team sees its draft, an admin every collaborative's work.
    assert "Beta draft" in login("lead_b").get("/dashboard").get_data(True)
    assert "Falls cycle" in login("admin").get("/dashboard").get_data(True)
    assert "Beta draft" not in login("member_a").get("/dashboard").get_data(True)


def test_items_since_the_last_visit_are_marked_new(app, login, world):
    client = login("member_a")
    with app.app_context():
        cycle = f.make_cycle(db.session.get(Site, world.site_b), title="Before")
        revision(cycle, world.member_b, created_at=utcnow() - timedelta(minutes=5))
        db.session.commit()
    first = client.get("/dashboard").get_data(True)
    assert '<span class="badge text-bg-primary">New</span>' not in first  # no earlier visit
    with app.app_context():
        cycle = f.make_cycle(db.session.get(Site, world.site_b), title="After")
        revision(cycle, world.member_b, created_at=utcnow() + timedelta(seconds=1))
        db.session.commit()
    second = client.get("/dashboard").get_data(True)
    feed = second[second.index("What's been happening"):]
    assert feed.count("New</span>") == 1
    assert feed.index("New</span>") < feed.index("“After”") < feed.index("“Before”")


def test_a_site_team_shares_one_reading_of_the_feed_each_marked_new_for_its_reader(
        app, login, world, count_queries):
    amy, leo = login("member_a"), login("lead_a")
    amy.get("/dashboard")  # her first look
    with app.app_context():
        cycle = f.make_cycle(db.session.get(Site, world.site_b), title="Since Amy looked")
        revision(cycle, world.member_b, created_at=utcnow() + timedelta(seconds=1))
        db.session.commit()
    leos = leo.get("/dashboard").get_data(True)  # the feed read, and kept for Alpha's team
    assert "“Since Amy looked”" in leos and "New</span>" not in leos  # Leo never looked
    panels = app.extensions["memos"]["team_panels"]
    panels.clear()  # the sites' sections made each time: the feed alone is counted
    with count_queries() as kept:
        amys = amy.get("/dashboard").get_data(True)
    feed = amys[amys.index("What's been happening"):]
    assert feed.count("New</span>") == 1 and feed.index("New</span>") < feed.index("“Since")
    app.extensions["memos"]["activity_feeds"].clear()
    panels.clear()
    with count_queries() as read:
        assert amy.get("/dashboard").get_data(True).count("“Since Amy looked”") == 1
    assert kept.count == read.count - 1  # Leo's reading served her: one statement fewer


def test_dashboard_feed_costs_the_same_queries_for_few_or_many_items(app, login, world,
                                                                     count_queries):
    client = login("member_a")

    def add(n):
        with app.app_context():
            site = db.session.get(Site, world.site_b)
            user = db.session.get(User, world.member_b)
            for i in range(n):
                cycle = f.make_cycle(site, title=f"C{i}")
                revision(cycle, user.id)
                f.make_comment(cycle, user, "c")
                f.make_feedback(cycle, world.faculty)
            db.session.commit()

    add(1)
    client.get("/dashboard")
    app.extensions["memos"].clear()  # read, not kept from the first visit
    with count_queries() as small:
        client.get("/dashboard")
    add(30)
    app.extensions["memos"].clear()  # (Beta's writes would leave Alpha's sections kept)
    with count_queries() as large:
        html = client.get("/dashboard").get_data(True)
    assert html.count('class="mb-2">') >= 15
    assert large.count == small.count


def test_each_stage_move_is_reported_with_the_stage_it_went_to(app, login, world):
    """Do → Study → Act reads as three different moves, not three moves "to Act"."""
    with app.app_context():
        nurse = db.session.get(User, world.member_b)
        cycle = services.log_cycle(db.session.get(Site, world.site_b), by=nurse,
                                   title="Chair by the bed")
        for stage in (Stage.DO, Stage.STUDY, Stage.ACT):
            services.move_stage(cycle, stage, by=nurse)
        db.session.commit()
    feed = login("member_a").get("/dashboard").get_data(True)
    for stage in ("Do", "Study", "Act"):
        assert feed.count(f"moved “Chair by the bed” to {stage}") == 1


def _whole_and_bounded(client, monkeypatch, count_queries, bound: int):
    """The dashboard's feed with the parts reading BOUND = `bound` rows first, and the
    queries the dashboard made reading the whole span, then `bound`."""
    from tracker.main import activity

    client.get("/dashboard")
    feeds = client.application.extensions["memos"]["activity_feeds"]
    monkeypatch.setattr(activity, "BOUND", 10_000)
    feeds.clear()  # each read afresh, not kept from the visit before
    with count_queries() as whole:
        client.get("/dashboard")
    monkeypatch.setattr(activity, "BOUND", bound)
    feeds.clear()
    with count_queries() as bounded:
        feed = client.get("/dashboard").get_data(True)
    return feed[feed.index("What's been happening"):], whole, bounded


@pytest.mark.parametrize("bound, extra_queries", [(3, 1), (1, 2), (100, 0)])
def test_a_busy_span_of_what_the_user_may_not_see_never_hides_what_they_may(
        app, login, world, monkeypatch, count_queries, bound, extra_queries):
    """Each part reads the span's newest BOUND rows first; when those hold fewer than SHOWN
    the user may see, it reads ten times as many, then the whole span."""

    with app.app_context():
        now = utcnow()
        ours = f.make_cycle(db.session.get(Site, world.site_b), title="Ours, older")
        revision(ours, world.member_b, created_at=now - timedelta(days=2))
        f.make_comment(ours, world.faculty, "Older but ours", created_at=now - timedelta(days=2))
        falls = f.make_site(f.make_collaborative("Falls"), "Gamma")
        for n in range(12):  # newer, busier, and not the user's to see
            theirs = f.make_cycle(falls, title=f"Falls cycle {n}")
            revision(theirs, world.admin, created_at=now - timedelta(hours=n))
            f.make_comment(theirs, world.admin, f"Falls comment {n}",
                           created_at=now - timedelta(hours=n))
        db.session.commit()
    feed, whole, bounded = _whole_and_bounded(login("member_a"), monkeypatch, count_queries,
                                              bound)
    assert "logged a new cycle “Ours, older”" in feed
    assert "Fay Faculty commented on “Ours, older”" in feed
    assert "Falls" not in feed
    assert bounded.count == whole.count + extra_queries


def test_the_bounded_feed_is_the_whole_spans_newest(app, world, monkeypatch):
    """With plenty the user may see, the newest BOUND rows give what the whole span gives."""
    from tracker.main import activity

    with app.test_request_context():
        site = db.session.get(Site, world.site_b)
        now = utcnow()
        for n in range(40):
            cycle = f.make_cycle(site, title=f"Cycle {n:02}")
            revision(cycle, world.member_b, created_at=now - timedelta(hours=n))
            f.make_comment(cycle, world.faculty, f"Comment {n}",
                           created_at=now - timedelta(hours=n, minutes=30))
        db.session.commit()
        user = db.session.get(User, world.member_a)
        feeds = []
        for bound in (20, 10_000):
            monkeypatch.setattr(activity, "BOUND", bound)
            app.extensions.get("memos", {}).pop("activity_feeds", None)  # each one read
            feeds.append([(i.at, i.text) for i in versions.version_first(  # as its view does
                lambda: activity.recent_activity(user, now=now, upcoming=[]))()])
        assert feeds[0] == feeds[1] and len(feeds[0]) == activity.SHOWN
        assert feeds[0][0][1].endswith("“Cycle 00”")


def test_other_sites_drafts_never_send_the_cycle_changes_wider(
        app, login, world, monkeypatch, count_queries):
    """A busy day of another site's drafts in the same collaborative: the cycle changes'
    span leaves them out as it reads, so its newest BOUND still hold what the user may see
    (no wider read), and the site's own team still sees its drafts."""

    with app.app_context():
        now = utcnow()
        shared = f.make_cycle(db.session.get(Site, world.site_b), title="Shared, older")
        revision(shared, world.member_b, created_at=now - timedelta(days=2))
        for n in range(12):  # newer, and Beta's own drafts
            draft = f.make_cycle(db.session.get(Site, world.site_b), title=f"Beta draft {n}",
                                 visibility=Visibility.SITE)
            revision(draft, world.member_b, created_at=now - timedelta(hours=n))
        db.session.commit()
    feed, whole, bounded = _whole_and_bounded(login("member_a"), monkeypatch, count_queries, 3)
    assert "logged a new cycle “Shared, older”" in feed
    assert "Beta draft" not in feed
    assert bounded.count == whole.count
    theirs = login("lead_b").get("/dashboard").get_data(True)
    assert "logged a new cycle “Beta draft 0”" in theirs
