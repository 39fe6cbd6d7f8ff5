"""The demo agency: a realistic French agency's two years of freelancing, for `fms demo`.

``generate(db, freelancers=200, seed=0)`` fills every table of the operational database: the
pool (Faker's ``fr_FR`` names, skills and seniority, daily rates drawn per skill and seniority
around the catalogue's base rate), their contacts (addresses on the reserved ``example.org``
domain, about half reachable on Telegram), projects, two years of past missions with
deliverables, invoices, closed offboardings, feedback, recommendations and collaboration notes in
French, declared unavailability, past requests with their polls, a few open requests, missions
ending this week or next, talent lists and alumni check-ins.

Same seed, same database: every random draw comes from one ``random.Random(seed)`` and Faker is
seeded from it; "today" is a parameter. Speed matters (10,000 freelancers in well under a
minute): rows are built as tuples in Python and written with ``executemany`` inside one
transaction, with working days looked up in a precomputed calendar (``planning.is_working_day``,
i.e. the ``holidays`` package) instead of being recounted for every mission.
"""

from __future__ import annotations

import bisect
import datetime as dt
import json
import os
import random
import re
import unicodedata
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import sqlite_utils
from faker import Faker

from . import clock, planning, resources
from . import db as dbmod
from .errors import Conflict
from .offboarding import CHECKLIST_ITEMS as CHECKLIST

#: The texts of the demo agency, shipped in the package (see :mod:`fmstoolkit.resources`).
TEXTS_FILE = resources.demo_texts()
#: What ``_meta`` records about a demo database (see :func:`refresh`).
META_DEMO, META_BUILT_FOR, META_SEED, META_FREELANCERS = (
    "demo", "demo_built_for", "demo_seed", "demo_freelancers")
SENIORITY = (("junior", 0.25, 0.78), ("confirmed", 0.45, 1.0), ("senior", 0.30, 1.32))
DELIVERABLE_STATES = ("delivered", "accepted", "changes_requested", "pending")
GRADE_RATINGS = {"good": (4, 5), "mixed": (3, 4), "bad": (1, 3)}
FEEDBACK_RATINGS = (2, 3, 3, 4, 4, 4, 4, 5, 5, 5)  # how freelancers rate their welcome
HISTORY_DAYS = 730
#: Working days of history whose closed offboardings carry their checklist ticks (about a year):
#: the agency adopted the checklist a year ago; older offboardings keep their note, feedback,
#: recommendation and invoice. It also keeps `fms demo --freelancers 10000` under a minute.
CHECKLIST_HISTORY = 250
FUTURE_DAYS = 75
# Tables written here, in foreign-key order, with the columns of each insert.
COLUMNS: dict[str, tuple[str, ...]] = {
    "projects": ("id", "name", "client", "lead_name", "description", "created_at"),
    "freelancers": (
        "id", "name", "headline", "city", "seniority", "daily_rate", "status", "lang",
        "opted_out_at", "availability_confirmed_at", "availability_confirmed_by", "created_at",
    ),
    "contacts": (
        "freelancer_id", "email", "phone", "telegram_chat_id", "preferred_channel", "updated_at",
    ),
    "freelancer_skills": ("freelancer_id", "skill_id", "level"),
    "requests": (
        "id", "project_id", "start_date", "end_date", "days", "max_rate", "status", "outcome",
        "notes", "requested_by", "created_at", "staffed_at", "closed_at",
    ),
    "request_roles": (
        "id", "request_id", "skill_id", "min_level", "max_rate", "label", "mission_id",
        "filled_outside",
    ),
    "missions": (
        "id", "freelancer_id", "project_id", "request_id", "role_id", "skill_id", "title",
        "start_date", "end_date", "days", "daily_rate", "status", "cancel_reason", "created_at",
    ),
    "polls": (
        "request_id", "role_id", "freelancer_id", "channel", "asked_at", "answer", "answered_at",
    ),
    "unavailability": ("freelancer_id", "start_date", "end_date", "reason", "source", "created_at"),
    "deliverables": ("mission_id", "title", "status", "due_date", "delivered_at", "comment"),
    "offboardings": (
        "mission_id", "status", "opened_at", "closed_at", "end_reason", "updated_at",
    ),
    "checklist_items": ("mission_id", "item", "status", "value", "comment", "updated_at"),
    "invoices": (
        "mission_id", "amount", "daily_rate", "days", "last_billed_day", "received_at",
        "checked_at", "paid_at",
    ),
    "feedback": (
        "mission_id", "source", "onboarding", "integration", "clarity", "suggestions",
        "created_at",
    ),
    "recommendations": ("mission_id", "author", "text", "created_at", "delivered_at"),
    "notes": (
        "mission_id", "author", "quality", "communication", "deadlines", "autonomy",
        "would_rehire", "text", "tags", "created_at",
    ),
    "lists": ("id", "name", "description"),
    "list_members": ("list_id", "freelancer_id", "added_at"),
    "followups": ("freelancer_id", "mission_id", "kind", "due_date", "status", "done_at"),
    "outbox": (
        "dedupe_key", "freelancer_id", "channel", "kind", "lang", "subject", "body", "status",
        "attempts", "next_attempt_at", "sent_channel", "sent_at", "created_at",
    ),
}


def _slug(text: str) -> str:
    plain = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", ".", plain.lower()).strip(".")


class _Calendar:
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

    def index_on_or_after(self, day: dt.date) -> int:
        return bisect.bisect_left(self.days, day)


class _Generator:
    def __init__(self, db: sqlite_utils.Database, seed: int, today: dt.date) -> None:
        self.db = db
        self.rnd = random.Random(seed)
        self.r = self.rnd.random
        self.fake = Faker("fr_FR")
        self.fake.seed_instance(seed)
        self.today = today
        self.today_iso = today.isoformat()
        self.cal = _Calendar(today)
        self.texts = json.loads(TEXTS_FILE.read_text(encoding="utf-8"))
        self.rows: dict[str, list[tuple]] = {name: [] for name in COLUMNS}
        self.skills = list(
            db.query("SELECT id, name, label_fr, category, base_rate FROM skills ORDER BY id")
        )
        if not self.skills:
            raise Conflict(
                "The skills catalogue is empty: run `fms init` first.",
                "Le catalogue des compétences est vide : lancez d'abord `fms init`.",
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

    # -- the pool ------------------------------------------------------------------------------

    def projects(self, count: int) -> list[int]:
        words = self.texts["project_words"]
        ids, names = [], set()
        self.project_names: dict[int, str] = {}
        self.authors = [f"{self.fake.first_name_female()}, cheffe de projet" for _ in range(20)]
        self.authors += [f"{self.fake.first_name_male()}, chef de projet" for _ in range(20)]
        while len(ids) < count:
            client = self.rnd.choice(self.texts["clients"])
            name = f"{self.rnd.choice(words['kind'])} {self.rnd.choice(words['topic'])}"
            name = f"{name} – {client}"
            if name in names:
                name = f"{name} ({len(ids) + 1})"
            names.add(name)
            pid = self.new_id("projects")
            self.project_names[pid] = name
            created = self.day(-HISTORY_DAYS - self.rnd.randint(0, 60))
            self.add(
                "projects", pid, name, client, self.fake.name(),
                f"Projet {client} piloté par l'agence.", created,
            )
            ids.append(pid)
        return ids

    def freelancer(self) -> int:
        rnd = self.rnd
        fid = self.new_id("freelancers")
        first, last = self.fake.first_name(), self.fake.last_name()
        name = f"{first} {last}"
        seniority, factor = self._seniority()
        main = rnd.choice(self.skills)
        others = [s for s in self.skills if s["category"] == main["category"] and s is not main]
        skills = [main] + rnd.sample(others, k=min(len(others), rnd.randint(1, 3)))
        if rnd.random() < 0.25:
            skills.append(rnd.choice(self.skills))
        top = {"junior": (2, 3), "confirmed": (3, 4), "senior": (4, 5)}[seniority]
        levels: dict[int, int] = {}
        for i, skill in enumerate(skills):
            if skill["id"] in levels:
                continue
            level = rnd.randint(*top) if i == 0 else max(1, rnd.randint(*top) - rnd.randint(0, 2))
            levels[skill["id"]] = level
            self.add("freelancer_skills", fid, skill["id"], level)
        rate = self.rate_for(main, factor)
        headline = rnd.choice(self.texts["headline"][seniority]).format(skill=main["label_fr"])
        city = rnd.choices(self.city_names, self.city_weights)[0]
        roll = rnd.random()
        status = "inactive" if roll < 0.03 else "active"
        opted_out = self.day(-rnd.randint(5, 300)) if rnd.random() < 0.02 else None
        confirmed_at = self.day(-rnd.randint(0, 150))
        confirmed_by = rnd.choice(("answer", "declared", "manager"))
        created = self.day(-HISTORY_DAYS - rnd.randint(0, 400))
        self.add(
            "freelancers", fid, name, headline, city, seniority, rate, status,
            "en" if rnd.random() < 0.05 else None, opted_out, confirmed_at, confirmed_by, created,
        )
        email = f"{_slug(first)}.{_slug(last)}@example.org"
        if email in self.emails:
            email = f"{_slug(first)}.{_slug(last)}.{fid}@example.org"
        self.emails.add(email)
        telegram = rnd.random() < 0.5
        self.add(
            "contacts", fid, email,
            f"+33 6 {rnd.randint(10, 99)} {rnd.randint(10, 99)} {rnd.randint(10, 99)} "
            f"{rnd.randint(10, 99)}" if rnd.random() < 0.7 else None,
            7_000_000_000 + fid * 7 + rnd.randint(0, 6) if telegram else None,
            "telegram" if telegram else "email",
            confirmed_at,
        )
        self.freelancer_info[fid] = {
            "name": name, "first": first, "seniority": seniority, "factor": factor,
            "skills": skills, "levels": levels, "status": status, "opted_out": opted_out,
        }
        return fid

    def _seniority(self) -> tuple[str, float]:
        roll, acc = self.rnd.random(), 0.0
        for name, share, factor in SENIORITY:
            acc += share
            if roll < acc:
                return name, factor
        return SENIORITY[-1][0], SENIORITY[-1][2]

    # -- missions and what follows them --------------------------------------------------------

    def missions(self, fid: int, projects: Sequence[int], per_freelancer: int) -> None:
        rnd, cal = self.rnd, self.cal
        info = self.freelancer_info[fid]
        total = len(cal.days)
        horizon = cal.today_index + 40
        pace = (horizon - 5) / max(1, per_freelancer)  # average mission + gap, in working days
        index = rnd.randint(0, int(pace))
        busy: list[tuple[int, int]] = []
        count = 0
        last_rate = None
        while count < per_freelancer and index < horizon and index < total - 30:
            length = max(2, min(40, int(rnd.gauss(pace * 0.5, pace * 0.2))))
            start_i, end_i = index, min(index + length - 1, total - 1)
            skill = info["skills"][0] if rnd.random() < 0.7 else rnd.choice(info["skills"])
            progress = start_i / total
            rate = self.rate_for(skill, info["factor"] * (0.92 + 0.1 * progress))
            last_rate = rate
            self.mission(fid, self.pick(projects), skill, start_i, end_i, rate)
            busy.append((start_i, end_i))
            count += 1
            index = end_i + 1 + max(0, int(rnd.gauss(pace * 0.5, pace * 0.3)))
        self.busy[fid] = busy
        info["last_rate"] = last_rate

    def pick(self, seq: Sequence[Any]) -> Any:
        """``random.choice`` without its overhead (hundreds of thousands of draws)."""
        return seq[int(self.r() * len(seq))]

    def between(self, lo: int, hi: int) -> int:
        """``random.randint`` without its overhead."""
        return lo + int(self.r() * (hi - lo + 1))

    def mission(
        self, fid: int, project: int, skill: dict[str, Any], start_i: int, end_i: int, rate: int,
    ) -> int:
        r, cal = self.r, self.cal
        mid = self.new_id("missions")
        start, end = cal.iso[start_i], cal.iso[end_i]
        days = end_i - start_i + 1
        ti = cal.today_index
        if start_i > ti:
            status = "planned"
        elif end_i >= ti:
            status = "active"
        elif end_i >= ti - 10 and r() < 0.6:
            status = "ending"
        elif r() < 0.015:
            status = "cancelled"
        else:
            status = "offboarded"
        created = cal.iso[max(0, start_i - self.between(3, 25))]
        self.add(
            "missions", mid, fid, project, None, None, skill["id"], skill["label_fr"], start, end,
            days, rate, status, "Projet reporté par le client" if status == "cancelled" else None,
            created,
        )
        if status != "cancelled":
            titles = self.texts["deliverables"]
            first = int(r() * len(titles))
            for k in range(1 + int(r() * 2.5)):
                title = titles[(first + 7 * k) % len(titles)]
                if status == "offboarded":
                    d_status, delivered = "accepted", end
                elif status == "ending":
                    d_status = self.pick(DELIVERABLE_STATES)
                    delivered = end if d_status != "pending" else None
                else:
                    d_status, delivered = "pending", None
                self.add("deliverables", mid, title, d_status, end, delivered, None)
        if status == "offboarded":
            self.offboarded(mid, fid, project, skill, end_i, days, rate)
        elif status == "ending" and r() < 0.5:
            self.partial_offboarding(mid, end_i)
        return mid

    def offboarded(
        self, mid: int, fid: int, project: int, skill: dict[str, Any], end_i: int, days: int,
        rate: int,
    ) -> None:
        r, pick, cal, texts = self.r, self.pick, self.cal, self.texts
        info = self.freelancer_info[fid]
        end_iso = cal.iso[end_i]
        closed_iso = cal.iso[min(cal.today_index - 1, end_i + self.between(1, 8))]
        self.add(
            "offboardings", mid, "closed", end_iso, closed_iso, pick(texts["end_reason"]),
            closed_iso,
        )
        amount = days * rate
        roll = r()
        objectives = "yes" if roll < 0.8 else ("partly" if roll < 0.97 else "no")
        equipment = r() < 0.4
        values = (
            ("objectives", "done", objectives, None),
            ("deliverables", "done", None, None),
            ("handover", "done", f"{pick(texts['handover_to'])} — Notion/Passation-{mid}", None),
            ("accesses", "done", pick(texts["systems"]), None),
            ("equipment", "done", None, None) if equipment
            else ("equipment", "not_applicable", None, "pas de matériel prêté"),
            ("invoice_received", "done", str(amount), None),
            ("invoice_paid", "done", closed_iso, None),
            ("confidentiality", "done", None, None),
        )
        if end_i >= cal.today_index - CHECKLIST_HISTORY:
            rows = self.rows["checklist_items"]
            for item, status, value, comment in values:
                rows.append((mid, item, status, value, comment, closed_iso))
        self.add("invoices", mid, amount, rate, days, end_iso, closed_iso, closed_iso, closed_iso)
        # Quality of the collaboration: mostly good, some mixed, a few bad.
        roll = r()
        grade = "good" if roll < 0.70 else ("mixed" if roll < 0.94 else "bad")
        lo, hi = GRADE_RATINGS[grade]
        ratings = [self.between(lo, hi) for _ in range(4)]
        if grade == "good":
            rehire = "yes"
        elif grade == "bad":
            rehire = "no"
        else:
            roll = r()
            rehire = "yes" if roll < 0.45 else ("maybe" if roll < 0.87 else "no")
        notes = texts["note"][grade]
        parts = [
            pick(texts["note"]["context"]).format(project=self.project_names[project], days=days),
            pick(notes),
        ]
        if r() < 0.4:
            parts.append(pick(notes))
        tags = texts["tags"]
        first = int(r() * len(tags))
        chosen = [tags[(first + 5 * k) % len(tags)] for k in range(int(r() * 4))]
        self.add(
            "notes", mid, pick(self.authors), *ratings, rehire, " ".join(parts),
            json.dumps(chosen, ensure_ascii=False), closed_iso,
        )
        if r() < 0.6:
            fb = [FEEDBACK_RATINGS[int(r() * len(FEEDBACK_RATINGS))] for _ in range(3)]
            self.add(
                "feedback", mid, "interview" if r() < 0.5 else "freelancer", *fb,
                pick(texts["feedback"]) or None, closed_iso,
            )
        if grade != "bad" and r() < 0.7:
            rec = pick(texts["recommendation"]).format(
                name=info["name"], days=days, project=self.project_names[project],
                skill=skill["label_fr"].lower(), pronoun=info["first"],
            )
            self.add(
                "recommendations", mid, "Agence", rec, closed_iso,
                closed_iso if r() < 0.8 else None,
            )

    def partial_offboarding(self, mid: int, end_i: int) -> None:
        opened = self.cal.iso[end_i]
        self.add("offboardings", mid, "opened", opened, None, None, opened)
        for item in self.rnd.sample(CHECKLIST, 3):
            self.add("checklist_items", mid, item, "done", None, None, opened)

    # -- declared unavailability ---------------------------------------------------------------

    def unavailability(self, fid: int, count: int) -> None:
        rnd, cal = self.rnd, self.cal
        busy = self.busy.get(fid, [])
        gaps, previous = [], 0
        for start_i, end_i in busy:
            if start_i - previous >= 3:
                gaps.append((previous, start_i - 1))
            previous = end_i + 1
        last = len(cal.days) - 1
        if last - previous >= 3:
            gaps.append((previous, last))
        future = [g for g in gaps if g[1] >= cal.today_index]
        for n in range(count):
            pool = future if (n == 0 and future) else gaps
            if not pool:
                break
            lo, hi = rnd.choice(pool)
            length = rnd.randint(1, min(10, hi - lo + 1))
            start_i = rnd.randint(lo, hi - length + 1)
            self.add(
                "unavailability", fid, cal.iso[start_i], cal.iso[start_i + length - 1],
                rnd.choice(self.texts["unavailability"]),
                rnd.choices(("freelancer", "manager", "poll"), (60, 30, 10))[0],
                cal.days[max(0, start_i - rnd.randint(2, 40))].isoformat(),
            )

    # -- requests, polls, lists, follow-ups, outbox --------------------------------------------

    def past_requests(self, share: float) -> None:
        """Requests behind some of last year's missions, with the polls that staffed them."""
        rnd, cal = self.rnd, self.cal
        year_ago = cal.today_index - 250
        missions = self.rows["missions"]
        freelancers = list(self.freelancer_info)
        for i, m in enumerate(missions):
            mid, fid, project, _, _, skill_id, _, start, end, days, rate, status = m[:12]
            if status == "cancelled" or rnd.random() >= share:
                continue
            start_i = bisect.bisect_left(cal.iso, start)
            if start_i < year_ago:
                continue
            rid = self.new_id("requests")
            role_id = self.new_id("request_roles")
            asked = cal.days[max(0, start_i - rnd.randint(4, 15))]
            staffed = asked + dt.timedelta(days=rnd.randint(0, 4))
            max_rate = int(round(rate * rnd.uniform(1.0, 1.2) / 10)) * 10
            self.add(
                "requests", rid, project, start, end, days, max_rate, "staffed", "network", None,
                self.fake.first_name(), f"{asked.isoformat()} 09:00:00",
                f"{staffed.isoformat()} 17:00:00", f"{staffed.isoformat()} 17:00:00",
            )
            self.add("request_roles", role_id, rid, skill_id, 1, max_rate, None, None, 0)
            self.role_missions.append((mid, role_id))
            missions[i] = (*m[:3], rid, role_id, *m[5:])
            asked_iso = f"{asked.isoformat()} 09:30:00"
            answered = f"{staffed.isoformat()} 11:00:00"
            self.add("polls", rid, role_id, fid, rnd.choice(("email", "telegram")), asked_iso,
                     "yes", answered)
            for other in rnd.sample(freelancers, min(len(freelancers), rnd.randint(1, 3))):
                if other == fid:
                    continue
                answer = rnd.choices(("no", "maybe", None), (50, 20, 30))[0]
                self.add(
                    "polls", rid, role_id, other, rnd.choice(("email", "telegram", "manager")),
                    asked_iso, answer, answered if answer else None,
                )
        # Some requests the network could not fill.
        for _ in range(max(2, int(len(missions) * share * 0.08))):
            start_i = rnd.randint(year_ago, cal.today_index - 15)
            days = rnd.randint(3, 15)
            skill = rnd.choice(self.skills)
            outcome = rnd.choices(("outside", "unfilled", "cancelled"), (40, 40, 20))[0]
            status = "cancelled" if outcome in ("cancelled", "unfilled") else "staffed"
            asked = cal.days[max(0, start_i - 10)].isoformat()
            rid = self.new_id("requests")
            self.add(
                "requests", rid, rnd.choice(self.project_ids), cal.iso[start_i],
                cal.iso[start_i + days - 1], days, None, status, outcome, None,
                self.fake.first_name(), f"{asked} 09:00:00",
                f"{asked} 18:00:00" if outcome == "outside" else None, f"{asked} 18:00:00",
            )
            role_id = self.new_id("request_roles")
            self.add("request_roles", role_id, rid, skill["id"], 2, None, None, None,
                     1 if outcome == "outside" else 0)

    def open_requests(self, count: int) -> None:
        rnd, cal = self.rnd, self.cal
        freelancers = [f for f, i in self.freelancer_info.items() if i["status"] == "active"]
        for n in range(count):
            asked = rnd.sample(freelancers, min(6, len(freelancers)))
            rid = self.new_id("requests")
            start_i = cal.today_index + rnd.randint(4, 25)
            days = rnd.choice((3, 5, 5, 10, 15, 20))
            polling = n % 2 == 1
            self.add(
                "requests", rid, rnd.choice(self.project_ids), cal.iso[start_i],
                cal.iso[start_i + days - 1], days, rnd.choice((None, 450, 550, 650)),
                "polling" if polling else "open", None,
                rnd.choice(("Besoin urgent", "Renfort sprint", "Remplacement congé", None)),
                self.fake.first_name(), f"{self.day(-rnd.randint(0, 3))} 10:00:00", None, None,
            )
            roles = rnd.sample(self.skills, 2 if n % 3 == 0 else 1)
            for skill in roles:
                role_id = self.new_id("request_roles")
                self.add("request_roles", role_id, rid, skill["id"], rnd.randint(2, 4), None,
                         skill["label_fr"], None, 0)
                if polling and asked:
                    for fid in [asked.pop() for _ in range(min(3, len(asked)))]:
                        answer = rnd.choice((None, "yes", "maybe", "no"))
                        self.add("polls", rid, role_id, fid, "manager",
                                 f"{self.today_iso} 09:00:00", answer,
                                 f"{self.today_iso} 11:00:00" if answer else None)

    def lists_and_followups(self) -> None:
        rnd = self.rnd
        by_skill: dict[str, list[int]] = {}
        for fid, info in self.freelancer_info.items():
            for skill in info["skills"]:
                by_skill.setdefault(skill["name"], []).append(fid)
        for name, description, skill in self.texts["lists"]:
            lid = self.new_id("lists")
            self.add("lists", lid, name, description)
            members = by_skill.get(skill, [])
            for fid in rnd.sample(members, min(len(members), rnd.randint(3, 12))):
                self.add("list_members", lid, fid, self.day(-rnd.randint(1, 300)))
        # Alumni: no mission under way; an alumni check-in 90 days after their last mission.
        current = {m[1] for m in self.rows["missions"] if m[11] in ("planned", "active", "ending")}
        last_end: dict[int, str] = {}
        for m in self.rows["missions"]:
            if m[11] == "offboarded" and m[8] > last_end.get(m[1], ""):
                last_end[m[1]] = m[8]
        self.alumni = {f for f in last_end if f not in current}
        for fid, end in last_end.items():
            due = (dt.date.fromisoformat(end) + dt.timedelta(days=90)).isoformat()
            if fid in self.alumni or rnd.random() < 0.1:
                status = "done" if due < self.day(-20) else "pending"
                self.add("followups", fid, None, "alumni_checkin", due, status,
                         due if status == "done" else None)

    def outbox_history(self) -> None:
        """A little sending history, so that `fms outbox list` shows something."""
        rnd = self.rnd
        for n, poll in enumerate(self.rows["polls"][-200:]):
            rid, _, fid, channel = poll[:4]
            if channel == "manager":
                continue
            subject = f"Disponibilité pour une mission (demande {rid})"
            self.add(
                "outbox", f"poll:request {rid}:freelancer {fid}", fid, channel,
                "availability_question", "fr", subject,
                "Bonjour, seriez-vous disponible pour cette mission ?", "sent", 1, poll[4],
                channel, poll[4], poll[4],
            )
            if n > 120 and rnd.random() < 0.5:
                break

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


def generate(
    db: sqlite_utils.Database,
    *,
    freelancers: int = 200,
    seed: int = 0,
    today: dt.date | str | None = None,
    missions_per_freelancer: int = 20,
    unavailability_per_freelancer: int = 5,
    progress: Callable[[int], Any] | None = None,
) -> dict[str, int]:
    """Fill ``db`` with a demo agency and return the number of rows written per table.

    ``progress(n)`` reports work done for a progress bar: ``2 * freelancers`` units in all, the
    first half as freelancers are generated, the second as their rows are written.
    The whole generation is one transaction: an error leaves the database as it was.
    """
    if freelancers < 1:
        from .errors import InvalidInput

        raise InvalidInput(
            "The demo needs at least one freelancer.",
            "La démo a besoin d'au moins un freelance.",
            field="freelancers",
        )
    if isinstance(today, str):
        today = dt.date.fromisoformat(today)
    gen = _Generator(db, seed, today or clock.today())
    gen.project_ids = gen.projects(max(12, freelancers // 8))
    step = max(1, freelancers // 100)
    done = 0
    for n in range(freelancers):
        fid = gen.freelancer()
        gen.missions(fid, gen.project_ids, missions_per_freelancer)
        gen.unavailability(fid, unavailability_per_freelancer)
        if progress and (n + 1 - done >= step or n + 1 == freelancers):
            progress(n + 1 - done)
            done = n + 1
    gen.past_requests(share=0.15)
    gen.open_requests(max(4, min(12, freelancers // 20)))
    gen.lists_and_followups()
    gen.outbox_history()
    cache = db.execute("PRAGMA cache_size").fetchone()[0]
    db.execute("PRAGMA cache_size = -262144")  # 256 MiB while bulk-inserting: fewer page reads
    # The generator writes consistent rows by construction; checking every foreign key row by
    # row costs more than the inserts themselves, so the check runs once, at the end.
    db.execute("PRAGMA foreign_keys = OFF")
    # Secondary indexes and triggers are dropped and rebuilt after the bulk insert: building an
    # index from sorted data at the end is several times faster than updating it row by row, and
    # the tables the triggers maintain are recomputed once, set-based (db.refresh_derived).
    schema = [
        (kind, name, sql)
        for kind, name, sql in db.execute(
            "SELECT type, name, sql FROM sqlite_master WHERE type IN ('index', 'trigger') "
            "AND sql IS NOT NULL"
        ).fetchall()
    ]
    try:
        with db.atomic():
            for kind, name, _ in schema:
                db.execute(f"DROP {kind.upper()} [{name}]")
            counts = gen.write(progress, freelancers)
            for _, _, sql in schema:
                db.execute(sql)
            dbmod.refresh_derived(db)
            dbmod.set_meta(db, {
                META_DEMO: "yes", META_BUILT_FOR: gen.today.isoformat(),
                META_SEED: seed, META_FREELANCERS: freelancers,
            })  # fmt: skip
            broken = db.execute("PRAGMA foreign_key_check").fetchall()
            if broken:
                raise RuntimeError(f"demo generator wrote dangling references: {broken[:5]}")
    finally:
        db.execute("PRAGMA foreign_keys = ON")
        db.execute(f"PRAGMA cache_size = {cache}")
    db.execute("ANALYZE")
    return counts


def create(
    path: str | Path,
    *,
    freelancers: int = 200,
    seed: int = 0,
    force: bool = False,
    today: dt.date | str | None = None,
    progress: Callable[[int], Any] | None = None,
) -> dict[str, int]:
    """Create the demo database at ``path`` (what ``fms demo`` does).

    An existing database is never overwritten unless ``force``. The demo is built in a
    temporary file beside ``path`` and renamed into place at the end, so an interrupted run
    leaves either the old database or none, never half a demo.
    """
    path = Path(path)
    refuse_overwrite(path, force)
    path.parent.mkdir(parents=True, exist_ok=True)
    return _create_in(path, path.with_name(f".{path.name}.demo-tmp"), freelancers, seed, today,
                      progress)


def demo_facts(path: str | Path) -> dict[str, str] | None:
    """What ``_meta`` says of the demo at ``path`` (built for, seed, size), or None when the
    file is not a demo database (or not there)."""
    path = Path(path)
    if not path.is_file():
        return None
    database = dbmod.open_db(path)
    try:
        if dbmod.get_meta(database, META_DEMO) != "yes":
            return None
        keys = (META_BUILT_FOR, META_SEED, META_FREELANCERS)
        return {key: dbmod.get_meta(database, key) or "" for key in keys}
    finally:
        database.close()


def refresh_plan(
    path: str | Path, *, freelancers: int = 200, seed: int = 0, today: dt.date | None = None
) -> tuple[str, int, int]:
    """What :func:`refresh` would do at ``path``, with the size and seed it would build.

    ``"create"`` (there is no database), ``"current"`` (a demo built for today: nothing to do),
    ``"rebuild"`` (a demo built for another day: made again for today with its own seed and
    size, so that "missions ending this week" and the open requests are this week's) or
    ``"not a demo"`` (a database of real work: never touched).
    """
    path = Path(path)
    if not path.exists():
        return "create", freelancers, seed
    facts = demo_facts(path)
    if facts is None:
        return "not a demo", 0, 0
    size = int(facts[META_FREELANCERS] or freelancers)
    own_seed = int(facts[META_SEED] or seed)
    day = (today or clock.today()).isoformat()
    return ("current" if facts[META_BUILT_FOR] == day else "rebuild"), size, own_seed


def refresh(
    path: str | Path,
    *,
    freelancers: int = 200,
    seed: int = 0,
    today: dt.date | None = None,
    progress: Callable[[int], Any] | None = None,
) -> str:
    """Keep the demo at ``path`` current (what ``make run`` does before starting); returns the
    action of :func:`refresh_plan` that was carried out."""
    day = today or clock.today()
    action, size, own_seed = refresh_plan(path, freelancers=freelancers, seed=seed, today=day)
    if action in ("create", "rebuild"):
        create(path, freelancers=size, seed=own_seed, today=day, force=action == "rebuild",
               progress=progress)
    return action


def refuse_overwrite(path: Path, force: bool) -> None:
    """The demo never replaces an existing database unless asked to with ``force``."""
    if Path(path).exists() and not force:
        raise Conflict(
            "{path} already exists: add --force to replace it with the demo agency "
            "(its data will be lost).",
            "{path} existe déjà : ajoutez --force pour la remplacer par l'agence de démo "
            "(ses données seront perdues).",
            field="db",
            path=path,
        )


def _create_in(path: Path, tmp: Path, freelancers, seed, today, progress) -> dict[str, int]:
    _remove_db_files(tmp)
    database = dbmod.open_db(tmp, create=True)
    try:
        counts = generate(
            database, freelancers=freelancers, seed=seed, today=today, progress=progress
        )
        database.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    except BaseException:
        database.close()
        _remove_db_files(tmp)
        raise
    database.close()
    _remove_db_files(path)
    os.replace(tmp, path)
    return counts


def _remove_db_files(path: Path) -> None:
    for suffix in ("", "-wal", "-shm", "-journal"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)
