"""The programs of the concurrency test, each in its own process, as in an agency.

- ``manager``: what the planning notebook does, through the same actions: open a request, ask
  the best candidates, staff it, sometimes cancel the mission again;
- ``assistant``: what the bot does when freelancers answer, through the same actions: record
  the answers to availability questions, declare a freelancer away;
- ``publisher``: what ``fms publish`` does from cron: rebuild the notes database.

Each returns what it wrote (to check none of it was lost) and every exception that is not one of
the sentences a user may be told (a traceback would be one).
"""

from __future__ import annotations

import random
import time
import traceback
from pathlib import Path

from fmstoolkit import clock, planning, publish
from fmstoolkit import db as dbmod
from fmstoolkit.actions import planning as actions
from fmstoolkit.config import get_settings
from fmstoolkit.errors import Conflict, FmsError, InvalidState


def _run(role: str, seconds: float, step) -> dict:
    """Call ``step(db, rng, done)`` until ``seconds`` have passed; collect what went wrong."""
    db = dbmod.open_db()
    rng = random.Random(role)
    done: dict[str, list] = {"writes": [], "refused": [], "errors": []}
    deadline = time.monotonic() + seconds
    try:
        while time.monotonic() < deadline:
            try:
                step(db, rng, done)
            except (Conflict, InvalidState) as exc:  # what a user may be told, in one sentence
                done["refused"].append(exc.message("en"))
            except FmsError as exc:  # any other sentence (a busy database...) is a failure here
                done["errors"].append(exc.message("en"))
            except Exception:  # noqa: BLE001 - a traceback is what the test looks for
                done["errors"].append(traceback.format_exc())
    finally:
        db.close()
    return done


def _manager_step(db, rng, done) -> None:
    start = clock.days_from_today(rng.randint(20, 400))
    req = planning.create_request(
        db, project=f"Project {rng.randint(1, 20)}", skill="web developer", start=start, days=3
    )
    done["writes"].append(("request", req["id"]))
    asked = actions.ask_availability(db, req["id"], top=3)
    done["writes"].extend(("poll", row["poll_id"]) for row in asked)
    if asked:
        mission = actions.assign_and_confirm(db, req["id"], asked[0]["freelancer_id"])
        done["writes"].append(("mission", mission["id"]))
        if rng.random() < 0.2:
            actions.cancel_mission(db, mission["id"], reason="plans changed")
            done["writes"].append(("cancelled", mission["id"]))


def _assistant_step(db, rng, done) -> None:
    row = db.execute(
        "SELECT id FROM polls WHERE answer IS NULL ORDER BY random() LIMIT 1"
    ).fetchone()
    if row:
        answer = rng.choice(["yes", "no", "maybe"])
        actions.answer_poll(db, row[0], answer)
        done["writes"].append(("answer", row[0], answer))
    if rng.random() < 0.1:
        fid = rng.randint(1, 30)
        first = clock.days_from_today(rng.randint(500, 700))
        period = actions.declare_unavailability(
            db, fid, first.isoformat(), first.isoformat(), source="freelancer"
        )
        done["writes"].append(("away", period))
    time.sleep(0.01)


def _publisher_step(db, rng, done) -> None:
    out = Path(get_settings().notes_db)
    result = publish.publish(db, out)
    done["writes"].append(("published", result["freelancers"]))


STEPS = {"manager": _manager_step, "assistant": _assistant_step, "publisher": _publisher_step}


def work(role: str, seconds: float) -> dict:
    return _run(role, seconds, STEPS[role])
