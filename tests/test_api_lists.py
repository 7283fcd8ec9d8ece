"""Every API list by cursor, conditional reads (304) everywhere, CSV for spreadsheets and BI
tools, and the guards on the body's size and on guessed tokens."""

import csv
import io
import os
from datetime import timedelta

import pytest
import redis

from tests import factories as f
from tests import route_world
from tests.api_helpers import ApiClient, make_token
from tests.conftest import make_config
from tests.test_auth_throttle import new_app  # noqa: F401  (a fixture)
from tracker.extensions import db
from tracker.models import Collaborative, Cycle, Site, User, utcnow

REDIS_TEST_URL = os.environ.get("REDIS_API_TEST_URL", "redis://127.0.0.1:6379/9")

# list path -> the key that orders it (values by period; everything else by id)
LISTS = ("/api/v1/collaboratives", "/api/v1/networks", "/api/v1/sites", "/api/v1/measures",
         "/api/v1/events", "/api/v1/ideas", "/api/v1/cycles",
         "/api/v1/collaboratives/{collaborative}/networks",
         "/api/v1/cycles/{cycle}/comments",
         "/api/v1/measures/{measure}/values?site_id={site}")


@pytest.fixture
def objects(app, world):
    """The route world, with a second of everything a list shows."""
    with app.app_context():
        objects = route_world.build(world)
        collab = db.session.get(Collaborative, world.collaborative)
        member_a = db.session.get(User, world.member_a)
        other = f.make_collaborative("Test Second")
        f.make_collaborative("Test South", parent_id=collab.id)
        f.make_site(other, "Gamma Hospital")
        f.make_event(collab, utcnow() + timedelta(days=14))
        f.make_idea(db.session.get(Site, world.site_a), title="Evening snacks")
        cycle = db.session.get(Cycle, objects["cycle"])
        first = f.make_comment(cycle, member_a, "Second comment")
        db.session.flush()
        f.make_comment(cycle, member_a, "A reply", parent_id=first.id)
        db.session.commit()
    return objects


def _walk(api, url: str) -> tuple[list, int]:
    """Every item of a list, one per page, and the number of pages."""
    items, cursor, pages = [], None, 0
    while True:
        sep = "&" if "?" in url else "?"
        response = api.get(f"{url}{sep}limit=1" + (f"&cursor={cursor}" if cursor else ""))
        assert response.status_code == 200, (url, response.get_json())
        body = response.get_json()
        items += body["items"]
        pages += 1
        cursor = body["next_cursor"]
        if cursor is None:
            return items, pages


def test_every_list_pages_by_cursor_to_the_same_items(app, world, objects):
    member, admin = (ApiClient(app, make_token(app, getattr(world, who), "read", name=who))
                     for who in ("member_a", "admin"))
    for path in LISTS:
        url = path.format(**objects)
        api = admin if path == "/api/v1/collaboratives" else member
        whole = api.get(url + ("&" if "?" in url else "?") + "limit=200").get_json()
        assert whole["next_cursor"] is None
        assert len(whole["items"]) >= 2, url
        items, pages = _walk(api, url)
        assert items == whole["items"], url
        assert pages == len(items) + 1 or pages == len(items), url


def test_a_cursor_not_ours_is_422(app, world, objects):
    api = ApiClient(app, make_token(app, world.member_a, "read"))
    for url in ("/api/v1/sites?cursor=nonsense",
                f"/api/v1/cycles/{objects['cycle']}/comments?cursor=YWZ0ZXI6OTk5OQ",
                f"/api/v1/measures/{objects['measure']}/values?site_id={world.site_a}"
                "&cursor=YWZ0ZXI6OTk5OTk5OTk5OTk"):
        response = api.get(url)
        assert response.status_code == 422 and "cursor" in response.get_json()["errors"], url


def test_every_read_answers_if_none_match_with_304(app, world, objects):
    api = ApiClient(app, make_token(app, world.member_a, "read"))
    reads = [*LISTS, "/api/v1/networks/{network}", "/api/v1/ideas/{idea}",
             "/api/v1/sites/{site}", "/api/v1/collaboratives/{collaborative}",
             "/api/v1/events/{event}", "/api/v1/measures/{measure}",
             "/api/v1/measures/{measure}/chart?site_id={site}",
             "/api/v1/cycles?format=csv",
             "/api/v1/measures/{measure}/values?site_id={site}&format=csv"]
    for path in reads:
        url = path.format(**objects)
        first = api.get(url)
        assert first.status_code == 200 and first.headers["ETag"], url
        again = api.get(url, headers={"If-None-Match": first.headers["ETag"]})
        assert (again.status_code, again.data) == (304, b""), url


def _csv(response) -> list[dict]:
    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    return list(csv.DictReader(io.StringIO(response.get_data(as_text=True).removeprefix(
        "\ufeff"))))


def test_measure_values_as_csv_by_accept_or_format(app, world, objects):
    api = ApiClient(app, make_token(app, world.member_a, "read"))
    url = f"/api/v1/measures/{objects['measure']}/values?site_id={world.site_a}"
    as_json = api.get(url).get_json()["items"]
    by_accept = _csv(api.get(url, headers={"Accept": "text/csv"}))
    by_format = _csv(api.get(f"{url}&format=csv"))
    assert by_accept == by_format
    assert [(r["period"], r["numerator"], r["denominator"]) for r in by_accept] == [
        (v["period"], str(v["numerator"]), str(v["denominator"])) for v in as_json]
    assert list(by_accept[0]) == ["period", "numerator", "denominator", "value", "note"]
    # A browser's Accept (HTML first, */* after) still gets JSON.
    assert api.get(url, headers={"Accept": "text/html,*/*;q=0.8"}).is_json


def test_the_cycle_list_as_csv_links_its_next_page(app, world, objects):
    api = ApiClient(app, make_token(app, world.member_a, "read"))
    first = api.get("/api/v1/cycles?format=csv&limit=1")
    rows = _csv(first)
    assert len(rows) == 1 and rows[0]["title"] == "Shared test"
    assert {"id", "site_id", "stage", "title", "measure_ids", "version"} <= set(rows[0])
    link = first.headers["Link"]
    assert link.endswith('>; rel="next"') and "format=csv" in link
    following = _csv(api.get(link[1:link.index(">")].removeprefix("http://localhost")))
    assert int(following[0]["id"]) > int(rows[0]["id"])
    whole = api.get("/api/v1/cycles?format=csv&limit=200")
    assert "Link" not in whole.headers


def test_csv_is_in_the_spec(client):
    spec = client.get("/api/v1/openapi.json").get_json()
    for path in ("/api/v1/cycles", "/api/v1/measures/{measure_id}/values"):
        content = spec["paths"][path]["get"]["responses"]["200"]["content"]
        assert {"application/json", "text/csv"} <= set(content), path
        params = {p["name"] for p in spec["paths"][path]["get"]["parameters"]}
        assert {"format", "cursor", "limit"} <= params


def test_a_chunked_body_over_the_limit_is_413(app, world, objects):
    """No Content-Length to check first: the body is cut off as it is read."""
    app.config["API_MAX_BODY"] = 1000
    api = ApiClient(app, make_token(app, world.member_a))
    body = b'{"body": "' + b"x" * 5000 + b'"}'
    response = api.post(f"/api/v1/cycles/{objects['cycle']}/comments",
                        input_stream=io.BytesIO(body), content_type="application/json",
                        headers={"Transfer-Encoding": "chunked"},
                        environ_base={"wsgi.input_terminated": True})
    assert response.status_code == 413
    assert response.content_type == "application/problem+json"
    small = api.post(f"/api/v1/cycles/{objects['cycle']}/comments",
                     input_stream=io.BytesIO(b'{"body": "Short"}'),
                     content_type="application/json",
                     headers={"Transfer-Encoding": "chunked"},
                     environ_base={"wsgi.input_terminated": True})
    assert small.status_code == 201


def test_an_address_guessing_tokens_waits_even_with_a_good_one(app, world):
    app.config["API_LIMITS_BAD_TOKEN"] = "3 per minute"
    good = make_token(app, world.member_a, "read")
    guesser = {"REMOTE_ADDR": "192.0.2.50"}
    for n in range(3):
        wrong = ApiClient(app, f"pdsa_wrong{n}").get("/api/v1/sites", environ_base=guesser)
        assert wrong.status_code == 401
    waiting = ApiClient(app, good).get("/api/v1/sites", environ_base=guesser)
    assert waiting.status_code == 429
    assert waiting.content_type == "application/problem+json"
    assert 1 <= int(waiting.headers["Retry-After"]) <= 60
    elsewhere = ApiClient(app, good).get("/api/v1/sites",
                                         environ_base={"REMOTE_ADDR": "192.0.2.51"})
    assert elsewhere.status_code == 200
    # Good tokens and no token at all are not guesses.
    for _ in range(5):
        assert ApiClient(app, good).get("/api/v1/sites").status_code == 200
        assert ApiClient(app, None).get("/api/v1/sites").status_code == 401
    assert ApiClient(app, good).get("/api/v1/sites").status_code == 200


def test_guessed_tokens_are_counted_across_instances_through_redis(app, world, database_url,
                                                                   new_app):  # noqa: F811
    store = redis.Redis.from_url(REDIS_TEST_URL)
    store.flushdb()
    try:
        config = make_config(database_url, RATELIMIT_STORAGE_URI=REDIS_TEST_URL,
                             API_LIMITS_BAD_TOKEN="2 per minute")
        first, second = new_app(config), new_app(config)
        for n in range(2):
            assert ApiClient(first, f"pdsa_guess{n}").get("/api/v1/sites").status_code == 401
        assert ApiClient(second, "pdsa_guess9").get("/api/v1/sites").status_code == 429
        assert store.dbsize()
    finally:
        store.flushdb()
        store.close()


def _grow(app, world, cycle_id: int, n: int) -> None:
    """n more of each: networks, sites, measures, events, comments (half of them replies)."""
    with app.app_context():
        collab = db.session.get(Collaborative, world.collaborative)
        member_a = db.session.get(User, world.member_a)
        cycle = db.session.get(Cycle, cycle_id)
        for i in range(n):
            network = f.make_collaborative(f"Network {n}-{i}", parent_id=collab.id)
            f.make_site(collab, f"Site {n}-{i}", network_id=network.id)
            f.make_measure(collab.id, name=f"Measure {n}-{i}")
            f.make_event(collab, utcnow() + timedelta(days=i + 1))
            parent = f.make_comment(cycle, member_a, f"Comment {i}")
            db.session.flush()
            f.make_comment(cycle, member_a, f"Reply {i}", parent_id=parent.id)
        db.session.commit()


def test_every_list_costs_the_same_queries_for_5_or_50_more_rows(app, world, objects,
                                                                  count_queries):
    api = ApiClient(app, make_token(app, world.member_a, "read"))
    paths = ("/api/v1/networks", "/api/v1/sites", "/api/v1/measures", "/api/v1/events",
             f"/api/v1/collaboratives/{world.collaborative}/networks",
             f"/api/v1/cycles/{objects['cycle']}/comments")
    counts: dict[str, list] = {path: [] for path in paths}
    for n in (5, 45):
        _grow(app, world, objects["cycle"], n)
        for path in paths:
            with count_queries() as counter:
                body = api.get(f"{path}?limit=200").get_json()
            counts[path].append((counter.count, len(body["items"])))
    for path, ((first, rows_first), (second, rows_second)) in counts.items():
        assert rows_second >= rows_first + 45, path
        assert first == second, (path, first, second)
