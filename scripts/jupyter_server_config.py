"""The Jupyter server configuration `make run` passes to JupyterLab (`--config`).

Committed notebooks stay free of outputs whatever JupyterLab saves: before every save, the
contents manager's ``pre_save_hook`` clears the code cells' outputs and execution counts and the
saved widget state (the apps are run again when opened; outputs would only show stale data and
personal names in git).
"""

# ruff: noqa: F821  (``c`` is the configuration object Jupyter provides)


def clear_outputs(model, **_kwargs):
    """Strip outputs, execution counts and widget state from a notebook about to be saved."""
    if model.get("type") != "notebook" or not isinstance(model.get("content"), dict):
        return
    notebook = model["content"]
    for cell in notebook.get("cells", []):
        if cell.get("cell_type") == "code":
            cell["outputs"] = []
            cell["execution_count"] = None
    notebook.get("metadata", {}).pop("widgets", None)


c.ContentsManager.pre_save_hook = clear_outputs
