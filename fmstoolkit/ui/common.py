"""Small helpers shared by the notebook apps of :mod:`fmstoolkit.ui`: a keyed sentence in the
reader's language, the database to work on, and a plotly FigureWidget made ready to show."""

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



def figure_ready(fig):
    """``fig`` (a plotly ``FigureWidget``) with its whole state in the traits the browser reads
    when it first draws it; returns ``fig``.

    Since plotly 6 the FigureWidget is an anywidget whose edits (``update_layout``,
    ``add_traces``) travel as one-off messages that only a figure already drawn applies; plotly
    copies the figure into its synced state in ``_repr_mimebundle_``, which runs only when the
    figure itself is displayed, never when it sits in a box, as in every app here. Without this,
    Voila drew the schedule empty and the rate chart without its title (plotly.py #4956)."""
    fig._repr_mimebundle_()
    return fig
