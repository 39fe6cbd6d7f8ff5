"""Planning: ``fms request``, ``fms requests``, ``fms match``, ``fms assign``, ``fms schedule``,
``fms benchmark-rate``, ``fms mission``, ``fms poll`` and ``fms ask``."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import click

from .. import clock, planning
from ..actions import planning as planning_actions
from ..i18n import _, ngettext
from ..models.validation import MAX_DAILY_RATE, MIN_DAILY_RATE
from .common import DAY, ID, echo_json, echo_table, json_option, with_db


@click.group("request")
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
    req = planning.create_request(
        db, project=project, skill=skill, start=start, in_days=in_days, days=days,
        max_rate=max_rate, min_level=min_level, notes=notes,
    )
    if as_json:
        echo_json(req)
        return
    if req["project_created"]:
        click.echo(
            _("Project '{name}' created (#{id}).").format(
                name=req["project"], id=req["project_id"]
            )
        )
    role = req["roles"][0]
    n = req["days"]
    if req["max_rate"]:
        text = ngettext(
            "Request #{id}: {skill} level {level}+, {start} to {end} ({n} working day), "
            "max {rate} €/day.",
            "Request #{id}: {skill} level {level}+, {start} to {end} ({n} working days), "
            "max {rate} €/day.",
            n,
        )
    else:
        text = ngettext(
            "Request #{id}: {skill} level {level}+, {start} to {end} ({n} working day).",
            "Request #{id}: {skill} level {level}+, {start} to {end} ({n} working days).",
            n,
        )
    click.echo(
        text.format(
            id=req["id"], skill=role["skill_label"], level=role["min_level"],
            start=req["start_date"], end=req["end_date"], n=n, rate=req["max_rate"],
        )
    )


@request_group.command("show")
@with_db
@click.argument("request_id", type=ID)
@json_option
def request_show(db, request_id: int, as_json: bool) -> None:
    """The ledger of a request: roles, who was asked, answers, assignments, outcome."""
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


@click.group("requests")
def requests_group() -> None:
    """All staffing requests: the fill-rate report."""


@requests_group.command("report")
@with_db
@click.option("--from", "start", type=DAY, help="First start date counted, YYYY-MM-DD.")
@click.option("--to", "end", type=DAY, help="Last start date counted, YYYY-MM-DD.")
@json_option
def requests_report(db, start, end, as_json: bool) -> None:
    """Fill rate and time-to-staff of the requests starting in a period."""
    rep = planning.requests_report(db, start=start, end=end)
    if as_json:
        echo_json(rep)
        return
    rate = "-" if rep["fill_rate"] is None else f"{rep['fill_rate']:.0%}"
    net = "-" if rep["network_fill_rate"] is None else f"{rep['network_fill_rate']:.0%}"
    tts = rep["time_to_staff_days"]
    median = "-" if not tts else f"{tts['median']:g}"
    click.echo(
        _(
            "{requests} requests: {staffed} staffed ({network} from the network, {outside} "
            "outside), {unfilled} unfilled, {cancelled} cancelled, {open} open ({overdue} "
            "overdue)."
        ).format(
            requests=rep["requests"], staffed=rep["staffed"], network=rep["network"],
            outside=rep["outside"], unfilled=rep["unfilled"],
            cancelled=rep["cancelled"] - rep["unfilled"], open=rep["open"] + rep["polling"],
            overdue=rep["overdue"],
        )
    )
    click.echo(
        _("Fill rate: {rate} (network: {network}); median time to staff: {median} days.").format(
            rate=rate, network=net, median=median
        )
    )
    if rep["by_skill"]:
        click.echo("")
        echo_table(rep["by_skill"], ["skill", "requests", "staffed", "fill_rate"])
    if rep["rows"] and len(rep["rows"]) <= 30:
        click.echo("")
        echo_table(rep["rows"], ["id", "project", "skills", "start_date", "status", "outcome",
                                 "filled", "roles", "polls", "time_to_staff_days"])


@click.command("match")
@with_db
@click.argument("request_id", type=ID)
@click.option("--role", "role_id", type=ID, help="Role of the request (default: first unfilled).")
@click.option("--top", type=click.IntRange(1, 1000), default=10, show_default=True,
              help="How many candidates to show.")
@click.option("--free-only", is_flag=True, help="Only candidates free on every working day.")
@json_option
def match_cmd(db, request_id: int, role_id, top: int, free_only: bool, as_json: bool) -> None:
    """The best candidates for a request, with the reasons for their rank."""
    candidates = planning.rank_candidates(
        db, request_id, role_id=role_id, top=top, free_only=free_only
    )
    if as_json:
        echo_json([c.as_dict() for c in candidates])
        return
    if not candidates:
        click.echo(_("No candidate."))
    for rank, c in enumerate(candidates, 1):
        rate = "?" if c.rate is None else f"{c.rate} €"
        click.echo(f"{rank}. {c.name} (#{c.freelancer_id}) · {c.score:g} · {c.availability} · "
                   f"{rate}")
        click.echo(f"   {c.explanation}")


@click.command("assign")
@with_db
@click.argument("request_id", type=ID)
@click.argument("freelancer_id", type=ID)
@click.option("--role", "role_id", type=ID, help="Role to fill (default: first unfilled).")
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
    click.echo(
        _(
            "Mission #{id}: {freelancer} on {project} from {start} to {end} at {rate} €/day "
            "(request {status})."
        ).format(
            id=mission_id, freelancer=m["freelancer"], project=m["project"],
            start=m["start_date"], end=m["end_date"], rate=m["daily_rate"], status=status,
        )
    )


@click.command("schedule")
@with_db
@click.option("--from", "start", type=DAY,
              help="First day of the window, YYYY-MM-DD (default: today).")
@click.option("--to", "end", type=DAY,
              help="Last day of the window, YYYY-MM-DD (default: +30 days).")
@click.option("--ics", "ics_path", type=click.Path(dir_okay=False, path_type=Path),
              help="Write the schedule to this iCalendar (.ics) file.")
@json_option
def schedule_cmd(db, start, end, ics_path, as_json: bool) -> None:
    """Missions, unavailability and open requests over a window (or an .ics file)."""
    first = (start or clock.today()).isoformat()
    last = (end or planning._date(first, "from") + dt.timedelta(days=30)).isoformat()
    rows = planning.schedule(db, first, last)
    if ics_path:
        ics_path.write_bytes(planning.to_ics(rows))
        n = len(rows)
        click.echo(
            ngettext("{n} event written to {path}.", "{n} events written to {path}.", n).format(
                n=n, path=ics_path
            )
        )
        return
    if as_json:
        echo_json(rows)
        return
    echo_table(rows, ["kind", "id", "lane", "label", "start", "end", "status"])


@click.command("benchmark-rate")
@with_db
@click.argument("skill")
@click.option("--seniority", type=click.Choice(["junior", "confirmed", "senior"]),
              help="Only this seniority (default: each one, then all).")
@click.option("--rate", type=click.IntRange(MIN_DAILY_RATE, MAX_DAILY_RATE),
              help="Also say where this quoted daily rate stands.")
@json_option
def benchmark_rate_cmd(db, skill: str, seniority, rate, as_json: bool) -> None:
    """Quartiles of the daily rates the agency paid for a skill, per seniority."""
    if seniority:
        rows = [planning.rate_benchmark(db, skill, seniority=seniority)]
    else:
        rows = planning.rate_benchmarks(db, skill)
    position = planning.rate_position(db, skill, seniority, rate) if rate is not None else None
    if as_json:
        echo_json({"benchmarks": rows, "position": position} if position else rows)
        return
    echo_table(
        [r | {"seniority": r["seniority"] or _("all")} for r in rows],
        ["skill", "seniority", "count", "min", "q1", "median", "q3", "max"],
    )
    if position:
        click.echo(position["text"])


@click.group("mission")
def mission_group() -> None:
    """One mission: show it, move it, extend it, cancel it (with the double-booking checks)."""


def _echo_mission(m: dict[str, Any], as_json: bool = False) -> None:
    if as_json:
        echo_json(m)
        return
    click.echo(
        ngettext(
            "#{id} {freelancer} · {project} · {start} → {end} ({n} working day) · {rate} € · "
            "{status}",
            "#{id} {freelancer} · {project} · {start} → {end} ({n} working days) · {rate} € · "
            "{status}",
            m["days"],
        ).format(
            id=m["id"], freelancer=m["freelancer"], project=m["project"], start=m["start_date"],
            end=m["end_date"], n=m["days"], rate=m["daily_rate"], status=m["status"],
        )
    )


def _echo_confirmation(m: dict[str, Any]) -> None:
    """Say which outbox message carries the mission's (new) confirmation, when one was queued."""
    if m.get("confirmation_id"):
        click.echo(_("confirmation → outbox #{id}").format(id=m["confirmation_id"]), err=True)


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
@click.argument("mission_id", type=ID)
@json_option
def mission_show(db, mission_id: int, as_json: bool) -> None:
    """A mission with its freelancer, project and skill."""
    _echo_mission(planning.get_mission(db, mission_id), as_json)


@mission_group.command("move")
@with_db
@click.argument("mission_id", type=ID)
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
@click.argument("mission_id", type=ID)
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
@click.argument("mission_id", type=ID)
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
        click.echo(_("cancellation notice → outbox #{id}").format(id=m["cancellation_id"]),
                   err=True)
    _echo_mission(m, as_json)


@click.group("poll")
def poll_group() -> None:
    """Availability polls: record an answer a freelancer gave by phone or in person."""


@poll_group.command("answer")
@with_db
@click.argument("poll_id", type=ID)
@click.argument("answer", type=click.Choice(["yes", "no", "maybe", "oui", "non", "peut-être"]))
def poll_answer(db, poll_id: int, answer: str) -> None:
    """Record a freelancer's answer to an availability poll (it also confirms their
    availability)."""
    row = planning_actions.answer_poll(db, poll_id, answer)
    click.echo(f"poll #{row['id']}: {row['answer']}")


@click.command("ask")
@with_db
@click.argument("request_id", type=ID)
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
    type=ID,
    multiple=True,
    help="Ask this freelancer (repeat for several) instead of the best candidates.",
)
@click.option("--role", "role_id", type=ID, help="Role of the request (default: the first open).")
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
