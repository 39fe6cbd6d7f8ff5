"""``fms followups``: apply the follow-up rules (what the assistant does every hour)."""

from __future__ import annotations

import click

from ..actions import followups
from ..followup_rules import RULE_LABELS, RULES
from ..i18n import _, ngettext
from .common import echo_json, json_option, with_db


@click.group("followups")
def followups_group() -> None:
    """Follow-ups to freelancers: feedback requests, reminders, check-ins, availability."""


@followups_group.command("run")
@with_db
@click.option("--dry-run", is_flag=True, help="Show what is due without queuing anything.")
@click.option(
    "--rule",
    "rules",
    type=click.Choice(RULES),
    multiple=True,
    help="Apply only this rule (repeat for several); default: every rule.",
)
@json_option
def followups_run(db, dry_run: bool, rules: tuple[str, ...], as_json: bool) -> None:
    """Queue the follow-ups that are due now (each once; `fms outbox send` or the assistant
    sends them)."""
    result = followups.run_rules(db, rules=rules or RULES, dry_run=dry_run)
    if as_json:
        echo_json(result)
        return
    for rule, n in result["counts"].items():
        click.echo(f"{_(RULE_LABELS[rule])}: {n}")
    total = sum(result["counts"].values())
    if dry_run:
        line = ngettext(
            "{n} message would be queued (dry run: nothing was queued).",
            "{n} messages would be queued (dry run: nothing was queued).",
            total,
        )
    else:
        line = ngettext("{n} message queued.", "{n} messages queued.", total)
    click.echo(line.format(n=total))
