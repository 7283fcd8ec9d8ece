"""Configuration read from the environment, with safe development defaults."""

import os
from datetime import timedelta

DEV_SECRET_KEY = "dev-only-not-secret"


class Config:
    SECRET_KEY = os.environ.get("SECRET_KEY", DEV_SECRET_KEY)
    # None means "a SQLite file in the instance folder" (resolved in create_app, which knows it).
    SQLALCHEMY_DATABASE_URI = os.environ.get("DATABASE_URL")
    SQLALCHEMY_ENGINE_OPTIONS = {"pool_pre_ping": True}
    BOOTSTRAP_SERVE_LOCAL = True  # hospital networks block CDNs
    BOOTSTRAP_BOOTSWATCH_THEME = None
    WTF_CSRF_TIME_LIMIT = None  # a ward form may stay open for a whole shift

    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    REMEMBER_COOKIE_DURATION = timedelta(days=14)
    REMEMBER_COOKIE_HTTPONLY = True
    REMEMBER_COOKIE_SAMESITE = "Lax"
    PERMANENT_SESSION_LIFETIME = timedelta(hours=12)

    INVITE_MAX_AGE = timedelta(days=7)
    RESET_MAX_AGE = timedelta(hours=2)

    MAIL_SERVER = os.environ.get("MAIL_SERVER")
    MAIL_PORT = int(os.environ.get("MAIL_PORT", "587"))
    MAIL_USERNAME = os.environ.get("MAIL_USERNAME")
    MAIL_PASSWORD = os.environ.get("MAIL_PASSWORD")
    MAIL_USE_TLS = os.environ.get("MAIL_USE_TLS", "1") not in ("0", "false", "False", "")
    MAIL_DEFAULT_SENDER = os.environ.get("MAIL_DEFAULT_SENDER", "pdsa-tracker@localhost")
    # "smtp" when MAIL_SERVER is set, else "log": the message (links included) goes to the log,
    # so a local install works end to end. Tests use "memory".
    MAIL_BACKEND = os.environ.get("MAIL_BACKEND") or ("smtp" if MAIL_SERVER else "log")

    PRODUCTION = False


class ProductionConfig(Config):
    PRODUCTION = True
    SESSION_COOKIE_SECURE = os.environ.get("SESSION_COOKIE_SECURE", "1") != "0"
    REMEMBER_COOKIE_SECURE = SESSION_COOKIE_SECURE


class TestConfig(Config):
    TESTING = True
    SECRET_KEY = "test-secret"
    WTF_CSRF_ENABLED = False
    MAIL_BACKEND = "memory"
    SERVER_NAME = None
    # Tests choose the engine through DATABASE_URL (the suite runs on SQLite and PostgreSQL);
    # the conftest fills in a temporary SQLite file when it is unset.
    SQLALCHEMY_DATABASE_URI = os.environ.get("DATABASE_URL")
