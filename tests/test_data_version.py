"""The data's version (tracker/core/versions.py) and the reports kept under it: every committed
write changes it but bookkeeping no kept page shows, nothing else does, and a kept report is
never older than the data or another reader's."""


import pytest
import sqlalchemy as sa
from flask import render_template_string
from flask_login import login_user
from flask_wtf.csrf import generate_csrf

from tests import factories as f
from tests.api_helpers import ApiClient, make_token
from tests.conftest import without_tokens
from tests.test_networks import south  # noqa: F401  (a fixture)
from tracker.core import versions
from tracker.extensions import db
from tracker.models import (
    ApiToken,
    AuditEvent,
    Collaborative,
    Cycle,
    DataVersion,
    Notification,
    NotificationKind,
    Site,
    User,
    utcnow,
)


def _version(app) -> int | None:
    with app.app_context():
        return versions.current()


def test_every_kind_of_committed_write_gives_the_data_a_new_version(app, world):
    seen = [_version(app)]
    assert seen[0] is not None
    writes = [
        lambda: db.session.get(Site, world.site_a).__setattr__("name", "Alpha General"),  # ORM
        lambda: db.session.execute(sa.update(Site).where(Site.id == world.site_b)
                                   .values(name="Beta General")),  # a Core statement
        lambda: db.session.execute(sa.text("UPDATE site SET name = 'Beta' WHERE id = :i"),
                                   {"i": world.site_b}),  # plain SQL
        lambda: db.session.delete(db.session.get(Site, f.make_site(
            db.session.get(Collaborative, world.collaborative), "Gamma").id)),  # add, delete
    ]
    for write in writes:
        with app.app_context():
            write()
            db.session.commit()
        seen.append(_version(app))
    assert len(set(seen)) == len(seen)


def test_reading_or_a_rolled_back_write_leaves_it_as_it_was(app, world, login):
    before = _version(app)
    with app.app_context():
        db.session.scalars(sa.select(Site)).all()
        db.session.commit()
        db.session.get(Site, world.site_a).name = "Not kept"
        db.session.flush()
        db.session.rollback()
    assert login("faculty").get("/reports/faculty").status_code == 200
    assert _version(app) == before
    with app.app_context():
        assert db.session.get(Site, world.site_a).name == "Alpha Hospital"


def test_a_transaction_that_has_written_keeps_nothing(app, world):
    with app.app_context():
        assert versions.current() is not None
        db.session.get(Site, world.site_a).name = "Pending"
        # Not yet anyone's data: a result made from it must not be kept under any version.
        assert versions.current() is None
        made = [versions.kept_until_written("test", 4, "k", object) for _ in "ab"]
        assert made[0] is not made[1]  # made each time
        db.session.commit()
        assert versions.current() is not None


def test_a_kept_result_is_made_again_after_a_write(app, world):
    app.config["CHECK_KEPT"] = False  # (which makes a kept result again: here they differ)
    made = []

    def make():
        made.append(1)
        return len(made)

    with app.app_context():
        first = versions.kept_until_written("test", 4, "k", make)
        assert versions.kept_until_written("test", 4, "k", make) == first == 1
    with app.app_context():
        db.session.get(Site, world.site_a).name = "Alpha General"
        db.session.commit()
    with app.app_context():
        assert versions.kept_until_written("test", 4, "k", make) == 2


def test_without_its_row_nothing_is_kept(app, world):
    with app.app_context():
        db.session.execute(sa.delete(DataVersion))
        db.session.commit()
        assert versions.current() is None
        made = [versions.kept_until_written("test", 4, "k", lambda: object()) for _ in "ab"]
        assert made[0] is not made[1]


def page_without_tokens(client, path: str) -> str:
    """The page as served, its form tokens left out (conftest.without_tokens)."""
    return without_tokens(client.get(path).get_data(True))


def test_the_faculty_dashboard_is_kept_until_anything_changes(app, login, world,
                                                              count_queries):
    client = login("faculty")
    first = page_without_tokens(client, "/reports/faculty")
    with count_queries() as again:
        assert page_without_tokens(client, "/reports/faculty") == first
    with app.app_context():
        cycle = f.make_cycle(db.session.get(Site, world.site_b), title="Walk to the window",
                             author_id=world.member_b)
        f.make_comment(cycle, db.session.get(User, world.member_b))
        db.session.get(Site, world.site_a).name = "Alpha General"
        db.session.commit()
    with count_queries() as changed:
        page = page_without_tokens(client, "/reports/faculty")
    assert "Alpha General" in page and "Alpha Hospital" not in page
    assert page != first and changed.count > again.count
    # The heatmap counts the comment in Beta's row: one thing done this week.
    beta = page.split('class="small">Beta Hospital</th>')[1].split("</tr>")[0]
    assert 'fw-semibold">1</td>' in beta


def test_the_action_period_report_is_kept_until_anything_changes(app, login, world):
    client = login("faculty")
    first = page_without_tokens(client, "/reports/action-period")
    assert page_without_tokens(client, "/reports/action-period") == first
    with app.app_context():
        f.make_site(db.session.get(Collaborative, world.collaborative), "Gamma Hospital")
        db.session.commit()
    assert "Gamma Hospital" in client.get("/reports/action-period").get_data(True)


def test_a_kept_report_is_each_readers_own(app, login, world, south):  # noqa: F811
    for who in ("faculty", "regional", "faculty"):
        page = login(who).get("/reports/faculty").get_data(True)
        assert ("South Hospital" in page) == (who == "faculty")
        assert "Alpha Hospital" in page
    # Other arguments, another body: a network narrowed to by the same reader.
    page = login("faculty").get(f"/reports/faculty?network={south.network}").get_data(True)
    assert "South Hospital" in page and "Alpha Hospital" not in page


def test_the_faculty_support_ranking_follows_a_change(app, login, world):
    client = login("faculty")
    assert "Beta Hospital" in client.get("/reports/faculty/support").get_data(True)
    with app.app_context():
        # A test this action period, recently changed, at both sites: neither is quiet now;
        # with no data they may still need support, for that reason alone.
        for site in (world.site_a, world.site_b):
            f.make_cycle(db.session.get(Site, site), title="New test")
        db.session.commit()
    page = client.get("/reports/faculty/support").get_data(True)
    assert "No cycle this action period" not in page
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count(Cycle.id))) == 2


@pytest.mark.parametrize("path", ["/reports/faculty", "/reports/action-period", "/review",
                                  "/measures/{m}/sites", "/reports/sites/{site}/storyboard"])
def test_every_kept_page_shows_a_change_at_once(app, login, world, path):
    with app.app_context():
        measure = f.make_measure(world.collaborative, name="DrEaMing")  # core: every site
        db.session.commit()
        path = path.format(m=measure.id, site=world.site_b)
    client = login("faculty")
    assert "Beta Hospital" in client.get(path).get_data(True)
    assert "Beta Hospital" in client.get(path).get_data(True)  # kept
    with app.app_context():
        db.session.get(Site, world.site_b).name = "Beta General"
        db.session.commit()
    page = client.get(path).get_data(True)
    assert "Beta General" in page and "Beta Hospital" not in page


def test_a_kept_body_carries_each_sessions_own_form_token(app, world):
    app.config["CHECK_KEPT"] = False  # (which would make the kept body again)
    made = []

    def make() -> str:
        made.append(1)
        return render_template_string('<input name="csrf_token" value="{{ csrf_token() }}">')

    tokens = []
    for _ in "ab":  # one reader, two sessions (each request context starts a session afresh)
        with app.test_request_context("/reports/faculty"):
            login_user(db.session.get(User, world.faculty))
            body = versions.version_first(
                lambda: versions.kept_body("test_bodies", utcnow(), make))()
            tokens.append((str(body), generate_csrf()))
    assert len(made) == 1  # the second session was given the kept body
    for body, token in tokens:
        assert body == f'<input name="csrf_token" value="{token}">'
    assert tokens[0][1] != tokens[1][1]


def test_data_changed_gives_the_data_a_new_version(app, runner):
    """After an edit outside the app (psql), `flask data-changed` tells every app server."""
    before = _version(app)
    result = runner.invoke(args=["data-changed"])
    assert result.exit_code == 0 and "new version" in result.output
    assert _version(app) not in (before, None)


def test_a_body_is_kept_only_by_a_view_that_read_the_version_first(app, world, monkeypatch):
    """A view that keeps its body must read the data's version before anything it shows
    (version_first): under test, a view that does not is an error; a server keeps nothing."""
    made = []

    def make() -> str:
        made.append(1)
        return "body"

    with app.test_request_context("/reports/faculty"):
        login_user(db.session.get(User, world.faculty))
        with pytest.raises(RuntimeError, match="version_first"):
            versions.kept_body("test_bodies", utcnow(), make)
    monkeypatch.setattr(app, "testing", False)
    for _ in "ab":
        with app.test_request_context("/reports/faculty"):
            login_user(db.session.get(User, world.faculty))
            assert versions.kept_body("test_bodies", utcnow(), make) == "body"
    assert len(made) == 2  # made each time, never kept


def test_writes_are_told_from_reads_however_they_are_sent(app, world):
    with app.app_context():
        conn = db.session.connection()
        for statement, writes in [
            (sa.select(Site.id).where(Site.name == "UPDATE"), False),
            (sa.select(sa.select(Site.id).cte("updated").c.id), False),
            (sa.update(Site).where(Site.id == 0).values(name="x"), True),
            (sa.insert(Site).from_select(["name", "collaborative_id"], sa.select(
                Site.name, Site.collaborative_id).where(Site.id == 0)), True),
            (sa.delete(Site).where(Site.id == 0), True),
            (sa.text("SELECT 1 WHERE 'UPDATE' = 'x'"), False),
            (sa.text("update site SET name = name WHERE id = 0"), True),
            (sa.text("WITH x AS (SELECT 1) SELECT * FROM x"), False),
            (sa.text("WITH x AS (SELECT 0 AS id) DELETE FROM site WHERE id IN "
                     "(SELECT id FROM x)"), True),
        ]:
            conn.info.pop(versions.WROTE, None)
            conn.execute(statement)
            assert bool(conn.info.get(versions.WROTE)) == writes, statement
        db.session.rollback()


def test_a_savepoint_released_moves_nothing_until_the_commit(app, world):
    before = _version(app)
    with app.app_context():
        db.session.get(Site, world.site_a).name = "Alpha General"
        with db.session.begin_nested():  # as sustain.watch does
            db.session.get(Site, world.site_b).name = "Beta General"
        # Released, not committed: nothing is anyone's yet, and the version has not moved.
        assert versions.current() is None
        assert db.session.scalar(sa.select(DataVersion.n)) == before
        db.session.commit()
    assert _version(app) not in (None, before)


def test_a_savepoint_rolled_back_leaves_what_was_written_before_it(app, world):
    before = _version(app)
    with app.app_context():
        db.session.get(Site, world.site_a).name = "Alpha General"
        db.session.flush()
        nested = db.session.begin_nested()
        db.session.get(Site, world.site_b).name = "Beta General"
        db.session.flush()
        nested.rollback()
        assert versions.current() is None  # the write before the savepoint still stands
        db.session.commit()
    assert _version(app) not in (None, before)


def test_bookkeeping_no_kept_page_shows_leaves_the_version_and_the_kept_reports(
        app, client, login, world, count_queries):
    token = make_token(app, world.member_a, "read")
    with app.app_context():  # Amy has never looked at her dashboard, and has two notifications
        db.session.get(User, world.member_a).dashboard_seen_at = None
        notes = [Notification(user_id=world.member_a, kind=NotificationKind.COMMENT,
                              text=f"Note {n}") for n in range(2)]
        db.session.add_all(notes)
        db.session.commit()
        note = notes[0].id
    faculty = login("faculty")
    with count_queries() as made:
        faculty.get("/reports/faculty")
    with count_queries() as kept:
        faculty.get("/reports/faculty")
    assert kept.count < made.count
    before = _version(app)
    # A sign-in, wrong and right: its time and audit.
    client.post("/auth/login", data={"email": "member.a@example.org", "password": "wrong"})
    assert client.post("/auth/login", data={"email": "member.a@example.org",
                                            "password": f.PASSWORD}).status_code == 302
    # A dashboard visit: the user's last look. An API read: the token's last use.
    nurse = login("member_a")
    assert nurse.get("/dashboard").status_code == 200
    assert ApiClient(app, token).get("/api/v1/sites").status_code == 200
    # Notifications read, one and then all.
    assert nurse.post(f"/notifications/{note}/read").status_code == 302
    assert nurse.post("/notifications/read-all").status_code == 302
    with app.app_context():
        amy = db.session.get(User, world.member_a)
        assert amy.dashboard_seen_at is not None and amy.last_login_at is not None
        assert db.session.scalar(sa.select(ApiToken.last_used_at)) is not None
        actions = set(db.session.scalars(sa.select(AuditEvent.action)))
        assert {"auth.login", "auth.login_failed"} <= actions
        assert db.session.scalar(sa.select(sa.func.count()).where(
            Notification.user_id == world.member_a, Notification.read_at.is_(None))) == 0
    assert _version(app) == before
    with count_queries() as again:
        assert faculty.get("/reports/faculty").status_code == 200
    assert again.count == kept.count  # still kept


def test_a_write_before_the_bookkeeping_still_moves_the_version(app, world):
    before = _version(app)
    with app.app_context():
        db.session.get(Site, world.site_a).name = "Alpha General"  # pending, then flushed
        with versions.unshown():
            db.session.get(User, world.member_a).dashboard_seen_at = utcnow()
        db.session.commit()
    assert _version(app) not in (before, None)
    moved = _version(app)
    with app.app_context():
        with versions.unshown():
            db.session.get(User, world.member_a).dashboard_seen_at = None
        db.session.get(Site, world.site_a).name = "Alpha Hospital"  # after the block: counts
        db.session.commit()
    assert _version(app) not in (moved, None)


def test_a_failed_bookkeeping_block_counts_its_writes(app, world):
    before = _version(app)
    with app.app_context():
        with pytest.raises(RuntimeError), versions.unshown():
            db.session.get(Site, world.site_a).name = "Alpha General"  # not bookkeeping at all
            db.session.flush()
            raise RuntimeError("the block failed")
        db.session.commit()  # what the block wrote before it failed counts
    assert _version(app) not in (before, None)


def test_a_page_that_keeps_things_reads_the_version_with_the_signed_in_user(
        app, login, count_queries):
    """version_first: the login loader reads the data's version in its one statement (one
    snapshot, as if read before the user), and nothing reads it again."""
    client = login("member_a")
    client.get("/dashboard")  # the first look writes its seen time
    with count_queries() as counted:
        assert client.get("/dashboard").status_code == 200
    first, *rest = counted.statements
    assert "data_version" in first and "session_token" in first
    assert not any("data_version" in statement for statement in rest)
