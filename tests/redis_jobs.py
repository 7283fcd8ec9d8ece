"""The background queue on a throwaway Redis database, for tests that run real jobs. Each test
module owns one database number and only ever flushes that one."""

from collections.abc import Iterator
from contextlib import contextmanager

import redis
from rq import Queue, SimpleWorker

from tracker.core import jobs


@contextmanager
def queue_on(app, url: str) -> Iterator[Queue]:
    """The app with REDIS_URL set to `url`, its database emptied before and after."""
    store = redis.Redis.from_url(url)
    store.flushdb()
    app.config["REDIS_URL"] = url
    try:
        yield jobs.queue(url)
    finally:
        store.flushdb()
        store.close()


def run_worker(app, url: str) -> None:
    """What `flask --app wsgi worker --burst` does: run every waiting job, then stop."""
    jobs.bind_worker_app(app)
    try:
        SimpleWorker([jobs.queue(url)], connection=redis.Redis.from_url(url)).work(burst=True)
    finally:
        jobs.bind_worker_app(None)
