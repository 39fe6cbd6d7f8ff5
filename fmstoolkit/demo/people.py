"""The demo's pool: projects, freelancers (skills, seniority, rates, contacts), talent lists
and alumni check-ins. A part of :class:`~fmstoolkit.demo.generator.Generator`, which holds the
random source, the calendar and the rows these methods add."""

from __future__ import annotations

import datetime as dt
import re
import unicodedata

from ..models import OPEN_MISSION_STATUSES, MissionStatus
from .shape import HISTORY_DAYS, SENIORITY


def _slug(text: str) -> str:
    plain = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", ".", plain.lower()).strip(".")


class PeopleRows:
    """Rows of ``projects``, ``freelancers``, ``contacts``, ``freelancer_skills``, ``lists``,
    ``list_members`` and ``followups``."""

    def projects(self, count: int) -> list[int]:
        words = self.texts["project_words"]
        ids, names = [], set()
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
        current = {m[1] for m in self.rows["missions"] if m[11] in OPEN_MISSION_STATUSES}
        last_end: dict[int, str] = {}
        for m in self.rows["missions"]:
            if m[11] == MissionStatus.offboarded and m[8] > last_end.get(m[1], ""):
                last_end[m[1]] = m[8]
        self.alumni = {f for f in last_end if f not in current}
        for fid, end in last_end.items():
            due = (dt.date.fromisoformat(end) + dt.timedelta(days=90)).isoformat()
            if fid in self.alumni or rnd.random() < 0.1:
                status = "done" if due < self.day(-20) else "pending"
                self.add("followups", fid, None, "alumni_checkin", due, status,
                         due if status == "done" else None)
