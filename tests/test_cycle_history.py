"""Nothing lost: conflicting saves merge visibly, every revision can be restored, ramps link."""

import re

from tests.test_cycles import form_fields, load, make, worksheet
from tracker.extensions import db
from tracker.models import CycleRevision, Decision, Stage


def test_two_people_editing_merge_without_overwriting(app, login, world):
    cycle_id = make(app, world.site_a, title="Fasting cards", objective="Original objective")
    amy, leo = login("member_a"), login("lead_a")
    amy_form, leo_form = worksheet(amy, cycle_id), worksheet(leo, cycle_id)

    leo_form.update(objective="Leo's objective", plan_who="Leo")
    assert leo.post(f"/cycles/{cycle_id}/edit", data=leo_form).status_code == 302

    # Amy saved from the old version: a different field merges, the same field conflicts.
    amy_form.update(objective="Amy's objective", data_plan="Tally on the board")
    response = amy.post(f"/cycles/{cycle_id}/edit", data=amy_form)
    html = response.get_data(True)
    assert response.status_code == 409
    assert "saved this cycle while you were editing" in html
    assert "Amy&#39;s objective" in html and "Leo&#39;s objective" in html
    cycle = load(app, cycle_id)
    assert (cycle.objective, cycle.data_plan) == ("Leo's objective", "")  # nothing overwritten

    # Amy keeps her objective: her data plan and Leo's "who" both survive.
    resubmit = form_fields(html)
    resubmit["resolve-objective"] = "mine"
    assert amy.post(f"/cycles/{cycle_id}/edit", data=resubmit).status_code == 302
    cycle = load(app, cycle_id)
    assert (cycle.objective, cycle.data_plan, cycle.plan_who) == (
        "Amy's objective", "Tally on the board", "Leo")


def test_conflict_resolved_with_theirs_keeps_the_saved_value(app, login, world):
    cycle_id = make(app, world.site_a, objective="Original")
    amy, leo = login("member_a"), login("lead_a")
    amy_form, leo_form = worksheet(amy, cycle_id), worksheet(leo, cycle_id)
    leo_form["objective"] = "Leo wins"
    leo.post(f"/cycles/{cycle_id}/edit", data=leo_form)
    amy_form["objective"] = "Amy loses"
    html = amy.post(f"/cycles/{cycle_id}/edit", data=amy_form).get_data(True)
    resubmit = form_fields(html)
    resubmit["resolve-objective"] = "theirs"
    amy.post(f"/cycles/{cycle_id}/edit", data=resubmit)
    assert load(app, cycle_id).objective == "Leo wins"


def test_changes_to_different_fields_merge_silently(app, login, world):
    cycle_id = make(app, world.site_a)
    amy, leo = login("member_a"), login("lead_a")
    amy_form, leo_form = worksheet(amy, cycle_id), worksheet(leo, cycle_id)
    leo_form["plan_where"] = "Bay 3"
    leo.post(f"/cycles/{cycle_id}/edit", data=leo_form)
    amy_form["plan_when"] = "Tuesday late shift"
    assert amy.post(f"/cycles/{cycle_id}/edit", data=amy_form).status_code == 302
    cycle = load(app, cycle_id)
    assert (cycle.plan_where, cycle.plan_when) == ("Bay 3", "Tuesday late shift")


def test_history_shows_diffs_and_restores_any_revision(app, login, world):
    cycle_id = make(app, world.site_a, title="Day clothes")
    client = login("member_a")
    for objective in ("First objective", "Second objective"):
        data = worksheet(client, cycle_id)
        data["objective"] = objective
        client.post(f"/cycles/{cycle_id}/edit", data=data)
    html = client.get(f"/cycles/{cycle_id}/history").get_data(True)
    assert "Version 3: edited" in html and "Second objective" in html and "First objective" in html

    assert client.post(f"/cycles/{cycle_id}/history/2/restore").status_code == 302
    cycle = load(app, cycle_id)
    assert cycle.objective == "First objective" and cycle.version == 4
    with app.app_context():
        latest = db.session.scalars(db.select(CycleRevision).order_by(
            CycleRevision.version.desc())).first()
        assert latest.action == "restored version 2"
        assert latest.changes["objective"] == ["Second objective", "First objective"]
    assert login("member_b").post(f"/cycles/{cycle_id}/history/2/restore").status_code == 403
    assert client.post(f"/cycles/{cycle_id}/history/99/restore").status_code == 404


def test_start_next_cycle_links_prefills_and_shows_the_ramp(app, login, world):
    from tests import factories as f
    from tracker.models import Cycle, CycleQuestion, Site

    with app.app_context():
        site = db.session.get(Site, world.site_a)
        idea = f.make_idea(site, title="Sip till send")
        measure = f.make_measure(world.collaborative, name="Drink within 24 h")
        first = f.make_cycle(site, title="Sip till send", idea_id=idea.id, stage=Stage.ACT,
                             decision=Decision.ADAPT, scale_amount=1, scale_unit="patient",
                             act_next_steps="Try a whole morning list")
        first.measures = [measure]
        first.questions = [
            CycleQuestion(position=0, question="Do they drink?", prediction="Yes",
                          prediction_held=True),
            CycleQuestion(position=1, question="Any nausea?", prediction="None",
                          prediction_held=False),
        ]
        db.session.commit()
        first_id = first.id
    client = login("member_a")
    response = client.post(f"/cycles/{first_id}/next")
    assert response.status_code == 302 and response.location.endswith("/edit")
    with app.app_context():
        second = db.session.scalars(db.select(Cycle).filter_by(previous_id=first_id)).one()
        assert second.idea_id and second.stage == Stage.PLAN
        assert [m.name for m in second.measures] == ["Drink within 24 h"]
        assert [q.question for q in second.questions] == ["Any nausea?"]  # the open one
        assert second.objective == "Try a whole morning list"
        assert second.title == "Sip till send — cycle 2"
        second_id = second.id
    detail = client.get(f"/cycles/{second_id}").get_data(True)
    assert "Ramp: cycle 2 of 2" in detail
    ramp = client.get(f"/cycles/{second_id}/ramp").get_data(True)
    ramp = ramp[ramp.index('<ol class="ramp'):]
    assert ramp.index("1 patient") < ramp.index("Sip till send — cycle 2")
    assert "1 of 2" in ramp  # predictions held in the first cycle


def test_next_cycle_only_by_the_sites_members(app, login, world):
    cycle_id = make(app, world.site_a, stage=Stage.ACT)
    assert login("member_b").post(f"/cycles/{cycle_id}/next").status_code == 403
    assert login("partner").post(f"/cycles/{cycle_id}/next").status_code == 403


def test_the_ramp_on_a_cycle_page_hides_other_sites_drafts(app, login, world):
    first = make(app, world.site_a, title="Shared first", stage=Stage.COMPLETE)
    make(app, world.site_a, title="Draft next", previous_id=first,
         visibility=__import__("tracker.models", fromlist=["Visibility"]).Visibility.SITE)
    html = login("member_b").get(f"/cycles/{first}").get_data(True)
    assert "Draft next" not in html and "Ramp: cycle 1 of 1" in html
    assert "Draft next" in login("member_a").get(f"/cycles/{first}").get_data(True)


def test_save_and_move_on_never_skips_a_stage(app, login, world):
    cycle_id = make(app, world.site_a)
    amy, leo = login("member_a"), login("lead_a")
    form = worksheet(amy, cycle_id)  # rendered at Plan
    leo.post(f"/cycles/{cycle_id}/stage", data={"to": "do"})
    form["submit_advance"] = "Save and move to Do"
    html = amy.post(f"/cycles/{cycle_id}/edit", data=form, follow_redirects=True).get_data(True)
    assert "moved this cycle to Do meanwhile" in html
    assert load(app, cycle_id).stage == Stage.DO


def test_a_removed_measure_stays_linked_when_the_worksheet_is_saved(app, login, world):
    from tests import factories as f
    from tracker.models import Cycle, utcnow

    cycle_id = make(app, world.site_a)
    with app.app_context():
        measure = f.make_measure(world.collaborative, name="Old measure", deleted_at=utcnow())
        cycle = db.session.get(Cycle, cycle_id)
        cycle.measures = [measure]
        db.session.commit()
    client = login("member_a")
    html = client.get(f"/cycles/{cycle_id}/edit").get_data(True)
    assert "Old measure (removed)" in html
    data = worksheet(client, cycle_id)
    data["measure_ids"] = re.findall(r'name="measure_ids"[^>]*value="(\d+)" checked', html) or (
        re.findall(r'checked[^>]*name="measure_ids"[^>]*value="(\d+)"', html))
    data["objective"] = "Something else"
    client.post(f"/cycles/{cycle_id}/edit", data=data)
    assert [m.name for m in load(app, cycle_id).measures] == ["Old measure"]


def test_restoring_a_revision_keeps_the_current_stage(app, login, world):
    cycle_id = make(app, world.site_a)
    client = login("member_a")
    data = worksheet(client, cycle_id)
    data["objective"] = "Version two"
    client.post(f"/cycles/{cycle_id}/edit", data=data)  # baseline v1, edited v2
    client.post(f"/cycles/{cycle_id}/stage", data={"to": "do"})  # v3
    client.post(f"/cycles/{cycle_id}/history/1/restore")
    cycle = load(app, cycle_id)
    assert cycle.objective == "" and cycle.stage == Stage.DO


def test_history_names_ideas_and_fields_not_ids(app, login, world):
    from tests import factories as f
    from tracker.models import Site

    cycle_id = make(app, world.site_a)
    with app.app_context():
        idea_id = f.make_idea(db.session.get(Site, world.site_a), title="Day clothes").id
        db.session.commit()
    client = login("member_a")
    data = worksheet(client, cycle_id)
    data.update(idea_id=str(idea_id), plan_who="Ward team")
    client.post(f"/cycles/{cycle_id}/edit", data=data)
    html = client.get(f"/cycles/{cycle_id}/history").get_data(True)
    assert '<th scope="row">Change idea</th>' in html and "Day clothes" in html
    assert '<th scope="row">Who</th>' in html and "idea id" not in html


def test_ramp_page_costs_the_same_queries_for_a_short_or_long_ramp(app, login, world,
                                                                   count_queries):
    from tracker.models import Cycle, CycleQuestion

    def ramp_of(length):
        previous = None
        for n in range(length):
            previous = make(app, world.site_a, title=f"Step {n}", previous_id=previous)
        with app.app_context():
            db.session.get(Cycle, previous).questions = [
                CycleQuestion(question="Q", prediction="P", prediction_held=True)]
            db.session.commit()
        return previous

    client = login("member_a")
    short, long = ramp_of(2), ramp_of(12)
    client.get(f"/cycles/{short}")  # the session's first page: each ramp is then made afresh
    with count_queries() as few:
        client.get(f"/cycles/{short}/ramp")
    with count_queries() as many:
        assert "12 linked cycles" in client.get(f"/cycles/{long}/ramp").get_data(True)
    assert many.count == few.count
