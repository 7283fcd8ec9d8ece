"""The API's measures: values by period range, the all-or-nothing bulk upsert, the chart."""

import csv
import io

import pytest

from tests import factories as f
from tests.api_helpers import ApiClient, make_token
from tracker.extensions import db
from tracker.measures import periods
from tracker.models import Collaborative, DataKind, Frequency, MeasureValue, Site

NHS_NUMBER = "943 476 5919"


@pytest.fixture
def measure(app, world):
    """A weekly proportion with 12 weeks of data at site A, ending last week, as ids."""
    with app.app_context():
        collab = db.session.get(Collaborative, world.collaborative)
        site = db.session.get(Site, world.site_a)
        m = f.make_measure(collab.id, name="Drink by 18:00", data_kind=DataKind.PROPORTION,
                           frequency=Frequency.WEEKLY)
        weeks = periods.recent_periods(Frequency.WEEKLY, 14)  # newest first
        f.make_values(m, site, [(3, 10), (4, 10), (5, 10), (4, 10), (6, 10), (5, 10), (4, 10),
                                (6, 10), (7, 10), (8, 10), (9, 10), (9, 10)], start=weeks[-1])
        db.session.commit()
        return {"id": m.id, "weeks": [w.isoformat() for w in reversed(weeks)]}


def client(app, world, who="member_a", scope="write") -> ApiClient:
    return ApiClient(app, make_token(app, getattr(world, who), scope, name=f"{who}-{scope}"))


def stored(app, measure_id) -> dict:
    with app.app_context():
        rows = db.session.scalars(db.select(MeasureValue).filter_by(measure_id=measure_id))
        return {r.period_start.isoformat(): (r.numerator, r.denominator, r.note) for r in rows}


def test_values_are_read_by_period_range(app, world, measure):
    weeks = measure["weeks"]
    url = (f"/api/v1/measures/{measure['id']}/values?site_id={world.site_a}"
           f"&start={weeks[2]}&end={weeks[4]}")
    body = client(app, world, scope="read").get(url).get_json()
    assert [v["period"] for v in body["items"]] == weeks[2:5]
    assert body["items"][0] == {"period": weeks[2], "numerator": 5, "denominator": 10,
                                "value": None, "note": ""}


def test_bulk_upsert_stores_every_row(app, world, measure):
    weeks = measure["weeks"]
    rows = [{"period": weeks[12], "numerator": 8, "denominator": 10, "note": "New chair"},
            {"period": weeks[0], "numerator": 2, "denominator": 10}]
    response = client(app, world).request(
        "PUT", f"/api/v1/measures/{measure['id']}/values?site_id={world.site_a}",
        json={"rows": rows})
    assert response.status_code == 200, response.get_json()
    assert response.get_json() == {"changed": 2, "received": 2}
    data = stored(app, measure["id"])
    assert data[weeks[12]] == (8, 10, "New chair") and data[weeks[0]] == (2, 10, "")


def test_one_bad_row_in_the_middle_saves_nothing_and_is_named(app, world, measure):
    weeks, before = measure["weeks"], stored(app, measure["id"])
    rows = [{"period": weeks[12], "numerator": 8, "denominator": 10},
            {"period": weeks[13], "numerator": 11, "denominator": 10},  # more than all
            {"period": "2099-01-05", "numerator": 1, "denominator": 2},  # the future
            {"period": weeks[0], "numerator": 1, "denominator": 2}]
    response = client(app, world).request(
        "PUT", f"/api/v1/measures/{measure['id']}/values?site_id={world.site_a}",
        json={"rows": rows})
    assert response.status_code == 422
    errors = response.get_json()["errors"]
    assert set(errors) == {"rows-1", "rows-2"}
    assert "more than the denominator" in errors["rows-1"][0]
    assert stored(app, measure["id"]) == before


def test_patient_data_in_a_note_is_refused(app, world, measure):
    before = stored(app, measure["id"])
    response = client(app, world).request(
        "PUT", f"/api/v1/measures/{measure['id']}/values?site_id={world.site_a}",
        json={"rows": [{"period": measure["weeks"][12], "numerator": 1, "denominator": 2,
                        "note": f"Patient {NHS_NUMBER}"}]})
    assert response.status_code == 422 and "rows-0" in response.get_json()["errors"]
    assert stored(app, measure["id"]) == before


def test_a_nul_in_a_note_is_refused_by_row(app, world, measure):
    before = stored(app, measure["id"])
    response = client(app, world).request(
        "PUT", f"/api/v1/measures/{measure['id']}/values?site_id={world.site_a}",
        json={"rows": [{"period": measure["weeks"][12], "numerator": 1, "denominator": 2},
                       {"period": measure["weeks"][13], "numerator": 1, "denominator": 2,
                        "note": "a\x00b"}]})
    assert response.status_code == 422
    assert "NUL" in str(response.get_json()["errors"])
    assert stored(app, measure["id"]) == before


@pytest.mark.parametrize("who,scope,status", [
    ("member_b", "write", 403),  # another site's team
    ("faculty", "write", 403), ("partner", "write", 403),
    ("member_a", "read", 403),  # a read token
])
def test_only_the_sites_team_upserts_with_a_write_token(app, world, measure, who, scope, status):
    before = stored(app, measure["id"])
    response = client(app, world, who, scope).request(
        "PUT", f"/api/v1/measures/{measure['id']}/values?site_id={world.site_a}",
        json={"rows": [{"period": measure["weeks"][12], "numerator": 1, "denominator": 2}]})
    assert response.status_code == status
    assert stored(app, measure["id"]) == before


def test_the_chart_has_the_numbers_the_page_exports(app, world, login, measure):
    url = f"/measures/{measure['id']}/chart.csv?site_id={world.site_a}"
    text = login("member_b").get(url).get_data().decode("utf-8-sig")
    page = list(csv.DictReader(io.StringIO(text)))
    body = client(app, world, "member_b", "read").get(
        f"/api/v1/measures/{measure['id']}/chart?site_id={world.site_a}").get_json()
    assert len(body["points"]) == len(page) > 0
    for point, row in zip(body["points"], page, strict=True):
        assert point["period"] == row["period_start"]
        for mine, theirs in (("value", "value"), ("centre", "centre"), ("lower", "lower_limit"),
                             ("upper", "upper_limit")):
            assert (point[mine] is None) == (row[theirs] == "")
            if point[mine] is not None:
                assert point[mine] == pytest.approx(float(row[theirs]))
        assert (point["label"] or "") == row["signal"]
    assert body["summary"] and body["chart_type"]
