"""The planning commands of `fms`, through click's CliRunner against a real database."""

from __future__ import annotations

import json

import icalendar
from click.testing import CliRunner
from planning_fixtures import freelancer, past_mission

from fmstoolkit import clock, planning
from fmstoolkit.cli import cli


def run(*args: str):
    return CliRunner().invoke(cli, list(args))


def in_days(n: int) -> str:
    return clock.days_from_today(n).isoformat()


def test_request_add_creates_the_project_and_says_so(db):
    result = run("request", "add", "--project", "Site web", "--skill", "dev web",
                 "--in-days", "6", "--days", "5", "--max-rate", "600")
    assert result.exit_code == 0, result.output
    assert "Project 'Site web' created (#1)." in result.output
    req = planning.get_request(db, 1)
    assert req["days"] == 5 and req["max_rate"] == 600
    first, last = planning.working_period(clock.days_from_today(6), 5)
    assert (req["start_date"], req["end_date"]) == (first.isoformat(), last.isoformat())
    assert f"{first.isoformat()} to {last.isoformat()} (5 working days)" in result.output

    again = run("request", "add", "--project", "1", "--skill", "seo", "--start", in_days(10),
                "--days", "2", "--min-level", "3", "--json")
    assert again.exit_code == 0, again.output
    data = json.loads(again.output)
    assert data["project_created"] is False and data["roles"][0]["min_level"] == 3


def test_bad_input_exits_2_with_a_clear_sentence(db):
    result = run("request", "add", "--project", "P", "--skill", "dev wbe", "--start",
                 "2026-13-40", "--days", "five")
    assert result.exit_code == 2
    assert "Some values are not valid; nothing was saved." in result.output
    assert "did you mean 'Web development'" in result.output
    assert "'2026-13-40' is not a date" in result.output
    assert "Traceback" not in result.output
    assert db["requests"].count == 0
    both = run("request", "add", "--project", "P", "--skill", "seo", "--start", in_days(3),
               "--in-days", "3", "--days", "1")
    assert both.exit_code == 2 and "not both" in both.output
    assert run("match", "999").exit_code == 2
    assert "No request #999." in run("match", "999").output


def test_match_assign_and_double_booking(db):
    a = freelancer(db, "Alice", level=5, rate=500)
    b = freelancer(db, "Bob", level=3, rate=650)
    past_mission(db, a, "2026-01-05", "2026-01-09", note=(5, "yes"))
    req = planning.create_request(db, project="Site", skill="dev web", start=in_days(7), days=3,
                                  max_rate=600)
    out = run("match", str(req["id"]), "--top", "5")
    assert out.exit_code == 0, out.output
    lines = out.output.splitlines()
    assert lines[0].startswith(f"1. Alice (#{a}) · ")
    assert "free on all 3 working days" in lines[1]
    assert lines[2].startswith(f"2. Bob (#{b}) · ")
    data = json.loads(run("match", str(req["id"]), "--json").output)
    assert [c["freelancer_id"] for c in data] == [a, b]
    assert {"freelancer_id", "name", "score", "availability", "rate", "explanation"} <= set(data[0])

    done = run("assign", str(req["id"]), str(a))
    assert done.exit_code == 0, done.output
    assert "Mission #" in done.output and "(request staffed)" in done.output
    assert db.execute("SELECT kind FROM outbox").fetchall() == [("mission_confirmation",)]

    other = planning.create_request(db, project="Blog", skill="dev web", start=in_days(7),
                                    days=1)
    clash = run("assign", str(other["id"]), str(a))
    assert clash.exit_code == 2
    assert clash.output.startswith("Double booking: Alice already has mission #")


def test_schedule_table_and_ics(db, tmp_path):
    a = freelancer(db, "Alice")
    planning.create_mission(db, freelancer_id=a, project="Alpha", start=in_days(3), days=2)
    out = run("schedule")
    assert out.exit_code == 0 and "Alice" in out.output and "Alpha" in out.output
    path = tmp_path / "s.ics"
    written = run("schedule", "--from", in_days(0), "--to", in_days(40), "--ics", str(path))
    assert written.exit_code == 0 and "1 event written" in written.output
    events = icalendar.Calendar.from_ical(path.read_bytes()).walk("VEVENT")
    assert [str(e["summary"]) for e in events] == ["Alice — Alpha"]
    assert run("schedule", "--from", "tomorrow").exit_code == 2


def test_benchmark_rate(db):
    for i, rate in enumerate((400, 500, 600, 700)):
        past_mission(db, freelancer(db, f"S{i}", seniority="senior"), "2025-01-06",
                     "2025-01-10", rate=rate)
    out = run("benchmark-rate", "dev web", "--seniority", "senior", "--rate", "650")
    assert out.exit_code == 0, out.output
    assert "web-development  senior     4      400  475.0  550.0   625.0  700" in out.output
    assert "€650/day is in the upper quarter" in out.output
    data = json.loads(run("benchmark-rate", "dev web", "--json").output)
    assert [r["seniority"] for r in data] == ["junior", "confirmed", "senior", None]
    assert run("benchmark-rate", "nothing like it").exit_code == 2


def test_requests_report_and_request_show(db):
    a = freelancer(db, "Alice")
    req = planning.create_request(db, project="Site", skill="dev web", start=in_days(7), days=3)
    planning.answer_poll(db, planning.record_poll(db, req["id"], a), "yes")
    planning.assign(db, req["id"], a)
    out = run("requests", "report")
    assert out.exit_code == 0, out.output
    assert "1 requests: 1 staffed (1 from the network, 0 outside)" in out.output
    assert "Fill rate: 100% (network: 100%)" in out.output
    data = json.loads(run("requests", "report", "--from", in_days(0), "--json").output)
    assert data["fill_rate"] == 1.0
    show = run("request", "show", str(req["id"]))
    assert show.exit_code == 0 and "Alice" in show.output and "yes" in show.output


def test_every_planning_option_has_help():
    for name in ("request", "requests", "match", "assign", "schedule", "benchmark-rate"):
        command = cli.commands[name]
        commands = command.commands.values() if hasattr(command, "commands") else [command]
        for cmd in commands:
            for param in cmd.params:
                if param.param_type_name == "option":
                    assert param.help, f"{cmd.name} {param.name} has no help"


def test_move_extend_cancel_a_mission_and_record_an_answer(db):
    a = freelancer(db, "Alice", level=4, rate=500)
    b = freelancer(db, "Bob", level=4, rate=500)
    first = planning.create_mission(db, freelancer_id=a, project="Alpha", start=in_days(10), days=3)
    planning.create_mission(db, freelancer_id=a, project="Beta", start=in_days(30), days=3)

    moved = run("mission", "move", str(first), "--start", in_days(17), "--json")
    assert moved.exit_code == 0, moved.output
    assert json.loads(moved.stdout)["days"] == 3
    assert [k for (k,) in db.execute("SELECT kind FROM outbox")] == ["mission_confirmation"]

    clash = run("mission", "extend", str(first), "--days", "15")  # runs into Beta
    assert clash.exit_code == 2
    assert "Beta" in clash.stderr and "Traceback" not in clash.output
    assert planning.get_mission(db, first)["days"] == 3  # nothing written

    longer = run("mission", "extend", str(first), "--days", "2", "--no-confirmation")
    assert longer.exit_code == 0 and "5 working days" in longer.stdout
    assert db.execute("SELECT count(*) FROM outbox").fetchone()[0] == 1

    cancelled = run("mission", "cancel", str(first), "--reason", "budget")
    assert cancelled.exit_code == 0 and "cancelled" in cancelled.stdout

    req = planning.create_request(db, project="Site", skill="dev web", start=in_days(7), days=3)
    poll_id = planning.record_poll(db, req["id"], b)
    answered = run("poll", "answer", str(poll_id), "oui")
    assert answered.exit_code == 0 and "yes" in answered.stdout
    assert db.execute("SELECT availability_confirmed_by FROM freelancers WHERE id = ?",
                      [b]).fetchone()[0] == "answer"
    assert run("poll", "answer", "999", "yes").exit_code == 2
