"""Shared fixtures: a fresh database per test, settings isolated from the developer's `.env`,
and the one clock frozen.

Every test runs at ``FROZEN_NOW`` (a Wednesday morning in Paris) unless it is marked
``real_clock``: then it reads the machine's date, because it starts another process (JupyterLab,
a kernel, the ``fms`` command) that does. Time moves on by ``frozen_clock.shift(...)`` or
``frozen_clock.move_to(...)``; no test writes a timestamp by hand to fake the passing of time.
"""

from __future__ import annotations

import datetime as dt
import socket
from pathlib import Path

import pytest
import time_machine

from fmstoolkit import config
from fmstoolkit import db as dbmod

#: The instant the clock is frozen at: Wednesday 25 November 2026, 10:00 in Paris.
FROZEN_NOW = dt.datetime(2026, 11, 25, 9, 0, 0, tzinfo=dt.UTC)
#: The agency's day at that instant.
FROZEN_TODAY = dt.date(2026, 11, 25)


def pytest_configure(config):
    config.addinivalue_line(
        "markers", "real_clock: the test reads the machine's clock (it starts other processes)"
    )


@pytest.fixture(autouse=True)
def frozen_clock(request):
    """The clock of every test: frozen at FROZEN_NOW, ticking from there at the real pace.

    It ticks so that timeouts and polling loops written with ``time.time()`` still end; a test
    that needs an exact instant moves the clock there (``frozen_clock.move_to(...)``). The
    ``real_clock`` marker leaves the clock alone (yields None).
    """
    if request.node.get_closest_marker("real_clock"):
        yield None
        return
    with time_machine.travel(FROZEN_NOW, tick=True) as traveller:
        yield traveller


@pytest.fixture(autouse=True)
def isolated_settings(monkeypatch, tmp_path):
    """Every test runs with default settings, English messages and databases under tmp_path."""
    monkeypatch.chdir(tmp_path)  # no developer .env is read
    for key in list(__import__("os").environ):
        if key.startswith("FMS_"):
            monkeypatch.delenv(key)
    monkeypatch.setenv("FMS_DB", str(tmp_path / "fms.db"))
    monkeypatch.setenv("FMS_NOTES_DB", str(tmp_path / "notes.db"))
    monkeypatch.setenv("FMS_LANG", "en")
    config.reload_settings()
    yield
    config.reload_settings()


@pytest.fixture
def db_path(tmp_path) -> Path:
    """The path of an empty, migrated database (as `fms init` makes it)."""
    path = tmp_path / "fms.db"
    dbmod.open_db(path, create=True).close()
    return path


@pytest.fixture
def db(db_path):
    """An empty, migrated operational database (skills catalogue loaded)."""
    database = dbmod.open_db(db_path, create=True)
    yield database
    database.close()


@pytest.fixture
def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]
