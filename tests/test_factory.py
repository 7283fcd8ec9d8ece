import pytest
import sqlalchemy as sa

from config import Config, ProductionConfig
from tests import factories as f
from tracker import create_app
from tracker.extensions import db


def test_default_database_is_a_sqlite_file_in_the_instance_folder(monkeypatch, tmp_path):
    config = type("C", (Config,), {"SQLALCHEMY_DATABASE_URI": None})
    app = create_app(config)
    assert app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite:///")
    assert app.config["SQLALCHEMY_DATABASE_URI"].endswith("instance/tracker.sqlite")


def test_production_refuses_the_development_secret():
    config = type("P", (ProductionConfig,), {"SECRET_KEY": Config.SECRET_KEY})
    try:
        create_app(config)
    except RuntimeError as error:
        assert "SECRET_KEY" in str(error)
    else:
        raise AssertionError("production started with the development secret")


def test_production_starts_with_a_real_secret(tmp_path):
    config = type("P", (ProductionConfig,), {
        "SECRET_KEY": "a-long-random-production-secret",
        "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'p.sqlite'}",
    })
    app = create_app(config)
    assert app.config["PRODUCTION"] and app.config["SESSION_COOKIE_SECURE"]


def test_environment_selects_production(monkeypatch):
    monkeypatch.setenv("TRACKER_ENV", "production")
    monkeypatch.setattr(ProductionConfig, "SECRET_KEY", Config.SECRET_KEY)
    try:
        create_app()
    except RuntimeError:
        pass
    else:
        raise AssertionError("TRACKER_ENV=production did not select the production config")


def test_sqlite_runs_with_foreign_keys_wal_and_busy_timeout(tmp_path):
    config = type("C", (Config,), {"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'x.db'}"})
    app = create_app(config)
    with app.app_context(), db.engine.connect() as conn:
        assert conn.execute(sa.text("PRAGMA foreign_keys")).scalar() == 1
        assert conn.execute(sa.text("PRAGMA journal_mode")).scalar() == "wal"
        assert conn.execute(sa.text("PRAGMA busy_timeout")).scalar() == 15000


def test_postgresql_connections_plan_for_fast_index_reads(app):
    with app.app_context(), db.engine.connect() as conn:
        if conn.dialect.name == "postgresql":
            assert conn.execute(sa.text("SHOW random_page_cost")).scalar() == "1.1"
            assert conn.execute(sa.text("SHOW max_parallel_workers_per_gather")).scalar() == "0"
        else:  # nothing to set on SQLite
            assert "connect_args" not in app.config["SQLALCHEMY_ENGINE_OPTIONS"]


@pytest.mark.parametrize("options,expected", [
    ("random_page_cost=1.1", {"options": "-c random_page_cost=1.1"}),
    ("random_page_cost=1.5, work_mem=8MB", {"options": "-c random_page_cost=1.5 -c work_mem=8MB"}),
    ("", None),  # the server's settings kept
])
def test_planner_options_come_from_the_config(options, expected):
    config = type("C", (Config,), {"SQLALCHEMY_DATABASE_URI": "postgresql+psycopg://u@h/d",
                                   "PG_PLANNER_OPTIONS": options})
    engine = create_app(config).config["SQLALCHEMY_ENGINE_OPTIONS"]
    assert engine.get("connect_args") == expected
    assert engine["pool_pre_ping"] is True
    assert "connect_args" not in Config.SQLALCHEMY_ENGINE_OPTIONS  # the class is left alone


def test_security_headers_and_local_bootstrap(client):
    response = client.get("/auth/login")
    assert "default-src 'self'" in response.headers["Content-Security-Policy"]
    assert response.headers["X-Frame-Options"] == "DENY"
    html = response.get_data(as_text=True)
    assert "/bootstrap/static/css/bootstrap.min.css" in html
    assert "cdn" not in html.lower() and "https://" not in html
    with client.get("/bootstrap/static/css/bootstrap.min.css") as css:
        assert css.status_code == 200


def test_footer_reminds_users_not_to_enter_patient_data(client):
    assert "Never enter patient-identifiable data" in client.get("/auth/login").get_data(True)


def test_error_pages_use_the_app_layout(login):
    response = login("member_a").get("/no-such-page")
    assert response.status_code == 404
    assert "Page not found" in response.get_data(True)
    assert "PDSA Tracker" in response.get_data(True)


def test_a_lost_unique_race_is_a_conflict_page_not_a_server_error(app, login, world,
                                                                  monkeypatch):
    """A double submit that trips a unique constraint: 409, nothing saved, a way forward."""
    from tracker.feedback import services
    from tracker.models import Comment, Cycle, IdeaFollow, Site

    def lose_the_race(target, *args, by, **kwargs):
        # The same follow written twice: a real unique violation on either engine.
        db.session.add_all([IdeaFollow(user_id=by.id, idea_id=idea_id) for _ in range(2)])
        db.session.flush()

    with app.app_context():
        site = db.session.get(Site, world.site_a)
        idea_id = f.make_idea(site, title="Chair by the bed").id
        cycle = Cycle(site_id=site.id, title="Chair by the bed")
        db.session.add(cycle)
        db.session.commit()
        cycle_id = cycle.id
    monkeypatch.setattr(services, "post_comment", lose_the_race)
    response = login("member_a").post(f"/cycles/{cycle_id}/comments", data={"body": "Hello"})
    assert response.status_code == 409
    assert "changed this at the same moment" in response.get_data(True)
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count(Comment.id))) == 0


def test_any_other_integrity_error_is_a_server_error_not_a_conflict(app, login, world,
                                                                     monkeypatch):
    """Only a lost unique race reads as "changed at the same moment"; a NOT NULL is a bug."""
    from tracker.feedback import services
    from tracker.models import Comment, Cycle, Site

    def break_a_rule(target, *args, by, **kwargs):
        db.session.add(Comment(cycle_id=target.id, author_id=by.id, body=None))
        db.session.flush()

    with app.app_context():
        cycle = Cycle(site_id=db.session.get(Site, world.site_a).id, title="Chair by the bed")
        db.session.add(cycle)
        db.session.commit()
        cycle_id = cycle.id
    monkeypatch.setattr(services, "post_comment", break_a_rule)
    with pytest.raises(sa.exc.IntegrityError):  # testing propagates what would be a 500
        login("member_a").post(f"/cycles/{cycle_id}/comments", data={"body": "Hello"})


def test_a_refused_request_gets_the_app_page_with_its_reason(app, login, world):
    """Any 400 (here a site the user is not on) is the app's page, not the bare server one."""
    from tracker.models import Site

    with app.app_context():
        idea = f.make_idea(db.session.get(Site, world.site_a), title="Chair by the bed")
        db.session.commit()
        idea_id = idea.id
    response = login("member_a").post(f"/ideas/{idea_id}/try", data={"site_id": world.site_b})
    assert response.status_code == 400
    html = response.get_data(True)
    assert "The request could not be accepted" in html and "PDSA Tracker" in html
    assert "nothing was saved" in html
