"""Charts and their drawings kept between requests (tracker/measures/drawing.py, core/memo.py):
drawn once while the data stands still, drawn afresh by any change, never another's."""

from datetime import date
from typing import NamedTuple

import pytest

from tests import factories as f
from tests.conftest import main_of
from tests.test_data_version import page_without_tokens
from tests.test_measures_charts import setup_measure
from tracker.core.memo import Memo, digest, kept
from tracker.extensions import db
from tracker.measures import charts, drawing, series
from tracker.models import Measure, MeasureValue, PhaseBreak, Site, Visibility


class _Row(NamedTuple):
    """A stored value as queries.value_rows_of reads it."""

    measure_id: int
    site_id: int
    period_start: date
    numerator: int | None
    denominator: int | None
    value: float | None
    note: str


def test_a_digest_names_its_parts():
    key = digest(1, "x", date(2026, 1, 5), [(1, None, 2.5)])
    assert len(key) == 16 and key == digest(1, "x", date(2026, 1, 5), [(1, None, 2.5)])
    assert key != digest(1, "x", date(2026, 1, 5), [(1, None, 2.50001)])
    assert digest(1, "x") != digest((1, "x")) and digest(None) != digest("None")


def test_a_digest_refuses_what_its_repr_would_not_name_in_full(app, world):
    with app.app_context():
        site = db.session.get(Site, world.site_a)
        with pytest.raises(TypeError):  # a model object's repr names only its id
            digest("title", [site])
    with pytest.raises(TypeError):
        digest({"a": object()})
    digest({"a": (1, None)}, Visibility.SITE, [charts.ChartNoteItem(date(2026, 1, 5), "x")])


def test_without_a_key_nothing_is_kept(app):
    made = []
    with app.app_context():
        for _ in range(2):
            kept("statements", 4, None, lambda: made.append(1))
    assert len(made) == 2


def test_a_packed_memo_gives_each_caller_its_own_copy():
    memo, made = Memo(4, packed=True), []

    def make():
        made.append(1)
        return {"marks": [1, 2, 3]}

    first = memo.get("k", make)
    again = memo.get("k", make)
    assert first == again and first is not again and len(made) == 1
    again["marks"].append(4)  # a caller's change is its own
    assert memo.get("k", make) == {"marks": [1, 2, 3]}


def test_a_memo_keeps_the_most_recently_used():
    memo, made = Memo(2), []

    def make(key):
        made.append(key)
        return key.upper()

    for key in ("a", "b", "a", "c", "a", "b"):
        assert memo.get(key, lambda key=key: make(key)) == key.upper()
    # "b" was the least recently used when "c" came: made again; "a" never was.
    assert made == ["a", "b", "c", "b"]
    assert len(memo) == 2


def test_outside_an_app_nothing_is_kept():
    made = []
    for _ in range(2):
        kept("charts", 10, "key", lambda: made.append(1))
    assert len(made) == 2


def _counting(monkeypatch) -> dict[str, int]:
    calls = {"build_chart": 0, "layout": 0}
    for module, name in ((series, "build_chart"), (charts, "layout")):
        real = getattr(module, name)

        def counted(*args, _real=real, _name=name, **kwargs):
            calls[_name] += 1
            return _real(*args, **kwargs)

        monkeypatch.setattr(module, name, counted)
    return calls


def test_the_measure_page_draws_its_chart_once_while_the_data_stands_still(
        app, login, world, monkeypatch):
    m = setup_measure(app, world)
    calls = _counting(monkeypatch)
    client = login("member_a")
    url = f"/measures/{m['id']}?site_id={world.site_a}"
    first = page_without_tokens(client, url)
    assert calls["build_chart"] >= 1 and calls["layout"] >= 2  # wide and phone drawings
    made = dict(calls)
    assert page_without_tokens(client, url) == first
    assert calls == made  # nothing computed, nothing laid out again

    # Another user with the same view of the chart is served the same drawing.
    assert login("lead_a").get(url).status_code == 200
    assert calls == made


def test_any_change_to_what_a_chart_is_made_of_draws_it_afresh(app, login, world):
    m = setup_measure(app, world)
    client = login("member_a")
    url = f"/measures/{m['id']}?site_id={world.site_a}"
    assert "Target 80%" in client.get(url).get_data(True)

    with app.app_context():  # an edit of the measure: a new key
        db.session.get(Measure, m["id"]).target = 90.0
        db.session.commit()
    html = client.get(url).get_data(True)
    assert "Target 90%" in html and "Target 80%" not in html

    with app.app_context():  # a value: the point's title says it
        value = db.session.scalars(db.select(MeasureValue).filter_by(
            measure_id=m["id"], period_start=m["periods"][-1])).one()
        value.numerator = 99
        db.session.commit()
    html = client.get(url).get_data(True)
    assert "99% (99 of 100) — Above UCL" in html
    assert '<td class="text-end" data-label="Numerator">99</td>' in html  # the data table

    with app.app_context():  # a phase break
        db.session.add(PhaseBreak(measure_id=m["id"], site_id=world.site_a,
                                  period_start=m["periods"][14], note="New pathway"))
        db.session.commit()
    assert 'class="phase-break"' in client.get(url).get_data(True)


def test_a_draft_cycle_is_drawn_only_for_those_who_may_see_it(app, login, world):
    m = setup_measure(app, world)
    with app.app_context():
        cycle = f.make_cycle(db.session.get(Site, world.site_a), title="Quiet draft test",
                             do_started_on=m["periods"][16],
                             visibility=Visibility.SITE)
        cycle.measures.append(db.session.get(Measure, m["id"]))
        db.session.commit()
    url = f"/measures/{m['id']}?site_id={world.site_a}"
    assert "Quiet draft test" in login("member_a").get(url).get_data(True)
    # Faculty see the same values and measure, but not the draft: not the team's drawing.
    seen = login("faculty").get(url)
    assert seen.status_code == 200 and 'class="cycle-annotation"' not in seen.get_data(True)


def test_a_kept_chart_carries_the_callers_measure(app, world):
    m = setup_measure(app, world)
    with app.app_context():
        measure = db.session.get(Measure, m["id"])
        rows = [_Row(measure.id, world.site_a, date(2026, 1, 5), 1, 2, None, "")]
        first = drawing.chart(measure, rows, [], "spc")
        db.session.expunge(measure)
        again = db.session.get(Measure, m["id"])
        assert again is not measure
        second = drawing.chart(again, rows, [], "spc")
        assert second.measure is again and first.measure is measure
        assert second.key == first.key and second.points == first.points


def test_a_kept_drawing_keeps_its_markup(app, world, monkeypatch):
    m = setup_measure(app, world)
    drawn = []
    real = drawing.get_template_attribute

    def counted(*args):
        drawn.append(args)
        return real(*args)

    monkeypatch.setattr(drawing, "get_template_attribute", counted)
    with app.test_request_context():
        measure = db.session.get(Measure, m["id"])
        rows = [_Row(measure.id, world.site_a, date(2026, 1, 5), 1, 2, None, "")]
        g = drawing.layout(drawing.chart(measure, rows, [], "spc"), title="T")
        first = drawing.svg(g, "a")
        assert first.startswith("<svg") and 'id="a-title"' in first and len(drawn) == 1
        assert drawing.svg(g, "a") == first and len(drawn) == 1  # kept
        assert 'id="b-title"' in drawing.svg(g, "b") and len(drawn) == 2  # another id
        loose = charts.layout(drawing.chart(measure, rows, [], "spc"), title="T")
        assert loose.key is None and drawing.svg(loose, "a") == first
        assert drawing.svg(loose, "a") == first and len(drawn) == 4  # never kept


def test_the_measure_page_is_shared_by_those_who_may_see_and_do_the_same_there(
        app, login, world, count_queries):
    """The page's body is kept for everyone with the same site shown and the same rights at
    it (versions.kept_body with a reader): a second nurse of the team is served the first's,
    the site lead and faculty get their own, and a refused form is never kept."""
    m = setup_measure(app, world)
    with app.app_context():
        site = db.session.get(Site, world.site_a)
        token = f.make_user(site=site, name="Ned Nurse").session_token
        draft = f.make_cycle(site, title="Quiet draft test", do_started_on=m["periods"][16],
                             visibility=Visibility.SITE)
        draft.measures.append(db.session.get(Measure, m["id"]))
        db.session.commit()
    ned = app.test_client()
    with ned.session_transaction() as session:
        session["_user_id"] = token
    url = f"/measures/{m['id']}?site_id={world.site_a}"
    amys = page_without_tokens(login("member_a"), url)
    assert "Quiet draft test" in amys and "Add a note" in amys
    with count_queries() as shared:
        neds = page_without_tokens(ned, url)
    app.extensions["memos"]["measure_pages"].clear()
    with count_queries() as made:
        assert page_without_tokens(ned, url) == neds
    assert shared.count < made.count - 5  # the charts, phases, flags, cycles, notes, sites
    assert main_of(neds) == main_of(amys)  # the navbar aside (their names), the same page
    # The lead may rebase, faculty may not see the team's draft: each their own body.
    assert "Start a new phase" in login("lead_a").get(url).get_data(True)
    assert "Start a new phase" not in login("member_a").get(url).get_data(True)
    assert "Quiet draft test" in login("admin").get(url).get_data(True)  # not on the team
    faculty = login("faculty").get(url).get_data(True)  # the admin's rights but the drafts
    assert "Quiet draft test" not in faculty and "Add a note" not in faculty
    # A note refused is shown with its message to the one who typed it, and kept for no one.
    refused = login("member_a").post(f"/measures/{m['id']}/notes?site_id={world.site_a}",
                                      data={"on_date": "", "text": "Bed crisis"})
    assert refused.status_code == 400 and "Bed crisis" in refused.get_data(True)
    assert "Bed crisis" not in page_without_tokens(ned, url)
    refused = ned.post(f"/measures/{m['id']}/notes?site_id={world.site_a}",
                       data={"on_date": "", "text": "Ward move"})
    assert "Ward move" in refused.get_data(True) and "Bed crisis" not in refused.get_data(True)
