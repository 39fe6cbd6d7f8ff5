"""The talent pool: ``fms skills``, ``fms freelancers``, ``fms import``, ``fms lists`` and
``fms privacy``."""

from __future__ import annotations

import json
from pathlib import Path

import click

from .. import db as dbmod
from .. import pool, privacy
from ..actions import freelancers as freelancer_actions
from ..config import get_settings
from ..i18n import _, ngettext
from ..models.validation import MAX_MISSION_DAYS, check_day
from ..planning import working_period
from .common import (
    DAY,
    ID,
    db_option,
    default_json,
    echo_json,
    echo_table,
    json_option,
    with_db,
)


@click.command("skills")
@with_db
@json_option
def skills_cmd(db, as_json: bool) -> None:
    """List the skills of the catalogue (names, French and English labels, category)."""
    rows = [
        {k: s[k] for k in ("name", "label_fr", "label_en", "category")} for s in pool.skills(db)
    ]
    echo_json(rows) if as_json else echo_table(rows)


@click.group()
def freelancers() -> None:
    """The talent pool."""


@freelancers.command("list")
@with_db
@click.option("--skill", help="Only freelancers with this skill (any label or alias).")
@click.option("--min-level", type=click.IntRange(1, 5), default=1, help="Minimum skill level.")
@click.option(
    "--available-from",
    type=DAY,
    help="Only those free from this date (YYYY-MM-DD), for --days working days.",
)
@click.option(
    "--days", type=click.IntRange(1, MAX_MISSION_DAYS),
    help="Working days needed (with --available-from).",
)
@click.option("--search", "query", help="Part of the name (case and accents ignored).")
@json_option
def freelancers_list(db, skill, min_level, available_from, days, query, as_json) -> None:
    """List freelancers, optionally by skill and availability."""
    busy_between = None
    if available_from or days:
        if not (available_from and days):
            raise click.UsageError("--available-from and --days go together.")
        first = check_day(available_from, "available_from")
        busy_between = working_period(first, days, country=get_settings().country)
    rows = pool.list_freelancers(
        db, skill=skill, min_level=min_level, busy_between=busy_between, query=query
    )
    echo_json(rows) if as_json else echo_table(rows)


@freelancers.command("show")
@with_db
@click.argument("freelancer_id", type=ID)
@click.option("--contact", is_flag=True, help="Also print the contact data (email, phone...).")
@json_option
def freelancers_show(db, freelancer_id: int, contact: bool, as_json: bool) -> None:
    """One freelancer: profile, skills, missions and lists (contact data only with --contact)."""
    profile = pool.profile(db, freelancer_id, with_contact=contact)
    if as_json:
        echo_json(profile)
        return
    skills = profile.pop("skills")
    missions = profile.pop("missions")
    lists = profile.pop("lists")
    for key, value in profile.items():
        if key != "contact" and value is not None:
            click.echo(f"{key}: {value}")
    for key, value in (profile.get("contact") or {}).items():
        click.echo(f"{key}: {value}")
    click.echo("skills: " + ", ".join(f"{s['name']} {s['level']}" for s in skills))
    if lists:
        click.echo("lists: " + ", ".join(lists))
    echo_table(missions, ["id", "project", "skill", "start_date", "end_date", "daily_rate",
                          "status", "rating", "would_rehire"])


@freelancers.command("opt-out")
@with_db
@click.argument("freelancer_id", type=ID)
@click.option("--undo", is_flag=True, help="The freelancer agrees to hear from us again.")
def freelancers_opt_out(db, freelancer_id: int, undo: bool) -> None:
    """Record that a freelancer wants no more messages nor staffing proposals."""
    result = freelancer_actions.opt_out(db, freelancer_id, not undo)
    click.echo(f"#{freelancer_id}: {'opted in' if undo else 'opted out'}")
    if result["cancelled"]:
        n = len(result["cancelled"])
        click.echo(ngettext("{n} message cancelled", "{n} messages cancelled", n).format(n=n),
                   err=True)


@click.command("import")
@with_db
@click.argument("what", type=click.Choice(["freelancers"]))
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--skip-invalid", is_flag=True,
              help="Import the valid rows and report the refused ones (default: all or nothing).")
@json_option
def import_cmd(db, what: str, file: Path, skip_invalid: bool, as_json: bool) -> None:
    """Import freelancers from a CSV file (upsert on email). See the README for the columns."""
    report = pool.import_freelancers(db, file, skip_invalid=skip_invalid)
    if as_json:
        echo_json(report.as_dict())
    else:
        click.echo(
            _("{created} created, {updated} updated, {refused} refused.").format(
                created=report.created, updated=report.updated,
                refused=len(report.rejected_rows),
            )
        )
    for problem in report.problems:
        click.echo("  - " + problem.message(), err=True)


@click.group("lists", invoke_without_command=True)
@click.pass_context
@db_option
@json_option
def lists_group(ctx, db_path: Path | None, as_json: bool) -> None:
    """Named talent lists ("rehire first for React"): without a subcommand, show them all."""
    if ctx.invoked_subcommand is None:
        database = dbmod.open_db(db_path)
        try:
            rows = pool.talent_lists(database)
        finally:
            database.close()
        echo_json(rows) if as_json else echo_table(rows)


@lists_group.command("show")
@with_db
@click.argument("name")
@json_option
def lists_show(db, name: str, as_json: bool) -> None:
    """The members of a list."""
    rows = pool.list_members(db, name)
    echo_json(rows) if as_json else echo_table(rows)


@lists_group.command("add")
@with_db
@click.argument("name")
@click.argument("freelancer_ids", type=ID, nargs=-1, required=True)
def lists_add(db, name: str, freelancer_ids: tuple[int, ...]) -> None:
    """Add freelancers to a list (created when it does not exist)."""
    for fid in freelancer_ids:
        pool.add_to_list(db, name, fid)
    click.echo(f"{name}: +{len(freelancer_ids)}")


@lists_group.command("remove")
@with_db
@click.argument("name")
@click.argument("freelancer_ids", type=ID, nargs=-1, required=True)
def lists_remove(db, name: str, freelancer_ids: tuple[int, ...]) -> None:
    """Take freelancers off a list."""
    for fid in freelancer_ids:
        pool.remove_from_list(db, name, fid)
    click.echo(f"{name}: -{len(freelancer_ids)}")


@click.group("privacy")
def privacy_group() -> None:
    """A freelancer's personal data: export it, erase it; purge old message texts."""


@privacy_group.command("export")
@with_db
@click.argument("freelancer_id", type=ID)
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path),
              help="Write the JSON to this file (readable by you only) instead of the screen.")
def privacy_export(db, freelancer_id: int, out: Path | None) -> None:
    """Everything held about a freelancer, as JSON (to send them on request)."""
    data = privacy.export(db, freelancer_id)
    if out:
        text = json.dumps(data, ensure_ascii=False, indent=2, default=default_json)
        click.echo(str(privacy.write_private(out, text)))
    else:
        echo_json(data)


@privacy_group.command("forget")
@with_db
@click.argument("freelancer_id", type=ID)
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
def privacy_forget(db, freelancer_id: int, yes: bool) -> None:
    """Erase a freelancer's personal data everywhere; keep anonymised history; republish."""
    if not yes:
        click.confirm(_("Erase the personal data of freelancer #{id}?").format(id=freelancer_id),
                      abort=True)
    erased = privacy.forget(db, freelancer_id)
    click.echo(json.dumps(erased, ensure_ascii=False))


@privacy_group.command("purge")
@with_db
@click.option("--days", type=click.IntRange(0, 36_500), default=None,
              help="Keep the texts of the last DAYS days (default: FMS_SENT_BODY_RETENTION_DAYS).")
@click.option("--dry-run", is_flag=True, help="Only count the messages that would be purged.")
def privacy_purge(db, days: int | None, dry_run: bool) -> None:
    """Erase the texts of sent, dead and cancelled messages older than the retention period."""
    result = privacy.purge(db, days=days, dry_run=dry_run)
    template = (
        ngettext("{n} message would be purged (older than {before}).",
                 "{n} messages would be purged (older than {before}).", result["messages"])
        if dry_run
        else ngettext("{n} message purged (older than {before}).",
                      "{n} messages purged (older than {before}).", result["messages"])
    )
    click.echo(template.format(n=result["messages"], before=result["before"]))
