"""Serve the notes database with Datasette, read-only, with the project's configuration.

``make_datasette(path)`` builds the Datasette instance (tests use it in-process through
``ds.client``); ``serve(...)`` runs it with uvicorn, as ``datasette serve`` does.

What is served and how:

- only the notes database (built by :func:`fmstoolkit.publish.publish`); the operational
  database is never given to Datasette, so no permission setting can expose it;
- immutable (``?immutable=1``, no locks, no write endpoint) and downloadable, being the only file;
- the metadata and templates shipped in the package (:mod:`fmstoolkit.resources`:
  ``metadata.yml`` with titles, descriptions, facets and canned queries, ``templates/`` with
  the freelancer profile page), so an installed toolkit serves the same pages as a checkout;
  Markdown notes (datasette-render-markdown), the calendar feeds
  (:mod:`fmstoolkit.calendar_feeds`), CSV exports with formula cells neutralised
  (:mod:`fmstoolkit.csv_guard`) and, when ``FMS_DATASETTE_PASSWORD_HASH`` is set,
  password login (datasette-auth-passwords, user ``manager``);
- republishing replaces the file (``os.replace``): :class:`FollowingDatabase` notices the new
  file and reopens its connections, so a running server serves the new notes without a restart
  and requests already running finish on the old file.
"""

from __future__ import annotations

import asyncio
import os
import threading
from pathlib import Path
from typing import Any

from datasette.app import Datasette
from datasette.database import Database

from . import calendar_feeds, csv_guard, resources
from .config import get_settings
from .errors import NotFound
from .notes_site import pages
from .publish import metadata

DATABASE = "notes"
PASSWORD_ENV = "FMS_DATASETTE_PASSWORD_HASH"

SETTINGS = {
    "allow_download": True,
    "sql_time_limit_ms": 3000,
    "facet_time_limit_ms": 1000,
    "max_returned_rows": 1000,
    "default_cache_ttl": 0,
    # facet suggestions run a distinct/date/json probe per column on every table page: at
    # 200,000 missions they cost more than the page itself
    "suggest_facets": False,
}


class FollowingDatabase(Database):
    """An immutable Datasette database that follows its file being replaced.

    Datasette 0.65 keeps one connection per thread and per database name for ever; an immutable
    connection would keep reading the replaced file. Here each thread's connection is tagged
    with the identity (inode, mtime, size) of the file it opened, and reopened when the path
    names a new file. This relies on ``Datasette.executor`` and ``_prepare_connection``, stable
    across 0.65.x (pinned).
    """

    def __init__(self, ds: Datasette, path: str | Path) -> None:
        super().__init__(ds, path=str(path), is_mutable=False)
        self._local = threading.local()
        self._identity = self._stat()

    def _stat(self) -> tuple[int, int, int] | None:
        try:
            st = os.stat(self.path)
        except FileNotFoundError:
            return None
        return (st.st_ino, st.st_mtime_ns, st.st_size)

    def _follow(self) -> None:
        identity = self._stat()
        if identity is not None and identity != self._identity:
            self._identity = identity
            self._cached_table_counts = None
            self.cached_hash = None
            self.cached_size = None

    async def table_counts(self, limit: int = 10) -> dict[str, int | None]:
        self._follow()
        if self._cached_table_counts is None:
            limit = max(limit, 60_000)  # a new file: count it fully once
        return await super().table_counts(limit)

    async def execute_fn(self, fn):
        self._follow()
        identity = self._identity

        def in_thread():
            slot = getattr(self._local, "slot", None)
            if slot is None or slot[0] != identity:
                if slot is not None:
                    slot[1].close()
                    if slot[1] in self._all_file_connections:
                        self._all_file_connections.remove(slot[1])
                conn = self.connect()
                self.ds._prepare_connection(conn, self.name)
                slot = (identity, conn)
                self._local.slot = slot
            return fn(slot[1])

        if self.ds.executor is None:
            return in_thread()
        return await asyncio.get_event_loop().run_in_executor(self.ds.executor, in_thread)


class NotesDatasette(Datasette):
    """Datasette that refreshes its schema catalogue only when the notes file was replaced.

    Datasette 0.65 reads every database's ``PRAGMA schema_version`` on each request (two hops
    to its SQL threads) to notice schema changes; the notes database only changes by being
    replaced, which :class:`FollowingDatabase` sees with one ``os.stat``.
    """

    _schemas_seen: tuple | None = None

    async def refresh_schemas(self) -> None:
        seen = tuple(
            (name, db._stat() if isinstance(db, FollowingDatabase) else None)
            for name, db in self.databases.items()
        )
        if seen == self._schemas_seen:
            return
        await super().refresh_schemas()
        self._schemas_seen = seen


def register_plugins() -> None:
    """Register the project's own Datasette plugins (calendar feeds, formula-safe CSV exports,
    the notes site's pages) once per process."""
    from datasette.plugins import pm

    for plugin in (calendar_feeds, csv_guard, pages):
        if not pm.is_registered(plugin) and pm.get_plugin(plugin.__name__) is None:
            pm.register(plugin, name=plugin.__name__)


def datasette_metadata(password_hash: str | None = None) -> dict[str, Any]:
    """The metadata to serve with; with a password hash, the login block is added and the hash
    is handed to datasette-auth-passwords through the environment (never written to a file)."""
    if password_hash is None and get_settings().datasette_password_hash is not None:
        password_hash = get_settings().datasette_password_hash.get_secret_value()
    if password_hash:
        os.environ[PASSWORD_ENV] = password_hash
    return metadata(password_hash=bool(password_hash))


def make_datasette(
    path: str | Path | None = None, *, password_hash: str | None = None
) -> Datasette:
    """A Datasette instance serving only the notes database at ``path`` (default
    ``FMS_NOTES_DB``), as ``notes``, with the project's metadata, templates and plugins."""
    path = Path(path or get_settings().notes_db)
    if not path.is_file():
        raise NotFound(
            "No notes database at {path}: run `fms publish` first.",
            field="notes_db",
            path=path,
        )
    register_plugins()
    ds = NotesDatasette(
        files=[],
        metadata=datasette_metadata(password_hash),
        template_dir=str(resources.templates_dir()),
        settings=SETTINGS,
    )
    if "_memory" in ds.databases:  # Datasette adds it when given no file: serve nothing else
        ds.remove_database("_memory")
    ds.add_database(FollowingDatabase(ds, path), name=DATABASE)
    return ds


def serve(
    path: str | Path | None = None,
    *,
    host: str = "127.0.0.1",
    port: int | None = None,
    log_level: str = "warning",
) -> None:
    """Run Datasette on the notes database until interrupted (what ``fms serve`` does)."""
    import uvicorn

    ds = make_datasette(path)
    loop = asyncio.new_event_loop()
    try:
        loop.run_until_complete(ds.invoke_startup())
    finally:
        loop.close()
    port = port or get_settings().datasette_port
    uvicorn.run(ds.app(), host=host, port=port, log_level=log_level, lifespan="on", workers=1)
