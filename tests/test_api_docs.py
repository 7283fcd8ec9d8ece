"""docs/api.md's examples, run against the app: the warehouse's curl push (its body as
written), the CSV URL Excel and Power BI read with a token header, and the pandas snippets
(with pandas when it is installed, else with a small stand-in that reads the CSV with the
csv module: pandas is not a dependency of the tracker)."""

import csv
import io
import re
import sys
import types
from pathlib import Path
from urllib.parse import urlencode

import pytest

from tests import factories as f
from tests.api_helpers import ApiClient, make_token
from tracker.extensions import db
from tracker.measures import periods
from tracker.models import Collaborative, DataKind, Frequency, MeasureValue, Site

DOC = (Path(__file__).parent.parent / "docs" / "api.md").read_text()
BASE = "https://tracker.example.nhs.uk"
BLOCKS = re.findall(r"```(\w*)\n(.*?)```", DOC, re.S)


@pytest.fixture
def measure(app, world):
    with app.app_context():
        collab = db.session.get(Collaborative, world.collaborative)
        m = f.make_measure(collab.id, name="Drink by 18:00", data_kind=DataKind.PROPORTION,
                           frequency=Frequency.WEEKLY)
        f.make_values(m, db.session.get(Site, world.site_a), [(3, 10), (4, 10), (5, 10)],
                      start=periods.recent_periods(Frequency.WEEKLY, 6)[-1])
        db.session.commit()
        return m.id


def _local(url: str, measure: int, site: int) -> str:
    """A documented URL as this app's path: measure 12 and site 3 are the real ones."""
    path = url.removeprefix(BASE).replace("/measures/12/", f"/measures/{measure}/")
    return re.sub(r"\bsite_id=3\b", f"site_id={site}", path)


def _csv_rows(response) -> list[dict]:
    assert response.status_code == 200 and response.mimetype == "text/csv"
    return list(csv.DictReader(io.StringIO(response.get_data().decode("utf-8-sig"))))


def test_the_warehouse_curl_push_saves_its_rows(app, world, measure):
    (block,) = [code for lang, code in BLOCKS if code.lstrip().startswith("curl")]
    method = re.search(r"-X (\w+)", block)[1]
    url = re.search(r'"(https://[^"]+)"', block)[1]
    body = re.search(r"-d '(.*)'", block)[1]
    headers = dict(re.findall(r'-H "([^:]+): ([^"]+)"', block))
    assert headers["Authorization"] == "Bearer $PDSA_TOKEN"
    api = ApiClient(app, make_token(app, world.member_a, "write"))
    response = api.request(method, _local(url, measure, world.site_a), data=body,
                           content_type=headers["Content-Type"])
    assert response.status_code == 200, response.get_json()
    assert response.get_json() == {"changed": 1, "received": 1}
    assert '{"changed": 1, "received": 1}' in DOC
    period = re.search(r'"period": "([\d-]+)"', body)[1]
    with app.app_context():
        row = db.session.scalars(db.select(MeasureValue).filter_by(
            measure_id=measure, site_id=world.site_a, numerator=41, denominator=52)).one()
        assert (row.period_start.isoformat(), row.note) == (period, "New drinks trolley")


def test_the_csv_url_for_excel_and_power_bi_reads_with_a_token_header(app, world, measure):
    (url,) = re.findall(rf"^({re.escape(BASE)}/api/v1/measures/12/values\?\S+)$", DOC, re.M)
    assert "format=csv" in url
    api = ApiClient(app, make_token(app, world.member_a, "read"))
    rows = _csv_rows(api.get(_local(url, measure, world.site_a)))
    assert [(r["numerator"], r["denominator"]) for r in rows] == [("3", "10"), ("4", "10"),
                                                                 ("5", "10")]
    assert list(rows[0]) == ["period", "numerator", "denominator", "value", "note"]
    # Power Query's form: the base URL, the rest as query parameters, the token as a header.
    query = re.search(r'Query = \[site_id = "3", format = "csv"\]', DOC)
    assert query and 'Headers = [Authorization = "Bearer " & Token]' in DOC
    again = api.get(_local(f"{BASE}/api/v1/measures/12/values?"
                           + urlencode({"site_id": 3, "format": "csv"}), measure, world.site_a))
    assert _csv_rows(again) == rows
    (cycles,) = re.findall(rf"`({re.escape(BASE)}/api/v1/cycles\?\S+)`", DOC)
    assert api.get(cycles.removeprefix(BASE).replace("site=3", f"site={world.site_a}")
                   ).mimetype == "text/csv"


class _Response:
    def __init__(self, response):
        self._response, self.status_code = response, response.status_code
        self.content = response.get_data()

    def json(self):
        return self._response.get_json()

    def raise_for_status(self):
        assert self.status_code == 200, self._response.get_data(as_text=True)


def _fake_requests(api: ApiClient, measure: int, site: int):
    def get(url, params=None, headers=None, timeout=None):
        assert timeout and headers["Authorization"] == f"Bearer {api.secret}"
        params = {k: (site if k == "site_id" and v == 3 else v)
                  for k, v in (params or {}).items()}
        path = _local(url, measure, site) + (("&" if "?" in url else "?") + urlencode(params)
                                             if params else "")
        return _Response(api.client.get(path, headers=headers))
    return types.SimpleNamespace(get=get)


class _Frame(list):
    """Enough of a pandas DataFrame for the examples: rows as dicts."""

    def assign(self, **columns):
        for name, make in columns.items():
            for row, value in zip(self, make(self), strict=True):
                row[name] = value
        return self

    def __getitem__(self, name):
        return [row[name] for row in self] if isinstance(name, str) else super().__getitem__(
            name)


def _stand_in_pandas():
    return types.SimpleNamespace(
        read_csv=lambda buffer, parse_dates=(): _Frame(csv.DictReader(buffer)),
        DataFrame=_Frame, to_datetime=lambda values: list(values))


def test_the_pandas_examples_load_the_sites_values(app, world, measure, monkeypatch):
    api = ApiClient(app, make_token(app, world.member_a, "read"))
    monkeypatch.setitem(sys.modules, "requests", _fake_requests(api, measure, world.site_a))
    try:
        import pandas  # noqa: F401
    except ImportError:
        monkeypatch.setitem(sys.modules, "pandas", _stand_in_pandas())
    snippets = [code for lang, code in BLOCKS if lang == "python"]
    assert len(snippets) == 2
    scope = {"token": api.secret}
    exec(snippets[0], scope)  # noqa: S102  (the documented code, as written)
    from_csv = scope["values"]
    exec(snippets[1], scope)  # noqa: S102
    from_json = scope["values"]
    assert len(from_csv) == len(from_json) == 3
    assert [int(n) for n in list(from_csv["numerator"])] == [3, 4, 5]
    assert [int(n) for n in list(from_json["numerator"])] == [3, 4, 5]
