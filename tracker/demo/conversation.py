"""The last phases: comments and replies, faculty feedback, and learning events."""

from datetime import datetime, time, timedelta

from ..extensions import db
from ..models import (
    ChangeIdea,
    Comment,
    Cycle,
    EventKind,
    Feedback,
    FeedbackRequest,
    LearningEvent,
    Notification,
    NotificationKind,
    Stage,
    Visibility,
)
from .context import Context
from .tables import AGENDA, COMMENTS, EVENTS, FEEDBACK, MATERIALS, REQUESTS


def comments(ctx: Context) -> str:
    """Faculty feedback, peers from other sites and the partner, some answered in a thread."""
    rng, top = ctx.rng, ctx.scale.comments * 2 // 3
    shared = [c for c in ctx.cycles
              if c.stage in (Stage.STUDY, Stage.ACT, Stage.COMPLETE)
              and c.visibility == Visibility.COLLABORATIVE]
    on_ideas = min(len(ctx.ideas), top // 3)
    targets: list[Cycle | ChangeIdea] = rng.sample(shared, min(len(shared), top - on_ideas))
    targets += rng.sample(list(ctx.ideas.values()), on_ideas)
    rows, replies, used = [], [], dict.fromkeys(COMMENTS, 0)
    for target in targets:
        situation = target.decision if isinstance(target, Cycle) else "idea"
        who, body, reply = COMMENTS[situation][used[situation] % len(COMMENTS[situation])]
        used[situation] += 1
        site = target.site if isinstance(target, Cycle) else target.origin_site
        peer = rng.choice([p for p in ctx.profiles if p.site is not site])
        author = {"faculty": ctx.faculty[len(rows) % len(ctx.faculty)],
                  "peer": rng.choice(peer.team), "partner": ctx.partner}[who]
        when = ctx.at(target.updated_at.date() + timedelta(days=rng.randint(1, 6)), 11)
        comment = Comment(cycle_id=target.id if isinstance(target, Cycle) else None,
                          idea_id=None if isinstance(target, Cycle) else target.id,
                          author=author, body=body.format(site=peer.site.name), created_at=when)
        rows.append(comment)
        if reply and len(replies) < ctx.scale.comments - top:
            replies.append(Comment(
                cycle_id=comment.cycle_id, idea_id=comment.idea_id, parent=comment,
                author=target.author, body=reply,
                created_at=ctx.at(when.date() + timedelta(days=1), 10)))
    db.session.add_all(rows + replies)
    db.session.flush()
    return f"Created {len(rows) + len(replies)} comments ({len(replies)} replies)."


def feedback(ctx: Context) -> str:
    """Feedback requests to faculty, most answered (some already addressed by the team)."""
    shared = [c for c in ctx.cycles if c.visibility == Visibility.COLLABORATIVE]
    asking = [c for c in shared if c.stage in (Stage.STUDY, Stage.ACT)]
    asking += [c for c in shared if c.stage == Stage.COMPLETE][: max(4, len(asking))]
    rows, answered, addressed = [], 0, 0
    for i, cycle in enumerate(asking):
        faculty = ctx.faculty[i % len(ctx.faculty)]
        asked = ctx.at(cycle.updated_at.date() + timedelta(days=1), 14)
        request = FeedbackRequest(cycle=cycle, requested_by=cycle.author, message=REQUESTS[i % 2],
                                  faculty=faculty if i % 3 else None, created_at=asked)
        rows.append(request)
        if cycle.stage != Stage.COMPLETE and i % 2 == 0:
            continue  # left waiting: the review queue has something in it
        row = FEEDBACK[i % len(FEEDBACK)]
        given = ctx.at(asked.date() + timedelta(days=2), 16)
        request.answered_at = given
        answer = Feedback(cycle=cycle, request=request, author=faculty, body=row.body,
                          section=row.section, criterion=row.criterion, created_at=given)
        answered += 1
        if cycle.stage == Stage.COMPLETE:
            answer.addressed_at = ctx.at(given.date() + timedelta(days=3), 9)
            answer.addressed_by = cycle.author
            addressed += 1
        rows.append(answer)
        rows.append(Notification(
            user=cycle.author, kind=NotificationKind.FEEDBACK_GIVEN, actor=faculty,
            text=f"{faculty.name} gave feedback on “{cycle.title}”.", object_type="cycle",
            object_id=cycle.id, created_at=given,
            read_at=answer.addressed_at, emailed_at=given))
    db.session.add_all(rows)
    db.session.flush()
    return (f"Created {len(asking)} feedback requests ({answered} answered, {addressed} "
            "addressed).")


def events(ctx: Context) -> str:
    """Learning sessions, a regional webinar and a deadline around today."""
    rows = []
    for row in EVENTS:
        starts = datetime.combine(ctx.today + timedelta(days=row.days),
                                  time(10 if row.hours else 17))
        session = row.kind == EventKind.LEARNING_SESSION
        rows.append(LearningEvent(
            collaborative=ctx.networks[0] if row.regional else ctx.national, kind=row.kind,
            title=row.title, starts_at=starts,
            ends_at=starts + timedelta(hours=row.hours) if row.hours else None,
            location=row.location, details=row.details, created_by_id=ctx.faculty[1].id,
            agenda=AGENDA if session else "", materials=MATERIALS if session else "",
            created_at=ctx.at(ctx.today - timedelta(days=70))))
    db.session.add_all(rows)
    db.session.flush()
    return f"Created {len(rows)} learning events."
