"""notebooks/planning.ipynb executed headless (nbclient, a real kernel) on a demo database."""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient
from test_ui_planning import build_agency

from fmstoolkit import planning

NOTEBOOK = Path(__file__).resolve().parent.parent / "notebooks" / "planning.ipynb"
WIDGET = "application/vnd.jupyter.widget-view+json"
PLOTLY = "application/vnd.plotly.v1+json"


def build_demo(db) -> None:
    """The lead's demo agency when it exists, else the small agency of the widget tests with
    one open request."""
    if importlib.util.find_spec("fmstoolkit.demo") is not None:
        from fmstoolkit import demo

        demo.generate(db, freelancers=60, seed=1)
    else:
        agency = build_agency(db)
        planning.create_request(
            db, project="Refonte site", skill="web-development", min_level=3,
            start=agency["monday"], days=5, max_rate=650,
        )  # fmt: skip


def test_the_notebook_is_committed_thin_and_without_outputs():
    nb = nbformat.read(NOTEBOOK, as_version=4)
    code = [c for c in nb.cells if c.cell_type == "code"]
    assert all(c.outputs == [] and c.execution_count is None for c in code)
    assert all(len(c.source.splitlines()) <= 3 for c in code)
    assert sum(c.cell_type == "markdown" for c in nb.cells) >= 4
    assert "fmstoolkit.ui" in code[0].source


@pytest.mark.real_clock  # the kernel reads the machine's clock
def test_the_notebook_runs_headless_on_the_demo_database(db, tmp_path):
    build_demo(db)
    assert planning.list_requests(db, status=("open", "polling")), "an open request to show"
    nb = nbformat.read(NOTEBOOK, as_version=4)
    NotebookClient(
        nb, timeout=180, kernel_name="python3", resources={"metadata": {"path": str(tmp_path)}}
    ).execute()  # FMS_DB (set by conftest) points the kernel at the demo database
    outputs = [o for c in nb.cells if c.cell_type == "code" for o in c.outputs]
    errors = [o for o in outputs if o.output_type == "error"]
    assert not errors, errors[0]["evalue"] if errors else ""
    data = [o.get("data", {}) for o in outputs]
    widgets = [d for d in data if WIDGET in d]
    assert len(widgets) == 4  # the planning app, the schedule, the requests report, the outbox
    plots = [d[PLOTLY] for d in data if PLOTLY in d]
    assert len(plots) == 1  # the rate benchmark
    assert any(t["type"] == "box" for t in plots[0]["data"])
    assert "Web" in plots[0]["layout"]["title"]["text"]
    # widget states: the candidates table and the schedule are filled
    state = json.dumps(nb.metadata.get("widgets", {}))
    assert "Request #" in state  # the first open request is opened...
    assert "fms-candidates" in state or "No candidate matches" in state  # ...and ranked
    shown = json.dumps([o for o in outputs]) + state
    assert "@example.org" not in shown  # no contact data in any output
    emails = [r[0] for r in db.execute("SELECT email FROM contacts WHERE email IS NOT NULL")]
    assert emails and not [e for e in emails if e in shown]
