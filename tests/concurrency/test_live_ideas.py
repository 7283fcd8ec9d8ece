"""Two people editing the same idea at the same moment, against a live server: the later save
sees the conflict (409), never a server error, never a silent overwrite."""

import threading
from dataclasses import dataclass

from tests import factories as f
from tracker.extensions import db
from tracker.models import ChangeIdea, Site, Tag

from .browser import Browser, form_fields
from .together import run_together

ROUNDS = 30
PEOPLE = ("nurse", "hca")


@dataclass
class Edit:
    seen: str  # the title on the page the edit started from
    typed: str  # the (unique) title typed
    status: int
    kept_on_page: bool


def _edit_rounds(browser: Browser, idea_id: int, who: str, tags: str = "",
                 in_step: threading.Barrier | None = None) -> list[Edit]:
    url = f"/ideas/{idea_id}/edit"
    edits = []
    for i in range(ROUNDS):
        page = browser.get(url)
        assert page.status == 200, page.status
        fields = form_fields(page.html, having="stamp")
        seen, fields["title"] = fields["title"], f"{who} edit {i}"
        if tags:
            fields["tags"] = tags.format(i=i)
        if in_step:
            in_step.wait(timeout=60)  # both post at the same moment
        response = browser.post(url, fields)
        edits.append(Edit(seen, fields["title"], response.status,
                          f'value="{fields["title"]}"' in response.html))
    return edits


def _new_ideas(app, team, count: int) -> list[int]:
    with app.app_context():
        site = db.session.get(Site, team["site"])
        ideas = [f.make_idea(site, title=f"Snack boxes {n}") for n in range(count)]
        db.session.commit()
        return [idea.id for idea in ideas]


def test_two_people_editing_one_idea_at_once_lose_nothing(live, team, sign_in):
    _, app = live
    [idea_id] = _new_ideas(app, team, 1)
    browsers = {who: sign_in(who) for who in PEOPLE}
    results = run_together({who: (lambda who=who: _edit_rounds(browsers[who], idea_id, who))
                            for who in PEOPLE})
    edits = [e for who in PEOPLE for e in results[who]]
    landed = [e for e in edits if e.status == 302]
    refused = [e for e in edits if e.status == 409]
    print(f"\nidea: {len(landed)} saves landed, {len(refused)} conflicts (409), "
          f"{sum(e.status >= 500 for e in edits)} 5xx")
    assert len(landed) + len(refused) == len(edits), sorted({e.status for e in edits})
    assert all(e.kept_on_page for e in refused)  # the conflict page holds what was typed

    # Every landed save replaced exactly the title its page showed, one after the other: two
    # saves from the same page would be one overwriting the other unseen.
    after = {}
    for edit in landed:
        assert edit.seen not in after, f"two saves from the page showing {edit.seen!r}"
        after[edit.seen] = edit.typed
    title, steps = "Snack boxes 0", 0
    while title in after:
        title, steps = after[title], steps + 1
    with app.app_context():
        assert db.session.get(ChangeIdea, idea_id).title == title
    assert steps == len(landed)


def test_two_people_adding_the_same_new_tag_at_once_share_one_tag(live, team, sign_in):
    _, app = live
    ideas = dict(zip(PEOPLE, _new_ideas(app, team, 2), strict=True))
    browsers = {who: sign_in(who) for who in PEOPLE}
    in_step = threading.Barrier(len(PEOPLE))
    results = run_together({
        who: (lambda who=who: _edit_rounds(browsers[who], ideas[who], who,
                                           tags="round {i}, live", in_step=in_step))
        for who in PEOPLE})
    statuses = sorted({e.status for who in PEOPLE for e in results[who]})
    assert statuses == [302]  # different ideas: every save lands, none is a server error
    with app.app_context():
        names = db.session.scalars(db.select(Tag.name).where(
            Tag.collaborative_id == team["collaborative"])).all()
        assert sorted(names) == sorted(["live", *(f"round {i}" for i in range(ROUNDS))])
        for idea_id in ideas.values():
            tags = [t.name for t in db.session.get(ChangeIdea, idea_id).tags]
            assert tags == ["live", f"round {ROUNDS - 1}"]
