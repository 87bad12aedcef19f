"""Every notebook runs from top to bottom, with a small run count."""

from __future__ import annotations

import nbformat
import pytest
from helpers import ROOT
from nbclient import NotebookClient

NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))
SMALL = {"RUNS": 300, "BASE_RUNS": 16, "TORNADO_RUNS": 10}


@pytest.mark.slow
@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_notebook_runs(path):
    notebook = nbformat.read(path, as_version=4)
    if "shared/data" in notebook.cells[1].source and not (ROOT.parent / "shared" / "data").is_dir():
        pytest.skip("shared/data is not beside the project")
    parameters = notebook.cells[1]
    assert "RUNS" in parameters.source, "the first code cell holds the parameters"
    for name, small in SMALL.items():
        if f"{name} =" in parameters.source:
            parameters.source += f"\n{name} = {small}"
    NotebookClient(
        notebook, timeout=300, kernel_name="python3", resources={"metadata": {"path": str(path.parent)}}
    ).execute()
    code = [c for c in notebook.cells if c.cell_type == "code"]
    assert all(c.get("execution_count") for c in code), "every code cell ran"
    assert any(o.output_type in ("display_data", "execute_result") for c in code for o in c.get("outputs", [])), (
        "the notebook shows something"
    )


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_notebook_is_committed_without_outputs(path):
    notebook = nbformat.read(path, as_version=4)
    assert all(not c.get("outputs") and not c.get("execution_count") for c in notebook.cells if c.cell_type == "code")
