"""notebooks/offboarding.ipynb executed headless (nbclient, a real kernel) on a demo database."""

from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient
from offboarding_fixtures import build_demo

from fmstoolkit import offboarding

NOTEBOOK = Path(__file__).resolve().parent.parent / "notebooks" / "offboarding.ipynb"


def test_the_notebook_is_committed_thin_and_without_outputs():
    nb = nbformat.read(NOTEBOOK, as_version=4)
    code = [c for c in nb.cells if c.cell_type == "code"]
    assert all(c.outputs == [] and c.execution_count is None for c in code)
    assert all(len(c.source.splitlines()) <= 3 for c in code)
    assert sum(c.cell_type == "markdown" for c in nb.cells) >= 3


@pytest.mark.real_clock  # the kernel reads the machine's clock
def test_the_notebook_runs_headless_on_the_demo_database(db, tmp_path):
    build_demo(db, freelancers=60, seed=1)
    assert offboarding.due(db, within=30), "the demo has missions to offboard"
    nb = nbformat.read(NOTEBOOK, as_version=4)
    NotebookClient(
        nb, timeout=120, kernel_name="python3", resources={"metadata": {"path": str(tmp_path)}}
    ).execute()  # FMS_DB (set by conftest) points the kernel at the demo database
    outputs = [o for c in nb.cells if c.cell_type == "code" for o in c.outputs]
    assert not [o for o in outputs if o.output_type == "error"]
    data = [o.get("data", {}) for o in outputs]
    widgets = [d for d in data if "application/vnd.jupyter.widget-view+json" in d]
    assert len(widgets) == 3  # the offboarding app, the themes table, the outbox
    plotly = "application/vnd.plotly.v1+json"
    plots = [d[plotly] for d in data if plotly in d]
    assert len(plots) == 1
    traces = plots[0]["data"]
    assert [t["name"] for t in traces] == ["Onboarding", "Integration", "Clarity", "Responses"]
    assert len(traces[0]["x"]) >= 6  # a year of monthly averages
    shown = "".join(str(o) for o in outputs)
    emails = [r[0] for r in db.execute("SELECT email FROM contacts WHERE email IS NOT NULL")]
    assert emails and not [e for e in emails if e in shown]  # no contact data in the outputs
