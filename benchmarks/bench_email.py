"""Email throughput of the outbox against the SMTP exchange alone, same server, same run.

Starts aiosmtpd (its Sink handler, in its own process) on 127.0.0.1, queues N messages
(feedback requests, multipart plain + HTML) for N freelancers, then measures:

- SMTP exchange only (the target's reference): the same N messages already written to bytes
  (by the outbox's own writer, :func:`fmstoolkit.notify.mime.email_bytes`), sent by one
  aiosmtplib connection in a plain loop;
- bare aiosmtplib (for information): one connection building each message with the standard
  library's ``EmailMessage`` and ``send_message`` (what a hand-written script would do);
- outbox: ``dispatcher.drain()`` through :class:`EmailChannel` (claims with a renewed lease,
  contact look-up, writing the MIME bytes, one connection, recording each result in SQLite
  under the claim's token).

Target (issue 12): outbox throughput >= 0.8 x the SMTP exchange only. Each side runs
``--rounds`` times, alternating, and the best round counts. Prints one JSON line per figure.
``--profile`` prints the outbox's cProfile (cumulative, top 30) for the last round.

    python benchmarks/bench_email.py [--messages 1000] [--rounds 5] [--profile]
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import json
import os
import pstats
import socket
import subprocess
import sys
import tempfile
import time
from email.message import EmailMessage
from pathlib import Path

import aiosmtplib

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_server(port: int) -> subprocess.Popen:
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "aiosmtpd",
            "-n",
            "-l",
            f"127.0.0.1:{port}",
            "-c",
            "aiosmtpd.handlers.Sink",
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.time() + 15
    while time.time() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return proc
        except OSError:
            time.sleep(0.05)
    proc.kill()
    raise SystemExit("aiosmtpd did not start")


def make_db(path: Path, n: int):
    from fmstoolkit import db as dbmod
    from fmstoolkit.actions import messages

    db = dbmod.open_db(path, create=True)
    project = db["projects"].insert({"name": "Bench", "client": "ACME"}).last_pk
    with db.atomic():
        for i in range(n):
            fid = db["freelancers"].insert({"name": f"Freelancer {i} Bench"}).last_pk
            db["contacts"].insert({"freelancer_id": fid, "email": f"f{i}@example.org"})
            db["missions"].insert(
                {
                    "freelancer_id": fid,
                    "project_id": project,
                    "title": "Dev",
                    "start_date": "2026-11-02",
                    "end_date": "2026-11-13",
                    "days": 10,
                    "daily_rate": 500,
                    "status": "ending",
                }
            )
    start = time.perf_counter()
    with db.atomic():
        for mission_id in range(1, n + 1):
            messages.enqueue_feedback_request(db, mission_id)
    return db, time.perf_counter() - start


async def baseline(rows: list[dict], port: int, settings) -> float:
    start = time.perf_counter()
    smtp = aiosmtplib.SMTP(hostname="127.0.0.1", port=port, start_tls=False)
    await smtp.connect()
    for row in rows:
        em = EmailMessage()
        em["From"] = settings.mail_from
        em["To"] = row["to"]
        em["Subject"] = row["subject"]
        em.set_content(row["body"])
        em.add_alternative(row["html"], subtype="html")
        await smtp.send_message(em)
    await smtp.quit()
    return time.perf_counter() - start


async def smtp_only(payloads: list[tuple[str, bytes]], port: int, sender: str) -> float:
    """The same messages already flattened to bytes: the SMTP exchange alone (for reference)."""
    start = time.perf_counter()
    smtp = aiosmtplib.SMTP(hostname="127.0.0.1", port=port, start_tls=False)
    await smtp.connect()
    for to, data in payloads:
        await smtp.sendmail(sender, [to], data)
    await smtp.quit()
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--messages", "--freelancers", type=int, default=1000, dest="n")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--profile", action="store_true", help="cProfile the outbox's drain")
    args = parser.parse_args()

    port = free_port()
    tmp = Path(tempfile.mkdtemp(prefix="fms-bench-email-"))
    os.environ.update(
        FMS_DB=str(tmp / "fms.db"),
        FMS_SMTP_HOST="127.0.0.1",
        FMS_SMTP_PORT=str(port),
        FMS_SMTP_SECURITY="none",
        FMS_LANG="en",
    )
    from fmstoolkit import config
    from fmstoolkit.notify import dispatcher
    from fmstoolkit.notify.message import OutgoingMessage
    from fmstoolkit.notify.mime import email_bytes

    def _outgoing(row: dict) -> OutgoingMessage:
        return OutgoingMessage(
            outbox_id=1,
            freelancer_id=1,
            kind="feedback_request",
            channel="email",
            recipient=row["to"],
            subject=row["subject"],
            text=row["body"],
            html=row["html"],
        )

    settings = config.reload_settings()
    server = start_server(port)
    try:
        base_times, drain_times, enqueue_times, smtp_times = [], [], [], []
        for r in range(args.rounds):
            db, enqueue_s = make_db(tmp / f"round{r}.db", args.n)
            enqueue_times.append(enqueue_s)
            rows = [
                {"to": f"f{m['freelancer_id'] - 1}@example.org", **m}
                for m in db.query("SELECT freelancer_id, subject, body, html FROM outbox")
            ]
            base_times.append(asyncio.run(baseline(rows, port, settings)))
            payloads = [
                (row["to"], email_bytes(_outgoing(row), mail_from=settings.mail_from)[0])
                for row in rows
            ]
            smtp_times.append(asyncio.run(smtp_only(payloads, port, "noreply@example.org")))
            profile = cProfile.Profile() if args.profile and r == args.rounds - 1 else None
            start = time.perf_counter()
            if profile:
                profile.enable()
            summary = dispatcher.drain(db, channels={"telegram": None})
            drain_times.append(time.perf_counter() - start)
            if profile:
                profile.disable()
                pstats.Stats(profile, stream=sys.stderr).sort_stats("cumulative").print_stats(30)
            assert summary["sent"] == args.n, summary
            db.close()
    finally:
        server.terminate()
        server.wait(10)

    base_rate = args.n / min(base_times)
    smtp_rate = args.n / min(smtp_times)
    rate = args.n / min(drain_times)
    ratio = rate / smtp_rate
    figures = [
        {
            "bench": "email_smtp_only_per_s",
            "value": round(smtp_rate, 1),
            "note": "pre-built messages, one connection, SMTP exchange only (the reference)",
        },
        {"bench": "email_enqueue_per_s", "value": round(args.n / min(enqueue_times), 1)},
        {
            "bench": "email_bare_aiosmtplib_per_s",
            "value": round(base_rate, 1),
            "note": "EmailMessage + send_message per message (for information)",
        },
        {
            "bench": "email_outbox_per_s",
            "value": round(rate, 1),
            "target": 0.8,
            "smtp_only_per_s": round(smtp_rate, 1),
            "ratio": round(ratio, 3),
            "ok": ratio >= 0.8,
        },
    ]
    for figure in figures:
        print(json.dumps(figure | {"messages": args.n, "rounds": args.rounds}))


if __name__ == "__main__":
    main()
