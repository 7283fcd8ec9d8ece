"""Comments on cycles and ideas: threads, mentions, edit window, soft delete, permissions."""

from datetime import timedelta

import pytest

from tests import factories as f
from tracker.extensions import db
from tracker.models import (
    ChangeIdea,
    Comment,
    Cycle,
    IdeaFollow,
    Notification,
    NotificationKind,
    Site,
    User,
    Visibility,
    utcnow,
)

NHS_NUMBER = "943 476 5919"  # a valid modulus-11 check digit


@pytest.fixture
def cycle_id(app, world):
    with app.app_context():
        cycle = f.make_cycle(db.session.get(Site, world.site_a), title="Chair by the bed")
        db.session.commit()
        return cycle.id


def notifications(app, kind=None):
    """{user_id: [kind, ...]} of every notification so far."""
    with app.app_context():
        query = db.select(Notification).order_by(Notification.id)
        if kind:
            query = query.where(Notification.kind == kind)
        out: dict[int, list[str]] = {}
        for n in db.session.scalars(query):
            out.setdefault(n.user_id, []).append(n.kind.value)
        return out


def comments(app):
    with app.app_context():
        return db.session.scalars(db.select(Comment).order_by(Comment.id)).all()


def test_member_comments_and_the_comment_shows_rendered_and_safe(app, login, world, cycle_id):
    client = login("member_b")
    response = client.post(f"/cycles/{cycle_id}/comments",
                           data={"body": "**Great** idea <script>alert(1)</script>"})
    assert response.status_code == 302
    assert response.location.startswith(f"/cycles/{cycle_id}#comment-")
    html = client.get(f"/cycles/{cycle_id}").get_data(True)
    assert "<strong>Great</strong> idea &lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "<script>alert(1)" not in html


def test_partner_can_comment_but_not_give_feedback(app, login, world, cycle_id):
    client = login("partner")
    assert client.post(f"/cycles/{cycle_id}/comments",
                       data={"body": "As a patient, this matters."}).status_code == 302
    assert len(comments(app)) == 1
    assert client.get(f"/cycles/{cycle_id}/feedback").status_code == 403
    assert "Give feedback" not in client.get(f"/cycles/{cycle_id}").get_data(True)


def test_comment_on_another_collaboratives_cycle_is_forbidden(app, login, world):
    with app.app_context():
        other = f.make_site(f.make_collaborative("Falls"), "Gamma")
        cycle = f.make_cycle(other)
        db.session.commit()
        cid = cycle.id
    assert login("member_a").post(f"/cycles/{cid}/comments",
                                  data={"body": "hi"}).status_code == 403
    assert login("member_a").post("/cycles/9999/comments", data={"body": "hi"}).status_code == 404
    assert comments(app) == []


def test_site_draft_is_commented_only_by_its_team(app, login, world):
    with app.app_context():
        cycle = f.make_cycle(db.session.get(Site, world.site_a), visibility=Visibility.SITE)
        db.session.commit()
        cid = cycle.id
    assert login("member_b").post(f"/cycles/{cid}/comments", data={"body": "x"}).status_code == 403
    assert login("lead_a").post(f"/cycles/{cid}/comments", data={"body": "x"}).status_code == 302


def test_empty_comment_and_nhs_number_are_refused_keeping_the_text(app, login, world, cycle_id):
    client = login("member_b")
    response = client.post(f"/cycles/{cycle_id}/comments", data={"body": ""})
    assert response.status_code == 422
    assert "Write something before posting." in response.get_data(True)
    text = f"Patient {NHS_NUMBER} mobilised early"
    response = client.post(f"/cycles/{cycle_id}/comments", data={"body": text})
    html = response.get_data(True)
    assert response.status_code == 422
    assert "looks like an NHS number" in html
    assert 'id="body-error"' in html and 'aria-describedby="body-error body-hint"' in html
    assert text in html  # what was typed is kept
    assert comments(app) == []


def test_reply_threads_under_its_parent_and_tells_the_parent_author(app, login, world, cycle_id):
    login("faculty").post(f"/cycles/{cycle_id}/comments", data={"body": "Why one bay?"})
    parent = comments(app)[0]
    response = login("lead_b").post(f"/cycles/{cycle_id}/comments",
                                    data={"body": "Start small!", "parent_id": parent.id})
    assert response.status_code == 302
    reply = comments(app)[1]
    assert reply.parent_id == parent.id
    replies = notifications(app, NotificationKind.REPLY)
    assert replies == {world.faculty: ["reply"]}
    html = login("member_a").get(f"/cycles/{cycle_id}").get_data(True)
    assert html.index("Why one bay?") < html.index("Start small!")
    assert f'id="comment-{reply.id}"' in html and "comment-reply" in html


def test_reply_to_a_comment_on_another_cycle_is_not_found(app, login, world, cycle_id):
    with app.app_context():
        other = f.make_cycle(db.session.get(Site, world.site_b))
        parent = f.make_comment(other, world.member_b)
        db.session.commit()
        pid = parent.id
    response = login("member_a").post(f"/cycles/{cycle_id}/comments",
                                      data={"body": "x", "parent_id": pid})
    assert response.status_code == 404


def test_comment_tells_the_site_team_but_not_the_author_or_anyone_else(app, login, world,
                                                                       cycle_id):
    login("member_a").post(f"/cycles/{cycle_id}/comments", data={"body": "Day 1 went well"})
    assert notifications(app) == {world.lead_a: ["comment"]}


def test_mentions_reach_the_right_people_and_nobody_else(app, login, world, cycle_id):
    body = "Thanks @[Bea Physio] and @[Fay Faculty]; also @[Nobody Here] and @[Pat Partner]"
    login("member_b").post(f"/cycles/{cycle_id}/comments", data={"body": body})
    got = notifications(app)
    assert got == {
        world.faculty: ["mention"],
        world.partner: ["mention"],
        world.member_a: ["comment"],  # the site team hears of the comment once
        world.lead_a: ["comment"],
    }  # the author (member_b) mentioned herself: not told


def test_mention_of_someone_who_cannot_see_a_draft_is_not_sent(app, login, world):
    with app.app_context():
        cycle = f.make_cycle(db.session.get(Site, world.site_a), visibility=Visibility.SITE)
        db.session.commit()
        cid = cycle.id
    login("member_a").post(f"/cycles/{cid}/comments",
                           data={"body": "@[Fay Faculty] @[Leo Lead] look"})
    assert notifications(app) == {world.lead_a: ["mention"]}


def test_a_mentioned_team_member_gets_one_notification_not_two(app, login, world, cycle_id):
    login("member_b").post(f"/cycles/{cycle_id}/comments", data={"body": "@[Leo Lead] nice"})
    assert notifications(app) == {world.lead_a: ["mention"], world.member_a: ["comment"]}


def test_namesakes_are_told_apart_by_number_and_a_bare_shared_name_is_refused(app, login, world,
                                                                              cycle_id):
    with app.app_context():
        twin = f.make_user(site=db.session.get(Site, world.site_b), name="Amy Nurse")
        db.session.commit()
        twin_id = twin.id
    client = login("lead_b")
    response = client.post(f"/cycles/{cycle_id}/comments", data={"body": "Hi @[Amy Nurse]"})
    assert response.status_code == 422
    assert "More than one person here is called Amy Nurse" in response.get_data(True)
    assert comments(app) == []
    client.post(f"/cycles/{cycle_id}/comments", data={"body": f"Hi @[Amy Nurse #{twin_id}]"})
    assert notifications(app, NotificationKind.MENTION) == {twin_id: ["mention"]}
    suggestions = client.get(f"/comments/mentions?cycle={cycle_id}&q=amy").get_json()
    assert sorted(s["handle"] for s in suggestions) == sorted(
        [f"Amy Nurse #{world.member_a}", f"Amy Nurse #{twin_id}"])


def test_mention_suggestions_list_only_people_who_can_see(app, login, world, cycle_id):
    with app.app_context():
        f.make_user(site=f.make_site(f.make_collaborative("Falls"), "Gamma"), name="Fay Outsider")
        db.session.commit()
    people = login("member_a").get(f"/comments/mentions?cycle={cycle_id}&q=fay").get_json()
    assert people == [{"name": "Fay Faculty", "handle": "Fay Faculty", "detail": "Nurse"}]
    assert login("member_a").get("/comments/mentions?cycle=9999&q=a").status_code == 404
    assert login("member_a").get("/comments/mentions?q=a").status_code == 404


def test_author_edits_within_15_minutes_marked_edited_and_new_mentions_told(app, login, world,
                                                                            cycle_id):
    client = login("member_b")
    client.post(f"/cycles/{cycle_id}/comments", data={"body": "First @[Fay Faculty]"})
    comment = comments(app)[0]
    assert client.get(f"/comments/{comment.id}/edit").status_code == 200
    response = client.post(f"/comments/{comment.id}/edit",
                           data={"body": "First @[Fay Faculty] and @[Pat Partner]"})
    assert response.status_code == 302
    assert notifications(app, NotificationKind.MENTION) == {
        world.faculty: ["mention"], world.partner: ["mention"]}  # Fay is not told twice
    edited = comments(app)[0]
    assert edited.edited_at is not None and "Pat Partner" in edited.body
    assert "· edited" in client.get(f"/cycles/{cycle_id}").get_data(True)


def test_no_edit_after_15_minutes_or_by_someone_else(app, login, world, cycle_id):
    with app.app_context():
        cycle = db.session.get(Cycle, cycle_id)
        old = f.make_comment(cycle, world.member_b, "old",
                             created_at=utcnow() - timedelta(minutes=16))
        new = f.make_comment(cycle, world.member_b, "new")
        db.session.commit()
        old_id, new_id = old.id, new.id
    assert login("member_b").post(f"/comments/{old_id}/edit",
                                  data={"body": "changed"}).status_code == 403
    assert login("member_a").post(f"/comments/{new_id}/edit",
                                  data={"body": "changed"}).status_code == 403
    assert [c.body for c in comments(app)] == ["old", "new"]


def test_soft_delete_keeps_the_row_and_a_placeholder_while_replies_remain(app, login, world,
                                                                          cycle_id):
    with app.app_context():
        cycle = db.session.get(Cycle, cycle_id)
        parent = f.make_comment(cycle, world.member_b, "Parent text")
        f.make_comment(cycle, world.member_a, "Reply text", parent_id=parent.id)
        lone = f.make_comment(cycle, world.member_b, "Lone text")
        db.session.commit()
        pid, lone_id = parent.id, lone.id
    client = login("member_b")
    assert client.get(f"/comments/{pid}/delete").status_code == 405
    assert login("member_a").post(f"/comments/{pid}/delete").status_code == 403
    assert client.post(f"/comments/{pid}/delete").status_code == 302
    assert client.post(f"/comments/{lone_id}/delete").status_code == 302
    assert all(c.deleted_at for c in comments(app) if c.id in (pid, lone_id))
    html = client.get(f"/cycles/{cycle_id}").get_data(True)
    assert "Parent text" not in html and "Lone text" not in html
    assert "This comment was deleted." in html and "Reply text" in html
    assert client.post(f"/comments/{pid}/delete").status_code == 404


def test_faculty_moderate_comments(app, login, world, cycle_id):
    with app.app_context():
        comment = f.make_comment(db.session.get(Cycle, cycle_id), world.member_b, "rude")
        db.session.commit()
        cid = comment.id
    assert login("faculty").post(f"/comments/{cid}/delete").status_code == 302


def test_idea_comments_tell_followers_who_can_see(app, login, world):
    with app.app_context():
        idea = f.make_idea(db.session.get(Site, world.site_a), title="Snack boxes")
        db.session.add_all([IdeaFollow(user_id=world.faculty, idea_id=idea.id),
                            IdeaFollow(user_id=world.member_b, idea_id=idea.id)])
        db.session.commit()
        idea_id = idea.id
    response = login("member_b").post(f"/ideas/{idea_id}/comments", data={"body": "Tried it"})
    assert response.status_code == 302
    assert notifications(app) == {world.faculty: ["idea_activity"]}
    with app.app_context():
        assert db.session.scalars(db.select(Comment.idea_id)).one() == idea_id
        assert db.session.get(ChangeIdea, idea_id) is not None


def test_cycle_page_costs_the_same_queries_with_2_or_40_comments(app, login, world, cycle_id,
                                                                 count_queries):
    client = login("member_a")

    def add(n):
        with app.app_context():
            cycle = db.session.get(Cycle, cycle_id)
            authors = [db.session.get(User, u) for u in (world.member_b, world.faculty)]
            for i in range(n):
                parent = f.make_comment(cycle, authors[i % 2], f"Comment {i} @[Amy Nurse]")
                f.make_comment(cycle, world.member_a, "reply", parent_id=parent.id)
                f.make_feedback(cycle, world.faculty, f"Feedback {i}")
            db.session.commit()

    add(1)
    with count_queries() as small:
        assert client.get(f"/cycles/{cycle_id}").status_code == 200
    add(20)
    with count_queries() as large:
        html = client.get(f"/cycles/{cycle_id}").get_data(True)
    assert html.count('class="comment"') + html.count('class="comment comment-reply"') == 42
    assert large.count == small.count


def test_idea_page_shows_its_comment_thread_and_form(app, login, world):
    with app.app_context():
        idea = f.make_idea(db.session.get(Site, world.site_a), title="Snack boxes")
        f.make_comment(idea, world.faculty, "Which wards *first*?")
        db.session.commit()
        idea_id = idea.id
    html = login("partner").get(f"/ideas/{idea_id}").get_data(True)
    assert "Which wards <em>first</em>?" in html
    assert f'action="/ideas/{idea_id}/comments"' in html


def test_comment_post_without_csrf_token_is_refused_when_csrf_is_on(app, _schema, world,
                                                                    cycle_id):
    from tests.conftest import make_config
    from tracker import create_app

    csrf_app = create_app(make_config(_schema, WTF_CSRF_ENABLED=True))
    try:
        client = csrf_app.test_client()
        with client.session_transaction() as session:
            session["_user_id"] = world.tokens["member_b"]
        response = client.post(f"/cycles/{cycle_id}/comments", data={"body": "no token"})
        assert response.status_code == 400
        for path in (f"/cycles/{cycle_id}/feedback-requests", "/notifications/read-all"):
            assert client.post(path).status_code == 400
        assert comments(app) == []
    finally:
        with csrf_app.app_context():
            db.session.remove()
            db.engine.dispose()


def test_comments_and_feedback_keep_the_site_of_their_cycle(app, world, cycle_id):
    """What the action-period report and the balance flags count per site: each comment and
    piece of feedback on a cycle stores the cycle's site, whether the service says it or the
    column's default looks it up; a comment on an idea has none."""
    from tracker.feedback import services
    from tracker.models import Feedback

    with app.app_context():
        cycle = db.session.get(Cycle, cycle_id)
        other = f.make_cycle(db.session.get(Site, world.site_b), title="Other site")
        idea = f.make_idea(db.session.get(Site, world.site_a))
        faculty, member = db.session.get(User, world.faculty), db.session.get(User, world.member_a)
        made = [
            services.post_comment(cycle, "Posted", by=member),
            services.post_comment(idea, "On an idea", by=member),
            f.make_comment(other, member),  # no site given: the default looks it up
            services.give_feedback(cycle, "Given", by=faculty),
            f.make_feedback(other, faculty),
        ]
        db.session.commit()
        stored = [db.session.scalar(db.select(type(x).site_id).where(type(x).id == x.id))
                  for x in made]
        assert stored == [world.site_a, None, world.site_b, world.site_a, world.site_b]
        assert isinstance(made[-1], Feedback)
