"""Write candidates as a review sheet: Excel with the stated number highlighted, or CSV.

The Excel sheet is meant to be read and edited by a researcher: the
``evidence`` cell shows the number in bold red inside its sentence, rows with
low confidence are shaded, offsets point back into the original file, and an
``about`` sheet says where the text came from and how to use the columns.
Cells are written with the project's one cell writer (:func:`cityscience.cells.put`):
text that begins with ``= + - @`` is stored as text (never a formula), so a
report cannot inject formulas into the reviewer's spreadsheet. Characters a
workbook cannot hold (control characters, lone surrogates) are shown as U+FFFD
first, because a report's text is reviewed as it is (the offsets still point
into the original). Files are written to a temporary name and renamed, so a
failure never leaves half a file.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import pandas as pd

from ..atomic import atomic_path
from ..cells import put

__all__ = ["write_review"]

# What a workbook cannot hold: control characters (as openpyxl refuses them) and lone surrogates.
_UNSTORABLE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff]")
_WIDTHS = {"label_zh": 28, "evidence": 60, "reason": 48, "unit": 8, "measure": 10, "status": 9,
           "qualifier": 9, "value": 11, "source_id": 22, "restated_at": 14}
_ABOUT_COLUMNS = [
    ("obs_id, indicator, note", "left empty: fill them in when a row is accepted (see docs/adding-a-new-report.md)"),
    ("label_zh", "the words of the text that say what is counted (as written)"),
    ("measure", "level, yoy_pct (growth %), pp_change, pp_diff, rank, multiple, rank_change, abs_change"),
    ("status", "actual, estimate (预计/有望), target (力争/到20XX年/plan part)"),
    ("qualifier", "exact, approx (近/约/余/多/左右), at_least (以上/超过/突破), at_most, range"),
    ("value, value_high, unit", "the number in the unit as written (185 亿元); value_high for ranges"),
    ("value_std, unit_std", "the value in the standard unit (1.85e10 CNY)"),
    ("evidence", "the words of the text that state the value, verbatim; the value is in bold red"),
    ("kind", "stock (累计/有效/目前) or flow (新认定/新增/全年) when the clause says so"),
    ("confidence", "0–1; below 0.6 the row is shaded: check unit and label with extra care"),
    ("reason", "the rules that produced the row"),
    ("evidence_start, evidence_end, value_start, value_end",
     "character offsets into the original text (0-based, end exclusive)"),
    ("line, column", "where the value starts in the original file (1-based)"),
    ("restated_at", "offsets where the same fact is stated again (folded into this row)"),
]


def _cell_text(value) -> object:
    """A value as Excel should hold it: numbers stay numbers, NA becomes empty."""
    if value is None or value is pd.NA:
        return None
    if isinstance(value, float) and value != value:
        return None
    return value


def write_review(df: pd.DataFrame, path: str | os.PathLike, *, about: dict[str, object] | None = None) -> Path:
    """Write candidates to ``path`` (.xlsx or .csv) and return the path.

    Args:
        df: candidates from :func:`cityscience.extract.extract` (several documents may be
            concatenated).
        path: the output file; its suffix chooses the format.
        about: lines for the ``about`` sheet (source, encoding, document, …).

    Raises:
        ValueError: the suffix is neither .xlsx nor .csv.
    """
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix == ".csv":
        with atomic_path(path) as tmp:
            df.to_csv(tmp, index=False, encoding="utf-8", lineterminator="\n", errors="backslashreplace")
        return path
    if suffix != ".xlsx":
        raise ValueError(f"{path}: expected an output file ending in .xlsx or .csv")
    with atomic_path(path) as tmp:
        _write_xlsx(df, tmp, about or {})
    return path


def _clean(text: str) -> str:
    return _UNSTORABLE.sub("\ufffd", text)


def _write_xlsx(df: pd.DataFrame, path: Path, about: dict[str, object]) -> None:
    from openpyxl import Workbook
    from openpyxl.cell.rich_text import CellRichText, TextBlock
    from openpyxl.cell.text import InlineFont
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter

    wb = Workbook()
    ws = wb.active
    ws.title = "candidates"
    columns = list(df.columns)
    for c, name in enumerate(columns, start=1):
        put(ws.cell(row=1, column=c), _clean(str(name))).font = Font(bold=True)
    shade = PatternFill("solid", fgColor="FFF2CC")
    red = InlineFont(b=True, color="FFC00000")
    for r, row in enumerate(df.itertuples(index=False), start=2):
        values = dict(zip(columns, row, strict=True))
        low = values.get("confidence") is not None and _cell_text(values.get("confidence")) is not None \
            and float(values["confidence"]) < 0.6
        for c, name in enumerate(columns, start=1):
            value = _cell_text(values[name])
            if isinstance(value, str):
                value = _clean(value)
            elif hasattr(value, "item"):
                value = value.item()  # a numpy number
            cell = put(ws.cell(row=r, column=c), value)
            if name == "evidence" and isinstance(value, str):
                try:
                    off = int(values["value_start"]) - int(values["evidence_start"])
                    length = int(values["value_end"]) - int(values["value_start"])
                except (TypeError, ValueError, KeyError):
                    off, length = -1, 0
                if 0 <= off and off + length <= len(value) and length > 0:
                    # the same text, with the number in bold red (still text: put set it up)
                    parts = [value[:off], TextBlock(red, value[off:off + length]), value[off + length:]]
                    cell.value = CellRichText([p for p in parts if isinstance(p, TextBlock) or p])
                cell.alignment = Alignment(wrap_text=True, vertical="top")
            if low:
                cell.fill = shade
    for c, name in enumerate(columns, start=1):
        ws.column_dimensions[get_column_letter(c)].width = _WIDTHS.get(name, 12)
    ws.freeze_panes = "A2"
    if len(df):
        ws.auto_filter.ref = f"A1:{get_column_letter(len(columns))}{len(df) + 1}"

    info = wb.create_sheet("about")
    info.column_dimensions["A"].width = 34
    info.column_dimensions["B"].width = 100
    lines = [("Candidate observations proposed by cityscience.extract", ""),
             *((str(k), str(v)) for k, v in about.items()), ("", ""), ("column", "meaning"), *_ABOUT_COLUMNS]
    headings = {1, len(about) + 3}
    for r, (key, text) in enumerate(lines, start=1):
        for c, value in enumerate((key, text), start=1):
            cell = put(info.cell(row=r, column=c), _clean(value))
            if r in headings and value:
                cell.font = Font(bold=True)
    wb.save(path)
