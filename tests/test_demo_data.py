"""The demo's data files: shipped inside the package, and consistent with one another."""

import tomllib
from importlib.resources import files
from types import SimpleNamespace

import pytest

from tracker.demo import tables
from tracker.demo.cycles import _Ramp, _words
from tracker.demo.tables import (
    ACCOUNTS,
    COMMENTS,
    DRIVERS,
    LADDER,
    MEASURES,
    SCALES,
    SITES,
    TEMPLATES,
    WELL_KNOWN,
    WORDING,
)
from tracker.models import Decision, Profession, Stage

DATA_FILES = {"collaborative", "comments", "cycles", "drivers", "events", "feedback",
              "measures", "people", "scales", "sites", "templates"}
IDEAS = [idea for primary in DRIVERS for secondary in primary.secondaries
         for idea in secondary.ideas]


def test_every_data_file_is_in_the_package_and_parses():
    folder = files("tracker.demo").joinpath("data")
    found = {entry.name.removesuffix(".toml") for entry in folder.iterdir()
             if entry.name.endswith(".toml")}
    assert found == DATA_FILES
    for name in found:
        assert tomllib.loads(folder.joinpath(f"{name}.toml").read_text("utf-8"))


def test_driver_diagram_has_unique_tagged_ideas():
    titles = [idea.title for idea in IDEAS]
    assert len(titles) == len(set(titles)) >= 25
    assert all(idea.description and idea.tags and all(idea.tags) for idea in IDEAS)
    assert all(primary.secondaries and all(s.ideas for s in primary.secondaries)
               for primary in DRIVERS)


def test_every_cycle_template_names_an_idea_and_measures_that_exist():
    titles = {idea.title for idea in IDEAS}
    keys = {m.key for m in MEASURES}
    shorts = [t.short for t in TEMPLATES]
    assert len(shorts) == len(set(shorts))
    for template in TEMPLATES:
        assert template.idea in titles, template.short
        assert set(template.measures) <= keys, template.short
        assert template.boost in ("drink", "eat", "mobilise"), template.short
        assert 0 < template.prediction <= 95


def test_measures_refer_to_measures_listed_before_them():
    seen: set[str] = set()
    for measure in MEASURES:
        assert {measure.composite, measure.balances} - {None} <= seen, measure.key
        seen.add(measure.key)
    # The simulation writes these series by key.
    assert {"dream", "drink", "eat", "mobilise", "carb", "ponv", "falls"} <= seen


def test_sites_adopt_templates_that_exist_within_the_year():
    shorts = {t.short for t in TEMPLATES}
    demo = SCALES["demo"]
    assert len(SITES) == demo.sites
    for site in SITES:
        assert site.network < len(demo.networks), site.name
        assert site.key_change is None or site.key_change in shorts, site.name
        assert (site.key_change is None) == (site.step_week is None), site.name
        assert site.step_week is None or 4 <= site.step_week <= 45, site.name
        assert site.gap_week is None or 0 <= site.gap_week <= 48, site.name
        assert 0 < site.baseline < 1 and site.patients > 0


def test_well_known_accounts_belong_to_the_first_site_or_the_collaborative():
    first_team = SCALES["demo"].team_sizes[0]
    domain = SITES[0].domain
    people = {p.email for p in (*tables.FACULTY, tables.PARTNER, tables.ADMIN)}
    expected = {f"{local}@{domain}.example.org" for local in WELL_KNOWN.values()} | people
    assert {email for email, _ in ACCOUNTS} <= expected
    assert all(position < first_team for position in WELL_KNOWN)
    assert all(min(scale.team_sizes) >= len(tables.TEAM[:4]) for scale in SCALES.values())


def test_ladder_grows_and_ends_at_all_wards():
    assert len(LADDER) == 6  # the builder picks its top rungs by position (4: a ward, 5: all)
    assert [r.patients for r in LADDER] == sorted(r.patients for r in LADDER)
    assert LADDER[4].unit == "ward" and LADDER[5].unit == "ward" and "{ward}" not in (
        LADDER[5].where)


def test_comments_cover_every_situation_a_target_can_be_in():
    assert set(COMMENTS) == {*Decision, None, "idea"}
    for rows in COMMENTS.values():
        assert rows and all(row.who in ("faculty", "peer", "partner") for row in rows)
        assert all("{site}" not in row.body or row.who == "peer" for row in rows)


def _strings(value):
    if isinstance(value, dict):
        for inner in value.values():
            yield from _strings(inner)
    else:
        yield value


@pytest.mark.parametrize("template", TEMPLATES, ids=lambda t: t.short)
def test_cycle_wording_fills_in_from_every_template(template):
    person = SimpleNamespace(name="Ann Example", profession=Profession.NURSE)
    ramp = _Ramp(SimpleNamespace(ward="Ward 1"), template, person, person, [0, 3, 5],
                 Stage.COMPLETE, Decision.ADOPT)
    words = _words(ramp, 1, predicted=65, hits=6)
    assert set(WORDING["learning"]) == set(WORDING["next_steps"]) == {d.value for d in Decision}
    for text in _strings(WORDING):
        filled = text.format(**words)  # a misspelt placeholder raises KeyError here
        assert filled.strip() and "{" not in filled and "}" not in filled, text
