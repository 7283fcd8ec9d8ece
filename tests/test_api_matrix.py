"""Who may do what through the API, token by token: the same answers as the pages.

Every API rule and method has a decision here (test_every_api_route_has_a_decision). A read
case names the page case it must agree with (tests/test_routes_matrix.py): the page's
"to sign-in" is the API's 401, everything else is the same status. Write cases put a
member of site B, a partner and faculty against site A's things; a change is checked in the
database, as the page matrix does.
"""

import pytest

from tests import route_world
from tests.api_helpers import ApiClient, make_token
from tests.test_routes_matrix import GET_MATRIX, LOGIN, ROLES, changed_tables, snapshot

# api path: (page endpoint, page path) whose outcomes it must match, or explicit outcomes.
EVERYONE = (401, 200, 200, 200, 200, 200, 200)
API_READS = {
    "api.list_collaboratives": [("/api/v1/collaboratives", EVERYONE)],
    "api.get_collaborative": [("/api/v1/collaboratives/{collaborative}", EVERYONE)],
    "api.list_collaborative_networks": [("/api/v1/collaboratives/{collaborative}/networks",
                                         EVERYONE)],
    "api.list_networks": [("/api/v1/networks", EVERYONE)],
    "api.get_network": [("/api/v1/networks/{network}", EVERYONE)],
    "api.list_ideas": [("/api/v1/ideas", ("ideas.index", "/ideas/"))],
    "api.get_idea": [("/api/v1/ideas/{idea}", ("ideas.detail", "/ideas/{idea}"))],
    "api.list_sites": [("/api/v1/sites", ("sites.index", "/sites/"))],
    "api.get_site": [("/api/v1/sites/{site}", ("sites.detail", "/sites/{site}"))],
    "api.list_events": [("/api/v1/events", ("events.index", "/events/"))],
    "api.get_event": [("/api/v1/events/{event}", ("events.detail", "/events/{event}"))],
    "api.list_cycles": [("/api/v1/cycles", ("cycles.index", "/cycles/"))],
    "api.get_cycle": [("/api/v1/cycles/{cycle}", ("cycles.detail", "/cycles/{cycle}")),
                      ("/api/v1/cycles/{draft}", ("cycles.detail", "/cycles/{draft}")),
                      ("/api/v1/cycles/{trashed}", ("cycles.detail", "/cycles/{trashed}"))],
    "api.list_comments": [
        ("/api/v1/cycles/{cycle}/comments", ("cycles.detail", "/cycles/{cycle}")),
        ("/api/v1/cycles/{draft}/comments", ("cycles.detail", "/cycles/{draft}"))],
    "api.list_measures": [("/api/v1/measures", ("measures.index", "/measures/"))],
    "api.get_measure": [("/api/v1/measures/{measure}",
                         ("measures.detail", "/measures/{measure}?site_id={site}")),
                        ("/api/v1/measures/{local_measure}",
                         ("measures.detail", "/measures/{local_measure}"))],
    "api.list_values": [("/api/v1/measures/{measure}/values?site_id={site}",
                         ("measures.export", "/measures/{measure}/export.csv?site_id={site}"))],
    "api.get_chart": [("/api/v1/measures/{measure}/chart?site_id={site}",
                       ("measures.chart_csv", "/measures/{measure}/chart.csv?site_id={site}"))],
}

CREATED, SAVED, GONE = 201, 200, 204  # statuses that must change the database
CHANGES = {CREATED, SAVED, GONE}
STAR = {"If-Match": "*"}
# endpoint: [(method, path, json, headers, {role: status})], roles tried in order.
API_WRITES = {
    "api.create_cycle": [("POST", "/api/v1/cycles", {"site_id": "{site}", "title": "Sips",
                                                      "objective": "Sips"}, {},
                          {"faculty": 403, "partner": 403, "member_b": 422, "member_a": CREATED})],
    "api.update_cycle": [("PATCH", "/api/v1/cycles/{cycle}", {"title": "Sips"}, STAR,
                          {"member_b": 403, "faculty": 403, "partner": 403, "member_a": SAVED})],
    "api.move_cycle": [("POST", "/api/v1/cycles/{cycle}/stage", {"to": "do", "seen": "plan"}, {},
                        {"member_b": 403, "partner": 403, "member_a": SAVED})],
    "api.delete_cycle": [("DELETE", "/api/v1/cycles/{cycle}", None, {},
                          {"member_b": 403, "partner": 403, "member_a": 403, "lead_a": GONE})],
    "api.create_comment": [
        ("POST", "/api/v1/cycles/{draft}/comments", {"body": "Nice"}, {},
         {"member_b": 403, "partner": 403, "member_a": CREATED}),
        ("POST", "/api/v1/cycles/{cycle}/comments", {"body": "Nice"}, {}, {"partner": CREATED}),
    ],
    # Who may add an idea: the page's ideas.create (its teams and faculty, not partners);
    # who may edit one: the page's ideas.edit (its site's team, faculty, admins).
    "api.create_idea": [("POST", "/api/v1/ideas", {"collaborative_id": "{collaborative}",
                                                   "title": "Night snack boxes",
                                                   "create_anyway": True}, {},
                         {"partner": 403, "admin": 403, "member_b": CREATED,
                          "faculty": CREATED, "member_a": CREATED})],
    "api.update_idea": [("PATCH", "/api/v1/ideas/{idea}", {"title": "Carb drinks"}, STAR,
                         {"member_b": 403, "partner": 403, "faculty": SAVED, "admin": SAVED,
                          "member_a": SAVED, "lead_a": SAVED})],
    "api.upsert_values": [("PUT", "/api/v1/measures/{measure}/values?site_id={site}",
                           {"rows": [{"period": "{empty_week}", "numerator": 1,
                                      "denominator": 2}]}, {},
                           {"member_b": 403, "faculty": 403, "partner": 403,
                            "member_a": SAVED})],
}


def _page_outcomes(page: tuple[str, str]) -> tuple:
    endpoint, path = page
    outcomes = dict(GET_MATRIX[endpoint])[path]
    return tuple(401 if o == LOGIN else o for o in outcomes)


def _tokens(app, world) -> dict[str, ApiClient]:
    clients = {"anonymous": ApiClient(app, None)}
    for who in ROLES[1:] + ("lead_b",):
        clients[who] = ApiClient(app, make_token(app, getattr(world, who), "write", name=who))
    return clients


def _fill(value, objects):
    if isinstance(value, str):
        return value.format(**objects)
    if isinstance(value, dict):
        return {k: _fill(v, objects) for k, v in value.items()}
    if isinstance(value, list):
        return [_fill(v, objects) for v in value]
    return value


def _typed(value):
    """Ids filled into JSON as numbers."""
    if isinstance(value, dict):
        return {k: _typed(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_typed(v) for v in value]
    return int(value) if isinstance(value, str) and value.isdigit() else value


def test_every_api_route_has_a_decision(app):
    decided = {(e, "GET") for e in API_READS} | {
        (e, case[0]) for e, cases in API_WRITES.items() for case in cases}
    missing = [f"{m} {rule.endpoint}" for rule in app.url_map.iter_rules()
               if rule.endpoint.startswith("api.")
               for m in rule.methods - {"HEAD", "OPTIONS"} if (rule.endpoint, m) not in decided]
    assert missing == []


def test_api_reads_match_the_pages(app, world):
    with app.app_context():
        objects = route_world.build(world)
    clients, wrong = _tokens(app, world), []
    for endpoint, cases in API_READS.items():
        for path, expected in cases:
            outcomes = _page_outcomes(expected) if isinstance(expected[0], str) else expected
            url = path.format(**objects)
            for who, outcome in zip(ROLES, outcomes, strict=True):
                got = clients[who].get(url).status_code
                if got != outcome:
                    wrong.append(f"{endpoint} {url} {who}: {got}, expected {outcome}")
    assert wrong == []


WRITE_CASES = [(e, c) for e, cases in API_WRITES.items() for c in cases]


@pytest.mark.parametrize("endpoint,case", WRITE_CASES,
                         ids=[f"{e}:{c[1]}" for e, c in WRITE_CASES])
def test_api_writes_match_the_pages(app, world, endpoint, case):
    with app.app_context():
        objects = route_world.build(world)
    method, path, body, headers, outcomes = case
    url, clients = path.format(**objects), _tokens(app, world)
    for who in ("anonymous", *outcomes):
        expected = outcomes.get(who, 401)
        before = snapshot(app)
        response = clients[who].request(method, url, headers=headers,
                                        json=_typed(_fill(body, objects)))
        changed = [t for t in changed_tables(before, snapshot(app)) if t != "api_token"]
        assert response.status_code == expected, (who, response.get_json())
        assert bool(changed) == (expected in CHANGES), (who, changed)


def test_cookies_and_missing_tokens_change_nothing_anywhere(app, world, login):
    """Every API rule and method, with a signed-in browser's cookie and no token: 401."""
    with app.app_context():
        objects = route_world.build(world)
    browser, before = login("admin"), snapshot(app)
    for rule in app.url_map.iter_rules():
        if not rule.endpoint.startswith("api."):
            continue
        for method in rule.methods - {"HEAD", "OPTIONS"}:
            response = browser.open(route_world.fill(rule, objects), method=method,
                                    json={"title": "x", "body": "x"})
            assert response.status_code == 401, (method, rule.rule)
    assert changed_tables(before, snapshot(app)) == []
