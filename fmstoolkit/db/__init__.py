"""Open the operational database and keep its schema up to date.

``open_db()`` gives a :class:`sqlite_utils.Database` with WAL journaling, foreign keys on and a
busy timeout, and applies pending migrations. What lives where:

- here: connecting (:func:`connect`, :func:`open_db`), the one clock in SQL
  (:func:`register_clock`), facts about the database itself (:func:`get_meta`, :func:`set_meta`);
- :mod:`.migrations`: the migrations m001..m010, :func:`migrate`, :func:`refresh_derived`;
- :mod:`.schema`: the tables the first migration creates;
- :mod:`.catalogue`: the skills catalogue the first migration loads, and the alias key
  (:func:`normalize`) the pool resolves skill names with.
"""

from __future__ import annotations

import contextlib
import functools
import os
import sqlite3
from collections.abc import Callable, Iterator
from pathlib import Path

import sqlite_utils

from .. import clock
from ..config import get_settings
from ..errors import DatabaseError
from .migrations import (
    MIGRATION_SET,
    MIGRATIONS,
    check_not_newer,
    known_migrations,
    migrate,
    refresh_derived,
)

__all__ = [
    "MIGRATIONS",
    "MIGRATION_SET",
    "busy_error",
    "check_not_newer",
    "connect",
    "in_transaction",
    "is_busy",
    "get_meta",
    "known_migrations",
    "migrate",
    "open_db",
    "refresh_derived",
    "register_clock",
    "set_meta",
]

#: Mode of the files this module creates (the database holds personal data).
PRIVATE_MODE = 0o600


def register_clock(conn: sqlite3.Connection) -> None:
    """Give SQL the one clock: ``clock_now()`` (UTC timestamp text) and ``clock_today()``.

    The schema's defaults call these instead of SQLite's ``'now'``, so that a row stamped by a
    default carries the same time as one stamped in Python, frozen tests included.
    """
    conn.create_function("clock_now", 0, clock.stamp)
    conn.create_function("clock_today", 0, lambda: clock.today().isoformat())


def is_busy(exc: BaseException) -> bool:
    """Whether ``exc`` is SQLite giving up on a lock held by another connection."""
    return isinstance(exc, sqlite3.OperationalError) and (
        "locked" in str(exc) or "busy" in str(exc)
    )


def busy_error(exc: sqlite3.OperationalError) -> Exception:
    """The sentence for a busy database (after the busy timeout), or ``exc`` itself when it is
    another operational error."""
    if not is_busy(exc):
        return exc
    return DatabaseError(
        "The database is busy: another program is writing to it. Try again in a moment."
    )


class Database(sqlite_utils.Database):
    """sqlite-utils' Database whose write transactions start with ``BEGIN IMMEDIATE``.

    sqlite-utils' ``atomic()`` opens a deferred ``BEGIN``: a transaction that reads first and
    writes later then fails at once with "database is locked" when another process wrote in
    between (WAL cannot upgrade a stale read snapshot), whatever the busy timeout. Taking the
    write lock at the start makes a writer wait its turn (up to the busy timeout) instead, and
    every check read inside the transaction guards the write that follows. Nested blocks keep
    using savepoints.
    """

    @contextlib.contextmanager
    def atomic(self) -> Iterator[Database]:
        if self.conn.in_transaction:
            with super().atomic():
                yield self
            return
        try:
            self.conn.execute("BEGIN IMMEDIATE")
        except sqlite3.OperationalError as exc:
            raise busy_error(exc) from exc
        try:
            yield self
        except BaseException:
            self.conn.rollback()
            raise
        else:
            try:
                self.conn.execute("COMMIT")
            except sqlite3.OperationalError as exc:
                self.conn.rollback()
                raise busy_error(exc) from exc
            except BaseException:
                self.conn.rollback()
                raise


def in_transaction(func: Callable) -> Callable:
    """Run ``func(db, ...)`` inside one write transaction (``db.atomic()``).

    For domain functions whose checks guard their writes ("role already filled", "double
    booking"): reading them inside ``BEGIN IMMEDIATE`` means no other writer can change the
    answer between the check and the write. Inside a caller's transaction it is a savepoint.
    """

    @functools.wraps(func)
    def wrapper(db: sqlite_utils.Database, *args, **kwargs):
        with db.atomic():
            return func(db, *args, **kwargs)

    return wrapper


def connect(path: str | Path, *, create: bool = False) -> sqlite_utils.Database:
    """Open a database file with the connection settings of the house, without migrating.

    Only ``fms init`` and ``fms demo`` create a database (``create=True``): anything else
    opening a path where there is none gets a sentence naming the commands that make one,
    instead of silently starting an empty agency somewhere unexpected.
    """
    path = Path(path)
    if path.exists() and path.is_dir():
        raise DatabaseError(
            "{path} is a folder, not a database file.",
            path=path,
        )
    if not path.exists():
        if not create:
            raise DatabaseError(
                "There is no database at {path}. Create the demo agency with `fms demo` or an "
                "empty one with `fms init` (or set FMS_DB to the right file).",
                path=path,
            )
        path.parent.mkdir(parents=True, exist_ok=True)
        # Personal data: readable by its owner only. SQLite gives the -wal and -shm files the
        # mode of the database file.
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT, PRIVATE_MODE))
    timeout = get_settings().busy_timeout_seconds
    conn = sqlite3.connect(str(path), timeout=timeout, check_same_thread=False)
    register_clock(conn)
    db = Database(conn)
    try:
        db.execute(f"PRAGMA busy_timeout = {int(timeout * 1000)}")
        db.execute("PRAGMA foreign_keys = ON")
        if db.execute("PRAGMA journal_mode").fetchone()[0] != "wal":
            db.enable_wal()
        db.execute("PRAGMA synchronous = NORMAL")
    except sqlite3.DatabaseError as exc:
        conn.close()
        raise DatabaseError(
            "{path} is not an fmstoolkit database ({exc}). Check the path or make a new one "
            "with `fms init`.",
            path=path,
            exc=exc,
        ) from exc
    return db


def open_db(
    path: str | Path | None = None, *, migrate_schema: bool = True, create: bool = False
) -> sqlite_utils.Database:
    """Open the operational database and bring its schema up to date.

    ``path`` defaults to ``FMS_DB``. A missing file is an error unless ``create`` (only
    ``fms init``, ``fms demo`` and test fixtures create databases).
    """
    db = connect(path or get_settings().db, create=create)
    if migrate_schema:
        try:
            migrate(db)
        except BaseException:
            db.close()
            raise
    return db


def get_meta(db: sqlite_utils.Database, key: str) -> str | None:
    """The value recorded under ``key`` in ``_meta``, or None."""
    row = db.execute("SELECT value FROM _meta WHERE key = ?", [key]).fetchone()
    return row[0] if row else None


def set_meta(db: sqlite_utils.Database, values: dict[str, str]) -> None:
    """Record ``values`` in ``_meta`` (replacing older values of the same keys)."""
    db.conn.executemany(
        "INSERT INTO _meta (key, value) VALUES (?, ?) "
        "ON CONFLICT(key) DO UPDATE SET value = excluded.value",
        [(k, str(v)) for k, v in values.items()],
    )
