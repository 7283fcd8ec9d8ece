"""Two people entering the same measure's data at the same moment, against a live server.

In the grid each person types their own week, and every third round both type the same one:
a save lands, merging with the other's, or shows the conflict (409); never a server error,
never a silent overwrite. Two nurses tallying patients at once: every patient counts.
"""

from dataclasses import dataclass

from tests import factories as f
from tracker.extensions import db
from tracker.models import DataKind, MeasureValue, MeasureValueChange, TallyEntry

from .browser import Browser, form_fields
from .together import run_together

ROUNDS = 30
OWN_ROW = {"nurse": 0, "hca": 1}  # rows of the grid, newest week first
SHARED_ROW = 2
FIRST_VALUE = {"nurse": 1000, "hca": 2000}  # every value typed is unique


@dataclass
class GridSave:
    who: str
    own: str  # the period of this person's own row
    typed: dict[str, float]  # period: value typed
    seen: dict[str, float | None]  # period: value on the page the save started from
    status: int
    kept_on_page: bool


def _grid_rounds(browser: Browser, url: str, who: str) -> list[GridSave]:
    saves = []
    for i in range(ROUNDS):
        page = browser.get(url)
        assert page.status == 200, page.status
        fields = form_fields(page.html, having="rows-0-period")
        rows = [OWN_ROW[who]] + ([SHARED_ROW] if i % 3 == 0 else [])
        typed, seen = {}, {}
        for row, value in zip(rows, (FIRST_VALUE[who] + i, FIRST_VALUE[who] + 500 + i),
                              strict=False):
            period, shown = fields[f"rows-{row}-period"], fields[f"rows-{row}-value"]
            seen[period] = float(shown) if shown else None
            typed[period] = float(value)
            fields[f"rows-{row}-value"] = str(value)
        response = browser.post(url, fields)
        saves.append(GridSave(who, fields[f"rows-{OWN_ROW[who]}-period"], typed, seen,
                              response.status,
                              all(f'value="{v:g}"' in response.html for v in typed.values())))
    return saves


def test_two_people_saving_one_grid_at_once_lose_nothing(live, team, sign_in):
    _, app = live
    with app.app_context():
        measure = f.make_measure(team["collaborative"], name="Falls",
                                 data_kind=DataKind.COUNT)
        db.session.commit()
        measure_id = measure.id
    url = f"/measures/{measure_id}/data?site_id={team['site']}"
    browsers = {who: sign_in(who) for who in OWN_ROW}
    results = run_together({who: (lambda who=who: _grid_rounds(browsers[who], url, who))
                            for who in OWN_ROW})
    saves = [s for who in OWN_ROW for s in results[who]]
    landed = [s for s in saves if s.status == 302]
    refused = [s for s in saves if s.status == 409]
    print(f"\ngrid: {len(landed)} saves landed, {len(refused)} conflicts (409), "
          f"{sum(s.status >= 500 for s in saves)} 5xx")
    assert len(landed) + len(refused) == len(saves), sorted({s.status for s in saves})
    assert all(s.kept_on_page for s in refused)  # the conflict page holds what was typed

    with app.app_context():
        changes = db.session.scalars(db.select(MeasureValueChange).filter_by(
            measure_id=measure_id).order_by(MeasureValueChange.id)).all()
        stored = {v.period_start.isoformat(): v.value for v in db.session.scalars(
            db.select(MeasureValue).filter_by(measure_id=measure_id))}
    for save in saves:
        for period, value in save.typed.items():
            mine = [c for c in changes
                    if c.period_start.isoformat() == period and c.new_value == value]
            if save.status == 409:
                assert not mine, save  # refused: nothing of it saved
                continue
            # Landed: saved once, replacing exactly the value its page showed.
            assert [c.old_value for c in mine] == [save.seen[period]], save
    for who in OWN_ROW:
        last = [s for s in landed if s.who == who][-1]
        assert stored[last.own] == last.typed[last.own]


def _tally_rounds(browser: Browser, url: str, answers: dict[str, str]) -> list[int]:
    statuses = []
    for _ in range(ROUNDS // 2):
        fields = form_fields(browser.get(url).html, having="period")
        statuses.append(browser.post(url, {**fields, **answers}).status)
    return statuses


def test_two_nurses_tallying_at_once_count_every_patient(live, team, sign_in):
    _, app = live
    with app.app_context():
        bundle = f.make_measure(team["collaborative"], name="Bundle")
        parts = [f.make_measure(team["collaborative"], name=name, composite_id=bundle.id)
                 for name in ("Drink", "Eat")]
        db.session.commit()
        ids = [bundle.id, *(p.id for p in parts)]
    url = f"/measures/{bundle.id}/tally?site_id={team['site']}"
    answers = {"nurse": {f"component_{ids[1]}": "yes", f"component_{ids[2]}": "yes"},
               "hca": {f"component_{ids[1]}": "yes", f"component_{ids[2]}": "no"}}
    browsers = {who: sign_in(who) for who in answers}
    results = run_together({who: (lambda who=who: _tally_rounds(browsers[who], url,
                                                                answers[who]))
                            for who in answers})
    assert {s for statuses in results.values() for s in statuses} == {302}
    patients = ROUNDS // 2 * len(answers)
    with app.app_context():
        totals = {}
        for v in db.session.scalars(db.select(MeasureValue).where(
                MeasureValue.measure_id.in_(ids))):
            num, den = totals.get(v.measure_id, (0, 0))
            totals[v.measure_id] = (num + v.numerator, den + v.denominator)
        assert db.session.scalar(db.select(db.func.count(TallyEntry.id)).where(
            TallyEntry.measure_id == ids[0])) == patients
    # The bundle is met only when both parts are: the nurse's patients, not the HCA's.
    assert totals == {ids[0]: (patients // 2, patients), ids[1]: (patients, patients),
                      ids[2]: (patients // 2, patients)}
