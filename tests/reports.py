"""The test reports of tests/fixtures/reports/ and a helper that adds them to a copy of the data.

Each report was written for the tests in the style of a bureau's report (no
page's text is copied): a summary followed by a plan for a region the data
know, a plan alone, and a summary in traditional characters whose title line
carries unrelated text, for a region the data do not know. ``REPORTS`` lists
them (``manifest.csv``) with the region and year a user would give;
``facts.csv`` holds the rows a curator would keep, for the evaluation.
"""

from __future__ import annotations

import csv
import shutil
from pathlib import Path

from cityscience.paths import data_dir

FOLDER = Path(__file__).resolve().parent / "fixtures" / "reports"

# (file, region, report year), from the folder's manifest.csv
with open(FOLDER / "manifest.csv", encoding="utf-8", newline="") as _fh:
    REPORTS = [(r["file"], r["region"], int(r["year"])) for r in csv.DictReader(_fh)]


def copy_data(root: Path) -> Path:
    """A copy of the repository's data at ``root/data``, with a ``docs/`` next to it; returns the data folder."""
    data = root / "data"
    shutil.copytree(data_dir(), data)
    (root / "docs").mkdir(exist_ok=True)
    return data


def accepted_example(example: str | Path, data: Path | None = None) -> str | None:
    """The source_id under which a report is already in the data (a guide's example accepted while trying the
    guide's commands), else None: the tests of the guide's printed outputs need the data without it."""
    name = Path(example).name
    with open(Path(data or data_dir()) / "sources.csv", encoding="utf-8", newline="") as fh:
        return next((r["source_id"] for r in csv.DictReader(fh) if name in (r["file_name"], r["original_file_name"])),
                    None)


def fail_if_accepted(example: str | Path) -> None:
    """Fail, saying what to do, when the guide's example report is in data/ already (its outputs would differ)."""
    import pytest

    source = accepted_example(example)
    if source is not None:
        pytest.fail(f"data/ already holds the guide's example {example} (source {source}), accepted while trying "
                    "docs/adding-a-new-report.md, so the outputs the guide shows no longer apply: undo it with "
                    "`git checkout -- data docs figures && git clean -fd data figures`, then `cityscience build`")
