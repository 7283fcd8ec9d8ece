"""Every page needs a login, and each object-level check holds."""

import re

import pytest

from tracker.extensions import db
from tracker.models import AuditEvent, Membership

# Endpoints a visitor may reach without signing in.
PUBLIC = {"static", "bootstrap.static", "main.index", "auth.login", "auth.logout",
          "auth.forgot", "auth.reset", "auth.join", "setup.create",
          # for load balancers and monitoring: tests/test_health.py
          "health.healthz", "health.readyz", "health.prometheus",
          # the API's description and its interactive docs (tests/test_api_spec.py)
          "api-docs.openapi_json", "api_ui.index", "api_ui.asset",
          # the installable app's files, nobody's data in them (tests/test_pwa.py)
          "pwa.manifest", "pwa.service_worker", "pwa.offline"}


def example_url(rule) -> str:
    return re.sub(r"<(\w+:)?(\w+)>", lambda m: "1" if m.group(1) == "id:" else "x", rule.rule)


def test_every_non_public_endpoint_sends_anonymous_visitors_to_login(app, client):
    checked = 0
    for rule in app.url_map.iter_rules():
        if rule.endpoint in PUBLIC:
            continue
        method = sorted(rule.methods - {"HEAD", "OPTIONS"})[0]
        response = client.open(example_url(rule), method=method)
        if rule.endpoint.startswith("api."):  # no sign-in page for a program: a 401 to read
            assert response.status_code == 401, rule.rule
            assert response.content_type == "application/problem+json", rule.rule
        else:
            assert response.status_code == 302, rule.rule
            assert response.location.startswith("/auth/login"), rule.rule
        checked += 1
    assert checked >= 5


def test_public_allow_list_names_real_endpoints(app):
    assert PUBLIC <= {rule.endpoint for rule in app.url_map.iter_rules()}


def test_site_directory_is_scoped_to_the_users_collaborative(app, login, world):
    from tests import factories as f

    with app.app_context():
        other = f.make_collaborative("Falls Collaborative")
        f.make_site(other, "Gamma Hospital")
        db.session.commit()
    html = login("member_a").get("/sites/").get_data(True)
    assert "Alpha Hospital" in html and "Beta Hospital" in html
    assert "Gamma Hospital" not in html
    assert "Gamma Hospital" in login("admin").get("/sites/").get_data(True)


def test_site_of_another_collaborative_is_forbidden(app, login, world):
    from tests import factories as f

    with app.app_context():
        gamma = f.make_site(f.make_collaborative("Sepsis"), "Gamma Hospital")
        db.session.commit()
        gamma_id = gamma.id
    assert login("member_a").get(f"/sites/{gamma_id}").status_code == 403
    assert login("member_a").get("/sites/9999").status_code == 404


def membership_id(app, user_id, site_id):
    with app.app_context():
        return db.session.scalars(
            db.select(Membership.id).filter_by(user_id=user_id, site_id=site_id)).one()


@pytest.mark.parametrize("who,allowed", [
    ("member_a", False), ("partner", False), ("lead_b", False),
    ("lead_a", True), ("faculty", True), ("admin", True),
])
def test_only_leads_faculty_and_admins_change_roles(app, login, world, who, allowed):
    mid = membership_id(app, world.member_a, world.site_a)
    if who == "member_a":  # a member acting on a colleague
        mid = membership_id(app, world.lead_a, world.site_a)
    response = login(who).post(f"/sites/{world.site_a}/members/{mid}/role",
                               data={"role": "site_lead"})
    assert response.status_code == (302 if allowed else 403)
    with app.app_context():
        changed = db.session.scalar(db.select(db.func.count(AuditEvent.id))
                                    .filter_by(action="auth.role_changed"))
    assert changed == (1 if allowed else 0)


def test_role_change_is_audited_with_before_and_after(app, login, world):
    mid = membership_id(app, world.member_a, world.site_a)
    login("lead_a").post(f"/sites/{world.site_a}/members/{mid}/role", data={"role": "site_lead"})
    with app.app_context():
        query = db.select(AuditEvent).filter_by(action="auth.role_changed")
        event = db.session.scalars(query).one()
        assert (event.before, event.after) == ({"role": "member"}, {"role": "site_lead"})
        assert event.actor_id == world.lead_a
        assert db.session.get(Membership, mid).role.value == "site_lead"


def test_membership_of_another_site_is_not_reachable_through_this_site(app, login, world):
    mid_b = membership_id(app, world.member_b, world.site_b)
    response = login("lead_a").post(f"/sites/{world.site_a}/members/{mid_b}/remove")
    assert response.status_code == 404


def test_lead_removes_a_member_and_it_is_audited(app, login, world):
    mid = membership_id(app, world.member_a, world.site_a)
    assert login("lead_a").post(f"/sites/{world.site_a}/members/{mid}/remove").status_code == 302
    with app.app_context():
        assert db.session.get(Membership, mid) is None
        query = db.select(AuditEvent).filter_by(action="auth.member_removed")
        event = db.session.scalars(query).one()
        assert event.before == {"user_id": world.member_a, "role": "member"}


def test_remove_rejects_get(login, world):
    assert login("lead_a").get(f"/sites/{world.site_a}/members/1/remove").status_code == 405
