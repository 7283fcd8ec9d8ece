"""Running a collaborative's people: invitations with their state (resend, revoke), deactivating
and reactivating accounts, collaborative roles, who has never signed in; each rule with its
403, and the lists in a fixed number of queries."""

import re
from datetime import timedelta

from tests import factories as f
from tests.test_auth import audit_actions, link_in, sign_in
from tracker.extensions import db
from tracker.models import (
    AuditEvent,
    Collaborative,
    CollaborativeRole,
    Cycle,
    Invitation,
    Membership,
    Site,
    SiteRole,
    User,
    utcnow,
)


def invite(login, who: str, email: str, role_key: str, outbox) -> str:
    """Invite through the single-invitation form; the emailed link's path."""
    assert login(who).post("/auth/invite", data={"email": email, "role": role_key}) \
        .status_code == 302
    return link_in(outbox[-1])


def invitation_id(app, email: str) -> int:
    with app.app_context():
        return db.session.scalars(db.select(Invitation.id).filter_by(email=email)).one()


def test_invitations_list_shows_each_state(app, client, login, world, outbox):
    site = f"site:{world.site_a}:member"
    accepted = invite(login, "lead_a", "acc@example.org", site, outbox)
    invite(login, "lead_a", "rev@example.org", site, outbox)
    invite(login, "lead_a", "old@example.org", site, outbox)
    invite(login, "lead_a", "new@example.org", site, outbox)
    client.post(accepted, data={"name": "Acc", "profession": "nurse",
                                "password": "a long new password",
                                "password2": "a long new password"})
    lead = login("lead_a")
    lead.post(f"/admin/invitations/{invitation_id(app, 'rev@example.org')}/revoke")
    with app.app_context():
        old = db.session.get(Invitation, invitation_id(app, "old@example.org"))
        old.sent_at = utcnow() - app.config["INVITE_MAX_AGE"] - timedelta(hours=1)
        db.session.commit()
    html = lead.get(f"/admin/sites/{world.site_a}/invitations").get_data(True)
    for email, state in [("acc", "Accepted"), ("rev", "Revoked"), ("old", "Expired"),
                         ("new", "Pending")]:
        row = html.split(f'"small">{email}@example.org')[1].split("</tr>")[0]
        assert f">{state}</span>" in row, email
    only = lead.get(f"/admin/sites/{world.site_a}/invitations?state=expired").get_data(True)
    assert "old@example.org" in only and "new@example.org" not in only
    every = login("faculty").get(f"/admin/collaboratives/{world.collaborative}/invitations")
    assert every.get_data(True).count('<span class="small">') == 4


def test_resend_gives_a_new_link_and_kills_the_old(app, client, login, world, outbox):
    old_link = invite(login, "lead_a", "lost@example.org", f"site:{world.site_a}:member", outbox)
    number = invitation_id(app, "lost@example.org")
    assert login("lead_b").post(f"/admin/invitations/{number}/resend").status_code == 403
    response = login("lead_a").post(f"/admin/invitations/{number}/resend",
                                    data={"next": f"/admin/sites/{world.site_a}/invitations"})
    assert response.location == f"/admin/sites/{world.site_a}/invitations"
    new_link = link_in(outbox[-1])
    assert new_link != old_link and len(outbox) == 2
    assert client.get(old_link).location == "/auth/login"  # dead
    assert client.get(new_link).status_code == 200
    assert "auth.invite_resent" in audit_actions(app)


def test_an_expired_invitation_can_be_resent(app, client, login, world, outbox):
    invite(login, "lead_a", "late@example.org", f"site:{world.site_a}:member", outbox)
    number = invitation_id(app, "late@example.org")
    with app.app_context():
        db.session.get(Invitation, number).sent_at = utcnow() - timedelta(days=30)
        db.session.commit()
    login("lead_a").post(f"/admin/invitations/{number}/resend")
    assert client.get(link_in(outbox[-1])).status_code == 200


def test_revoke_kills_the_link_and_an_accepted_invitation_cannot_be_resent(
        app, client, login, world, outbox):
    link = invite(login, "faculty", "oops@example.org", f"site:{world.site_b}:member", outbox)
    number = invitation_id(app, "oops@example.org")
    assert login("lead_a").post(f"/admin/invitations/{number}/revoke").status_code == 403
    login("faculty").post(f"/admin/invitations/{number}/revoke")
    assert client.get(link).location == "/auth/login"
    assert "auth.invite_revoked" in audit_actions(app)
    login("faculty").post(f"/admin/invitations/{number}/resend")
    assert len(outbox) == 1  # a revoked invitation is not sent again


def test_an_invitation_accepted_before_the_revoke_says_so_and_keeps_the_role(
        app, client, login, world, outbox):
    """The revoke's page was opened while the invitation was pending; by the click it was
    accepted: nothing is revoked, the faculty member is told, and resending is refused too."""
    link = invite(login, "faculty", "quick@example.org", f"site:{world.site_b}:member", outbox)
    number = invitation_id(app, "quick@example.org")
    client.post(link, data={"name": "Quinn Quick", "profession": "nurse",
                            "password": "a long new password",
                            "password2": "a long new password"})
    fay = login("faculty")
    told = fay.post(f"/admin/invitations/{number}/revoke", follow_redirects=True)
    assert "quick@example.org had accepted it (or it was revoked) a moment before" in told.text
    resent = fay.post(f"/admin/invitations/{number}/resend", follow_redirects=True)
    assert "That invitation was accepted or revoked" in resent.text and len(outbox) == 1
    with app.app_context():
        assert db.session.get(Invitation, number).revoked_at is None
    assert "auth.invite_revoked" not in audit_actions(app)


def test_invitation_lists_are_for_those_who_manage_the_place(login, world):
    assert login("lead_b").get(f"/admin/sites/{world.site_a}/invitations").status_code == 403
    assert login("member_a").get(f"/admin/sites/{world.site_a}/invitations").status_code == 403
    assert login("lead_a").get(
        f"/admin/collaboratives/{world.collaborative}/invitations").status_code == 403


def test_deactivating_ends_sessions_and_sign_in_but_keeps_the_work(app, client, login, world):
    with app.app_context():
        f.make_cycle(db.session.get(Site, world.site_a), title="Amy's test",
                     author_id=world.member_a)
        db.session.commit()
    amy = login("member_a")
    assert amy.get("/dashboard").status_code == 200
    response = login("lead_a").post(f"/admin/people/{world.member_a}/deactivate",
                                    data={"next": f"/sites/{world.site_a}"})
    assert response.location == f"/sites/{world.site_a}"
    assert amy.get("/dashboard").status_code == 302  # the session is gone
    assert sign_in(client, "member.a@example.org").status_code == 200  # refused
    with app.app_context():
        cycle = db.session.scalars(db.select(Cycle).filter_by(title="Amy's test")).one()
        assert cycle.author.name == "Amy Nurse"  # the work stays, attributed
    team = login("lead_a").get(f"/sites/{world.site_a}").get_data(True)
    assert "Deactivated accounts" in team and "Reactivate" in team

    login("lead_a").post(f"/admin/people/{world.member_a}/reactivate")
    assert sign_in(client, "member.a@example.org").location == "/dashboard"
    actions = audit_actions(app)
    assert "auth.user_deactivated" in actions and "auth.user_reactivated" in actions


def test_who_may_deactivate_whom(app, login, world):
    with app.app_context():
        # Also on site B's team: site A's lead does not manage all of her places.
        both = f.make_user(site=db.session.get(Site, world.site_a), email="both@example.org")
        db.session.add(Membership(user=both, site_id=world.site_b, role=SiteRole.MEMBER))
        db.session.commit()
        both_id = both.id
    forbidden = [
        ("lead_a", both_id), ("lead_a", world.member_b), ("lead_a", world.faculty),
        ("lead_a", world.lead_a), ("member_a", world.lead_a), ("faculty", world.admin),
        ("admin", world.admin), ("partner", world.member_a),
    ]
    for who, target in forbidden:
        response = login(who).post(f"/admin/people/{target}/deactivate")
        assert response.status_code == 403, (who, target)
    assert login("faculty").post(f"/admin/people/{both_id}/deactivate").status_code == 302
    assert login("admin").post(f"/admin/people/{world.faculty}/deactivate").status_code == 302
    with app.app_context():
        assert {u.email for u in db.session.scalars(db.select(User).filter_by(active=False))} \
            == {"both@example.org", "faculty@example.org"}


def test_collaborative_roles_are_changed_and_removed_by_faculty_and_admins(app, login, world):
    with app.app_context():
        role_of = {r.user_id: r.id for r in db.session.scalars(db.select(CollaborativeRole))}
    partner_role, faculty_role = role_of[world.partner], role_of[world.faculty]
    assert login("lead_a").post(f"/admin/collaborative-roles/{partner_role}/role",
                                data={"role": "faculty"}).status_code == 403
    # Not one's own role.
    assert login("faculty").post(f"/admin/collaborative-roles/{faculty_role}/remove") \
        .status_code == 403
    login("faculty").post(f"/admin/collaborative-roles/{partner_role}/role",
                          data={"role": "faculty"})
    with app.app_context():
        assert db.session.get(CollaborativeRole, partner_role).role.value == "faculty"
        event = db.session.scalars(db.select(AuditEvent).filter_by(
            action="auth.role_changed")).one()
        assert (event.before, event.after) == ({"role": "partner"}, {"role": "faculty"})
    login("admin").post(f"/admin/collaborative-roles/{partner_role}/remove")
    with app.app_context():
        assert db.session.get(CollaborativeRole, partner_role) is None
    assert "auth.role_removed" in audit_actions(app)


def test_people_page_lists_roles_and_who_never_signed_in(app, client, login, world):
    sign_in(client, "member.a@example.org")
    html = login("faculty").get(
        f"/admin/collaboratives/{world.collaborative}/people").get_data(True)
    assert "Member, <a" in html and "Alpha Hospital" in html and "Pat Partner" in html
    never = login("faculty").get(
        f"/admin/collaboratives/{world.collaborative}/people?never=1").get_data(True)
    assert "Bea Physio" in never and "Amy Nurse" not in never
    assert login("lead_a").get(
        f"/admin/collaboratives/{world.collaborative}/people").status_code == 403
    team = login("lead_a").get(f"/sites/{world.site_a}").get_data(True)
    amy, leo = (re.search(rf"<li>\s*{name}(.*?)</li>", team, re.S).group(1)
                for name in ("Amy Nurse", "Leo Lead"))
    assert "Never signed in" not in amy and "Never signed in" in leo
    assert "Never signed in" not in login("member_a").get(f"/sites/{world.site_a}") \
        .get_data(True)  # only those who manage the team see it


def test_accepting_an_invitation_counts_as_signing_in(app, client, login, world, outbox):
    link = invite(login, "lead_a", "fresh@example.org", f"site:{world.site_a}:member", outbox)
    client.post(link, data={"name": "Fresh", "profession": "nurse",
                            "password": "a long new password",
                            "password2": "a long new password"})
    with app.app_context():
        user = db.session.scalars(db.select(User).filter_by(email="fresh@example.org")).one()
        assert user.last_login_at is not None


def add_people(app, world, n: int, tag: str) -> None:
    with app.app_context():
        site = db.session.get(Site, world.site_a)
        collab = db.session.get(Collaborative, world.collaborative)
        for i in range(n):
            f.make_user(site=site, role="site_lead" if i % 3 == 0 else "member",
                        email=f"more{tag}{i}@example.org", flush=False)
            f.make_user(role="partner", collaborative=collab, email=f"partner{tag}{i}@example.org",
                        flush=False)
            db.session.add(Invitation(email=f"inv{tag}{i}@example.org", site_id=world.site_a,
                                      site_role=SiteRole.MEMBER, invited_by_id=world.lead_a))
            db.session.add(Invitation(email=f"cinv{tag}{i}@example.org",
                                      collaborative_id=world.collaborative,
                                      collaborative_role="faculty",
                                      invited_by_id=world.faculty))
        db.session.commit()


def test_people_lists_cost_the_same_queries_with_few_or_many_rows(app, login, world,
                                                                 count_queries):
    pages = [("faculty", f"/admin/collaboratives/{world.collaborative}/people"),
             ("faculty", f"/admin/collaboratives/{world.collaborative}/invitations"),
             ("lead_a", f"/admin/sites/{world.site_a}/invitations"),
             ("lead_a", f"/sites/{world.site_a}")]
    add_people(app, world, 1, "a")
    clients = {who: login(who) for who, _ in pages}
    few = []
    for who, path in pages:
        clients[who].get(path)
        with count_queries() as counter:
            assert clients[who].get(path).status_code == 200
        few.append(counter.count)
    add_people(app, world, 20, "b")
    many = []
    for who, path in pages:
        with count_queries() as counter:
            html = clients[who].get(path).get_data(True)
        assert "invb19@example.org" in html or "partnerb19@example.org" in html or (
            path.startswith("/sites/") and html.count("Never signed in") > 20)
        many.append(counter.count)
    assert many == few
