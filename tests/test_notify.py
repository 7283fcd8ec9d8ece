from tests import factories as f
from tracker.core.notify import link_for, notify
from tracker.extensions import db
from tracker.models import Notification, NotificationKind, Site, User


def test_notify_skips_the_actor_and_duplicates_and_links_to_the_object(app, world):
    with app.app_context():
        cycle = f.make_cycle(db.session.get(Site, world.site_a), title="Chairs")
        actor = db.session.get(User, world.member_a)
        added = notify([world.lead_a, world.lead_a, actor, db.session.get(User, world.faculty)],
                       NotificationKind.COMMENT, "Amy commented on Chairs", actor=actor,
                       obj=cycle)
        db.session.commit()
        rows = db.session.scalars(db.select(Notification).order_by(Notification.user_id)).all()
        assert [n.user_id for n in rows] == [world.lead_a, world.faculty]
        assert len(added) == 2
        assert (rows[0].object_type, rows[0].object_id, rows[0].actor_id) == (
            "cycle", cycle.id, world.member_a)
        with app.test_request_context():
            assert link_for(rows[0]) == f"/cycles/{cycle.id}"
            rows[0].object_type = "unknown"
            assert link_for(rows[0]) is None
