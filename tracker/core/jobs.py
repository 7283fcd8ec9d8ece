"""Background jobs: on a Redis queue (RQ) when REDIS_URL is set, in this process otherwise.

A job is a function marked `@job`, called through `enqueue(fn, ...)` with plain arguments
(ids, strings: anything JSON can carry, never model objects). With REDIS_URL set it goes to the
queue and `flask --app wsgi worker` runs it, retrying with backoff when it raises; a job must
therefore be safe to run twice (the email jobs claim their rows first, so a retry never sends
twice). With no REDIS_URL (the embedded default, `make run`) it runs at once, here, so the app
needs nothing else installed.

Periodic jobs (`PERIODIC`) are put on the queue by `flask --app wsgi scheduler`; without Redis,
run their commands from the host's cron instead (see the README).
"""

from collections.abc import Callable
from dataclasses import dataclass

import redis
from flask import Flask, current_app
from rq import Queue, Retry

from ..extensions import db

QUEUE = "tracker"
RETRY_WAITS = [10, 60, 300]  # seconds before the 1st, 2nd and 3rd retry
_jobs: dict[str, Callable] = {}
_worker_app: Flask | None = None


@dataclass(frozen=True)
class Periodic:
    fn: Callable
    cron: str  # minute hour day month weekday, UTC
    config_kwargs: tuple[str, ...] = ()  # keyword arguments read from the app's config


PERIODIC: list[Periodic] = []


def job(fn: Callable) -> Callable:
    """Mark a function as a job (it runs inside an app context, with its own session)."""
    _jobs[job_name(fn)] = fn
    return fn


def periodic(cron: str, *config_kwargs: str) -> Callable[[Callable], Callable]:
    """Mark a job to be queued on a cron schedule, with keyword arguments from the config."""
    def mark(fn: Callable) -> Callable:
        PERIODIC.append(Periodic(job(fn), cron, config_kwargs))
        return fn
    return mark


def enqueue(fn: Callable, *args, **kwargs) -> None:
    """Run `fn(*args, **kwargs)` in the background (Redis) or now (no Redis)."""
    name = job_name(fn)
    if name not in _jobs:
        raise ValueError(f"{name} is not marked @job")
    url = current_app.config.get("REDIS_URL")
    if not url:
        fn(*args, **kwargs)
        return
    queue(url).enqueue(run, name, list(args), kwargs,
                       retry=Retry(max=len(RETRY_WAITS), interval=RETRY_WAITS))


def queue(url: str) -> Queue:
    return Queue(QUEUE, connection=redis.Redis.from_url(url))


def run(name: str, args: list, kwargs: dict) -> None:
    """What the worker calls: the job by name, in the worker's app context."""
    app = _worker_app or current_app._get_current_object()
    with app.app_context():
        try:
            _jobs[name](*args, **kwargs)
        finally:
            db.session.remove()


def bind_worker_app(app: Flask) -> None:
    """The app a worker process runs its jobs in (set once, by the worker command)."""
    global _worker_app
    _worker_app = app


def periodic_kwargs(entry: Periodic, app: Flask) -> dict:
    return {name.lower(): app.config[name] for name in entry.config_kwargs}


def job_name(fn: Callable) -> str:
    return f"{fn.__module__}.{fn.__qualname__}"
