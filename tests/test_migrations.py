"""`flask db upgrade` on an empty database yields exactly the models' schema, on both engines."""

import uuid

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import downgrade, upgrade

from tests.conftest import make_config
from tracker import create_app
from tracker.extensions import db
from tracker.search.engine import PG_PENDING_LIMIT_KB, include_name


@pytest.fixture
def empty_database_url(database_url, tmp_path):
    """A brand-new empty database on the same engine as the suite."""
    url = sa.make_url(database_url)
    if url.get_backend_name() != "postgresql":
        yield f"sqlite:///{tmp_path / 'migrations.sqlite'}"
        return
    name = f"migrations_{uuid.uuid4().hex[:8]}"
    admin = sa.create_engine(url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    try:
        yield url.set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def test_upgrade_builds_exactly_the_models_schema(empty_database_url):
    app = create_app(make_config(empty_database_url))
    with app.app_context():
        upgrade()
        with db.engine.connect() as conn:
            diff = compare_metadata(
                MigrationContext.configure(
                    conn, opts={"compare_type": True, "include_name": include_name}
                ),
                db.metadata,
            )
        db.engine.dispose()
    assert diff == []


def test_upgrade_gives_the_data_a_new_version(empty_database_url):
    """What migrations write is new data, though alembic's connection is no app session: the
    upgrade moves the data's version, so app servers make their kept pages afresh."""
    from tracker.models import DataVersion

    app = create_app(make_config(empty_database_url))
    with app.app_context():
        seen = []
        for _ in range(2):  # the second upgrade has nothing to do, and still moves it
            upgrade()
            with db.engine.connect() as conn:
                seen.append(conn.execute(sa.select(DataVersion.n)).scalar_one())
        db.engine.dispose()
    assert seen[0] != seen[1]


def test_downgrade_to_base_removes_every_table(empty_database_url):
    app = create_app(make_config(empty_database_url))
    with app.app_context():
        upgrade()
        downgrade(revision="base")
        with db.engine.connect() as conn:
            tables = set(sa.inspect(conn).get_table_names()) - {"alembic_version"}
        db.engine.dispose()
    assert tables == set()


def test_search_migration_indexes_what_an_existing_database_holds(empty_database_url):
    app = create_app(make_config(empty_database_url))
    with app.app_context():
        upgrade(revision="9b719e60db68")  # before search existed
        with db.engine.begin() as conn:
            conn.execute(sa.text(
                "INSERT INTO collaborative (id, name, aim, created_at) "
                "VALUES (1, 'C', '', '2026-01-01')"))
            conn.execute(sa.text(
                "INSERT INTO change_idea (id, collaborative_id, title, description, created_at, "
                "updated_at) VALUES (1, 1, 'Evening snack boxes', '', '2026-01-01', "
                "'2026-01-01')"))
        upgrade()
        from tracker.models import User
        from tracker.search.engine import search

        admin = User(email="a@example.org", name="A", is_admin=True)
        hits, total = search("snack", user=admin)
        options, pg = _search_index_options(), db.engine.dialect.name == "postgresql"
        db.session.remove()
        db.engine.dispose()
    assert total == 1 and hits[0].object_id == 1
    assert options == ([f"gin_pending_list_limit={PG_PENDING_LIMIT_KB}"] if pg else None)


def _search_index_options() -> list[str] | None:
    """PostgreSQL's storage options of the search index (None on SQLite, which has none)."""
    if db.engine.dialect.name != "postgresql":
        return None
    return db.session.scalar(sa.text(
        "SELECT reloptions FROM pg_class WHERE relname = 'ix_search_document_vector'"))


def test_the_models_build_the_search_index_as_the_migrations_do(app):
    """A database made from the models (the tests') has the search index the migrations
    make: on PostgreSQL, with its small pending list."""
    with app.app_context():
        options = _search_index_options()
        if db.engine.dialect.name == "postgresql":
            assert options == [f"gin_pending_list_limit={PG_PENDING_LIMIT_KB}"]
        else:
            assert db.session.scalar(sa.text(
                "SELECT count(*) FROM sqlite_master WHERE name = 'search_fts'")) == 1


def test_idea_standing_migration_sums_up_what_an_existing_database_holds(empty_database_url):
    from datetime import datetime

    from tracker.ideas import statuses
    from tracker.models import (
        ChangeIdea,
        Collaborative,
        Cycle,
        IdeaSiteStatus,
        Site,
        User,
    )

    app = create_app(make_config(empty_database_url))
    with app.app_context():
        upgrade(revision="d8f2a6b1c4e9")  # before the standings were stored
        day = datetime(2026, 3, 2)
        with db.engine.begin() as conn:  # Core inserts: they fill in the columns' defaults
            conn.execute(sa.insert(Collaborative.__table__), [{"id": 1, "name": "C"}])
            conn.execute(sa.insert(Site.__table__), [{"id": 1, "name": "A", "collaborative_id": 1},
                                                     {"id": 2, "name": "B", "collaborative_id": 1}])
            conn.execute(sa.insert(User.__table__), [{"id": 1, "email": "a@example.org",
                                                      "name": "A", "session_token": "t"}])
            conn.execute(sa.insert(ChangeIdea.__table__), [{"id": 1, "collaborative_id": 1,
                                                           "title": "Snack boxes"}])
            cycle = {"idea_id": 1, "stage": "complete", "visibility": "collaborative",
                     "decision": None, "deleted_at": None}
            conn.execute(sa.insert(Cycle.__table__), [
                {**cycle, "id": 1, "site_id": 1, "title": "1", "created_at": day,
                 "decision": "adapt"},
                {**cycle, "id": 2, "site_id": 1, "title": "2", "created_at": day.replace(day=9)},
                {**cycle, "id": 3, "site_id": 1, "title": "3", "created_at": day.replace(day=16),
                 "visibility": "site", "decision": "adopt"},
                {**cycle, "id": 4, "site_id": 2, "title": "4", "created_at": day,
                 "visibility": "site"},
                {**cycle, "id": 5, "site_id": 2, "title": "5", "created_at": day,
                 "decision": "abandon", "deleted_at": day},
            ])
            # The comment table as it was then (a later column's default is not yet there).
            then = sa.table("comment", *(sa.column(name) for name in (
                "cycle_id", "author_id", "body", "created_at", "deleted_at")))
            conn.execute(sa.insert(then), [
                {"cycle_id": 1, "author_id": 1, "body": "x", "created_at": day,
                 "deleted_at": None},
                {"cycle_id": 3, "author_id": 1, "body": "y", "created_at": day,
                 "deleted_at": None},
                {"cycle_id": 3, "author_id": 1, "body": "z", "created_at": day,
                 "deleted_at": day}])
        upgrade()
        stored = set(db.session.execute(sa.select(IdeaSiteStatus.__table__)).all())
        statuses.rebuild_all()
        rebuilt = set(db.session.execute(sa.select(IdeaSiteStatus.__table__)).all())
        db.session.remove()
        db.engine.dispose()
    assert stored == rebuilt
    # (idea, site, view): status, cycles, comments
    assert {r[:6] for r in stored} == {
        (1, 1, "all", "adopt", 3, 2), (1, 1, "shared", "adapt", 2, 1),
        (1, 2, "all", "testing", 1, 0)}


def test_replies_stored_before_learn_whom_they_answer(empty_database_url):
    """The migration that keeps each reply's parent author fills it in for the replies a
    database already holds."""
    from datetime import datetime

    from tracker.models import ChangeIdea, Collaborative, User

    app = create_app(make_config(empty_database_url))
    with app.app_context():
        upgrade(revision="d3f7a1c9e2b4")  # before replies kept whom they answer
        day = datetime(2026, 3, 2)
        # The comment table as it was then; the others have not changed since.
        then = sa.table("comment", *(sa.column(name) for name in (
            "id", "idea_id", "parent_id", "author_id", "body", "created_at")))
        with db.engine.begin() as conn:
            conn.execute(sa.insert(Collaborative.__table__), [{"id": 1, "name": "C"}])
            conn.execute(sa.insert(User.__table__), [
                {"id": i, "email": f"{i}@example.org", "name": str(i), "session_token": str(i)}
                for i in (1, 2)])
            conn.execute(sa.insert(ChangeIdea.__table__), [{"id": 1, "collaborative_id": 1,
                                                           "title": "Snack boxes"}])
            comment = {"idea_id": 1, "body": "x", "created_at": day}
            conn.execute(sa.insert(then), [
                {**comment, "id": 1, "author_id": 1, "parent_id": None},
                {**comment, "id": 2, "author_id": 2, "parent_id": 1},
                {**comment, "id": 3, "author_id": 1, "parent_id": 2}])
        upgrade()
        found = dict(db.session.execute(sa.text(
            "SELECT id, parent_author_id FROM comment ORDER BY id")).all())
        db.session.remove()
        db.engine.dispose()
    assert found == {1: None, 2: 1, 3: 2}


def test_site_standing_migration_sums_up_what_an_existing_database_holds(empty_database_url):
    """The migrations that store each site's standing (and then its open requests by whom
    they ask) fill it from the cycles and requests a database already holds, as the app would
    recompute it."""
    from datetime import date, datetime

    from tracker.models import (
        Collaborative,
        Cycle,
        FeedbackRequest,
        Site,
        SiteStanding,
        User,
    )
    from tracker.reports import standing

    app = create_app(make_config(empty_database_url))
    with app.app_context():
        upgrade(revision="e8b2d4f6a1c3")  # before the standings were stored
        day = datetime(2026, 3, 2, 9)
        with db.engine.begin() as conn:  # Core inserts: they fill in the columns' defaults
            conn.execute(sa.insert(Collaborative.__table__), [{"id": 1, "name": "C"}])
            conn.execute(sa.insert(Site.__table__), [
                {"id": i, "name": n, "collaborative_id": 1} for i, n in ((1, "A"), (2, "B"),
                                                                        (3, "C"))])
            conn.execute(sa.insert(User.__table__), [{"id": 1, "email": "a@example.org",
                                                      "name": "A", "session_token": "t"}])
            cycle = {"stage": "plan", "visibility": "collaborative", "deleted_at": None,
                     "do_started_on": None}
            conn.execute(sa.insert(Cycle.__table__), [
                {**cycle, "id": 1, "site_id": 1, "title": "1", "updated_at": day,
                 "do_started_on": date(2026, 3, 4)},
                {**cycle, "id": 2, "site_id": 1, "title": "2", "updated_at": day.replace(day=9),
                 "stage": "complete"},
                {**cycle, "id": 3, "site_id": 1, "title": "3", "updated_at": day.replace(day=5)},
                {**cycle, "id": 4, "site_id": 2, "title": "4", "updated_at": day,
                 "visibility": "site"},
                {**cycle, "id": 5, "site_id": 2, "title": "5", "updated_at": day.replace(day=20),
                 "deleted_at": day.replace(day=20)},
            ])
            request = {"requested_by_id": 1, "answered_at": None, "withdrawn_at": None,
                       "faculty_id": None, "to_site_id": None}
            conn.execute(sa.insert(FeedbackRequest.__table__), [
                {**request, "id": 1, "cycle_id": 1, "created_at": day.replace(day=6)},
                {**request, "id": 2, "cycle_id": 3, "created_at": day.replace(day=7)},
                {**request, "id": 3, "cycle_id": 1, "created_at": day.replace(day=3),
                 "answered_at": day.replace(day=4)},
                {**request, "id": 4, "cycle_id": 4, "created_at": day},  # a draft's
                {**request, "id": 5, "cycle_id": 5, "created_at": day},  # a deleted cycle's
                # Asking someone: a faculty member by name (twice), a site.
                {**request, "id": 6, "cycle_id": 3, "created_at": day.replace(day=8),
                 "faculty_id": 1},
                {**request, "id": 7, "cycle_id": 1, "created_at": day.replace(day=8),
                 "faculty_id": 1},
                {**request, "id": 8, "cycle_id": 1, "created_at": day.replace(day=8),
                 "to_site_id": 3},
            ])
            given = {"author_id": 1, "body": "b", "deleted_at": None, "section": "",
                     "criterion": ""}
            # The feedback table as it was then (it has kept its cycle's site since).
            feedback = sa.table("feedback", *(sa.column(name) for name in given),
                                sa.column("cycle_id"), sa.column("created_at"))
            conn.execute(sa.insert(feedback), [
                {**given, "cycle_id": 1, "created_at": day.replace(day=10)},
                {**given, "cycle_id": 3, "created_at": day.replace(day=11),
                 "deleted_at": day.replace(day=12)},  # removed: not counted
                {**given, "cycle_id": 5, "created_at": day.replace(day=4)},  # a removed cycle's
            ])
        upgrade()
        columns = [c for c in SiteStanding.__table__.c]
        stored = {r[0]: tuple(r) for r in db.session.execute(sa.select(*columns))}
        standing.rebuild_all()
        rebuilt = {r[0]: tuple(r) for r in db.session.execute(sa.select(*columns))}
        db.session.remove()
        db.engine.dispose()
    assert stored == rebuilt
    assert stored[1][1:] == (day.replace(day=9), date(2026, 3, 4),
                             [day.isoformat(), day.replace(day=5).isoformat()], day,
                             5, day.replace(day=6), 2, {"1": 2}, day.replace(day=10))
    assert stored[2][1:] == (day, None, [day.isoformat()], day, 0, None, 0, {},
                             day.replace(day=4))
    assert stored[3][1:] == (None, None, [], None, 0, None, 0, {}, None)


def test_last_entered_migration_reads_each_summarys_values(empty_database_url):
    """The migration that stores each chart summary's latest period entered fills it from the
    values a database already holds (a period with a row but no value counts)."""
    from datetime import date

    from tracker.models import Collaborative, Measure, MeasureValue, Site

    app = create_app(make_config(empty_database_url))
    with app.app_context():
        upgrade(revision="b8e4a2d6f0c1")  # before summaries kept it
        with db.engine.begin() as conn:
            conn.execute(sa.insert(Collaborative.__table__), [{"id": 1, "name": "C"}])
            conn.execute(sa.insert(Site.__table__), [
                {"id": i, "name": n, "collaborative_id": 1} for i, n in ((1, "A"), (2, "B"))])
            conn.execute(sa.insert(Measure.__table__), [
                {"id": 1, "collaborative_id": 1, "name": "M", "kind": "outcome",
                 "data_kind": "proportion"}])
            conn.execute(sa.insert(MeasureValue.__table__), [
                {"measure_id": 1, "site_id": 1, "period_start": date(2026, 3, 2),
                 "numerator": 1, "denominator": 2},
                {"measure_id": 1, "site_id": 1, "period_start": date(2026, 3, 9),
                 "numerator": None, "denominator": None}])
            summary = sa.table("measure_summary", *(sa.column(c) for c in (
                "measure_id", "site_id", "view", "definition", "points", "error", "recent")))
            conn.execute(sa.insert(summary), [
                {"measure_id": 1, "site_id": s, "view": v, "definition": "", "points": 0,
                 "error": "", "recent": "[]"} for s in (1, 2) for v in ("spc", "run")])
        upgrade()
        found = set(db.session.execute(sa.text(
            "SELECT site_id, view, last_entered FROM measure_summary")).all())
        db.session.remove()
        db.engine.dispose()
    as_dates = {(s, v, date.fromisoformat(str(d)) if d else None) for s, v, d in found}
    assert as_dates == {(1, "spc", date(2026, 3, 9)), (1, "run", date(2026, 3, 9)),
                        (2, "spc", None), (2, "run", None)}


def test_comments_and_feedback_stored_before_learn_their_site(empty_database_url):
    """The migration that keeps the site of the cycle a comment or feedback is on fills it in
    for what a database already holds (none for a comment on an idea)."""
    from datetime import datetime

    from tracker.models import ChangeIdea, Collaborative, Cycle, Site, User

    app = create_app(make_config(empty_database_url))
    with app.app_context():
        upgrade(revision="e7b3d9f1c5a8")  # before they kept their site
        day = datetime(2026, 3, 2)
        comment = sa.table("comment", *(sa.column(name) for name in (
            "id", "cycle_id", "idea_id", "author_id", "body", "created_at")))
        feedback = sa.table("feedback", *(sa.column(name) for name in (
            "id", "cycle_id", "author_id", "body", "created_at", "section", "criterion")))
        with db.engine.begin() as conn:
            conn.execute(sa.insert(Collaborative.__table__), [{"id": 1, "name": "C"}])
            conn.execute(sa.insert(Site.__table__), [
                {"id": i, "name": n, "collaborative_id": 1} for i, n in ((1, "A"), (2, "B"))])
            conn.execute(sa.insert(User.__table__), [{"id": 1, "email": "a@example.org",
                                                      "name": "A", "session_token": "t"}])
            conn.execute(sa.insert(ChangeIdea.__table__), [{"id": 1, "collaborative_id": 1,
                                                           "title": "Snack boxes"}])
            conn.execute(sa.insert(Cycle.__table__), [
                {"id": i, "site_id": s, "title": str(i), "stage": "plan",
                 "visibility": "collaborative"} for i, s in ((1, 1), (2, 2))])
            said = {"author_id": 1, "body": "x", "created_at": day}
            conn.execute(sa.insert(comment), [
                {**said, "id": 1, "cycle_id": 1, "idea_id": None},
                {**said, "id": 2, "cycle_id": 2, "idea_id": None},
                {**said, "id": 3, "cycle_id": None, "idea_id": 1}])
            given = {**said, "section": "", "criterion": ""}
            conn.execute(sa.insert(feedback), [
                {**given, "id": 1, "cycle_id": 2}, {**given, "id": 2, "cycle_id": 1}])
        upgrade()
        found = [dict(db.session.execute(sa.text(
            f"SELECT id, site_id FROM {table} ORDER BY id")).all())
            for table in ("comment", "feedback")]
        db.session.remove()
        db.engine.dispose()
    assert found == [{1: 1, 2: 2, 3: None}, {1: 2, 2: 1}]


LINKS_MOSTLY_EMPTY = (("measure", "composite_id"), ("measure", "balances_id"),
                      ("comment", "idea_id"), ("feedback_request", "to_site_id"),
                      ("notification", "email_claim"))


def test_indexes_of_links_most_rows_leave_empty_hold_the_rows_set(empty_database_url):
    """Indexed with their NULLs, SQLite's statistics made these one key of nearly every row,
    and it scanned the table for a lookup by a bound value (models.base.index_of_set): the
    migrations and the models both build them partial."""
    app = create_app(make_config(empty_database_url))
    with app.app_context():
        upgrade()
        with db.engine.connect() as conn:
            postgres = conn.dialect.name == "postgresql"
            built = {name: conn.execute(sa.text(
                "SELECT indexdef FROM pg_indexes WHERE indexname = :n" if postgres else
                "SELECT sql FROM sqlite_master WHERE name = :n"), {"n": name}).scalar_one()
                for name in (f"ix_{t}_{c}" for t, c in LINKS_MOSTLY_EMPTY)}
            dialect = conn.dialect
        db.engine.dispose()
    for table, column in LINKS_MOSTLY_EMPTY:
        name = f"ix_{table}_{column}"
        assert f"{column} IS NOT NULL" in built[name], built[name]
        index = next(i for i in db.metadata.tables[table].indexes if i.name == name)
        assert f"{column} IS NOT NULL" in str(sa.schema.CreateIndex(index).compile(
            dialect=dialect))
