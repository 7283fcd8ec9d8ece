"""Cycle lists: scope, filters, sorting, paging, counts in SQL, CSV export."""

import csv
import io
import re
from datetime import date

from tests import factories as f
from tests.conftest import main_of
from tests.test_data_version import page_without_tokens
from tracker.extensions import db
from tracker.models import ChangeIdea, Decision, Driver, Site, Stage, User, Visibility


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
    html = client.get("/cycles/?sort=title").get_data(True)
    assert "Previous page" not in html
    second_html = client.get(link(html, "next")).get_data(True)
    second = titles(second_html)
    assert len(second) == 8 and not set(first) & set(second)
    assert 'rel="next"' not in second_html
    assert titles(client.get(link(second_html, "prev")).get_data(True)) == first
    html = client.get("/cycles/").get_data(True)
    assert "<strong>28</strong> cycles" in html and "Plan 26" in html and "Study 1" in html


def link(html: str, rel: str) -> str:
    import re

    return re.search(rf'rel="{rel}" href="([^"]+)"', html).group(1).replace("&amp;", "&")


def test_every_sort_pages_through_every_cycle_once_in_order(app, login, world):
    from datetime import datetime, timedelta

    seed(app, world, n_extra=45)
    with app.app_context():  # ties on the sort column: the id decides
        from tracker.models import Cycle

        same = datetime(2026, 3, 1, 9, 0)
        for n, cycle in enumerate(db.session.scalars(db.select(Cycle).order_by(Cycle.id))):
            cycle.created_at = same + timedelta(minutes=n // 7)
        db.session.commit()
    client = login("member_a")
    for sort in ("updated", "newest", "oldest", "title", "stage"):
        html = client.get(f"/cycles/?sort={sort}").get_data(True)
        seen = titles(html)
        while 'rel="next"' in html:
            html = client.get(link(html, "next")).get_data(True)
            seen += titles(html)
        assert len(seen) == len(set(seen)) == 48, sort
        if sort == "title":
            assert seen == sorted(seen)
        back = titles(html)
        while 'rel="prev"' in html:
            html = client.get(link(html, "prev")).get_data(True)
            back = titles(html) + back
        assert back == seen, sort


def test_a_forged_cursor_shows_the_first_page(app, login, world):
    seed(app, world, n_extra=25)
    client = login("member_a")
    first = titles(client.get("/cycles/").get_data(True))
    for cursor in ("nonsense", "W10", "WyJ4IiwgMV0", "WzEsIDJd", "W251bGwsbnVsbF0", "x" * 3000):
        response = client.get(f"/cycles/?after={cursor}")
        assert response.status_code == 200 and titles(response.get_data(True)) == first


def test_stage_counts_follow_a_stage_move(app, login, world):
    seed(app, world)
    client = login("member_a")
    assert "Plan 1" in client.get("/cycles/").get_data(True)
    with app.app_context():
        from tracker.models import Cycle

        cycle = db.session.scalars(db.select(Cycle).filter_by(title="Alpha plan")).one()
        cycle.stage = Stage.DO
        db.session.commit()
    html = client.get("/cycles/").get_data(True)
    assert "Plan 0" in html and "Do 1" in html


def test_stage_counts_under_a_driver_follow_an_idea_moving_driver(app, login, world):
    idea_id = seed(app, world)
    with app.app_context():
        first = Driver(collaborative_id=world.collaborative, title="Early mobilising")
        second = Driver(collaborative_id=world.collaborative, title="Early eating")
        db.session.add_all([first, second])
        db.session.flush()
        db.session.get(ChangeIdea, idea_id).driver_id = first.id
        db.session.commit()
        first_id, second_id = first.id, second.id
    client = login("member_a")
    assert "Plan 1" in client.get(f"/cycles/?driver={first_id}").get_data(True)
    with app.app_context():  # no cycle changes: only the idea's driver
        db.session.get(ChangeIdea, idea_id).driver_id = second_id
        db.session.commit()
    assert "Plan 0" in client.get(f"/cycles/?driver={first_id}").get_data(True)
    assert "Plan 1" in client.get(f"/cycles/?driver={second_id}").get_data(True)


def offered(html: str, name: str) -> list[str]:
    """What the filter called `name` offers, by label (the blank choice aside)."""
    select = html.split(f'<select class="form-select" id="{name}"')[1].split("</select>")[0]
    return re.findall(r'<option value="\d+"[^>]*>([^<]+)</option>', select)


def test_the_filter_panel_is_shared_by_readers_with_the_same_choices(
        app, login, world, count_queries):
    seed(app, world)
    amy, leo, bea = login("member_a"), login("lead_a"), login("member_b")
    amys = amy.get("/cycles/?stage=plan").get_data(True)
    assert offered(amys, "author") == ["Amy Nurse", "Leo Lead"]  # her site's people
    assert titles(amys) == ["Alpha plan"]
    # Bea is on another site: her panel is made for her, not Amy's kept one.
    beas = bea.get("/cycles/?stage=plan").get_data(True)
    assert "Bea Physio" in offered(beas, "author")
    assert "Amy Nurse" not in offered(beas, "author")
    # Leo has Amy's choices: he is served the panel kept from her visit, two queries fewer
    # (the sites, then the ideas, drivers and people) than when it is made for him.
    with count_queries() as shared:
        leos = page_without_tokens(leo, "/cycles/?stage=plan")  # (tokens: by the second)
    app.extensions["memos"]["cycle_filter_panels"].clear()
    app.extensions["memos"]["cycle_stage_counts"].clear()  # Leo's own, made on his first visit
    app.extensions["memos"]["cycle_lists"].clear()  # and the list around them
    with count_queries() as made:
        assert page_without_tokens(leo, "/cycles/?stage=plan") == leos
    assert shared.count == made.count - 2
    assert titles(leos) == ["Alpha plan"]  # the kept filter values still filter


def test_the_filter_panel_shows_what_was_written_since_it_was_kept(app, login, world):
    seed(app, world)
    amy = login("member_a")
    assert "Snack trolley" not in offered(amy.get("/cycles/").get_data(True), "idea")
    with app.app_context():
        site = db.session.get(Site, world.site_a)
        f.make_idea(site, title="Snack trolley")
        f.make_user(site=site, name="Nia Newcomer")
        db.session.commit()
    html = amy.get("/cycles/").get_data(True)
    assert "Snack trolley" in offered(html, "idea")
    assert offered(html, "author") == ["Amy Nurse", "Leo Lead", "Nia Newcomer"]


def test_a_kept_filter_panel_still_shows_a_refused_value(app, login, world):
    amy = login("member_a")
    for _ in range(2):  # made, then kept
        app.extensions.get("memos", {}).pop("cycle_lists", None)  # the list around it made
        html = amy.get("/cycles/?date_from=1800-01-01&stage=bogus").get_data(True)
        assert "Choose a date between" in html
        assert 'id="date_from-error"' in html and 'aria-invalid="true"' in html


def test_list_costs_the_same_queries_with_5_or_500_cycles(app, login, world, count_queries):
    seed(app, world, n_extra=2)
    client = login("member_a")
    client.get("/cycles/")  # warm-up
    # Both measured with the counts and the filter panel to make.
    app.extensions["memos"]["cycle_stage_counts"].clear()
    app.extensions["memos"]["cycle_filter_panels"].clear()
    app.extensions["memos"]["cycle_lists"].clear()
    with count_queries() as small:
        client.get("/cycles/")
    seed(app, world, n_extra=495)
    with count_queries() as large:
        html = client.get("/cycles/").get_data(True)
    assert "<strong>503</strong> cycles" in html
    assert large.count == small.count <= 12
    for _ in range(3):  # a deep page costs what the first does
        html = client.get(link(html, "next")).get_data(True)
    with count_queries() as deep:
        client.get(link(html, "next"))
    # The stage counts and the filter panel (its two queries) were kept from the first page.
    assert deep.count == small.count - 3


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


def test_the_list_reads_cycles_before_their_sites_on_sqlite_only(app, world):
    """The list's join is written so that SQLite reads the cycles first (in the order of the
    index the page is sorted by); PostgreSQL gets a plain join to plan as it likes."""
    from sqlalchemy.dialects import postgresql, sqlite

    from tracker.cycles.queries import cycles_visible_to

    with app.app_context():
        user = db.session.get(User, world.member_a)
        query = cycles_visible_to(user, cycles_first=True)
        lite = str(query.compile(dialect=sqlite.dialect()))
        pg = str(query.compile(dialect=postgresql.dialect()))
        assert "FROM cycle CROSS JOIN site ON site.id = cycle.site_id" in lite
        assert "FROM cycle JOIN site ON site.id = cycle.site_id" in pg
        assert "CROSS" not in pg
        # The same cycles either way.
        f.make_cycle(db.session.get(Site, world.site_a))
        f.make_cycle(db.session.get(Site, world.site_b), visibility=Visibility.SITE)
        assert (set(db.session.scalars(query)) ==
                set(db.session.scalars(cycles_visible_to(user))))


def test_of_a_filter_given_twice_the_first_counts_made_or_kept(app, login, world):
    seed(app, world)
    client = login("member_a")
    for _ in range(2):  # made, then kept
        app.extensions.get("memos", {}).pop("cycle_lists", None)  # the list around it made
        assert titles(client.get("/cycles/?stage=study&stage=plan").get_data(True)) == [
            "Beta study"]
        assert titles(client.get("/cycles/?stage=plan&stage=study").get_data(True)) == [
            "Alpha plan"]


def test_the_list_is_made_once_for_a_team_with_the_same_rights(app, login, world,
                                                                count_queries):
    """The list is kept until anything is written for everyone who may see and do the same: a
    nurse's teammate is served hers; the lead (who sees the trash) and another site's nurse get
    their own; "my cycles" is each reader's own; a new cycle shows at once."""
    seed(app, world)
    with app.app_context():
        nia = f.make_user(site=db.session.get(Site, world.site_a), name="Nia Newcomer")
        f.make_cycle(db.session.get(Site, world.site_a), title="Alpha draft",
                     visibility=Visibility.SITE)
        db.session.commit()
        nia_id = nia.id
    amy = login("member_a")
    nias = app.test_client()
    with nias.session_transaction() as session:
        with app.app_context():
            session["_user_id"] = db.session.get(User, nia_id).session_token
    with count_queries() as made:
        first = amy.get("/cycles/").get_data(True)
    with count_queries() as shared:
        again = nias.get("/cycles/").get_data(True)
    assert main_of(again) == main_of(first)
    assert shared.count <= made.count - 4  # the page of cycles and their parts, the counts
    assert "/cycles/trash" not in first and "/cycles/trash" in login("lead_a").get(
        "/cycles/").get_data(True)
    assert "Alpha draft" in first and "Alpha draft" not in login("member_b").get(
        "/cycles/").get_data(True)  # another site's nurse: her own, without its draft
    assert titles(amy.get("/cycles/?scope=mine").get_data(True)) == ["Alpha plan"]
    assert titles(nias.get("/cycles/?scope=mine").get_data(True)) == []
    with app.app_context():
        f.make_cycle(db.session.get(Site, world.site_b), title="Beta snack round")
        db.session.commit()
    assert "Beta snack round" in titles(nias.get("/cycles/").get_data(True))
