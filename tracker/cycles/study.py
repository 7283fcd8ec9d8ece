"""From tally to Study: the ward-tally patients counted during a cycle's test (its Do dates)
on a measure linked to the cycle, offered as the result beside a numeric prediction. Only an
offer: the team accepts it into the result field or ignores it; nothing is saved for them."""

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from ..extensions import db
from ..models import Cycle, Measure, Stage, TallyEntry, utcnow


@dataclass(frozen=True)
class TallyOffer:
    measure: Measure
    met: int
    counted: int
    start: date
    end: date

    @property
    def value(self) -> float:
        return round(100 * self.met / self.counted, 1)

    @property
    def words(self) -> str:
        return (f"{self.measure.name}: {self.met} of {self.counted} patients tallied from "
                f"{self.start:%-d %b} to {self.end:%-d %b %Y} ({self.value:g}%)")


def tally_offers(cycle: Cycle, today: date | None = None) -> list[TallyOffer]:
    """For a cycle in Study with a start date: per linked measure the tally counts (as a
    bundle, or as one of its parts), the patients tallied at the cycle's site between the
    test's start and its end (today if not ended). One query."""
    if cycle.stage != Stage.STUDY or cycle.do_started_on is None or not cycle.measures:
        return []
    start = cycle.do_started_on
    end = cycle.do_ended_on or today or utcnow().date()
    linked = {m.id: m for m in cycle.measures if m.deleted_at is None}
    heads = {m.composite_id for m in linked.values() if m.composite_id} | set(linked)
    entries = db.session.scalars(db.select(TallyEntry).where(
        TallyEntry.site_id == cycle.site_id, TallyEntry.measure_id.in_(heads),
        TallyEntry.undone_at.is_(None),
        TallyEntry.created_at >= datetime.combine(start, time.min),
        TallyEntry.created_at < datetime.combine(end + timedelta(days=1), time.min))).all()
    offers = []
    for measure in linked.values():
        if measure.id in {e.measure_id for e in entries}:
            met = [e.met_all for e in entries if e.measure_id == measure.id]
        else:
            met = [e.results[str(measure.id)] for e in entries
                   if str(measure.id) in (e.results or {})]
        if met:
            offers.append(TallyOffer(measure, sum(bool(x) for x in met), len(met), start, end))
    return sorted(offers, key=lambda o: o.measure.name)


def accept(form, offers: list[TallyOffer], measure_id: int | None,
           index: int | None) -> TallyOffer | None:
    """Fill question `index`'s result number from the offer for `measure_id` (the user's
    click on "use this"); the worksheet still has to be saved to keep it."""
    offer = next((o for o in offers if o.measure.id == measure_id), None)
    if offer is None or index is None or not 0 <= index < len(form.questions):
        return None
    form.questions[index].form.result_value.data = f"{offer.value:g}"
    return offer
