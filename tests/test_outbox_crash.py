"""A sender killed with ``kill -9`` in the middle of a batch (issue 12): the next sender sends
the rest once its lease ran out, and the only duplicates are emails that the server had
accepted while the killed sender had not yet recorded them (the messages in flight).

Real processes (`python -m fmstoolkit.cli outbox send`) against a real SMTP server (aiosmtpd
on 127.0.0.1) that answers each message slowly, so the kill lands mid-batch.
"""

from __future__ import annotations

import asyncio
import os
import re
import signal
import subprocess
import sys
import threading
import time

import pytest
from aiosmtpd.controller import Controller
from notify_fixtures import make_freelancer

from fmstoolkit.notify import dispatcher, outbox

MESSAGES = 30
MESSAGE_ID = re.compile(rb"Message-ID: <fms-outbox-(\d+)@")


class SlowInbox:
    """Keeps the outbox id of every message it receives, then takes its time to answer."""

    def __init__(self, delay: float) -> None:
        self.delay = delay
        self.received: list[int] = []
        self.lock = threading.Lock()

    async def handle_DATA(self, server, session, envelope):
        with self.lock:  # the server has the whole message: it would deliver it
            self.received.append(int(MESSAGE_ID.search(envelope.content).group(1)))
        await asyncio.sleep(self.delay)
        return "250 2.0.0 OK queued"

    def count(self) -> int:
        with self.lock:
            return len(self.received)


def wait_for(condition, what: str, deadline: float = 90.0) -> None:
    end = time.monotonic() + deadline
    while not condition():
        if time.monotonic() > end:
            pytest.fail(f"gave up waiting for {what}")
        time.sleep(0.05)


@pytest.mark.real_clock  # the senders are other processes: they read the machine's clock
def test_a_killed_sender_leaves_no_stuck_message_and_duplicates_only_those_in_flight(
    db, db_path, free_port, tmp_path
):
    ids = [
        outbox.enqueue(
            db,
            dedupe_key=f"crash:{i}",
            freelancer_id=make_freelancer(db, f"Person{i} Crash", email=f"p{i}@example.org"),
            kind="alumni_checkin",
            payload={"project": "Refonte"},
        )
        for i in range(MESSAGES)
    ]
    inbox = SlowInbox(delay=0.15)
    controller = Controller(inbox, hostname="127.0.0.1", port=free_port)
    controller.start()
    env = dict(
        os.environ,
        FMS_DB=str(db_path),
        FMS_SMTP_HOST="127.0.0.1",
        FMS_SMTP_PORT=str(free_port),
        FMS_SMTP_SECURITY="none",
        FMS_OUTBOX_LEASE_SECONDS="3",
        FMS_LANG="en",
    )
    command = [sys.executable, "-m", "fmstoolkit.cli", "outbox", "send", "--json"]

    def send(name: str) -> subprocess.CompletedProcess:
        with open(tmp_path / f"{name}.err", "w+") as err:
            done = subprocess.run(command, env=env, stdout=subprocess.PIPE, stderr=err, text=True)
            err.seek(0)
            assert "Traceback" not in err.read()
        return done

    try:
        victim = subprocess.Popen(
            command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        )
        wait_for(lambda: inbox.count() >= 8, "the first sender to be mid-batch")
        os.kill(victim.pid, signal.SIGKILL)
        victim.wait(30)
        time.sleep(0.5)  # let the server finish reading what reached it before the kill
        received_at_kill = set(inbox.received)
        sent_at_kill = {r["id"] for r in outbox.list_messages(db, status="sent")}
        in_flight = received_at_kill - sent_at_kill
        counts = outbox.counts(db)
        assert counts["sending"] > 0  # the kill did land mid-batch
        assert sent_at_kill <= received_at_kill
        assert len(in_flight) <= dispatcher.RECORD_EVERY

        rounds = 0
        while outbox.counts(db)["sent"] < MESSAGES:  # cron: `fms outbox send` again and again
            assert rounds < 60, outbox.counts(db)
            assert send(f"sender{rounds}").returncode == 0
            rounds += 1
            time.sleep(0.5)
    finally:
        controller.stop()

    assert outbox.counts(db) == {
        "pending": 0, "sending": 0, "sent": MESSAGES, "dead": 0, "cancelled": 0
    }
    assert set(inbox.received) == set(ids)  # nothing lost
    duplicates = {i for i in inbox.received if inbox.received.count(i) > 1}
    assert duplicates <= in_flight  # sent twice: only what the server had but no record said
    assert all(inbox.received.count(i) <= 2 for i in ids)
    print(
        f"\nkill -9 after {len(received_at_kill)} received, {len(sent_at_kill)} recorded: "
        f"in flight {len(in_flight)}, duplicates {len(duplicates)}"
    )
