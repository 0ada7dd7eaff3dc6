"""JupyterLab is safe to use: the project's kernel, committed notebooks unchanged by saving, figures kept apart.

A notebook is run the way JupyterLab runs it (the project's kernel, every cell)
and saved with its outputs and run metadata, in a scratch git repository of
the committed notebooks and figures: saved through the Jupyter server's save
hook that ``make env`` configures (:mod:`cityscience.lab`), ``git status``
stays clean and the outputs are kept in ``build/interactive/notebooks``; saved
by another tool, the setup's git filter (``make git-filter``) keeps the
commit as it was. A notebook run by hand writes its figures into
``build/interactive/figures``, never into the committed ``figures/``.
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

from cityscience import lab

REPO = Path(__file__).resolve().parents[1]
NOTEBOOKS = sorted(p for p in (REPO / "notebooks").glob("*.ipynb") if re.match(r"^\d{2}-", p.name))
MAKEFILE = (REPO / "Makefile").read_text(encoding="utf-8")
KERNEL = re.search(r"^KERNEL\s*:=\s*(\S+)", MAKEFILE, re.M).group(1)
DISPLAY = re.search(r'--name \$\(KERNEL\) --display-name "([^"]+)"', MAKEFILE).group(1)
# the cheapest notebook that saves a figure: the one the getting-started text walks through
RUN = next(p for p in NOTEBOOKS if p.name.startswith("00-"))


def _git(repo: Path, *args: str) -> str:
    return subprocess.run(["git", "-c", "user.name=t", "-c", "user.email=t@example.org", *args], cwd=repo,
                          check=True, capture_output=True, text=True).stdout


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_every_notebook_names_the_project_kernel_and_is_stored_as_stripped(path):
    spec = nbformat.read(str(path), as_version=4).metadata["kernelspec"]
    assert spec == {"name": KERNEL, "display_name": DISPLAY, "language": "python"}
    text = path.read_text(encoding="utf-8")
    assert lab.strip_text(text) == text, f"{path.name} is not stored as the filter stores it"


def test_the_setup_registers_the_kernel_the_save_hook_and_the_filter():
    assert re.search(r"ipykernel install --sys-prefix --name \$\(KERNEL\)", MAKEFILE)
    assert "-m cityscience.lab install" in MAKEFILE
    assert re.search(r"^env:.*\n\t@\$\(MAKE\) --no-print-directory git-filter", MAKEFILE, re.M)
    assert re.search(r"^lab: env", MAKEFILE, re.M) and "jupyter lab" in MAKEFILE
    name = re.search(r"git config filter\.(\w+)\.clean", MAKEFILE).group(1)
    attributes = (REPO / ".gitattributes").read_text(encoding="utf-8")
    assert re.search(rf"^\*\.ipynb filter={name}\b", attributes, re.M)


def _scratch_clone(tmp: Path) -> Path:
    """A git repository holding the committed notebooks, figures and git settings of this one."""
    repo = tmp / "clone"
    repo.mkdir()
    for name in (".gitattributes", ".gitignore", "Makefile"):
        shutil.copy2(REPO / name, repo / name)
    shutil.copytree(REPO / "notebooks", repo / "notebooks", ignore=shutil.ignore_patterns(".ipynb_checkpoints"))
    shutil.copytree(REPO / "figures", repo / "figures")
    _git(repo, "init", "-q")
    _git(repo, "add", "-A")
    _git(repo, "commit", "-q", "-m", "committed state")
    return repo


@pytest.fixture(scope="module")
def session(tmp_path_factory):
    """A scratch repository and the getting-started notebook executed in it by the project's kernel."""
    from nbclient import NotebookClient

    tmp = tmp_path_factory.mktemp("lab")
    subprocess.run([sys.executable, "-m", "ipykernel", "install", "--prefix", str(tmp / "kernel"), "--name", KERNEL,
                    "--display-name", DISPLAY], check=True, capture_output=True)
    jupyter = tmp / "kernel" / "share" / "jupyter"
    repo = _scratch_clone(tmp)
    nb = nbformat.read(str(repo / "notebooks" / RUN.name), as_version=4)
    env = {"JUPYTER_PATH": str(jupyter), "CITYSCIENCE_ROOT": str(repo), "CITYSCIENCE_DATA": str(REPO / "data"),
           "MPLBACKEND": "module://matplotlib_inline.backend_inline", "CITYSCIENCE_FIGURES": None}
    before = {k: os.environ.get(k) for k in env}
    try:
        for k, v in env.items():
            os.environ.pop(k, None) if v is None else os.environ.__setitem__(k, v)
        NotebookClient(nb, timeout=600, resources={"metadata": {"path": str(repo / "notebooks")}}).execute()
    finally:
        for k, v in before.items():
            os.environ.pop(k, None) if v is None else os.environ.__setitem__(k, v)
    # what JupyterLab adds when it saves: the kernel's spec, widget state, cell timings
    spec = json.loads((jupyter / "kernels" / KERNEL / "kernel.json").read_text(encoding="utf-8"))
    nb.metadata["kernelspec"] = {"display_name": spec["display_name"], "language": spec["language"], "name": KERNEL}
    nb.metadata["widgets"] = {"application/vnd.jupyter.widget-state+json": {"state": {}, "version_major": 2}}
    for cell in nb.cells:
        if cell.cell_type == "code":
            cell.metadata["execution"] = {"iopub.execute_input": "2026-01-01T00:00:00.000Z"}
            cell.metadata["scrolled"] = True
    assert any(c.get("outputs") for c in nb.cells if c.cell_type == "code"), "the run made no output"
    assert nb.metadata["language_info"].get("version"), "the kernel wrote no language_info"
    return repo, nb, tmp


def _contents_manager(repo: Path, config_prefix: Path | None):
    """The Jupyter server's file manager on the notebooks folder, with the config ``lab.install`` writes."""
    from jupyter_server.services.contents.filemanager import FileContentsManager
    from traitlets.config import Config

    config = Config()
    if config_prefix is not None:  # installed as the Makefile installs it
        subprocess.run([sys.executable, "-m", "cityscience.lab", "install", str(config_prefix)], check=True,
                       capture_output=True)
        path = config_prefix / "etc" / "jupyter" / "jupyter_server_config.json"
        config = Config(json.loads(path.read_text(encoding="utf-8")))
    return FileContentsManager(config=config, root_dir=str(repo / "notebooks"))


def test_a_notebook_run_and_saved_in_jupyterlab_leaves_git_status_clean(session, monkeypatch):
    repo, nb, tmp = session
    _git(repo, "checkout", "--", ".")
    monkeypatch.setenv("CITYSCIENCE_ROOT", str(repo))
    model = {"type": "notebook", "format": "json", "content": json.loads(nbformat.writes(nb))}
    # saved without the hook, the run is a change: the check below can fail
    _contents_manager(repo, None).save(dict(model), RUN.name)
    assert _git(repo, "status", "--porcelain").split() == ["M", f"notebooks/{RUN.name}"]
    _contents_manager(repo, tmp / "env").save(dict(model), RUN.name)
    assert _git(repo, "status", "--porcelain") == "", "JupyterLab's save changed the committed notebook"
    kept = nbformat.read(str(repo / "build" / "interactive" / "notebooks" / RUN.name), as_version=4)
    assert [c.get("outputs") for c in kept.cells] == [c.get("outputs") for c in nb.cells]
    made = sorted(p.name for p in (repo / "build" / "interactive" / "figures").glob("*.png"))
    assert made, "the notebook saved no figure into build/interactive/figures"
    # reopened, the notebook has no outputs, and JupyterLab saves it when the kernel's details come:
    # the last run's copy is kept
    reopened = json.loads(nbformat.writes(lab.strip(nbformat.from_dict(json.loads(nbformat.writes(nb))))))
    reopened["metadata"]["language_info"] = nb.metadata["language_info"]
    _contents_manager(repo, tmp / "env").save({**model, "content": reopened}, RUN.name)
    kept = nbformat.read(str(repo / "build" / "interactive" / "notebooks" / RUN.name), as_version=4)
    assert [c.get("outputs") for c in kept.cells] == [c.get("outputs") for c in nb.cells]
    assert _git(repo, "status", "--porcelain") == ""
    committed = {p.name: p.read_bytes() for p in (REPO / "figures").iterdir() if p.is_file()}
    assert {p.name: p.read_bytes() for p in (repo / "figures").iterdir() if p.is_file()} == committed


def test_parameters_set_for_a_run_in_jupyterlab_stay_out_of_the_committed_notebook(session, monkeypatch):
    """Running a notebook in English means setting ``language = "en"``: the run's copy keeps that, the
    committed notebook its default, so ``git status`` stays clean; other edits are changes git shows."""
    repo, nb, tmp = session
    _git(repo, "checkout", "--", ".")
    monkeypatch.setenv("CITYSCIENCE_ROOT", str(repo))
    run = nbformat.reads(nbformat.writes(nb), as_version=4)  # (sources as text)
    params = next(c for c in run.cells if "parameters" in c.metadata.get("tags", []))
    default = params.source
    params.source = 'language = "en"'
    assert params.source != default

    def save(name=RUN.name, hook=True):
        model = {"type": "notebook", "format": "json", "content": json.loads(nbformat.writes(run))}
        _contents_manager(repo, tmp / "env" if hook else None).save(model, name)

    save(hook=False)  # without the hook the edited cell is a change: the check below can fail
    assert _git(repo, "status", "--porcelain").split() == ["M", f"notebooks/{RUN.name}"]
    _git(repo, "checkout", "--", ".")
    save()
    assert _git(repo, "status", "--porcelain") == "", "the run's parameters reached the committed notebook"
    kept = nbformat.read(str(repo / "build" / "interactive" / "notebooks" / RUN.name), as_version=4)
    assert next(c for c in kept.cells if c.id == params.id).source == 'language = "en"'
    code = next(c for c in run.cells if c.cell_type == "code" and c.id != params.id)
    code.source += "\n# an edit"
    save()
    diff = _git(repo, "diff")
    assert re.search(r'^\+\s*"# an edit"', diff, re.M) and 'language = \\"en\\"' not in diff, diff
    _git(repo, "checkout", "--", ".")
    # a cell newly tagged parameters is the user's code: saved as written (cells match by id)
    added = nbformat.v4.new_code_cell('region = "cixi"  # my own setting', metadata={"tags": ["parameters"]})
    run.cells.insert(0, added)  # above the committed one
    save()
    on_disk = nbformat.read(str(repo / "notebooks" / RUN.name), as_version=4)
    assert [c.source for c in on_disk.cells if "parameters" in c.metadata.get("tags", [])] \
        == [added.source, default]
    run.cells.remove(added)
    _git(repo, "checkout", "--", ".")
    mine = repo / "notebooks" / "99-my-analysis.ipynb"  # a notebook git does not track: saved as edited
    for value in ("en", "zh", "en"):  # (saved again, over its own file)
        params.source = f'language = "{value}"'
        save(mine.name)
        cell = next(c for c in nbformat.read(str(mine), as_version=4).cells if c.id == params.id)
        assert cell.source == f'language = "{value}"'
    assert not any(c.get("outputs") for c in nbformat.read(str(mine), as_version=4).cells if c.cell_type == "code")
    mine.unlink()
    (repo / "notebooks" / RUN.name).write_text("{}", encoding="utf-8")  # not a notebook on disk:
    save()  # the save still works (the run's parameters are kept, as nothing else can be)
    assert nbformat.read(str(repo / "notebooks" / RUN.name), as_version=4).cells
    _git(repo, "checkout", "--", ".")


def test_a_notebook_saved_by_another_tool_is_committed_as_it_was(session):
    repo, nb, _ = session
    _git(repo, "checkout", "--", ".")
    notebook = repo / "notebooks" / RUN.name
    saved = nbformat.from_dict(json.loads(nbformat.writes(nb)))
    injected = nbformat.v4.new_code_cell("language = 'en'", metadata={"tags": ["injected-parameters"]})
    injected.id = "injected"
    saved.cells.insert(1, injected)
    saved.metadata["papermill"] = {"parameters": {"language": "en"}}
    for cell in saved.cells:
        if cell.id != "injected":
            cell.metadata.setdefault("tags", [])  # papermill gives every cell an empty tag list
    nbformat.write(saved, str(notebook))
    assert _git(repo, "diff", "--stat") != ""  # no filter yet: outputs are a change
    subprocess.run(["make", "--no-print-directory", "git-filter", f"BIN={Path(sys.executable).parent}"],
                   cwd=repo, check=True, capture_output=True)
    assert _git(repo, "diff") == ""
    _git(repo, "add", "-A")
    assert _git(repo, "status", "--porcelain") == "", "the filter stored outputs or run metadata"
    code = next(c for c in saved.cells if c.cell_type == "code" and c.id != "injected")
    code.source += "\n# an edit"
    nbformat.write(saved, str(notebook))
    assert _git(repo, "status", "--porcelain").split() == ["M", f"notebooks/{RUN.name}"]
    assert re.search(r'^\+\s*"# an edit"', _git(repo, "diff"), re.M)
