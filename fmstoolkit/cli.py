"""The ``fms`` command. Every command is a thin call into the library.

Errors a user can cause (:class:`~fmstoolkit.errors.FmsError`) are printed as one clear sentence
on stderr with exit code 2 and no traceback. Commands that print data take ``--json``.
"""

from __future__ import annotations

import datetime as dt
import functools
import json
import sys
from pathlib import Path
from typing import Any

import click

from . import db as dbmod
from . import pool
from .config import get_settings
from .errors import FmsError


class FmsGroup(click.Group):
    """A click group that turns FmsError into a sentence on stderr and exit code 2."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except FmsError as exc:
            click.echo(exc.message(), err=True)
            ctx.exit(exc.exit_code)


def db_option(func):
    """The ``--db PATH`` option every command shares (default: FMS_DB or data/fms.db)."""
    return click.option(
        "--db",
        "db_path",
        type=click.Path(dir_okay=False, path_type=Path),
        default=None,
        help="Operational database (default: FMS_DB or data/fms.db).",
    )(func)


def json_option(func):
    return click.option("--json", "as_json", is_flag=True, help="Print JSON instead of a table.")(
        func
    )


def with_db(func):
    """Open the database named by ``--db`` and pass it to the command as ``db``."""

    @db_option
    @functools.wraps(func)
    def wrapper(*args, db_path: Path | None = None, **kwargs):
        database = dbmod.open_db(db_path)
        try:
            return func(*args, db=database, **kwargs)
        finally:
            database.close()

    return wrapper


def default_json(value: Any) -> Any:
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    if isinstance(value, Path):
        return str(value)
    if hasattr(value, "model_dump"):
        return value.model_dump()
    if hasattr(value, "__dataclass_fields__"):
        import dataclasses

        return dataclasses.asdict(value)
    raise TypeError(f"not JSON serialisable: {type(value).__name__}")


def echo_json(data: Any) -> None:
    click.echo(json.dumps(data, ensure_ascii=False, indent=2, default=default_json))


def echo_table(rows: list[dict[str, Any]], columns: list[str] | None = None) -> None:
    """Print rows as an aligned plain-text table (nothing when there are no rows)."""
    if not rows:
        click.echo("(aucun résultat)" if get_settings().lang == "fr" else "(no results)")
        return
    columns = columns or list(rows[0])
    cells = [[("" if r.get(c) is None else str(r.get(c))) for c in columns] for r in rows]
    widths = [max(len(c), *(len(row[i]) for row in cells)) for i, c in enumerate(columns)]
    click.echo("  ".join(c.ljust(w) for c, w in zip(columns, widths, strict=True)).rstrip())
    click.echo("  ".join("-" * w for w in widths))
    for row in cells:
        click.echo("  ".join(v.ljust(w) for v, w in zip(row, widths, strict=True)).rstrip())


@click.group(cls=FmsGroup)
@click.version_option(package_name="fmstoolkit")
def cli() -> None:
    """fmstoolkit: run an agency's freelancers, from staffing to offboarding and follow-ups."""


# --- foundation ---------------------------------------------------------------------------------


@cli.command()
@db_option
def init(db_path: Path | None) -> None:
    """Create the database, or upgrade it to the current schema. Safe to run again."""
    path = db_path or get_settings().db
    database = dbmod.connect(path)
    try:
        applied = dbmod.migrate(database)
    finally:
        database.close()
    if applied:
        click.echo(f"{path}: {len(applied)} migration(s) applied ({', '.join(applied)}).")
    else:
        click.echo(f"{path}: already up to date.")


@cli.command("skills")
@with_db
@json_option
def skills_cmd(db, as_json: bool) -> None:
    """List the skills of the catalogue (names, French and English labels, category)."""
    rows = [
        {k: s[k] for k in ("name", "label_fr", "label_en", "category")} for s in pool.skills(db)
    ]
    echo_json(rows) if as_json else echo_table(rows)


@cli.group()
def freelancers() -> None:
    """The talent pool."""


@freelancers.command("list")
@with_db
@click.option("--skill", help="Only freelancers with this skill (any label or alias).")
@click.option("--min-level", type=click.IntRange(1, 5), default=1, help="Minimum skill level.")
@click.option(
    "--available-from",
    type=click.DateTime(formats=["%Y-%m-%d"]),
    help="Only those free from this date (YYYY-MM-DD), for --days working days.",
)
@click.option(
    "--days", type=click.IntRange(1, 1000), help="Working days needed (with --available-from)."
)
@click.option("--search", "query", help="Part of the name (case and accents ignored).")
@json_option
def freelancers_list(db, skill, min_level, available_from, days, query, as_json) -> None:
    """List freelancers, optionally by skill and availability."""
    busy_between = None
    if available_from or days:
        if not (available_from and days):
            raise click.UsageError("--available-from and --days go together.")
        from .planning import working_period

        busy_between = working_period(available_from.date(), days, country=get_settings().country)
    rows = pool.list_freelancers(
        db, skill=skill, min_level=min_level, busy_between=busy_between, query=query
    )
    echo_json(rows) if as_json else echo_table(rows)


# --- offboarding ---------------------------------------------------------------------------------


@cli.group("offboarding")
def offboarding_group() -> None:
    """Offboarding: missions to close, their state, onboarding-feedback trends."""


@offboarding_group.command("due")
@with_db
@click.option(
    "--within",
    type=click.IntRange(0, 3650),
    default=7,
    show_default=True,
    help="Also list missions ending within this many days.",
)
@json_option
def offboarding_due(db, within: int, as_json: bool) -> None:
    """Missions ended or ending soon and not offboarded, oldest first, with what is missing."""
    from . import offboarding

    rows = offboarding.due(db, within=within)
    if as_json:
        echo_json(rows)
        return
    echo_table(
        [r | {"missing": ", ".join(r["missing"])} for r in rows],
        ["mission_id", "freelancer", "project", "end_date", "days_left", "missing"],
    )


@offboarding_group.command("show")
@with_db
@click.argument("mission_id", type=int)
@json_option
def offboarding_show(db, mission_id: int, as_json: bool) -> None:
    """The offboarding of one mission: checklist, invoice check, feedback, note, what is missing."""
    from . import offboarding

    data = offboarding.get_offboarding(db, mission_id)
    if as_json:
        echo_json(data)
        return
    fr = get_settings().lang == "fr"
    m = data["mission"]
    status = data["status"] or ("pas ouvert" if fr else "not opened")
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
    check = data["invoice_check"]
    if fr:
        click.echo(
            f"facture : attendu {check['expected_amount']} € ({check['working_days']} jours "
            f"ouvrés x {check['agreed_rate']} €), reçu {check['amount']}"
        )
    else:
        click.echo(
            f"invoice: expected {check['expected_amount']} € ({check['working_days']} working "
            f"days x {check['agreed_rate']} €), received {check['amount']}"
        )
    for warning in check["warnings"]:
        click.echo(f"  ! {warning}")
    for line in data["missing"]:
        click.echo(("manque : " if fr else "missing: ") + line)


@offboarding_group.command("trends")
@with_db
@click.option(
    "--by",
    type=click.Choice(["month", "quarter"]),
    default="month",
    show_default=True,
    help="Group the ratings by month or by quarter.",
)
@json_option
def offboarding_trends(db, by: str, as_json: bool) -> None:
    """Onboarding feedback over time: average ratings and recurring suggestion themes."""
    from . import offboarding

    data = offboarding.feedback_trends(db, by=by)
    if as_json:
        echo_json(data)
        return
    echo_table(data["periods"])
    click.echo("")
    echo_table([{k: t[k] for k in ("theme", "label", "count")} for t in data["themes"]])


@cli.command("offboard")
@with_db
@click.argument("mission_id", type=int)
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
    from . import offboarding
    from .errors import InvalidInput
    from .forms import definitions

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
            "{path} n'est pas un JSON valide ({exc}).",
            path=answers,
            exc=exc,
        ) from exc
    result = offboarding.apply_answers(db, mission_id, data, publish=not no_publish)
    echo_json(result)
    if result.get("publish", {}).get("status") == "failed":
        head = "publication échouée" if get_settings().lang == "fr" else "publish failed"
        click.echo(f"{head}: {result['publish']['error']}", err=True)


# --- pool: import, show, lists, privacy, demo (lead) ---------------------------------------------


# --- planning (issue 3) --------------------------------------------------------------------------


# --- publishing (issue 5) ------------------------------------------------------------------------


# --- notifications (issue 6) ---------------------------------------------------------------------


def main() -> None:  # pragma: no cover - console entry point
    cli(prog_name="fms")


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
