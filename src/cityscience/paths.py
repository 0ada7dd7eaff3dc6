"""Where the project's data, figures and build outputs live.

The data folder defaults to ``data/`` at the root of the repository that holds
this package (the src layout), and can be moved with ``CITYSCIENCE_DATA``.
"""

from __future__ import annotations

import hashlib
import os
from functools import lru_cache
from pathlib import Path

__all__ = ["build_dir", "data_dir", "figure_output_dir", "figures_dir", "folder_digest", "interactive_dir",
           "project_root", "reader_link", "readers_dir", "resolved"]


def resolved(path: str | os.PathLike) -> Path:
    """``path`` made absolute with symlinks resolved; once per absolute path (the extractor asks for
    its data folder once per report), a relative one each time (it depends on the working directory)."""
    path = os.fspath(path)
    return _resolved_absolute(path) if os.path.isabs(path) else Path(path).resolve()


@lru_cache(maxsize=64)
def _resolved_absolute(path: str) -> Path:
    return Path(path).resolve()


def project_root() -> Path:
    """Root of the repository (``CITYSCIENCE_ROOT`` overrides it)."""
    if env := os.environ.get("CITYSCIENCE_ROOT"):
        return resolved(env)
    return resolved(__file__).parents[2]


def data_dir() -> Path:
    """Folder with the curated CSVs and ``raw/`` (``CITYSCIENCE_DATA`` overrides it)."""
    if env := os.environ.get("CITYSCIENCE_DATA"):
        return resolved(env)
    return project_root() / "data"


def figures_dir() -> Path:
    """Folder the notebooks write figures into (``CITYSCIENCE_FIGURES`` overrides it)."""
    if env := os.environ.get("CITYSCIENCE_FIGURES"):
        return Path(env).resolve()
    return project_root() / "figures"


def figure_output_dir() -> Path:
    """Where :func:`~cityscience.charts.save_figure` writes by default.

    ``CITYSCIENCE_FIGURES`` when set (``cityscience build`` sets it to its
    staging folder and publishes into :func:`figures_dir` once every notebook
    succeeded), else :func:`interactive_dir` ``/figures``: a notebook run by
    hand in JupyterLab never changes the committed ``figures/``.
    """
    if env := os.environ.get("CITYSCIENCE_FIGURES"):
        return Path(env).resolve()
    return interactive_dir() / "figures"


def interactive_dir() -> Path:
    """Folder for what notebooks run by hand write (``build/interactive``); git ignores it."""
    return build_dir() / "interactive"


def build_dir() -> Path:
    """Folder for executed notebooks and exports; git ignores it (``CITYSCIENCE_BUILD``)."""
    if env := os.environ.get("CITYSCIENCE_BUILD"):
        return Path(env).resolve()
    return project_root() / "build"


def readers_dir() -> Path:
    """Folder of the documents' reader pages (``build/readers``, see :mod:`cityscience.export.readers`)."""
    return build_dir() / "readers"


def links_relative_to(folder: Path) -> Path | None:
    """The folder the reader links of figures saved in ``folder`` are relative to: the interactive
    figures folder's own (``../../readers``), else None: the published figures' ``../build/readers``
    (the build's staging folder is published into ``figures/``, where that link holds)."""
    return folder if Path(folder).resolve() == (interactive_dir() / "figures").resolve() else None


def reader_base(folder: Path | None = None) -> str:
    """The relative folder of :func:`reader_link` (``../build/readers`` for ``folder=None``)."""
    return "../build/readers" if folder is None else Path(os.path.relpath(readers_dir(), folder)).as_posix()


def reader_link(source_id: str, obs_id: str, *, folder: Path | None = None) -> str:
    """Link from a figure to the sentence of an observation in its document's reader page.

    By default relative to the published ``figures/``, so it works in every checkout once
    ``cityscience build`` has written the pages into the default build folder:
    ``../build/readers/<source_id>.html#<obs_id>``. With ``folder`` (a figure saved elsewhere, such
    as ``build/interactive/figures``), relative to that folder.
    """
    from urllib.parse import quote

    return f"{reader_base(folder)}/{quote(source_id)}.html#{quote(obs_id)}"


def folder_digest(folder: Path) -> str:
    """SHA-256 over the relative path and bytes of every file below ``folder``.

    Hidden files and folders (editor backups, our temporary files) and
    ``__pycache__`` are left out: they are not inputs.
    """
    sha = hashlib.sha256()
    folder = Path(folder)
    for path in sorted(p for p in folder.rglob("*") if p.is_file()):
        rel = path.relative_to(folder).as_posix()
        if any(part.startswith(".") or part == "__pycache__" for part in rel.split("/")):
            continue
        data = path.read_bytes()
        sha.update(f"{rel}\0{len(data)}\0".encode())
        sha.update(data)
    return sha.hexdigest()
