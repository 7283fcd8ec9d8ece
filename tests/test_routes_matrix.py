"""Who may do what, route by route: an explicit decision for every rule in `app.url_map`.

A new route fails `test_every_route_has_a_decision` until it is added to GET_MATRIX and/or
POST_MATRIX (or, with a reason, to an allow-list). Paths name objects of the known world
(tests/route_world.py): site A's shared cycle, its draft, an idea, a measure, an event...
"""

import io
import re

import pytest

from tests import route_world
from tracker.core.urls import IdConverter
from tracker.extensions import db
from tracker.models import DataVersion

ROLES = ("anonymous", "member_a", "lead_a", "member_b", "faculty", "partner", "admin")
LOGIN, ELSEWHERE = "to sign-in", "redirect"  # a 302 to the login page; a 302 anywhere else
EVERYONE = (LOGIN, 200, 200, 200, 200, 200, 200)  # everyone signed in
SITE_A = (LOGIN, 200, 200, 403, 403, 403, 200)  # site A's team (and admins)
FACULTY = (LOGIN, 403, 403, 403, 200, 403, 200)  # the collaborative's faculty (and admins)
ADMINS = (LOGIN, 403, 403, 403, 403, 403, 200)
TEAM_MANAGERS = (LOGIN, 403, 200, 403, 200, 403, 200)  # site A's lead, faculty, admins
COACHES = (LOGIN, 200, 200, 403, 200, 403, 200)  # site A's team, faculty, admins

# endpoint: [(path, outcome per role in ROLES order)]
GET_MATRIX = {
    "admin.audit_export": [("/admin/audit.csv", ADMINS)],
    "admin.audit_index": [("/admin/audit", ADMINS)],
    "admin.collaborative_invitations": [("/admin/collaboratives/{collaborative}/invitations",
                                         FACULTY)],
    "admin.collaborative_people": [("/admin/collaboratives/{collaborative}/people", FACULTY),
                                   ("/admin/collaboratives/{collaborative}/people?never=1",
                                    FACULTY)],
    "admin.invite_people": [("/admin/people/invite", TEAM_MANAGERS)],  # who may invite
    "admin.site_invitations": [("/admin/sites/{site}/invitations", TEAM_MANAGERS)],
    "admin.collaborative": [("/admin/collaboratives/{collaborative}", FACULTY)],
    "admin.create_collaborative": [("/admin/collaboratives/new", ADMINS)],
    "admin.create_network": [("/admin/collaboratives/{collaborative}/networks/new", FACULTY)],
    "admin.create_site": [("/admin/collaboratives/{collaborative}/sites/new", FACULTY)],
    "admin.index": [("/admin/", ADMINS)],
    "admin.update_collaborative": [("/admin/collaboratives/{collaborative}/edit", ADMINS)],
    "admin.update_network": [("/admin/networks/{network}/edit", FACULTY)],
    "admin.create_period": [("/admin/collaboratives/{collaborative}/periods/new", FACULTY)],
    "admin.update_period": [("/admin/periods/{period}/edit", FACULTY),
                            ("/admin/periods/{removed_period}/edit",
                             (LOGIN, 403, 403, 403, 404, 403, 404))],
    "admin.update_site": [("/admin/sites/{site}/edit", FACULTY)],
    "setup.create": [("/setup", (404,) * 7)],  # closed once an admin exists
    # For load balancers and monitoring; /metrics only to the machine itself (as here) or a
    # token: tests/test_health.py.
    "health.healthz": [("/healthz", (200,) * 7)],
    "health.readyz": [("/readyz", (200,) * 7)],
    "health.prometheus": [("/metrics", (200,) * 7)],
    # A photo or file is seen by those who see its cycle or idea, uploaded by those who edit it.
    "attachments.file": [("/attachments/{attachment}/file", EVERYONE),
                         ("/attachments/{draft_attachment}/file", SITE_A),
                         ("/attachments/{idea_attachment}/file", EVERYONE),
                         ("/attachments/{removed_attachment}/file", (LOGIN,) + (404,) * 6)],
    "attachments.thumbnail": [("/attachments/{attachment}/thumbnail", EVERYONE),
                              ("/attachments/{draft_attachment}/thumbnail", SITE_A)],
    "attachments.upload_to_cycle": [("/attachments/cycles/{cycle}/new", SITE_A),
                                    ("/attachments/cycles/{trashed}/new", (LOGIN,) + (404,) * 6)],
    "attachments.upload_to_idea": [("/attachments/ideas/{idea}/new",
                                    (LOGIN, 200, 200, 403, 200, 403, 200))],
    # The installable app's files: nobody's data in them (tests/test_pwa.py).
    "pwa.manifest": [("/manifest.webmanifest", (200,) * 7)],
    "pwa.service_worker": [("/sw.js", (200,) * 7)],
    "pwa.offline": [("/offline", (200,) * 7)],
    "auth.forgot": [("/auth/forgot", (200,) * 7)],
    "auth.invite": [("/auth/invite", (LOGIN, 403, 200, 403, 200, 403, 200))],  # who manages
    "auth.join": [("/auth/join/not-a-token", (LOGIN,) * 7)],  # a bad link: back to sign in
    "auth.login": [("/auth/login", (200,) + (ELSEWHERE,) * 6)],
    "auth.profile": [("/auth/profile", EVERYONE)],
    "auth.reset": [("/auth/reset/not-a-token", (ELSEWHERE,) * 7)],  # to "forgot password"
    "cycles.detail": [("/cycles/{cycle}", EVERYONE), ("/cycles/{draft}", SITE_A),
                      ("/cycles/{trashed}", (LOGIN,) + (404,) * 6)],
    "cycles.charts": [("/cycles/{cycle}/charts", EVERYONE), ("/cycles/{draft}/charts", SITE_A),
                      ("/cycles/{trashed}/charts", (LOGIN,) + (404,) * 6)],
    # Learning from predictions: a coaching aid for the site's team and faculty only.
    "cycles.predictions": [("/cycles/predictions?site_id={site}", COACHES)],
    "cycles.edit": [("/cycles/{cycle}/edit", SITE_A), ("/cycles/{draft}/edit", SITE_A)],
    "cycles.export": [("/cycles/export.csv", EVERYONE)],
    "cycles.history": [("/cycles/{cycle}/history", EVERYONE),
                       ("/cycles/{draft}/history", SITE_A)],
    "cycles.index": [("/cycles/", EVERYONE)],
    "cycles.quick": [("/cycles/quick", (LOGIN, 200, 200, 200, 403, 403, 403))],  # site teams
    "cycles.ramp": [("/cycles/{cycle}/ramp", EVERYONE), ("/cycles/{draft}/ramp", SITE_A)],
    "cycles.trash": [("/cycles/trash", EVERYONE)],  # each sees the trash of sites they lead
    "events.create": [("/events/new", FACULTY)],
    "events.detail": [("/events/{event}", EVERYONE)],
    "events.feed": [("/events/{collaborative}/calendar.ics", EVERYONE)],
    "events.index": [("/events/", EVERYONE)],
    "events.update": [("/events/{event}/edit", FACULTY)],
    "feedback.edit_comment": [("/comments/{comment}/edit",
                               (LOGIN, 200, 403, 403, 403, 403, 403))],  # its author only
    "feedback.give": [  # feedback comes from outside the team: faculty and other sites
        ("/cycles/{cycle}/feedback", (LOGIN, 403, 403, 200, 200, 403, 200)),
        ("/cycles/{draft}/feedback", (LOGIN, 403, 403, 403, 403, 403, 200))],
    "feedback.mentions": [("/comments/mentions?cycle={cycle}", EVERYONE),
                          ("/comments/mentions?cycle={draft}", SITE_A),
                          ("/comments/mentions", (LOGIN,) + (404,) * 6)],
    "feedback.review_queue": [("/review", FACULTY)],
    "feedback.show_comment": [("/comments/{comment}", (LOGIN,) + (ELSEWHERE,) * 6)],
    "ideas.create": [("/ideas/new", (LOGIN, 200, 200, 200, 200, 403, 403))],
    "ideas.detail": [("/ideas/{idea}", EVERYONE)],
    "ideas.diagram": [("/ideas/drivers", EVERYONE)],
    "ideas.edit": [("/ideas/{idea}/edit", (LOGIN, 200, 200, 403, 200, 403, 200))],
    "ideas.index": [("/ideas/", EVERYONE)],
    "ideas.similar": [("/ideas/similar.json?title=drink", EVERYONE)],
    "ideas.tag_suggestions": [("/ideas/tags.json?q=dr", EVERYONE)],
    "ideas.tags": [("/ideas/tags", FACULTY)],
    "main.dashboard": [("/dashboard", EVERYONE)],
    "main.index": [("/", (ELSEWHERE,) * 7)],
    # Everyone in the collaborative reads every site's charts: shared learning.
    "measures.chart_csv": [("/measures/{measure}/chart.csv?site_id={site}", EVERYONE)],
    "measures.chart_svg": [("/measures/{measure}/chart.svg?site_id={site}", EVERYONE)],
    "measures.create": [("/measures/new?collaborative_id={collaborative}", FACULTY),
                        ("/measures/new?site_id={site}", (LOGIN, 403, 200, 403, 403, 403, 200)),
                        ("/measures/new", (LOGIN,) + (404,) * 6)],
    "measures.detail": [("/measures/{measure}?site_id={site}", EVERYONE),
                        ("/measures/{local_measure}", EVERYONE)],
    "measures.export": [("/measures/{measure}/export.csv?site_id={site}", EVERYONE)],
    "measures.grid": [("/measures/{measure}/data?site_id={site}",  # data entry: the team
                       (LOGIN, 200, 200, 403, 403, 403, 403))],
    "measures.import_preview": [("/measures/{measure}/import/{batch}",
                                 (LOGIN, 200, 404, 404, 404, 404, 404))],  # its uploader
    "measures.import_upload": [("/measures/{measure}/import",
                                (LOGIN, 200, 200, 200, 403, 403, 403))],  # to their own site
    "measures.import_result": [("/measures/imports/{batch}",  # where its notification leads
                                (LOGIN, ELSEWHERE, 404, 404, 404, 404, 404))],  # its uploader
    "measures.index": [("/measures/", EVERYONE)],
    "measures.reporting": [("/measures/reporting", EVERYONE)],
    "measures.reporting_period": [("/measures/reporting/{reporting}", EVERYONE)],
    "measures.reporting_csv": [("/measures/reporting/{reporting}.csv", EVERYONE)],
    "measures.sites": [("/measures/{measure}/sites", EVERYONE)],
    "measures.tally": [("/measures/{bundle}/tally?site_id={site}",
                        (LOGIN, 200, 200, 403, 403, 403, 403)),
                       ("/measures/{measure}/tally?site_id={site}",  # not a bundle
                        (LOGIN, 404, 404, 403, 403, 403, 403))],
    "measures.update": [("/measures/{measure}/edit", FACULTY),
                        ("/measures/{local_measure}/edit", (LOGIN, 403, 200, 403, 403, 403, 200))],
    "notifications.index": [("/notifications/", EVERYONE)],
    "notifications.preferences": [("/notifications/preferences", EVERYONE)],
    "reports.action_period": [("/reports/action-period?collaborative={collaborative}",
                               EVERYONE)],
    "reports.faculty_dashboard": [("/reports/faculty", FACULTY)],
    "reports.faculty_support": [("/reports/faculty/support", FACULTY)],
    "reports.site_storyboard": [("/reports/sites/{site}/storyboard", EVERYONE)],
    "reports.storyboard_slides": [("/reports/sites/{site}/storyboard.pptx", EVERYONE),
                                  ("/reports/sites/{site}/storyboard.pdf", EVERYONE)],
    "reports.ramp_slides": [("/reports/cycles/{cycle}/ramp.pptx", EVERYONE),
                            ("/reports/cycles/{cycle}/ramp.pdf", EVERYONE),
                            ("/reports/cycles/{draft}/ramp.pptx", SITE_A),
                            ("/reports/cycles/{draft}/ramp.pdf", SITE_A)],
    "search.index": [("/search/?q=drink", EVERYONE)],
    "sites.detail": [("/sites/{site}", EVERYONE)],
    # Issue 16: the site's team reads its progress score, those who manage the site set it.
    "sustain.site_progress": [("/sustain/sites/{site}/progress",
                               (LOGIN, 200, 200, 403, 200, 403, 200))],
    "sustain.check_in": [("/sustain/checks/{check}", SITE_A)],
    "sites.index": [("/sites/", EVERYONE)],
    "sites.lookup": [("/sites/lookup?q=Alpha", EVERYONE)],
}

# The API: a browser's session cookie never authenticates it (tokens only, see
# tests/test_api_matrix.py for the matrix by token); its spec and docs are public.
NO_COOKIES = (401,) * 7
API_GETS = ("list_collaboratives", "get_collaborative", "list_collaborative_networks",
            "list_sites", "get_site", "list_events", "get_event", "list_cycles", "get_cycle",
            "list_comments", "list_measures", "get_measure", "list_values", "get_chart",
            "list_networks", "get_network", "list_ideas", "get_idea")
GET_MATRIX.update({
    "api-docs.openapi_json": [("/api/v1/openapi.json", (200,) * 7)],
    "api_ui.index": [("/api/docs/", (200,) * 7)],
    **{f"api.{name}": [(path, NO_COOKIES)] for name, path in zip(API_GETS, (
        "/api/v1/collaboratives", "/api/v1/collaboratives/{collaborative}",
        "/api/v1/collaboratives/{collaborative}/networks", "/api/v1/sites", "/api/v1/sites/{site}",
        "/api/v1/events", "/api/v1/events/{event}", "/api/v1/cycles", "/api/v1/cycles/{cycle}",
        "/api/v1/cycles/{cycle}/comments", "/api/v1/measures", "/api/v1/measures/{measure}",
        "/api/v1/measures/{measure}/values?site_id={site}",
        "/api/v1/measures/{measure}/chart?site_id={site}", "/api/v1/networks",
        "/api/v1/networks/{network}", "/api/v1/ideas", "/api/v1/ideas/{idea}"), strict=True)},
})

OK = "saved"  # a 302 after which the database changed; any other outcome changes nothing
UPLOAD = object()  # stands for a small CSV file in a form
PHOTO = object()  # stands for a small PNG photo in a form
BULK = "name,email,role,site\nNew Person,new@example.org,member,Alpha Hospital\n"
EVENT = {"collaborative_id": "{collaborative}", "kind": "webinar", "title": "Huddle",
         "starts_at": "2031-01-06T10:00"}
MEASURE = {"name": "Falls", "kind": "outcome", "definition": "Falls on the ward",
           "data_kind": "count", "direction": "decrease", "frequency": "weekly", "position": "0",
           "composite_id": "", "balances_id": "", "chart_type": "", "rule_set": ""}

# endpoint: [(path, form, {role: outcome})], roles tried in order (the one that saves last).
# Every case puts a member of site B against site A's things; anonymous visitors are sent to
# sign in by test_anonymous_posts_are_sent_to_sign_in_and_change_nothing.
POST_MATRIX = {
    "admin.archive_collaborative": [("/admin/collaboratives/{collaborative}/archive", {},
                                     {"member_b": 403, "faculty": 403, "admin": OK})],
    "admin.archive_network": [("/admin/networks/{network}/archive", {},
                               {"member_b": 403, "lead_a": 403, "faculty": OK})],
    "admin.archive_site": [("/admin/sites/{site}/archive", {},
                            {"member_b": 403, "lead_a": 403, "faculty": OK})],
    "admin.deactivate_person": [("/admin/people/{person}/deactivate", {},
                                 {"member_b": 403, "member_a": 403, "lead_b": 403,
                                  "partner": 403, "lead_a": OK})],
    "admin.reactivate_person": [("/admin/people/{inactive}/reactivate", {},
                                 {"member_b": 403, "member_a": 403, "lead_b": 403,
                                  "faculty": OK})],
    "admin.invite_people": [("/admin/people/invite", {"rows": BULK, "send": "y"},
                             {"member_b": 403, "partner": 403, "lead_b": 200, "lead_a": OK})],
    "admin.resend_invitation": [("/admin/invitations/{invitation}/resend", {},
                                 {"member_b": 403, "member_a": 403, "lead_b": 403,
                                  "lead_a": OK})],
    "admin.revoke_invitation": [("/admin/invitations/{invitation}/revoke", {},
                                 {"member_b": 403, "member_a": 403, "lead_b": 403,
                                  "faculty": OK})],
    "admin.update_collaborative_role": [("/admin/collaborative-roles/{partner_role}/role",
                                         {"role": "faculty"},
                                         {"member_b": 403, "lead_a": 403, "partner": 403,
                                          "faculty": OK})],
    "admin.remove_collaborative_role": [("/admin/collaborative-roles/{partner_role}/remove", {},
                                         {"member_b": 403, "lead_a": 403, "partner": 403,
                                          "admin": OK})],
    "admin.create_collaborative": [("/admin/collaboratives/new", {"name": "Sepsis"},
                                    {"member_b": 403, "faculty": 403, "admin": OK})],
    "admin.create_network": [("/admin/collaboratives/{collaborative}/networks/new",
                              {"name": "Test South"},
                              {"member_b": 403, "lead_a": 403, "faculty": OK})],
    "admin.create_site": [("/admin/collaboratives/{collaborative}/sites/new",
                           {"name": "Gamma Hospital", "network_id": "{network}"},
                           {"member_b": 403, "lead_a": 403, "faculty": OK})],
    "admin.update_collaborative": [("/admin/collaboratives/{collaborative}/edit",
                                    {"name": "Test DrEaMing 2"},
                                    {"member_b": 403, "faculty": 403, "admin": OK})],
    "admin.update_network": [("/admin/networks/{network}/edit", {"name": "Test North-East"},
                              {"member_b": 403, "lead_a": 403, "faculty": OK})],
    "admin.create_period": [("/admin/collaboratives/{collaborative}/periods/new",
                             {"name": "Action period 2", "starts_on": "2031-01-01",
                              "ends_on": "2031-03-31"},
                             {"member_b": 403, "lead_a": 403, "partner": 403, "faculty": OK})],
    "admin.update_period": [("/admin/periods/{period}/edit",
                             {"name": "The first", "starts_on": "2030-01-01",
                              "ends_on": "2030-03-31"},
                             {"member_b": 403, "lead_a": 403, "partner": 403, "faculty": OK})],
    "admin.remove_period": [("/admin/periods/{period}/remove", {},
                             {"member_b": 403, "lead_a": 403, "partner": 403, "faculty": OK}),
                            ("/admin/periods/{removed_period}/remove", {}, {"faculty": 404})],
    "admin.restore_period": [("/admin/periods/{removed_period}/restore", {},
                              {"member_b": 403, "lead_a": 403, "partner": 403,
                               "faculty": OK}),
                             ("/admin/periods/{period}/restore", {}, {"faculty": 404})],
    "admin.update_site": [("/admin/sites/{site}/edit",
                           {"name": "Alpha General", "executive_sponsor": "Chief Nurse"},
                           {"member_b": 403, "lead_a": 403, "partner": 403, "faculty": OK})],
    "attachments.delete": [("/attachments/{attachment}/delete", {},
                            {"member_b": 403, "partner": 403, "faculty": 403, "member_a": OK})],
    "attachments.restore": [("/attachments/{removed_attachment}/restore", {},
                             {"member_b": 403, "faculty": 403, "member_a": OK})],
    "attachments.upload_to_cycle": [("/attachments/cycles/{cycle}/new",
                                     {"attachment-photo": PHOTO, "attachment-confirm": "y"},
                                     {"member_b": 403, "faculty": 403, "member_a": OK})],
    "attachments.upload_to_idea": [("/attachments/ideas/{idea}/new",
                                    {"attachment-document": PHOTO, "attachment-confirm": "y"},
                                    {"member_b": 403, "partner": 403, "member_a": OK})],
    "auth.invite": [("/auth/invite", {"email": "new@example.org", "role": "site:{site}:member"},
                     {"member_b": 403, "lead_b": 200, "lead_a": OK})],
    "cycles.delete": [("/cycles/{cycle}/delete", {}, {"member_b": 403, "member_a": 403,
                                                      "lead_a": OK})],
    "cycles.edit": [("/cycles/{cycle}/edit", {"title": "Sips", "version": "1", "idea_id": "",
                                              "visibility": "collaborative", "decision": "",
                                              "questions-0-prediction_held": ""},
                     {"member_b": 403, "faculty": 403, "member_a": OK})],
    "cycles.move": [("/cycles/{cycle}/stage", {"to": "do", "seen": "plan"},
                     {"member_b": 403, "member_a": OK})],
    "cycles.quick": [("/cycles/quick", {"site_id": "{site}", "title": "Sips", "objective": "Sips"},
                      {"member_b": 200, "member_a": OK})],  # B's choices hold only site B
    "cycles.restore": [("/cycles/{trashed}/restore", {}, {"member_b": 403, "member_a": 403,
                                                          "lead_a": OK})],
    "cycles.restore_revision": [("/cycles/{cycle}/history/1/restore", {},
                                 {"member_b": 403, "member_a": OK})],
    "cycles.start_next": [("/cycles/{cycle}/next", {}, {"member_b": 403, "member_a": OK})],
    "events.create": [("/events/new", EVENT, {"member_b": 403, "lead_a": 403, "faculty": OK})],
    "events.delete": [("/events/{event}/delete", {}, {"member_b": 403, "faculty": OK})],
    "events.update": [("/events/{event}/edit", EVENT, {"member_b": 403, "faculty": OK})],
    "feedback.addressed": [("/feedback/{feedback}/addressed", {"addressed": "1"},
                            {"member_b": 403, "member_a": OK})],
    "feedback.comment_cycle": [("/cycles/{draft}/comments", {"body": "Nice"},
                                {"member_b": 403, "member_a": OK}),
                               ("/cycles/{cycle}/comments", {"body": "Nice"},
                                {"member_b": OK})],  # shared: other sites join in
    "feedback.comment_idea": [("/ideas/{idea}/comments", {"body": "Nice"}, {"member_b": OK})],
    "feedback.delete_comment": [("/comments/{comment}/delete", {},
                                 {"member_b": 403, "member_a": OK})],
    "feedback.delete_feedback": [("/feedback/{feedback}/delete", {},
                                  {"member_b": 403, "member_a": 403, "faculty": OK})],
    "feedback.edit_comment": [("/comments/{comment}/edit", {"body": "Edited"},
                               {"member_b": 403, "lead_a": 403, "member_a": OK})],
    "feedback.give": [("/cycles/{draft}/feedback", {"body": "Smaller"},
                       {"member_b": 403, "faculty": 403, "admin": OK}),
                      ("/cycles/{cycle}/feedback", {"body": "Smaller"},
                       {"member_a": 403, "member_b": OK})],
    "feedback.request_feedback": [("/cycles/{cycle}/feedback-requests", {"message": "Look?"},
                                   {"member_b": 403, "member_a": OK})],
    "feedback.withdraw_request": [("/feedback-requests/{request}/withdraw", {},
                                   {"member_b": 403, "member_a": OK})],
    "ideas.add_driver": [("/ideas/drivers/new?collaborative={collaborative}", {"title": "Diet"},
                          {"member_b": 403, "lead_a": 403, "faculty": OK})],
    "ideas.delete_driver": [("/ideas/drivers/{driver}/delete", {},
                             {"member_b": 403, "faculty": OK})],
    "ideas.edit": [("/ideas/{idea}/edit", {"title": "Carb drinks", "stamp": "{idea_stamp}"},
                    {"member_b": 403, "member_a": OK})],
    "ideas.follow": [("/ideas/{idea}/follow", {}, {"member_b": OK})],  # shared ideas
    "ideas.move_driver": [("/ideas/drivers/{driver}/move/up", {},
                           {"member_b": 403, "faculty": OK})],
    "ideas.rename_driver": [("/ideas/drivers/{driver}/rename", {"title": "Moving"},
                             {"member_b": 403, "faculty": OK})],
    "ideas.tags": [("/ideas/tags?collaborative={collaborative}",
                    {"source": "{tag}", "target": "{other_tag}"},
                    {"member_b": 403, "lead_a": 403, "faculty": OK})],
    "ideas.try_cycle": [("/ideas/from-cycle/{draft}/try", {"site_id": "{site_b}"},
                         {"member_b": 403}),
                        ("/ideas/from-cycle/{cycle}/try", {"site_id": "{site_b}"},
                         {"member_b": OK})],  # reusing a shared test is the point
    "ideas.try_idea": [("/ideas/{idea}/try", {"site_id": "{site}"},
                        {"member_b": 400, "member_a": OK})],  # only at one's own site
    "measures.create": [("/measures/new?site_id={site}", MEASURE,
                         {"member_b": 403, "member_a": 403, "lead_a": OK})],
    "measures.delete": [("/measures/{local_measure}/delete", {},
                         {"member_b": 403, "member_a": 403, "lead_a": OK})],
    "measures.grid": [("/measures/{measure}/data?site_id={site}",
                       {"rows-0-period": "{empty_week}", "rows-0-base": "",
                        "rows-0-numerator": "3", "rows-0-denominator": "4"},
                       {"member_b": 403, "member_a": OK})],
    "measures.import_preview": [("/measures/{measure}/import/{batch}", {"discard": "y"},
                                 {"member_b": 404, "lead_a": 404, "member_a": OK})],
    "measures.import_upload": [("/measures/{measure}/import", {"site_id": "{site}",
                                                               "file": UPLOAD},
                                {"member_b": 200, "member_a": OK})],
    "measures.add_note": [("/measures/{measure}/notes?site_id={site}",
                           {"on_date": "{data_week}", "text": "Bed crisis"},
                           {"member_b": 403, "faculty": 403, "member_a": OK})],
    "measures.remove_note": [("/measures/{measure}/notes/{chart_note}/remove", {},
                              {"member_b": 403, "faculty": 403, "member_a": OK})],
    "measures.flag_point": [("/measures/{measure}/flags?site_id={site}",
                             {"period": "{data_week}", "kind": "excluded",
                              "reason": "Audit week"},
                             {"member_b": 403, "member_a": 403, "lead_a": OK})],
    "measures.reporting": [("/measures/reporting?collaborative={collaborative}",
                            {"name": "CQUIN Q2", "measure_id": "{measure}",
                             "starts_on": "{empty_week}", "ends_on": "{this_week}",
                             "threshold": "80", "min_periods": "8"},
                            {"member_b": 403, "lead_a": 403, "faculty": OK})],
    "measures.remove_reporting": [("/measures/reporting/{reporting}/remove", {},
                                   {"lead_a": 403, "member_a": 403, "faculty": OK})],
    "measures.submitted_figure": [("/measures/reporting/{reporting}/submitted?site_id={site}",
                                   {"s{site}-value": "76"},
                                   {"member_b": 403, "faculty": 403, "member_a": OK})],
    "measures.remove_phase": [("/measures/{measure}/phases/{phase}/remove", {},
                               {"member_b": 403, "member_a": 403, "lead_a": OK})],
    "measures.set_phase": [("/measures/{measure}/phases?site_id={site}",
                            {"period_start": "{empty_week}", "note": "Adopted"},
                            {"member_b": 403, "member_a": 403, "lead_a": OK})],
    "measures.tally": [("/measures/{bundle}/tally?site_id={site}",
                        {"period": "{this_week}", "component_{measure}": "yes",
                         "component_{component}": "no"},
                        {"member_b": 403, "member_a": OK})],
    "measures.undo_tally": [("/measures/{bundle}/tally/undo?site_id={site}", {},
                             {"member_b": 403, "member_a": ELSEWHERE})],  # nothing to undo
    "measures.update": [("/measures/{local_measure}/edit", MEASURE,
                         {"member_b": 403, "member_a": 403, "lead_a": OK})],
    "notifications.read": [("/notifications/{notification}/read", {},
                            {"member_b": 404, "member_a": OK})],  # only one's own
    "sites.remove_member": [("/sites/{site}/members/{membership}/remove", {},
                             {"member_b": 403, "member_a": 403, "lead_a": OK})],
    "sustain.site_progress": [("/sustain/sites/{site}/progress", {"score": "2.0", "note": "Going"},
                               {"member_a": 403, "member_b": 403, "partner": 403,
                                "lead_a": OK})],
    "sustain.check_in": [("/sustain/checks/{check}", {"answer": "yes"},
                          {"member_b": 403, "faculty": 403, "partner": 403, "member_a": OK})],
    "sustain.plan": [("/sustain/cycles/{cycle}/plan", {"months": "2, 4"},
                      {"member_b": 403, "faculty": 403, "member_a": OK})],
    "sites.update_member": [("/sites/{site}/members/{membership}/role", {"role": "site_lead"},
                             {"member_b": 403, "lead_b": 403, "lead_a": OK})],
}

# POST routes outside the matrix, each with the reason.
POST_ALLOW = {
    "setup.create": "only while no admin exists (tests/test_setup.py)",
    "auth.login": "for visitors", "auth.logout": "for anyone", "auth.forgot": "for visitors",
    "auth.reset": "for visitors, with a signed link", "auth.join": "for invited visitors",
    "auth.profile": "changes the user's own profile only",
    "ideas.create": "an idea starts at the user's own site",
    "notifications.read_all": "the user's own notifications only",
    "notifications.preferences": "the user's own preferences only",
    **{f"api.{name}": "token only: tests/test_api_matrix.py (cookies get 401)"
       for name in ("create_cycle", "move_cycle", "create_comment", "create_idea")},
}


def outcome(response):
    if response.status_code == 302:
        return LOGIN if response.location.startswith("/auth/login") else ELSEWHERE
    return response.status_code


def snapshot(app) -> dict[str, list[str]]:
    """Every row of every table, to tell whether a request changed anything."""
    with app.app_context():
        return {t.name: sorted(repr(tuple(r)) for r in db.session.execute(t.select()))
                for t in db.metadata.sorted_tables}


def changed_tables(before: dict, after: dict) -> list[str]:
    """The tables whose rows differ; not the data's version, which any write moves (an API
    token's last use too, which the API's tests leave out)."""
    return [name for name in before
            if before[name] != after[name] and name != DataVersion.__tablename__]


def endpoint_of(app, path: str, method: str) -> str:
    return app.url_map.bind("localhost").match(path.split("?")[0], method=method)[0]


def test_every_route_has_a_decision(app):
    missing = []
    for rule in app.url_map.iter_rules():
        if rule.endpoint in route_world.FILES:
            continue
        if "GET" in rule.methods and rule.endpoint not in GET_MATRIX:
            missing.append(f"GET {rule.endpoint}")
        if "POST" in rule.methods and rule.endpoint not in {*POST_MATRIX, *POST_ALLOW}:
            missing.append(f"POST {rule.endpoint}")
    assert missing == [], "add these routes to tests/test_routes_matrix.py"
    endpoints = {rule.endpoint for rule in app.url_map.iter_rules()}
    assert {*GET_MATRIX, *POST_MATRIX, *POST_ALLOW} <= endpoints  # no stale entries


def test_every_number_in_a_path_is_an_id(app):
    """No rule uses werkzeug's `int`: unbounded, it let 2**64 reach the database (a 500)."""
    for rule in app.url_map.iter_rules():
        converters = set(re.findall(r"<(\w+)(?:\([^)]*\))?:", rule.rule))
        assert converters <= {"id", "path", "string"}, rule.rule
    assert app.url_map.converters["id"] is IdConverter


@pytest.mark.parametrize("who", ROLES)
def test_get_matrix(app, world, login, client, who):
    with app.app_context():
        objects = route_world.build(world)
    user = client if who == "anonymous" else login(who)
    column = ROLES.index(who)
    wrong = []
    for endpoint, cases in GET_MATRIX.items():
        for path, outcomes in cases:
            url = path.format(**objects)
            assert endpoint_of(app, url, "GET") == endpoint, url
            got = outcome(user.get(url))
            if got != outcomes[column]:
                wrong.append(f"{endpoint} {url}: {got}, expected {outcomes[column]}")
    assert wrong == []


def form(data: dict, objects: dict) -> dict:
    filled = {}
    for key, value in data.items():
        if value is UPLOAD:
            week = objects["empty_week"]
            value = (io.BytesIO(f"period,numerator,denominator\n{week},1,2\n".encode()),
                     "data.csv")
        elif value is PHOTO:
            value = (io.BytesIO(route_world.TINY_PNG), "photo.png")
        elif isinstance(value, str):
            value = value.format(**objects)
        filled[key.format(**objects)] = value
    return filled


POST_CASES = [(endpoint, case) for endpoint, cases in POST_MATRIX.items() for case in cases]


@pytest.mark.parametrize("endpoint,case", POST_CASES,
                         ids=[f"{e}:{c[0]}" for e, c in POST_CASES])
def test_post_matrix(app, world, login, endpoint, case):
    with app.app_context():
        objects = {**route_world.build(world), "site_b": world.site_b}
    path, data, outcomes = case
    url = path.format(**objects)
    assert endpoint_of(app, url, "POST") == endpoint
    assert list(outcomes.values()).count(OK) <= 1 and OK not in list(outcomes.values())[:-1]
    for who, expected in outcomes.items():
        before = snapshot(app)
        got = outcome(login(who).post(url, data=form(data, objects)))
        changed = changed_tables(before, snapshot(app))
        if expected == OK:
            assert (got, bool(changed)) == (ELSEWHERE, True), f"{who}: {got}, saved {changed}"
        else:
            assert (got, changed) == (expected, []), f"{who}: {got}, changed {changed}"


def test_anonymous_posts_are_sent_to_sign_in_and_change_nothing(app, world, client):
    with app.app_context():
        objects = route_world.build(world)
    before = snapshot(app)
    tried = 0
    for rule in app.url_map.iter_rules():
        if "POST" not in rule.methods or rule.endpoint in POST_ALLOW:
            continue
        response = client.post(route_world.fill(rule, objects), data={"title": "x", "body": "x"})
        assert outcome(response) == LOGIN, rule.rule
        tried += 1
    assert changed_tables(before, snapshot(app)) == []
    assert tried == len(POST_MATRIX)
