"""`cityscience build` machinery on tiny notebooks: planning, parallel runs, failures, skipping, publishing."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import nbformat
import pytest

from cityscience import build as b
from cityscience import load_regions, load_sources
from cityscience.cli import main
from cityscience.conventions import LANGUAGES

REPO = Path(__file__).resolve().parents[1]

WRITE_FIGURE = """
import os
from pathlib import Path
folder = Path(os.environ["CITYSCIENCE_FIGURES"])
for ext in ("png", "svg", "pdf"):
    (folder / f"{name}.{ext}").write_text(f"{name} {ext} {version}")
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


def _plain(path: Path, name: str, version: int = 1, extra: str = "") -> Path:
    return _notebook(path, [("md", f"# {path.name[:2]} · plain{extra}"),
                            ("code", f"name = {name!r}\nversion = {version}\n" + WRITE_FIGURE)])


@pytest.fixture
def project(tmp_path):
    """Notebooks, a figures folder with an old build's figures, and a build folder."""
    notebooks = tmp_path / "notebooks"
    _plain(notebooks / "10-plain.ipynb", "10-new")
    _notebook(notebooks / "11-param.ipynb", [
        ("md", "# 11 · parameterized"),
        ("params", "region = 'ningbo'\nlanguage = 'zh'"),
        ("code", "name = f'11-{region}-{language}'\nversion = 1\n" + WRITE_FIGURE),
    ])
    _notebook(notebooks / "README-not-a-notebook.ipynb", [("code", "raise RuntimeError('never run')")])
    figures = tmp_path / "figures"
    figures.mkdir()
    (figures / "10-stale.png").write_text("old figure of notebook 10")
    (figures / "12-other.png").write_text("figure of a notebook that did not run")
    return notebooks, figures, tmp_path / "build"


@pytest.fixture
def small(tmp_path, monkeypatch):
    """A plain notebook and one run per language, with a data folder of their own."""
    notebooks = tmp_path / "notebooks"
    _plain(notebooks / "20-first.ipynb", "20-first")
    _notebook(notebooks / "22-lang.ipynb", [
        ("md", "# 22 · per language"), ("params", "language = 'zh'"),
        ("code", "name = f'22-{language}'\nversion = 1\n" + WRITE_FIGURE)])
    data = tmp_path / "data"
    data.mkdir()
    (data / "table.csv").write_text("a,b\n1,2\n", encoding="utf-8")
    monkeypatch.setenv("CITYSCIENCE_DATA", str(data))
    figures = tmp_path / "figures"
    output = tmp_path / "build"

    def run(**kwargs):
        return b.build(notebooks=notebooks, figures=figures, output=output, validate=False, workers=2,
                       html=False, progress=False, log=lambda msg: None, **kwargs)

    return notebooks, data, figures, output, run


def _ran(result) -> list[str]:
    return [r.job.name for r in result.results]


def _mtimes(folder: Path) -> dict[str, int]:
    return {p.name: p.stat().st_mtime_ns for p in folder.iterdir()}


def test_plan_expands_parameterized_notebooks_over_regions_and_languages(project):
    notebooks, _, _ = project
    jobs = b.plan_jobs(notebooks, regions=["ningbo", "cixi"])
    assert [j.name for j in jobs] == ["10-plain", "11-param-ningbo-zh", "11-param-ningbo-en",
                                      "11-param-cixi-zh", "11-param-cixi-en"]
    assert jobs[3].parameters == {"region": "cixi", "language": "zh"}
    assert [j.name for j in b.plan_jobs(notebooks, only=["10"])] == ["10-plain"]
    with pytest.raises(b.BuildError, match="no notebook"):
        b.plan_jobs(notebooks, only=["99"])


def test_notebook_parameters_reads_the_parameters_cell(tmp_path):
    path = _notebook(tmp_path / "40-p.ipynb", [
        ("code", "import pathlib"),
        ("params", "region: str = 'cixi'\nyears = (2014, 2017)\nfolder = pathlib.Path('out')\nregion_upper = None"),
        ("params", "ignored = 1"),
    ])
    assert b.notebook_parameters(path) == {"region": "cixi", "years": (2014, 2017),
                                           "folder": "pathlib.Path('out')", "region_upper": None}
    assert b.notebook_parameters(_plain(tmp_path / "41-q.ipynb", "41-q")) == {}


def test_the_real_region_profile_runs_for_every_region_in_both_languages():
    regions = list(load_regions()["region"].astype(str))
    jobs = [j for j in b.plan_jobs(REPO / "notebooks", regions=regions) if j.notebook.name.startswith("06-")]
    assert sorted((j.parameters["region"], j.parameters["language"]) for j in jobs) == sorted(
        (r, lang) for r in regions for lang in LANGUAGES)
    assert b.notebook_parameters(REPO / "notebooks" / "06-region-profile.ipynb") == {
        "region": "ningbo", "language": "zh"}


def test_run_jobs_executes_in_parallel_and_renders_html(project, tmp_path):
    notebooks, _, output = project
    jobs = b.plan_jobs(notebooks, regions=["cixi"])
    results = b.run_jobs(jobs, output=output, staging=tmp_path / "staging", workers=2, progress=False)
    assert [r.job.name for r in results] == [j.name for j in jobs]
    for r in results:
        assert r.executed.is_file() and r.html.is_file()
        assert "<html" in r.html.read_text(encoding="utf-8").lower()
        executed = nbformat.read(str(r.executed), as_version=4)
        assert all(o.get("output_type") != "error" for c in executed.cells for o in c.get("outputs", []))
    # each job saved its figures into a staging folder of its own
    assert sorted(p.name for p in (tmp_path / "staging" / "11-param-cixi-en").iterdir()) == [
        "11-cixi-en.pdf", "11-cixi-en.png", "11-cixi-en.svg"]


def test_a_build_publishes_the_figures_and_removes_stale_ones(project, monkeypatch):
    notebooks, figures, output = project
    plan = b.plan_jobs
    monkeypatch.setattr(b, "plan_jobs", lambda folder, only=(), regions=None: plan(
        folder, only=only, regions=["cixi"]))
    result = b.build(notebooks=notebooks, figures=figures, output=output, validate=False, workers=2,
                     progress=False, log=lambda msg: None)
    names = sorted(p.name for p in figures.iterdir())
    assert "10-new.png" in names and "11-cixi-en.pdf" in names and "index.csv" in names
    assert "10-stale.png" not in names  # made by a notebook that ran, no longer produced: removed
    assert "12-other.png" in names  # another notebook's figure is kept
    assert [p.name for p in result.removed] == ["10-stale.png"]
    assert len(result.figures) == 3 * 3
    manifest = json.loads((output / "manifests" / "11-param-cixi-en.json").read_text(encoding="utf-8"))
    assert sorted(manifest["figures"]) == ["11-cixi-en.pdf", "11-cixi-en.png", "11-cixi-en.svg"]
    assert manifest["parameters"] == {"region": "cixi", "language": "en"}
    assert (output / manifest["executed"]).is_file() and (output / manifest["html"]).is_file()
    assert not (output / "figures-staging").exists()


def test_the_outputs_of_a_region_no_longer_planned_are_removed(project, monkeypatch):
    notebooks, figures, output = project
    plan = b.plan_jobs
    planned = ["cixi"]
    monkeypatch.setattr(b, "plan_jobs", lambda folder, only=(), regions=None: plan(
        folder, only=only, regions=list(planned)))

    def run():
        return b.build(notebooks=notebooks, figures=figures, output=output, validate=False, workers=2,
                       progress=False, log=lambda msg: None)

    run()
    gone = json.loads((output / "manifests" / "11-param-cixi-en.json").read_text(encoding="utf-8"))
    assert (output / gone["executed"]).is_file() and (output / gone["html"]).is_file()
    planned[:] = ["ningbo"]  # the region left the data
    run()
    assert not (output / "manifests" / "11-param-cixi-en.json").exists()
    assert not (output / gone["executed"]).exists() and not (output / gone["html"]).exists()
    assert not list(figures.glob("11-cixi-*")) and list(figures.glob("11-ningbo-en.*"))


def test_a_changed_input_runs_exactly_the_affected_executions(small):
    notebooks, data, figures, output, run = small
    everything = ["20-first", "22-lang-zh", "22-lang-en"]
    assert _ran(run()) == everything  # a fresh build folder: everything runs

    before = _mtimes(figures)
    again = run()
    assert _ran(again) == [] and [j.name for j in again.skipped] == everything
    assert again.figures == [] and again.removed == []
    assert _mtimes(figures) == before  # not one file (index included) rewritten

    _plain(notebooks / "20-first.ipynb", "20-first", version=2)  # the notebook changed
    result = run()
    assert _ran(result) == ["20-first"]
    assert sorted(p.name for p in result.figures) == ["20-first.pdf", "20-first.png", "20-first.svg"]
    assert (figures / "20-first.png").read_text() == "20-first png 2"

    (data / "table.csv").write_text("a,b\n1,3\n", encoding="utf-8")  # the data changed: every notebook
    before = _mtimes(figures)
    result = run()
    assert _ran(result) == everything
    assert result.figures == [] and _mtimes(figures) == before  # the same bytes: no file touched

    (data / ".table.csv.swp").write_text("editor backup", encoding="utf-8")  # not data
    assert _ran(run()) == []


def test_a_deleted_or_edited_figure_makes_its_job_run_again(small):
    _, _, figures, _, run = small
    run()
    (figures / "22-en.svg").unlink()
    result = run()
    assert _ran(result) == ["22-lang-en"]
    assert [p.name for p in result.figures] == ["22-en.svg"]
    assert (figures / "22-en.svg").read_text() == "22-en svg 1"

    (figures / "20-first.pdf").write_text("touched up by hand")
    result = run()
    assert _ran(result) == ["20-first"]
    assert (figures / "20-first.pdf").read_text() == "20-first pdf 1"


def test_a_failed_build_updates_nothing_and_its_jobs_run_again(small):
    notebooks, _, figures, output, run = small
    run(only=["20"])
    before = {p.name: p.read_bytes() for p in figures.iterdir()}
    _plain(notebooks / "20-first.ipynb", "20-first", version=2)
    broken = [("code", "name = '21-second'\nversion = 1\n" + WRITE_FIGURE + "\nraise ValueError('half done')")]
    _notebook(notebooks / "21-second.ipynb", broken)
    with pytest.raises(b.BuildError, match="half done"):
        run(only=["20", "21"])
    assert {p.name: p.read_bytes() for p in figures.iterdir()} == before  # not even 20-first's new figure
    assert not (output / "manifests" / "20-first.json").exists()
    _plain(notebooks / "21-second.ipynb", "21-second")  # fixed: both run, 20-first's figure is published
    assert _ran(run(only=["20", "21"])) == ["20-first", "21-second"]
    assert (figures / "20-first.png").read_text() == "20-first png 2"


def test_the_inputs_digest_covers_data_library_lock_and_font(tmp_path, monkeypatch):
    data, library, font = tmp_path / "data", tmp_path / "library", tmp_path / "font.ttf"
    data.mkdir()
    (data / "regions.csv").write_text("region\nningbo\n", encoding="utf-8")
    (library / "charts").mkdir(parents=True)
    (library / "charts" / "plots.py").write_text("WIDTH = 1\n", encoding="utf-8")
    (tmp_path / "requirements.lock").write_text("matplotlib==3.11.2\n", encoding="utf-8")
    font.write_bytes(b"font")
    monkeypatch.setenv("CITYSCIENCE_ROOT", str(tmp_path))
    monkeypatch.setattr(b, "_LIBRARY", library)
    seen = {b.inputs_digest(data, font)}
    (library / "charts" / "__pycache__").mkdir()
    (library / "charts" / "__pycache__" / "plots.cpython-311.pyc").write_bytes(b"compiled")
    assert b.inputs_digest(data, font) in seen  # compiled files are not inputs
    for change in (lambda: (data / "regions.csv").write_text("region\ncixi\n", encoding="utf-8"),
                   lambda: (library / "charts" / "plots.py").write_text("WIDTH = 2\n", encoding="utf-8"),
                   lambda: (tmp_path / "requirements.lock").write_text("matplotlib==3.12\n", encoding="utf-8"),
                   lambda: font.write_bytes(b"another font")):
        change()
        digest = b.inputs_digest(data, font)
        assert digest not in seen
        seen.add(digest)


def test_a_job_key_covers_the_notebook_and_its_parameters(tmp_path):
    path = _plain(tmp_path / "30-x.ipynb", "30-x")
    job = b.NotebookJob(notebook=path, name="30-x-cixi", parameters={"region": "cixi"})
    key = b.job_key(job, "inputs")
    assert b.job_key(b.NotebookJob(notebook=path, name="30-x-cixi", parameters={"region": "cixi"}), "inputs") == key
    assert b.job_key(b.NotebookJob(notebook=path, name="30-x-cixi", parameters={"region": "haishu"}),
                     "inputs") != key
    assert b.job_key(job, "other inputs") != key
    _plain(path, "30-x", version=2)
    assert b.job_key(job, "inputs") != key


def test_a_failing_cell_stops_the_build_and_leaves_figures_alone(project):
    notebooks, figures, output = project
    _notebook(notebooks / "13-broken.ipynb", [
        ("md", "# 13 · broken"),
        ("code", "x = 1"),
        ("code", "name = '13-half'\nversion = 1\n" + WRITE_FIGURE + "\nraise ValueError('the data disagree: 42 != 41')"),
    ])
    before = {p.name: p.read_bytes() for p in figures.iterdir()}
    with pytest.raises(b.BuildError) as info:
        b.build(notebooks=notebooks, figures=figures, output=output, validate=False, workers=2, progress=False,
                only=["10", "13"], log=lambda msg: None)
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


def test_cli_says_what_ran_and_what_was_unchanged(small, capsys):
    notebooks, _, figures, output, _ = small
    args = ["build", "--notebooks", str(notebooks), "--figures", str(figures), "--build-dir", str(output),
            "--no-validate", "--no-html", "--no-progress", "--only", "20"]
    assert main(args) == 0
    assert "ok: 1 of 1 notebook executions run" in capsys.readouterr().out
    assert main(args) == 0
    captured = capsys.readouterr()
    assert "ok: 0 of 1 notebook executions run" in captured.out and "(1 unchanged)" in captured.out
    assert "nothing to run" in captured.err
    assert main([*args, "--force"]) == 0  # unchanged, but run all the same
    assert "ok: 1 of 1 notebook executions run" in capsys.readouterr().out


def test_cli_build_is_registered_with_help(capsys):
    with pytest.raises(SystemExit) as exit_info:
        main(["build", "--help"])
    assert exit_info.value.code == 0
    out = capsys.readouterr().out
    assert "--jobs" in out and "--only" in out and "--force" in out and "figures/" in out
    assert main(["build", "--jobs", "0"]) == 2


def test_kernels_run_when_the_temporary_folder_is_too_deep_for_a_socket(tmp_path, monkeypatch):
    """A Unix socket path holds 107 bytes: under a deep TMPDIR the kernels' sockets go to /tmp (or TCP)."""
    import tempfile

    from nbclient import NotebookClient

    deep = tmp_path / ("d" * 60) / ("e" * 60)
    deep.mkdir(parents=True)
    monkeypatch.setattr(tempfile, "tempdir", str(deep))
    manager = b._kernel_manager_class()()
    if manager.transport == "ipc":
        assert len(os.fsencode(manager.ip)) + len("-65535") <= 107 and not manager.ip.startswith(str(deep))
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("print(6 * 7)")])
    NotebookClient(nb, kernel_name="cityscience", kernel_manager_class=b._kernel_manager_class(),
                   timeout=120).execute()
    assert nb.cells[0].outputs[0]["text"].strip() == "42"


def test_the_build_names_the_published_figures_whose_texts_overlap(tmp_path, capsys):
    """A figure whose labels collide is still published, but the build says so on the terminal (not only in
    the executed notebook), figure by figure, and counts them in its summary."""
    notebooks = tmp_path / "notebooks"
    source = str(load_sources()["source_id"].iloc[0])
    _notebook(notebooks / "30-crowded.ipynb", [("md", "# 30 · crowded"), ("code", f"""
import matplotlib
matplotlib.use("Agg")
import matplotlib.pyplot as plt
from cityscience import charts
charts.set_theme("en")
fig, ax = plt.subplots(figsize=(3, 2))
for _ in range(2):
    ax.annotate("two labels in one place", (0.2, 0.5))
ax.set_title("Crowded")
charts.attach_sources(fig, [{source!r}], lang="en")
charts.save_figure(fig, "30-crowded", show=False)
""")])
    args = ["build", "--notebooks", str(notebooks), "--figures", str(tmp_path / "figures"), "--build-dir",
            str(tmp_path / "build"), "--no-validate", "--no-html", "--no-progress"]
    assert main(args) == 0
    captured = capsys.readouterr()
    assert "warning: figure 30-crowded-en: texts overlap or leave the figure:" in captured.err, captured.err
    assert "two labels in one place" in captured.err
    assert "1 with texts that overlap" in captured.out
    assert (tmp_path / "figures" / "30-crowded-en.png").is_file()  # published all the same
