"""Processes for the scale-out tests: two gunicorn app servers and a `flask worker`, each a
separate process with the production configuration, sharing one database and one Redis."""

import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
# A Redis database number of its own, emptied before and after (the queue and throttle keys).
REDIS_URL = os.environ.get("SCALEOUT_REDIS_URL", "redis://127.0.0.1:6379/8")
SECRET_KEY = "scale-out-test-secret-shared-by-every-server"


def environment(database_url: str) -> dict[str, str]:
    """What every process of the deployment is started with (as a real one would be)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("MAIL_", "FLASK_"))}
    env.update(DATABASE_URL=database_url, REDIS_URL=REDIS_URL, SECRET_KEY=SECRET_KEY,
               TRACKER_ENV="production", SESSION_COOKIE_SECURE="0",  # plain http on loopback
               LOG_REQUESTS="0", PYTHONUNBUFFERED="1")
    return env


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def flask(env: dict[str, str], *args: str, timeout: int = 300) -> str:
    """Run `flask --app wsgi ARGS` to completion; its output (stdout and stderr together)."""
    done = subprocess.run([sys.executable, "-m", "flask", "--app", "wsgi", *args], cwd=ROOT,
                          env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                          timeout=timeout)
    assert done.returncode == 0, done.stdout[-3000:]
    return done.stdout


def start_server(env: dict[str, str], port: int, log: Path) -> subprocess.Popen:
    with log.open("w") as out:  # the child keeps its own copy of the descriptor
        return subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "--workers", "1", "--threads", "4",
             "--bind", f"127.0.0.1:{port}", "--timeout", "120", "wsgi:app"],
            cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT)


def wait_until_live(url: str, process: subprocess.Popen, log: Path, seconds: int = 90) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise AssertionError(f"server stopped: {log.read_text()[-3000:]}")
        try:
            with urllib.request.urlopen(url + "/healthz", timeout=5) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.3)
    raise AssertionError(f"server not live after {seconds} s: {log.read_text()[-3000:]}")


def stop(process: subprocess.Popen) -> None:
    process.terminate()
    try:
        process.wait(timeout=30)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


def run_worker(env: dict[str, str]) -> str:
    """One worker process that runs every queued job and stops (`--burst`); its output."""
    return flask(env, "worker", "--burst")
