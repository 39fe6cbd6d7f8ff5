"""`fms app` and `make run`'s apps server: the sentence for a port already taken, the notebooks
committed without outputs, and JupyterLab's saves keeping them so."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import nbformat
import pytest
from click.testing import CliRunner

from fmstoolkit import apps_server, config
from fmstoolkit.cli import cli

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))


@pytest.fixture
def taken_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        sock.listen()
        yield sock.getsockname()[1]


def test_every_app_has_its_notebook():
    assert {p.stem for p in NOTEBOOKS} >= set(apps_server.APPS)


def test_fms_app_on_a_taken_port_names_the_setting(taken_port, monkeypatch):
    monkeypatch.setenv("FMS_APPS_PORT", str(taken_port))

    result = CliRunner().invoke(cli, ["app", "planning", "--port", str(taken_port)])
    assert result.exit_code == 2
    assert f"Port {taken_port} is already in use" in result.output
    assert "FMS_APPS_PORT" in result.output
    assert "Traceback" not in result.output


def test_run_sh_stops_before_starting_when_a_port_is_taken(taken_port):
    proc = subprocess.run(
        [sys.executable, "-m", "fmstoolkit.apps_server", "FMS_APPS_PORT=1",
         f"FMS_LAB_PORT={taken_port}"], capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    # port 1 needs root to bind, which CI is: only the taken port is reported either way
    assert proc.returncode == 2
    assert "FMS_LAB_PORT" in proc.stderr or "FMS_APPS_PORT" in proc.stderr
    run_sh = (ROOT / "scripts" / "run.sh").read_text(encoding="utf-8")
    assert "fmstoolkit.apps_server" in run_sh.split("python -m voila")[0]  # checked first


def test_committed_notebooks_have_no_outputs():
    dirty = []
    for path in NOTEBOOKS:
        nb = nbformat.read(path, as_version=4)
        for cell in nb.cells:
            if cell.cell_type == "code" and (cell.outputs or cell.execution_count is not None):
                dirty.append(path.name)
        if "widgets" in nb.metadata:
            dirty.append(f"{path.name} (widget state)")
    assert dirty == []


def test_jupyterlab_saves_notebooks_without_outputs(tmp_path, free_port):
    """A real Jupyter server with the configuration run.sh passes: a notebook saved with outputs
    (as JupyterLab does after Run All) lands on disk without them."""
    env = os.environ.copy() | {"JUPYTER_RUNTIME_DIR": str(tmp_path / "rt")}
    proc = subprocess.Popen(
        [sys.executable, "-m", "jupyter_server",
         f"--config={ROOT / 'scripts' / 'jupyter_server_config.py'}", "--no-browser",
         "--ip=127.0.0.1", f"--port={free_port}", f"--ServerApp.root_dir={tmp_path}",
         "--IdentityProvider.token=", "--ServerApp.password=",
         "--ServerApp.disable_check_xsrf=True", "--allow-root"],
        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=env,
    )  # fmt: skip
    base = f"http://127.0.0.1:{free_port}"
    try:
        deadline = time.monotonic() + 90
        while True:
            try:
                urllib.request.urlopen(f"{base}/api/status", timeout=2)
                break
            except OSError:
                if time.monotonic() > deadline or proc.poll() is not None:
                    raise RuntimeError(proc.stderr.read().decode()[-2000:]) from None
                time.sleep(0.3)
        nb = nbformat.v4.new_notebook()
        cell = nbformat.v4.new_code_cell("print('Camille Martin')", execution_count=3)
        cell.outputs = [nbformat.v4.new_output("stream", name="stdout", text="Camille Martin\n")]
        nb.cells = [cell]
        nb.metadata["widgets"] = {"application/vnd.jupyter.widget-state+json": {"state": {}}}
        body = json.dumps({"type": "notebook", "format": "json", "content": nb}).encode()
        request = urllib.request.Request(f"{base}/api/contents/app.ipynb", data=body,
                                         method="PUT", headers={"Content-Type": "application/json"})
        with urllib.request.urlopen(request, timeout=30) as response:
            assert response.status in (200, 201)
    finally:
        proc.terminate()
        proc.wait(timeout=30)
    saved = nbformat.read(tmp_path / "app.ipynb", as_version=4)
    assert saved.cells[0].source == "print('Camille Martin')"  # the code is kept
    assert saved.cells[0].outputs == [] and saved.cells[0].execution_count is None
    assert "widgets" not in saved.metadata


def test_make_run_prints_every_url_in_the_agencys_language(monkeypatch):
    monkeypatch.setenv("FMS_APPS_PORT", "9123")
    monkeypatch.setenv("FMS_LANG", "fr")
    config.reload_settings()
    text = apps_server.banner(telegram=False)
    for name in apps_server.APPS:
        assert f"http://127.0.0.1:9123/voila/render/{name}.ipynb" in text
    assert "Aujourd'hui (commencer ici):" in text and "e-mail seulement" in text
    assert "Today" not in text and "running" not in text
    monkeypatch.setenv("FMS_LANG", "en")
    config.reload_settings()
    assert "Today (start here):" in apps_server.banner(telegram=True)
