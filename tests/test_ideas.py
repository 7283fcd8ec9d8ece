"""Change ideas: the library, evidence roll-up, try-at-our-site lineage, follow, tags, drivers."""

from datetime import date, timedelta

import pytest

from tests import factories as f
from tests.conftest import main_of
from tests.test_data_version import page_without_tokens
from tracker.extensions import db
from tracker.models import (
    ChangeIdea,
    Cycle,
    Decision,
    Driver,
    IdeaFollow,
    Notification,
    Site,
    Stage,
    Tag,
    Visibility,
)


@pytest.fixture
def evidence_world(app, world):
    """One idea tested at three sites of the world's collaborative, with designed outcomes."""
    with app.app_context():
        collab_id = world.collaborative
        a, b = db.session.get(Site, world.site_a), db.session.get(Site, world.site_b)
        from tracker.models import Collaborative

        c = f.make_site(db.session.get(Collaborative, collab_id), "Gamma Hospital")
        idea = f.make_idea(a, title="Evening snack boxes", description="Snacks after 18:00")
        other = f.make_idea(b, title="Protected mealtimes")
        base = date(2026, 1, 5)
        # Alpha: 1 patient (adapt) -> 1 bay (adopt): adopted, largest 1 bay, first 5 Jan
        f.make_cycle(a, idea_id=idea.id, scale_amount=1, scale_unit="patient",
                     decision=Decision.ADAPT, stage=Stage.COMPLETE, do_started_on=base)
        f.make_cycle(a, idea_id=idea.id, scale_amount=1, scale_unit="bay",
                     decision=Decision.ADOPT, stage=Stage.COMPLETE,
                     do_started_on=base + timedelta(weeks=3))
        # Beta: 3 patients, abandoned, first 26 Jan
        f.make_cycle(b, idea_id=idea.id, scale_amount=3, scale_unit="patients",
                     decision=Decision.ABANDON, stage=Stage.COMPLETE,
                     do_started_on=base + timedelta(weeks=3))
        # Gamma: still testing (no decision), first 12 Jan; a site-only draft too
        f.make_cycle(c, idea_id=idea.id, scale_amount=2, scale_unit="shift", stage=Stage.DO,
                     do_started_on=base + timedelta(weeks=1))
        f.make_cycle(c, idea_id=idea.id, title="Gamma draft", visibility=Visibility.SITE,
                     scale_amount=1, scale_unit="ward")
        f.make_cycle(b, idea_id=other.id, decision=Decision.ADOPT, stage=Stage.COMPLETE)
        db.session.commit()
        return {"idea": idea.id, "other": other.id, "gamma": c.id}


def test_evidence_roll_up_counts_sites_decisions_and_scale(login, world, evidence_world):
    html = login("member_a").get(f"/ideas/{evidence_world['idea']}").get_data(True)
    assert "Tested at 3 sites, adopted at 1, adapted at 0, abandoned at 1." in html
    table = html[html.index("<tbody>"):html.index("</tbody>")]
    # Spread: in order of first test, with the largest scale and latest decision.
    assert table.index("Alpha Hospital") < table.index("Gamma Hospital") < table.index("Beta")
    alpha = table[table.index("Alpha Hospital"):table.index("Gamma Hospital")]
    assert "5 Jan 2026" in alpha and "1 bay" in alpha and "Adopted" in alpha
    gamma = table[table.index("Gamma Hospital"):table.index("Beta Hospital")]
    assert "2 shift" in gamma and "Still testing" in gamma  # the ward-scale draft is hidden
    assert "Gamma draft" not in html


def evidence_of(response) -> str:
    """The idea page's evidence: its roll-up, sites and their cycles."""
    html = response.get_data(True)
    return html[html.index('id="evidence-heading"'):html.index('id="comments')]


def test_the_evidence_is_shared_by_readers_who_see_the_same_cycles(app, login, world,
                                                                   evidence_world,
                                                                   count_queries):
    url = f"/ideas/{evidence_world['idea']}"
    with app.app_context():  # Alpha's own draft: only Alpha's team sees it
        f.make_cycle(db.session.get(Site, world.site_a), idea_id=evidence_world["idea"],
                     title="Alpha draft", visibility=Visibility.SITE)
        db.session.commit()
    amy, leo, bea = login("member_a"), login("lead_a"), login("member_b")
    assert "Alpha draft" in evidence_of(amy.get(url))
    assert "Alpha draft" not in evidence_of(bea.get(url))  # another site's: made for her
    # Leo sees what Amy sees: he is served the evidence kept from her visit, five queries
    # fewer (the roll-up, the page of sites, their cycles, their charts, the sustained count).
    with count_queries() as shared:
        leos = evidence_of(leo.get(url))
    app.extensions["memos"]["idea_evidence"].clear()
    app.extensions["memos"]["idea_pages"].clear()  # Leo's page around it, kept on his visit
    with count_queries() as made:
        assert evidence_of(leo.get(url)) == leos
    assert shared.count == made.count - 5
    with app.app_context():  # what is written next shows at once
        f.make_cycle(db.session.get(Site, world.site_b), idea_id=evidence_world["idea"],
                     title="Beta tries again")
        db.session.commit()
    assert "Beta tries again" in evidence_of(amy.get(url))


def test_evidence_page_query_count_is_the_same_for_1_or_many_sites(app, login, world,
                                                                  evidence_world,
                                                                  count_queries):
    client = login("member_a")
    url = f"/ideas/{evidence_world['idea']}"
    client.get(url)
    app.extensions["memos"]["idea_evidence"].clear()  # made afresh, as after the writes below
    app.extensions["memos"]["idea_pages"].clear()
    with count_queries() as few:
        client.get(url)
    with app.app_context():
        from tracker.models import Collaborative

        collab = db.session.get(Collaborative, world.collaborative)
        for _ in range(30):
            f.make_cycle(f.make_site(collab), idea_id=evidence_world["idea"],
                         decision=Decision.ADOPT, scale_amount=1, scale_unit="ward")
        db.session.commit()
    with count_queries() as many:
        assert "adopted at 31" in client.get(url).get_data(True)
    assert many.count == few.count


def test_evidence_page_lists_each_sites_latest_cycles_in_constant_queries(
        app, login, world, evidence_world, count_queries):
    from tracker.ideas.routes import CYCLES_PER_SITE

    client = login("member_a")
    url = f"/ideas/{evidence_world['idea']}"
    client.get(url)
    app.extensions["memos"]["idea_evidence"].clear()  # made afresh, as after the writes below
    app.extensions["memos"]["idea_pages"].clear()
    with count_queries() as few:
        client.get(url)
    with app.app_context():
        alpha = db.session.get(Site, world.site_a)
        for n in range(45):
            f.make_cycle(alpha, idea_id=evidence_world["idea"], title=f"Alpha round {n:02}",
                         decision=Decision.ADAPT, scale_amount=1, scale_unit="bay")
        db.session.commit()
    with count_queries() as many:
        html = client.get(url).get_data(True)
    assert many.count == few.count <= 12
    table = html[html.index("<tbody>"):html.index("</tbody>")]
    alpha_row = table[table.index("Alpha Hospital"):table.index("</tr>")]
    assert ">47<" in alpha_row  # the roll-up still counts every cycle
    listed = html[html.index('id="cycles-heading"'):]
    assert "Alpha round 44" in listed and f"Alpha round {44 - CYCLES_PER_SITE + 1}" in listed
    assert f"Alpha round {44 - CYCLES_PER_SITE}" not in listed
    assert f"The latest {CYCLES_PER_SITE} of 47 cycles" in listed
    assert f"/cycles/?idea={evidence_world['idea']}&amp;site={world.site_a}" in listed


def test_evidence_links_each_sites_latest_cycle_to_its_first_measures_chart(
        app, login, world, evidence_world):
    with app.app_context():
        alpha = db.session.get(Site, world.site_a)
        first, second = (f.make_measure(world.collaborative) for _ in range(2))
        earlier = f.make_cycle(alpha, idea_id=evidence_world["idea"], title="Alpha earlier")
        earlier.measures = [first]
        latest = f.make_cycle(alpha, idea_id=evidence_world["idea"], title="Alpha latest")
        latest.measures = [second, first]
        db.session.commit()
        ids = first.id, second.id, latest.id
    html = login("member_a").get(f"/ideas/{evidence_world['idea']}").get_data(True)
    table = html[html.index("<tbody>"):html.index("</tbody>")]
    alpha_row = table[table.index("Alpha Hospital"):table.index("</tr>")]
    assert f"/cycles/{ids[2]}/ramp" in alpha_row
    # The latest cycle's first measure (the earliest made) at the site, whichever order the
    # cycle lists them in; Beta's latest cycle has no measure, so no chart link.
    assert f"/measures/{ids[0]}?site_id={world.site_a}" in alpha_row
    beta_row = table[table.index("Beta Hospital"):]
    beta_row = beta_row[:beta_row.index("</tr>")]
    assert "Ramp" in beta_row and "Chart" not in beta_row


@pytest.mark.parametrize("query,expected", [
    ("", {"Evening snack boxes", "Protected mealtimes", "Untested idea"}),
    ("status=adopt", {"Evening snack boxes", "Protected mealtimes"}),
    ("status=abandon", {"Evening snack boxes"}),
    ("status=testing", {"Evening snack boxes"}),
    ("status=untested", {"Untested idea"}),
    ("status=adopt&where=mine", {"Evening snack boxes"}),     # Alpha adopted it
    ("status=untested&where=mine", {"Protected mealtimes", "Untested idea"}),
    ("status=abandon&where=mine", set()),
])
def test_library_status_filters(app, login, world, evidence_world, query, expected):
    with app.app_context():
        f.make_idea(db.session.get(Site, world.site_a), title="Untested idea")
        db.session.commit()
    html = login("member_a").get(f"/ideas/?{query}").get_data(True)
    import re

    titles = set(re.findall(r'<h2 class="h6 card-title"><a href="/ideas/\d+">([^<]+)</a>', html))
    assert titles == expected


def test_library_sorting_and_filters(app, login, world, evidence_world):
    with app.app_context():
        a = db.session.get(Site, world.site_a)
        driver = Driver(collaborative_id=world.collaborative, title="Eat")
        db.session.add(driver)
        db.session.flush()
        secondary = Driver(collaborative_id=world.collaborative, title="Night food",
                           parent_id=driver.id)
        db.session.add(secondary)
        db.session.flush()
        idea = db.session.get(ChangeIdea, evidence_world["idea"])
        idea.driver_id = secondary.id
        idea.tags = [Tag(collaborative_id=world.collaborative, name="night")]
        f.make_idea(a, title="A brand new idea")
        db.session.commit()
        driver_id = driver.id
    client = login("member_a")
    import re

    def titles(q):
        html = client.get(f"/ideas/?{q}").get_data(True)
        return re.findall(r'<h2 class="h6 card-title"><a href="/ideas/\d+">([^<]+)</a>', html)

    assert titles("sort=tested")[0] == "Evening snack boxes"
    assert titles("sort=title") == ["A brand new idea", "Evening snack boxes",
                                    "Protected mealtimes"]
    assert titles(f"driver={driver_id}") == ["Evening snack boxes"]
    assert titles("tag=night") == ["Evening snack boxes"]
    assert titles(f"site={world.site_b}") == ["Protected mealtimes"]


def test_library_costs_the_same_queries_for_few_or_many_ideas(app, login, world,
                                                              count_queries):
    client = login("member_a")
    with app.app_context():
        f.make_idea(db.session.get(Site, world.site_a))
        db.session.commit()
    client.get("/ideas/")
    app.extensions["memos"]["idea_filter_panels"].clear()  # made afresh, as after the writes
    app.extensions["memos"]["idea_libraries"].clear()
    with count_queries() as few:
        client.get("/ideas/")
    with app.app_context():
        a = db.session.get(Site, world.site_a)
        for i in range(40):
            idea = f.make_idea(a, tags=[Tag(collaborative_id=world.collaborative, name=f"t{i}")])
            f.make_cycle(a, idea_id=idea.id)
        db.session.commit()
    with count_queries() as many:
        client.get("/ideas/")
    assert many.count == few.count


def test_the_library_filters_are_shared_by_readers_with_the_same_choices(
        app, login, world, count_queries):
    with app.app_context():
        f.make_idea(db.session.get(Site, world.site_a), title="Chairs",
                    tags=[Tag(collaborative_id=world.collaborative, name="mobility")])
        falls = f.make_site(f.make_collaborative("Falls"), "Gamma")
        token = f.make_user(site=falls).session_token
        db.session.commit()
    amy, bea, gamma = login("member_a"), login("member_b"), app.test_client()
    with gamma.session_transaction() as session:
        session["_user_id"] = token
    amys = amy.get("/ideas/?tag=mobility").get_data(True)
    assert '<option selected>mobility</option>' in amys
    # Bea, of the same collaborative, sees the same choices: the panel kept from Amy's visit
    # (three queries fewer: the sites, the drivers, the tags).
    with count_queries() as shared:
        beas = page_without_tokens(bea, "/ideas/?tag=mobility")  # (tokens: by the second)
    app.extensions["memos"]["idea_filter_panels"].clear()
    app.extensions["memos"]["idea_libraries"].clear()  # Bea's own library, made on her visit
    with count_queries() as made:
        assert page_without_tokens(bea, "/ideas/?tag=mobility") == beas
    assert shared.count == made.count - 3
    assert ">Chairs<" in beas  # the filter still filters
    assert "nutrition" not in amy.get("/ideas/").get_data(True)
    with app.app_context():  # a new tag is offered at once
        f.make_idea(db.session.get(Site, world.site_b),
                    tags=[Tag(collaborative_id=world.collaborative, name="nutrition")])
        db.session.commit()
    assert "<option >nutrition</option>" in amy.get("/ideas/").get_data(True)
    # A reader of another collaborative is never served this one's choices.
    assert "mobility" not in gamma.get("/ideas/").get_data(True)


def test_try_this_at_our_site_creates_a_linked_draft(app, login, world, evidence_world):
    client = login("member_b")
    response = client.post(f"/ideas/{evidence_world['other']}/try",
                           data={"site_id": world.site_b})
    assert response.status_code == 302 and response.location.endswith("/edit")
    with app.app_context():
        cycle = db.session.scalars(db.select(Cycle).order_by(Cycle.id.desc())).first()
        assert (cycle.site_id, cycle.idea_id, cycle.visibility, cycle.stage) == (
            world.site_b, evidence_world["other"], Visibility.SITE, Stage.PLAN)


def test_try_another_sites_cycle_keeps_its_lineage(app, login, world, evidence_world):
    with app.app_context():
        source = db.session.scalars(db.select(Cycle).where(
            Cycle.site_id == world.site_a, Cycle.decision == Decision.ADOPT)).one()
        source_id = source.id
    client = login("member_b")
    assert "Try this at our site" in client.get(f"/cycles/{source_id}").get_data(True)
    response = client.post(f"/ideas/from-cycle/{source_id}/try", data={"site_id": world.site_b})
    new_id = int(response.location.split("/")[-2])
    with app.app_context():
        cycle = db.session.get(Cycle, new_id)
        assert (cycle.inspired_by_id, cycle.idea_id, cycle.site_id) == (
            source_id, evidence_world["idea"], world.site_b)
    assert "Based on" in client.get(f"/cycles/{new_id}").get_data(True)


def test_try_needs_a_site_of_ones_own(login, world, evidence_world):
    assert login("partner").post(f"/ideas/{evidence_world['idea']}/try",
                                 data={"site_id": world.site_a}).status_code == 403
    # A member cannot start cycles at someone else's site.
    assert login("member_b").post(f"/ideas/{evidence_world['idea']}/try",
                                  data={"site_id": world.site_a}).status_code == 400


def test_followers_hear_of_new_tests_and_decisions(app, login, world, evidence_world):
    faculty = login("faculty")
    faculty.post(f"/ideas/{evidence_world['other']}/follow")
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count(IdeaFollow.id))) == 1
    member = login("member_a")
    response = member.post(f"/ideas/{evidence_world['other']}/try", data={"site_id": world.site_a})
    cycle_id = int(response.location.split("/")[-2])
    from tests.test_cycles import worksheet

    with app.app_context():  # a site's draft is its own business: nobody is told yet
        assert db.session.scalar(db.select(db.func.count(Notification.id))) == 0
    data = worksheet(member, cycle_id)
    data["visibility"] = "collaborative"  # shared with the collaborative: followers hear
    member.post(f"/cycles/{cycle_id}/edit", data=data)
    data = worksheet(member, cycle_id)
    data["decision"] = "adopt"
    member.post(f"/cycles/{cycle_id}/edit", data=data)
    with app.app_context():
        texts = [n.text for n in db.session.scalars(
            db.select(Notification).where(Notification.user_id == world.faculty)
            .order_by(Notification.id))]
        assert texts == ["Alpha Hospital started testing “Protected mealtimes”.",
                         "Alpha Hospital decided to adopt “Protected mealtimes”."]
        assert db.session.scalar(db.select(db.func.count(Notification.id)).where(
            Notification.user_id == world.member_a)) == 0
    faculty.post(f"/ideas/{evidence_world['other']}/follow")  # unfollow
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count(IdeaFollow.id))) == 0


def test_create_idea_with_tags_and_duplicate_guard(app, login, world, evidence_world):
    client = login("member_a")
    html = client.post("/ideas/new", data={"title": "Snack boxes in the evening",
                                           "tags": "Eat, night shift; eat"}).get_data(True)
    assert "Similar ideas already exist." in html and "Evening snack boxes" in html
    assert 'value="Snack boxes in the evening"' in html
    response = client.post("/ideas/new", data={"title": "Snack boxes in the evening",
                                               "tags": "Eat, night shift; eat",
                                               "create_anyway": "y"})
    assert response.status_code == 302
    with app.app_context():
        idea = db.session.scalars(db.select(ChangeIdea).filter_by(
            title="Snack boxes in the evening")).one()
        assert [t.name for t in idea.tags] == ["eat", "night shift"]
        assert idea.origin_site_id == world.site_a
    similar = client.get("/ideas/similar.json?title=snack%20box").get_json()
    assert {s["title"] for s in similar} == {"Snack boxes in the evening", "Evening snack boxes"}
    assert client.get("/ideas/tags.json?q=ni").get_json() == ["night shift"]


def test_idea_edit_permissions(login, world, evidence_world):
    url = f"/ideas/{evidence_world['idea']}/edit"  # from Alpha
    assert login("member_a").get(url).status_code == 200
    assert login("faculty").get(url).status_code == 200
    assert login("member_b").get(url).status_code == 403
    assert login("partner").get(url).status_code == 403
    assert login("member_a").get("/ideas/9999").status_code == 404


def test_idea_of_another_collaborative_is_forbidden(app, login, world):
    with app.app_context():
        site = f.make_site(f.make_collaborative("Falls"))
        idea_id = f.make_idea(site).id
        db.session.commit()
    assert login("member_a").get(f"/ideas/{idea_id}").status_code == 403


def test_patient_data_is_refused_in_an_idea(app, login, world):
    html = login("member_a").post("/ideas/new", data={
        "title": "Snacks", "description": "As for 943 476 5919", "create_anyway": "y"}
    ).get_data(True)
    assert "contains what looks like an NHS number" in html
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count(ChangeIdea.id))) == 0


def test_comment_counts_leave_out_other_sites_drafts(app, login, world, evidence_world):
    from tracker.models import Comment

    with app.app_context():
        draft = db.session.scalars(db.select(Cycle).filter_by(title="Gamma draft")).one()
        for _ in range(3):
            db.session.add(Comment(cycle_id=draft.id, author_id=world.admin, body="hidden"))
        db.session.commit()
    html = login("member_b").get("/ideas/").get_data(True)
    card = html[html.index("Evening snack boxes"):]
    assert "· 0 comments" in card[:400]


def stamp_of(html: str) -> str:
    """The idea form's hidden "last saved" stamp."""
    import re

    return re.search(r'name="stamp"[^>]*value="([^"]+)"', html).group(1)


def test_two_people_editing_an_idea_see_the_conflict_instead_of_overwriting(app, login, world,
                                                                           evidence_world):
    url = f"/ideas/{evidence_world['idea']}/edit"
    amy, fay = login("member_a"), login("faculty")
    amy_stamp = stamp_of(amy.get(url).get_data(True))
    fay_html = fay.get(url).get_data(True)
    fay_stamp = stamp_of(fay_html)
    assert fay.post(url, data={"title": "Evening snack boxes (faculty)", "tags": "eat",
                               "stamp": fay_stamp}).status_code == 302
    response = amy.post(url, data={"title": "Snack boxes after 18:00", "tags": "",
                                   "stamp": amy_stamp})
    html = response.get_data(True)
    assert response.status_code == 409
    assert "Someone saved this idea while you were editing" in html
    assert "Evening snack boxes (faculty)" in html and 'value="Snack boxes after 18:00"' in html
    with app.app_context():
        assert db.session.get(ChangeIdea, evidence_world["idea"]).title == (
            "Evening snack boxes (faculty)")
    new_stamp = stamp_of(html)
    amy.post(url, data={"title": "Snack boxes after 18:00", "tags": "", "stamp": new_stamp})
    with app.app_context():
        assert db.session.get(ChangeIdea, evidence_world["idea"]).title == (
            "Snack boxes after 18:00")


def test_evidence_table_says_the_largest_scale_as_people_say_it(app, login, world):
    with app.app_context():
        site = db.session.get(Site, world.site_a)
        idea = f.make_idea(site, title="Chair by the bed")
        f.make_cycle(site, idea_id=idea.id, scale_amount=3, scale_unit="ward")
        db.session.commit()
        idea_id = idea.id
    html = login("member_a").get(f"/ideas/{idea_id}").get_data(True)
    assert "<td>3 wards</td>" in html and "3 ward<" not in html


def test_card_says_its_comment_count_covers_the_ideas_cycles(app, login, world):
    with app.app_context():
        site = db.session.get(Site, world.site_a)
        idea = f.make_idea(site, title="Chair by the bed")
        cycle = f.make_cycle(site, idea_id=idea.id)
        f.make_comment(cycle, world.member_a, "Worked on bay 2")
        db.session.commit()
    html = login("member_a").get("/ideas/").get_data(True)
    assert "1 comment on the idea and its cycles" in html


def test_evidence_lists_sites_a_page_at_a_time_and_counts_them_all(app, login, world,
                                                                   evidence_world):
    from tracker.ideas.routes import SITES_PER_PAGE

    with app.app_context():
        from tracker.models import Collaborative

        collab = db.session.get(Collaborative, world.collaborative)
        for n in range(SITES_PER_PAGE + 2):
            f.make_cycle(f.make_site(collab, f"Site {n:02}"), idea_id=evidence_world["idea"],
                         decision=Decision.ADOPT, do_started_on=date(2026, 2, 1) + timedelta(n))
        db.session.commit()
    client = login("member_a")
    url = f"/ideas/{evidence_world['idea']}"
    first = client.get(url).get_data(True)
    tested = SITES_PER_PAGE + 5  # Alpha, Beta, Gamma and the new ones
    assert f"Tested at {tested} sites, adopted at {SITES_PER_PAGE + 3}" in first
    assert f"Sites 1 to {SITES_PER_PAGE} of {tested}" in first
    second = client.get(url + "?page=2").get_data(True)
    assert f"Tested at {tested} sites" in second
    assert f"Sites {SITES_PER_PAGE + 1} to {tested} of {tested}" in second
    # In the order they first tested it: the three January sites first, the last new one last.
    table = first[first.index("<tbody>"):first.index("</tbody>")]
    assert table.index("Alpha Hospital") < table.index("Site 00")
    assert "Site 26" not in first and "Site 26" in second
    names = [f"Site {n:02}" for n in range(SITES_PER_PAGE + 2)] + ["Alpha", "Beta", "Gamma"]
    assert all(name in first or name in second for name in names)
    assert client.get(url + "?page=999").status_code == 200  # past the end: an empty page


def test_the_library_is_made_once_for_a_team_and_shows_each_site_its_own_standing(
        app, login, world, count_queries):
    """Kept until anything is written for everyone who may see the same (collaboratives and
    sites): Leo is served Amy's library; Bea, of another site, gets her own, without "At your
    site" for an idea only Alpha tests; a new idea shows at once."""
    with app.app_context():
        a = db.session.get(Site, world.site_a)
        idea = f.make_idea(a, title="Chairs by the bed")
        f.make_cycle(a, idea_id=idea.id)  # tested at Alpha
        db.session.commit()
    with count_queries() as made:
        amys = login("member_a").get("/ideas/").get_data(True)
    with count_queries() as shared:
        leos = login("lead_a").get("/ideas/").get_data(True)
    assert main_of(leos) == main_of(amys) and "At your site: Testing" in amys
    assert shared.count <= made.count - 3  # the panel, the page of ideas, its count, standings
    assert "At your site" not in login("member_b").get("/ideas/").get_data(True)
    with app.app_context():
        f.make_idea(db.session.get(Site, world.site_b), title="Snack trolley")
        db.session.commit()
    assert "Snack trolley" in login("lead_a").get("/ideas/").get_data(True)


def test_an_idea_page_is_kept_for_its_reader_until_anything_is_written(
        app, login, world, evidence_world, count_queries):
    """Whether the reader follows the idea is their own: Leo is never served Amy's page, and
    following it shows at once (a write)."""
    url = f"/ideas/{evidence_world['idea']}"
    amy = login("member_a")
    with count_queries() as made:
        first = page_without_tokens(amy, url)
    with count_queries() as kept:
        assert page_without_tokens(amy, url) == first
    assert kept.count <= made.count - 4  # the idea's follows, comments, files, evidence
    assert amy.post(f"{url}/follow").status_code == 302
    assert 'aria-pressed="true">Following (1)' in amy.get(url).get_data(True)
    assert 'aria-pressed="false">Follow (1)' in login("lead_a").get(url).get_data(True)
