import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner
from offboarding_fixtures import FEEDBACK, full_answers, make_mission

from fmstoolkit import config, offboarding
from fmstoolkit.cli import cli


@pytest.fixture
def runner():
    return CliRunner()


def test_due_lists_missions_with_what_is_missing(runner, db, db_path):
    m = make_mission(db, end="2020-01-31", start="2020-01-06")
    make_mission(db, name="Far", start="2020-01-06", end="2099-12-31")
    result = runner.invoke(cli, ["offboarding", "due", "--json", "--db", str(db_path)])
    assert result.exit_code == 0, result.output
    rows = json.loads(result.output)
    assert [r["mission_id"] for r in rows] == [m["mission_id"]]
    assert rows[0]["missing"][0] == "objectives"
    table = runner.invoke(cli, ["offboarding", "due", "--within", "30", "--db", str(db_path)])
    assert "Alice Martin" in table.output and "objectives, deliverables" in table.output


def test_show_prints_the_checklist_invoice_check_and_what_is_missing(runner, db, db_path):
    m = make_mission(db)
    offboarding.save_feedback(db, m["mission_id"], FEEDBACK)
    result = runner.invoke(cli, ["offboarding", "show", str(m["mission_id"]), "--db", str(db_path)])
    assert result.exit_code == 0, result.output
    assert "expected 5000 € (10 working days x 500 €)" in result.output
    assert "missing: Field 'note': the collaboration note is not written" in result.output
    data = json.loads(
        runner.invoke(
            cli, ["offboarding", "show", str(m["mission_id"]), "--json", "--db", str(db_path)]
        ).output
    )
    assert data["feedback"][0]["clarity"] == 2 and data["steps"]["feedback"] is True
    missing = runner.invoke(cli, ["offboarding", "show", "999", "--db", str(db_path)])
    assert missing.exit_code == 2 and "No mission #999" in missing.output


def test_template_then_answers_closes_the_offboarding(runner, db, db_path, tmp_path):
    m = make_mission(db)
    result = runner.invoke(
        cli, ["offboard", str(m["mission_id"]), "--template", "--db", str(db_path)]
    )
    assert result.exit_code == 0, result.output
    template = json.loads(result.output)
    assert template["feedback"]["clarity"]["type"] == "rating"
    assert template["note"]["would_rehire"]["choices"] == ["yes", "maybe", "no"]
    # fill the template's values and feed it back
    for section, values in full_answers(m["deliverables"], ["React"]).items():
        for key, value in values.items():
            template[section][key]["value"] = value
    path = tmp_path / "answers.json"
    path.write_text(json.dumps(template), encoding="utf-8")
    result = runner.invoke(
        cli,
        ["offboard", str(m["mission_id"]), "--answers", str(path), "--db", str(db_path)],
    )
    assert result.exit_code == 0, result.output
    out = json.loads(result.output)
    assert out["status"] == "closed" and out["lists"] == ["React"]
    assert out["invoice_check"]["expected_amount"] == 5000
    assert offboarding.get_mission(db, m["mission_id"])["status"] == "offboarded"
    # through the action: the notes republished, the recommendation queued
    assert out["publish"]["status"] == "published" and (tmp_path / "notes.db").exists()
    assert db["outbox"].get(out["recommendation_message_id"])["kind"] == "recommendation"


def test_no_publish_closes_without_republishing(runner, db, db_path, tmp_path):
    m = make_mission(db)
    path = tmp_path / "answers.json"
    path.write_text(json.dumps(full_answers(m["deliverables"])), encoding="utf-8")
    result = runner.invoke(
        cli,
        ["offboard", str(m["mission_id"]), "--answers", str(path), "--no-publish",
         "--db", str(db_path)],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    out = json.loads(result.output)
    assert out["status"] == "closed" and "publish" not in out
    assert not (tmp_path / "notes.db").exists()
    assert out["recommendation_message_id"]


def test_a_failed_publish_is_reported_and_the_close_stands(runner, db, db_path, tmp_path,
                                                           monkeypatch):  # fmt: skip
    (tmp_path / "broken").mkdir()
    monkeypatch.setenv("FMS_NOTES_DB", str(tmp_path / "broken"))
    config.reload_settings()
    m = make_mission(db)
    path = tmp_path / "answers.json"
    path.write_text(json.dumps(full_answers(m["deliverables"])), encoding="utf-8")
    result = runner.invoke(
        cli, ["offboard", str(m["mission_id"]), "--answers", str(path), "--db", str(db_path)]
    )
    assert result.exit_code == 0, result.output
    assert "publish failed" in result.stderr
    assert offboarding.get_mission(db, m["mission_id"])["status"] == "offboarded"
    assert db["offboardings"].get(m["mission_id"])["publish_error"]


def test_incomplete_answers_exit_2_with_the_list_and_write_nothing(runner, db, db_path, tmp_path):
    m = make_mission(db)
    answers = full_answers(m["deliverables"])
    del answers["note"]
    answers["checklist"]["confidentiality"] = "pending"
    path = tmp_path / "answers.json"
    path.write_text(json.dumps(answers), encoding="utf-8")
    result = runner.invoke(
        cli, ["offboard", str(m["mission_id"]), "--answers", str(path), "--db", str(db_path)]
    )
    assert result.exit_code == 2
    assert "nothing was written" in result.output
    assert "Field 'note.author': field required" in result.output
    assert "Field 'checklist.confidentiality': confidentiality reminded: still pending" in (
        result.output
    )
    assert "Traceback" not in result.output
    assert db["offboardings"].count == 0 and db["checklist_items"].count == 0


def test_bad_json_and_missing_options_are_refused(runner, db, db_path, tmp_path):
    m = make_mission(db)
    path = tmp_path / "answers.json"
    path.write_text("{not json", encoding="utf-8")
    result = runner.invoke(
        cli, ["offboard", str(m["mission_id"]), "--answers", str(path), "--db", str(db_path)]
    )
    assert result.exit_code == 2 and "is not valid JSON" in result.output
    result = runner.invoke(cli, ["offboard", str(m["mission_id"]), "--db", str(db_path)])
    assert result.exit_code == 2 and "--template or --answers" in result.output


def test_trends_json(runner, db, db_path):
    m = make_mission(db)
    offboarding.save_feedback(db, m["mission_id"], FEEDBACK)
    result = runner.invoke(cli, ["offboarding", "trends", "--json", "--db", str(db_path)])
    data = json.loads(result.output)
    assert data["periods"][0]["clarity"] == 2.0
    assert {t["theme"] for t in data["themes"]} == {"documentation", "accesses"}
    quarters = runner.invoke(
        cli, ["offboarding", "trends", "--by", "quarter", "--db", str(db_path)]
    )
    assert "-Q" in quarters.output


def test_the_real_command_in_a_subprocess(db, db_path, tmp_path):
    m = make_mission(db)
    bad = full_answers(m["deliverables"])
    bad["feedback"]["onboarding"] = 9
    (tmp_path / "bad.json").write_text(json.dumps(bad), encoding="utf-8")
    (tmp_path / "good.json").write_text(
        json.dumps(full_answers(m["deliverables"])), encoding="utf-8"
    )
    env = {k: v for k, v in os.environ.items() if not k.startswith("FMS_")}
    env |= {"FMS_DB": str(db_path), "FMS_LANG": "fr", "FMS_NOTES_DB": str(tmp_path / "n.db")}
    cmd = [sys.executable, "-m", "fmstoolkit.cli", "offboard", str(m["mission_id"])]
    proc = subprocess.run(
        [*cmd, "--answers", "bad.json"], cwd=tmp_path, env=env, capture_output=True, text=True,
        timeout=60,
    )  # fmt: skip
    assert proc.returncode == 2
    assert "rien n'a été écrit" in proc.stderr and "feedback.onboarding" in proc.stderr
    proc = subprocess.run(
        [*cmd, "--answers", "good.json"], cwd=tmp_path, env=env, capture_output=True, text=True,
        timeout=60,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout)["status"] == "closed"
    assert offboarding.get_mission(db, m["mission_id"])["status"] == "offboarded"


def test_the_answers_example_of_the_readme_works(runner, db, db_path, tmp_path):
    readme = (Path(__file__).resolve().parent.parent / "README.md").read_text(encoding="utf-8")
    section = readme.split("## Offboarding", 1)[1]
    example = json.loads(section.split("```json", 1)[1].split("```", 1)[0])
    m = make_mission(db)
    checklist = example["checklist"]
    checklist[f"deliverable_{m['deliverables'][0]}"] = checklist.pop("deliverable_12")
    checklist[f"deliverable_{m['deliverables'][1]}"] = checklist.pop("deliverable_13")
    path = tmp_path / "answers.json"
    path.write_text(json.dumps(example), encoding="utf-8")
    result = runner.invoke(
        cli,
        ["offboard", str(m["mission_id"]), "--answers", str(path), "--db", str(db_path)],
    )
    assert result.exit_code == 0, result.output
    assert json.loads(result.output)["lists"] == ["Rehire first for React"]
