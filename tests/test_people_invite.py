"""Inviting many people from a table: the preview's per-row errors, who may invite whom, all
or nothing, and `flask invite --csv` (idempotent, loud on bad input)."""

import io
import threading
from functools import partial

import pytest
from openpyxl import Workbook
from werkzeug.datastructures import FileStorage
from werkzeug.test import stream_encode_multipart

from tests import factories as f
from tests.concurrency.together import paused, run_together
from tests.test_auth import audit_actions, link_in
from tracker.admin import invite_csv
from tracker.extensions import db
from tracker.models import Collaborative, Invitation, Site, User, utcnow

HEADER = "name,email,role,site\n"


def invitations(app) -> list[tuple[str, str]]:
    with app.app_context():
        return sorted((i.email, i.role_label) for i in db.session.scalars(db.select(Invitation)))


def preview(client, text: str, **extra):
    return client.post("/admin/people/invite", data={"rows": text, "check": "y", **extra})


def check_rows(app, world, who: str, text: str) -> invite_csv.Check:
    with app.app_context():
        _, rows = invite_csv.read(text.encode(), "pasted.csv")
        return invite_csv.check(rows, by=db.session.get(User, getattr(world, who)))


def errors_of(result: invite_csv.Check) -> dict[int, list[str]]:
    return {row.number: row.errors for row in result.rows if row.errors}


def test_every_kind_of_bad_row_is_named_on_its_row(app, world):
    with app.app_context():
        f.make_site(db.session.get(Collaborative, world.collaborative), "Closed Hospital")
        db.session.scalars(db.select(Site).filter_by(name="Closed Hospital")).one() \
            .archived_at = utcnow()
        db.session.commit()
    result = check_rows(app, world, "lead_a", HEADER + "\n".join([
        "Ann Ok,ann@example.org,member,Alpha Hospital",  # 2: fine
        "Bad Mail,not-an-email,member,Alpha Hospital",  # 3
        "Nowhere,no@example.org,member,Gamma Hospital",  # 4: no such site
        "Boss,boss@example.org,chief,Alpha Hospital",  # 5: no such role
        "Amy Again,MEMBER.A@example.org,site lead,Alpha Hospital",  # 6: has an account
        "Ann Twice,Ann@Example.org,member,Alpha Hospital",  # 7: the same person again
        "Beta Person,beta@example.org,member,Beta Hospital",  # 8: a site lead_a does not lead
        "Fac,fac@example.org,faculty,Test DrEaMing",  # 9: leads do not invite faculty
        "Closed,closed@example.org,member,Closed Hospital",  # 10: archived: not taking part
        ",noname@example.org,member,Alpha Hospital",  # 11: no name
    ]))
    assert not result.ok and result.problems == []
    errors = errors_of(result)
    assert sorted(errors) == [3, 4, 5, 6, 7, 8, 9, 10, 11]
    assert "is not an email address" in errors[3][0]
    assert "“Gamma Hospital” is not a site taking part" in errors[4][0]
    assert "“chief” is not a role" in errors[5][0]
    assert "member.a@example.org already has an account" in errors[6][0]
    assert "also in row 2" in errors[7][0]
    assert "you do not manage the Beta Hospital team" in errors[8][0]
    assert "you do not manage Test DrEaMing" in errors[9][0]
    assert "“Closed Hospital” is not a site taking part" in errors[10][0]
    assert "enter the person's name" in errors[11][0]
    assert [row.role_label for row in result.to_send] == ["Member, Alpha Hospital"]


@pytest.mark.parametrize("text,problem", [
    ("email,role,site\nx@example.org,member,Alpha Hospital\n", "must name the columns"),
    (HEADER, "no one to invite"),
    (HEADER + "\n,,,\n", "no one to invite"),
])
def test_a_table_without_header_or_rows_is_refused_as_a_whole(app, world, text, problem):
    result = check_rows(app, world, "admin", text)
    assert not result.ok and problem in result.problems[0]


def test_the_table_may_come_in_any_column_order_with_tabs_and_a_byte_order_mark(app, world):
    text = "\ufeffSite\tRole\tEmail\tName\nAlpha Hospital\tSite lead\tsam@example.org\tSam Ok\n"
    result = check_rows(app, world, "faculty", text)
    assert result.ok
    assert [(r.name, r.email, r.role_label) for r in result.to_send] == [
        ("Sam Ok", "sam@example.org", "Site lead, Alpha Hospital")]


def test_too_many_rows_are_refused(app, world):
    rows = "".join(f"P{n},p{n}@example.org,member,Alpha Hospital\n"
                   for n in range(invite_csv.MAX_INVITATIONS + 1))
    result = check_rows(app, world, "admin", HEADER + rows)
    assert f"invite at most {invite_csv.MAX_INVITATIONS}" in result.problems[0]


def test_who_may_invite_whom(app, world):
    table = HEADER + ("A,a@example.org,member,Alpha Hospital\n"
                      "B,b@example.org,site_lead,Beta Hospital\n"
                      "F,f@example.org,faculty,Test DrEaMing\n"
                      "R,r@example.org,partner,Test North\n")
    assert check_rows(app, world, "admin", table).ok  # admins: anyone
    assert check_rows(app, world, "faculty", table).ok  # faculty: their collaborative's roles
    assert sorted(errors_of(check_rows(app, world, "lead_a", table))) == [3, 4, 5]
    with app.app_context():
        other = f.make_collaborative("Sepsis")
        f.make_site(other, "Delta Hospital")
        db.session.commit()
    # Faculty of one collaborative do not see, let alone invite to, another's sites.
    result = check_rows(app, world, "faculty", HEADER + "D,d@example.org,member,Delta Hospital\n"
                        + "S,s@example.org,faculty,Sepsis\n")
    assert "is not a site taking part" in errors_of(result)[2][0]
    assert "you do not manage Sepsis" in errors_of(result)[3][0]


def test_the_preview_sends_nothing_and_keeps_the_table(app, login, world, outbox):
    text = HEADER + "Ann Ok,ann@example.org,member,Alpha Hospital\n"
    html = preview(login("lead_a"), text).get_data(True)
    assert "Ready to invite" in html and 'value="Send the invitations"' in html
    assert "ann@example.org" in html
    assert invitations(app) == [] and outbox == []


def test_one_bad_row_sends_nothing_even_when_send_is_pressed(app, login, world, outbox):
    text = HEADER + ("Ann Ok,ann@example.org,member,Alpha Hospital\n"
                     "Bad,bad-address,member,Alpha Hospital\n")
    response = login("lead_a").post("/admin/people/invite", data={"rows": text, "send": "y"})
    html = response.get_data(True)
    assert response.status_code == 200
    assert "1 row with problems" in html and "“bad-address” is not an email address" in html
    assert 'value="Send the invitations"' not in html
    assert "Bad,bad-address,member,Alpha Hospital" in html  # kept, to correct
    assert invitations(app) == [] and outbox == []


def test_sending_a_clean_table_invites_everyone_and_each_link_works(app, client, login, world,
                                                                    outbox):
    text = HEADER + ("Sam Lead,sam@example.org,site lead,Alpha Hospital\n"
                     "Fay Two,fay2@example.org,faculty,Test DrEaMing\n")
    response = login("faculty").post("/admin/people/invite", data={"rows": text, "send": "y"})
    assert response.status_code == 302
    assert invitations(app) == [("fay2@example.org", "Faculty, Test DrEaMing"),
                                ("sam@example.org", "Site lead at Alpha Hospital")]
    assert sorted(m["To"] for m in outbox) == ["fay2@example.org", "sam@example.org"]
    assert audit_actions(app).count("auth.invite") == 2
    assert "auth.invitations_imported" in audit_actions(app)
    sam = next(m for m in outbox if m["To"] == "sam@example.org")
    page = client.get(link_in(sam)).get_data(True)
    assert 'value="Sam Lead"' in page  # the name the inviter typed fills the form

    # Sending the same table again changes nothing: both rows are already invited.
    html = preview(login("faculty"), text).get_data(True)
    assert html.count("Already invited on") == 2 and 'value="Send the invitations"' not in html


@pytest.mark.committed  # the table sent twice at once, each on a connection of its own
def test_a_table_sent_twice_at_once_invites_each_person_once(app, login, world, outbox,
                                                             monkeypatch):
    """A double click on "Send": both requests check the table and pause, before sending, for
    each other. The inviter is held from a second check to the commit, so the second waits,
    then shows both people invited and sends nothing (not a second invitation and email)."""
    text = HEADER + ("Sam Lead,sam@example.org,site lead,Alpha Hospital\n"
                     "Fay Two,fay2@example.org,faculty,Test DrEaMing\n")
    # Both past their checks together, unless one is made to wait for the other.
    monkeypatch.setattr(invite_csv, "send", paused(invite_csv.send,
                                                   threading.Barrier(2, timeout=2), before=True))
    clients = {n: login("faculty") for n in "ab"}
    sent = run_together({n: partial(lambda c: [c.post("/admin/people/invite", data={
        "rows": text, "send": "y"})], c) for n, c in clients.items()})
    first = next(n for n in "ab" if sent[n][0].status_code == 302)
    second = sent["b" if first == "a" else "a"][0]
    assert "Sent 2 invitations." in clients[first].get(sent[first][0].location).get_data(True)
    assert second.status_code == 200 and second.get_data(True).count("Already invited on") == 2
    assert len(invitations(app)) == 2 and len(outbox) == 2


def test_an_upload_is_previewed_first_even_if_send_is_pressed(app, login, world, outbox):
    book = Workbook()
    book.active.append(["Name", "Email", "Role", "Site"])
    book.active.append(["Xena Xlsx", "xena@example.org", "member", "Alpha Hospital"])
    content = io.BytesIO()
    book.save(content)
    content.seek(0)
    response = login("lead_a").post("/admin/people/invite", data={
        "file": (content, "team.xlsx"), "rows": "", "send": "y"},
        content_type="multipart/form-data")
    html = response.get_data(True)
    assert response.status_code == 200 and "Ready to invite" in html
    assert "Xena Xlsx,xena@example.org,member,Alpha Hospital" in html  # now text, to send
    assert invitations(app) == [] and outbox == []


def test_a_table_with_an_nhs_number_is_refused_whole(app, login, world, outbox):
    text = HEADER + "Ann 943 476 5919,ann@example.org,member,Alpha Hospital\n"
    html = preview(login("lead_a"), text).get_data(True)
    assert "looks like an NHS number" in html and "Ready to invite" not in html
    assert invitations(app) == []


def test_people_without_a_team_to_manage_may_not_invite(login, world):
    for who in ("member_a", "partner"):
        assert login(who).get("/admin/people/invite").status_code == 403
        assert preview(login(who), HEADER).status_code == 403


# --- flask invite --csv ------------------------------------------------------------------

def run_invite(runner, tmp_path, text: str, *args):
    path = tmp_path / "people.csv"
    path.write_text(text)
    return runner.invoke(args=["invite", "--csv", str(path), *args])


def test_cli_invites_prints_links_and_is_idempotent(app, runner, world, tmp_path, outbox):
    text = HEADER + ("Sam Lead,sam@example.org,site lead,Alpha Hospital\n"
                     "Pat Two,pat2@example.org,partner,Test DrEaMing\n")
    result = run_invite(runner, tmp_path, text, "--base-url", "https://qi.example.org")
    assert result.exit_code == 0, result.output
    assert "Invited sam@example.org as Site lead, Alpha Hospital: https://qi.example.org/auth/" \
           "join/" in result.output
    assert "Invited pat2@example.org as Partner, Test DrEaMing: https://" in result.output
    assert len(outbox) == 2 and len(invitations(app)) == 2
    with app.app_context():
        assert {i.invited_by.email for i in db.session.scalars(db.select(Invitation))} == {
            "admin@example.org"}

    again = run_invite(runner, tmp_path, text)
    assert again.exit_code == 0, again.output
    assert "Already invited on" in again.output and "Nothing to send." in again.output
    assert len(outbox) == 2 and len(invitations(app)) == 2


def test_cli_refuses_a_bad_file_whole_with_every_reason(app, runner, world, tmp_path, outbox):
    text = HEADER + ("Sam Lead,sam@example.org,site lead,Alpha Hospital\n"
                     "Bad,bad-address,member,Nowhere\n")
    result = run_invite(runner, tmp_path, text)
    assert result.exit_code != 0
    assert "Nothing was sent" in result.output
    assert "row 3: Email: “bad-address” is not an email address." in result.output
    assert "row 3: Site: “Nowhere” is not a site taking part." in result.output
    assert invitations(app) == [] and outbox == []

    unreadable = tmp_path / "empty.csv"
    unreadable.write_text("")
    result = runner.invoke(args=["invite", "--csv", str(unreadable)])
    assert result.exit_code != 0 and "The file is empty." in result.output


def test_cli_needs_an_admin_to_invite_as(app, runner, tmp_path):
    result = run_invite(runner, tmp_path, HEADER + "A,a@example.org,member,Alpha Hospital\n")
    assert result.exit_code != 0 and "run create-admin first" in result.output


def test_cli_by_names_an_active_admin(app, runner, world, tmp_path):
    result = run_invite(runner, tmp_path, HEADER + "A,a@example.org,member,Alpha Hospital\n",
                        "--by", "lead.a@example.org")
    assert result.exit_code != 0 and "no active admin has that email" in result.output
    assert invitations(app) == []


def test_an_empty_form_says_what_to_do(app, login, world):
    html = preview(login("lead_a"), "  ").get_data(True)
    assert "Paste the table here, or choose a file." in html
    assert invitations(app) == []


def test_an_oversized_upload_is_refused_unread(app, login, world):
    big = HEADER.encode() + b"x" * (invite_csv.MAX_BYTES + 10)
    # Encoded in memory: the test client would otherwise spool a big body to a temporary
    # file that it never closes.
    body, length, boundary = stream_encode_multipart(
        {"file": FileStorage(io.BytesIO(big), "big.csv")}, use_tempfile=False)
    html = login("lead_a").post(
        "/admin/people/invite", input_stream=body, content_length=length,
        content_type=f"multipart/form-data; boundary={boundary}").get_data(True)
    assert "larger than" in html and invitations(app) == []


def test_sends_and_resends_count_against_the_inviters_allowance(app, login, world, outbox):
    app.config["INVITE_LIMITS_PER_USER"] = "2 per hour"
    lead = login("lead_a")
    for n in range(2):
        text = HEADER + f"P{n},p{n}@example.org,member,Alpha Hospital\n"
        assert lead.post("/admin/people/invite", data={"rows": text, "send": "y"}) \
            .status_code == 302
    text = HEADER + "P9,p9@example.org,member,Alpha Hospital\n"
    response = lead.post("/admin/people/invite", data={"rows": text, "send": "y"})
    assert response.status_code == 429 and "Too many attempts" in response.get_data(True)
    assert len(invitations(app)) == 2 and len(outbox) == 2
    with app.app_context():
        first = db.session.scalars(db.select(Invitation.id).order_by(Invitation.id)).first()
    page = lead.post(f"/admin/invitations/{first}/resend", follow_redirects=True)
    assert "Too many attempts" in page.get_data(True) and len(outbox) == 2
