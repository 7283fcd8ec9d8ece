"""Hostile values in every GET route's path parameters and query arguments: never a 5xx.

Generated from `app.url_map`, so a new route is fuzzed the day it is added. Which query
arguments a view reads is learnt by asking it: one plain request per route through a request
class that records every name looked up in `request.args`. Each argument read is then sent
alone with each hostile value, and every route also gets all the app's argument names at once.
Then what users see instead (a 404, an ignored filter, a field error, a 400 for a NUL), and the
form fields a hostile client can set.
"""

import pytest
from flask import Request
from werkzeug.datastructures import ImmutableMultiDict

from tests import factories as f
from tests import route_world
from tests import test_routes_matrix as matrix
from tracker.core import args
from tracker.core.args import MAX_ID
from tracker.extensions import db
from tracker.models import Cycle, Site

# Sent as typed in an address bar: "%00" stays an escape (a NUL once decoded).
LONG = "9" * 5000  # longer than Python's int() accepts, and than any column
# Zero, negative, not a number, just past the largest id (PostgreSQL's INTEGER) and past
# SQLite's, NUL, very long, a date too far.
HOSTILE = ["0", "-1", "abc", str(MAX_ID + 1), str(2**63), "%00", LONG, "9999-12-31"]
# More of the same kinds, for the requests that send every argument at once.
HOSTILE_ALL = [*HOSTILE, str(2**64), str(10**30), "é☃", "0001-01-01", "-1.5e9"]
# Arguments the app reads somewhere: every route gets them all at once, as a safety net for
# a name the recorder could not see being read.
KNOWN_ARGS = ("page", "site", "site_id", "idea", "driver", "author", "cycle", "collaborative",
              "collaborative_id", "kind", "q", "view", "sort", "date_from", "date_to",
              "period", "periods", "status", "tag", "where", "scope", "stage", "decision",
              "exclude", "format", "shares", "title", "token", "next", "section", "criterion")
# The filters of the list pages, which the recorder must see (or it is broken).
LIST_FILTERS = {"page", "site", "site_id", "idea", "driver", "author", "collaborative",
                "date_from", "date_to", "view", "sort", "q", "kind", "tag", "status"}


class RecordingArgs(ImmutableMultiDict):
    """Query arguments that remember which names the view looked up."""

    read: set[str] = set()

    def __getitem__(self, key):
        RecordingArgs.read.add(key)
        return super().__getitem__(key)

    def __contains__(self, key):
        RecordingArgs.read.add(key)
        return super().__contains__(key)

    def get(self, key, default=None, type=None):
        RecordingArgs.read.add(key)
        return super().get(key, default, type)

    def getlist(self, key, type=None):
        RecordingArgs.read.add(key)
        return super().getlist(key, type)


class RecordingRequest(Request):
    parameter_storage_class = RecordingArgs


class Fuzzer:
    """Sends GET requests as one user and keeps every 5xx (or escaped exception) it meets."""

    def __init__(self, app, client):
        self.app, self.client, self.sent, self.failures = app, client, 0, []

    def get(self, url: str) -> None:
        self.sent += 1
        try:
            status = self.client.get(url).status_code
        except Exception as error:  # noqa: BLE001 (TESTING re-raises what would be a 500)
            self.failures.append(f"{url[:150]} raised {type(error).__name__}: {error}"[:300])
            return
        if status >= 500:
            self.failures.append(f"{url[:150]} answered {status}")

    def args_read(self, url: str) -> set[str]:
        """The query argument names the view behind `url` looks up (a plain request)."""
        RecordingArgs.read = set()
        self.app.request_class = RecordingRequest
        try:
            self.get(url)
        finally:
            self.app.request_class = Request
        return set(RecordingArgs.read)


def get_rules(app) -> list:
    return sorted((r for r in app.url_map.iter_rules()
                   if "GET" in r.methods and r.endpoint not in route_world.FILES),
                  key=lambda r: (r.endpoint, r.rule))


@pytest.mark.parametrize("who", ["admin", "member_a"])
def test_no_get_route_fails_on_hostile_input(app, world, login, who):
    with app.app_context():
        objects = route_world.build(world)
    fuzz = Fuzzer(app, login(who))
    read_somewhere = set()
    for rule in get_rules(app):
        url = route_world.fill(rule, objects)
        names = fuzz.args_read(url)
        read_somewhere |= names
        for name in route_world.path_parameters(rule):
            for value in HOSTILE:
                fuzz.get(route_world.fill(rule, objects, **{name: value}))
        for name in sorted(names):
            for value in HOSTILE:
                fuzz.get(f"{url}?{name}={value}")
        for value in HOSTILE_ALL:
            fuzz.get(f"{url}?" + "&".join(f"{name}={value}" for name in {*KNOWN_ARGS, *names}))
    assert fuzz.failures == []
    assert LIST_FILTERS <= read_somewhere  # the recorder saw the filters being read
    assert fuzz.sent > 1000  # every route was walked (about 1,500 requests per user)


# ------------------------------------------------------------- what the user sees instead


@pytest.mark.parametrize("text,expected", [
    ("1", 1), ("007", 7), (str(MAX_ID), MAX_ID), (str(MAX_ID + 1), None), ("0", None),
    ("-1", None), ("1.0", None), ("٣", None), ("", None), (None, None), (LONG, None),
])
def test_an_id_is_ascii_digits_within_an_integer_column(text, expected):
    assert args.parse_id(text) == expected


def test_arg_int_falls_back_to_the_default_outside_its_bounds():
    assert args.arg_int({"n": "26"}, "n", 12, low=1, high=104) == 26
    assert args.arg_int({"n": "-3"}, "n", 0, low=-5, high=5) == -3
    for text in ("0", "105", "-3", "--5", "+5", "5.0", "٣", "abc", LONG, ""):
        assert args.arg_int({"n": text}, "n", 12, low=1, high=104) == 12


def test_an_id_past_the_largest_is_not_found_and_the_largest_is_plainly_missing(login, world):
    client = login("admin")
    for path in ("cycles", "ideas", "measures", "sites", "events", "comments"):
        assert client.get(f"/{path}/{MAX_ID + 1}").status_code == 404
        assert client.get(f"/{path}/{MAX_ID}").status_code == 404
    assert client.get(f"/sites/{world.site_a}").status_code == 200


def test_a_far_date_filter_is_shown_as_a_field_error_and_ignored(app, login, world):
    with app.app_context():
        f.make_cycle(db.session.get(Site, world.site_a), title="Drinks on the ward")
        db.session.commit()
    response = login("member_a").get("/cycles/?date_to=9999-12-31&q=drinks")
    html = response.get_data(True)
    assert response.status_code == 200
    assert "Choose a date between 2000 and 2100." in html
    assert "Drinks on the ward" in html  # the other filter still applies


def test_a_filter_that_is_not_an_id_is_ignored_with_a_note(login, world):
    html = login("member_a").get(f"/ideas/?driver={2**64}").get_data(True)
    assert "The “driver” filter in the address was not understood, so it was ignored." in html
    # A site may be typed by name: one that names no site is said so next to the box.
    response = login("member_a").get(f"/ideas/?site={2**64}")
    assert response.status_code == 200
    assert f"No site called “{2**64}” here" in response.get_data(True)


def test_a_nul_anywhere_is_refused_with_a_message_and_nothing_saved(app, login, world):
    client = login("member_a")
    for url in ("/search/?q=a%00b", "/cycles/?site%00=1", "/auth/reset/ab%00cd"):
        response = client.get(url)
        assert response.status_code == 400
        assert "NUL character" in response.get_data(True)
    typed = {"site_id": world.site_a, "title": "Sips\x00 before surgery", "objective": "Less"}
    assert client.post("/cycles/quick", data=typed).status_code == 400
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count(Cycle.id))) == 0
    typed["title"] = "Sips before surgery"  # the same form without the NUL is saved
    assert client.post("/cycles/quick", data=typed).status_code == 302


# Hidden and numeric form fields a hostile client can set: refused or shown back, never saved.
TOO_BIG = ["abc", "-1", str(MAX_ID + 1), str(2**63), "1e400"]
FORM_FIELDS = [("cycles.edit", "member_a", "version", TOO_BIG),
               ("feedback.comment_cycle", "member_a", "parent_id", TOO_BIG),
               ("measures.grid", "member_a", "rows-0-numerator", TOO_BIG),
               ("measures.update", "lead_a", "target", ["abc", "1e400", "nan", "-inf"])]


@pytest.mark.parametrize("endpoint,who,field,values", FORM_FIELDS)
def test_hostile_form_values_are_refused_and_change_nothing(app, world, login, endpoint, who,
                                                            field, values):
    with app.app_context():
        objects = route_world.build(world)
    path, data, _ = matrix.POST_MATRIX[endpoint][0]
    for value in values:
        before = matrix.snapshot(app)
        response = login(who).post(path.format(**objects),
                                   data={**matrix.form(data, objects), field: value})
        assert response.status_code in (200, 400, 409), f"{field}={value}"
        assert matrix.changed_tables(before, matrix.snapshot(app)) == [], f"{field}={value}"
