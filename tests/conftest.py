"""Shared fixtures: a fresh database per test, settings isolated from the developer's `.env`."""

from __future__ import annotations

import socket
from pathlib import Path

import pytest

from fmstoolkit import config
from fmstoolkit import db as dbmod


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
    return tmp_path / "fms.db"


@pytest.fixture
def db(db_path):
    """An empty, migrated operational database (skills catalogue loaded)."""
    database = dbmod.open_db(db_path)
    yield database
    database.close()


@pytest.fixture
def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]
