"""Small helpers shared by the notebook apps of :mod:`fmstoolkit.ui`: the text of an
``(en, fr)`` pair in the current language, the database to work on, the notifier's outbox."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import sqlite_utils

from ..config import get_settings
from ..db import open_db


def localized(pair: tuple[str, str], lang: str | None = None) -> str:
    """The French or English text of ``pair`` (``lang``, by default the settings' language)."""
    en, fr = pair
    return fr if (lang or get_settings().lang) == "fr" else en


def translate(
    texts: Mapping[str, tuple[str, str]], key: str, lang: str | None = None, **params: Any
) -> str:
    """The text ``texts[key]`` in the language, its ``{placeholders}`` filled from ``params``."""
    text = localized(texts[key], lang)
    return text.format(**params) if params else text


def database(db) -> sqlite_utils.Database:
    """``db`` itself, or the database at that path (default: the ``FMS_DB`` setting)."""
    return db if isinstance(db, sqlite_utils.Database) else open_db(db)

