"""The demo's two years of missions and what follows them: deliverables, closed offboardings
with their checklist, invoice, note, feedback and recommendation, offboardings under way, and
declared unavailability between missions. A part of
:class:`~fmstoolkit.demo.generator.Generator`."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from ..offboarding import CHECKLIST_ITEMS as CHECKLIST
from .shape import CHECKLIST_HISTORY, DELIVERABLE_STATES, FEEDBACK_RATINGS, GRADE_RATINGS


class MissionRows:
    """Rows of ``missions``, ``deliverables``, ``documents``, ``offboardings``,
    ``checklist_items``, ``invoices``, ``notes``, ``feedback``, ``recommendations`` and
    ``unavailability``."""

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
            self.documents(mid, start_i, created)
        if status == "offboarded":
            self.offboarded(mid, fid, project, skill, end_i, days, rate)
        elif status == "ending" and r() < 0.5:
            self.partial_offboarding(mid, end_i)
        return mid

    def documents(self, mid: int, start_i: int, created: str) -> None:
        """The contract and NDA of a mission of the last year or to come (the agency made them
        with fmstoolkit since then; the demo has no PDF files, so ``file`` stays empty): signed
        for a mission under way or past; for one to come, signed (half), sent and waiting for
        the signature (a third), or not made yet. The draw is the mission's own (its id), so the
        rest of the demo is the same as without it."""
        cal = self.cal
        if start_i < cal.today_index - CHECKLIST_HISTORY:
            return
        roll = (mid * 2654435761 % 1000) / 1000 if start_i > cal.today_index else 0.0
        if roll >= 0.8:
            return
        sent = f"{min(created, cal.iso[cal.today_index - 1])} 09:00:00"
        signed = None if roll >= 0.5 else cal.iso[min(cal.today_index, start_i) - 1]
        for kind in ("contract", "nda"):
            self.add("documents", mid, kind, "fr", "signed" if signed else "sent", sent, sent,
                     signed)  # fmt: skip

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
