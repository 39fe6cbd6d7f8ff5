"""The notebooks as `make run` starts them, on the demo database it keeps current.

`make run` runs `fms demo --refresh` from the project folder, then `scripts/run.sh` exports
FMS_HOME (that folder) and starts JupyterLab, whose kernels run in notebooks/. With the relative
default `data/fms.db`, every part must open the same file: the notebooks show the demo agency,
not an empty database created beside them. The kernel and the `fms` command are real processes
reading the machine's clock, so this test does too.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

from fmstoolkit import config, offboarding, planning
from fmstoolkit import db as dbmod

ROOT = Path(__file__).resolve().parent.parent
RUN_SH = (ROOT / "scripts" / "run.sh").read_text(encoding="utf-8")


def run_all(notebook: Path) -> tuple[list, str]:
    """Run All, as in JupyterLab: the kernel's working directory is the notebook's folder."""
    nb = nbformat.read(notebook, as_version=4)
    NotebookClient(
        nb, timeout=240, kernel_name="python3",
        resources={"metadata": {"path": str(notebook.parent)}},
    ).execute()  # fmt: skip
    outputs = [o for c in nb.cells if c.cell_type == "code" for o in c.outputs]
    errors = [o for o in outputs if o.output_type == "error"]
    assert not errors, f"{notebook.name}: {errors[0]['ename']}: {errors[0]['evalue']}"
    return outputs, json.dumps(nb.metadata.get("widgets", {}), ensure_ascii=False)


@pytest.fixture
def agency_folder(tmp_path, monkeypatch) -> Path:
    """A project folder as a new user has it, with the environment scripts/run.sh gives."""
    assert 'export FMS_HOME="$PWD"' in RUN_SH  # what the kernels inherit from make run
    home = tmp_path / "agency"
    shutil.copytree(ROOT / "notebooks", home / "notebooks")
    for key in list(os.environ):
        if key.startswith("FMS_"):
            monkeypatch.delenv(key)
    monkeypatch.setenv("FMS_HOME", str(home))
    monkeypatch.chdir(home)
    config.reload_settings()
    proc = subprocess.run(
        [sys.executable, "-m", "fmstoolkit.cli", "demo", "--refresh", "--freelancers", "60",
         "--seed", "1"],
        cwd=home, capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    assert "agence de démo créée" in proc.stdout
    yield home
    config.reload_settings()


@pytest.mark.real_clock
def test_run_all_in_each_notebook_shows_the_demo_agency(agency_folder):
    home = agency_folder
    database = dbmod.open_db(home / "data" / "fms.db")
    try:
        open_requests = planning.list_requests(database, status=("open", "polling"))
        due = offboarding.due(database, within=30)
    finally:
        database.close()
    assert open_requests and due, "the demo has open requests and missions to offboard"

    _, planning_state = run_all(home / "notebooks" / "planning.ipynb")
    requests_shown = re.search(r"<b>(\d+)</b> demandes ouvertes", planning_state)
    missions_shown = re.search(r"<b>(\d+)</b> missions", planning_state)
    assert requests_shown and int(requests_shown.group(1)) > 0
    assert missions_shown and int(missions_shown.group(1)) > 0
    assert any(f"#{r['id']} · {r['project']}" in planning_state for r in open_requests)

    _, offboarding_state = run_all(home / "notebooks" / "offboarding.ipynb")
    assert any(
        f"#{m['mission_id']} · {m['freelancer']}" in offboarding_state for m in due
    ), "the offboarding picker lists the demo's due missions"

    assert not (home / "notebooks" / "data").exists(), "no second, empty database"


def test_a_missing_database_is_named_with_the_commands_that_create_it(tmp_path, monkeypatch):
    monkeypatch.setenv("FMS_DB", str(tmp_path / "nowhere" / "fms.db"))
    config.reload_settings()
    proc = subprocess.run(
        [sys.executable, "-m", "fmstoolkit.cli", "freelancers", "list"],
        cwd=tmp_path, capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert proc.returncode == 2
    assert "There is no database at" in proc.stderr and "fms demo" in proc.stderr
    assert "fms init" in proc.stderr and "Traceback" not in proc.stderr
    assert not (tmp_path / "nowhere").exists()
