"""`cityscience build` machinery on tiny notebooks: planning, parallel runs, failures, figure promotion."""

from __future__ import annotations

import shutil
from pathlib import Path

import nbformat
import pytest

from cityscience import build as b
from cityscience.cli import main

REPO = Path(__file__).resolve().parents[1]
FOUR = ["ningbo", "hangzhou", "cixi", "haishu"]

WRITE_FIGURE = """
import os
from pathlib import Path
folder = Path(os.environ["CITYSCIENCE_FIGURES"])
for ext in ("png", "svg", "pdf"):
    (folder / f"{name}.{ext}").write_text(f"{name} {ext}")
"""


def _notebook(path: Path, cells: list[tuple[str, str]]) -> Path:
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    for kind, source in cells:
        cell = nbformat.v4.new_markdown_cell(source) if kind == "md" else nbformat.v4.new_code_cell(source)
        if kind == "params":
            cell.metadata["tags"] = ["parameters"]
        nb.cells.append(cell)
    path.parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(nb, str(path))
    return path


@pytest.fixture
def project(tmp_path):
    """Notebooks, a figures folder with an old build's figures, and a build folder."""
    notebooks = tmp_path / "notebooks"
    _notebook(notebooks / "10-plain.ipynb", [("md", "# 10 · plain"), ("code", "name = '10-new'\n" + WRITE_FIGURE)])
    _notebook(notebooks / "11-param.ipynb", [
        ("md", "# 11 · parameterized"),
        ("params", "region = 'ningbo'\nlanguage = 'zh'"),
        ("code", "name = f'11-{region}-{language}'\n" + WRITE_FIGURE),
    ])
    _notebook(notebooks / "README-not-a-notebook.ipynb", [("code", "raise RuntimeError('never run')")])
    figures = tmp_path / "figures"
    figures.mkdir()
    (figures / "10-stale.png").write_text("old figure of notebook 10")
    (figures / "12-other.png").write_text("figure of a notebook that did not run")
    return notebooks, figures, tmp_path / "build"


def test_plan_expands_parameterized_notebooks_over_regions_and_languages(project):
    notebooks, _, _ = project
    jobs = b.plan_jobs(notebooks, regions=["ningbo", "cixi"])
    assert [j.name for j in jobs] == ["10-plain", "11-param-ningbo-zh", "11-param-ningbo-en",
                                      "11-param-cixi-zh", "11-param-cixi-en"]
    assert jobs[3].parameters == {"region": "cixi", "language": "zh"}
    assert [j.name for j in b.plan_jobs(notebooks, only=["10"])] == ["10-plain"]
    with pytest.raises(b.BuildError, match="no notebook"):
        b.plan_jobs(notebooks, only=["99"])


def test_the_real_region_profile_runs_for_every_region_in_both_languages():
    jobs = [j for j in b.plan_jobs(REPO / "notebooks", regions=FOUR) if j.notebook.name.startswith("06-")]
    assert sorted((j.parameters["region"], j.parameters["language"]) for j in jobs) == sorted(
        (r, lang) for r in FOUR for lang in ("zh", "en"))
    assert b.notebook_parameters(REPO / "notebooks" / "06-region-profile.ipynb") == {
        "region": "ningbo", "language": "zh"}


def test_a_build_runs_all_notebooks_and_publishes_their_figures(project):
    notebooks, figures, output = project
    jobs = b.plan_jobs(notebooks, regions=["ningbo", "cixi"])
    staging = output / "staging"
    staging.mkdir(parents=True)
    results = b.run_jobs(jobs, output=output, workers=2, env={"CITYSCIENCE_FIGURES": str(staging)},
                         progress=False)
    assert [r.job.name for r in results] == [j.name for j in jobs]
    for r in results:
        assert r.executed.is_file() and r.html.is_file()
        assert "<html" in r.html.read_text(encoding="utf-8").lower()
        executed = nbformat.read(str(r.executed), as_version=4)
        assert all(o.get("output_type") != "error" for c in executed.cells for o in c.get("outputs", []))
    written, removed = b.promote_figures(staging, figures, ["10-", "11-"])
    names = sorted(p.name for p in figures.iterdir())
    assert "10-new.png" in names and "11-cixi-en.pdf" in names
    assert "10-stale.png" not in names  # made by a notebook that ran, no longer produced: removed
    assert "12-other.png" in names  # another notebook's figure is kept
    assert [p.name for p in removed] == ["10-stale.png"]
    assert len(written) == 3 * 5


def test_a_failing_cell_stops_the_build_and_leaves_figures_alone(project):
    notebooks, figures, output = project
    _notebook(notebooks / "13-broken.ipynb", [
        ("md", "# 13 · broken"),
        ("code", "x = 1"),
        ("code", "name = '13-half'\n" + WRITE_FIGURE + "\nraise ValueError('the data disagree: 42 != 41')"),
    ])
    before = {p.name: p.read_bytes() for p in figures.iterdir()}
    with pytest.raises(b.BuildError) as info:
        b.build(notebooks=notebooks, figures=figures, output=output, validate=False, workers=2, progress=False,
                log=lambda msg: None)
    failure, = info.value.failures
    assert failure.job.notebook.name == "13-broken.ipynb"
    assert failure.ename == "ValueError" and "42 != 41" in failure.evalue
    assert failure.cell == 2 and "raise ValueError" in failure.source
    message = str(info.value)
    assert "13-broken.ipynb, cell 2" in message and "ValueError: the data disagree" in message
    assert failure.executed is not None and failure.executed.is_file()  # the notebook with the error, to read
    assert {p.name: p.read_bytes() for p in figures.iterdir()} == before  # last good figures intact
    assert not (output / "figures-staging").exists()


def test_invalid_data_stops_the_build_before_any_notebook(project, tmp_path, monkeypatch):
    notebooks, figures, output = project
    data = tmp_path / "data"
    shutil.copytree(REPO / "data", data)
    regions = data / "regions.csv"
    regions.write_text(regions.read_text(encoding="utf-8").replace("330200", "33x200"), encoding="utf-8")
    monkeypatch.setenv("CITYSCIENCE_DATA", str(data))
    with pytest.raises(b.BuildError, match="data problem") as info:
        b.build(notebooks=notebooks, figures=figures, output=output, progress=False, log=lambda msg: None)
    assert any("33x200" in p for p in info.value.problems)
    assert not output.exists()


def test_cli_reports_the_failure_and_exits_1(project, capsys):
    notebooks, figures, output = project
    _notebook(notebooks / "14-fails.ipynb", [("code", "1 / 0")])
    code = main(["build", "--notebooks", str(notebooks), "--figures", str(figures), "--build-dir", str(output),
                 "--no-validate", "--no-html", "--no-progress", "--only", "14", "-j", "1"])
    err = capsys.readouterr().err
    assert code == 1
    assert "14-fails.ipynb, cell 0" in err and "ZeroDivisionError" in err
    assert "figures/ was left unchanged" in err


def test_cli_build_is_registered_with_help(capsys):
    with pytest.raises(SystemExit) as exit_info:
        main(["build", "--help"])
    assert exit_info.value.code == 0
    out = capsys.readouterr().out
    assert "--jobs" in out and "--only" in out and "figures/" in out
    assert main(["build", "--jobs", "0"]) == 2
