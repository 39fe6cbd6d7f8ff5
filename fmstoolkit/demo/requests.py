"""The demo's requests: last year's requests behind some missions with the polls that staffed
them, requests the network could not fill, the open requests of this week, and a little
sending history in the outbox. A part of :class:`~fmstoolkit.demo.generator.Generator`."""

from __future__ import annotations

import bisect
import datetime as dt


class RequestRows:
    """Rows of ``requests``, ``request_roles``, ``polls`` and ``outbox``."""

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
