"""People saving at the same moment, against a live server: the derived tables kept in the same
transaction (the site's standing, tracker/reports/standing.py; who gave feedback on a cycle
since changed, tracker/feedback/followup.py) still count every save.

Each commit that touches a site's cycles recomputes its standing under a lock on the site row.
Without it, on PostgreSQL two commits each reckon from what they can see (their own new cycle,
not the other's) and the later one stores a standing that misses the other's cycle, or both
insert the row and one fails.
"""

import threading
from datetime import date

from tests import factories as f
from tests.test_site_standing import reckoned, stored
from tracker.cycles import services
from tracker.extensions import db
from tracker.models import Collaborative, Cycle, Site, User

from .browser import Browser, form_fields, form_pairs
from .together import run_together

ROUNDS = 20
PEOPLE = ("nurse", "hca")


def _log_rounds(browser: Browser, site_id: int, idea_id: int, who: str,
                in_step: threading.Barrier) -> list[int]:
    """Each round: a quick log, and every other round a move of the cycle just logged to Do,
    posted at the same moment as the other person's. Returns the statuses."""
    statuses = []
    for i in range(ROUNDS):
        fields = form_fields(browser.get(f"/cycles/quick?site={site_id}").html, having="title")
        fields.update(site_id=str(site_id), idea_id=str(idea_id), title=f"{who} test {i}",
                      objective="Offer a drink in recovery", new_idea="")
        in_step.wait(timeout=60)
        logged = browser.post("/cycles/quick", fields)
        statuses.append(logged.status)
        if i % 2 or logged.status != 302:
            continue
        cycle = logged.location.rstrip("/").rsplit("/", 1)[-1]
        page = browser.get(f"/cycles/{cycle}")
        move = form_fields(page.html, having="seen")
        move.update(to="do", seen="plan", started_on=date.today().isoformat())
        statuses.append(browser.post(f"/cycles/{cycle}/stage", move).status)
    return statuses


def test_two_people_logging_at_one_site_at_once_keep_its_standing_whole(live, team, sign_in):
    _, app = live
    with app.app_context():
        # Each their own idea: one idea's cycles are serialised by its standing's own lock.
        site = db.session.get(Site, team["site"])
        ideas = {who: f.make_idea(site, title=f"Drinks in recovery ({who})").id
                 for who in PEOPLE}
        db.session.commit()
        before = db.session.scalar(db.select(db.func.count(Cycle.id))
                                   .where(Cycle.site_id == team["site"]))
    browsers = {who: sign_in(who) for who in PEOPLE}
    in_step = threading.Barrier(len(PEOPLE))
    results = run_together({
        who: (lambda who=who: _log_rounds(browsers[who], team["site"], ideas[who], who, in_step))
        for who in PEOPLE})
    statuses = [s for who in PEOPLE for s in results[who]]
    assert set(statuses) == {302}, sorted(statuses)

    with app.app_context():
        logged = db.session.scalar(db.select(db.func.count(Cycle.id))
                                   .where(Cycle.site_id == team["site"]))
        assert logged - before == ROUNDS * len(PEOPLE)
        assert stored()[team["site"]] == reckoned()[team["site"]]
        assert len(stored()[team["site"]][2]) >= ROUNDS * len(PEOPLE)  # every new one is open


FEEDBACK_ROUNDS = 15


def test_feedback_given_while_the_team_saves_the_cycle_loses_nothing(live, team, sign_in):
    """Faculty give feedback (answering the team's request) at the same moment as the team
    saves the cycle: each commit locks the cycle, then the site, so neither waits for the other
    the wrong way round; the stored follow-ups and standing end as reckoned."""
    from tests.test_feedback_followup import reckoned as followups_reckoned
    from tests.test_feedback_followup import stored as followups_stored

    _, app = live
    with app.app_context():
        site = db.session.get(Site, team["site"])
        nurse = db.session.scalars(db.select(User).filter_by(email=team["nurse"])).one()
        faculty = f.make_user(role="faculty", collaborative=db.session.get(
            Collaborative, team["collaborative"]), email="faculty.live@example.org")
        cycle = services.log_cycle(site, by=nurse, title="Drinks by noon", objective="Start")
        db.session.commit()
        cycle_id, faculty_id = cycle.id, faculty.id
    browsers = {"nurse": sign_in("nurse"), "hca": sign_in("hca"),
                "faculty": Browser(live[0])}
    browsers["faculty"].sign_in("faculty.live@example.org", f.PASSWORD)
    in_step = threading.Barrier(2)

    def ask() -> None:  # the assistant asks any faculty member, before each round
        page = browsers["hca"].get(f"/cycles/{cycle_id}")
        fields = form_fields(page.html, having="message")
        fields.update(message="Please look", faculty_id="", site_id="")
        assert browsers["hca"].post(f"/cycles/{cycle_id}/feedback-requests",
                                    fields).status == 302

    def faculty_rounds() -> list[int]:
        statuses = []
        for i in range(FEEDBACK_ROUNDS):
            fields = form_fields(browsers["faculty"].get(f"/cycles/{cycle_id}/feedback").html,
                                 having="body")
            fields.update(body=f"Feedback {i}", section="", criterion="")
            in_step.wait(timeout=60)
            statuses.append(browsers["faculty"].post(f"/cycles/{cycle_id}/feedback",
                                                     fields).status)
            in_step.wait(timeout=60)  # the next request is asked between rounds
        return statuses

    def nurse_rounds() -> list[int]:
        statuses = []
        for i in range(FEEDBACK_ROUNDS):
            ask()
            pairs = form_pairs(browsers["nurse"].get(f"/cycles/{cycle_id}/edit").html,
                               having="version")
            pairs = [(n, f"Round {i}" if n == "do_what_happened" else v) for n, v in pairs]
            in_step.wait(timeout=60)
            statuses.append(browsers["nurse"].post(f"/cycles/{cycle_id}/edit", pairs).status)
            in_step.wait(timeout=60)
        return statuses

    results = run_together({"faculty": faculty_rounds, "nurse": nurse_rounds})
    assert set(results["faculty"]) == {302}, results["faculty"]
    assert set(results["nurse"]) == {302}, results["nurse"]
    with app.app_context():
        assert followups_stored() == followups_reckoned()
        assert stored()[team["site"]] == reckoned()[team["site"]]
        followed = followups_stored()[(faculty_id, cycle_id)]
        assert db.session.get(Cycle, cycle_id).do_what_happened == f"Round {FEEDBACK_ROUNDS - 1}"
        assert followed[1] == db.session.get(Cycle, cycle_id).updated_at
