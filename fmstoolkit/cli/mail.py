"""``fms mail``: the freelancers' replies by e-mail (read them from the agency's mailbox)."""

from __future__ import annotations

import click

from ..i18n import _
from ..notify import imap
from .common import echo_json, json_option, with_db


@click.group("mail")
def mail_group() -> None:
    """Freelancers' replies by e-mail: read the mailbox and record their answers."""


@mail_group.command("read")
@with_db
@click.option("--limit", type=click.IntRange(1), help="Read at most this many mails.")
@json_option
def mail_read(db, limit: int | None, as_json: bool) -> None:
    """Read the unseen replies (FMS_IMAP_*), record the answers and opt-outs, file the mails."""
    summary = imap.read_replies(db, limit=limit)
    if as_json:
        echo_json(summary)
        return
    click.echo(
        _(
            "read {read} · yes {yes}, no {no}, maybe {maybe} · opted out {opted_out} · "
            "left for you: unreadable {unreadable}, other sender {foreign}, "
            "not a reply to us {unmatched} · read before {duplicate} · later {retry}"
        ).format(**summary)
    )
