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

from . import clock, pool
from . import db as dbmod
from .actions import freelancers as freelancer_actions
from .actions import messages
from .actions import planning as planning_actions
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


def _fr() -> bool:
    """True when messages are in French (FMS_LANG)."""
    return get_settings().lang == "fr"


def echo_json(data: Any) -> None:
    click.echo(json.dumps(data, ensure_ascii=False, indent=2, default=default_json))


def echo_table(rows: list[dict[str, Any]], columns: list[str] | None = None) -> None:
    """Print rows as an aligned plain-text table (nothing when there are no rows)."""
    if not rows:
        click.echo("(aucun résultat)" if _fr() else "(no results)")
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
    database = dbmod.connect(path, create=True)
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
    from . import offboarding

    rows = offboarding.due(db, within=within)
    if _echoed_json(rows, as_json):
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
    if _echoed_json(data, as_json):
        return
    fr = _fr()
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


@_offboarding_report(
    "trends",
    "--by",
    type=click.Choice(["month", "quarter"]),
    default="month",
    help="Group the ratings by month or by quarter.",
)
def offboarding_trends(db, by: str, as_json: bool) -> None:
    """Onboarding feedback over time: average ratings and recurring suggestion themes."""
    from . import offboarding

    data = offboarding.feedback_trends(db, by=by)
    if _echoed_json(data, as_json):
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
    from .actions.offboarding import apply_offboarding_answers
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
    result = apply_offboarding_answers(db, mission_id, data, publish=not no_publish)
    echo_json(result)
    if result.get("publish", {}).get("status") == "failed":
        head = "publication échouée" if _fr() else "publish failed"
        click.echo(f"{head}: {result['publish']['error']}", err=True)


# --- pool: import, show, lists, privacy, demo (lead) ---------------------------------------------


@cli.command()
@db_option
@click.option(
    "--freelancers", type=click.IntRange(1, 100_000), default=200, show_default=True,
    help="How many freelancers the demo agency has.",
)
@click.option("--seed", type=int, default=0, show_default=True,
              help="Random seed: the same seed gives the same database.")
@click.option("--force", is_flag=True, help="Replace the database if it already exists.")
@click.option("--today", type=click.DateTime(["%Y-%m-%d"]), default=None,
              help="Pretend today is this date (YYYY-MM-DD); default: today.")
@click.option("--refresh", is_flag=True,
              help="Keep a demo current: create it when missing, rebuild it when it was built "
              "for another day, never touch a database that is not a demo (what make run does).")
def demo(db_path: Path | None, freelancers: int, seed: int, force: bool, today,
         refresh: bool) -> None:
    """Create a realistic demo agency: freelancers, two years of missions, notes, requests."""
    from tqdm import tqdm

    from . import demo as demomod

    path = db_path or get_settings().db
    day = today.date() if today else None
    fr = _fr()
    if refresh:
        action, size, _ = demomod.refresh_plan(path, freelancers=freelancers, seed=seed,
                                               today=day)
        if action in ("create", "rebuild"):
            with tqdm(total=2 * size, desc="Agence de démo" if fr else "Demo agency",
                      file=sys.stderr) as bar:
                demomod.refresh(path, freelancers=freelancers, seed=seed, today=day,
                                progress=bar.update)
        said = {
            "create": ("demo agency created", "agence de démo créée"),
            "current": ("the demo agency is current", "l'agence de démo est à jour"),
            "rebuild": ("demo agency rebuilt for today", "agence de démo refaite pour aujourd'hui"),
            "not a demo": ("not a demo database: left untouched",
                           "ce n'est pas une base de démo : laissée telle quelle"),
        }[action]
        click.echo(f"{path}: {said[1] if fr else said[0]}")
        return
    demomod.refuse_overwrite(path, force)
    with tqdm(total=2 * freelancers, desc="Agence de démo" if fr else "Demo agency",
              file=sys.stderr) as bar:
        counts = demomod.create(
            path, freelancers=freelancers, seed=seed, force=force, today=day,
            progress=bar.update,
        )
    summary = ", ".join(f"{table} {n}" for table, n in counts.items() if n)
    click.echo(f"{path}: {summary}")



@cli.command("import")
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
        fr = _fr()
        click.echo(
            f"{report.created} créé(s), {report.updated} mis à jour, "
            f"{len(report.rejected_rows)} refusé(s)." if fr else
            f"{report.created} created, {report.updated} updated, "
            f"{len(report.rejected_rows)} refused."
        )
    for problem in report.problems:
        click.echo("  - " + problem.message(), err=True)


@freelancers.command("show")
@with_db
@click.argument("freelancer_id", type=int)
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
@click.argument("freelancer_id", type=int)
@click.option("--undo", is_flag=True, help="The freelancer agrees to hear from us again.")
def freelancers_opt_out(db, freelancer_id: int, undo: bool) -> None:
    """Record that a freelancer wants no more messages nor staffing proposals."""
    result = freelancer_actions.opt_out(db, freelancer_id, not undo)
    click.echo(f"#{freelancer_id}: {'opted in' if undo else 'opted out'}")
    if result["cancelled"]:
        click.echo(f"{len(result['cancelled'])} message(s) cancelled", err=True)


@cli.group("lists", invoke_without_command=True)
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
@click.argument("freelancer_ids", type=int, nargs=-1, required=True)
def lists_add(db, name: str, freelancer_ids: tuple[int, ...]) -> None:
    """Add freelancers to a list (created when it does not exist)."""
    for fid in freelancer_ids:
        pool.add_to_list(db, name, fid)
    click.echo(f"{name}: +{len(freelancer_ids)}")


@lists_group.command("remove")
@with_db
@click.argument("name")
@click.argument("freelancer_ids", type=int, nargs=-1, required=True)
def lists_remove(db, name: str, freelancer_ids: tuple[int, ...]) -> None:
    """Take freelancers off a list."""
    for fid in freelancer_ids:
        pool.remove_from_list(db, name, fid)
    click.echo(f"{name}: -{len(freelancer_ids)}")


@cli.group("privacy")
def privacy_group() -> None:
    """A freelancer's personal data: export it, or erase it."""


@privacy_group.command("export")
@with_db
@click.argument("freelancer_id", type=int)
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path),
              help="Write the JSON to this file instead of the screen.")
def privacy_export(db, freelancer_id: int, out: Path | None) -> None:
    """Everything held about a freelancer, as JSON (to send them on request)."""
    from . import privacy

    data = privacy.export(db, freelancer_id)
    if out:
        out.write_text(json.dumps(data, ensure_ascii=False, indent=2, default=default_json),
                       encoding="utf-8")
        click.echo(str(out))
    else:
        echo_json(data)


@privacy_group.command("forget")
@with_db
@click.argument("freelancer_id", type=int)
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
def privacy_forget(db, freelancer_id: int, yes: bool) -> None:
    """Erase a freelancer's personal data (contact, skills, texts); keep anonymised history."""
    from . import privacy

    if not yes:
        click.confirm(f"Erase the personal data of freelancer #{freelancer_id}?", abort=True)
    erased = privacy.forget(db, freelancer_id)
    click.echo(json.dumps(erased))


# --- planning (issue 3) --------------------------------------------------------------------------


@cli.group("request")
def request_group() -> None:
    """Staffing requests: add one, show its ledger."""


@request_group.command("add")
@with_db
@click.option("--project", required=True, help="Project id, or name (created if it is new).")
@click.option("--skill", required=True, help="Skill needed (any label or alias, see `fms skills`).")
@click.option("--start", help="First day, YYYY-MM-DD (moved to the next working day).")
@click.option("--in-days", help="Start this many calendar days from today (instead of --start).")
@click.option("--days", required=True, help="Length in working days (weekends, holidays skipped).")
@click.option("--max-rate", help="Maximum daily rate in euros.")
@click.option("--min-level", default="1", show_default=True, help="Minimum skill level, 1 to 5.")
@click.option("--notes", help="Free text about the need.")
@json_option
def request_add(db, project, skill, start, in_days, days, max_rate, min_level, notes, as_json):
    """Record a staffing request ("a web developer in 6 days for 5 days")."""
    from . import planning

    req = planning.create_request(
        db, project=project, skill=skill, start=start, in_days=in_days, days=days,
        max_rate=max_rate, min_level=min_level, notes=notes,
    )
    if as_json:
        echo_json(req)
        return
    if req["project_created"]:
        click.echo(
            f"Projet « {req['project']} » créé (n° {req['project_id']})."
            if _fr()
            else f"Project '{req['project']}' created (#{req['project_id']})."
        )
    role = req["roles"][0]
    click.echo(
        (
            f"Demande n° {req['id']} : {role['skill_label']} niveau {role['min_level']}+, "
            f"du {req['start_date']} au {req['end_date']} ({req['days']} jours ouvrés)"
            if _fr()
            else f"Request #{req['id']}: {role['skill_label']} level {role['min_level']}+, "
            f"{req['start_date']} to {req['end_date']} ({req['days']} working days)"
        )
        + (f", max {req['max_rate']} €/{'j' if _fr() else 'day'}" if req["max_rate"] else "")
        + "."
    )


@request_group.command("show")
@with_db
@click.argument("request_id", type=int)
@json_option
def request_show(db, request_id: int, as_json: bool) -> None:
    """The ledger of a request: roles, who was asked, answers, assignments, outcome."""
    from . import planning

    ledger = planning.request_ledger(db, request_id)
    if as_json:
        echo_json(ledger)
        return
    req = ledger["request"]
    click.echo(
        f"#{req['id']} {req['project']} · {req['start_date']} → {req['end_date']} · "
        f"{req['days']} j · {req['status']}" + (f" ({req['outcome']})" if req["outcome"] else "")
    )
    echo_table(
        [
            {"role": r["id"], "skill": r["skill"], "min_level": r["min_level"],
             "max_rate": r["max_rate"], "freelancer": r["freelancer"],
             "filled": "outside" if r["filled_outside"] else ("yes" if r["filled"] else "no")}
            for r in req["roles"]
        ]
    )
    if ledger["polls"]:
        click.echo("")
        echo_table(ledger["polls"], ["freelancer_id", "freelancer", "channel", "asked_at",
                                     "answer", "answered_at"])


@cli.group("requests")
def requests_group() -> None:
    """All staffing requests: the fill-rate report."""


@requests_group.command("report")
@with_db
@click.option("--from", "start", help="First start date counted, YYYY-MM-DD.")
@click.option("--to", "end", help="Last start date counted, YYYY-MM-DD.")
@json_option
def requests_report(db, start, end, as_json: bool) -> None:
    """Fill rate and time-to-staff of the requests starting in a period."""
    from . import planning

    rep = planning.requests_report(db, start=start, end=end)
    if as_json:
        echo_json(rep)
        return
    rate = "-" if rep["fill_rate"] is None else f"{rep['fill_rate']:.0%}"
    net = "-" if rep["network_fill_rate"] is None else f"{rep['network_fill_rate']:.0%}"
    tts = rep["time_to_staff_days"]
    median = "-" if not tts else f"{tts['median']:g}"
    if _fr():
        click.echo(
            f"{rep['requests']} demandes : {rep['staffed']} pourvues ({rep['network']} par le "
            f"réseau, {rep['outside']} hors réseau), {rep['unfilled']} non pourvues, "
            f"{rep['cancelled'] - rep['unfilled']} annulées, "
            f"{rep['open'] + rep['polling']} ouvertes ({rep['overdue']} en retard)."
        )
        click.echo(f"Taux de pourvoi : {rate} (réseau : {net}) ; délai médian : {median} jours.")
    else:
        click.echo(
            f"{rep['requests']} requests: {rep['staffed']} staffed ({rep['network']} from the "
            f"network, {rep['outside']} outside), {rep['unfilled']} unfilled, "
            f"{rep['cancelled'] - rep['unfilled']} cancelled, "
            f"{rep['open'] + rep['polling']} open ({rep['overdue']} overdue)."
        )
        click.echo(f"Fill rate: {rate} (network: {net}); median time to staff: {median} days.")
    if rep["by_skill"]:
        click.echo("")
        echo_table(rep["by_skill"], ["skill", "requests", "staffed", "fill_rate"])
    if rep["rows"] and len(rep["rows"]) <= 30:
        click.echo("")
        echo_table(rep["rows"], ["id", "project", "skills", "start_date", "status", "outcome",
                                 "filled", "roles", "polls", "time_to_staff_days"])


@cli.command("match")
@with_db
@click.argument("request_id", type=int)
@click.option("--role", "role_id", type=int, help="Role of the request (default: first unfilled).")
@click.option("--top", type=click.IntRange(1, 1000), default=10, show_default=True,
              help="How many candidates to show.")
@click.option("--free-only", is_flag=True, help="Only candidates free on every working day.")
@json_option
def match_cmd(db, request_id: int, role_id, top: int, free_only: bool, as_json: bool) -> None:
    """The best candidates for a request, with the reasons for their rank."""
    from . import planning

    candidates = planning.rank_candidates(
        db, request_id, role_id=role_id, top=top, free_only=free_only
    )
    if as_json:
        echo_json([c.as_dict() for c in candidates])
        return
    if not candidates:
        click.echo("Aucun candidat." if _fr() else "No candidate.")
    for rank, c in enumerate(candidates, 1):
        rate = "?" if c.rate is None else f"{c.rate} €"
        click.echo(f"{rank}. {c.name} (#{c.freelancer_id}) · {c.score:g} · {c.availability} · "
                   f"{rate}")
        click.echo(f"   {c.explanation}")


@cli.command("assign")
@with_db
@click.argument("request_id", type=int)
@click.argument("freelancer_id", type=int)
@click.option("--role", "role_id", type=int, help="Role to fill (default: first unfilled).")
@click.option("--rate", "daily_rate", type=int, help="Agreed daily rate (default: theirs).")
@click.option("--no-confirmation", is_flag=True,
              help="Do not queue the mission confirmation (email with an .ics) to the freelancer.")
def assign_cmd(db, request_id: int, freelancer_id: int, role_id, daily_rate,
               no_confirmation: bool) -> None:
    """Staff a request with a freelancer (creates the mission; refuses double bookings) and
    queue the mission confirmation to them (`fms outbox send` sends it)."""
    m = planning_actions.assign_and_confirm(
        db, request_id, freelancer_id, role_id=role_id, daily_rate=daily_rate,
        confirm=not no_confirmation,
    )
    _echo_confirmation(m)
    mission_id, status = m["id"], m["request_status"]
    if _fr():
        click.echo(f"Mission n° {mission_id} : {m['freelancer']} sur {m['project']} du "
                   f"{m['start_date']} au {m['end_date']} à {m['daily_rate']} €/j "
                   f"(demande {status}).")
    else:
        click.echo(f"Mission #{mission_id}: {m['freelancer']} on {m['project']} from "
                   f"{m['start_date']} to {m['end_date']} at {m['daily_rate']} €/day "
                   f"(request {status}).")


@cli.command("schedule")
@with_db
@click.option("--from", "start", help="First day of the window, YYYY-MM-DD (default: today).")
@click.option("--to", "end", help="Last day of the window, YYYY-MM-DD (default: +30 days).")
@click.option("--ics", "ics_path", type=click.Path(dir_okay=False, path_type=Path),
              help="Write the schedule to this iCalendar (.ics) file.")
@json_option
def schedule_cmd(db, start, end, ics_path, as_json: bool) -> None:
    """Missions, unavailability and open requests over a window (or an .ics file)."""
    from . import planning

    first = start or clock.today().isoformat()
    last = end or (planning._date(first, "from") + dt.timedelta(days=30)).isoformat()
    rows = planning.schedule(db, first, last)
    if ics_path:
        ics_path.write_bytes(planning.to_ics(rows))
        click.echo(f"{len(rows)} événements écrits dans {ics_path}." if _fr()
                   else f"{len(rows)} events written to {ics_path}.")
        return
    if as_json:
        echo_json(rows)
        return
    echo_table(rows, ["kind", "id", "lane", "label", "start", "end", "status"])


@cli.command("benchmark-rate")
@with_db
@click.argument("skill")
@click.option("--seniority", type=click.Choice(["junior", "confirmed", "senior"]),
              help="Only this seniority (default: each one, then all).")
@click.option("--rate", type=int, help="Also say where this quoted daily rate stands.")
@json_option
def benchmark_rate_cmd(db, skill: str, seniority, rate, as_json: bool) -> None:
    """Quartiles of the daily rates the agency paid for a skill, per seniority."""
    from . import planning

    if seniority:
        rows = [planning.rate_benchmark(db, skill, seniority=seniority)]
    else:
        rows = planning.rate_benchmarks(db, skill)
    position = planning.rate_position(db, skill, seniority, rate) if rate is not None else None
    if as_json:
        echo_json({"benchmarks": rows, "position": position} if position else rows)
        return
    echo_table(
        [r | {"seniority": r["seniority"] or ("toutes" if _fr() else "all")} for r in rows],
        ["skill", "seniority", "count", "min", "q1", "median", "q3", "max"],
    )
    if position:
        click.echo(position["text"])



@cli.group("mission")
def mission_group() -> None:
    """One mission: show it, move it, extend it, cancel it (with the double-booking checks)."""


def _echo_mission(m: dict[str, Any], as_json: bool = False) -> None:
    if as_json:
        echo_json(m)
        return
    unit = "j. ouvrés" if _fr() else "working days"
    click.echo(f"#{m['id']} {m['freelancer']} · {m['project']} · {m['start_date']} → "
               f"{m['end_date']} ({m['days']} {unit}) · {m['daily_rate']} € · {m['status']}")


def _echo_confirmation(m: dict[str, Any]) -> None:
    """Say which outbox message carries the mission's (new) confirmation, when one was queued."""
    if m.get("confirmation_id"):
        click.echo(f"confirmation → outbox #{m['confirmation_id']}", err=True)


_no_confirmation_option = click.option(
    "--no-confirmation", is_flag=True,
    help="Do not queue the new mission confirmation to the freelancer.",
)
_ignore_unavailability_option = click.option(
    "--ignore-unavailability", is_flag=True,
    help="Book even over a period the freelancer declared unavailable (never over a mission).",
)


@mission_group.command("show")
@with_db
@click.argument("mission_id", type=int)
@json_option
def mission_show(db, mission_id: int, as_json: bool) -> None:
    """A mission with its freelancer, project and skill."""
    from . import planning

    _echo_mission(planning.get_mission(db, mission_id), as_json)


@mission_group.command("move")
@with_db
@click.argument("mission_id", type=int)
@click.option("--start", required=True, help="New first day, YYYY-MM-DD (same working days).")
@_ignore_unavailability_option
@_no_confirmation_option
@json_option
def mission_move(db, mission_id: int, start: str, ignore_unavailability: bool,
                 no_confirmation: bool, as_json: bool) -> None:
    """Move a mission to a new start, keeping its number of working days."""
    m = planning_actions.move_mission(db, mission_id, start,
                                      ignore_unavailability=ignore_unavailability,
                                      confirm=not no_confirmation)
    _echo_confirmation(m)
    _echo_mission(m, as_json)


@mission_group.command("extend")
@with_db
@click.argument("mission_id", type=int)
@click.option("--days", type=int, help="Extra working days (negative to shorten).")
@click.option("--to", "end", help="New last day, YYYY-MM-DD (instead of --days).")
@_ignore_unavailability_option
@_no_confirmation_option
@json_option
def mission_extend(db, mission_id: int, days: int | None, end: str | None,
                   ignore_unavailability: bool, no_confirmation: bool, as_json: bool) -> None:
    """Lengthen or shorten a mission, by working days or to a new end date."""
    m = planning_actions.extend_mission(db, mission_id, days=days, end=end,
                                        ignore_unavailability=ignore_unavailability,
                                        confirm=not no_confirmation)
    _echo_confirmation(m)
    _echo_mission(m, as_json)


@mission_group.command("cancel")
@with_db
@click.argument("mission_id", type=int)
@click.option("--reason", help="Why (kept with the mission, and told to the freelancer).")
@click.option("--no-notice", is_flag=True,
              help="Do not queue the cancellation notice to the freelancer.")
@json_option
def mission_cancel(db, mission_id: int, reason: str | None, no_notice: bool,
                   as_json: bool) -> None:
    """Cancel a mission: its role is open again, an unsent confirmation is withdrawn and the
    freelancer is told."""
    m = planning_actions.cancel_mission(db, mission_id, reason=reason, notify=not no_notice)
    if m.get("cancellation_id"):
        click.echo(f"cancellation notice → outbox #{m['cancellation_id']}", err=True)
    _echo_mission(m, as_json)


@cli.group("poll")
def poll_group() -> None:
    """Availability polls: record an answer a freelancer gave by phone or in person."""


@poll_group.command("answer")
@with_db
@click.argument("poll_id", type=int)
@click.argument("answer", type=click.Choice(["yes", "no", "maybe", "oui", "non", "peut-être"]))
def poll_answer(db, poll_id: int, answer: str) -> None:
    """Record a freelancer's answer to an availability poll (it also confirms their
    availability)."""
    row = planning_actions.answer_poll(db, poll_id, answer)
    click.echo(f"poll #{row['id']}: {row['answer']}")

# --- publishing (issue 5) ------------------------------------------------------------------------


@cli.command("publish")
@with_db
@click.option(
    "--out",
    type=click.Path(path_type=Path),
    default=None,
    help="Notes database to write (default: FMS_NOTES_DB or data/notes.db).",
)
@click.option(
    "--metadata-out",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="Also write the Datasette metadata here (.json or .yml), for `datasette publish`.",
)
@json_option
def publish_cmd(db, out: Path | None, metadata_out: Path | None, as_json: bool) -> None:
    """Publish the collaboration notes (no contact data) for Datasette, atomically."""
    from . import publish

    stats = publish.publish(db, out)
    if metadata_out:
        stats["metadata"] = str(publish.write_metadata(metadata_out))
    if as_json:
        echo_json(stats)
        return
    click.echo(
        f"{stats['path']}: {stats['freelancers']} freelancers, {stats['missions']} missions, "
        f"{stats['notes']} notes, {stats['recommendations']} recommendations, "
        f"{stats['feedback']} feedback ({stats['seconds']} s)."
    )
    if metadata_out:
        click.echo(f"metadata: {stats['metadata']}")


@cli.command("serve")
@db_option
@click.option("--host", default="127.0.0.1", show_default=True, help="Interface to listen on.")
@click.option(
    "--port",
    type=click.IntRange(1, 65535),
    default=None,
    help="Port to listen on (default: FMS_DATASETTE_PORT or 8001).",
)
@click.option(
    "--notes-db",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="Notes database to serve (default: FMS_NOTES_DB); published first when missing.",
)
def serve_cmd(db_path: Path | None, host: str, port: int | None, notes_db: Path | None) -> None:
    """Serve the notes database read-only with Datasette (Ctrl+C to stop)."""
    from . import publish, serve

    notes_path = publish.notes_path(notes_db)
    if not notes_path.is_file():
        database = dbmod.open_db(db_path)
        try:
            publish.publish(database, notes_path)
        finally:
            database.close()
        click.echo(f"published {notes_path}")
    port = port or get_settings().datasette_port
    click.echo(f"Datasette: http://{host}:{port}/notes (Ctrl+C to stop)")
    serve.serve(notes_path, host=host, port=port)


# --- notifications (issue 6) ---------------------------------------------------------------------


OUTBOX_STATUSES = ("pending", "sending", "sent", "dead", "cancelled")
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


@cli.group("outbox")
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
    from .notify import outbox

    rows = outbox.list_messages(db, status=status, limit=limit)
    echo_json(rows) if as_json else echo_table(rows, OUTBOX_COLUMNS)


@outbox_group.command("send")
@with_db
@click.option("--limit", type=click.IntRange(1), help="Send at most this many messages.")
@json_option
def outbox_send(db, limit: int | None, as_json: bool) -> None:
    """Send the messages that are due (email and Telegram), with a progress bar and a summary."""
    from tqdm import tqdm

    from .notify import dispatcher, outbox

    due = outbox.due_count(db)
    total = min(due, limit) if limit else due
    fr = _fr()
    with tqdm(
        total=total,
        unit="msg",
        desc="envoi" if fr else "sending",
        file=sys.stderr,
        disable=as_json or total == 0,
    ) as bar:
        summary = dispatcher.drain(db, limit=limit, progress=bar)
    if as_json:
        echo_json(summary)
        return
    by = summary["by_channel"]
    if fr:
        click.echo(
            f"envoyés {summary['sent']} (e-mail {by['email']}, Telegram {by['telegram']}) · "
            f"à réessayer {summary['retry']} · morts {summary['dead']} · "
            f"annulés {summary['cancelled']} · repassés par e-mail {summary['requeued']}"
        )
    else:
        click.echo(
            f"sent {summary['sent']} (email {by['email']}, Telegram {by['telegram']}) · "
            f"retry later {summary['retry']} · dead {summary['dead']} · "
            f"cancelled {summary['cancelled']} · moved to email {summary['requeued']}"
        )
    click.echo(
        ("file : " if fr else "outbox: ")
        + ", ".join(f"{k} {v}" for k, v in summary["counts"].items())
    )


def _echo_message(row: dict[str, Any]) -> None:
    click.echo(
        f"#{row['id']} {row['kind']} · {row['status']} · "
        + ("tentatives" if _fr() else "attempts")
        + f" {row['attempts']}"
        + (f" · {row['last_error']}" if row.get("last_error") else "")
    )


@outbox_group.command("retry")
@with_db
@click.argument("message_id", type=int)
def outbox_retry(db, message_id: int) -> None:
    """Send a dead, cancelled or waiting message again at the next `fms outbox send`."""
    from .notify import outbox

    _echo_message(outbox.retry(db, message_id))


@outbox_group.command("cancel")
@with_db
@click.argument("message_id", type=int)
@click.option("--reason", help="Why (kept with the message).")
def outbox_cancel(db, message_id: int, reason: str | None) -> None:
    """Cancel a message that was not sent yet."""
    from .notify import outbox

    _echo_message(outbox.cancel(db, message_id, reason))


@cli.command("ask")
@with_db
@click.argument("request_id", type=int)
@click.option(
    "--top",
    type=click.IntRange(1, 100),
    default=5,
    show_default=True,
    help="Ask the best N candidates of the ranking.",
)
@click.option(
    "--freelancer",
    "freelancer_ids",
    type=int,
    multiple=True,
    help="Ask this freelancer (repeat for several) instead of the best candidates.",
)
@click.option("--role", "role_id", type=int, help="Role of the request (default: the first open).")
@json_option
def ask(
    db,
    request_id: int,
    top: int,
    freelancer_ids: tuple[int, ...],
    role_id: int | None,
    as_json: bool,
) -> None:
    """Queue the availability question of a request to freelancers, by their preferred channel.

    The messages go out with `fms outbox send`.
    """
    rows = planning_actions.ask_availability(
        db, request_id, freelancer_ids=freelancer_ids, top=top, role_id=role_id
    )
    echo_json(rows) if as_json else echo_table(rows)


@outbox_group.command("checkins")
@with_db
@click.option("--today", type=click.DateTime(["%Y-%m-%d"]), default=None,
              help="Queue the check-ins due by this date (YYYY-MM-DD); default: today.")
@json_option
def outbox_checkins(db, today, as_json: bool) -> None:
    """Queue the alumni check-ins that are due (then `fms outbox send` sends them)."""
    ids = messages.enqueue_alumni_checkins(db, today.date() if today else None)
    if as_json:
        echo_json({"queued": ids})
    else:
        fr = _fr()
        click.echo(f"{len(ids)} prise(s) de nouvelles en file." if fr
                   else f"{len(ids)} check-in(s) queued.")


@outbox_group.command("invite")
@with_db
@click.argument("freelancer_ids", type=int, nargs=-1, required=True)
def outbox_invite(db, freelancer_ids: tuple[int, ...]) -> None:
    """Queue an email inviting freelancers to connect to the assistant on Telegram."""
    for fid in freelancer_ids:
        click.echo(f"#{fid}: message {messages.enqueue_telegram_invitation(db, fid)}")


@cli.command("bot")
@with_db
def bot(db) -> None:
    """Run the Telegram assistant (answers to availability buttons, /start links) until Ctrl+C."""
    from .notify import telegram

    telegram.run_assistant(db)

def main() -> None:  # pragma: no cover - console entry point
    cli(prog_name="fms")


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
