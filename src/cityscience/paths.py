"""Where the project's data, figures and build outputs live.

The data folder defaults to ``data/`` at the root of the repository that holds
this package (the src layout), and can be moved with ``CITYSCIENCE_DATA``.
"""

from __future__ import annotations

import os
from pathlib import Path

__all__ = ["build_dir", "data_dir", "figures_dir", "project_root"]


def project_root() -> Path:
    """Root of the repository (``CITYSCIENCE_ROOT`` overrides it)."""
    if env := os.environ.get("CITYSCIENCE_ROOT"):
        return Path(env).resolve()
    return Path(__file__).resolve().parents[2]


def data_dir() -> Path:
    """Folder with the curated CSVs and ``raw/`` (``CITYSCIENCE_DATA`` overrides it)."""
    if env := os.environ.get("CITYSCIENCE_DATA"):
        return Path(env).resolve()
    return project_root() / "data"


def figures_dir() -> Path:
    """Folder the notebooks write figures into (``CITYSCIENCE_FIGURES`` overrides it)."""
    if env := os.environ.get("CITYSCIENCE_FIGURES"):
        return Path(env).resolve()
    return project_root() / "figures"


def build_dir() -> Path:
    """Folder for executed notebooks and exports; git ignores it (``CITYSCIENCE_BUILD``)."""
    if env := os.environ.get("CITYSCIENCE_BUILD"):
        return Path(env).resolve()
    return project_root() / "build"
