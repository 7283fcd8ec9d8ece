"""Background jobs: on the Redis queue when REDIS_URL is set (run by a worker, retried, never
twice), in the request's process when it is not."""

import os
from datetime import timedelta

import pytest
import redis

from tests import factories as f
from tests import redis_jobs
from tests.redis_jobs import queue_on
from tracker.core import jobs
from tracker.extensions import db
from tracker.jobs_cli import build_scheduler, worker_command
from tracker.measures import jobs as measure_jobs
from tracker.models import (
    EmailChoice,
    ImportBatch,
    NotificationKind,
    NotificationPreference,
    Site,
    utcnow,
)

# Only this Redis database number is ever flushed.
REDIS_TEST_URL = os.environ.get("REDIS_JOBS_TEST_URL", "redis://127.0.0.1:6379/6")


@pytest.fixture
def on_redis(app):
    """The app with REDIS_URL set to a throwaway Redis database; the queue emptied after."""
    with queue_on(app, REDIS_TEST_URL) as queue:
        yield queue


def run_worker(app) -> None:
    redis_jobs.run_worker(app, REDIS_TEST_URL)


def mention_faculty(app, login, world) -> None:
    with app.app_context():
        cycle = f.make_cycle(db.session.get(Site, world.site_a))
        db.session.add(NotificationPreference(user_id=world.faculty,
                                              kind=NotificationKind.MENTION,
                                              email=EmailChoice.IMMEDIATELY))
        db.session.commit()
        cycle_id = cycle.id
    response = login("member_b").post(f"/cycles/{cycle_id}/comments",
                                      data={"body": "@[Fay Faculty] hi"})
    assert response.status_code == 302


def test_with_redis_the_email_waits_for_the_worker_and_is_sent_once(
        app, login, world, outbox, on_redis):
    mention_faculty(app, login, world)
    assert outbox == []  # the page did not wait for the mail server
    assert on_redis.count == 1
    (job,) = on_redis.get_jobs()
    assert job.retries_left == len(jobs.RETRY_WAITS) and job.retry_intervals == jobs.RETRY_WAITS
    run_worker(app)
    assert [m["To"] for m in outbox] == ["faculty@example.org"]
    # The same job again (a retry after a lost acknowledgement): nothing is sent twice.
    on_redis.enqueue(jobs.run, *job.args)
    run_worker(app)
    assert len(outbox) == 1


def test_without_redis_the_email_is_sent_by_the_request(app, login, world, outbox):
    assert not app.config.get("REDIS_URL")
    mention_faculty(app, login, world)
    assert [m["To"] for m in outbox] == ["faculty@example.org"]


def test_only_marked_functions_can_be_queued(app):
    with app.app_context(), pytest.raises(ValueError, match="not marked @job"):
        jobs.enqueue(print, "x")


def test_uploads_left_unconfirmed_for_a_day_are_discarded_with_their_file(app, world):
    with app.app_context():
        measure = f.make_measure(world.collaborative)
        batches = [ImportBatch(measure_id=measure.id, site_id=world.site_a, filename="w.csv",
                               sha256="0" * 64, content=b"week,value\n", created_by_id=world.lead_a,
                               created_at=utcnow() - age) for age in
                   (timedelta(hours=25), timedelta(hours=1))]
        batches.append(ImportBatch(measure_id=measure.id, site_id=world.site_a, filename="d.csv",
                                   sha256="1" * 64, status="imported", content=None,
                                   created_by_id=world.lead_a,
                                   created_at=utcnow() - timedelta(days=9)))
        db.session.add_all(batches)
        db.session.commit()
        ids = [b.id for b in batches]
        jobs.enqueue(measure_jobs.discard_stale_imports)  # no Redis: runs now
        db.session.expire_all()
        states = [(b.status, b.content is None) for b in
                  (db.session.get(ImportBatch, i) for i in ids)]
    assert states == [("discarded", True), ("pending", False), ("imported", True)]


def test_the_scheduler_queues_digests_daily_and_the_clean_up_hourly(app, on_redis):
    app.config["PUBLIC_URL"] = "https://dreaming.example.org"
    scheduled = {job.name: job for job in
                 build_scheduler(app, redis.Redis.from_url(REDIS_TEST_URL)).get_jobs()}
    digests = scheduled["tracker.notifications.delivery.send_daily_digests"]
    assert digests.cron == "0 7 * * *"
    assert digests.args == ("tracker.notifications.delivery.send_daily_digests", [],
                            {"public_url": "https://dreaming.example.org"})
    assert scheduled["tracker.measures.jobs.discard_stale_imports"].cron == "17 * * * *"
    assert scheduled["tracker.health.jobs.refresh_statistics"].cron == "30 3 * * *"
    forget = scheduled["tracker.health.jobs.forget_used_keys"]
    assert forget.cron == "10 3 * * *"
    assert forget.args == ("tracker.health.jobs.forget_used_keys", [],
                           {"used_keys_kept_days": app.config["USED_KEYS_KEPT_DAYS"]})


def test_the_worker_needs_redis(app):
    app.config["REDIS_URL"] = None
    result = app.test_cli_runner().invoke(worker_command)
    assert result.exit_code == 2 and "Set REDIS_URL" in result.output


def test_search_reindex_in_the_background_waits_for_the_worker(app, runner, world, on_redis):
    from tracker.models import SearchDocument

    with app.app_context():
        f.make_idea(db.session.get(Site, world.site_a), title="Fasting cards")
        db.session.commit()
        db.session.execute(SearchDocument.__table__.delete())
        db.session.commit()
    result = runner.invoke(args=["search-reindex", "--background"])
    assert result.output == "Queued: a worker will rebuild the search index.\n"
    assert on_redis.count == 1
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count(SearchDocument.id))) == 0
    run_worker(app)
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count(SearchDocument.id))) == 1


def test_search_reindex_in_the_background_needs_redis(app, runner):
    app.config["REDIS_URL"] = None
    result = runner.invoke(args=["search-reindex", "--background"])
    assert result.exit_code == 2 and "needs REDIS_URL" in result.output
