"""Derive the collaboration-notes database that Datasette serves to other project leads.

``publish(db)`` copies the public part of the operational database (missions, collaboration
notes, recommendations, freelancers' feedback, public profiles) into a new SQLite file, adds
full-text search and the views that answer the usual questions, then renames the file into place.

Why it is built this way:

- **No contact data, by construction.** Every copy below is an ``INSERT ... SELECT`` with an
  explicit column list taken from :data:`PUBLIC_COLUMNS`; ``contacts``, ``outbox`` and the private
  ``offboardings.end_reason`` are never named, so a mistake elsewhere cannot leak them (a test
  runs the publisher under an SQLite authorizer that refuses any read of them).
- **Freelancers who asked to be forgotten** keep their missions (the daily rates still count in
  the benchmarks) under an anonymised name, without headline, city, skills or free texts.
- **SQL does the copying.** The output file is ATTACHed to the caller's connection and filled
  with ``INSERT ... SELECT`` inside one transaction (only the rate quartiles are computed in
  Python), so the copy is a consistent snapshot and 100,000 notes take seconds.
- **Atomic replace.** The file is built next to its destination under a temporary name and
  ``os.replace``-d into place: a running Datasette (or any reader holding the old file open)
  never sees a half-built database.
- **Ready answers.** ``rate_benchmarks`` (daily-rate quartiles per skill and seniority) and
  ``rehire_candidates`` (per skill, best notes first) are computed here and stored as tables,
  so their Datasette pages stay fast at 100,000 notes; ``scorecards`` is a plain SQL view over
  the profiles.
- **One rate benchmark.** The quartiles come from
  :func:`fmstoolkit.planning.rates.quartiles` over the missions that
  :data:`~fmstoolkit.planning.rates.PAID_MISSIONS_WHERE` counts on the publication day, the
  very definition planning uses, so Datasette shows the numbers ``fms benchmark-rate`` prints.
- **FTS5 through sqlite-utils** (``enable_fts``) with the ``unicode61 remove_diacritics 2``
  tokenizer, so "reactivite" finds "réactivité"; the ``content=`` FTS tables sqlite-utils makes
  are what Datasette detects to offer its search box.
"""

from __future__ import annotations

import os
import sqlite3
import time
from pathlib import Path
from typing import Any

import sqlite_utils

from . import clock
from .config import get_settings
from .db.catalogue import normalize
from .errors import InvalidInput, InvalidState
from .i18n import LANGS, N_, _
from .models import SENIORITIES
from .planning.rates import PAID_MISSIONS_WHERE, quartiles
from .publish_metadata import METADATA_FILE, metadata, write_metadata  # noqa: F401 (re-exported)
from .publish_schema import INDEXES, REHIRE_CANDIDATES, SCHEMA, VIEWS

#: FTS5 tokenizer: case and accents ignored ("reactivite" finds "réactivité").
FTS_TOKENIZER = "unicode61 remove_diacritics 2"

#: The only columns of the operational database the publisher reads, per table.
PUBLIC_COLUMNS: dict[str, tuple[str, ...]] = {
    "skills": ("id", "name", "label_fr", "label_en", "category"),
    "skill_aliases": ("alias", "skill_id"),
    "projects": ("id", "name", "client", "lead_name"),
    "freelancers": ("id", "name", "headline", "city", "seniority", "daily_rate", "status"),
    "freelancer_skills": ("freelancer_id", "skill_id", "level"),
    "missions": (
        "id", "freelancer_id", "project_id", "skill_id", "title", "start_date", "end_date",
        "days", "daily_rate", "status",
    ),
    "notes": (
        "id", "mission_id", "author", "quality", "communication", "deadlines", "autonomy",
        "would_rehire", "text", "tags", "created_at",
    ),
    "recommendations": ("id", "mission_id", "author", "text", "created_at"),
    "feedback": (
        "id", "mission_id", "source", "onboarding", "integration", "clarity", "suggestions",
        "created_at",
    ),
}  # fmt: skip

#: Tables (and columns) that must never be read while publishing.
PRIVATE = {"contacts": None, "outbox": None, "offboardings": ("end_reason",)}

#: Seniorities are stored as these English words; the notes site shows them translated.
SENIORITY_WORDS = {"junior": N_("junior"), "confirmed": N_("confirmed"), "senior": N_("senior")}

ANONYMOUS_NAME = "Anonyme / Anonymous"

#: Page cache while building (negative: KiB), so sorting and indexing stay in memory.
CACHE_KIB = -256_000

def _select(table: str, alias: str, *extra: str) -> str:
    """``alias.col, ...`` for the public columns of ``table`` (the only way columns are read)."""
    return ", ".join([f"{alias}.{c}" for c in PUBLIC_COLUMNS[table]] + list(extra))


def _copy_statements() -> list[str]:
    """The INSERT ... SELECT statements that fill the notes database, in order."""
    forgotten = "f.status = 'forgotten'"
    return [
        f"INSERT INTO pub.skills SELECT {_select('skills', 's')} FROM main.skills s",
        # every way a skill may be typed, as its normalize() key (the canned queries' lookup)
        f"INSERT INTO pub.skill_aliases SELECT {_select('skill_aliases', 'a')} "
        "FROM main.skill_aliases a",
        f"INSERT INTO pub.projects SELECT {_select('projects', 'p')} FROM main.projects p",
        # freelancers: public profile columns; the aggregates are filled further down
        f"""INSERT INTO pub.freelancers (id, name, headline, city, seniority, daily_rate, status)
        SELECT f.id,
            CASE WHEN {forgotten} THEN '{ANONYMOUS_NAME}' ELSE f.name END,
            CASE WHEN {forgotten} THEN NULL ELSE f.headline END,
            CASE WHEN {forgotten} THEN NULL ELSE f.city END,
            f.seniority, f.daily_rate, f.status
        FROM (SELECT {_select("freelancers", "x")} FROM main.freelancers x) f""",
        f"""INSERT INTO pub.freelancer_skills
        SELECT {_select("freelancer_skills", "fs")} FROM main.freelancer_skills fs
        JOIN pub.freelancers f ON f.id = fs.freelancer_id WHERE NOT {forgotten}""",
        f"""INSERT INTO pub.missions (id, freelancer_id, project_id, skill_id, title, start_date,
            end_date, year, days, daily_rate, seniority, city, status)
        SELECT m.id, m.freelancer_id, m.project_id, m.skill_id, m.title, m.start_date,
            m.end_date, CAST(substr(m.start_date, 1, 4) AS INTEGER), m.days, m.daily_rate,
            f.seniority, f.city, m.status
        FROM (SELECT {_select("missions", "x")} FROM main.missions x) m
        JOIN pub.freelancers f ON f.id = m.freelancer_id
        WHERE m.status != 'cancelled'""",
        f"""INSERT INTO pub.notes (id, mission_id, freelancer_id, project_id, skill_id, year,
            author, quality, communication, deadlines, autonomy, average, would_rehire, text,
            tags, created_at)
        SELECT n.id, n.mission_id, m.freelancer_id, m.project_id, m.skill_id, m.year, n.author,
            n.quality, n.communication, n.deadlines, n.autonomy,
            round((n.quality + n.communication + n.deadlines + n.autonomy) / 4.0, 2),
            n.would_rehire,
            CASE WHEN {forgotten} THEN NULL ELSE n.text END,
            CASE WHEN {forgotten} THEN NULL ELSE n.tags END,
            n.created_at
        FROM (SELECT {_select("notes", "x")} FROM main.notes x) n
        JOIN pub.missions m ON m.id = n.mission_id
        JOIN pub.freelancers f ON f.id = m.freelancer_id""",
        f"""INSERT INTO pub.recommendations (id, mission_id, freelancer_id, author, text,
            created_at)
        SELECT r.id, r.mission_id, m.freelancer_id, r.author, r.text, r.created_at
        FROM (SELECT {_select("recommendations", "x")} FROM main.recommendations x) r
        JOIN pub.missions m ON m.id = r.mission_id
        JOIN pub.freelancers f ON f.id = m.freelancer_id
        WHERE NOT {forgotten}""",
        f"""INSERT INTO pub.feedback (id, mission_id, freelancer_id, source, onboarding,
            integration, clarity, suggestions, created_at)
        SELECT fb.id, fb.mission_id, m.freelancer_id, fb.source, fb.onboarding, fb.integration,
            fb.clarity, CASE WHEN {forgotten} THEN NULL ELSE fb.suggestions END, fb.created_at
        FROM (SELECT {_select("feedback", "x")} FROM main.feedback x) fb
        JOIN pub.missions m ON m.id = fb.mission_id
        JOIN pub.freelancers f ON f.id = m.freelancer_id""",
    ]


# Aggregates of the public profile, computed from the copied tables only.
PROFILE_UPDATES = [
    """UPDATE pub.freelancers SET skills = (
        SELECT group_concat(label, ', ') FROM (
            SELECT s.label_fr || ' (' || fs.level || ')' AS label
            FROM pub.freelancer_skills fs JOIN pub.skills s ON s.id = fs.skill_id
            WHERE fs.freelancer_id = freelancers.id ORDER BY fs.level DESC, s.label_fr))""",
    """WITH m AS (
        SELECT freelancer_id, count(*) AS n, min(start_date) AS first_start,
            max(end_date) AS last_end,
            json_group_array(json_array(start_date, daily_rate)) AS history
        FROM (SELECT * FROM pub.missions ORDER BY freelancer_id, start_date)
        GROUP BY freelancer_id)
    UPDATE pub.freelancers SET missions_count = m.n, first_mission_start = m.first_start,
        last_mission_end = m.last_end, rate_history = m.history
    FROM m WHERE m.freelancer_id = freelancers.id""",
    """WITH last AS (
        SELECT freelancer_id, id, daily_rate, row_number() OVER (
            PARTITION BY freelancer_id ORDER BY end_date DESC, id DESC) AS rn
        FROM pub.missions)
    UPDATE pub.freelancers SET last_mission_id = last.id, last_daily_rate = last.daily_rate
    FROM last WHERE last.freelancer_id = freelancers.id AND last.rn = 1""",
    """WITH n AS (
        SELECT freelancer_id, count(*) AS n,
            round(avg(quality), 2) AS q, round(avg(communication), 2) AS c,
            round(avg(deadlines), 2) AS d, round(avg(autonomy), 2) AS a,
            round(avg(average), 2) AS overall,
            round(avg(would_rehire = 'yes'), 2) AS rehire
        FROM pub.notes GROUP BY freelancer_id)
    UPDATE pub.freelancers SET notes_count = n.n, avg_quality = n.q, avg_communication = n.c,
        avg_deadlines = n.d, avg_autonomy = n.a, avg_rating = n.overall,
        would_rehire_share = n.rehire
    FROM n WHERE n.freelancer_id = freelancers.id""",
    """WITH last AS (
        SELECT n.freelancer_id, n.would_rehire, row_number() OVER (
            PARTITION BY n.freelancer_id ORDER BY m.end_date DESC, n.id DESC) AS rn
        FROM pub.notes n JOIN pub.missions m ON m.id = n.mission_id)
    UPDATE pub.freelancers SET last_would_rehire = last.would_rehire
    FROM last WHERE last.freelancer_id = freelancers.id AND last.rn = 1""",
]

#: Full-text search: table -> columns (FTS5, accents ignored).
FTS_COLUMNS = {
    "notes": ["text", "tags"],
    "recommendations": ["text"],
    "feedback": ["suggestions"],
}


def _rate_benchmarks(conn: sqlite3.Connection) -> None:
    """Daily-rate quartiles per skill and seniority, by the planning's one definition
    (:func:`~fmstoolkit.planning.rates.quartiles`, over the same paid missions as of today).

    Grouping in Python and calling the shared function beats SQL windows, and there is no
    second definition to drift: whole quartiles are stored as integers, quarter euros as reals
    (``NUMERIC`` columns)."""
    groups: dict[tuple[int, str], list[int]] = {}
    for skill_id, seniority, rate in conn.execute(
        "SELECT m.skill_id, m.seniority, m.daily_rate FROM pub.missions m "
        f"WHERE m.skill_id IS NOT NULL AND m.daily_rate IS NOT NULL AND {PAID_MISSIONS_WHERE}",
        {"today": clock.today().isoformat()},
    ):
        groups.setdefault((skill_id, seniority), []).append(rate)
    rows = []
    for (skill_id, seniority), rates in groups.items():
        rates.sort()
        rows.append(
            (skill_id, seniority, len(rates), rates[0], *quartiles(rates), rates[-1],
             round(sum(rates) / len(rates)))
        )  # fmt: skip
    conn.executemany("INSERT INTO pub.rate_benchmarks VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)", rows)


#: Other words people use for a seniority (its words in each language are added below).
SENIORITY_SYNONYMS = {
    "confirmee": "confirmed", "intermediaire": "confirmed", "intermediate": "confirmed",
    "mid": "confirmed", "medior": "confirmed", "debutant": "junior", "debutante": "junior",
    "experimente": "senior", "experimentee": "senior", "expert": "senior", "experte": "senior",
}  # fmt: skip


def seniority_aliases() -> dict[str, str]:
    """Every key (:func:`~fmstoolkit.db.catalogue.normalize`: no case, no accents) a seniority
    may be typed as, mapped to its stored word: the words of every language of the catalogues
    ("confirmé", "confirmed"), the stored words themselves and a few synonyms."""
    found = dict(SENIORITY_SYNONYMS)
    for seniority in SENIORITIES:
        found[normalize(seniority)] = str(seniority)
        for lang in LANGS:
            found[normalize(_(SENIORITY_WORDS[seniority], lang))] = str(seniority)
    return found


def notes_path(out: str | Path | None = None) -> Path:
    return Path(out) if out else Path(get_settings().notes_db)


def _temp_path(out: Path) -> Path:
    return out.with_name(f".{out.name}.{os.getpid()}.{time.monotonic_ns()}.tmp")


def publish(db: sqlite_utils.Database, out: str | Path | None = None) -> dict[str, Any]:
    """Build the notes database from ``db`` and rename it into place at ``out``
    (default: ``FMS_NOTES_DB``). Returns ``{"path", "seconds", <table>: rows...}``."""
    started = time.perf_counter()
    out = notes_path(out)
    if out.is_dir():
        raise InvalidInput(
            "{path} is a folder: give a file name for the notes database.",
            field="out",
            path=out,
        )
    if db.conn.in_transaction:
        raise InvalidState(
            "The database has a transaction under way: publish after it is committed.",
        )
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = _temp_path(out)
    try:
        counts = _build(db, tmp)
        _finish(tmp)
        os.replace(tmp, out)
    except BaseException:
        for leftover in (tmp, Path(f"{tmp}-journal")):
            leftover.unlink(missing_ok=True)
        raise
    return {"path": str(out), "seconds": round(time.perf_counter() - started, 3), **counts}


def _build(db: sqlite_utils.Database, tmp: Path) -> dict[str, int]:
    """Fill ``tmp`` from ``db`` in one transaction (a consistent snapshot of the source)."""
    conn = db.conn
    conn.execute("ATTACH DATABASE ? AS pub", [str(tmp)])
    try:
        conn.execute("PRAGMA pub.journal_mode = OFF")
        conn.execute("PRAGMA pub.synchronous = OFF")
        conn.execute(f"PRAGMA pub.cache_size = {CACHE_KIB}")
        conn.execute("BEGIN")
        try:
            for statement in SCHEMA.split(";\n"):
                if statement.strip():
                    conn.execute(statement)
            for statement in _copy_statements() + PROFILE_UPDATES:
                conn.execute(statement)
            _rate_benchmarks(conn)
            conn.executemany(
                "INSERT INTO pub.seniority_aliases VALUES (?, ?)", seniority_aliases().items()
            )
            conn.execute(REHIRE_CANDIDATES)
            for statement in INDEXES.strip().splitlines():
                conn.execute(statement)
            counts = {
                table: conn.execute(f"SELECT count(*) FROM pub.{table}").fetchone()[0]
                for table in ("freelancers", "missions", "notes", "recommendations", "feedback")
            }
            conn.execute(
                "INSERT INTO pub.publication (id, published_at, freelancers, missions, notes, "
                "recommendations, feedback) VALUES (1, ?, "
                "?, ?, ?, ?, ?)",
                [clock.stamp(), *counts.values()],
            )
            conn.execute("COMMIT")
        except BaseException:
            conn.execute("ROLLBACK")
            raise
    finally:
        conn.execute("DETACH DATABASE pub")
    return counts


def _finish(tmp: Path) -> None:
    """Views, full-text search and statistics on the new file, then flush it to disk."""
    notes = sqlite_utils.Database(tmp)
    try:
        notes.conn.execute("PRAGMA journal_mode = OFF")
        notes.conn.execute("PRAGMA synchronous = OFF")
        notes.conn.execute(f"PRAGMA cache_size = {CACHE_KIB}")
        notes.executescript(VIEWS)
        for table, columns in FTS_COLUMNS.items():
            notes[table].enable_fts(columns, tokenize=FTS_TOKENIZER)
        notes.conn.execute("ANALYZE")
        notes.conn.commit()
    finally:
        notes.close()
    fd = os.open(tmp, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
