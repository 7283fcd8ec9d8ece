"""Measures: the list, who reads and who defines them, soft delete."""

import re

import pytest

from tests import factories as f
from tracker.extensions import db
from tracker.models import AuditEvent, Direction, Frequency, Measure, Site

DEFINITION = "Patients who drank within 24 h, of eligible patients."


def core(app, world, **overrides) -> int:
    with app.app_context():
        measure = f.make_measure(world.collaborative, **{
            "name": "Drink within 24 h", "definition": DEFINITION, **overrides})
        db.session.commit()
        return measure.id


def local(app, world, site="site_a", **overrides) -> int:
    with app.app_context():
        site_id = getattr(world, site)
        measure = f.make_measure(world.collaborative, site_id=site_id, **{
            "name": f"Local to {site}", "definition": "A ward's own measure.", **overrides})
        db.session.commit()
        return measure.id


def form_data(**overrides) -> dict:
    return {"name": "Chair by the bed", "kind": "process", "definition": "Beds with a chair.",
            "data_kind": "proportion", "unit": "%", "direction": "increase", "target": "90",
            "frequency": "weekly", "composite_id": "", "balances_id": "", "chart_type": "",
            "rule_set": "", "position": "0", **overrides}


def test_list_shows_core_and_my_sites_measures_with_definitions(app, login, world):
    dream = core(app, world, name="DrEaMing")
    core(app, world, name="PONV", balances_id=dream, definition="Nausea needing treatment.")
    local(app, world, "site_a")
    local(app, world, "site_b")
    with app.app_context():
        other = f.make_collaborative("Falls")
        f.make_measure(other.id, name="Falls per 1000 bed days", definition="x")
        db.session.commit()
    html = login("member_a").get("/measures/").get_data(True)
    assert "DrEaMing" in html and DEFINITION in html
    assert "Local to site_a" in html and "Local to site_b" not in html
    assert "Falls per 1000 bed days" not in html
    # The balancing measure sits under the measure it balances.
    assert html.index("DrEaMing") < html.index("Balancing measure of DrEaMing") < html.index(
        "PONV")
    assert "Nausea needing treatment." in html


def test_list_costs_the_same_queries_with_more_measures(app, login, world, count_queries):
    client = login("member_a")
    core(app, world)
    local(app, world)
    with count_queries() as few:
        client.get("/measures/")
    with app.app_context():
        for n in range(20):
            f.make_measure(world.collaborative, name=f"Core {n}", definition="d")
            f.make_measure(world.collaborative, site_id=world.site_a, name=f"Local {n}",
                           definition="d")
        db.session.commit()
    with count_queries() as many:
        assert "Local 19" in client.get("/measures/").get_data(True)
    assert many.count == few.count


def test_detail_404_403_and_deleted(app, login, world):
    measure_id = core(app, world)
    with app.app_context():
        other = f.make_collaborative("Sepsis")
        gamma = f.make_site(other, "Gamma")
        hidden = f.make_measure(other.id, name="Sepsis six", definition="x")
        db.session.commit()
        gamma_id, hidden_id = gamma.id, hidden.id
    client = login("member_a")
    assert client.get("/measures/9999").status_code == 404
    assert client.get(f"/measures/{hidden_id}").status_code == 403
    assert client.get(f"/measures/{measure_id}?site_id={gamma_id}").status_code == 404
    assert client.get(f"/measures/{measure_id}?site_id=9999").status_code == 404
    with app.app_context():
        db.session.get(Measure, measure_id).deleted_at = db.func.now()
        db.session.commit()
    assert client.get(f"/measures/{measure_id}").status_code == 404


def test_local_measure_is_read_by_the_collaborative_and_charted_at_its_site_only(
        app, login, world):
    measure_id = local(app, world, "site_a")
    client = login("member_b")
    html = client.get(f"/measures/{measure_id}").get_data(True)
    assert "Alpha Hospital" in html and "Enter data" not in html
    assert client.get(f"/measures/{measure_id}?site_id={world.site_b}").status_code == 404


def test_default_site_is_my_own(app, login, world):
    measure_id = core(app, world)
    assert "<strong>Site:</strong>" not in login("member_b").get(
        f"/measures/{measure_id}").get_data(True)
    html = login("member_b").get(f"/measures/{measure_id}").get_data(True)
    assert f'<option value="{world.site_b}" selected>Beta Hospital</option>' in html


@pytest.mark.parametrize("who,status", [
    ("faculty", 302), ("admin", 302), ("lead_a", 403), ("member_a", 403), ("partner", 403)])
def test_only_faculty_define_core_measures(app, login, world, who, status):
    response = login(who).post(f"/measures/new?collaborative_id={world.collaborative}",
                               data=form_data())
    assert response.status_code == status
    with app.app_context():
        created = db.session.scalars(db.select(Measure)).all()
        assert len(created) == (1 if status == 302 else 0)
        if created:
            assert created[0].is_core and created[0].target == 90.0


@pytest.mark.parametrize("who,status", [
    ("lead_a", 302), ("member_a", 403), ("lead_b", 403), ("faculty", 403)])
def test_only_site_leads_define_their_sites_measures(app, login, world, who, status):
    response = login(who).post(f"/measures/new?site_id={world.site_a}", data=form_data())
    assert response.status_code == status
    if status == 302:
        with app.app_context():
            measure = db.session.scalars(db.select(Measure)).one()
            assert measure.site_id == world.site_a
            assert db.session.scalars(db.select(AuditEvent.action)).all() == [
                "measure.created"]


@pytest.mark.parametrize("who,status", [("faculty", 302), ("lead_a", 403), ("member_a", 403)])
def test_sites_cannot_change_core_definitions(app, login, world, who, status):
    measure_id = core(app, world)
    client = login(who)
    assert client.get(f"/measures/{measure_id}/edit").status_code == (
        200 if status == 302 else 403)
    response = client.post(f"/measures/{measure_id}/edit",
                           data=form_data(name="Renamed", definition="New words."))
    assert response.status_code == status
    with app.app_context():
        name = db.session.get(Measure, measure_id).name
    assert name == ("Renamed" if status == 302 else "Drink within 24 h")


def test_edit_form_shows_the_stored_definition(app, login, world):
    measure_id = core(app, world, target=80.0, direction=Direction.DECREASE,
                      frequency=Frequency.MONTHLY)
    html = login("faculty").get(f"/measures/{measure_id}/edit").get_data(True)
    assert 'value="80"' in html
    assert '<option selected value="decrease">' in html
    assert '<option selected value="monthly">' in html


def test_bad_definition_keeps_what_was_typed(app, login, world):
    response = login("lead_a").post(f"/measures/new?site_id={world.site_a}", data=form_data(
        name="Kept name", definition="", target="150", baseline_periods="5"))
    html = response.get_data(True)
    assert response.status_code == 200
    assert 'value="Kept name"' in html
    assert "This field is required." in html
    assert "between 0 and 100" in html
    assert "at least 12 periods" in html  # Making Data Count baseline
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count(Measure.id))) == 0


def test_chart_settings_must_suit_the_data(app, login, world):
    html = login("lead_a").post(f"/measures/new?site_id={world.site_a}", data=form_data(
        data_kind="count", chart_type="p", rule_set="ihi")).get_data(True)
    assert "does not suit this kind of data" in html
    assert "do not apply to a p chart" in html


def test_nhs_number_in_a_definition_is_refused(app, login, world):
    html = login("lead_a").post(f"/measures/new?site_id={world.site_a}", data=form_data(
        definition="Like patient 943 476 5919")).get_data(True)
    assert "looks like an NHS number" in html
    assert "Like patient 943 476 5919" in html


def test_data_kind_is_fixed_once_there_is_data(app, login, world):
    measure_id = core(app, world)
    with app.app_context():
        f.make_values(db.session.get(Measure, measure_id),
                      db.session.get(Site, world.site_a), [(1, 2)])
        db.session.commit()
    html = login("faculty").post(f"/measures/{measure_id}/edit", data=form_data(
        data_kind="count")).get_data(True)
    assert "already has data" in html
    with app.app_context():
        assert db.session.get(Measure, measure_id).data_kind.value == "proportion"


def _stamp_in(html: str) -> str:
    return re.search(r'name="stamp" type="hidden" value="([^"]+)"', html).group(1)


def test_two_people_editing_a_definition_at_once_overwrite_nothing(app, login, world):
    measure_id = core(app, world, target=70.0)
    url = f"/measures/{measure_id}/edit"
    fay, fred = login("faculty"), login("admin")
    fays, freds = (_stamp_in(c.get(url).get_data(True)) for c in (fay, fred))
    assert fay.post(url, data=form_data(name="Drink within 24 h", target="80",
                                        stamp=fays)).status_code == 302
    # Fred's form was opened before Fay's save: his is refused, hers shown beside his.
    refused = fred.post(url, data=form_data(name="Drinks by 24 h", target="70", stamp=freds))
    html = refused.get_data(True)
    assert refused.status_code == 409 and "Someone saved this measure while you" in html
    start = html.index('id="measure-conflict-heading"')
    theirs = html[start:html.index("</section>", start)]
    assert "<dt class=\"col-sm-4\">Target (optional)</dt>" in theirs and ">80</dd>" in theirs
    assert 'value="Drinks by 24 h"' in html  # what he typed, kept
    with app.app_context():
        measure = db.session.get(Measure, measure_id)
        assert (measure.name, measure.target) == ("Drink within 24 h", 80.0)
    # Saving again, now knowing hers, keeps his form.
    assert fred.post(url, data=form_data(name="Drinks by 24 h", target="80",
                                         stamp=_stamp_in(html))).status_code == 302
    with app.app_context():
        assert db.session.get(Measure, measure_id).name == "Drinks by 24 h"
    # The same save sent twice (a double click) is no conflict with itself.
    assert fred.post(url, data=form_data(name="Drinks by 24 h", target="80",
                                         stamp=_stamp_in(html))).status_code == 302


def test_related_pickers_keep_core_measures_to_core(app, login, world):
    core_id = core(app, world, name="Core one")
    local(app, world, "site_a")
    html = login("faculty").get(f"/measures/new?collaborative_id={world.collaborative}")
    text = html.get_data(True)
    assert "Core one" in text and "Local to site_a" not in text
    text = login("lead_a").get(f"/measures/new?site_id={world.site_a}").get_data(True)
    assert "Core one" in text and "Local to site_a" in text
    assert core_id


def test_delete_is_soft_post_only_and_owners_only(app, login, world):
    measure_id = core(app, world)
    assert login("faculty").get(f"/measures/{measure_id}/delete").status_code == 405
    assert login("lead_a").post(f"/measures/{measure_id}/delete").status_code == 403
    response = login("faculty").post(f"/measures/{measure_id}/delete")
    assert response.status_code == 302
    with app.app_context():
        measure = db.session.get(Measure, measure_id)
        assert measure.deleted_at is not None  # kept, only hidden
        assert db.session.scalars(db.select(AuditEvent.action)).all() == ["measure.deleted"]
    assert "Drink within 24 h" not in login("member_a").get("/measures/").get_data(True)
