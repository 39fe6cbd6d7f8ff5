"""Back up the operational database to one file, and restore such a file (``fms backup`` /
``fms restore``).

Both use SQLite's online backup API (:meth:`sqlite3.Connection.backup`), not a file copy:

- a backup reads one consistent snapshot of the database (WAL included) in a single step while
  the assistant, a notebook or ``fms outbox send`` keep writing (in WAL mode a reader never
  blocks a writer); the copy is made self-contained (``journal_mode = DELETE``, no ``-wal``
  beside it), passes ``PRAGMA integrity_check`` before it takes its name, and is created
  readable by its owner only (it holds contact data);
- a restore first checks the file (an SQLite database, made by fmstoolkit, intact, with no
  migration newer than this version), keeps the current database aside as
  ``<db>.before-restore-<stamp>`` (itself a backup), then copies the file *into* the current
  database through the backup API: programs that have it open go on with the restored content
  instead of writing to an unlinked file, as they would after a file rename. It is then migrated
  to this version's schema.
"""

from __future__ import annotations

import contextlib
import os
import sqlite3
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import sqlite_utils

from .. import clock
from ..errors import Conflict, DatabaseError, InvalidInput, NotFound
from .migrations import MIGRATION_SET, check_not_newer, migrate

#: The first 16 bytes of every SQLite database file.
SQLITE_HEADER = b"SQLite format 3\x00"
#: Tables every fmstoolkit database has (besides its migrations in ``_sqlite_migrations``).
CORE_TABLES = ("freelancers", "contacts", "missions", "requests", "outbox")
#: Files holding personal data are readable and writable by their owner only.
PRIVATE_MODE = 0o600


@dataclass(frozen=True)
class BackupReport:
    """What a backup or a restore did: the file written, its size, and a few row counts."""

    path: Path
    size: int
    freelancers: int
    missions: int
    kept_aside: Path | None = None

    def as_dict(self) -> dict[str, object]:
        return {
            "path": str(self.path),
            "size": self.size,
            "freelancers": self.freelancers,
            "missions": self.missions,
            "kept_aside": str(self.kept_aside) if self.kept_aside else None,
        }


def create_private(path: Path) -> None:
    """Create ``path`` empty, readable by its owner only (whatever the umask); it must not
    exist yet."""
    os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, PRIVATE_MODE))
    os.chmod(path, PRIVATE_MODE)


def _counts(conn: sqlite3.Connection) -> tuple[int, int]:
    return tuple(conn.execute(f"SELECT count(*) FROM {t}").fetchone()[0]  # noqa: S608
                 for t in ("freelancers", "missions"))  # fmt: skip


def _integrity(conn: sqlite3.Connection, path: Path) -> None:
    """Raise DatabaseError unless ``PRAGMA integrity_check`` finds the file intact."""
    try:
        problem = conn.execute("PRAGMA integrity_check(1)").fetchone()[0]
    except sqlite3.DatabaseError as exc:
        problem = str(exc)
    if problem != "ok":
        raise DatabaseError(
            "{path} is damaged (integrity check: {problem}); it was not used.",
            path=path,
            problem=" ".join(str(problem).split()),  # SQLite's report may span lines
        )


def _copy(source: sqlite3.Connection, target: Path) -> None:
    """Copy ``source`` into the new private file ``target`` in one backup step, make the copy
    self-contained and check it."""
    create_private(target)
    try:
        with contextlib.closing(sqlite3.connect(str(target))) as dest:
            source.backup(dest)  # pages=-1: one step, one consistent snapshot
            dest.execute("PRAGMA journal_mode = DELETE")
            _integrity(dest, target)
    except BaseException:
        target.unlink(missing_ok=True)
        raise


def _temporary(path: Path, what: str) -> Path:
    """A free name beside ``path`` for a file being written (renamed once complete)."""
    stamp = clock.now().strftime("%Y%m%dT%H%M%SZ")
    for n in range(1000):
        candidate = path.with_name(f"{path.name}.{what}-{stamp}" + (f"-{n}" if n else ""))
        if not candidate.exists():
            return candidate
    raise Conflict("Too many files named {path}.* already.", path=path)  # pragma: no cover


def backup(db: sqlite_utils.Database, target: str | Path, *, force: bool = False) -> BackupReport:
    """Copy the open database ``db`` to ``target`` (safe while other programs write).

    Refuses to replace an existing file unless ``force``. The copy is written beside the
    target under a temporary name and renamed once it passed the integrity check, so a failed
    backup never leaves a half-written file under the target's name (nor removes an older
    backup there).
    """
    target = Path(target)
    if target.is_dir():
        raise InvalidInput("{path} is a folder: give a file name for the backup.",
                           field="file", path=target)  # fmt: skip
    if target.exists() and not force:
        raise Conflict(
            "{path} already exists: give another name, or --force to replace it.",
            field="file",
            path=target,
        )
    if not target.parent.is_dir():
        raise NotFound("There is no folder {path}.", field="file", path=target.parent)
    own = db.execute("PRAGMA database_list").fetchone()[2]
    if own and Path(own).resolve() == target.resolve():
        raise InvalidInput("The backup cannot replace the database itself.", field="file")
    partial = _temporary(target, "partial")
    _copy(db.conn, partial)
    os.replace(partial, target)
    with contextlib.closing(sqlite3.connect(str(target))) as copy:
        freelancers, missions = _counts(copy)
    return BackupReport(target, target.stat().st_size, freelancers, missions)


@contextlib.contextmanager
def _checked_source(path: Path) -> Iterator[sqlite3.Connection]:
    """The file to restore, opened read-only after every check that does not need the
    current database: an SQLite file, intact, made by fmstoolkit, not by a newer version."""
    if not path.is_file():
        raise NotFound("There is no file {path}.", field="file", path=path)
    with path.open("rb") as fh:
        header = fh.read(len(SQLITE_HEADER))
    if header != SQLITE_HEADER:
        raise InvalidInput(
            "{path} is not an SQLite database (it does not start like one); nothing was "
            "restored.",
            field="file",
            path=path,
        )
    try:
        conn = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
    except sqlite3.Error as exc:
        raise DatabaseError("{path} cannot be opened ({exc}); nothing was restored.",
                            field="file", path=path, exc=exc) from None  # fmt: skip
    try:
        _integrity(conn, path)
        tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}
        migrated = "_sqlite_migrations" in tables and conn.execute(
            "SELECT count(*) FROM _sqlite_migrations WHERE migration_set = ?", [MIGRATION_SET]
        ).fetchone()[0]
        if not migrated or not set(CORE_TABLES) <= tables:
            raise InvalidInput(
                "{path} is an SQLite database but not an fmstoolkit one (no freelancers, "
                "missions or migrations); nothing was restored.",
                field="file",
                path=path,
            )
        check_not_newer(sqlite_utils.Database(conn))
        yield conn
    finally:
        conn.close()


def restore(db: sqlite_utils.Database, source: str | Path) -> BackupReport:
    """Replace the content of the open database ``db`` with the backup ``source``.

    Every check runs before anything changes (see :func:`_checked_source`). The current
    content is kept as ``<db>.before-restore-<stamp>`` (mode 0600), then the backup is copied
    in and migrated; the report names the file kept aside.
    """
    source = Path(source)
    own = Path(db.execute("PRAGMA database_list").fetchone()[2])
    if own.exists() and source.resolve() == own.resolve():
        raise InvalidInput("{path} is the database itself: give a backup file.",
                           field="file", path=source)  # fmt: skip
    with _checked_source(source) as src:
        aside = _temporary(own, "before-restore")
        _copy(db.conn, aside)
        try:
            src.backup(db.conn)
        except sqlite3.Error as exc:
            raise DatabaseError(
                "The restore failed ({exc}); the database was kept as it was, and a copy of it "
                "is in {aside}.",
                exc=exc,
                aside=aside,
            ) from None
    migrate(db)
    _integrity(db.conn, own)
    freelancers, missions = _counts(db.conn)
    return BackupReport(own, own.stat().st_size, freelancers, missions, kept_aside=aside)
