"""The OpenAPI 3.1 document is generated from the code, valid, and covers every API route;
list endpoints cost the same number of queries however many rows they return."""

import re

from openapi_spec_validator import validate

from tests import factories as f
from tests.api_helpers import ApiClient, make_token
from tracker.extensions import db
from tracker.models import Site


def test_the_spec_is_valid_openapi_3_1(client):
    spec = client.get("/api/v1/openapi.json").get_json()
    assert spec["openapi"].startswith("3.1")
    validate(spec)


def test_every_api_route_and_method_is_in_the_spec(app, client):
    paths = client.get("/api/v1/openapi.json").get_json()["paths"]
    for rule in app.url_map.iter_rules():
        if not rule.endpoint.startswith("api."):
            continue
        path = re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", rule.rule)
        for method in rule.methods - {"HEAD", "OPTIONS"}:
            assert method.lower() in paths[path], (method, path)


def test_errors_are_documented_as_problem_json(client):
    spec = client.get("/api/v1/openapi.json").get_json()
    default = spec["components"]["responses"]["DEFAULT_ERROR"]
    assert list(default["content"]) == ["application/problem+json"]
    assert spec["components"]["securitySchemes"]["token"]["scheme"] == "bearer"


def test_the_docs_page_loads_its_files_from_this_server(client):
    page = client.get("/api/docs/").get_data(as_text=True)
    sources = re.findall(r'(?:src|href)="([^"]+)"', page)
    assert sources and all(s.startswith("/") for s in sources)
    for source in sources:
        with client.get(source) as response:  # a file response: closed here
            assert response.status_code == 200, source


def _cycles(app, world, count: int) -> None:
    with app.app_context():
        site = db.session.get(Site, world.site_a)
        idea = f.make_idea(site)
        for _ in range(count):
            f.make_cycle(site, idea_id=idea.id, author_id=world.member_a)
        db.session.commit()


def test_the_cycle_list_costs_the_same_queries_for_5_or_150_rows(app, world, count_queries):
    client = ApiClient(app, make_token(app, world.member_a, "read"))
    counts = []
    for n in (5, 145):
        _cycles(app, world, n)
        with count_queries() as counter:
            body = client.get("/api/v1/cycles?limit=200").get_json()
        counts.append((counter.count, len(body["items"])))
    assert [n for _, n in counts] == [5, 150]
    assert counts[0][0] == counts[1][0]
