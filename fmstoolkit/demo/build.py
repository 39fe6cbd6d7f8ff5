"""Building the demo database: :func:`generate` fills an open database in one transaction,
:func:`create` builds a new file beside the target and renames it into place, :func:`refresh`
keeps a demo current (what ``make run`` does), and ``_meta`` records what a demo was built for.

Speed matters (10,000 freelancers in well under a minute): the generator's rows are written with
``executemany`` inside one transaction, with the secondary indexes and triggers dropped during
the bulk insert and rebuilt at the end, and the foreign keys checked once.
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

import sqlite_utils

from .. import clock
from .. import db as dbmod
from ..errors import Conflict, InvalidInput
from .generator import Generator

#: What ``_meta`` records about a demo database (see :func:`refresh`).
META_DEMO, META_BUILT_FOR, META_SEED, META_FREELANCERS = (
    "demo", "demo_built_for", "demo_seed", "demo_freelancers")


def generate(
    db: sqlite_utils.Database,
    *,
    freelancers: int = 200,
    seed: int = 0,
    today: dt.date | str | None = None,
    missions_per_freelancer: int = 20,
    unavailability_per_freelancer: int = 5,
    progress: Callable[[int], Any] | None = None,
) -> dict[str, int]:
    """Fill ``db`` with a demo agency and return the number of rows written per table.

    ``progress(n)`` reports work done for a progress bar: ``2 * freelancers`` units in all, the
    first half as freelancers are generated, the second as their rows are written.
    The whole generation is one transaction: an error leaves the database as it was.
    """
    if freelancers < 1:
        raise InvalidInput(
            "The demo needs at least one freelancer.",
            field="freelancers",
        )
    if isinstance(today, str):
        today = dt.date.fromisoformat(today)
    gen = Generator(db, seed, today or clock.today())
    gen.project_ids = gen.projects(max(12, freelancers // 8))
    step = max(1, freelancers // 100)
    done = 0
    for n in range(freelancers):
        fid = gen.freelancer()
        gen.missions(fid, gen.project_ids, missions_per_freelancer)
        gen.unavailability(fid, unavailability_per_freelancer)
        if progress and (n + 1 - done >= step or n + 1 == freelancers):
            progress(n + 1 - done)
            done = n + 1
    gen.past_requests(share=0.15)
    gen.open_requests(max(4, min(12, freelancers // 20)))
    gen.lists_and_followups()
    gen.outbox_history()
    cache = db.execute("PRAGMA cache_size").fetchone()[0]
    db.execute("PRAGMA cache_size = -262144")  # 256 MiB while bulk-inserting: fewer page reads
    # The generator writes consistent rows by construction; checking every foreign key row by
    # row costs more than the inserts themselves, so the check runs once, at the end.
    db.execute("PRAGMA foreign_keys = OFF")
    # Secondary indexes and triggers are dropped and rebuilt after the bulk insert: building an
    # index from sorted data at the end is several times faster than updating it row by row, and
    # the tables the triggers maintain are recomputed once, set-based (db.refresh_derived).
    schema = [
        (kind, name, sql)
        for kind, name, sql in db.execute(
            "SELECT type, name, sql FROM sqlite_master WHERE type IN ('index', 'trigger') "
            "AND sql IS NOT NULL"
        ).fetchall()
    ]
    try:
        with db.atomic():
            for kind, name, _ in schema:
                db.execute(f"DROP {kind.upper()} [{name}]")
            counts = gen.write(progress, freelancers)
            for _, _, sql in schema:
                db.execute(sql)
            dbmod.refresh_derived(db)
            dbmod.set_meta(db, {
                META_DEMO: "yes", META_BUILT_FOR: gen.today.isoformat(),
                META_SEED: seed, META_FREELANCERS: freelancers,
            })  # fmt: skip
            broken = db.execute("PRAGMA foreign_key_check").fetchall()
            if broken:
                raise RuntimeError(f"demo generator wrote dangling references: {broken[:5]}")
    finally:
        db.execute("PRAGMA foreign_keys = ON")
        db.execute(f"PRAGMA cache_size = {cache}")
    db.execute("ANALYZE")
    return counts


def create(
    path: str | Path,
    *,
    freelancers: int = 200,
    seed: int = 0,
    force: bool = False,
    today: dt.date | str | None = None,
    progress: Callable[[int], Any] | None = None,
) -> dict[str, int]:
    """Create the demo database at ``path`` (what ``fms demo`` does).

    An existing database is never overwritten unless ``force``. The demo is built in a
    temporary file beside ``path`` and renamed into place at the end, so an interrupted run
    leaves either the old database or none, never half a demo.
    """
    path = Path(path)
    refuse_overwrite(path, force)
    path.parent.mkdir(parents=True, exist_ok=True)
    return _create_in(path, path.with_name(f".{path.name}.demo-tmp"), freelancers, seed, today,
                      progress)


def demo_facts(path: str | Path) -> dict[str, str] | None:
    """What ``_meta`` says of the demo at ``path`` (built for, seed, size), or None when the
    file is not a demo database (or not there)."""
    path = Path(path)
    if not path.is_file():
        return None
    database = dbmod.open_db(path)
    try:
        if dbmod.get_meta(database, META_DEMO) != "yes":
            return None
        keys = (META_BUILT_FOR, META_SEED, META_FREELANCERS)
        return {key: dbmod.get_meta(database, key) or "" for key in keys}
    finally:
        database.close()


def refresh_plan(
    path: str | Path, *, freelancers: int = 200, seed: int = 0, today: dt.date | None = None
) -> tuple[str, int, int]:
    """What :func:`refresh` would do at ``path``, with the size and seed it would build.

    ``"create"`` (there is no database), ``"current"`` (a demo built for today: nothing to do),
    ``"rebuild"`` (a demo built for another day: made again for today with its own seed and
    size, so that "missions ending this week" and the open requests are this week's) or
    ``"not a demo"`` (a database of real work: never touched).
    """
    path = Path(path)
    if not path.exists():
        return "create", freelancers, seed
    facts = demo_facts(path)
    if facts is None:
        return "not a demo", 0, 0
    size = int(facts[META_FREELANCERS] or freelancers)
    own_seed = int(facts[META_SEED] or seed)
    day = (today or clock.today()).isoformat()
    return ("current" if facts[META_BUILT_FOR] == day else "rebuild"), size, own_seed


def refresh(
    path: str | Path,
    *,
    freelancers: int = 200,
    seed: int = 0,
    today: dt.date | None = None,
    progress: Callable[[int], Any] | None = None,
) -> str:
    """Keep the demo at ``path`` current (what ``make run`` does before starting); returns the
    action of :func:`refresh_plan` that was carried out."""
    day = today or clock.today()
    action, size, own_seed = refresh_plan(path, freelancers=freelancers, seed=seed, today=day)
    if action in ("create", "rebuild"):
        create(path, freelancers=size, seed=own_seed, today=day, force=action == "rebuild",
               progress=progress)
    return action


def refuse_overwrite(path: Path, force: bool) -> None:
    """The demo never replaces an existing database unless asked to with ``force``."""
    if Path(path).exists() and not force:
        raise Conflict(
            "{path} already exists: add --force to replace it with the demo agency "
            "(its data will be lost).",
            field="db",
            path=path,
        )


def _create_in(path: Path, tmp: Path, freelancers, seed, today, progress) -> dict[str, int]:
    _remove_db_files(tmp)
    database = dbmod.open_db(tmp, create=True)
    try:
        counts = generate(
            database, freelancers=freelancers, seed=seed, today=today, progress=progress
        )
        database.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    except BaseException:
        database.close()
        _remove_db_files(tmp)
        raise
    database.close()
    _remove_db_files(path)
    os.replace(tmp, path)
    return counts


def _remove_db_files(path: Path) -> None:
    for suffix in ("", "-wal", "-shm", "-journal"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)
