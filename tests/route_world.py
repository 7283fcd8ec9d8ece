"""One object of each kind at site A, and the rules' path parameters filled from them: the
known world the route matrix and the hostile-input test walk `app.url_map` over."""

import re
from datetime import date, timedelta

from tests import factories as f
from tracker.attachments import services as attachment_services
from tracker.cycles import services as cycle_services
from tracker.extensions import db
from tracker.measures import periods
from tracker.models import (
    ChartNote,
    Collaborative,
    CollaborativeRole,
    Driver,
    Frequency,
    ImportBatch,
    Invitation,
    Membership,
    NotificationKind,
    PhaseBreak,
    PlannedPeriod,
    ReportingPeriod,
    Site,
    SiteRole,
    SustainCheck,
    Tag,
    User,
    Visibility,
    utcnow,
)
from tracker.models.notifications import Notification

TINY_PNG = (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x02"
            b"\x00\x00\x00\x90wS\xde\x00\x00\x00\x0cIDATx\x9cc\xf8\xcf\xc0\x00\x00\x03\x01\x01"
            b"\x00\xc9\xfe\x92\xef\x00\x00\x00\x00IEND\xaeB`\x82")

# Endpoints no test walks: files served as they are.
FILES = {"static", "bootstrap.static", "api_ui.asset"}

# Path parameters that are not database ids, and what fills them.
WORDS = {"fmt": "csv", "direction": "up", "token": "not-a-token",
         "filename": "css/bootstrap.min.css"}


def build(world) -> dict:
    """Site A's objects (committed), as ids by name, and a few values forms need; call inside
    an app context."""
    site_a, site_b = db.session.get(Site, world.site_a), db.session.get(Site, world.site_b)
    member_a, faculty = db.session.get(User, world.member_a), db.session.get(User, world.faculty)
    collab = db.session.get(Collaborative, world.collaborative)
    idea = f.make_idea(site_a, title="Carbohydrate drink", author_id=member_a.id)
    cycle = cycle_services.log_cycle(site_a, by=member_a, title="Shared test", idea=idea)
    draft = f.make_cycle(site_a, title="Draft test", visibility=Visibility.SITE,
                         author_id=member_a.id)
    trashed = f.make_cycle(site_a, title="Trashed test", deleted_at=utcnow(),
                           deleted_by_id=world.lead_a)
    other = f.make_cycle(site_b, title="Beta's test", author_id=world.member_b)
    # Two drivers and two tags, so moving a driver or merging tags changes something.
    driver = Driver(collaborative_id=collab.id, title="Early mobility", position=1)
    tags = [Tag(collaborative_id=collab.id, name=name) for name in ("drinks", "fluids")]
    db.session.add_all([Driver(collaborative_id=collab.id, title="Early feeding"), driver, *tags])
    bundle = f.make_measure(collab.id, name="Bundle")
    parts = [f.make_measure(collab.id, name=name, composite_id=bundle.id)
             for name in ("Drink", "Eat")]
    weeks = periods.recent_periods(Frequency.WEEKLY, 10)
    # Older weeks only: this week stays free for a tally (a bundle and its parts must agree).
    f.make_values(parts[0], site_a, [(1, 2), (2, 3), (3, 4)], start=weeks[6])
    local = f.make_measure(collab.id, name="Ward A only", site_id=site_a.id)
    phase = PhaseBreak(measure_id=parts[0].id, site_id=site_a.id, period_start=weeks[3],
                       note="Adopted", created_by_id=world.lead_a)
    batch = ImportBatch(measure_id=parts[0].id, site_id=site_a.id, filename="data.csv",
                        sha256="0" * 64, content=b"period,numerator,denominator\n",
                        created_by_id=member_a.id)
    event = f.make_event(collab, utcnow() + timedelta(days=7))
    planned = PlannedPeriod(collaborative_id=collab.id, name="Action period 1",
                            starts_on=weeks[-1], ends_on=weeks[0])
    removed_period = PlannedPeriod(collaborative_id=collab.id, name="Action period 9",
                                   starts_on=date(2032, 1, 1), ends_on=date(2032, 3, 31),
                                   deleted_at=utcnow())
    chart_note = ChartNote(measure_id=parts[0].id, site_id=site_a.id, on_date=weeks[5],
                           text="New ward manager", created_by_id=world.member_a)
    reporting = ReportingPeriod(collaborative_id=collab.id, measure_id=parts[0].id,
                                name="CQUIN Q1", starts_on=weeks[9], ends_on=weeks[0],
                                threshold=80, min_periods=8)
    db.session.add_all([phase, batch, planned, removed_period, chart_note, reporting])
    db.session.flush()
    comment = f.make_comment(cycle, member_a, "Worth a look")
    feedback = f.make_feedback(cycle, faculty, "Try a smaller scale")
    asked = f.make_feedback_request(cycle, member_a, faculty_id=faculty.id)
    note = Notification(user_id=member_a.id, kind=next(iter(NotificationKind)),
                        text="Something happened", object_type="cycle", object_id=cycle.id)
    db.session.add(note)
    db.session.flush()
    check = SustainCheck(cycle_id=cycle.id, adopted_on=weeks[2], months=1, due_on=weeks[0])
    db.session.add(check)
    db.session.flush()
    membership = db.session.scalars(db.select(Membership.id).filter_by(
        user_id=world.member_a, site_id=world.site_a)).one()
    invitation = Invitation(email="invited@example.org", site_id=site_a.id,
                            site_role=SiteRole.MEMBER, invited_by_id=world.lead_a)
    inactive = f.make_user(site=site_a, email="gone.a@example.org", name="Gus Gone")
    inactive.active = False
    db.session.add(invitation)
    db.session.flush()
    partner_role = db.session.scalars(db.select(CollaborativeRole.id).filter_by(
        user_id=world.partner)).one()
    # Photos on the shared cycle (one removed, restorable) and the draft; a file on the idea.
    photo, removed, draft_photo, idea_file = (
        attachment_services.save_upload(owner, TINY_PNG, filename="p.png", caption="",
                                        by=member_a)
        for owner in (cycle, cycle, draft, idea))
    attachment_services.delete(removed, by=member_a)
    db.session.commit()
    return {
        "cycle": cycle.id, "draft": draft.id, "trashed": trashed.id, "other_cycle": other.id,
        "idea": idea.id, "driver": driver.id, "measure": parts[0].id, "bundle": bundle.id,
        "local_measure": local.id, "phase": phase.id, "batch": batch.id, "event": event.id,
        "comment": comment.id, "feedback": feedback.id, "request": asked.id,
        "notification": note.id, "membership": membership, "site": world.site_a,
        "collaborative": world.collaborative, "network": world.network, "version": 1,
        "component": parts[1].id, "period": planned.id,
        "removed_period": removed_period.id,
        "tag": tags[0].id, "other_tag": tags[1].id, "idea_stamp": idea.updated_at.isoformat(),
        "this_week": weeks[0].isoformat(), "empty_week": weeks[-1].isoformat(),
        "invitation": invitation.id, "person": world.member_a, "inactive": inactive.id,
        "partner_role": partner_role, "check": check.id, "attachment": photo.id,
        "removed_attachment": removed.id,
        "draft_attachment": draft_photo.id, "idea_attachment": idea_file.id,
        "chart_note": chart_note.id,
        "reporting": reporting.id, "data_week": weeks[6].isoformat(),
    }


# Which object fills each id parameter of a rule.
PARAMETER_OBJECTS = {
    "cycle_id": "cycle", "idea_id": "idea", "driver_id": "driver", "measure_id": "measure",
    "phase_id": "phase", "batch_id": "batch", "event_id": "event", "comment_id": "comment",
    "feedback_id": "feedback", "request_id": "request", "notification_id": "notification",
    "membership_id": "membership", "site_id": "site", "collaborative_id": "collaborative",
    "network_id": "network", "invitation_id": "invitation", "user_id": "person",
    "role_id": "partner_role", "period_id": "period", "check_id": "check",
    "note_id": "chart_note", "reporting_id": "reporting",
    "version": "version", "attachment_id": "attachment",
}


def path_parameters(rule) -> list[str]:
    """The rule's path parameters, in order."""
    return [name for _, name in re.findall(r"<(\w+(?:\([^)]*\))?:)?(\w+)>", rule.rule)]


def fill(rule, objects: dict[str, int], **override) -> str:
    """The rule's path with each parameter from `objects` (or `override`)."""
    def value(match: re.Match) -> str:
        name = match.group(2)
        if name in override:
            return str(override[name])
        return WORDS.get(name) or str(objects[PARAMETER_OBJECTS[name]])

    return re.sub(r"<(\w+(?:\([^)]*\))?:)?(\w+)>", value, rule.rule)

