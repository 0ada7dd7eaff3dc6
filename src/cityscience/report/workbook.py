"""Write a drafted review as one Excel workbook, and read it back for ``accept``.

Each sheet starts with the lines that say what to check, then a blank row,
then the header and the rows. The evidence's number is bold red (as in the
extractor's review sheet), cells the tool is unsure of are shaded, and every
cell is written with :func:`cityscience.cells.put` (text stays text; a column its table stores as text
is formatted as Text, so a code typed into it stays text). It is read back
as the export's workbook is (:func:`cityscience.export.reader.cell_text`): a
formula, an error value, a date in a text column or a code that became a
number is reported, never converted in silence. The raw
file travels inside the workbook (a hidden ``raw`` sheet, base64), so
``accept`` stores exactly the bytes that were drafted and checks the
SHA-256 the ``source`` sheet gives.
"""

from __future__ import annotations

import base64
import os
from dataclasses import dataclass, field
from pathlib import Path

from ..atomic import atomic_path
from ..cells import TEXT_FORMAT, put
from .sheets import SHEETS, Draft, cell_type

__all__ = ["RAW_SHEET", "Review", "read_review", "write_workbook"]

RAW_SHEET = "raw"
_CHUNK = 30000  # characters per cell (a cell holds at most 32 767)
_WIDTHS = {"label_zh": 26, "evidence": 60, "reason": 40, "context": 40, "title_zh": 30, "match": 24, "value": 11,
           "code_why": 36, "field": 20, "check": 60, "line_start": 30, "note": 30, "why": 40}


def _plain(value):
    if value is None:
        return None
    if isinstance(value, float) and value != value:
        return None
    if hasattr(value, "item"):
        value = value.item()
    if value is not None and type(value).__name__ in {"NAType", "NaTType"}:
        return None
    return value


def write_workbook(d: Draft, path: str | os.PathLike) -> Path:
    """Write the review workbook (atomically) and return its path."""
    from openpyxl import Workbook
    from openpyxl.cell.rich_text import CellRichText, TextBlock
    from openpyxl.cell.text import InlineFont
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter

    from ..extract.review import _clean  # noqa: PLC2701 - the review sheet's one rule for unstorable text

    path = Path(path)
    wb = Workbook()
    wb.remove(wb.active)
    shade = PatternFill("solid", fgColor="FFF2CC")
    red = InlineFont(b=True, color="FFC00000")
    for spec in SHEETS:
        sheet = d.sheets[spec.name]
        ws = wb.create_sheet(spec.name)
        help_lines = list(spec.help)
        if spec.name == "source" and d.warnings:
            help_lines += [f"warning: {w}" for w in d.warnings]
        for r, line in enumerate(help_lines, start=1):
            put(ws.cell(row=r, column=1), _clean(line)).font = Font(italic=True, color="FF555555")
        header = len(help_lines) + 2
        for c, name in enumerate(sheet.columns, start=1):
            put(ws.cell(row=header, column=c), name).font = Font(bold=True)
            ws.column_dimensions[get_column_letter(c)].width = _WIDTHS.get(name, 12)
            if cell_type(d.types, spec.name, name, {}) in _TEXT_TYPES:  # (source: typed per field, by row)
                ws.column_dimensions[get_column_letter(c)].number_format = TEXT_FORMAT  # rows typed in, too
        for i, row in enumerate(sheet.rows):
            r = header + 1 + i
            for c, name in enumerate(sheet.columns, start=1):
                value = _plain(row.get(name))
                text = cell_type(d.types, spec.name, name, row) in _TEXT_TYPES
                if text and value is not None and not isinstance(value, str):
                    value = _text(value)  # a code drafted as a number is text in its table
                if isinstance(value, str):
                    value = _clean(value)
                cell = put(ws.cell(row=r, column=c), value)
                if text and value is None:
                    cell.number_format = TEXT_FORMAT
                if name == "evidence" and isinstance(value, str) and spec.name == "candidates":
                    try:
                        off = int(row["value_start"]) - int(row["evidence_start"])
                        length = int(row["value_end"]) - int(row["value_start"])
                    except (TypeError, ValueError, KeyError):
                        off, length = -1, 0
                    if 0 <= off and length > 0 and off + length <= len(value):
                        parts = [value[:off], TextBlock(red, value[off:off + length]), value[off + length:]]
                        cell.value = CellRichText([p for p in parts if isinstance(p, TextBlock) or p])
                    cell.alignment = Alignment(wrap_text=True, vertical="top")
                if (i, name) in sheet.unsure:
                    cell.fill = shade
        ws.freeze_panes = ws.cell(row=header + 1, column=1)
    raw = wb.create_sheet(RAW_SHEET)
    raw.sheet_state = "hidden"
    encoded = base64.b64encode(d.raw).decode("ascii")
    put(raw.cell(row=1, column=1), d.raw_name)
    for k in range(0, max(len(encoded), 1), _CHUNK):
        put(raw.cell(row=2 + k // _CHUNK, column=1), encoded[k:k + _CHUNK] or None)
    with atomic_path(path) as tmp:
        wb.save(tmp)
    return path


@dataclass
class Review:
    """A review workbook as read: each sheet's header, rows (with their sheet row numbers) and the raw file."""

    path: Path
    sheets: dict[str, tuple[list[str], list[tuple[int, dict[str, str]]]]] = field(default_factory=dict)
    header_rows: dict[str, int] = field(default_factory=dict)
    raw_name: str = ""
    raw: bytes | None = None
    problems: list[str] = field(default_factory=list)
    refused: set[tuple[str, int, str]] = field(default_factory=set)  # (sheet, row, column) of cells reported


_TEXT_TYPES = frozenset({"string", "category"})


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if hasattr(value, "isoformat") and not isinstance(value, str):
        return value.isoformat()[:10]
    return str(value).strip() if isinstance(value, str) else str(value)


def read_review(path: str | os.PathLike, types: dict[str, dict[str, str]] | None = None) -> Review:
    """Read every sheet of a review workbook as text (problems of its shape and cells in ``problems``).

    ``types`` (:func:`cityscience.report.sheets.column_types` of the data's registry) gives each stored
    column its type: its cells are read as the export's workbook is, and a cell that cannot be stored as
    it is (a formula, a date in a text column, a code typed as a number) is reported with where it is.
    """
    from openpyxl.utils import get_column_letter

    from ..export.reader import cell_text, open_workbook

    types = types or {}
    path = Path(path)
    review = Review(path)
    wb, problem = open_workbook(path, path.name, layout="the layout add-report wrote")
    if wb is None:
        review.problems.append(str(problem))
        return review
    for spec in SHEETS:
        if spec.name not in wb.sheetnames:
            review.problems.append(f"{path.name}: sheet {spec.name!r} is missing: expected the sheets "
                                   f"{', '.join(s.name for s in SHEETS)} (as add-report wrote them)")
            continue
        ws = wb[spec.name]
        cells = list(ws.iter_rows())
        rows = [[_text(c.value) for c in row] for row in cells]
        known = set(types.get(spec.name, {})) if spec.name != "source" else set()
        found = next((i for i, r in enumerate(rows) if len(known & set(r)) >= 2), None)  # the help lines deleted?
        blank = found - 1 if found is not None else next((i for i, r in enumerate(rows) if not any(r)), None)
        if blank is None or blank + 1 >= len(rows):
            review.problems.append(f"{path.name}: sheet {spec.name!r}: no header row after the help lines and "
                                   "a blank row (expected the layout add-report wrote)")
            continue
        header = rows[blank + 1]
        while header and not header[-1]:
            header.pop()
        body = []
        for i, r in enumerate(rows[blank + 2:], start=blank + 3):
            if any(r):
                row = dict(zip(header, r + [""] * (len(header) - len(r)), strict=False))
                for j, name in enumerate(header[:len(r)]):
                    dtype = cell_type(types, spec.name, name, row) if name else None
                    if dtype is None or not r[j]:
                        continue
                    cell = cells[i - 1][j]
                    text, expected = cell_text(cell.value, cell.data_type, dtype)
                    if expected is not None:
                        review.refused.add((spec.name, i, name))
                        review.problems.append(f"sheet {spec.name!r}, row {i}, column {name!r}: value {r[j]!r}: "
                                               f"expected {expected}")
                    row[name] = text.strip() if text is not None else ""
                body.append((i, row))
                for j, value in enumerate(r):  # a value under no column name would be lost: say where it is
                    if value and (j >= len(header) or not header[j]):
                        review.problems.append(
                            f"sheet {spec.name!r}, row {i}, column {get_column_letter(j + 1)}: value {value!r}: "
                            "expected a value under a column of the header (this column has no name, so the "
                            "value would not be read: move it into a named column, or delete it)")
        review.sheets[spec.name] = (header, body)
        review.header_rows[spec.name] = blank + 2
    if RAW_SHEET not in wb.sheetnames:
        review.problems.append(f"{path.name}: the hidden sheet {RAW_SHEET!r} with the raw file is missing "
                               "(expected the workbook add-report wrote)")
    else:
        cells = [_text(r[0]) for r in wb[RAW_SHEET].iter_rows(values_only=True)]
        review.raw_name = cells[0] if cells else ""
        try:
            review.raw = base64.b64decode("".join(cells[1:]), validate=True)
        except ValueError:
            review.problems.append(f"{path.name}: sheet {RAW_SHEET!r}: the raw file's cells were changed "
                                   "(expected the base64 text add-report wrote)")
    return review
