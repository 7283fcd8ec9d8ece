import pytest

from tests import factories as f
from tracker.extensions import db
from tracker.models import User


def create(runner, *args):
    return runner.invoke(args=["create-user", "--name", "Cli Person",
                               "--password", "a long password", *args])


def user_by_email(app, email):
    with app.app_context():
        user = db.session.scalars(db.select(User).filter_by(email=email)).one()
        return user.role_summary, user.profession.value, user.check_password("a long password")


def test_create_member_at_a_site(app, runner, world):
    result = create(runner, "--email", "Cli@Example.org", "--role", "member",
                    "--site", "Alpha Hospital", "--profession", "dietitian")
    assert result.exit_code == 0, result.output
    assert result.output == "Created cli@example.org as member at Alpha Hospital.\n"
    assert user_by_email(app, "cli@example.org") == ("Member, Alpha Hospital", "dietitian", True)


@pytest.mark.parametrize("role,summary", [
    ("faculty", "Faculty"), ("partner", "Partner"), ("admin", "Admin"),
])
def test_create_collaborative_roles_and_admin(app, runner, world, role, summary):
    result = create(runner, "--email", "c@example.org", "--role", role)
    assert result.exit_code == 0, result.output
    assert user_by_email(app, "c@example.org")[0] == summary


def test_create_user_is_idempotent_and_updates_the_role(app, runner, world):
    create(runner, "--email", "c@example.org", "--role", "member", "--site", "Alpha Hospital")
    result = create(runner, "--email", "c@example.org", "--role", "site_lead",
                    "--site", "Alpha Hospital")
    assert result.output == "Updated c@example.org as site_lead at Alpha Hospital.\n"
    assert user_by_email(app, "c@example.org")[0] == "Site lead, Alpha Hospital"
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count(User.id))
                                 .filter_by(email="c@example.org")) == 1


@pytest.mark.parametrize("args,message", [
    (["--role", "member", "--site", "Nowhere"], "--site Nowhere: expected exactly one match"),
    (["--role", "member"], "--site : expected exactly one match"),
    (["--role", "chief"], "Invalid value for '--role'"),
])
def test_create_user_explains_bad_input_and_changes_nothing(app, runner, world, args, message):
    result = create(runner, "--email", "bad@example.org", *args)
    assert result.exit_code != 0
    assert message in result.output
    with app.app_context():
        query = db.select(User).filter_by(email="bad@example.org")
        assert db.session.scalars(query).first() is None


def test_create_user_refuses_a_short_password(runner, world):
    result = runner.invoke(args=["create-user", "--email", "s@example.org", "--name", "S",
                                 "--password", "short", "--role", "admin"])
    assert result.exit_code != 0 and "at least 10 characters" in result.output


def test_seed_demo_prints_accounts_and_is_idempotent(app, runner):
    first = runner.invoke(args=["seed-demo"])
    assert first.exit_code == 0, first.output
    assert "Created 8 sites." in first.output
    assert "Demo accounts (password for all: dreaming-demo-2026):" in first.output
    assert "nurse@northgate.example.org" in first.output
    second = runner.invoke(args=["seed-demo"])
    assert "Demo already present: nothing changed." in second.output
    assert "nurse@northgate.example.org" in second.output
    skipped = runner.invoke(args=["seed-demo", "--if-empty"])
    assert skipped.output.startswith("Skipped the demo: the database already holds data.")


def test_seed_demo_if_empty_builds_into_an_empty_database(app, runner):
    result = runner.invoke(args=["seed-demo", "--if-empty"])
    assert "Created 8 sites." in result.output


def test_search_reindex_rebuilds_the_index(app, runner, world):
    from tests import factories as f
    from tracker.models import SearchDocument, Site

    with app.app_context():
        f.make_idea(db.session.get(Site, world.site_a), title="Fasting cards")
        db.session.commit()
        db.session.execute(SearchDocument.__table__.delete())
        db.session.commit()
    result = runner.invoke(args=["search-reindex"])
    assert result.output == "Indexed 1 ideas, cycles and comments.\n"
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count(SearchDocument.id))) == 1


def test_create_user_collaborative_picks_between_sites_of_the_same_name(app, runner, world):
    with app.app_context():
        sepsis = f.make_collaborative("Sepsis")
        f.make_site(sepsis, "Alpha Hospital")
        db.session.commit()
        sepsis_id = sepsis.id
    ambiguous = create(runner, "--email", "s@example.org", "--role", "member",
                       "--site", "Alpha Hospital")
    assert ambiguous.exit_code != 0 and "expected exactly one match, found 2" in ambiguous.output
    result = create(runner, "--email", "s@example.org", "--role", "site_lead",
                    "--site", "Alpha Hospital", "--collaborative", "Sepsis")
    assert result.exit_code == 0, result.output
    faculty = create(runner, "--email", "f@example.org", "--role", "faculty",
                     "--collaborative", "Sepsis")
    assert faculty.exit_code == 0, faculty.output
    with app.app_context():
        lead = db.session.scalars(db.select(User).filter_by(email="s@example.org")).one()
        assert [m.site.collaborative_id for m in lead.memberships] == [sepsis_id]
        fac = db.session.scalars(db.select(User).filter_by(email="f@example.org")).one()
        assert [r.collaborative_id for r in fac.collaborative_roles] == [sepsis_id]


def test_refresh_statistics_analyzes_every_table_and_runs_nightly(app, runner, world):
    import sqlalchemy as sa

    from tracker.core import jobs
    from tracker.health.jobs import refresh_statistics

    seen = []

    def remember(conn, cursor, statement, *args):
        seen.append(statement)

    with app.app_context():
        sa.event.listen(db.engine, "before_cursor_execute", remember)
        try:
            result = runner.invoke(args=["refresh-statistics"])
        finally:
            sa.event.remove(db.engine, "before_cursor_execute", remember)
        assert result.exit_code == 0 and "Gathered" in result.output
        assert "ANALYZE" in seen
        if db.engine.dialect.name == "sqlite":  # the world's users are there to be counted
            assert db.session.execute(sa.text(
                "SELECT count(*) FROM sqlite_stat1 WHERE tbl = 'user'")).scalar() > 0
    nightly = [p for p in jobs.PERIODIC
               if jobs.job_name(p.fn) == jobs.job_name(refresh_statistics)]
    assert [p.cron for p in nightly] == ["30 3 * * *"]
