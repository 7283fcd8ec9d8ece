"""The public API: tokens, the same rules as the pages, problem+json, conflicts, guards."""

import threading
from datetime import timedelta
from functools import partial

import pytest

from tests import factories as f
from tests.api_helpers import ApiClient, make_token
from tests.concurrency.together import paused, run_together
from tracker.api.views import cycles as api_cycles
from tracker.cycles import services as cycle_services
from tracker.extensions import db
from tracker.models import ApiToken, Comment, Cycle, Site, Stage, User, Visibility, utcnow

NHS_NUMBER = "943 476 5919"  # NHS Digital's example number: valid, and refused


@pytest.fixture
def api(app, world):
    """api("member_a", "read") -> a client sending a new token of that user."""
    def _api(who: str, scope: str = "write") -> ApiClient:
        return ApiClient(app, make_token(app, getattr(world, who), scope))
    return _api


@pytest.fixture
def cycles(app, world):
    """Site A's shared cycle and its draft, and site B's cycle, as ids."""
    with app.app_context():
        site_a, site_b = db.session.get(Site, world.site_a), db.session.get(Site, world.site_b)
        member = db.session.get(User, world.member_a)
        shared = cycle_services.log_cycle(site_a, by=member, title="Drink in recovery",
                                          objective="Offer a drink")
        draft = f.make_cycle(site_a, title="Draft test", visibility=Visibility.SITE)
        other = f.make_cycle(site_b, title="Beta's test")
        db.session.commit()
        return {"shared": shared.id, "draft": draft.id, "other": other.id}


def _row(app, model, ident):
    with app.app_context():
        return db.session.get(model, ident)


# Authentication -----------------------------------------------------------------------------

def test_no_token_is_401_problem_with_a_bearer_challenge(app, world):
    response = ApiClient(app, None).get("/api/v1/cycles")
    assert response.status_code == 401
    assert response.content_type == "application/problem+json"
    assert response.headers["WWW-Authenticate"].startswith("Bearer")
    body = response.get_json()
    assert {body["status"], body["title"], body["instance"]} == {401, "Unauthorized",
                                                                 "/api/v1/cycles"}


def test_a_signed_in_browser_session_does_not_authenticate_the_api(login, cycles):
    response = login("member_a").get(f"/api/v1/cycles/{cycles['shared']}")
    assert response.status_code == 401


def test_a_token_reads_as_its_user_and_its_use_is_recorded(app, world, cycles):
    secret = make_token(app, world.member_a, "read")
    response = ApiClient(app, secret).get(f"/api/v1/cycles/{cycles['shared']}",
                                          environ_base={"REMOTE_ADDR": "10.1.2.3"})
    assert response.status_code == 200
    assert response.get_json()["title"] == "Drink in recovery"
    with app.app_context():
        token = db.session.scalars(db.select(ApiToken)).one()
        assert token.last_used_from == "10.1.2.3"
        assert token.last_used_at is not None
        assert secret not in (token.digest, token.hint)  # stored hashed
        assert token.digest != secret and len(token.digest) == 64


def test_revoked_and_expired_tokens_get_401_at_once(app, world, cycles):
    secret = make_token(app, world.member_a, "read")
    client = ApiClient(app, secret)
    assert client.get("/api/v1/sites").status_code == 200
    with app.app_context():
        token = db.session.scalars(db.select(ApiToken)).one()
        token.revoked_at = utcnow()
        db.session.commit()
    assert client.get("/api/v1/sites").status_code == 401
    expired = make_token(app, world.member_a, "read", name="old")
    with app.app_context():
        token = db.session.scalars(db.select(ApiToken).filter_by(name="old")).one()
        token.expires_at = utcnow() - timedelta(seconds=1)
        db.session.commit()
    response = ApiClient(app, expired).get("/api/v1/sites")
    assert response.status_code == 401
    assert 'error="invalid_token"' in response.headers["WWW-Authenticate"]


def test_a_deactivated_users_token_stops_working(app, world):
    client = ApiClient(app, make_token(app, world.member_a, "read"))
    with app.app_context():
        db.session.get(User, world.member_a).active = False
        db.session.commit()
    assert client.get("/api/v1/sites").status_code == 401


def test_a_read_token_cannot_write(app, api, cycles):
    client = api("member_a", "read")
    before = _row(app, Cycle, cycles["shared"]).version
    assert client.patch(f"/api/v1/cycles/{cycles['shared']}", json={"title": "New"},
                        headers={"If-Match": "*"}).status_code == 403
    assert client.post(f"/api/v1/cycles/{cycles['shared']}/comments",
                       json={"body": "Hello"}).status_code == 403
    assert client.delete(f"/api/v1/cycles/{cycles['shared']}").status_code == 403
    assert _row(app, Cycle, cycles["shared"]).version == before
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count()).select_from(Comment)) == 0


# The pages' rules ---------------------------------------------------------------------------

def test_another_sites_draft_stays_invisible(api, cycles):
    client = api("member_b", "read")
    listed = {c["id"] for c in client.get("/api/v1/cycles?limit=200").get_json()["items"]}
    assert cycles["shared"] in listed and cycles["other"] in listed
    assert cycles["draft"] not in listed
    refused = client.get(f"/api/v1/cycles/{cycles['draft']}")  # the loader's abort(403)
    assert (refused.status_code, refused.content_type) == (403, "application/problem+json")
    own = {c["id"] for c in api("member_a", "read").get("/api/v1/cycles").get_json()["items"]}
    assert cycles["draft"] in own


def test_a_partner_reads_and_comments_but_never_edits(app, api, cycles):
    client = api("partner", "write")
    url = f"/api/v1/cycles/{cycles['shared']}"
    assert client.get(url).status_code == 200
    response = client.post(f"{url}/comments", json={"body": "As a patient, yes"})
    assert response.status_code == 201
    assert response.get_json()["body"] == "As a patient, yes"
    assert client.patch(url, json={"title": "Mine"}, headers={"If-Match": "*"}).status_code == 403
    assert client.post(f"{url}/stage", json={"to": "do"}).status_code == 403
    assert client.post("/api/v1/cycles", json={"site_id": 1, "title": "x",
                                               "objective": "y"}).status_code == 403
    assert _row(app, Cycle, cycles["shared"]).title == "Drink in recovery"


def test_only_a_site_lead_deletes_and_the_delete_is_soft(app, api, cycles):
    url = f"/api/v1/cycles/{cycles['shared']}"
    assert api("member_a").delete(url).status_code == 403
    assert api("lead_a").delete(url).status_code == 204
    assert _row(app, Cycle, cycles["shared"]).deleted_at is not None
    assert api("lead_a").get(url).status_code == 404


def test_create_logs_a_cycle_in_plan_at_ones_own_site(app, world, api):
    client = api("member_a")
    response = client.post("/api/v1/cycles", json={
        "site_id": world.site_a, "title": "Chair at 6pm", "objective": "Sit out",
        "prediction": "6 of 8"})
    assert response.status_code == 201, response.get_json()
    body = response.get_json()
    assert (body["stage"], body["version"], body["site_id"]) == ("plan", 1, world.site_a)
    assert body["created_at"].endswith("+00:00")  # RFC 3339, with the offset
    assert response.headers["Location"].endswith(f"/api/v1/cycles/{body['id']}")
    refused = client.post("/api/v1/cycles", json={
        "site_id": world.site_b, "title": "Elsewhere", "objective": "x"})
    assert refused.status_code == 422
    assert "site_id" in refused.get_json()["errors"]


# Conflicts and preconditions ----------------------------------------------------------------

def test_a_stale_update_of_the_same_field_is_409_with_both_versions(app, api, cycles):
    url = f"/api/v1/cycles/{cycles['shared']}"
    amy, leo = api("member_a"), api("lead_a")
    etag = amy.get(url).headers["ETag"]
    first = leo.patch(url, json={"title": "Leo's title", "plan_who": "Night staff"},
                      headers={"If-Match": etag})
    assert first.status_code == 200 and first.get_json()["version"] == 2
    response = amy.patch(url, json={"title": "Amy's title"}, headers={"If-Match": etag})
    assert response.status_code == 409
    assert response.content_type == "application/problem+json"
    body = response.get_json()
    assert (body["your_version"], body["current_version"]) == (1, 2)
    assert body["conflicts"]["title"] == {"base": "Drink in recovery", "mine": "Amy's title",
                                          "theirs": "Leo's title"}
    assert _row(app, Cycle, cycles["shared"]).title == "Leo's title"
    # A field only one of them changed merges, as on the worksheet.
    merged = amy.patch(url, json={"plan_where": "Recovery"}, headers={"If-Match": etag})
    assert merged.status_code == 200
    cycle = _row(app, Cycle, cycles["shared"])
    assert (cycle.title, cycle.plan_who, cycle.plan_where) == (
        "Leo's title", "Night staff", "Recovery")
    assert merged.headers["ETag"] == f'"cycle-{cycle.id}-v3"'


def test_update_needs_if_match_naming_a_version_of_the_cycle(app, api, cycles):
    url = f"/api/v1/cycles/{cycles['shared']}"
    client = api("member_a")
    assert client.patch(url, json={"title": "x"}).status_code == 428
    wrong = client.patch(url, json={"title": "x"}, headers={"If-Match": '"cycle-1-v99"'})
    assert wrong.status_code == 412
    assert wrong.get_json()["current_version"] == 1
    assert _row(app, Cycle, cycles["shared"]).title == "Drink in recovery"


def test_a_move_or_delete_from_a_stale_version_is_412(app, api, cycles):
    url = f"/api/v1/cycles/{cycles['shared']}"
    etag = api("member_a").get(url).headers["ETag"]
    assert api("member_a").patch(url, json={"plan_who": "Us"},
                                 headers={"If-Match": etag}).status_code == 200
    assert api("lead_a").delete(url, headers={"If-Match": etag}).status_code == 412
    assert api("member_a").post(f"{url}/stage", json={"to": "do"},
                                headers={"If-Match": etag}).status_code == 412
    cycle = _row(app, Cycle, cycles["shared"])
    assert (cycle.deleted_at, cycle.stage) == (None, Stage.PLAN)


@pytest.mark.committed  # two clients at once, each on a connection of its own
def test_two_moves_from_one_version_at_once_are_one_move_and_one_412(app, api, cycles,
                                                                     monkeypatch):
    """Two clients read the cycle in Study; one moves it back to Do, the other back to Plan,
    each pausing after its If-Match check for the other. The cycle is held from the check to
    the commit, so the second is told of the first's move (412), never silently undoes it."""
    url = f"/api/v1/cycles/{cycles['shared']}"
    client = api("member_a")
    client.post(f"{url}/stage", json={"to": "do", "seen": "plan", "started_on": "2026-11-02"})
    client.post(f"{url}/stage", json={"to": "study", "seen": "do", "ended_on": "2026-11-09"})
    etag = client.get(url).headers["ETag"]
    assert _row(app, Cycle, cycles["shared"]).stage == Stage.STUDY
    # Both past the check together, unless one is made to wait for the other.
    monkeypatch.setattr(api_cycles, "_if_match", paused(api_cycles._if_match,
                                                        threading.Barrier(2, timeout=2)))

    def move(client, to: str) -> list[int]:
        return [client.post(f"{url}/stage", json={"to": to},
                            headers={"If-Match": etag}).status_code]

    statuses = run_together({"do": partial(move, api("member_a"), "do"),
                             "plan": partial(move, api("lead_a"), "plan")})
    assert sorted(s[0] for s in statuses.values()) == [200, 412]
    moved = next(to for to, s in statuses.items() if s == [200])
    assert _row(app, Cycle, cycles["shared"]).stage == Stage(moved)


def test_stage_moves_follow_the_pages_rules(app, api, cycles):
    url = f"/api/v1/cycles/{cycles['shared']}/stage"
    client = api("member_a")
    skipped = client.post(url, json={"to": "study"})
    assert skipped.status_code == 409
    moved = client.post(url, json={"to": "do", "seen": "plan", "started_on": "2026-11-02"})
    assert moved.status_code == 200
    assert (moved.get_json()["stage"], moved.get_json()["do_started_on"]) == ("do", "2026-11-02")
    early = client.post(url, json={"to": "study", "ended_on": "2026-11-01"})
    assert early.status_code == 422
    assert "ended_on" in early.get_json()["errors"]
    stale = client.post(url, json={"to": "study", "seen": "plan"})
    assert stale.status_code == 409
    assert _row(app, Cycle, cycles["shared"]).stage == Stage.DO


def test_reads_answer_if_none_match_with_304(api, cycles):
    client = api("member_a", "read")
    for url in (f"/api/v1/cycles/{cycles['shared']}", "/api/v1/cycles", "/api/v1/sites"):
        first = client.get(url)
        assert first.status_code == 200 and first.headers["ETag"]
        again = client.get(url, headers={"If-None-Match": first.headers["ETag"]})
        assert again.status_code == 304 and again.data == b""


# Guards -------------------------------------------------------------------------------------

def test_patient_data_is_refused_in_every_text_field(app, api, cycles):
    client = api("member_a")
    url = f"/api/v1/cycles/{cycles['shared']}"
    response = client.patch(url, json={"objective": f"Patient {NHS_NUMBER} sat out",
                                       "questions": [{"question": "Q", "result":
                                                      f"{NHS_NUMBER} ok"}]},
                            headers={"If-Match": "*"})
    assert response.status_code == 422
    errors = response.get_json()["errors"]
    assert "objective" in errors and "questions-0-result" in errors
    assert _row(app, Cycle, cycles["shared"]).version == 1
    comment = client.post(f"{url}/comments", json={"body": f"NHS {NHS_NUMBER}"})
    assert comment.status_code == 422 and "body" in comment.get_json()["errors"]
    created = client.post("/api/v1/cycles", json={"site_id": _site_of(app, cycles),
                                                  "title": NHS_NUMBER, "objective": "x"})
    assert created.status_code == 422 and "title" in created.get_json()["errors"]


def _site_of(app, cycles) -> int:
    return _row(app, Cycle, cycles["shared"]).site_id


def test_a_warning_is_overridden_by_confirming_as_on_the_page(app, api, cycles):
    url = f"/api/v1/cycles/{cycles['shared']}"
    text = "Mrs Smith helped"
    warned = api("member_a").patch(url, json={"plan_who": text}, headers={"If-Match": "*"})
    assert warned.status_code == 422 and "plan_who" in warned.get_json()["errors"]
    confirmed = api("member_a").patch(url, json={"plan_who": text, "confirm_no_pid": True},
                                      headers={"If-Match": "*"})
    assert confirmed.status_code == 200
    assert _row(app, Cycle, cycles["shared"]).plan_who == text


def test_unknown_fields_and_bad_values_are_422_by_field(api, cycles):
    response = api("member_a").patch(f"/api/v1/cycles/{cycles['shared']}",
                                     json={"titel": "typo", "visibility": "public"},
                                     headers={"If-Match": "*"})
    assert response.status_code == 422
    assert {"titel", "visibility"} <= set(response.get_json()["errors"])


def test_a_nul_in_any_text_is_422_by_field_and_stores_nothing(app, world, api, cycles):
    """Found by schemathesis on PostgreSQL, which cannot store a NUL: it was a 500."""
    client = api("member_a")
    with app.app_context():
        count = db.session.scalar(db.select(db.func.count(Cycle.id)))
    created = client.post("/api/v1/cycles", json={
        "site_id": world.site_a, "title": "Snack box", "objective": "Eat\x00 more"})
    assert created.status_code == 422
    assert created.content_type == "application/problem+json"
    assert created.get_json()["errors"] == {
        "objective": ["Holds a NUL character, which nothing here can use: remove it."]}
    edited = client.patch(f"/api/v1/cycles/{cycles['shared']}", headers={"If-Match": "*"},
                          json={"title": "ok", "plan_who": "Ward\x00 A"})
    assert edited.status_code == 422 and set(edited.get_json()["errors"]) == {"plan_who"}
    comment = client.post(f"/api/v1/cycles/{cycles['shared']}/comments", json={"body": "\x00"})
    assert comment.status_code == 422 and set(comment.get_json()["errors"]) == {"body"}
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count(Cycle.id))) == count
        assert db.session.get(Cycle, cycles["shared"]).title != "ok"


def test_each_token_has_its_own_rate_limit(app, world):
    app.config["API_LIMITS_PER_TOKEN"] = "2 per minute"
    first = ApiClient(app, make_token(app, world.member_a, "read"))
    second = ApiClient(app, make_token(app, world.member_a, "read", name="other"))
    assert [first.get("/api/v1/sites").status_code for _ in range(3)] == [200, 200, 429]
    refused = first.get("/api/v1/sites")
    assert refused.content_type == "application/problem+json"
    assert int(refused.headers["Retry-After"]) >= 1
    assert second.get("/api/v1/sites").status_code == 200


def test_a_body_over_the_limit_is_413(app, api, cycles):
    app.config["API_MAX_BODY"] = 1000
    response = api("member_a").post(f"/api/v1/cycles/{cycles['shared']}/comments",
                                    json={"body": "x" * 2000})
    assert response.status_code == 413
    assert response.content_type == "application/problem+json"


def test_unknown_api_paths_and_methods_answer_in_problem_json(api):
    client = api("member_a", "read")
    missing = client.get("/api/v1/nothing-here")
    assert (missing.status_code, missing.content_type) == (404, "application/problem+json")
    wrong = client.request("PUT", "/api/v1/sites")
    assert (wrong.status_code, wrong.content_type) == (405, "application/problem+json")
    assert "GET" in wrong.headers["Allow"]


def test_pages_keep_their_html_error_pages(login):
    response = login("member_a").get("/cycles/999999")
    assert response.status_code == 404 and response.content_type.startswith("text/html")


def test_the_api_needs_no_csrf_token_while_the_pages_do(app, api, login, cycles):
    app.config["WTF_CSRF_ENABLED"] = True
    url = f"/api/v1/cycles/{cycles['shared']}/comments"
    assert api("member_a").post(url, json={"body": "From a script"}).status_code == 201
    page = login("member_a").post(f"/cycles/{cycles['shared']}/comments", data={"body": "x"})
    assert page.status_code == 400  # a page's form without its CSRF token is refused


def test_ids_beyond_the_databases_range_are_422_not_a_server_error(app, world, api, cycles):
    """Found by schemathesis on PostgreSQL: 2**63 and up overflowed a BIGINT parameter."""
    client = api("member_a")
    huge = 9_999_999_999_999_999_999
    comment = client.post(f"/api/v1/cycles/{cycles['shared']}/comments",
                          json={"body": "Hi", "parent_id": huge})
    assert comment.status_code == 422 and "parent_id" in comment.get_json()["errors"]
    listed = client.get(f"/api/v1/cycles?site={huge}")
    assert listed.status_code == 422 and "site" in listed.get_json()["errors"]
    values = client.get(f"/api/v1/measures/1/values?site_id={huge}")
    assert values.status_code == 422 and "site_id" in values.get_json()["errors"]
