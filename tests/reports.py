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
