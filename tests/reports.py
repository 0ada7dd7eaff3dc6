"""The test reports of tests/fixtures/reports/, and copies of the data for the tests that add reports.

Each report was written for the tests in the style of a bureau's report (no
page's text is copied): a summary followed by a plan for a region the data
know, a plan alone, and a summary in traditional characters whose title line
carries unrelated text, for a region the data do not know. ``REPORTS`` lists
them (``manifest.csv``) with the region and year a user would give;
``facts.csv`` holds the rows a curator would keep, for the evaluation.
"""

from __future__ import annotations

import csv
import re
import shutil
from pathlib import Path

from cityscience.paths import data_dir
from cityscience.tables import write_rows

FOLDER = Path(__file__).resolve().parent / "fixtures" / "reports"

# (file, region, report year), from the folder's manifest.csv
with open(FOLDER / "manifest.csv", encoding="utf-8", newline="") as _fh:
    REPORTS = [(r["file"], r["region"], int(r["year"])) for r in csv.DictReader(_fh)]


def copy_data(root: Path) -> Path:
    """A copy of the repository's data as shipped (:func:`shipped_data`) at ``root/data``, with a ``docs/``
    next to it; returns the data folder. The tests that add reports start from it, so reports a user has
    added (a test report or a guide's example among them) leave them as they are."""
    return shipped_data(root)


def _copy(folder: Path, root: Path) -> Path:
    data = Path(shutil.copytree(folder, root / "data", ignore=shutil.ignore_patterns("__pycache__")))
    (root / "docs").mkdir(exist_ok=True)
    return data


def accepted_example(example: str | Path, data: Path | None = None) -> str | None:
    """The source_id under which a report is already in the data (a guide's example accepted while trying the
    guide's commands), else None: the tests of the guide's printed outputs need the data without it."""
    name = Path(example).name
    with open(Path(data or data_dir()) / "sources.csv", encoding="utf-8", newline="") as fh:
        return next((r["source_id"] for r in csv.DictReader(fh) if name in (r["file_name"], r["original_file_name"])),
                    None)


GUIDE = Path(__file__).resolve().parents[1] / "docs" / "adding-a-new-report.md"


def shipped_sources() -> list[str]:
    """The documents the guide's printed outputs and the drafting goals were set on, as the guide lists them
    (its sentence "The outputs below are those of the data as the project ships it: …")."""
    text = " ".join(GUIDE.read_text(encoding="utf-8").split())
    sentence = re.search(r"The outputs below are those of the data as the project ships it: (.*?)\.(?: |$)", text)
    assert sentence, f"{GUIDE} no longer lists the documents its outputs are of"
    return re.findall(r"`([a-z0-9-]+)`", sentence.group(1))


def shipped_data(root: Path, data: Path | None = None) -> Path:
    """A copy of the data at ``root/data`` with only the documents of :func:`shipped_sources`: the rows of any
    other document, its raw file, and the indicators, regions and bodies only it uses are left out, so what
    the guide shows (and the drafting goals) still apply once a user has added reports of their own. Rows
    are kept byte for byte. ``data``: the folder to copy (default: the repository's); returns the copy."""
    from cityscience.validate import check

    data = _copy(data_dir() if data is None else data, root)
    keep = set(shipped_sources())
    checked = check(data)
    sources = checked.tables["sources"].rows
    missing = keep - {r["source_id"] for r in sources}
    assert not missing, f"the guide's documents {sorted(missing)} are not in data/sources.csv"
    extra = [r for r in sources if r["source_id"] not in keep]
    if not extra:
        return data
    gone = {r["source_id"] for r in extra}
    for r in extra:
        (data / "raw" / r["file_name"]).unlink()
        (data / "observations" / f"{r['source_id']}.csv").unlink()

    def used(table: str, column: str, dropped: bool) -> set[str]:
        return {code for row in checked.tables[table].rows if (row["source_id"] in gone) == dropped
                for code in row[column].split(";") if code}

    def write(table: str, drop) -> None:
        if checked.tables[table].path.is_file():
            write_rows(checked.tables[table], checked.tables[table].path, lambda row: not drop(row))

    kept_regions = {r["region"] for r in sources if r["source_id"] in keep}
    parents = {r["region"]: r["parent"] for r in checked.tables["regions"].rows}
    for region in list(kept_regions):
        while parents.get(region):
            region = parents[region]
            kept_regions.add(region)
    only_new = {
        "indicators": used("observations", "indicator", True) - used("observations", "indicator", False),
        "bodies": used("policy_items", "responsible_units", True) - used("policy_items", "responsible_units", False),
        "regions": {r["region"] for r in extra} - kept_regions,
    }
    for name, table in checked.tables.items():
        if name != "observations" and "source_id" in table.columns:  # (observations: one file per source)
            write(name, lambda row: row["source_id"] in gone)
    write("indicators", lambda row: row["indicator"] in only_new["indicators"])
    write("bodies", lambda row: row["body"] in only_new["bodies"] or row["region"] in only_new["regions"])
    write("regions", lambda row: row["region"] in only_new["regions"])
    return data
