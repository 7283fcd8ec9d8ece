"""Configuration read from the environment, with safe development defaults."""

import os
from datetime import timedelta

DEV_SECRET_KEY = "dev-only-not-secret"


class Config:
    SECRET_KEY = os.environ.get("SECRET_KEY", DEV_SECRET_KEY)
    # None means "a SQLite file in the instance folder" (resolved in create_app, which knows it).
    SQLALCHEMY_DATABASE_URI = os.environ.get("DATABASE_URL")
    SQLALCHEMY_ENGINE_OPTIONS = {"pool_pre_ping": True}
    # PostgreSQL planner settings for the app's connections, comma-separated (tracker/core/db.py,
    # configure_engine); empty to keep the server's.
    PG_PLANNER_OPTIONS = os.environ.get(
        "PG_PLANNER_OPTIONS", "random_page_cost=1.1, max_parallel_workers_per_gather=0")
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
    # How long an offline entry's key is remembered once stored (a device that sent it and lost
    # the answer may send it again when back online); older keys are forgotten nightly.
    USED_KEYS_KEPT_DAYS = int(os.environ.get("USED_KEYS_KEPT_DAYS", "90"))

    REDIS_URL = os.environ.get("REDIS_URL")  # also runs background jobs on a queue (RQ)
    # A confirmed import of this many rows or more runs as a background job (on the queue with
    # REDIS_URL, in the request without), so a slow import holds no page nor server worker.
    IMPORT_BACKGROUND_ROWS = int(os.environ.get("IMPORT_BACKGROUND_ROWS", "2000"))
    # The app's public address, for links in emails sent outside a request (digests).
    PUBLIC_URL = os.environ.get("PUBLIC_URL", "http://localhost:5000")
    # Throttle counts live in Redis when it is set, so every worker and server shares them;
    # in this process's memory otherwise (the app needs nothing else to run).
    RATELIMIT_STORAGE_URI = REDIS_URL or "memory://"
    RATELIMIT_STRATEGY = "moving-window"
    RATELIMIT_KEY_PREFIX = "pdsa-tracker"
    # Failed sign-ins, as tiers: a full tier makes the next attempt wait (tracker/auth/throttle.py).
    # Per account short, since an outsider can fill it; per address strict, against one machine
    # trying many accounts; a browser that signed in to the account before has its own allowance.
    LOGIN_LIMITS_PER_ACCOUNT = "5 per minute; 10 per 10 minutes"
    LOGIN_LIMITS_PER_ADDRESS = "10 per minute; 50 per hour; 200 per day"
    LOGIN_LIMITS_PER_DEVICE = "5 per minute; 10 per 10 minutes"
    KNOWN_DEVICE_MAX_AGE = timedelta(days=180)
    # Emails sent on request: reset links per mailbox and per address, invitations per inviter.
    RESET_LIMITS_PER_EMAIL = "3 per 15 minutes"
    RESET_LIMITS_PER_ADDRESS = "5 per minute; 20 per hour"
    INVITE_LIMITS_PER_USER = "30 per hour; 200 per day"
    # The API (tracker/api): requests per personal access token, and the largest body taken.
    API_LIMITS_PER_TOKEN = os.environ.get("API_LIMITS_PER_TOKEN", "120 per minute; 3000 per hour")
    API_MAX_BODY = 1024 * 1024
    # Unknown, revoked or expired tokens per address (guessing): then every token waits.
    API_LIMITS_BAD_TOKEN = "20 per minute; 100 per hour"
    # Behind N reverse proxies the client's address and scheme come from their X-Forwarded-*
    # headers (per-address limits, audit, HSTS); 0 trusts no such header, as anyone can send one.
    TRUSTED_PROXIES = int(os.environ.get("TRUSTED_PROXIES", "0"))

    MAIL_SERVER = os.environ.get("MAIL_SERVER")
    MAIL_PORT = int(os.environ.get("MAIL_PORT", "587"))
    MAIL_USERNAME = os.environ.get("MAIL_USERNAME")
    MAIL_PASSWORD = os.environ.get("MAIL_PASSWORD")
    MAIL_USE_TLS = os.environ.get("MAIL_USE_TLS", "1") not in ("0", "false", "False", "")
    MAIL_DEFAULT_SENDER = os.environ.get("MAIL_DEFAULT_SENDER", "pdsa-tracker@localhost")
    # "smtp" when MAIL_SERVER is set, else "log": the message (links included) goes to the log,
    # so a local install works end to end. Tests use "memory".
    MAIL_BACKEND = os.environ.get("MAIL_BACKEND") or ("smtp" if MAIL_SERVER else "log")

    # "json": one JSON object per log line with the request id (production); "text" otherwise.
    LOG_FORMAT = os.environ.get("LOG_FORMAT", "text")
    LOG_LEVEL = os.environ.get("LOG_LEVEL", "INFO")
    LOG_REQUESTS = os.environ.get("LOG_REQUESTS", "0") == "1"  # one summary line per request
    # /metrics answers the machine itself, or anyone sending "Authorization: Bearer <token>".
    METRICS_TOKEN = os.environ.get("METRICS_TOKEN")

    # Photos and files on cycles and ideas (tracker/attachments): a folder outside static
    # (default: "uploads" in the instance folder), or an S3-compatible bucket shared by servers.
    UPLOAD_ROOT = os.environ.get("UPLOAD_ROOT")
    UPLOAD_MAX_BYTES = int(os.environ.get("UPLOAD_MAX_BYTES", str(10 * 1024 * 1024)))
    # No request body larger than this is read at all (a few times the file limit, so that a
    # 40 MB photo still gets its message next to the field).
    MAX_CONTENT_LENGTH = UPLOAD_MAX_BYTES * 6
    STORAGE_S3_BUCKET = os.environ.get("STORAGE_S3_BUCKET")
    STORAGE_S3_ENDPOINT = os.environ.get("STORAGE_S3_ENDPOINT")  # e.g. a MinIO address
    STORAGE_S3_REGION = os.environ.get("STORAGE_S3_REGION")
    STORAGE_S3_ACCESS_KEY = os.environ.get("STORAGE_S3_ACCESS_KEY")
    STORAGE_S3_SECRET_KEY = os.environ.get("STORAGE_S3_SECRET_KEY")

    PRODUCTION = False
    STRICT_TRANSPORT_SECURITY = None  # production only: a local http:// install must keep working


class ProductionConfig(Config):
    PRODUCTION = True
    SESSION_COOKIE_SECURE = os.environ.get("SESSION_COOKIE_SECURE", "1") != "0"
    REMEMBER_COOKIE_SECURE = SESSION_COOKIE_SECURE
    # Browsers keep to HTTPS for a year once they have seen the app over it.
    STRICT_TRANSPORT_SECURITY = "max-age=31536000; includeSubDomains"
    LOG_FORMAT = os.environ.get("LOG_FORMAT", "json")
    LOG_REQUESTS = os.environ.get("LOG_REQUESTS", "1") == "1"


class TestConfig(Config):
    TESTING = True
    SECRET_KEY = "test-secret"
    WTF_CSRF_ENABLED = False
    MAIL_BACKEND = "memory"
    RATELIMIT_STORAGE_URI = "memory://"  # each test app counts afresh, even with REDIS_URL set
    # CHECK_KEPT=1 make test: every result served kept is made again and must be the same
    # (core.versions): a key or version that misses a change fails the test that shows it.
    CHECK_KEPT = os.environ.get("CHECK_KEPT") == "1"
    SERVER_NAME = None
    # Tests choose the engine through DATABASE_URL (the suite runs on SQLite and PostgreSQL);
    # the conftest fills in a temporary SQLite file when it is unset.
    SQLALCHEMY_DATABASE_URI = os.environ.get("DATABASE_URL")
