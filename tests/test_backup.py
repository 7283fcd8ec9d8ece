"""`backup` and `restore`: a consistent copy while the app writes, restored with nothing lost."""

import hashlib
import threading
from collections import Counter
from datetime import date

import pytest
import sqlalchemy as sa

from tests.conftest import make_config
from tracker import create_app
from tracker.core import backup
from tracker.demo import build_demo
from tracker.extensions import db
from tracker.models import AuditEvent

# A writer thread and a second database read what the test commits: real commits.
pytestmark = pytest.mark.committed

WRITER = "test.writer"


@pytest.fixture
def source(app):
    """The app with the demo collaborative committed."""
    with app.app_context():
        build_demo(echo=lambda line: None, today=date(2026, 3, 11))
        db.session.commit()
    return app


@pytest.fixture
def target(database_url, tmp_path):
    """An app on a new, empty database of the same engine, dropped after the test."""
    url = sa.make_url(database_url)
    admin = None
    if url.get_backend_name() == "sqlite":
        target_url = url.set(database=str(tmp_path / "restored.sqlite"))
    else:
        target_url = url.set(database=f"{url.database}_restore")
        admin = sa.create_engine(url.set(database="postgres"), isolation_level="AUTOCOMMIT")
        _recreate(admin, target_url.database)
    target = create_app(make_config(target_url.render_as_string(hide_password=False)))
    yield target
    with target.app_context():
        db.engine.dispose()
    if admin is not None:
        with admin.connect() as conn:
            conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{target_url.database}" WITH (FORCE)'))
        admin.dispose()


def _recreate(admin: sa.Engine, name: str) -> None:
    with admin.connect() as conn:
        conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        conn.execute(sa.text(f'CREATE DATABASE "{name}"'))


def table_rows(app) -> dict[str, list[sa.Row]]:
    """Every row of every table, in primary-key order."""
    with app.app_context(), db.engine.connect() as conn:
        return {
            table.name: conn.execute(sa.select(table).order_by(*table.primary_key.columns)).all()
            for table in db.metadata.sorted_tables
        }


def fingerprint(rows: dict[str, list[sa.Row]]) -> dict[str, tuple[int, str]]:
    """Per table: its row count and a hash of its content."""
    return {name: (len(table), hashlib.sha256(repr(table).encode()).hexdigest())
            for name, table in rows.items()}


class Writer(threading.Thread):
    """Commits audit events in pairs (one transaction each) until stopped."""

    def __init__(self, app):
        super().__init__(daemon=True)
        with app.app_context():
            self.engine = db.engine
        self.committed = 0
        self.progress = threading.Condition()
        self.stop = threading.Event()
        self.error: BaseException | None = None

    def run(self) -> None:
        try:
            while not self.stop.is_set():
                n = self.committed + 1
                with self.engine.begin() as conn:
                    conn.execute(sa.insert(AuditEvent.__table__),
                                 [{"action": WRITER, "detail": str(n)}] * 2)
                with self.progress:
                    self.committed = n
                    self.progress.notify_all()
        except BaseException as error:  # reported by the test, not lost in the thread
            self.error = error

    def wait_for(self, count: int) -> None:
        with self.progress:
            assert self.progress.wait_for(lambda: self.committed >= count or self.error, 60)
        assert self.error is None, self.error


def test_backup_while_writing_restores_with_nothing_lost(source, target, tmp_path):
    path = tmp_path / "tracker.backup"
    writer = Writer(source)
    writer.start()
    try:
        writer.wait_for(3)
        before = writer.committed
        result = source.test_cli_runner().invoke(args=["backup", "--output", str(path)])
        assert result.exit_code == 0, result.output
        writer.wait_for(writer.committed + 2)  # the app kept writing during and after the copy
    finally:
        writer.stop.set()
        writer.join()
    assert writer.error is None, writer.error
    assert "Backed up" in result.output and path.stat().st_size > 0

    result = target.test_cli_runner().invoke(args=["restore", "--input", str(path)])
    assert result.exit_code == 0, result.output
    original, restored = table_rows(source), table_rows(target)
    audit_original, audit_restored = original.pop("audit_event"), restored.pop("audit_event")
    assert fingerprint(restored) == fingerprint(original)
    assert sum(len(rows) for rows in restored.values()) > 500  # the demo, not an empty shell
    # The writer's table is a snapshot: a prefix of what was written, whole transactions only.
    assert audit_restored == audit_original[:len(audit_restored)]
    pairs = Counter(row.detail for row in audit_restored if row.action == WRITER)
    assert set(pairs.values()) == {2}
    assert before <= len(pairs) < writer.committed


def test_restore_refuses_a_database_that_holds_data(source, tmp_path):
    path = tmp_path / "tracker.backup"
    runner = source.test_cli_runner()
    assert runner.invoke(args=["backup", "--output", str(path)]).exit_code == 0
    before = fingerprint(table_rows(source))
    result = runner.invoke(args=["restore", "--input", str(path)])
    assert result.exit_code == 1
    assert "The database is not empty (table collaborative holds rows)" in result.output
    assert fingerprint(table_rows(source)) == before


def test_restore_goes_into_a_database_db_upgrade_has_made(source, target, tmp_path):
    # An upgraded empty database holds one row: the data's version (core.versions).
    path = tmp_path / "tracker.backup"
    assert source.test_cli_runner().invoke(args=["backup", "--output", str(path)]).exit_code == 0
    upgraded = target.test_cli_runner().invoke(args=["db", "upgrade"])
    assert upgraded.exit_code == 0, upgraded.output
    result = target.test_cli_runner().invoke(args=["restore", "--input", str(path)])
    assert result.exit_code == 0, result.output
    assert fingerprint(table_rows(target)) == fingerprint(table_rows(source))


def test_restore_refuses_a_file_that_is_not_a_backup(target, tmp_path):
    path = tmp_path / "notes.txt"
    path.write_text("not a database")
    result = target.test_cli_runner().invoke(args=["restore", "--input", str(path)])
    assert result.exit_code == 1 and "is not a backup" in result.output
    missing = target.test_cli_runner().invoke(args=["restore", "--input", str(tmp_path / "x")])
    assert missing.exit_code == 1 and "Cannot read" in missing.output


def test_backup_says_when_pg_dump_is_missing(monkeypatch, tmp_path):
    monkeypatch.setenv("PATH", str(tmp_path))  # a folder without pg_dump
    engine = sa.create_engine("postgresql+psycopg://someone:secret@db.invalid/tracker")
    with pytest.raises(backup.BackupError, match="pg_dump was not found: install"):
        backup.backup(engine, tmp_path / "out.backup")
    assert not list(tmp_path.iterdir())  # no partial file left behind
