"""PDSA Tracker: Plan-Do-Study-Act cycles, measures and shared learning for QI collaboratives."""

import os

from flask import Flask

from config import DEV_SECRET_KEY, Config, ProductionConfig


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

    from . import db_setup, errors, web
    from .auth import bp as auth_bp
    from .cli import register_cli
    from .cycles import bp as cycles_bp
    from .events import bp as events_bp
    from .extensions import bootstrap, csrf, db, limiter, login_manager, migrate
    from .feedback import bp as feedback_bp
    from .ideas import bp as ideas_bp
    from .main import bp as main_bp
    from .measures import bp as measures_bp
    from .reports import bp as reports_bp
    from .search import bp as search_bp
    from .sites import bp as sites_bp

    db.init_app(app)
    migrate.init_app(app, db)
    login_manager.init_app(app)
    csrf.init_app(app)
    bootstrap.init_app(app)
    limiter.init_app(app)
    db_setup.init_app(app)

    app.register_blueprint(auth_bp)
    app.register_blueprint(main_bp)
    app.register_blueprint(measures_bp)
    app.register_blueprint(cycles_bp)
    app.register_blueprint(ideas_bp)
    app.register_blueprint(sites_bp)
    app.register_blueprint(search_bp)
    app.register_blueprint(feedback_bp)
    app.register_blueprint(events_bp)
    app.register_blueprint(reports_bp)
    errors.init_app(app)
    web.init_app(app)
    register_cli(app)
    return app
