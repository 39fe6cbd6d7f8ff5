"""Datasette's CSV exports with formula cells neutralised (a small Datasette plugin).

A note, a recommendation or a title is text typed by people; a cell starting with ``=``, ``+``,
``-`` or ``@`` (or a tab or carriage return) is run as a formula when the exported file is opened
in Excel or LibreOffice ("CSV injection": ``=HYPERLINK(...)``, ``-2+3+cmd|...``). Such cells get
a leading ``'``, the spreadsheet convention for "this is text", as OWASP recommends. Plain numbers
(``-12``, ``+3.5``) are left alone: they compute nothing.

Where: Datasette 0.65 writes CSV itself (``DataView.as_csv``) without calling ``render_cell``,
and its ``register_output_renderer`` cannot replace the built-in ``.csv`` format. Escaping at
publish time would change the notes themselves (a Markdown list starts with ``-``) in the HTML
pages and the JSON API too. So the plugin wraps Datasette's ASGI app (``asgi_wrapper``) and
rewrites only the bodies of CSV responses (a path ending in ``.csv``, or ``_format=csv``), row
by row as they stream: Datasette sends each CSV row as one body chunk, and a chunk that would
end inside a quoted cell is held until the cell closes.
"""

from __future__ import annotations

import csv
import io
import re
from typing import Any

from datasette import hookimpl

#: A cell starting with one of these is a formula for a spreadsheet.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
_NUMBER = re.compile(r"[+-]?\d+(?:[.,]\d+)?")


def neutralise(cell: str) -> str:
    """``cell`` as text a spreadsheet will not run: ``'`` before a formula start."""
    if cell.startswith(FORMULA_STARTS) and not _NUMBER.fullmatch(cell):
        return "'" + cell
    return cell


def neutralise_csv(text: str) -> str:
    """Complete CSV records (as Datasette writes them, ``\\r\\n`` line ends) with every formula
    cell neutralised."""
    out = io.StringIO()
    writer = csv.writer(out)
    for row in csv.reader(io.StringIO(text, newline="")):
        writer.writerow([neutralise(cell) for cell in row])
    return out.getvalue()


def _is_csv(scope: dict[str, Any]) -> bool:
    query = scope.get("query_string", b"").decode("latin-1")
    if "_trace=" in query:  # Datasette's debug view: CSV inside an HTML page
        return False
    return scope.get("path", "").endswith(".csv") or "_format=csv" in query


def wrap(app):
    """The ASGI app ``app`` with the bodies of its CSV responses neutralised."""

    async def guarded(scope, receive, send):
        if scope.get("type") != "http" or not _is_csv(scope):
            await app(scope, receive, send)
            return
        pending = ""

        async def guarded_send(message):
            nonlocal pending
            if message["type"] == "http.response.start":
                headers = [(k, v) for k, v in message.get("headers", [])
                           if k.lower() != b"content-length"]  # fmt: skip
                message = {**message, "headers": headers}
            elif message["type"] == "http.response.body":
                pending += message.get("body", b"").decode("utf-8")
                more = message.get("more_body", False)
                if more and (pending.count('"') % 2 or not pending.endswith("\n")):
                    return  # inside a quoted cell, or a row not complete yet: wait
                body, pending = neutralise_csv(pending) if pending else "", ""
                message = {**message, "body": body.encode("utf-8")}
            await send(message)

        await app(scope, receive, guarded_send)

    return guarded


@hookimpl
def asgi_wrapper(datasette):
    return wrap
