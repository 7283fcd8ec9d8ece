"""The last phases: comments and replies, faculty feedback, and learning events."""

from datetime import datetime, time, timedelta

from ..core import markdown
from ..extensions import db
from ..models import (
    ChangeIdea,
    Comment,
    EventKind,
    Feedback,
    FeedbackRequest,
    LearningEvent,
    Notification,
    NotificationKind,
    Stage,
    User,
    Visibility,
)
from . import bulk
from .context import Context, Draft, draft
from .tables import AGENDA, COMMENTS, EVENTS, FEEDBACK, MATERIALS, REQUESTS, WELL_KNOWN


def comments(ctx: Context) -> str:
    """Faculty feedback, peers from other sites and the partner, some answered in a thread;
    each told to the cycle's team (or the comment's author, for a reply) as a notification."""
    rng, top = ctx.rng, ctx.scale.comments * 2 // 3
    shared = [c for c in ctx.cycles
              if c.stage in (Stage.STUDY, Stage.ACT, Stage.COMPLETE)
              and c.visibility == Visibility.COLLABORATIVE]
    on_ideas = min(len(ctx.ideas), top // 3)
    targets: list[Draft | ChangeIdea] = rng.sample(shared, min(len(shared), top - on_ideas))
    targets += rng.sample(list(ctx.ideas.values()), on_ideas)
    rows, replies, used = [], [], dict.fromkeys(COMMENTS, 0)
    for target in targets:
        on_cycle = not isinstance(target, ChangeIdea)
        situation = target.decision if on_cycle else "idea"
        who, body, reply = COMMENTS[situation][used[situation] % len(COMMENTS[situation])]
        used[situation] += 1
        site = target.site if on_cycle else target.origin_site
        peer = rng.choice([p for p in ctx.profiles if p.site is not site])
        author = {"faculty": ctx.faculty[len(rows) % len(ctx.faculty)],
                  "peer": rng.choice(peer.team), "partner": ctx.partner}[who]
        when = ctx.at(target.updated_at.date() + timedelta(days=rng.randint(1, 6)), 11)
        comment = draft(Comment, cycle_id=target.id if on_cycle else None,
                        idea_id=None if on_cycle else target.id, parent=None, author=author,
                        body=body.format(site=peer.site.name), created_at=when)
        rows.append((target, comment))
        if reply and len(replies) < ctx.scale.comments - top:
            replies.append((target, draft(
                Comment, cycle_id=comment.cycle_id, idea_id=comment.idea_id, parent=comment,
                author=target.author, body=reply,
                created_at=ctx.at(when.date() + timedelta(days=1), 10))))
    made = ctx.comments = rows + replies
    bulk.insert_comments(ctx)
    told = _told(ctx, made)
    return (f"Created {len(made)} comments ({len(replies)} replies) and told {told:,} people "
            "of them.")


def _told(ctx: Context, made: list[tuple[Draft | ChangeIdea, Draft]]) -> int:
    """Notifications of comments: a cycle's team hears of each, an author of each reply."""
    teams = {p.site.id: p.team for p in ctx.profiles}
    rows = []
    for target, comment in made:
        title, excerpt = target.title, markdown.plain(comment.body, 120)
        if comment.parent is not None:
            people = [comment.parent.author]
            kind, text = NotificationKind.REPLY, (
                f"{comment.author.name} replied to your comment on “{title}”: {excerpt}")
        elif not isinstance(target, ChangeIdea):
            people = teams[target.site.id]
            kind, text = NotificationKind.COMMENT, (
                f"{comment.author.name} commented on “{title}”: {excerpt}")
        else:
            continue  # nobody follows an idea in the demo
        rows += [_notification(ctx, person, kind, comment.author, text, target, comment.created_at)
                 for person in people if person is not comment.author]
    rows += _unread_for_the_nurse(ctx)
    bulk.insert(Notification.__table__, rows)
    return len(rows)


def _notification(ctx: Context, person: User, kind: NotificationKind, actor: User, text: str,
                  target: Draft | ChangeIdea, when: datetime,
                  read: bool | None = None) -> dict[str, object]:
    """One notification; read a day later unless it is from the last two weeks."""
    if read is None:
        read = when.date() < ctx.today - timedelta(days=14)
    return {"user_id": person.id, "kind": kind, "actor_id": actor.id, "text": text,
            "object_type": "idea" if isinstance(target, ChangeIdea) else "cycle",
            "object_id": target.id, "created_at": when,
            "read_at": when + timedelta(days=1) if read else None, "emailed_at": when,
            "email_claim": None, "email_claimed_at": None}


def _unread_for_the_nurse(ctx: Context) -> list[dict[str, object]]:
    """The well-known ward nurse hears of other sites testing her site's ideas: the newest
    first tests elsewhere, unread (the scale says how many)."""
    home = ctx.profiles[0]
    nurse = home.team[next(n for n, local in WELL_KNOWN.items() if local == "nurse")]
    firsts = [c for c in ctx.cycles if c.previous is None and c.site is not home.site
              and c.created_at.date() < ctx.today]
    newest = sorted(firsts, key=lambda c: (c.created_at, c.id))[-ctx.scale.unread:]
    return [_notification(
        ctx, nurse, NotificationKind.IDEA_ACTIVITY, c.author,
        f"{c.author.name} ({c.site.name}) started testing “{c.idea.title}”.", c, c.created_at,
        read=False) for c in newest]


def feedback(ctx: Context) -> str:
    """Feedback requests to faculty (about one cycle in ten), most answered, some already
    addressed by the team; a site faculty never got to has all of its requests waiting."""
    answers = {p.site.id: p.feedback for p in ctx.profiles}
    shared = [c for c in ctx.cycles if c.visibility == Visibility.COLLABORATIVE]
    asking = [c for c in shared if c.stage in (Stage.STUDY, Stage.ACT)]
    done = [c for c in shared if c.stage == Stage.COMPLETE]
    asking += done[: max(4, len(asking), len(ctx.cycles) // 10)]
    asking += [c for c in done[::-1] if not answers[c.site.id] and c not in asking][:2]
    rows, answered, addressed = [], 0, 0
    for i, cycle in enumerate(asking):
        faculty = ctx.faculty[i % len(ctx.faculty)]
        asked = ctx.at(cycle.updated_at.date() + timedelta(days=1), 14)
        request = FeedbackRequest(cycle_id=cycle.id, requested_by=cycle.author,
                                  message=REQUESTS[i % 2], faculty=faculty if i % 3 else None,
                                  created_at=asked)
        rows.append(request)
        if not answers[cycle.site.id] or (cycle.stage != Stage.COMPLETE and i % 2 == 0):
            continue  # left waiting: the review queue has something in it
        row = FEEDBACK[i % len(FEEDBACK)]
        given = ctx.at(asked.date() + timedelta(days=2), 16)
        request.answered_at = given
        answer = Feedback(cycle_id=cycle.id, request=request, author=faculty, body=row.body,
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
