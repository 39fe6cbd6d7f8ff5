"""``fms outbox``: the messages to freelancers (list, send, retry, cancel, check-ins, invite)."""

from __future__ import annotations

import sys
from typing import Any

import click
from tqdm import tqdm

from .. import clock
from ..actions import followups, messages
from ..i18n import _, ngettext
from ..models import OUTBOX_STATUSES
from ..notify import dispatcher, outbox
from .common import ID, echo_json, echo_table, json_option, with_db

OUTBOX_COLUMNS = [
    "id",
    "freelancer",
    "kind",
    "channel",
    "status",
    "attempts",
    "next_attempt_at",
    "sent_channel",
    "sent_at",
    "last_error",
]


@click.group("outbox")
def outbox_group() -> None:
    """Messages to freelancers (email, Telegram): list, send what is due, retry, cancel."""


@outbox_group.command("list")
@with_db
@click.option(
    "--status",
    type=click.Choice(OUTBOX_STATUSES),
    help="Only messages in this status (pending, sending, sent, dead, cancelled).",
)
@click.option("--limit", type=click.IntRange(1), help="At most this many messages, newest first.")
@json_option
def outbox_list(db, status: str | None, limit: int | None, as_json: bool) -> None:
    """List the messages of the outbox, newest first (never an address)."""
    rows = outbox.list_messages(db, status=status, limit=limit)
    echo_json(rows) if as_json else echo_table(rows, OUTBOX_COLUMNS)


@outbox_group.command("send")
@with_db
@click.option("--limit", type=click.IntRange(1), help="Send at most this many messages.")
@json_option
def outbox_send(db, limit: int | None, as_json: bool) -> None:
    """Send the messages that are due (email and Telegram), with a progress bar and a summary."""
    due = outbox.due_count(db)
    total = min(due, limit) if limit else due
    with tqdm(
        total=total,
        unit="msg",
        desc=_("sending"),
        file=sys.stderr,
        disable=as_json or total == 0,
    ) as bar:
        summary = dispatcher.drain(db, limit=limit, progress=bar)
    if as_json:
        echo_json(summary)
        return
    by = summary["by_channel"]
    click.echo(
        _(
            "sent {sent} (email {email}, Telegram {telegram}) · retry later {retry} · "
            "dead {dead} · cancelled {cancelled} · moved to email {requeued}"
        ).format(
            sent=summary["sent"], email=by["email"], telegram=by["telegram"],
            retry=summary["retry"], dead=summary["dead"], cancelled=summary["cancelled"],
            requeued=summary["requeued"],
        )
    )
    for channel, reason in summary["down"].items():
        click.echo(
            _(
                "{channel}: the server cannot be reached ({reason}); its messages wait in the "
                "outbox, with no attempt counted. Check {settings}."
            ).format(
                channel=channel, reason=reason,
                settings=dispatcher.SERVER_SETTINGS.get(channel, channel),
            )  # fmt: skip
        )
    counts = ", ".join(f"{k} {v}" for k, v in summary["counts"].items())
    click.echo(_("outbox: {counts}").format(counts=counts))


def _echo_message(row: dict[str, Any]) -> None:
    text = _("#{id} {kind} · {status} · attempts {attempts}").format(
        id=row["id"], kind=row["kind"], status=row["status"], attempts=row["attempts"]
    )
    click.echo(text + (f" · {row['last_error']}" if row.get("last_error") else ""))


@outbox_group.command("retry")
@with_db
@click.argument("message_id", type=ID)
def outbox_retry(db, message_id: int) -> None:
    """Send a dead, cancelled or waiting message again at the next `fms outbox send` (also one
    left `sending` by a sender that died: its lease ran out)."""
    _echo_message(outbox.retry(db, message_id))


@outbox_group.command("cancel")
@with_db
@click.argument("message_id", type=ID)
@click.option("--reason", help="Why (kept with the message).")
def outbox_cancel(db, message_id: int, reason: str | None) -> None:
    """Cancel a message that was not sent yet (refused while a sender holds it)."""
    _echo_message(outbox.cancel(db, message_id, reason))


@outbox_group.command("checkins")
@with_db
@click.option("--today", type=click.DateTime(["%Y-%m-%d"]), default=None,
              help="Queue the check-ins due by this date (YYYY-MM-DD); default: today.")
@json_option
def outbox_checkins(db, today, as_json: bool) -> None:
    """Queue the alumni check-ins that are due (then `fms outbox send` sends them)."""
    now = clock.noon(today.date()) if today else None
    result = followups.run_rules(db, rules=("alumni_checkin",), now=now)
    ids = [m["message_id"] for m in result["messages"]]
    if as_json:
        echo_json({"queued": ids})
    else:
        n = len(ids)
        click.echo(
            ngettext("{n} check-in queued.", "{n} check-ins queued.", n).format(n=n)
        )


@outbox_group.command("invite")
@with_db
@click.argument("freelancer_ids", type=ID, nargs=-1, required=True)
def outbox_invite(db, freelancer_ids: tuple[int, ...]) -> None:
    """Queue an email inviting freelancers to connect to the assistant on Telegram."""
    for fid in freelancer_ids:
        click.echo(f"#{fid}: message {messages.enqueue_telegram_invitation(db, fid)}")
