"""Two people typing a bundle and one of its parts for the same week at the same moment, each
number fine on its own but contradicting the other's: one lands, the other is refused with
the reason. Never both, whichever order the saves reach the database in."""

from tests import factories as f
from tracker.extensions import db
from tracker.models import MeasureValue

from .browser import Browser, form_fields
from .together import run_together

WEEKS = 12  # the grid's rows, one round each
TYPED = {"nurse": ("bundle", "15", "20"), "hca": ("Drink", "12", "20")}  # 15 met all, 12 drank


def _grid_rounds(browser: Browser, url: str) -> list[int]:
    statuses = []
    for row in range(WEEKS):
        fields = form_fields(browser.get(url).html, having="rows-0-period")
        _, num, den = TYPED[browser.who]
        fields[f"rows-{row}-numerator"], fields[f"rows-{row}-denominator"] = num, den
        statuses.append(browser.post(url, fields).status)
    return statuses


def test_a_bundle_and_its_part_typed_at_once_never_both_land(live, team, sign_in):
    _, app = live
    with app.app_context():
        bundle = f.make_measure(team["collaborative"], name="Bundle")
        drink = f.make_measure(team["collaborative"], name="Drink", composite_id=bundle.id)
        f.make_measure(team["collaborative"], name="Eat", composite_id=bundle.id)
        db.session.commit()
        ids = {"bundle": bundle.id, "Drink": drink.id}
    browsers = {}
    for who, (name, _, _) in TYPED.items():
        browsers[who] = sign_in(who)
        browsers[who].who = who
        browsers[who].url = f"/measures/{ids[name]}/data?site_id={team['site']}"
    results = run_together({who: (lambda b=b: _grid_rounds(b, b.url))
                            for who, b in browsers.items()})
    # Each week: exactly one of the two saves landed (302), the other was refused (200).
    for nurse, hca in zip(results["nurse"], results["hca"], strict=True):
        assert sorted((nurse, hca)) == [200, 302], results
    with app.app_context():
        stored = db.session.execute(db.select(
            MeasureValue.period_start, MeasureValue.measure_id).where(
            MeasureValue.measure_id.in_(ids.values()))).all()
    weeks: dict = {}
    for period, measure_id in stored:
        weeks.setdefault(period, set()).add(measure_id)
    assert len(weeks) == WEEKS and all(len(held) == 1 for held in weeks.values())
