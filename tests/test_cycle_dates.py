"""The Do dates: asked for when a cycle moves to Do (and to Study), recorded, shown, and
checked by the quality panel's documentation criterion."""

import re
from datetime import date

from tests import factories as f
from tracker.extensions import db
from tracker.models import Decision, Site, Stage

from .test_cycles import form_fields, load, make, worksheet


def move(client, cycle_id, to, seen, **dates):
    return client.post(f"/cycles/{cycle_id}/stage", data={"to": to, "seen": seen, **dates})


def date_input(html: str, name: str) -> str | None:
    """The value of the date input with this name (None: no such input)."""
    tag = re.search(rf'<input[^>]*\bname="{name}"[^>]*>', html)
    if tag is None:
        return None
    assert 'type="date"' in tag.group(0)
    value = re.search(r'\bvalue="([^"]*)"', tag.group(0))
    return value.group(1) if value else ""


def field_error(html: str, name: str) -> str:
    found = re.search(rf'<div id="{name}-error" class="invalid-feedback d-block">([^<]*)</div>',
                      html)
    assert found, f"no error next to {name}"
    assert f'aria-describedby="{name}-error"' in html
    return found.group(1)


def test_the_move_to_do_asks_when_the_test_started_defaulting_to_today(app, login, world):
    cycle_id = make(app, world.site_a)
    html = login("member_a").get(f"/cycles/{cycle_id}").get_data(True)
    assert date_input(html, "started_on") == date.today().isoformat()
    assert "Test started on" in html
    assert date_input(html, "ended_on") is None  # not asked yet


def test_moving_to_do_and_to_study_records_the_dates(app, login, world):
    cycle_id = make(app, world.site_a)
    client = login("member_a")
    assert move(client, cycle_id, "do", "plan", started_on="2026-03-02").status_code == 302
    cycle = load(app, cycle_id)
    assert (cycle.stage, cycle.do_started_on, cycle.do_ended_on) == (
        Stage.DO, date(2026, 3, 2), None)
    html = client.get(f"/cycles/{cycle_id}").get_data(True)
    assert date_input(html, "ended_on") == date.today().isoformat()
    assert "Started 2 Mar 2026, under way" in html
    assert move(client, cycle_id, "study", "do", ended_on="2026-03-04").status_code == 302
    cycle = load(app, cycle_id)
    assert (cycle.stage, cycle.do_ended_on) == (Stage.STUDY, date(2026, 3, 4))
    move(client, cycle_id, "act", "study")
    html = client.get(f"/cycles/{cycle_id}").get_data(True)
    assert "2 Mar 2026 to 4 Mar 2026" in html and "Not run yet" not in html
    ramp = client.get(f"/cycles/{cycle_id}/ramp").get_data(True)
    assert "2 Mar 2026 – 4 Mar 2026" in ramp and "not run yet" not in ramp


def test_a_missing_or_impossible_date_is_refused_beside_the_field(app, login, world):
    cycle_id = make(app, world.site_a)
    client = login("member_a")
    response = move(client, cycle_id, "do", "plan", started_on="")
    html = response.get_data(True)
    assert response.status_code == 422
    assert "Enter the date the test started" in field_error(html, "started_on")
    assert load(app, cycle_id).stage == Stage.PLAN
    move(client, cycle_id, "do", "plan", started_on="2026-03-10")
    response = move(client, cycle_id, "study", "do", ended_on="2026-03-01")
    html = response.get_data(True)
    assert response.status_code == 422
    assert "before it started (10 Mar 2026)" in field_error(html, "ended_on")
    assert date_input(html, "ended_on") == "2026-03-01"  # what was typed is kept
    assert load(app, cycle_id).stage == Stage.DO


def test_a_date_far_outside_the_collaborative_years_is_refused(app, login, world):
    cycle_id = make(app, world.site_a)
    client = login("member_a")
    response = move(client, cycle_id, "do", "plan", started_on="9999-12-31")
    assert response.status_code == 422
    assert "Choose a date between 2000 and 2100" in field_error(response.get_data(True),
                                                                 "started_on")
    data = worksheet(client, cycle_id)
    data.update({"do_started_on": "1066-10-14"})
    response = client.post(f"/cycles/{cycle_id}/edit", data=data)
    assert "Choose a date between 2000 and 2100" in field_error(response.get_data(True),
                                                                 "do_started_on")
    cycle = load(app, cycle_id)
    assert (cycle.stage, cycle.do_started_on) == (Stage.PLAN, None)


def test_a_stage_the_page_does_not_offer_is_refused_with_a_reason(app, login, world):
    cycle_id = make(app, world.site_a)
    response = move(login("member_a"), cycle_id, "launched", "plan")
    assert response.status_code == 400
    assert "not one this page offers" in response.get_data(True)
    assert load(app, cycle_id).stage == Stage.PLAN


def test_save_and_move_on_records_today_when_the_worksheet_has_no_date(app, login, world):
    cycle_id = make(app, world.site_a)
    client = login("member_a")
    data = worksheet(client, cycle_id)
    data.update({"submit_advance": "Save and move to Do"})
    client.post(f"/cycles/{cycle_id}/edit", data=data)
    assert load(app, cycle_id).do_started_on == date.today()
    data = form_fields(client.get(f"/cycles/{cycle_id}/edit").get_data(True))
    data.update({"do_started_on": "2026-03-02", "submit_advance": "Save and move to Study"})
    client.post(f"/cycles/{cycle_id}/edit", data=data)
    cycle = load(app, cycle_id)
    assert (cycle.stage, cycle.do_started_on, cycle.do_ended_on) == (
        Stage.STUDY, date(2026, 3, 2), date.today())


def test_a_cycle_past_do_without_dates_says_they_were_not_recorded(app, login, world):
    with app.app_context():
        site = db.session.get(Site, world.site_a)
        cycle = f.make_cycle(site, stage=Stage.ACT, objective="o", do_what_happened="d",
                             study_learning="s", decision=Decision.ADOPT)
        f.make_cycle(site, previous_id=cycle.id)
        db.session.commit()
        cycle_id = cycle.id
    client = login("member_a")
    html = client.get(f"/cycles/{cycle_id}").get_data(True)
    assert "Not run yet" not in html and "Not recorded" in html
    assert "Still to fill in" in html and "Do (the dates it ran)" in html
    ramp = client.get(f"/cycles/{cycle_id}/ramp").get_data(True)
    # The cycle in Act: not recorded; the next one, still in Plan: not run yet.
    assert ramp.count("<dd>not recorded</dd>") == 1 and ramp.count("<dd>not run yet</dd>") == 1
