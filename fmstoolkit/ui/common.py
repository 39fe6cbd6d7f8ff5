"""Small helpers shared by the notebook apps of :mod:`fmstoolkit.ui`: a keyed sentence in the
reader's language, and the database to work on."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import sqlite_utils

from ..db import open_db
from ..i18n import _


def translate(texts: Mapping[str, str], key: str, lang: str | None = None, **params: Any) -> str:
    """The sentence ``texts[key]`` (an English source string) in ``lang``, its
    ``{placeholders}`` filled from ``params``."""
    text = _(texts[key], lang)
    return text.format(**params) if params else text


def database(db) -> sqlite_utils.Database:
    """``db`` itself, or the database at that path (default: the ``FMS_DB`` setting)."""
    return db if isinstance(db, sqlite_utils.Database) else open_db(db)

