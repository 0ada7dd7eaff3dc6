"""Notebooks that stay as committed whatever JupyterLab saves: one strip, used on save and by git.

:func:`strip` is what a committed notebook may hold: its cells' sources, ids
and tags and the notebook's kernelspec. Outputs, execution counts, run
metadata (timings, widget state, the kernel's ``language_info`` details,
papermill's records) and papermill's injected-parameters cell go. A cell's
source is code: editing it is a change git shows (``git checkout -- notebooks/``
takes it back).

Two places apply it, both set up by ``make env``:

* :func:`pre_save`, the Jupyter server's save hook (``install`` writes its
  config into the environment): a project notebook is saved in full, outputs
  and all, to ``build/interactive/notebooks/`` (unless it has not been run and
  that copy holds a run: reopening a notebook does not wipe its last run) and
  stripped where it is committed, so JupyterLab's autosave never changes a
  committed file, not even its size (which ``git status`` would report as a change).
  The ``parameters`` cell of a notebook git tracks is the run's settings (``language = "en"``,
  ``region = "cixi"``): the copy keeps the values the run used and the committed file keeps
  the cell as it is on disk, so running a notebook in English and saving it changes nothing git
  sees. A default is changed by editing the file outside JupyterLab; the cell of a notebook git
  does not track yet saves as edited.
* ``python -m cityscience.lab clean``, the git clean filter (``.gitattributes``),
  for notebooks saved by other tools (VS Code, papermill into the same path).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import nbformat

from .atomic import atomic_write_text
from .paths import interactive_dir, project_root

__all__ = ["DROPPED_KEYS", "DROPPED_TAGS", "install", "main", "pre_save", "strip", "strip_text"]

#: Metadata removed besides nbstripout's defaults (widgets, cell timings, collapsed/scrolled, …).
DROPPED_KEYS = (
    "metadata.language_info.codemirror_mode", "metadata.language_info.file_extension",
    "metadata.language_info.mimetype", "metadata.language_info.nbconvert_exporter",
    "metadata.language_info.pygments_lexer", "metadata.language_info.version", "metadata.papermill",
    "metadata.widgets", "metadata.signature", "cell.metadata.papermill", "cell.metadata.execution",
    "cell.metadata.ExecuteTime", "cell.metadata.collapsed", "cell.metadata.scrolled",
    "cell.metadata.jp-MarkdownHeadingCollapsed", "cell.metadata.heading_collapsed", "cell.metadata.hidden",
)
#: Cells removed whole: the parameters papermill injects into an executed copy.
DROPPED_TAGS = ("injected-parameters",)
_HOOK = "cityscience.lab.pre_save"  # by name: run as ``python -m``, this module is __main__


def strip(nb: nbformat.NotebookNode) -> nbformat.NotebookNode:
    """The notebook as committed: outputs, counts, run metadata and injected cells removed (in place).

    An empty tag list is dropped too: papermill and some editors add ``"tags": []`` to every cell.
    """
    from nbstripout import strip_output

    nb = strip_output(nb, keep_output=False, keep_count=False, keep_id=True, extra_keys=list(DROPPED_KEYS),
                      drop_tagged_cells=list(DROPPED_TAGS))
    for cell in nb.cells:
        if "tags" in cell.metadata and not cell.metadata["tags"]:
            del cell.metadata["tags"]
    return nb


def strip_text(text: str) -> str:
    """:func:`strip` on a notebook's JSON text, written as Jupyter writes notebooks."""
    return nbformat.writes(strip(nbformat.reads(text, as_version=nbformat.NO_CONVERT))) + "\n"


def _is_project_notebook(path: Path) -> bool:
    folder = (project_root() / "notebooks").resolve()
    return path.suffix == ".ipynb" and path.resolve().parent == folder


def pre_save(model: dict, path: str, contents_manager, **kwargs) -> None:
    """Jupyter server save hook: keep the full notebook in ``build/interactive``, save it stripped.

    Only notebooks of the project's ``notebooks/`` folder are touched; other files save as they are.
    """
    if model.get("type") != "notebook" or not isinstance(model.get("content"), dict):
        return
    target = Path(contents_manager.root_dir) / path.lstrip("/")
    if not _is_project_notebook(target):
        return
    full = nbformat.from_dict(model["content"])
    copy = interactive_dir() / "notebooks" / target.name
    # A notebook just opened has no outputs, but JupyterLab saves it once the kernel's details come:
    # that save must not wipe the copy of the last run.
    if _has_run(full) or not _copy_has_run(copy):
        atomic_write_text(copy, nbformat.writes(full) + "\n")
    stripped = strip(nbformat.from_dict(json.loads(nbformat.writes(full))))
    _keep_parameters(stripped, target)
    model["content"] = stripped


def _parameter_cells(nb: nbformat.NotebookNode) -> dict[str, nbformat.NotebookNode]:
    """The code cells tagged ``parameters``, by cell id."""
    return {c.get("id"): c for c in nb.cells
            if c.cell_type == "code" and "parameters" in c.metadata.get("tags", []) and c.get("id")}


def _keep_parameters(nb: nbformat.NotebookNode, target: Path) -> None:
    """Give the parameters cells of ``nb`` their source on disk, when git tracks ``target``: values
    set for a run in JupyterLab belong to the run (kept in its copy), not to the committed notebook.

    A cell is matched by its id, so a cell newly tagged ``parameters`` saves as written.
    """
    cells = _parameter_cells(nb)
    if not cells or not target.is_file() or not _tracked(target):
        return
    try:
        on_disk = _parameter_cells(nbformat.read(str(target), as_version=4))
    except Exception:  # noqa: BLE001 — not a notebook on disk (any reader error): save as edited, never fail
        return
    for cell_id, cell in cells.items():
        if cell_id in on_disk:
            cell.source = on_disk[cell_id].source


def _tracked(path: Path) -> bool:
    """Whether git tracks ``path`` (False without git or outside a repository)."""
    import subprocess

    try:
        done = subprocess.run(["git", "--literal-pathspecs", "ls-files", "--error-unmatch", "--", path.name],
                              cwd=path.parent, capture_output=True, timeout=10)
    except (OSError, subprocess.SubprocessError):
        return False
    return done.returncode == 0


def _copy_has_run(copy: Path) -> bool:
    """Whether the kept copy holds a run (False when there is none or it cannot be read: then it is
    replaced, rather than the save failing)."""
    try:
        return copy.is_file() and _has_run(nbformat.read(str(copy), as_version=4))
    except (OSError, ValueError):  # (nbformat.reader.NotJSONError is a ValueError)
        return False


def _has_run(nb: nbformat.NotebookNode) -> bool:
    """Whether any code cell of a notebook has outputs or an execution count."""
    return any(c.get("outputs") or c.get("execution_count") for c in nb.cells if c.cell_type == "code")


def install(prefix: str | Path | None = None) -> Path:
    """Make the Jupyter server of an environment run :func:`pre_save`; return the config file.

    ``prefix`` defaults to this Python's environment (``sys.prefix``), so every JupyterLab started
    from it (``make lab`` or by hand) saves the project's notebooks through the hook. The setting
    goes into ``etc/jupyter/jupyter_server_config.json`` (the server reads only extension lists
    from the ``.d`` folder beside it); other settings of that file are kept.
    """
    path = Path(prefix if prefix is not None else sys.prefix) / "etc" / "jupyter" / "jupyter_server_config.json"
    config = json.loads(path.read_text(encoding="utf-8")) if path.is_file() else {}
    config.setdefault("ContentsManager", {})["pre_save_hook"] = _HOOK
    return atomic_write_text(path, json.dumps(config, indent=2, sort_keys=True) + "\n")


def main(argv: list[str] | None = None) -> int:
    """``clean [FILE]``: strip a notebook (FILE or stdin) to stdout, as git's filter; ``install [PREFIX]``:
    :func:`install`."""
    args = sys.argv[1:] if argv is None else argv
    if args[:1] == ["clean"] and len(args) <= 2:  # a file (git's textconv) or stdin (git's clean filter)
        data = Path(args[1]).read_bytes() if len(args) == 2 else sys.stdin.buffer.read()
        sys.stdout.buffer.write(strip_text(data.decode("utf-8")).encode("utf-8"))
        return 0
    if args[:1] == ["install"] and len(args) <= 2:
        print(f"JupyterLab save hook: {install(*args[1:])}")
        return 0
    print("usage: python -m cityscience.lab clean [NOTEBOOK] | install [PREFIX]", file=sys.stderr)
    return 2


if __name__ == "__main__":
    raise SystemExit(main())
