"""The data folder as a review would leave it: the new bytes of each file, in a temporary copy.

Both ``add-report`` (to find the numbers its rows leave unaccounted for) and
``accept`` (to validate before writing) stage the rows of a review here.
"""

from __future__ import annotations

import csv
import io
import shutil
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from ..problems import Problem
from ..validate import check
from ..validate.checked import Checked
from .sheets import REVIEW_COLUMNS, SHEET_TABLES, Draft

__all__ = ["Rows", "row_of", "stage", "staged_check", "staged_files", "staged_problems"]



@dataclass
class Rows:
    """The rows each table gets, with the sheet row each came from."""

    source: dict[str, str]
    tables: dict[str, list[tuple[int, dict[str, str]]]]
    raw_name: str
    raw: bytes
    source_rows: dict[str, int] = field(default_factory=dict)  # field → its row in the source sheet


def _table_file(checked: Checked, table: str, source_id: str) -> str:
    spec = checked.registry[table]
    return spec.file.replace("*", source_id) if spec.is_glob else spec.file


def staged_files(root: Path, checked: Checked, rows: Rows, problems: list[str]
           ) -> tuple[dict[str, bytes], dict[tuple[str, int], tuple[str, int]]]:
    """The new bytes of every file the review changes (paths relative to the data folder), and which
    sheet row each new line of them comes from."""
    out: dict[str, bytes] = {}
    origin: dict[tuple[str, int], tuple[str, int]] = {}
    sid = rows.source.get("source_id", "")
    per_table: dict[str, list[tuple[str, int, dict[str, str]]]] = {
        "sources": [("source", 0, rows.source)]}
    for sheet, items in rows.tables.items():
        table = SHEET_TABLES[sheet]
        per_table.setdefault(table, []).extend((sheet, r, row) for r, row in items)
    for table, items in per_table.items():
        if not items or table not in checked.registry:
            continue
        rel = _table_file(checked, table, sid)
        path = root / rel
        spec = checked.registry[table]
        exists = path.exists() and not spec.is_glob
        header = (checked.tables[table].columns if exists else None) or spec.column_names  # as validated
        text = path.read_text(encoding="utf-8") if exists else ""
        if text and not text.endswith("\n"):
            text += "\n"
        buf = io.StringIO()
        writer = csv.DictWriter(buf, fieldnames=header, lineterminator="\n", extrasaction="ignore")
        if not exists:
            writer.writeheader()
        for sheet, r, row in items:
            for col, value in row.items():
                if value and col not in header and col not in REVIEW_COLUMNS.get(sheet, []) and \
                        col in spec.column_names:
                    problems.append(f"sheet {sheet!r}, row {r}, column {col!r}: value {value!r}: expected a column "
                                    f"that {rel} has (add {col!r} to its header, or leave the cell empty)")
            line = text.count("\n") + buf.getvalue().count("\n") + 1
            origin[(rel, line)] = (sheet, r)
            writer.writerow({c: row.get(c, "") for c in header})
        out[rel] = (text + buf.getvalue()).encode("utf-8")
    out[f"raw/{rows.source.get('file_name') or rows.raw_name}"] = rows.raw
    return out, origin


def row_of(p: Problem, origin: dict[tuple[str, int], tuple[str, int]]) -> tuple[str, int]:
    """The (sheet, row) of the review a problem of the staged data folder comes from (("", 0): none)."""
    rel = p.file.split("/", 1)[1] if "/" in p.file else p.file  # the staged folder's name first
    return origin.get((rel, p.line), ("", 0)) if p.line is not None else ("", 0)


def stage(root: Path, files: dict[str, bytes], into: Path) -> Path:
    """A copy of the data folder ``root`` inside ``into`` with ``files`` (path in the folder → bytes)
    written over it, so that a draft can be checked without touching the data; returns the copy."""
    data = into / root.name
    shutil.copytree(root, data, ignore=shutil.ignore_patterns(".*", "__pycache__"))
    for rel, blob in files.items():
        target = data / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(blob)
    return data


def staged_check(root: Path, d: Draft, *, with_exclusions: bool = True) -> Checked:
    """Check the data folder as it would be with a draft's rows added;
    used by add-report to find the numbers left for the exclusions sheet."""
    return staged_problems(root, d, with_exclusions=with_exclusions)[0]


def staged_problems(root: Path, d: Draft, *, with_exclusions: bool = True
                    ) -> tuple[Checked, dict[str, list[tuple[int, Problem]]]]:
    """:func:`staged_check`, and its problems with a row of the draft: sheet → (row index in the sheet's
    rows, problem); add-report uses them to leave out what accept would refuse."""
    tables = {name: [(i + 1, {k: "" if v is None else str(v) for k, v in row.items()})
                     for i, row in enumerate(sheet.rows)]
              for name, sheet in d.sheets.items() if name != "source" and (with_exclusions or name != "exclusions")}
    tables["parts"] = [(r, {"source_id": d.source_id} | row) for r, row in tables["parts"]]
    source = {str(row["field"]): "" if row["value"] is None else str(row["value"]) for row in d.sheets["source"].rows}
    checked = check(root, accounting=False)
    rows = Rows(source, tables, d.raw_name, d.raw)
    files, origin = staged_files(root, checked, rows, [])
    with tempfile.TemporaryDirectory(prefix="cityscience-draft-") as tmp:
        staged = stage(root, files, Path(tmp))
        result = check(staged, accounting=False)
    by_sheet: dict[str, list[tuple[int, Problem]]] = {}
    for p in result.problems:
        sheet, r = row_of(p, origin)
        if sheet:
            by_sheet.setdefault(sheet, []).append((r - 1, p))
    return result, by_sheet
