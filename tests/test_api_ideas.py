"""The API's change ideas: the library's filters, the evidence roll-up the idea page shows,
new ideas and edits through the idea form, with If-Match (428/412) and conflicts (409)."""

import pytest

from tests import factories as f
from tests.api_helpers import ApiClient, make_token
from tracker.cycles import services as cycle_services
from tracker.extensions import db
from tracker.ideas.queries import evidence
from tracker.models import ChangeIdea, Decision, Site, User

NHS_NUMBER = "943 476 5919"


@pytest.fixture
def ideas(app, world):
    """Two ideas from site A (one tagged "eat", adopted at A and tested at B), one from B."""
    with app.app_context():
        site_a, site_b = db.session.get(Site, world.site_a), db.session.get(Site, world.site_b)
        drink = f.make_idea(site_a, title="Carbohydrate drink", author_id=world.member_a)
        snack = f.make_idea(site_a, title="Evening snack boxes")
        mouth = f.make_idea(site_b, title="Mouth care before surgery")
        from tracker.ideas import services
        services.set_tags(drink, ["eat"])
        member_a = db.session.get(User, world.member_a)
        member_b = db.session.get(User, world.member_b)
        adopted = cycle_services.log_cycle(site_a, by=member_a, title="Drinks", idea=drink,
                                           scale_amount=3, scale_unit="patients")
        adopted.decision = Decision.ADOPT
        cycle_services.log_cycle(site_b, by=member_b, title="Drinks at B", idea=drink)
        db.session.commit()
        return {"drink": drink.id, "snack": snack.id, "mouth": mouth.id}


def client(app, world, who="member_a", scope="write") -> ApiClient:
    return ApiClient(app, make_token(app, getattr(world, who), scope, name=f"{who}-{scope}"))


def _ids(response) -> list[int]:
    assert response.status_code == 200, response.get_json()
    return [item["id"] for item in response.get_json()["items"]]


def test_the_library_filters_as_the_page_does(app, world, ideas):
    api = client(app, world, scope="read")
    assert _ids(api.get("/api/v1/ideas")) == sorted(ideas.values())
    assert _ids(api.get("/api/v1/ideas?tag=eat")) == [ideas["drink"]]
    assert _ids(api.get(f"/api/v1/ideas?site={world.site_b}")) == [ideas["mouth"]]
    assert _ids(api.get("/api/v1/ideas?status=adopt")) == [ideas["drink"]]
    assert _ids(api.get("/api/v1/ideas?status=untested")) == [ideas["snack"], ideas["mouth"]]
    drink = api.get("/api/v1/ideas?tag=eat").get_json()["items"][0]
    assert (drink["sites_tested"], drink["sites_adopted"], drink["tags"]) == (2, 1, ["eat"])
    bad = api.get("/api/v1/ideas?status=great")
    assert bad.status_code == 422 and "status" in bad.get_json()["errors"]


def test_an_idea_carries_the_evidence_its_page_rolls_up(app, world, login, ideas):
    response = client(app, world, scope="read").get(f"/api/v1/ideas/{ideas['drink']}")
    assert response.status_code == 200
    body = response.get_json()
    with app.test_request_context():
        idea = db.session.get(ChangeIdea, ideas["drink"])
        expected = {r.site_id: r for r in evidence(idea, db.session.get(User, world.member_a))}
    assert {e["site_id"] for e in body["evidence"]} == set(expected) == {world.site_a,
                                                                          world.site_b}
    for row in body["evidence"]:
        want = expected[row["site_id"]]
        assert (row["cycles"], row["decision"], row["largest_scale_amount"],
                row["largest_scale_unit"]) == (want.cycles, want.decision, want.amount,
                                               want.unit)
    assert body["decisions"] == {"adopt": 1, "adapt": 0, "abandon": 0}
    page = login("member_a").get(f"/ideas/{ideas['drink']}").get_data(as_text=True)
    assert "Alpha Hospital" in page and "Beta" in page  # the page names the same two sites


def test_a_new_idea_goes_through_the_ideas_form(app, world, ideas):
    api = client(app, world)
    missing = api.post("/api/v1/ideas", json={"title": ""})
    assert missing.status_code == 422 and "title" in missing.get_json()["errors"]
    pid = api.post("/api/v1/ideas", json={"title": "Sips", "description": f"For {NHS_NUMBER}"})
    assert pid.status_code == 422 and "description" in pid.get_json()["errors"]
    similar = api.post("/api/v1/ideas", json={"title": "Carbohydrate drinks"})
    assert similar.status_code == 422
    assert similar.get_json()["similar"] == [{"id": ideas["drink"],
                                              "title": "Carbohydrate drink"}]
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count(ChangeIdea.id))) == 3
    created = api.post("/api/v1/ideas", json={"title": "Carbohydrate drinks",
                                              "create_anyway": True, "tags": ["Eat", "night"]})
    assert created.status_code == 201
    body = created.get_json()
    assert created.headers["Location"] == f"/api/v1/ideas/{body['id']}"
    assert (body["origin_site_id"], body["tags"]) == (world.site_a, ["eat", "night"])
    assert body["author_id"] == world.member_a and body["evidence"] == []


def test_partners_add_no_ideas(app, world, ideas):
    response = client(app, world, "partner").post("/api/v1/ideas", json={"title": "Sips"})
    assert response.status_code == 403


def test_an_edit_needs_if_match_naming_a_save_of_the_idea(app, world, ideas):
    api = client(app, world)
    url = f"/api/v1/ideas/{ideas['drink']}"
    assert api.patch(url, json={"title": "Sips"}).status_code == 428
    for header in ('"idea-999-1"', "nonsense", f'"idea-{ideas["drink"]}-99999999999999999"',
                   f'"idea-{ideas["drink"]}-9999999999999999"'):
        refused = api.patch(url, json={"title": "Sips"}, headers={"If-Match": header})
        assert refused.status_code == 412, header
        assert refused.content_type == "application/problem+json"
    assert api.get(url).get_json()["title"] == "Carbohydrate drink"


def test_an_edit_from_a_stale_version_is_409_and_saves_nothing(app, world, ideas):
    mine, theirs = client(app, world), client(app, world, "faculty")
    url = f"/api/v1/ideas/{ideas['drink']}"
    read = mine.get(url)
    etag = read.headers["ETag"]
    saved = theirs.patch(url, json={"description": "Faculty's words", "tags": ["drink"]},
                         headers={"If-Match": etag})
    assert saved.status_code == 200 and saved.headers["ETag"] != etag
    stale = mine.patch(url, json={"title": "My title"}, headers={"If-Match": etag})
    assert stale.status_code == 409
    body = stale.get_json()
    assert body["theirs"]["description"] == "Faculty's words"
    assert body["theirs"]["tags"] == ["drink"]
    assert (body["your_version"], body["current_version"]) == (etag, saved.headers["ETag"])
    assert mine.get(url).get_json()["title"] == "Carbohydrate drink"
    again = mine.patch(url, json={"title": "My title"}, headers={"If-Match": body[
        "current_version"]})
    assert again.status_code == 200
    after = again.get_json()
    assert (after["title"], after["description"]) == ("My title", "Faculty's words")


def test_an_edit_keeps_the_fields_left_out_and_guards_patient_data(app, world, ideas):
    api = client(app, world)
    url = f"/api/v1/ideas/{ideas['drink']}"
    refused = api.patch(url, json={"description": f"Patient {NHS_NUMBER}"},
                        headers={"If-Match": "*"})
    assert refused.status_code == 422 and "description" in refused.get_json()["errors"]
    warned = api.patch(url, json={"description": "Mrs Smith liked it"},
                       headers={"If-Match": "*"})
    assert warned.status_code == 422
    confirmed = api.patch(url, json={"description": "Mrs Smith liked it",
                                     "confirm_no_pid": True}, headers={"If-Match": "*"})
    assert confirmed.status_code == 200
    body = confirmed.get_json()
    assert (body["title"], body["tags"]) == ("Carbohydrate drink", ["eat"])
    unknown = api.patch(url, json={"driver_id": 999}, headers={"If-Match": "*"})
    assert unknown.status_code == 422 and "driver_id" in unknown.get_json()["errors"]


def test_a_read_token_and_another_sites_member_cannot_edit(app, world, ideas):
    url = f"/api/v1/ideas/{ideas['drink']}"
    assert client(app, world, scope="read").patch(
        url, json={"title": "x"}, headers={"If-Match": "*"}).status_code == 403
    assert client(app, world, "member_b").patch(
        url, json={"title": "x"}, headers={"If-Match": "*"}).status_code == 403


def test_an_ideas_etag_changes_with_its_evidence_and_answers_304(app, world, ideas):
    api = client(app, world, scope="read")
    url = f"/api/v1/ideas/{ideas['drink']}"
    etag = api.get(url).headers["ETag"]
    assert api.get(url, headers={"If-None-Match": etag}).status_code == 304
    with app.app_context():
        site_b = db.session.get(Site, world.site_b)
        f.make_cycle(site_b, idea_id=ideas["drink"], title="Another test")
        db.session.commit()
    assert api.get(url, headers={"If-None-Match": etag}).status_code == 200


def _many_ideas(app, world, count: int) -> None:
    with app.app_context():
        site = db.session.get(Site, world.site_a)
        from tracker.ideas import services
        for i in range(count):
            idea = f.make_idea(site, title=f"Idea number {i}")
            services.set_tags(idea, ["eat", f"t{i % 3}"])
            f.make_cycle(site, idea_id=idea.id, title=f"Test {i}")
        db.session.commit()


def test_the_idea_list_costs_the_same_queries_for_5_or_50_rows(app, world, count_queries):
    api = client(app, world, scope="read")
    counts = []
    for n in (5, 45):
        _many_ideas(app, world, n)
        with count_queries() as counter:
            body = api.get("/api/v1/ideas?limit=200").get_json()
        counts.append((counter.count, len(body["items"])))
    assert [n for _, n in counts] == [5, 50]
    assert counts[0][0] == counts[1][0]
