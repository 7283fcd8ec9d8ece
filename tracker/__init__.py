"""PDSA Tracker: Plan-Do-Study-Act cycles, measures and shared learning for QI collaboratives."""

import os

from flask import Flask

from config import DEV_SECRET_KEY, Config, ProductionConfig

from . import (
    admin,
    api,
    attachments,
    auth,
    cycles,
    events,
    feedback,
    health,
    ideas,
    main,
    measures,
    notifications,
    pwa,
    reports,
    search,
    setup,
    sites,
    sustain,
)
from .cli import register_cli
from .core import db as db_setup
from .core import errors, logs, urls, versions, web
from .extensions import bootstrap, csrf, db, limiter, login_manager, migrate
from .feedback import followup as feedback_followup
from .ideas import statuses as idea_statuses
from .measures import summaries as measure_summaries
from .reports import standing as site_standing

# Each feature package exposes `bp`; registered in this order (it sets the navigation's order).
FEATURES = (auth, main, measures, cycles, ideas, sites, search, feedback, notifications, events,
            reports, admin, setup, health, sustain, attachments, pwa)


def create_app(config_class: type[Config] | None = None) -> Flask:
    """Build the app: config, extensions, blueprints, CLI. No side effects on the database."""
    if config_class is None:
        production = os.environ.get("TRACKER_ENV") == "production"
        config_class = ProductionConfig if production else Config
    app = Flask(__name__, template_folder="../templates", instance_relative_config=True)
    app.config.from_object(config_class)
    if app.config["PRODUCTION"] and app.config["SECRET_KEY"] in (DEV_SECRET_KEY, "", None):
        raise RuntimeError(
            "SECRET_KEY is unset or the development default: set a long random SECRET_KEY "
            "in the environment before running in production (sessions would be forgeable)."
        )
    if not app.config["SQLALCHEMY_DATABASE_URI"]:
        os.makedirs(app.instance_path, exist_ok=True)
        path = os.path.join(app.instance_path, "tracker.sqlite")
        app.config["SQLALCHEMY_DATABASE_URI"] = f"sqlite:///{path}"

    db_setup.configure_engine(app)  # before db.init_app reads the engine options
    db.init_app(app)
    migrate.init_app(app, db)
    login_manager.init_app(app)
    csrf.init_app(app)
    bootstrap.init_app(app)
    limiter.init_app(app)
    db_setup.init_app(app)
    # Derived tables kept with what they sum up. Their commit hooks run in this order, and
    # lock rows in it: cycles (follow-ups) before sites (standings); rebuild-summaries holds
    # their tables in it too (core.db.hold_derived).
    feedback_followup.init_app(app)  # who gave feedback on a cycle since changed
    measure_summaries.init_app(app)  # derived chart summaries kept with their data
    idea_statuses.init_app(app)  # each site's standing with each idea, kept with its cycles
    site_standing.init_app(app)  # each site's cycles and requests summed up, kept with them
    versions.init_app(app)  # last: every commit hook before it may write

    urls.init_app(app)  # before the blueprints: their rules look up the `id` converter
    for feature in FEATURES:
        app.register_blueprint(feature.bp)
    errors.init_app(app)
    api.init_app(app)  # after the error pages: API paths answer in problem+json
    web.init_app(app)
    logs.init_app(app)
    health.metrics.init_app(app)
    register_cli(app)
    return app
