"""`flask --app wsgi worker` and `flask --app wsgi scheduler`: the background jobs' processes
(tracker/core/jobs.py). Both need REDIS_URL; without it jobs run inside the app."""

import click
import redis
from flask import current_app
from flask.cli import with_appcontext
from rq import SimpleWorker
from rq.cron import CronScheduler

from .core import jobs


def _redis_url() -> str:
    url = current_app.config.get("REDIS_URL")
    if not url:
        raise click.UsageError("Set REDIS_URL: without it, jobs run inside the app and need "
                               "no worker (run `send-digests` from cron for the digests).")
    return url


@click.command("worker")
@with_appcontext
@click.option("--burst", is_flag=True, help="Run the jobs waiting, then stop.")
def worker_command(burst):
    """Run background jobs from the queue (retries included) until stopped."""
    url = _redis_url()
    jobs.bind_worker_app(current_app._get_current_object())
    # SimpleWorker runs each job in this process: no fork to share the database pool with.
    worker = SimpleWorker([jobs.queue(url)], connection=redis.Redis.from_url(url))
    worker.work(burst=burst, with_scheduler=True)  # the scheduler re-queues retries


def build_scheduler(app, connection: redis.Redis) -> CronScheduler:
    """A cron scheduler with every periodic job of the app registered."""
    cron = CronScheduler(connection=connection)
    for entry in jobs.PERIODIC:
        name = jobs.job_name(entry.fn)
        cron.register(jobs.run, queue_name=jobs.QUEUE, cron=entry.cron, name=name,
                      args=(name, [], jobs.periodic_kwargs(entry, app)))
    return cron


@click.command("scheduler")
@with_appcontext
def scheduler_command():
    """Queue the periodic jobs (daily digests, upload clean-up) on time, until stopped.
    Run one scheduler beside any number of workers."""
    build_scheduler(current_app, redis.Redis.from_url(_redis_url())).start()
