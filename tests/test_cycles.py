"""PDSA cycles: quick log, worksheet, stages, permissions, lists."""

import re

import pytest

from tests import factories as f
from tracker.extensions import db
from tracker.models import ChangeIdea, Cycle, CycleRevision, Site, Stage, Visibility


def make(app, site_id, **overrides) -> int:
    with app.app_context():
        cycle = f.make_cycle(db.session.get(Site, site_id), **overrides)
        db.session.commit()
        return cycle.id


def load(app, cycle_id) -> Cycle:
    with app.app_context():
        cycle = db.session.get(Cycle, cycle_id)
        _ = cycle.questions, cycle.measures, cycle.site
        db.session.expunge(cycle)
        return cycle


def worksheet(client, cycle_id) -> dict:
    """The edit form's current fields, the way a browser would submit them."""
    return form_fields(client.get(f"/cycles/{cycle_id}/edit").get_data(True))


TEXTAREA = r'<textarea[^>]*name="([^"]+)"[^>]*>(?:\r?\n)?(.*?)</textarea>'
SELECTED = r'<option selected value="([^"]*)"|<option value="([^"]*)" selected'


def form_fields(html: str) -> dict:
    """Every named input, textarea and select of a page, with its current value."""
    data = dict(re.findall(r'<input[^>]*name="((?!resolve-)[^"]+)"[^>]*value="([^"]*)"', html))
    for name, text in re.findall(TEXTAREA, html, re.S):
        data[name] = text.replace("&#39;", "'")
    for name, body in re.findall(r'<select[^>]*name="([^"]+)"[^>]*>(.*?)</select>', html, re.S):
        selected = re.search(SELECTED, body)
        data[name] = next(g for g in selected.groups() if g is not None) if selected else ""
    for key in ("csrf_token", "submit", "submit_advance"):
        data.pop(key, None)
    return data


def test_quick_log_saves_a_cycle_in_plan_with_a_new_idea(app, login, world):
    client = login("member_a")
    response = client.post("/cycles/quick", data={
        "site_id": world.site_a, "title": "Drink in recovery", "idea_id": "",
        "new_idea": "Drink offered in recovery", "objective": "Offer water in recovery",
        "prediction": "6 of 8 patients drink within 1 hour", "scale_amount": "1",
        "scale_unit": "shift"})
    assert response.status_code == 302
    cycle_id = int(response.location.rsplit("/", 1)[1])
    cycle = load(app, cycle_id)
    assert (cycle.stage, cycle.site_id, cycle.scale) == (Stage.PLAN, world.site_a, "1 shift")
    assert cycle.questions[0].prediction == "6 of 8 patients drink within 1 hour"
    with app.app_context():
        idea = db.session.get(ChangeIdea, cycle.idea_id)
        assert (idea.title, idea.origin_site_id) == ("Drink offered in recovery", world.site_a)
        assert db.session.scalar(db.select(db.func.count(CycleRevision.id))) == 1


def test_quick_log_errors_keep_everything_typed_and_save_nothing(app, login, world):
    html = login("member_a").post("/cycles/quick", data={
        "site_id": world.site_a, "title": "", "objective": "Patient 943 476 5919 sat out",
        "prediction": "most sit out", "scale_amount": "0", "scale_unit": "bay"}).get_data(True)
    assert "This field is required." in html
    assert "What are we testing? contains what looks like an NHS number" in html
    assert "Enter 1 or more." in html
    assert "most sit out</textarea>" in html and 'value="bay"' in html
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count(Cycle.id))) == 0


def test_quick_log_is_one_tap_from_every_page_for_site_members(login, world):
    assert 'href="/cycles/quick"' in login("member_a").get("/sites/").get_data(True)
    assert 'href="/cycles/quick"' not in login("partner").get("/sites/").get_data(True)
    assert login("partner").get("/cycles/quick").status_code == 403


def test_worksheet_save_records_a_revision_and_moves_on(app, login, world):
    cycle_id = make(app, world.site_a, title="Chair by the bed")
    client = login("member_a")
    data = worksheet(client, cycle_id)
    data.update({"objective": "Chair by every bed on return",
                 "questions-0-question": "Do they sit?",
                 "questions-0-prediction": "6 of 8 sit out", "questions-0-prediction_value": "6",
                 "submit_advance": "Save and move to Do"})
    assert client.post(f"/cycles/{cycle_id}/edit", data=data).status_code == 302
    cycle = load(app, cycle_id)
    assert cycle.stage == Stage.DO and cycle.version == 3  # edited, then moved
    assert cycle.questions[0].prediction_value == 6
    with app.app_context():
        revisions = db.session.scalars(db.select(CycleRevision).order_by(CycleRevision.version))
        actions = [(r.version, r.action) for r in revisions]
    assert actions == [(1, "baseline"), (2, "edited"), (3, "stage")]


def test_worksheet_errors_keep_what_was_typed_and_change_nothing(app, login, world):
    cycle_id = make(app, world.site_a, title="Before")
    client = login("member_a")
    data = worksheet(client, cycle_id)
    data.update({"title": "After", "do_started_on": "2026-03-10", "do_ended_on": "2026-03-01",
                 "questions-0-prediction_value": "six", "study_learning": "DOB 01/02/1950"})
    html = client.post(f"/cycles/{cycle_id}/edit", data=data).get_data(True)
    assert "The end date is before the start date." in html
    assert "Enter a number, like 6 or 75.5" in html
    assert "This looks like a date of birth" in html
    assert 'value="After"' in html
    assert load(app, cycle_id).title == "Before"


def test_stage_moves_forward_one_at_a_time_and_back_is_recorded(app, login, world):
    cycle_id = make(app, world.site_a)
    client = login("member_a")
    client.post(f"/cycles/{cycle_id}/stage", data={"to": "study"})
    assert load(app, cycle_id).stage == Stage.PLAN  # cannot skip Do
    for stage in ("do", "study", "act"):
        client.post(f"/cycles/{cycle_id}/stage", data={"to": stage})
    html = client.post(f"/cycles/{cycle_id}/stage", data={"to": "complete"},
                       follow_redirects=True).get_data(True)
    assert "Choose adopt, adapt or abandon" in html
    client.post(f"/cycles/{cycle_id}/stage", data={"to": "do"})
    assert load(app, cycle_id).stage == Stage.DO
    with app.app_context():
        actions = list(db.session.scalars(
            db.select(CycleRevision.action).order_by(CycleRevision.version)))
    assert actions == ["baseline", "stage", "stage", "stage", "stage_back"]


@pytest.mark.parametrize("who,view,edit,delete", [
    ("member_a", 200, 200, 403),
    ("lead_a", 200, 200, 302),
    ("member_b", 200, 403, 403),
    ("faculty", 200, 403, 403),
    ("partner", 200, 403, 403),
    ("admin", 200, 200, 302),
])
def test_permissions_on_a_shared_cycle(app, login, world, who, view, edit, delete):
    cycle_id = make(app, world.site_a)
    client = login(who)
    assert client.get(f"/cycles/{cycle_id}").status_code == view
    assert client.get(f"/cycles/{cycle_id}/edit").status_code == edit
    assert client.post(f"/cycles/{cycle_id}/stage", data={"to": "do"}).status_code == (
        302 if edit == 200 else 403)
    assert client.post(f"/cycles/{cycle_id}/delete").status_code == delete


def test_site_draft_is_hidden_from_other_sites_in_detail_and_lists(app, login, world):
    cycle_id = make(app, world.site_a, title="Secret draft", visibility=Visibility.SITE)
    assert login("member_b").get(f"/cycles/{cycle_id}").status_code == 403
    assert "Secret draft" not in login("member_b").get("/cycles/").get_data(True)
    assert "Secret draft" not in login("faculty").get("/cycles/").get_data(True)
    assert "Secret draft" in login("member_a").get("/cycles/").get_data(True)


def test_missing_cycle_is_404_and_delete_rejects_get(login, world):
    client = login("lead_a")
    assert client.get("/cycles/999").status_code == 404
    assert client.get("/cycles/999/delete").status_code == 405


def test_cycle_of_another_collaborative_is_forbidden(app, login, world):
    with app.app_context():
        other = f.make_site(f.make_collaborative("Falls"), "Gamma")
        cycle_id = f.make_cycle(other).id
        db.session.commit()
    assert login("member_a").get(f"/cycles/{cycle_id}").status_code == 403
    assert login("member_a").get(f"/cycles/{cycle_id}/history").status_code == 403


def test_delete_is_soft_and_the_site_trash_restores(app, login, world):
    cycle_id = make(app, world.site_a, title="Evening snack boxes")
    lead = login("lead_a")
    assert lead.post(f"/cycles/{cycle_id}/delete").status_code == 302
    assert lead.get(f"/cycles/{cycle_id}").status_code == 404
    assert "Evening snack boxes" not in lead.get("/cycles/").get_data(True)
    assert "Evening snack boxes" in lead.get("/cycles/trash").get_data(True)
    assert "Evening snack boxes" not in login("lead_b").get("/cycles/trash").get_data(True)
    assert login("lead_b").post(f"/cycles/{cycle_id}/restore").status_code == 403
    assert lead.post(f"/cycles/{cycle_id}/restore").status_code == 302
    assert lead.get(f"/cycles/{cycle_id}").status_code == 200
    with app.app_context():
        actions = list(db.session.scalars(
            db.select(CycleRevision.action).order_by(CycleRevision.version)))
    assert actions == ["baseline", "deleted", "restored"]


def test_trash_keeps_cycles_restorable_for_30_days_only(app, login, world):
    from datetime import timedelta

    from tracker.models import utcnow

    old = make(app, world.site_a, title="Long gone", deleted_at=utcnow() - timedelta(days=31))
    make(app, world.site_a, title="Recently binned", deleted_at=utcnow() - timedelta(days=29))
    html = login("lead_a").get("/cycles/trash").get_data(True)
    assert "Recently binned" in html and "Long gone" not in html
    assert login("lead_a").post(f"/cycles/{old}/restore").status_code == 404


def stage_tags(html: str) -> dict[str, str]:
    """Each worksheet stage's opening <details> tag, by stage."""
    found = re.findall(r'(<details class="worksheet-stage[^"]*" id="stage-(\w+)"[^>]*>)', html)
    return {stage: tag for tag, stage in found}


def test_worksheet_opens_at_the_stage_and_at_any_stage_with_an_error(app, login, world):
    cycle_id = make(app, world.site_a, title="Chair by the bed", stage=Stage.STUDY)
    client = login("member_a")
    tags = stage_tags(client.get(f"/cycles/{cycle_id}/edit").get_data(True))
    assert [s for s, tag in tags.items() if " open" in tag] == ["study"]
    assert "worksheet-stage-done" in tags["plan"] and "worksheet-stage-next" in tags["act"]
    data = worksheet(client, cycle_id)
    data["questions-0-question"] = "Do they sit?"
    data["questions-0-prediction_value"] = "most"  # not a number: an error in Plan
    html = client.post(f"/cycles/{cycle_id}/edit", data=data).get_data(True)
    tags = stage_tags(html)
    assert [s for s, tag in tags.items() if " open" in tag] == ["plan", "study"]
    assert 'value="most"' in html
    assert load(app, cycle_id).version == 1  # nothing saved
