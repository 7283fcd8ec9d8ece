"""Two people saving the same cycle at the same moment, against a live server: nothing lost.

The nurse writes "What happened", the assistant "What we learned", and every fourth round both
also write the objective. Each round reads the edit page first (its base version) and posts
the whole worksheet, as a browser does.
"""

from dataclasses import dataclass

from tracker.cycles import services
from tracker.extensions import db
from tracker.models import Cycle, CycleRevision, Site, User

from .browser import Browser, form_pairs
from .together import run_together

ROUNDS = 100
OWN_FIELD = {"nurse": "do_what_happened", "hca": "study_learning"}


@dataclass
class Save:
    who: str
    round: int
    typed: dict[str, str]  # field: the unique value typed this round
    seen: dict[str, str]  # field: its value on the page this round started from
    status: int
    kept_on_page: bool  # a refused save shows what was typed


def _save_rounds(browser: Browser, cycle_id: int, who: str) -> list[Save]:
    url = f"/cycles/{cycle_id}/edit"
    saves = []
    for i in range(ROUNDS):
        page = browser.get(url)
        assert page.status == 200, page.status
        pairs = form_pairs(page.html, having="version")
        typed = {OWN_FIELD[who]: f"{who} {i}"}
        if i % 4 == 0:
            typed["objective"] = f"{who} objective {i}"
        seen = {name: value for name, value in pairs if name in typed}
        response = browser.post(url, [(n, typed.get(n, v)) for n, v in pairs])
        saves.append(Save(who, i, typed, seen, response.status,
                          all(v in response.html for v in typed.values())))
    return saves


def _new_cycle(app, team) -> tuple[int, int]:
    with app.app_context():
        site = db.session.get(Site, team["site"])
        nurse = db.session.scalars(db.select(User).filter_by(email=team["nurse"])).one()
        cycle = services.log_cycle(site, by=nurse, title="Sit out of bed by noon",
                                   objective="Start")
        db.session.commit()
        return cycle.id, cycle.version


def test_two_people_saving_one_cycle_at_once_lose_nothing(live, team, sign_in):
    _, app = live
    cycle_id, start = _new_cycle(app, team)
    browsers = {who: sign_in(who) for who in OWN_FIELD}
    results = run_together({who: (lambda who=who: _save_rounds(browsers[who], cycle_id, who))
                            for who in OWN_FIELD})
    saves = [s for who in OWN_FIELD for s in results[who]]
    landed = [s for s in saves if s.status == 302]
    refused = [s for s in saves if s.status == 409]
    print(f"\ncycle: {len(landed)} saves landed, {len(refused)} conflicts (409), "
          f"{sum(s.status >= 500 for s in saves)} 5xx")
    assert len(landed) + len(refused) == len(saves), sorted({s.status for s in saves})
    assert all(s.kept_on_page for s in refused)  # the merge page holds what was typed

    with app.app_context():
        cycle = db.session.get(Cycle, cycle_id)
        revisions = db.session.scalars(
            db.select(CycleRevision).filter_by(cycle_id=cycle_id)
            .where(CycleRevision.version > start).order_by(CycleRevision.version)).all()
        assert cycle.version == start + len(landed)
        assert [r.version for r in revisions] == list(range(start + 1, cycle.version + 1))
        before = {r.version: r.snapshot for r in revisions}
        before[start] = db.session.scalars(db.select(CycleRevision).filter_by(
            cycle_id=cycle_id, version=start)).one().snapshot
        final = services.snapshot(cycle)

    for save in saves:
        own = OWN_FIELD[save.who]
        mine = [r for r in revisions if r.snapshot[own] == save.typed[own]]
        if save.status == 409:
            assert not mine, save  # refused: nothing of it saved
            continue
        assert mine, save  # landed: its own revision holds everything it typed ...
        assert all(mine[0].snapshot[k] == v for k, v in save.typed.items()), save
        # ... and it replaced only what its page showed: nobody's save was overwritten unseen.
        assert all(before[mine[0].version - 1][k] == save.seen[k] for k in save.typed), save
    for who, own in OWN_FIELD.items():
        last = [s for s in landed if s.who == who][-1]
        assert final[own] == last.typed[own]
