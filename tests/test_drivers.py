"""The driver diagram: faculty edit it without breaking any idea's link."""

import pytest

from tests import factories as f
from tracker.extensions import db
from tracker.models import ChangeIdea, Driver, Site, Tag


@pytest.fixture
def diagram(app, world):
    with app.app_context():
        drink = Driver(collaborative_id=world.collaborative, title="Drink", position=1)
        eat = Driver(collaborative_id=world.collaborative, title="Eat", position=2)
        db.session.add_all([drink, eat])
        db.session.flush()
        fasting = Driver(collaborative_id=world.collaborative, title="Shorter fasting",
                         parent_id=drink.id, position=1)
        db.session.add(fasting)
        db.session.flush()
        idea = f.make_idea(db.session.get(Site, world.site_a), title="Sip till send",
                           driver_id=fasting.id)
        db.session.commit()
        return {"drink": drink.id, "eat": eat.id, "fasting": fasting.id, "idea": idea.id}


def test_diagram_shows_aim_drivers_and_ideas_with_a_list_alternative(login, world, diagram):
    html = login("partner").get("/ideas/drivers").get_data(True)
    assert 'class="driver-diagram mb-4" aria-hidden="true"' in html
    tree = html[html.index('<ul class="driver-tree">'):]
    assert tree.index("Drink") < tree.index("Shorter fasting") < tree.index("Sip till send")
    assert tree.index("Sip till send") < tree.index("Eat")
    assert "Edit “Drink”" not in html  # only faculty edit


def test_faculty_add_rename_reorder_and_remove_drivers(app, login, world, diagram):
    client = login("faculty")
    client.post("/ideas/drivers/new", data={"title": "Mobilise", "parent_id": ""})
    client.post("/ideas/drivers/new", data={"title": "Chair by bed",
                                            "parent_id": str(diagram["eat"])})
    client.post(f"/ideas/drivers/{diagram['fasting']}/rename", data={"title": "Fasting times"})
    client.post(f"/ideas/drivers/{diagram['eat']}/move/up")
    with app.app_context():
        primaries = db.session.scalars(db.select(Driver.title).where(
            Driver.parent_id.is_(None), Driver.deleted_at.is_(None))
            .order_by(Driver.position)).all()
        assert primaries == ["Eat", "Drink", "Mobilise"]
        idea = db.session.get(ChangeIdea, diagram["idea"])
        assert idea.driver.title == "Fasting times"  # the link survived the rename
    # A driver with ideas under it is not removed; an empty one is (softly).
    html = client.post(f"/ideas/drivers/{diagram['fasting']}/delete",
                       follow_redirects=True).get_data(True)
    assert "still has secondary drivers or ideas" in html
    with app.app_context():
        mobilise = db.session.scalars(db.select(Driver).filter_by(title="Mobilise")).one()
        mobilise_id = mobilise.id
    client.post(f"/ideas/drivers/{mobilise_id}/delete")
    with app.app_context():
        assert db.session.get(Driver, mobilise_id).deleted_at is not None


def test_moving_an_idea_between_drivers_keeps_its_cycles(app, login, world, diagram):
    with app.app_context():
        cycle_id = f.make_cycle(db.session.get(Site, world.site_a),
                                idea_id=diagram["idea"]).id
        db.session.commit()
    client = login("faculty")
    from tests.test_ideas import stamp_of

    stamp = stamp_of(client.get(f"/ideas/{diagram['idea']}/edit").get_data(True))
    response = client.post(f"/ideas/{diagram['idea']}/edit", data={
        "title": "Sip till send", "driver_id": str(diagram["eat"]), "tags": "", "stamp": stamp})
    assert response.status_code == 302
    with app.app_context():
        assert db.session.get(ChangeIdea, diagram["idea"]).driver_id == diagram["eat"]
    assert "Sip till send" in client.get(f"/cycles/{cycle_id}").get_data(True)


@pytest.mark.parametrize("who", ["member_a", "lead_a", "partner"])
def test_only_faculty_edit_the_diagram_and_tags(login, world, diagram, who):
    client = login(who)
    assert client.post("/ideas/drivers/new", data={"title": "X"}).status_code == 403
    assert client.post(f"/ideas/drivers/{diagram['drink']}/rename",
                       data={"title": "X"}).status_code == 403
    assert client.post(f"/ideas/drivers/{diagram['drink']}/move/down").status_code == 403
    assert client.get("/ideas/tags").status_code == 403


def test_faculty_merge_tags(app, login, world, diagram):
    with app.app_context():
        site = db.session.get(Site, world.site_a)
        drink = Tag(collaborative_id=world.collaborative, name="carbohydrate drink")
        dup = Tag(collaborative_id=world.collaborative, name="pre-op drink")
        both = f.make_idea(site, title="Both", tags=[drink, dup])
        only_dup = f.make_idea(site, title="Dup only", tags=[dup])
        db.session.commit()
        ids = (drink.id, dup.id, both.id, only_dup.id)
    client = login("faculty")
    html = client.post("/ideas/tags", data={"source": ids[1], "target": ids[1]}).get_data(True)
    assert "Choose two different tags." in html
    html = client.post("/ideas/tags", data={"source": ids[1], "target": ids[0]},
                       follow_redirects=True).get_data(True)
    assert "Merged “pre-op drink” into “carbohydrate drink” (1 ideas moved)." in html
    with app.app_context():
        assert db.session.get(Tag, ids[1]) is None
        for idea_id in ids[2:]:
            assert [t.name for t in db.session.get(ChangeIdea, idea_id).tags] == [
                "carbohydrate drink"]
