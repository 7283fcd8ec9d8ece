"""Cycle lists: scope, filters, sorting, paging, counts in SQL, CSV export."""

import csv
import io
from datetime import date

from tests import factories as f
from tracker.extensions import db
from tracker.models import Decision, Site, Stage, User


def seed(app, world, n_extra=0):
    with app.app_context():
        a, b = db.session.get(Site, world.site_a), db.session.get(Site, world.site_b)
        idea = f.make_idea(a, title="Chair by the bed")
        f.make_cycle(a, title="Alpha plan", author_id=world.member_a, idea_id=idea.id)
        f.make_cycle(a, title="Alpha adopted", author_id=world.lead_a, stage=Stage.COMPLETE,
                     decision=Decision.ADOPT, do_started_on=date(2026, 2, 2))
        f.make_cycle(b, title="Beta study", author_id=world.member_b, stage=Stage.STUDY,
                     objective="snack boxes at 20:00", do_started_on=date(2026, 4, 6))
        for i in range(n_extra):
            f.make_cycle(b, title=f"Bulk {i:03}", author_id=world.member_b,
                         scale_amount=1, scale_unit="patient")
        db.session.commit()
        return idea.id


def titles(html: str) -> list[str]:
    import re

    return re.findall(r'<a class="fw-semibold" href="/cycles/\d+">([^<]+)</a>', html)


def test_scopes_all_site_and_mine(app, login, world):
    seed(app, world)
    client = login("member_a")
    assert set(titles(client.get("/cycles/").get_data(True))) == {
        "Alpha plan", "Alpha adopted", "Beta study"}
    assert set(titles(client.get("/cycles/?scope=site").get_data(True))) == {
        "Alpha plan", "Alpha adopted"}
    assert titles(client.get("/cycles/?scope=mine").get_data(True)) == ["Alpha plan"]


def test_filters(app, login, world):
    idea_id = seed(app, world)
    client = login("faculty")
    get = lambda q: titles(client.get(f"/cycles/?{q}").get_data(True))  # noqa: E731
    assert get(f"site={world.site_b}") == ["Beta study"]
    assert get(f"idea={idea_id}") == ["Alpha plan"]
    assert get("stage=study") == ["Beta study"]
    assert get("decision=adopt") == ["Alpha adopted"]
    assert get(f"author={world.lead_a}") == ["Alpha adopted"]
    assert get("q=SNACK") == ["Beta study"]
    assert get("q=100%25_") == []  # LIKE wildcards are literal
    assert get("date_from=2026-03-01&date_to=2026-04-30") == ["Beta study"]
    assert get("date_to=2026-02-28") == ["Alpha adopted"]


def test_hostile_filter_values_do_not_break_the_page(login, world):
    client = login("member_a")
    for query in ("site=abc", "stage=nonsense", "date_from=yesterday", "q=' OR 1=1 --",
                  "sort=DROP", "page=-3", "q=" + "x" * 5000):
        assert client.get(f"/cycles/?{query}").status_code == 200, query


def test_sorting_and_paging(app, login, world):
    seed(app, world, n_extra=25)
    client = login("member_a")
    first = titles(client.get("/cycles/?sort=title").get_data(True))
    assert first[0] == "Alpha adopted" and len(first) == 20
    second = titles(client.get("/cycles/?sort=title&page=2").get_data(True))
    assert len(second) == 8 and not set(first) & set(second)
    html = client.get("/cycles/").get_data(True)
    assert "<strong>28</strong> cycles" in html and "Plan 26" in html and "Study 1" in html


def test_list_costs_the_same_queries_with_5_or_500_cycles(app, login, world, count_queries):
    seed(app, world, n_extra=2)
    client = login("member_a")
    client.get("/cycles/")  # warm-up
    with count_queries() as small:
        client.get("/cycles/")
    seed(app, world, n_extra=495)
    with count_queries() as large:
        html = client.get("/cycles/").get_data(True)
    assert "<strong>503</strong> cycles" in html
    assert large.count == small.count


def test_quality_shares_per_site_on_the_list(app, login, world):
    seed(app, world, n_extra=3)
    client = login("member_a")
    assert "Show PDSA quality by site" in client.get("/cycles/").get_data(True)
    html = client.get("/cycles/?shares=1").get_data(True)
    shares = html[html.index("PDSA quality by site ("):]
    # Beta: 4 cycles, 3 with a stated small scale -> 75%
    beta = shares[shares.index("Beta Hospital"):]
    assert '<td class="text-end" data-label="Cycles">4</td>' in beta[:200]
    assert "75%" in beta[:600]


def test_csv_export_is_filtered_and_formula_safe(app, login, world):
    with app.app_context():
        site = db.session.get(Site, world.site_a)
        f.make_cycle(site, title="=HYPERLINK(\"http://evil\",\"x\")", objective="+1 sum",
                     author_id=world.member_a)
        f.make_cycle(site, title="Ordinary", objective="@mention -minus")
        db.session.get(User, world.member_a).name = "-Amy"
        db.session.commit()
    response = login("member_a").get("/cycles/export.csv?sort=title")
    assert response.mimetype == "text/csv"
    rows = list(csv.reader(io.StringIO(response.get_data(True))))
    assert rows[0][:3] == ["id", "site", "title"]
    by_title = {r[2]: r for r in rows[1:]}
    assert "'=HYPERLINK(\"http://evil\",\"x\")" in by_title
    assert by_title["'=HYPERLINK(\"http://evil\",\"x\")"][11] == "'+1 sum"
    assert by_title["'=HYPERLINK(\"http://evil\",\"x\")"][7] == "'-Amy"
    assert by_title["Ordinary"][11] == "'@mention -minus"
    only = login("member_a").get("/cycles/export.csv?q=Ordinary").get_data(True)
    assert len(list(csv.reader(io.StringIO(only)))) == 2


def test_the_unfiltered_list_shows_no_filter_errors(login, world):
    html = login("member_a").get("/cycles/").get_data(True)
    assert "Not a valid choice" not in html and "is-invalid" not in html


def test_unknown_query_parameters_are_not_passed_on_to_links(login, world):
    for query in ("endpoint=x", "_external=1", "values=3", "shares=1&endpoint=x"):
        assert login("member_a").get(f"/cycles/?{query}").status_code == 200, query
