"""The review queues' counts (feedback.review.counts: how many requests a queue holds, how many
ask you) are sums over the sites' stored standing; they must equal what the queue lists, for
every kind of faculty member and every way a queue is scoped."""

import pytest
import sqlalchemy as sa

from tests import factories as f
from tests.test_networks import South, south  # noqa: F401  (the fixture)
from tracker.core.queries import faculty_sites
from tracker.extensions import db
from tracker.feedback import review
from tracker.models import (
    CollaborativeRole,
    CollaborativeRoleKind,
    Membership,
    Site,
    SiteRole,
    User,
    Visibility,
    utcnow,
)


def listed(user: User, ids, asked: review.Asked) -> tuple[int, int]:
    """(How many requests the queue lists, how many of those ask `user`), from the list."""
    requests = db.session.scalars(review._oldest_first(ids, asked.condition(user))).unique().all()
    return len(requests), sum(r.is_for(user, r.cycle.site.collaborative_id) for r in requests)


def queues(user: User, collaborative: int, networks: list[int]) -> list[tuple]:
    """Every queue the app shows `user`: the review queue and dashboard (all their sites), the
    review queue narrowed to each network, the faculty dashboard's whole collaborative and
    each network; and every collaborative's."""
    ids = user.faculty_collaborative_ids
    out = [(ids, review.asked_of(user, faculty_sites(user), narrowed=False))]
    for network in networks:
        out.append((ids, review.asked_of(user, faculty_sites(user, network), narrowed=True)))
    out.append(({collaborative}, review.asked_of(user, faculty_sites(user), narrowed=False)))
    # Every collaborative's (as an admin's): requests in one the user is not faculty of ask
    # them only by name or through their site.
    out.append((None, review.asked_of(user, None, narrowed=False)))
    for network in networks:
        scope = faculty_sites(user, network)
        out.append(({collaborative}, review.asked_of(user, scope, narrowed=True)))
    return out


@pytest.fixture
def asking(app, world, south: South):  # noqa: F811
    """Requests of every kind across two networks and a second collaborative: asking any
    faculty member, naming one (from inside and outside their network), asking a site; on
    drafts and deleted cycles; answered and withdrawn. Adds "both", faculty of the
    collaborative and on Beta's team."""
    with app.app_context():
        a, b = db.session.get(Site, world.site_a), db.session.get(Site, world.site_b)
        south_site = db.session.get(Site, south.site)
        regional = db.session.scalars(sa.select(User).filter_by(
            email="regional@example.org")).one()
        faculty = db.session.get(User, world.faculty)
        both = f.make_user(site=b, email="both@example.org", name="Bo Both")
        db.session.add(CollaborativeRole(user=both, collaborative_id=world.collaborative,
                                         role=CollaborativeRoleKind.FACULTY))
        other = f.make_collaborative("Other collaborative")
        elsewhere = f.make_site(other, "Elsewhere Hospital")
        db.session.add(Membership(user_id=both.id, site_id=elsewhere.id, role=SiteRole.MEMBER))
        now = utcnow()
        for site in (a, b, south_site, elsewhere):
            for n, ask in enumerate(({}, {"faculty_id": faculty.id}, {"faculty_id": regional.id},
                                     {"faculty_id": both.id}, {"to_site_id": b.id},
                                     {"to_site_id": a.id}, {"to_site_id": elsewhere.id})):
                cycle = f.make_cycle(site, title=f"{site.name} {n}")
                f.make_feedback_request(cycle, world.member_a, **ask)
                f.make_feedback_request(cycle, world.member_a, answered_at=now, **ask)
                f.make_feedback_request(cycle, world.member_a, withdrawn_at=now, **ask)
            draft = f.make_cycle(site, title="Draft", visibility=Visibility.SITE)
            f.make_feedback_request(draft, world.member_a)
            gone = f.make_cycle(site, title="Gone", deleted_at=now)
            f.make_feedback_request(gone, world.member_a, faculty_id=faculty.id)
        db.session.commit()
        world.tokens["both"] = both.session_token
        return [world.network, south.network]


@pytest.mark.parametrize("who", ["faculty", "regional@example.org", "both@example.org",
                                 "admin"])
def test_each_queue_counts_what_it_lists(app, world, asking, who):
    with app.app_context():
        user = (db.session.get(User, getattr(world, who)) if "@" not in who else
                db.session.scalars(sa.select(User).filter_by(email=who)).one())
        for ids, asked in queues(user, world.collaborative, asking):
            expected = listed(user, ids, asked)
            assert review.counts(user, ids, asked) == expected, (ids, asked)
            waiting, total, asks_you = review.oldest_waiting(user, ids, utcnow(), asked,
                                                             shown=5)
            assert (total, asks_you) == expected
            assert len(waiting) == min(5, expected[0])
