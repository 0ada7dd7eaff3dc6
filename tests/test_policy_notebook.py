"""Notebook 08 is committed clean and runs end to end, writing its figures."""

from __future__ import annotations

import json

import nbformat
import pytest

from cityscience.paths import project_root

NOTEBOOK = project_root() / "notebooks" / "08-policy-priorities.ipynb"
FIGURES = ["08-theme-mix", "08-term-heatmap", "08-term-themes", "08-responsibility-matrix", "08-priority-shifts"]


def test_notebook_is_committed_without_outputs():
    nb = nbformat.read(NOTEBOOK, as_version=4)
    nbformat.validate(nb)
    first = nb.cells[0]
    assert first.cell_type == "markdown" and first.source.startswith("# 08 ")
    assert "**Question.**" in first.source
    for cell in nb.cells:
        if cell.cell_type == "code":
            assert cell.outputs == [] and cell.execution_count is None
    assert any("parameters" in c.metadata.get("tags", []) for c in nb.cells)
    # only the public API
    code = "\n".join(c.source for c in nb.cells if c.cell_type == "code")
    assert "._" not in code.replace("__", "")


def test_notebook_runs_and_writes_its_figures(tmp_path, monkeypatch):
    papermill = pytest.importorskip("papermill")
    figures = tmp_path / "figures"
    monkeypatch.setenv("CITYSCIENCE_FIGURES", str(figures))
    monkeypatch.setenv("CITYSCIENCE_BUILD", str(tmp_path / "build"))
    out = tmp_path / "08-out.ipynb"
    papermill.execute_notebook(str(NOTEBOOK), str(out), cwd=str(NOTEBOOK.parent), progress_bar=False,
                               kernel_name="python3")
    for name in FIGURES:
        for ext in ("png", "svg", "pdf"):
            assert (figures / f"{name}.{ext}").stat().st_size > 0, f"{name}.{ext}"
    nb = json.loads(out.read_text(encoding="utf-8"))
    text = "".join("".join(o.get("data", {}).get("text/markdown", "")) for c in nb["cells"]
                   if c["cell_type"] == "code" for o in c.get("outputs", []))
    assert "36 tasks" in text and "12 major special projects" in text and "23 tasks" in text
