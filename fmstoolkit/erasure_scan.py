"""Erase one person from every text column of every table (the free-text part of ``forget``).

Every TEXT column of every table of the agency is read (not a list kept by hand: a column added
later is covered too), and each value that holds the person's identifiers is rewritten with
:meth:`fmstoolkit.erasure.Identity.erase`; JSON values (tags, message payloads, chat-form
answers) are decoded and their strings rewritten, so that an escaped ``H\\u00e9l\\u00e8ne`` does
not survive either. Left alone: the skills catalogue, the migrations' and the database's own
bookkeeping, and the other freelancers' names (a namesake keeps their name).

Where the first name or the surname *alone* means the person (``short=True``):

* rows about them: their own rows (``freelancer_id``), their missions and everything hanging
  off them (notes, recommendations, feedback, deliverables, checklists, offboardings and their
  end reason, invoices), and the requests they were staffed on or asked about;
* rows of the other missions of the same projects (a colleague's note saying "Hélène had
  prepared the mock-ups"), minus the words that the colleague's own name shares (the note on
  another Hélène's mission keeps "Hélène").

Everywhere else, and in the columns naming who wrote a text (``author``...), only the full
name (either order), e-mail, phone and chat id are replaced.
"""

from __future__ import annotations

import dataclasses
import json
from collections import Counter
from typing import Any

import sqlite_utils

from .erasure import Identity, name_words

#: Tables that hold no text about anyone.
SKIPPED_TABLES = {"skills", "skill_aliases", "_sqlite_migrations", "_meta"}
#: Columns never rewritten: other freelancers' own names (handled by ``forget`` for the person).
SKIPPED_COLUMNS = {("freelancers", "name")}
#: Columns the application fills with dates, timestamps or fixed words (CHECK-ed statuses,
#: kinds, channels...), never with a person's text: not read.
_FIXED_SUFFIXES = ("_at", "_date", "_day", "status", "kind", "channel", "lang", "source",
                   "seniority", "would_rehire", "answer", "outcome", "category", "dedupe_key")
#: Columns naming who wrote or asked (a project lead "Benoît, chef de projet"), not whom a text
#: is about: a first name alone there is someone else's; only full names and contacts count.
WRITER_COLUMNS = {"author", "lead_name", "requested_by"}


def text_columns(db: sqlite_utils.Database) -> dict[str, list[str]]:
    """Table -> its TEXT columns (declared type TEXT, CHAR, CLOB or none)."""
    found: dict[str, list[str]] = {}
    for (table,) in db.execute(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' "
        "AND name NOT LIKE '%_fts%' ORDER BY name"
    ).fetchall():
        if table in SKIPPED_TABLES:
            continue
        columns = [
            row[1]
            for row in db.execute(f"PRAGMA table_info([{table}])").fetchall()
            if (not row[2] or any(t in row[2].upper() for t in ("TEXT", "CHAR", "CLOB")))
            and (table, row[1]) not in SKIPPED_COLUMNS
            and not row[1].endswith(_FIXED_SUFFIXES)
        ]
        if columns:
            found[table] = columns
    return found


class _Scope:
    """Which identity applies to a row: short names for rows about the person (see above)."""

    def __init__(self, db: sqlite_utils.Database, fid: int, identity: Identity) -> None:
        self.fid = fid
        self.full = identity
        self.short = identity
        self._variants: dict[tuple[str, ...], Identity] = {}
        self.own_missions = {
            r[0] for r in db.execute("SELECT id FROM missions WHERE freelancer_id = ?", [fid])
        }
        self.own_requests = {
            r[0]
            for r in db.execute(
                "SELECT request_id FROM missions WHERE freelancer_id = ? AND request_id IS NOT "
                "NULL UNION SELECT request_id FROM polls WHERE freelancer_id = ?",
                [fid, fid],
            )
        }
        shorts = identity.short_names
        #: Other missions of the same projects -> the short names that still mean the person.
        self.colleague_missions: dict[int, Identity] = {}
        for mission_id, name in db.execute(
            "SELECT m.id, f.name FROM missions m JOIN freelancers f ON f.id = m.freelancer_id "
            "WHERE m.freelancer_id != ? AND m.project_id IN "
            "(SELECT project_id FROM missions WHERE freelancer_id = ?)",
            [fid, fid],
        ):
            theirs = set(name_words(name or ""))
            kept = tuple(s for s in shorts if not set(name_words(s)) & theirs)
            self.colleague_missions[mission_id] = self._variant(kept)

    def _variant(self, shorts: tuple[str, ...]) -> Identity:
        if shorts not in self._variants:
            self._variants[shorts] = dataclasses.replace(self.full, short_names=list(shorts))
        return self._variants[shorts]

    def of(self, table: str, row: dict[str, Any]) -> tuple[Identity, bool]:
        """The identity to erase with, and whether short names count, for one row."""
        if row.get("freelancer_id") == self.fid:
            return self.short, True
        mission = row.get("id") if table == "missions" else row.get("mission_id")
        if mission is not None and (table == "missions" or "mission_id" in row):
            if mission in self.own_missions:
                return self.short, True
            if mission in self.colleague_missions:
                return self.colleague_missions[mission], True
        request = row.get("id") if table == "requests" else row.get("request_id")
        if table in ("requests", "request_roles") and request in self.own_requests:
            return self.short, True
        return self.full, False


def _erase_value(value: Any, identity: Identity, short: bool) -> Any:
    if not isinstance(value, str) or not value:
        return value
    stripped = value.lstrip()
    if stripped[:1] in ("[", "{"):
        try:
            decoded = json.loads(value)
        except ValueError:
            decoded = None
        if isinstance(decoded, (list, dict)):
            cleaned = _erase_json(decoded, identity, short)
            if cleaned != decoded:
                return json.dumps(cleaned, ensure_ascii=False)
            # the raw text may still hold an escaped form: fall through to check it as text
            if "\\u" not in value:
                return value
    return identity.erase(value, short=short)


def _erase_json(value: Any, identity: Identity, short: bool) -> Any:
    if isinstance(value, str):
        return identity.erase(value, short=short)
    if isinstance(value, list):
        return [_erase_json(v, identity, short) for v in value]
    if isinstance(value, dict):
        return {k: _erase_json(v, identity, short) for k, v in value.items()}
    return value


def erase_everywhere(db: sqlite_utils.Database, fid: int, identity: Identity) -> dict[str, int]:
    """Rewrite every text value naming the person; returns how many per ``table.column``.

    Call inside the write transaction of ``forget``, before its deletions (the polls tell which
    requests the person was asked about).
    """
    scope = _Scope(db, fid, identity)
    changed: Counter[str] = Counter()
    for table, columns in text_columns(db).items():
        keys = [k for k in ("id", "freelancer_id", "mission_id", "request_id")
                if k in {r[1] for r in db.execute(f"PRAGMA table_info([{table}])")}]
        selected = ", ".join(f"[{c}]" for c in dict.fromkeys(keys + columns))
        cursor = db.execute(f"SELECT rowid, {selected} FROM [{table}]")
        names = ["rowid", *dict.fromkeys(keys + columns)]
        updates: list[tuple[int, dict[str, Any]]] = []
        for values in cursor.fetchall():
            row = dict(zip(names, values, strict=True))
            who, short = scope.of(table, row)
            new = {
                c: _erase_value(row[c], who, short and c not in WRITER_COLUMNS) for c in columns
            }
            new = {c: v for c, v in new.items() if v != row[c]}
            if new:
                updates.append((row["rowid"], new))
        for rowid, new in updates:
            assignments = ", ".join(f"[{c}] = ?" for c in new)
            db.execute(f"UPDATE [{table}] SET {assignments} WHERE rowid = ?",
                       [*new.values(), rowid])
            changed.update(f"{table}.{c}" for c in new)
    return dict(changed)
