"""Operations: liveness, readiness, metrics, request ids and JSON logs."""

import json
import logging

from tests.conftest import make_config
from tracker import create_app
from tracker.core.logs import REQUEST_ID_HEADER
from tracker.extensions import db


def test_liveness_needs_no_sign_in_and_touches_nothing(client):
    response = client.get("/healthz")
    assert response.status_code == 200 and response.json == {"status": "ok"}


def test_readiness_checks_the_database(client, app, monkeypatch):
    assert client.get("/readyz").json == {"status": "ok", "checks": {"database": "ok"}}

    def broken(*args, **kwargs):
        raise ConnectionError("database gone")

    monkeypatch.setattr(db.session, "execute", broken)
    response = client.get("/readyz")
    assert response.status_code == 503
    # It names what failed, never why (the reason is logged, not shown).
    assert response.json == {"status": "unavailable", "checks": {"database": "failed"}}


def test_readiness_checks_redis_when_it_is_configured(client, app):
    app.config["REDIS_URL"] = "redis://127.0.0.1:1/0"  # nothing listens there
    response = client.get("/readyz")
    assert response.status_code == 503
    assert response.json["checks"] == {"database": "ok", "redis": "failed"}


def site_pages_counted(client) -> float:
    """How many site pages the metrics have counted (the session's app keeps counting)."""
    text = client.get("/metrics").get_data(True)
    prefix = 'tracker_http_request_duration_seconds_count{endpoint="sites.detail"'
    return sum(float(line.rsplit(" ", 1)[1]) for line in text.splitlines()
               if line.startswith(prefix))


def test_metrics_count_requests_per_endpoint_not_per_path(login, world, client):
    before = site_pages_counted(client)
    member = login("member_a")
    member.get(f"/sites/{world.site_a}")
    member.get(f"/sites/{world.site_b}")
    assert site_pages_counted(client) == before + 2
    text = client.get("/metrics").get_data(True)
    assert "tracker_http_request_duration_seconds_bucket" in text
    assert f"/sites/{world.site_a}" not in text  # ids never become series


def test_metrics_are_served_only_to_the_machine_or_a_token(client, app):
    away = {"REMOTE_ADDR": "10.0.0.7"}
    assert client.get("/metrics", environ_base=away).status_code == 404
    app.config["METRICS_TOKEN"] = "s3cret-token"
    assert client.get("/metrics").status_code == 404  # a token, once set, is always needed
    assert client.get("/metrics", environ_base=away,
                      headers={"Authorization": "Bearer wrong"}).status_code == 404
    assert client.get("/metrics", environ_base=away,
                      headers={"Authorization": "Bearer s3cret-token"}).status_code == 200


def test_every_response_carries_a_request_id(client):
    made = client.get("/healthz").headers[REQUEST_ID_HEADER]
    assert len(made) == 32 and made != client.get("/healthz").headers[REQUEST_ID_HEADER]
    kept = client.get("/healthz", headers={REQUEST_ID_HEADER: "lb-1234.abc"})
    assert kept.headers[REQUEST_ID_HEADER] == "lb-1234.abc"
    odd = client.get("/healthz", headers={REQUEST_ID_HEADER: "x\" onload=alert(1)"})
    assert odd.headers[REQUEST_ID_HEADER] != "x\" onload=alert(1)"  # replaced, not echoed


def test_json_logs_carry_the_request_id(database_url, capsys):
    # app.logger is the process's "tracker" logger: what the JSON set-up changes is put back.
    logger = logging.getLogger("tracker")
    saved = (logger.handlers[:], logger.propagate, logger.level)
    app = create_app(make_config(database_url, LOG_FORMAT="json", LOG_REQUESTS=True))
    try:
        response = app.test_client().get("/healthz", headers={REQUEST_ID_HEADER: "req-42"})
        lines = [json.loads(line) for line in capsys.readouterr().err.splitlines()]
        (entry,) = [e for e in lines if e.get("request_id") == "req-42"]
        assert entry["level"] == "INFO" and entry["path"] == "/healthz"
        assert entry["status"] == response.status_code == 200
        assert entry["endpoint"] == "health.healthz" and entry["duration_ms"] >= 0
    finally:
        with app.app_context():
            db.engine.dispose()
        logger.handlers[:], logger.propagate, logger.level = saved
