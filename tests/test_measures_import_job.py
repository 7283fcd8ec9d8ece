"""A large import, confirmed, runs as a background job (IMPORT_BACKGROUND_ROWS): on the Redis
queue when REDIS_URL is set (the page does not wait), in the request when it is not; all rows
or none, once, and the user is told how it went."""

import os
from datetime import timedelta

import pytest

from tests import redis_jobs
from tests.redis_jobs import queue_on
from tracker.core import jobs
from tracker.extensions import db
from tracker.measures import jobs as measure_jobs
from tracker.measures import services
from tracker.models import (
    AuditEvent,
    ImportBatch,
    MeasureValueChange,
    Membership,
    Notification,
    NotificationKind,
    SiteRole,
)

from . import test_measures_bundles, test_measures_import
from .test_measures_bundles import WEEKS as BUNDLE_WEEKS
from .test_measures_bundles import bundle_file, put, week_numbers
from .test_measures_import import (
    WEEKS,
    confirm,
    csv_bytes,
    preview_url,
    simple_file,
    upload,
    values,
)

# Only this Redis database number is ever flushed (5, 6, 8 and 9 belong to other tests).
REDIS_TEST_URL = os.environ.get("REDIS_IMPORT_TEST_URL", "redis://127.0.0.1:6379/7")
FILE_ROWS = {(5, 10, ""), (6, 10, ""), (7, 10, "")}  # simple_file()'s


# The same measure and bundle as the in-request import's tests.
measure_id = test_measures_import.measure_id
bundle = test_measures_bundles.bundle


@pytest.fixture
def background(app):
    """Imports of 2 rows or more run as jobs (simple_file() has 3)."""
    app.config["IMPORT_BACKGROUND_ROWS"] = 2


@pytest.fixture
def on_redis(app, background):
    """The app with REDIS_URL set to a throwaway Redis database; the queue emptied after."""
    with queue_on(app, REDIS_TEST_URL) as queue:
        yield queue


def run_worker(app) -> None:
    redis_jobs.run_worker(app, REDIS_TEST_URL)


def batch_state(app) -> tuple:
    with app.app_context():
        batch = db.session.scalars(db.select(ImportBatch)).one()
        return batch.status, batch.content is None, batch.changed_count


def told(app, user_id) -> list[str]:
    with app.app_context():
        return db.session.scalars(
            db.select(Notification.text).where(Notification.user_id == user_id,
                                               Notification.kind == NotificationKind.MEASURE_IMPORT)
            .order_by(Notification.id)).all()


def import_queued(app, client, measure_id, site_id, content=None) -> str:
    """Upload and confirm: the job is queued, the page did not wait. The preview's URL."""
    url = preview_url(upload(client, measure_id, site_id, content or simple_file()))
    response = confirm(client, url)
    assert response.status_code == 302
    assert response.location.endswith(f"/measures/{measure_id}?site_id={site_id}")
    assert ("Importing 3 rows from data.csv in the background: you will be notified when it "
            "is done.") in client.get(response.location).get_data(True)
    return url


def test_without_redis_a_large_import_runs_as_a_job_in_the_request(app, login, world,
                                                                   measure_id, background):
    assert not app.config.get("REDIS_URL")
    client = login("member_a")
    url = preview_url(upload(client, measure_id, world.site_a, simple_file()))
    response = confirm(client, url)
    assert response.status_code == 302
    assert response.location.endswith(f"/measures/{measure_id}?site_id={world.site_a}")
    assert "Imported 3 rows from data.csv: 3 periods changed." in client.get(
        response.location).get_data(True)
    assert set(values(app, measure_id).values()) == FILE_ROWS
    assert batch_state(app) == ("imported", True, 3)
    assert told(app, world.member_a) == ["Imported 3 rows from data.csv: 3 periods changed."]
    with app.app_context():
        batch = db.session.scalars(db.select(ImportBatch)).one()
        assert batch.confirmed_at is not None
        assert {(c.source, c.import_batch_id, c.changed_by_id) for c in db.session.scalars(
            db.select(MeasureValueChange))} == {("import", batch.id, world.member_a)}
        event = db.session.scalars(db.select(AuditEvent).filter_by(
            action="measure.data_imported")).one()
        assert (event.actor_id, event.after) == (world.member_a, {"rows": 3, "changed": 3})
        batch_id = batch.id
    # The notification leads to the measure at the batch's site; the batch is done.
    assert client.get(f"/measures/imports/{batch_id}").location.endswith(
        f"/measures/{measure_id}?site_id={world.site_a}")
    assert login("member_b").get(f"/measures/imports/{batch_id}").status_code == 404
    assert client.get(url).status_code == 404
    # The job again (a retry): nothing changes.
    with app.app_context():
        assert measure_jobs.import_batch(batch_id, world.member_a) == "imported"
    assert len(told(app, world.member_a)) == 1
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count(MeasureValueChange.id))) == 3


def test_with_redis_the_import_waits_for_the_worker_and_runs_once(app, login, world,
                                                                  measure_id, on_redis):
    client = login("member_a")
    url = import_queued(app, client, measure_id, world.site_a)
    assert values(app, measure_id) == {}
    assert batch_state(app) == ("importing", False, 0)
    assert on_redis.count == 1
    (job,) = on_redis.get_jobs()
    assert job.args[0] == jobs.job_name(measure_jobs.import_batch)
    # The preview says so, and offers nothing to confirm or discard.
    html = client.get(url).get_data(True)
    assert "is being imported in the background" in html
    assert 'value="Import"' not in html and ">Import</button>" not in html
    assert 'name="discard"' not in html
    # A second confirmation (another tab, a double click), or a discard, changes nothing.
    assert confirm(client, url).status_code == 409
    assert client.post(url, data={"discard": "Discard this file"}).status_code == 409
    assert on_redis.count == 1 and batch_state(app) == ("importing", False, 0)
    assert client.get(f"/measures/imports/{job.args[1][0]}").location.endswith(url)

    run_worker(app)
    assert set(values(app, measure_id).values()) == FILE_ROWS
    assert batch_state(app) == ("imported", True, 3)
    assert told(app, world.member_a) == ["Imported 3 rows from data.csv: 3 periods changed."]
    # The same job again (a retry after a lost acknowledgement): nothing is imported twice.
    on_redis.enqueue(jobs.run, *job.args)
    run_worker(app)
    assert len(told(app, world.member_a)) == 1
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count(MeasureValueChange.id))) == 3
        assert db.session.scalar(db.select(db.func.count(AuditEvent.id)).filter_by(
            action="measure.data_imported")) == 1


def test_rows_that_became_invalid_import_nothing_and_the_user_is_told(app, login, world,
                                                                      measure_id, on_redis):
    with app.app_context():
        db.session.add(Membership(user_id=world.member_a, site_id=world.site_b,
                                  role=SiteRole.MEMBER))
        db.session.commit()
    content = csv_bytes([["Site", "Week", "Numerator", "Denominator"],
                         ["Alpha Hospital", WEEKS[0].isoformat(), "1", "2"],
                         ["Alpha Hospital", WEEKS[1].isoformat(), "1", "2"],
                         ["Beta Hospital", WEEKS[0].isoformat(), "1", "3"]])
    client = login("member_a")
    url = import_queued(app, client, measure_id, world.site_a, content)
    with app.app_context():  # off the Beta team before the worker gets to it
        db.session.execute(db.delete(Membership).filter_by(user_id=world.member_a,
                                                           site_id=world.site_b))
        db.session.commit()
    run_worker(app)
    assert values(app, measure_id) == {}  # not even Alpha's rows
    assert batch_state(app) == ("pending", False, 0)  # the file kept, for the preview
    (text,) = told(app, world.member_a)
    assert text == ("Nothing was imported from data.csv: 1 problem since you checked it. Row 4: "
                    "Site: you are not on the Beta Hospital team, so you cannot import its data. "
                    "Open it to see it.")
    # The notification leads back to the preview, which shows the problem.
    with app.app_context():
        batch_id = db.session.scalars(db.select(ImportBatch.id)).one()
    assert client.get(f"/measures/imports/{batch_id}").location.endswith(url)
    assert "Row 4: Site: you are not on the Beta Hospital team" in client.get(url).get_data(True)


def test_an_import_of_a_site_no_longer_mine_is_discarded(app, login, world, measure_id,
                                                         on_redis):
    client = login("member_a")
    import_queued(app, client, measure_id, world.site_a)
    with app.app_context():
        db.session.execute(db.delete(Membership).filter_by(user_id=world.member_a,
                                                           site_id=world.site_a))
        db.session.commit()
    run_worker(app)
    assert values(app, measure_id) == {}
    assert batch_state(app) == ("discarded", True, 0)  # the file gone with it
    assert told(app, world.member_a) == [
        "Nothing was imported from data.csv: you may no longer import DrEaMing data at Alpha "
        "Hospital."]


def test_numbers_entered_meanwhile_that_contradict_the_file_import_nothing(app, login, world,
                                                                          bundle, on_redis):
    client = login("member_a")
    content = bundle_file([(BUNDLE_WEEKS[2], 5, 10), (BUNDLE_WEEKS[1], 12, 20),
                           (BUNDLE_WEEKS[0], 1, 2)])
    url = import_queued(app, client, bundle["dream"], world.site_a, content)
    put(app, bundle, world.site_a, BUNDLE_WEEKS[1], Mobilise=(11, 20))  # typed meanwhile
    run_worker(app)
    assert week_numbers(app, bundle, world.site_a, BUNDLE_WEEKS[2]) == {}
    assert week_numbers(app, bundle, world.site_a, BUNDLE_WEEKS[1]) == {"Mobilise": (11, 20)}
    assert batch_state(app) == ("pending", False, 0)
    (text,) = told(app, world.member_a)
    assert text.startswith("Nothing was imported from data.csv: 1 problem since you checked "
                           "it. Row 3: Numerator: Only 11 of 20 patients met Mobilise")
    assert "Only 11 of 20 patients met Mobilise" in client.get(url).get_data(True)


def test_a_bundle_conflict_at_the_save_itself_imports_nothing(app, login, world, measure_id,
                                                              on_redis, monkeypatch):
    # Numbers entered between the job's check and its save (the save re-checks, locked).
    def conflict(*args, **kwargs):
        raise services.BundleConflict({})

    client = login("member_a")
    import_queued(app, client, measure_id, world.site_a)
    monkeypatch.setattr(services, "save_entries", conflict)
    run_worker(app)
    assert values(app, measure_id) == {}
    assert batch_state(app) == ("pending", False, 0)
    assert told(app, world.member_a) == [
        "Nothing was imported from data.csv: some rows now contradict numbers entered "
        "meanwhile. Open it to see which."]


def test_an_error_in_the_last_run_leaves_the_batch_to_try_again(app, login, world, measure_id,
                                                               background, monkeypatch):
    def broken(*args, **kwargs):
        raise RuntimeError("database went away")

    client = login("member_a")
    url = preview_url(upload(client, measure_id, world.site_a, simple_file()))
    monkeypatch.setattr(services, "save_entries", broken)
    response = confirm(client, url)  # no Redis: the job runs here, and has no retry left
    assert response.status_code == 302 and response.location.endswith(url)
    assert "Nothing was imported from data.csv: an error on our side." in client.get(
        response.location).get_data(True)
    assert values(app, measure_id) == {}
    assert batch_state(app) == ("pending", False, 0)
    monkeypatch.undo()
    assert confirm(client, url).status_code == 302  # confirmed again: imported
    assert set(values(app, measure_id).values()) == FILE_ROWS


def test_under_the_threshold_the_request_imports_without_a_job(app, login, world, measure_id,
                                                               on_redis):
    app.config["IMPORT_BACKGROUND_ROWS"] = 4
    client = login("member_a")
    response = confirm(client, preview_url(upload(client, measure_id, world.site_a,
                                                  simple_file())))
    assert response.status_code == 302
    assert set(values(app, measure_id).values()) == FILE_ROWS
    assert batch_state(app) == ("imported", True, 3)
    assert told(app, world.member_a) == []  # the page said so
    assert [j.args[0] for j in on_redis.get_jobs()] == ["tracker.sustain.jobs.watch_site"]


def clean_up(app) -> None:
    """The hourly clean-up, as the scheduler queues it and a worker runs it."""
    with app.app_context():
        jobs.enqueue(measure_jobs.discard_stale_imports)
    run_worker(app)


def test_a_batch_whose_job_was_lost_is_released_by_the_hourly_clean_up(app, login, world,
                                                                       measure_id, on_redis):
    client = login("member_a")
    url = import_queued(app, client, measure_id, world.site_a)
    on_redis.empty()  # the worker was killed mid-import: the job is gone, the batch unfinished
    clean_up(app)
    assert batch_state(app) == ("importing", False, 0)  # too soon to tell
    with app.app_context():
        batch = db.session.scalars(db.select(ImportBatch)).one()
        batch.confirmed_at -= services.STUCK_IMPORT + timedelta(minutes=1)
        db.session.commit()
    clean_up(app)
    assert batch_state(app) == ("pending", False, 0)
    assert told(app, world.member_a) == [
        "Nothing was imported from data.csv: the import was interrupted. Open it to try again."]
    assert confirm(client, url).status_code == 302  # confirmed again: queued again
    run_worker(app)
    assert set(values(app, measure_id).values()) == FILE_ROWS


def test_an_import_that_cannot_be_queued_stays_to_confirm(app, login, world, measure_id,
                                                          background):
    app.config["REDIS_URL"] = "redis://127.0.0.1:1/0"  # nothing listens there
    client = login("member_a")
    url = preview_url(upload(client, measure_id, world.site_a, simple_file()))
    response = confirm(client, url)
    assert response.status_code == 302 and response.location.endswith(url)
    assert "The import could not be started; nothing was imported." in client.get(
        url).get_data(True)
    assert batch_state(app) == ("pending", False, 0)


def test_an_error_is_retried_by_the_queue_and_the_last_attempt_gives_the_batch_back(
        app, login, world, measure_id, on_redis, monkeypatch):
    def broken(*args, **kwargs):
        raise RuntimeError("database went away")

    client = login("member_a")
    import_queued(app, client, measure_id, world.site_a)
    monkeypatch.setattr(services, "save_entries", broken)
    run_worker(app)
    assert batch_state(app) == ("importing", False, 0)  # the retry will claim it
    assert told(app, world.member_a) == []
    (job_id,) = on_redis.scheduled_job_registry.get_job_ids()
    job = on_redis.fetch_job(job_id)
    assert job.retries_left == len(jobs.RETRY_WAITS) - 1
    job.retries_left = 0  # as the last retry
    job.save()
    on_redis.scheduled_job_registry.remove(job)
    on_redis.enqueue_job(job)
    run_worker(app)
    assert values(app, measure_id) == {}
    assert batch_state(app) == ("pending", False, 0)
    assert told(app, world.member_a) == [
        "Nothing was imported from data.csv: an error on our side. Open it to try again."]
