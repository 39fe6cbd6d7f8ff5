"""The demo generator: one random source, one calendar of working days, and the rows of every
table built as tuples in memory, then written with one ``executemany`` per table.

Same seed, same rows: every random draw comes from one ``random.Random(seed)`` and Faker is
seeded from it; "today" is a parameter. The rows themselves are drawn by the parts the
:class:`Generator` is made of (:mod:`.people`, :mod:`.missions`, :mod:`.requests`), always in
the order :func:`fmstoolkit.demo.build.generate` calls them.
"""

from __future__ import annotations

import bisect
import datetime as dt
import json
import random
from collections.abc import Callable, Sequence
from typing import Any

import sqlite_utils
from faker import Faker

from .. import planning
from ..errors import Conflict
from .missions import MissionRows
from .people import PeopleRows
from .requests import RequestRows
from .shape import COLUMNS, FUTURE_DAYS, HISTORY_DAYS, TEXTS_FILE


class Calendar:
    """Working days from two years ago to a few months ahead, for index arithmetic."""

    def __init__(self, today: dt.date) -> None:
        start = today - dt.timedelta(days=HISTORY_DAYS)
        end = today + dt.timedelta(days=FUTURE_DAYS + 60)
        self.days: list[dt.date] = []
        day = start
        while day <= end:
            if planning.is_working_day(day):
                self.days.append(day)
            day += dt.timedelta(days=1)
        self.iso = [d.isoformat() for d in self.days]
        self.today_index = bisect.bisect_left(self.days, today)


class Generator(PeopleRows, MissionRows, RequestRows):
    """The rows of a demo agency, drawn from ``seed`` for ``today``, ids continuing after the
    rows ``db`` already holds; :meth:`write` inserts them."""

    def __init__(self, db: sqlite_utils.Database, seed: int, today: dt.date) -> None:
        self.db = db
        self.rnd = random.Random(seed)
        self.r = self.rnd.random
        self.fake = Faker("fr_FR")
        self.fake.seed_instance(seed)
        self.today = today
        self.today_iso = today.isoformat()
        self.cal = Calendar(today)
        self.texts = json.loads(TEXTS_FILE.read_text(encoding="utf-8"))
        self.rows: dict[str, list[tuple]] = {name: [] for name in COLUMNS}
        self.skills = list(
            db.query("SELECT id, name, label_fr, category, base_rate FROM skills ORDER BY id")
        )
        if not self.skills:
            raise Conflict(
                "The skills catalogue is empty: run `fms init` first.",
            )
        self.base = {
            table: (db.execute(f"SELECT coalesce(max(rowid), 0) FROM [{table}]").fetchone()[0])
            for table in ("projects", "freelancers", "requests", "missions", "request_roles",
                          "lists")
        }
        self.next_id = {table: start + 1 for table, start in self.base.items()}
        self.emails: set[str] = {
            r[0].lower() for r in db.execute("SELECT email FROM contacts WHERE email IS NOT NULL")
        }
        cities = self.texts["cities"]
        self.city_names = [c for c, _ in cities]
        self.city_weights = [w for _, w in cities]
        self.busy: dict[int, list[tuple[int, int]]] = {}
        self.role_missions: list[tuple[int, int]] = []  # (mission, role) filled by that mission
        self.freelancer_info: dict[int, dict[str, Any]] = {}
        self.project_ids: list[int] = []
        self.project_names: dict[int, str] = {}
        self.authors: list[str] = []
        self.alumni: set[int] = set()

    # -- small helpers -------------------------------------------------------------------------

    def new_id(self, table: str) -> int:
        value = self.next_id[table]
        self.next_id[table] += 1
        return value

    def add(self, table: str, *values: Any) -> None:
        self.rows[table].append(values)

    def day(self, offset: int) -> str:
        return (self.today + dt.timedelta(days=offset)).isoformat()

    def rate_for(self, skill: dict[str, Any], factor: float) -> int:
        base = skill["base_rate"] or 450
        rate = base * factor * self.rnd.uniform(0.85, 1.15)
        return max(150, int(round(rate / 10.0)) * 10)

    def pick(self, seq: Sequence[Any]) -> Any:
        """``random.choice`` without its overhead (hundreds of thousands of draws)."""
        return seq[int(self.r() * len(seq))]

    def between(self, lo: int, hi: int) -> int:
        """``random.randint`` without its overhead."""
        return lo + int(self.r() * (hi - lo + 1))

    # -- writing ------------------------------------------------------------------------------

    def write(self, progress: Callable[[int], Any] | None = None, units: int = 0) -> dict[str, int]:
        """Insert every generated row; ``progress`` receives ``units`` in all, by rows written."""
        total = sum(len(rows) for rows in self.rows.values()) or 1
        reported = written = 0
        counts = {}
        conn = self.db.conn
        for table, columns in COLUMNS.items():
            rows = self.rows[table]
            if not rows:
                counts[table] = 0
                continue
            cols = ", ".join(columns)
            marks = ", ".join("?" for _ in columns)
            conn.executemany(f"INSERT INTO [{table}] ({cols}) VALUES ({marks})", rows)
            counts[table] = len(rows)
            written += len(rows)
            if progress:
                step = units * written // total - reported
                progress(step)
                reported += step
        # Roles point at the mission that filled them, written once both exist.
        conn.executemany("UPDATE request_roles SET mission_id = ? WHERE id = ?", self.role_missions)
        if self.alumni:
            conn.executemany(
                "UPDATE freelancers SET status = 'alumni' WHERE id = ? AND status = 'active'",
                [(f,) for f in sorted(self.alumni)],
            )
        return counts
