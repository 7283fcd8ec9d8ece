"""Two people at one site logging and moving cycles at the same moment, against a live server:
the site's stored standing (tracker/reports/standing.py) still counts every cycle.

Each commit that touches a site's cycles recomputes its standing under a lock on the site row.
Without it, on PostgreSQL two commits each reckon from what they can see (their own new cycle,
not the other's) and the later one stores a standing that misses the other's cycle, or both
insert the row and one fails.
"""

import threading
from datetime import date

from tests import factories as f
from tests.test_site_standing import reckoned, stored
from tracker.extensions import db
from tracker.models import Cycle, Site

from .browser import Browser, form_fields
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
