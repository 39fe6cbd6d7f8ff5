"""Small helpers shared by the notebook apps of :mod:`fmstoolkit.ui`: a keyed sentence in the
reader's language, the database to work on, the messages shown beside a button, a file offered
for download, an uploaded file handed to a library function that reads a path, and a
plotly FigureWidget made ready to show."""

from __future__ import annotations

import base64
import html
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import sqlite_utils

from ..db import open_db
from ..errors import FmsError
from ..i18n import _
from .forms import ERROR_STYLE

DONE_STYLE = "color:#1b5e20"


def translate(texts: Mapping[str, str], key: str, lang: str | None = None, **params: Any) -> str:
    """The sentence ``texts[key]`` (an English source string) in ``lang``, its
    ``{placeholders}`` filled from ``params``."""
    text = _(texts[key], lang)
    return text.format(**params) if params else text


def database(db) -> sqlite_utils.Database:
    """``db`` itself, or the database at that path (default: the ``FMS_DB`` setting)."""
    return db if isinstance(db, sqlite_utils.Database) else open_db(db)


def error_html(text: str) -> str:
    """An error shown beside the button pressed, in the errors' red."""
    return f'<span style="{ERROR_STYLE}">⚠ {html.escape(text)}</span>'


def done_html(text: str) -> str:
    """What a button did, in green."""
    return f'<span style="{DONE_STYLE}">✓ {html.escape(text)}</span>'


def why(exc: FmsError, lang: str) -> str:
    """The error's sentences without field names (its problems, one after the other)."""
    return " ".join(p.what(lang) for p in exc.problems) or exc.head(lang)


def download_link(data: bytes, name: str, mime: str, label: str) -> str:
    """A link that saves ``data`` as file ``name`` in the browser (a ``data:`` URL: Voila
    serves no file of its own, and ipywidgets has no download widget)."""
    href = f"data:{mime};base64,{base64.b64encode(data).decode('ascii')}"
    return (f'<a download="{html.escape(name)}" href="{href}" target="_blank">'
            f"⬇ {html.escape(label)}</a>")  # fmt: skip


def upload_content(change: dict) -> tuple[bytes, str] | None:
    """The bytes and name of the file just given to a ``FileUpload`` (None when it was emptied).
    The caller empties the widget at once: its value would otherwise sit in the widget state."""
    files = change["new"]
    if not files:
        return None
    return bytes(files[0]["content"]), Path(str(files[0]["name"])).name or "upload"


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
