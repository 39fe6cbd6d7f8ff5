"""The `fms` command for the pool, through click's runner and as a real subprocess."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from click.testing import CliRunner

from fmstoolkit.cli import cli

CSV = (
    "nom;e-mail;compétences;TJM;ville\n"
    'Camille Durand;camille@example.org;"react:4;ux:3";520;Lyon\n'
    "Jean Martin;jean@example.org;reactt:4;480;Paris\n"
)
FMS = [sys.executable, "-m", "fmstoolkit.cli"]


def run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([*FMS, *args], capture_output=True, text=True, env=os.environ.copy(),
                          timeout=120)


def test_import_is_all_or_nothing_with_exit_code_2(tmp_path, db_path):
    path = tmp_path / "pool.csv"
    path.write_text(CSV, encoding="utf-8")
    runner = CliRunner()
    result = runner.invoke(cli, ["import", "freelancers", str(path), "--db", str(db_path)])
    assert result.exit_code == 2
    assert "Line 3, field 'skills': unknown skill 'reactt'; did you mean 'React'" in result.stderr
    assert "Traceback" not in result.output
    listed = runner.invoke(cli, ["freelancers", "list", "--db", str(db_path), "--json"])
    assert json.loads(listed.output) == []
    result = runner.invoke(
        cli, ["import", "freelancers", str(path), "--db", str(db_path), "--skip-invalid"]
    )
    assert result.exit_code == 0
    assert "1 created, 0 updated, 1 refused." in result.output
    assert "Line 3" in result.stderr


def test_show_keeps_contacts_out_unless_asked(db_path, tmp_path):
    path = tmp_path / "pool.csv"
    path.write_text(CSV.splitlines()[0] + "\n" + CSV.splitlines()[1] + "\n", encoding="utf-8")
    runner = CliRunner()
    runner.invoke(cli, ["import", "freelancers", str(path), "--db", str(db_path)])
    shown = runner.invoke(cli, ["freelancers", "show", "1", "--db", str(db_path), "--json"])
    data = json.loads(shown.output)
    assert data["name"] == "Camille Durand" and "camille@example.org" not in shown.output
    assert {s["name"] for s in data["skills"]} == {"react", "ux-design"}
    shown = runner.invoke(cli, ["freelancers", "show", "1", "--db", str(db_path), "--contact"])
    assert "camille@example.org" in shown.output
    missing = runner.invoke(cli, ["freelancers", "show", "99", "--db", str(db_path)])
    assert missing.exit_code == 2 and "No freelancer #99." in missing.stderr


def test_lists_and_privacy_as_a_real_subprocess(db_path, tmp_path):
    path = tmp_path / "pool.csv"
    path.write_text(CSV.splitlines()[0] + "\n" + CSV.splitlines()[1] + "\n", encoding="utf-8")
    assert run("init", "--db", str(db_path)).returncode == 0
    assert run("import", "freelancers", str(path), "--db", str(db_path)).returncode == 0
    assert run("lists", "add", "React first", "1", "--db", str(db_path)).returncode == 0
    shown = run("lists", "show", "React first", "--db", str(db_path), "--json")
    assert [m["name"] for m in json.loads(shown.stdout)] == ["Camille Durand"]
    out = tmp_path / "export.json"
    assert run("privacy", "export", "1", "--db", str(db_path), "--out", str(out)).returncode == 0
    assert json.loads(out.read_text())["contact"]["email"] == "camille@example.org"
    forgotten = run("privacy", "forget", "1", "--yes", "--db", str(db_path))
    assert forgotten.returncode == 0, forgotten.stderr
    listed = run("freelancers", "list", "--db", str(db_path), "--json")
    assert "Camille" not in listed.stdout
    bad = run("freelancers", "list", "--skill", "cobol", "--db", str(db_path))
    assert bad.returncode == 2 and "Traceback" not in bad.stderr
    assert "cobol" in bad.stderr


def test_every_command_answers_help():
    result = run("--help")
    assert result.returncode == 0
    for command in ("init", "demo", "import", "freelancers", "lists", "privacy"):
        assert command in result.stdout
    assert Path(FMS[0]).exists()
