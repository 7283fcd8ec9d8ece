"""Back up the whole database while the app runs, and restore a backup into an empty database.

SQLite uses its online backup API, which copies a consistent snapshot while writers go on;
PostgreSQL uses pg_dump (custom format, one snapshot) and pg_restore in a single transaction.
"""

import os
import shutil
import sqlite3
import subprocess
from collections.abc import Iterable
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy.engine import URL, Engine

SQLITE_MAGIC = b"SQLite format 3\x00"
PG_DUMP_MAGIC = b"PGDMP"


class BackupError(Exception):
    """A backup or restore that cannot go ahead; the message says why and what to do."""


def backup(engine: Engine, output: Path) -> None:
    """Write a consistent copy of `engine`'s database to `output`, replacing it only when done."""
    if not output.parent.is_dir():
        raise BackupError(f"{output.parent} is not a folder: create it first.")
    partial = output.with_name(output.name + ".partial")
    try:
        if engine.dialect.name == "sqlite":
            _sqlite_copy(_sqlite_file(engine.url), partial)
        elif engine.dialect.name == "postgresql":
            _run_pg("pg_dump", engine.url, "--format=custom", "--no-owner", "--no-privileges",
                    f"--file={partial}")
        else:
            raise BackupError(f"Backups of {engine.dialect.name} databases are not supported.")
        os.replace(partial, output)
    finally:
        partial.unlink(missing_ok=True)


def restore(engine: Engine, backup_file: Path, tables: Iterable[sa.Table]) -> None:
    """Load `backup_file` into `engine`'s database, which must hold no rows in `tables`."""
    dialect = engine.dialect.name
    _check_kind(backup_file, dialect)
    full = first_table_with_rows(engine, tables)
    if full is not None:
        raise BackupError(
            f"The database is not empty (table {full} holds rows): restore only into an empty "
            "database, such as a newly created one. Nothing was changed."
        )
    engine.dispose()  # no pooled connection may hold the old file or schema open
    if dialect == "sqlite":
        _sqlite_verify(backup_file)
        _sqlite_copy(backup_file, _sqlite_file(engine.url))
    else:
        # --clean drops what an earlier `db upgrade` created (empty, as checked) before loading.
        _run_pg("pg_restore", engine.url, "--single-transaction", "--exit-on-error",
                "--clean", "--if-exists", "--no-owner", "--no-privileges", str(backup_file))


def first_table_with_rows(engine: Engine, tables: Iterable[sa.Table]) -> str | None:
    """The name of the first of `tables` that exists and holds a row, or None."""
    existing = set(sa.inspect(engine).get_table_names())
    with engine.connect() as conn:
        for table in tables:
            if table.name in existing and conn.execute(sa.select(table).limit(1)).first():
                return table.name
    return None


def _sqlite_file(url: URL) -> Path:
    if not url.database or url.database == ":memory:" or url.database.startswith("file:"):
        raise BackupError("Only a SQLite database in a file can be backed up or restored.")
    return Path(url.database)


def _sqlite_copy(source: Path, target: Path) -> None:
    # One backup step (pages=-1) reads the whole source in one read transaction: a snapshot.
    src = sqlite3.connect(f"{source.resolve().as_uri()}?mode=ro", uri=True)
    dst = sqlite3.connect(target)
    try:
        src.backup(dst)
    except sqlite3.Error as error:
        raise BackupError(f"Copying {source} to {target} failed: {error}.") from error
    finally:
        dst.close()
        src.close()


def _sqlite_verify(backup_file: Path) -> None:
    """Refuse a damaged SQLite backup before anything is written."""
    conn = sqlite3.connect(f"{backup_file.resolve().as_uri()}?mode=ro", uri=True)
    try:
        verdict = conn.execute("PRAGMA quick_check").fetchone()[0]
    except sqlite3.DatabaseError as error:
        verdict = str(error)
    finally:
        conn.close()
    if verdict != "ok":
        raise BackupError(f"{backup_file} is damaged ({verdict}); nothing was changed.")


def _check_kind(backup_file: Path, dialect: str) -> None:
    """Refuse a missing file, or a backup made from the other kind of database."""
    try:
        with backup_file.open("rb") as file:
            head = file.read(len(SQLITE_MAGIC))
    except OSError as error:
        raise BackupError(f"Cannot read {backup_file}: {error.strerror}.") from error
    expected = SQLITE_MAGIC if dialect == "sqlite" else PG_DUMP_MAGIC
    if not head.startswith(expected):
        kind = ("a SQLite backup" if head == SQLITE_MAGIC else
                "a PostgreSQL backup" if head.startswith(PG_DUMP_MAGIC) else "not a backup")
        raise BackupError(f"{backup_file} is {kind}; this {dialect} database needs "
                          f"{'a SQLite' if dialect == 'sqlite' else 'a PostgreSQL'} backup made "
                          "by the backup command.")


def _run_pg(program: str, url: URL, *args: str) -> None:
    """Run pg_dump or pg_restore against `url`, keeping the password out of the process list."""
    if shutil.which(program) is None:
        raise BackupError(
            f"{program} was not found: install the PostgreSQL client tools (on Debian, "
            f"`apt-get install postgresql-client`), of the server's major version or newer."
        )
    target = url.set(drivername="postgresql", password=None).render_as_string(
        hide_password=False)
    env = dict(os.environ)
    if url.password:
        env["PGPASSWORD"] = str(url.password)
    done = subprocess.run([program, *args, f"--dbname={target}"], env=env,
                          capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise BackupError(f"{program} failed: {done.stderr.strip() or done.returncode}")
