"""Senders' leases and fencing tokens (issue 12): a result is recorded only by the sender that
holds the message, a lease is renewed while a slow batch is sent, a message whose sender died
can be retried or cancelled by hand, and two senders over one queue send every message once."""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
import threading
import time

import pytest
from click.testing import CliRunner
from conftest import FROZEN_NOW
from notify_fixtures import make_freelancer

from fmstoolkit import config
from fmstoolkit import db as dbmod
from fmstoolkit.cli import cli
from fmstoolkit.errors import InvalidState
from fmstoolkit.notify import claims, dispatcher, outbox

LATER = FROZEN_NOW + dt.timedelta(days=1)


def queue(db, n: int) -> list[int]:
    return [
        outbox.enqueue(
            db,
            dedupe_key=f"lease:{i}",
            freelancer_id=make_freelancer(db, f"Person{i} Lease", email=f"p{i}@example.org"),
            kind="alumni_checkin",
            payload={"project": "Refonte"},
        )
        for i in range(n)
    ]


class Slow:
    """An email channel that takes ``delay`` seconds per message and keeps the outbox ids."""

    def __init__(self, delay: float = 0.0, sent: list | None = None) -> None:
        self.delay = delay
        self.sent = sent if sent is not None else []

    async def __aenter__(self):
        return self

    async def __aexit__(self, *exc):
        pass

    async def send(self, msg):
        await asyncio.sleep(self.delay)
        self.sent.append(msg.outbox_id)
        return f"<{msg.outbox_id}@test>"


def test_a_result_is_recorded_only_by_the_sender_that_holds_the_message(db, caplog):
    (mid,) = queue(db, 1)
    (first,) = claims.claim(db, now=LATER, lease_seconds=20)
    # the first sender stalls past its lease: a second one takes the message over
    (second,) = claims.claim(db, now=LATER + dt.timedelta(seconds=21), lease_seconds=20)
    assert second["id"] == mid and second["claim_token"] != first["claim_token"]
    with caplog.at_level(logging.WARNING, logger="fmstoolkit.notify.outbox"):
        assert outbox.mark_sent(db, mid, channel="email", message=first) is False
        assert outbox.mark_failed(db, mid, "421 later", message=first) is None
        assert outbox.requeue(db, mid, "email", "closed", message=first) is False
        assert outbox.mark_cancelled(db, mid, "opted out", message=first) is False
    row = outbox.get(db, mid)
    assert row["status"] == "sending" and row["claim_token"] == second["claim_token"]
    assert row["attempts"] == 2 and row["last_error"] is None
    assert len(caplog.records) == 4 and all(f"#{mid}" in r.getMessage() for r in caplog.records)
    assert "example.org" not in caplog.text and "Person0" not in caplog.text
    assert outbox.mark_sent(db, mid, channel="email", provider_id="<b@x>", message=second)
    sent = outbox.get(db, mid)
    assert sent["status"] == "sent" and sent["provider_id"] == "<b@x>"
    assert sent["claim_token"] is None and sent["lease_until"] is None
    # a late result of the first sender does not undo what the second recorded
    assert outbox.mark_failed(db, mid, "550 no", permanent=True, message=first) is None
    assert outbox.get(db, mid)["status"] == "sent"


def test_renewing_keeps_the_messages_of_a_claim_and_only_those(db):
    ids = queue(db, 3)
    mine = claims.claim(db, limit=2, now=LATER, lease_seconds=20)
    (other,) = claims.claim(db, now=LATER, lease_seconds=20)
    assert len({m["claim_token"] for m in mine}) == 1 and other["claim_token"] not in {
        m["claim_token"] for m in mine
    }
    token = mine[0]["claim_token"]
    assert claims.renew(db, token, now=LATER + dt.timedelta(seconds=15), lease_seconds=20) == 2
    # 25 s after the claim: mine are still held (renewed), the other's lease ran out
    taken = claims.claim(db, now=LATER + dt.timedelta(seconds=25), lease_seconds=20)
    assert [m["id"] for m in taken] == [ids[2]]
    outbox.mark_sent(db, ids[0], channel="email", message=mine[0])
    assert claims.renew(db, token, now=LATER + dt.timedelta(seconds=30)) == 1
    assert claims.renew_every(20) == 5 and claims.renew_every(2) == 0.5


def test_retry_and_cancel_release_a_message_whose_lease_ran_out(db, db_path, frozen_clock):
    (mid,) = queue(db, 1)
    (held,) = claims.claim(db)  # lease: FMS_OUTBOX_LEASE_SECONDS, 20 s by default
    runner = CliRunner()
    live = runner.invoke(cli, ["outbox", "retry", str(mid), "--db", str(db_path)])
    assert live.exit_code == 2 and f"Message #{mid} is being sent right now." in live.output
    with pytest.raises(InvalidState):
        outbox.cancel(db, mid)
    frozen_clock.shift(dt.timedelta(seconds=25))  # the sender died: nobody renews the lease
    released = runner.invoke(cli, ["outbox", "retry", str(mid), "--db", str(db_path)])
    assert released.exit_code == 0 and "pending" in released.output
    row = outbox.get(db, mid)
    assert row["status"] == "pending" and row["claim_token"] is None and row["attempts"] == 0
    assert outbox.mark_sent(db, mid, channel="email", message=held) is False  # fenced off
    (again,) = claims.claim(db)
    frozen_clock.shift(dt.timedelta(seconds=25))
    assert outbox.cancel(db, mid, "sent by hand")["status"] == "cancelled"
    assert outbox.mark_sent(db, mid, channel="email", message=again) is False
    assert outbox.get(db, mid)["last_error"] == "sent by hand"


def test_a_batch_that_outlasts_its_lease_is_not_taken_by_a_second_sender(
    db, db_path, monkeypatch
):
    monkeypatch.setenv("FMS_OUTBOX_LEASE_SECONDS", "2")
    config.reload_settings()
    ids = queue(db, 8)
    slow_sent: list[int] = []
    result: dict = {}

    def slow_sender() -> None:  # 8 x 0.5 s: twice its lease, renewed every 0.5 s
        own = dbmod.open_db(db_path)
        try:
            result["summary"] = dispatcher.drain(
                own, channels={"email": Slow(0.5, slow_sent), "telegram": None}
            )
        finally:
            own.close()

    thread = threading.Thread(target=slow_sender)
    thread.start()
    while outbox.counts(db)["sending"] < 8 and thread.is_alive():
        time.sleep(0.05)
    other = Slow()
    rounds = 0
    while thread.is_alive():  # a cron sender started again and again meanwhile
        dispatcher.drain(db, channels={"email": other, "telegram": None})
        rounds += 1
        time.sleep(0.2)
    thread.join()
    assert rounds > 0 and other.sent == []
    assert sorted(slow_sent) == ids and result["summary"]["sent"] == 8
    assert result["summary"]["lost"] == 0
    assert {outbox.get(db, i)["status"] for i in ids} == {"sent"}


def test_two_senders_over_the_same_queue_send_every_message_once(db, db_path):
    ids = queue(db, 120)  # three batches: both senders get some
    sent: list[int] = []
    summaries: list[dict] = []
    errors: list[BaseException] = []

    def sender() -> None:
        own = dbmod.open_db(db_path)
        try:
            summaries.append(
                dispatcher.drain(own, channels={"email": Slow(0.002, sent), "telegram": None})
            )
        except BaseException as exc:  # pragma: no cover - shown by the assertion below
            errors.append(exc)
        finally:
            own.close()

    threads = [threading.Thread(target=sender) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert sorted(sent) == ids  # every message, none twice
    assert sum(s["sent"] for s in summaries) == 120 and all(s["lost"] == 0 for s in summaries)
    assert outbox.counts(db)["sent"] == 120
    assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
