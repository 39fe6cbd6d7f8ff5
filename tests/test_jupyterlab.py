"""JupyterLab as `make run` starts it: a real server on loopback, seen through headless Chromium."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
from browser import dump_dom

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def lab(free_port, tmp_path):
    from fmstoolkit import demo

    db_path = tmp_path / "demo.db"
    demo.create(db_path, freelancers=30, seed=2)
    env = os.environ.copy() | {"FMS_DB": str(db_path), "JUPYTER_RUNTIME_DIR": str(tmp_path)}
    proc = subprocess.Popen(
        [sys.executable, "-m", "jupyterlab", "--no-browser", "--ip=127.0.0.1",
         f"--port={free_port}", f"--notebook-dir={ROOT / 'notebooks'}", "--ServerApp.token=",
         "--ServerApp.password=", "--allow-root"],
        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=env,
    )
    base = f"http://127.0.0.1:{free_port}"
    deadline = time.time() + 90
    while time.time() < deadline:
        try:
            urllib.request.urlopen(f"{base}/api/status", timeout=2)
            break
        except OSError:
            time.sleep(0.5)
    else:
        proc.kill()
        raise RuntimeError(proc.stderr.read().decode()[-2000:])
    yield base
    proc.terminate()
    proc.wait(timeout=30)


def test_lab_lists_the_notebooks_and_renders_one(lab):
    contents = json.load(urllib.request.urlopen(f"{lab}/api/contents", timeout=10))
    names = {item["name"] for item in contents["content"]}
    assert {"planning.ipynb", "offboarding.ipynb"} <= names
    dom = dump_dom(f"{lab}/lab/tree/planning.ipynb", budget_ms=30_000, timeout=180)
    assert "jp-Notebook" in dom  # the notebook panel is on screen
    assert "Planning" in dom or "planning" in dom
