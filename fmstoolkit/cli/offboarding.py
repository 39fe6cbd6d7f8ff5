"""``fms offboarding`` (due, show, trends) and ``fms offboard`` (apply a JSON answers file)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import click

from .. import contracts, offboarding
from ..actions.offboarding import apply_offboarding_answers
from ..errors import InvalidInput
from ..forms import definitions
from ..i18n import _
from .common import ID, echo_json, echo_table, json_option, with_db


@click.group("offboarding")
def offboarding_group() -> None:
    """Offboarding: missions to close, their state, onboarding-feedback trends."""


def _offboarding_report(name: str, *decls: str, **attrs: Any):
    """Declare ``fms offboarding NAME``: the database, one option (its default shown), --json."""

    def decorate(func):
        func = click.option(*decls, show_default=True, **attrs)(json_option(func))
        return offboarding_group.command(name)(with_db(func))

    return decorate


def _echoed_json(data: Any, as_json: bool) -> bool:
    """With --json, print ``data`` as JSON and say so: the command then prints nothing else."""
    if as_json:
        echo_json(data)
    return as_json


@_offboarding_report(
    "due",
    "--within",
    type=click.IntRange(0, 3650),
    default=7,
    help="Also list missions ending within this many days.",
)
def offboarding_due(db, within: int, as_json: bool) -> None:
    """Missions ended or ending soon and not offboarded, oldest first, with what is missing."""
    rows = offboarding.due(db, within=within)
    if _echoed_json(rows, as_json):
        return
    echo_table(
        [r | {"missing": ", ".join(r["missing"])} for r in rows],
        ["mission_id", "freelancer", "project", "end_date", "days_left", "missing"],
    )


@offboarding_group.command("show")
@with_db
@click.argument("mission_id", type=ID)
@json_option
def offboarding_show(db, mission_id: int, as_json: bool) -> None:
    """The offboarding of one mission: checklist, invoice check, feedback, note, what is missing."""
    data = offboarding.get_offboarding(db, mission_id)
    if _echoed_json(data, as_json):
        return
    m = data["mission"]
    status = data["status"] or _("not opened")
    click.echo(
        f"#{mission_id} {m['freelancer']} · {m['project']} · {m['start_date']} → "
        f"{m['end_date']} · {m['daily_rate']} €/j · {status}"
    )
    echo_table(
        [
            {"item": k, "status": v["status"], "value": v["value"], "comment": v["comment"]}
            for k, v in data["checklist"].items()
        ]
    )
    click.echo(_("confidentiality: {nda}").format(nda=contracts.nda_sentence(data["nda"])))
    check = data["invoice_check"]
    click.echo(
        _(
            "invoice: expected {expected} € ({days} working days x {rate} €), received {amount}"
        ).format(
            expected=check["expected_amount"], days=check["working_days"],
            rate=check["agreed_rate"], amount=check["amount"],
        )
    )
    for warning in check["warnings"]:
        click.echo(f"  ! {warning}")
    for line in data["missing"]:
        click.echo(_("missing: {item}").format(item=line))


@_offboarding_report(
    "trends",
    "--by",
    type=click.Choice(["month", "quarter"]),
    default="month",
    help="Group the ratings by month or by quarter.",
)
def offboarding_trends(db, by: str, as_json: bool) -> None:
    """Onboarding feedback over time: average ratings and recurring suggestion themes."""
    data = offboarding.feedback_trends(db, by=by)
    if _echoed_json(data, as_json):
        return
    echo_table(data["periods"])
    click.echo("")
    echo_table([{k: t[k] for k in ("theme", "label", "count")} for t in data["themes"]])


@click.command("offboard")
@with_db
@click.argument("mission_id", type=ID)
@click.option("--template", is_flag=True, help="Print the JSON skeleton of the answers.")
@click.option(
    "--answers",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="Apply a whole offboarding (and close it) from this JSON file.",
)
@click.option(
    "--no-publish", is_flag=True, help="Do not republish the notes database after closing."
)
def offboard(db, mission_id: int, template: bool, answers: Path | None, no_publish: bool) -> None:
    """Offboard a mission from a JSON answers file (--template prints its skeleton)."""
    if template == bool(answers):
        raise click.UsageError("Give either --template or --answers FILE.json.")
    if template:
        echo_json(definitions.template(db, mission_id))
        return
    try:
        data = json.loads(answers.read_text(encoding="utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise InvalidInput(
            "{path} is not valid JSON ({exc}).",
            path=answers,
            exc=exc,
        ) from exc
    result = apply_offboarding_answers(db, mission_id, data, publish=not no_publish)
    echo_json(result)
    if result.get("publish", {}).get("status") == "failed":
        click.echo(
            _("publish failed: {error}").format(error=result["publish"]["error"]), err=True
        )
