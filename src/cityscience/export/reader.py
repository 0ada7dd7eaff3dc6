"""Read a workbook in the export's layout back into the curated tables, as text, losing nothing.

Each table sheet (observations, indicators, units, code lists, regions,
sources) becomes rows of text exactly as they would be stored in the CSV
files. Nothing is guessed or silently coerced: a formula, a merged cell, a
date typed into a text column, a code typed as a number (which loses its
leading zeros), a renamed or missing header — each is a problem naming the
sheet, row, column, value and what was expected, and all are reported at once.
"""

from __future__ import annotations

import datetime as dt
import math
import re
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

from openpyxl import load_workbook
from openpyxl.cell.cell import MergedCell
from openpyxl.utils import get_column_letter
from openpyxl.utils.exceptions import InvalidFileException
from openpyxl.worksheet.formula import ArrayFormula, DataTableFormula

from ..validate.registry import TableSpec
from .labels import COMPUTED_COLUMNS, header_aliases, sheet_aliases

__all__ = ["MAX_SHEET_CELLS", "MAX_SHEET_ROWS", "MAX_WORKBOOK_BYTES", "CellProblem", "SheetTable", "WorkbookError", "cell_text",
           "number_text", "read_workbook"]

#: Largest workbook read, uncompressed (the export of today's data is about 1 MB): checked before parsing,
#: so a small zip that expands to gigabytes is refused at once instead of filling the memory.
MAX_WORKBOOK_BYTES = 50_000_000
#: Most rows a sheet of an imported workbook may have.
MAX_SHEET_ROWS = 50_000
#: Most cells a sheet of an imported workbook may have (the export of today's data has a few tens of thousands).
MAX_SHEET_CELLS = 1_000_000
_XML_ESCAPE = re.compile(r"_x([0-9A-Fa-f]{4})_")


@dataclass(frozen=True)
class CellProblem:
    """One thing wrong with one cell (or sheet) of a workbook.

    Attributes:
        file: the workbook (or, for a row not in the workbook, the CSV file).
        sheet: the sheet name, or None.
        row: 1-based sheet row (or CSV line), or None.
        column: column letter and header, e.g. ``"L (数值)"``, or a CSV column name.
        value: the offending value as shown, or None.
        expected: what was expected instead, in words.
        check: short code of the check that failed.
    """

    file: str
    sheet: str | None
    row: int | None
    column: str | None
    value: str | None
    expected: str
    check: str

    def __str__(self) -> str:
        parts = [self.file]
        if self.sheet is not None:
            parts.append(f"sheet {self.sheet!r}")
        if self.row is not None:
            parts.append(f"row {self.row}" if self.sheet is not None else f"line {self.row}")
        if self.column is not None:
            parts.append(f"column {self.column}")
        if self.value is not None:
            shown = self.value if len(self.value) <= 80 else self.value[:77] + "..."
            parts.append(f"value {shown!r}")
        return f"{', '.join(parts)}: expected {self.expected} [{self.check}]"


class WorkbookError(ValueError):
    """Raised with every problem found in a workbook (or in the data it would produce)."""

    def __init__(self, problems: list):
        self.problems = list(problems)
        super().__init__(self.report())

    def report(self) -> str:
        n = len(self.problems)
        head = f"{n} problem{'s' if n != 1 else ''} found; nothing was written:"
        return "\n".join([head, *(f"  {p}" for p in self.problems)])


@dataclass
class SheetTable:
    """One table sheet read as text.

    Attributes:
        table: which table it holds.
        sheet: the sheet's name in the workbook.
        book: the workbook's file name, for messages.
        columns: stored column name → column index (1-based) in the sheet.
        rows: the rows as stored text, column name → text.
        sheet_rows: the sheet row of each entry of ``rows``.
        computed: for observations, the computed columns' cell values, per row.
        computed_columns: computed column name → column index.
        headers: column index → header text as written in the sheet.
        bad_cells: (sheet row, column name) of cells already reported, so that the
            validator's view of them is not reported twice.
    """

    table: TableSpec
    sheet: str
    book: str = ""
    columns: dict[str, int] = field(default_factory=dict)
    rows: list[dict[str, str]] = field(default_factory=list)
    sheet_rows: list[int] = field(default_factory=list)
    computed: list[dict[str, object]] = field(default_factory=list)
    computed_columns: dict[str, int] = field(default_factory=dict)
    headers: dict[int, str] = field(default_factory=dict)
    bad_cells: set[tuple[int, str]] = field(default_factory=set)

    def where(self, column: str) -> str:
        """``L '数值' (value)``: the column's letter, its header in the sheet and its name, for messages."""
        idx = self.columns.get(column) or self.computed_columns.get(column)
        if not idx:
            return column
        label = self.headers.get(idx, column)
        return f"{get_column_letter(idx)} {label!r}" + (f" ({column})" if label != column else "")


def _shown(value: object) -> str:
    if isinstance(value, dt.datetime):
        return value.isoformat(sep=" ")
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def number_text(value: int | float) -> str:
    """A number read from a cell as the CSVs store it: whole numbers without ``.0``, others exactly.

    >>> number_text(12957.0), number_text(3), number_text(0.1)
    ('12957', '3', '0.1')
    """
    if isinstance(value, int):
        return str(value)
    if value.is_integer() and abs(value) < 1e16:
        return str(int(value))
    return repr(value)


def cell_text(value: object, data_type: str, dtype: str, *, old: str | None = None) -> tuple[str | None, str | None]:
    """The stored text for a cell value, or an explanation of why it cannot be stored as is.

    Args:
        value: the cell's value as openpyxl reads it.
        data_type: openpyxl's cell type (``s``, ``n``, ``d``, ``b``, ``f``, ``e``).
        dtype: the column's type in the codebook (``string``, ``category``, ``Int64``, ``Float64``, ``date``).
        old: the text currently stored for this cell, if the row exists: a number equal to
            it keeps its exact spelling (``2.50`` stays ``2.50``).

    Returns:
        ``(text, None)`` or ``(None, expected)`` where ``expected`` says what was expected.
    """
    if data_type == "f" or isinstance(value, ArrayFormula | DataTableFormula):
        formula = value.text if isinstance(value, ArrayFormula) else value
        return None, (f"a value, found the formula {formula!s}: formulas are not imported "
                      f"(replace it with its value: copy, then Paste Special → Values)")
    if data_type == "e":
        return None, f"a value, found the error {value}"
    if value is None:
        return "", None
    if isinstance(value, bool):
        return None, "text or a number, found a TRUE/FALSE cell"
    if isinstance(value, dt.datetime | dt.date | dt.time | dt.timedelta):
        if dtype == "date" and isinstance(value, dt.datetime | dt.date):
            if isinstance(value, dt.datetime) and value.time() != dt.time(0):
                return None, "a date without a time of day"
            return value.strftime("%Y-%m-%d"), None
        return None, ("text or a number, found a date or time (the spreadsheet turned what was typed into a "
                      "date: format the cell as Text and type it again)")
    if isinstance(value, int | float):
        if isinstance(value, float) and not math.isfinite(value):
            return None, "a finite number"
        if dtype == "date":
            return None, "a date (YYYY-MM-DD), found a number"
        if dtype in {"string", "category"}:
            return None, ("text, found a number (a code typed as a number loses leading zeros and its "
                          "spelling: format the cell as Text and type it again)")
        if old is not None and old != "":
            try:
                if float(old) == float(value):
                    return old, None
            except ValueError:
                pass
        return number_text(value), None
    if isinstance(value, str):
        # Excel writes a carriage return in a cell as _x000D_; read it as what it stands for (the
        # validator then refuses the control character instead of a CSV storing "_x000D_" as text)
        return _XML_ESCAPE.sub(lambda m: chr(int(m.group(1), 16)), value), None
    return None, f"text or a number, found a {type(value).__name__}"


def _too_big(path: Path) -> str | None:
    """Why the workbook is too large to read (uncompressed size, rows of a sheet), or None. Reads no sheet."""
    with zipfile.ZipFile(path) as z:
        infos = z.infolist()
        total = sum(i.file_size for i in infos)
        if total > MAX_WORKBOOK_BYTES:
            return (f"a workbook of at most {MAX_WORKBOOK_BYTES:,} bytes uncompressed; this one expands to "
                    f"{total:,} bytes")
        for info in infos:
            if info.filename.startswith("xl/worksheets/") and info.filename.endswith(".xml"):
                with z.open(info) as f:
                    xml = f.read(MAX_WORKBOOK_BYTES + 1)
                rows = xml.count(b"<row ") + xml.count(b"<row>") + xml.count(b"<row/>")  # counted, not listed
                if rows > MAX_SHEET_ROWS:
                    return f"sheets of at most {MAX_SHEET_ROWS:,} rows; {info.filename} has {rows:,}"
                cells = xml.count(b"<c ") + xml.count(b"<c>") + xml.count(b"<c/>")
                if cells > MAX_SHEET_CELLS:
                    return f"sheets of at most {MAX_SHEET_CELLS:,} cells; {info.filename} has {cells:,}"
    return None


def open_workbook(path: Path, shown: str, *, data_only: bool = False, layout: str = "the export's layout"):
    """Open a workbook after checking its bounds (:func:`_too_big`): ``(workbook, None)`` or ``(None, problem)``.

    The one way the project opens a workbook it is given (import-xlsx, accept), so that every
    importer refuses a zip bomb or a sheet of a million rows before parsing it.
    """
    try:
        if not Path(path).is_file():
            return None, CellProblem(shown, None, None, None, None,
                                     f"an Excel workbook (.xlsx) in {layout}; this is not a regular file",
                                     "not_xlsx")
        why = _too_big(path)
        if why is not None:
            return None, CellProblem(shown, None, None, None, None, why, "too_large")
        return load_workbook(path, data_only=data_only, rich_text=False), None
    except (InvalidFileException, zipfile.BadZipFile, KeyError, OSError, ValueError) as exc:
        reason = str(exc).splitlines()[0] if str(exc) else exc.__class__.__name__
        return None, CellProblem(shown, None, None, None, None,
                                 f"an Excel workbook (.xlsx) in {layout}; it cannot be opened "
                                 f"({reason})", "not_xlsx")


def _find_sheet(wb, key: str) -> str | None:
    for name in sheet_aliases(key):
        if name in wb.sheetnames:
            return name
    lowered = {n.casefold().strip(): n for n in wb.sheetnames}
    for name in sheet_aliases(key):
        if name.casefold() in lowered:
            return lowered[name.casefold()]
    return None


def read_workbook(path: Path, tables: list[TableSpec],
                  old: dict[str, dict[tuple[str, ...], dict[str, str]]] | None = None,
                  ) -> tuple[dict[str, SheetTable], list[CellProblem], dict]:
    """Read every table sheet of an exported workbook as stored text.

    Args:
        path: the workbook.
        tables: the registry's workbook tables (their columns, dtypes and keys).
        old: current rows by table and key, so that unchanged numbers keep their exact spelling.

    Returns:
        The tables by name, every problem found (empty when the workbook can be imported), and the
        workbook's other sheets by name (computed sheets, or sheets the export does not write), so the
        caller can check that no edit there is lost.
    """
    path = Path(path)
    shown = path.name
    problems: list[CellProblem] = []
    wb, problem = open_workbook(path, shown)
    if problem is not None:
        return {}, [problem], {}
    out: dict[str, SheetTable] = {}
    read_sheets: set[str] = set()
    for table in tables:
        name = _find_sheet(wb, table.name)
        if name is None:
            a, b = sheet_aliases(table.name)
            problems.append(CellProblem(shown, None, None, None, None,
                                        f"a sheet named {a!r} or {b!r} (the export's layout); found "
                                        f"{', '.join(repr(n) for n in wb.sheetnames)}", "missing_sheet"))
            continue
        ws = wb[name]
        read_sheets.add(name)
        st = SheetTable(table=table, sheet=name, book=shown)
        out[table.name] = st
        _read_sheet(ws, st, table.spec, (old or {}).get(table.name, {}), shown, problems)
    others = {name: wb[name] for name in wb.sheetnames if name not in read_sheets}
    return out, problems, others


def _read_sheet(ws, st: SheetTable, spec_rows: list[dict[str, str]], old: dict, shown: str,
                problems: list[CellProblem]) -> None:
    key = st.table.name
    dtypes = {c["column"]: c["dtype"] for c in spec_rows}
    merged_areas = []
    for rng in sorted(ws.merged_cells.ranges, key=lambda r: (r.min_row, r.min_col)):
        problems.append(CellProblem(shown, ws.title, rng.min_row, f"{get_column_letter(rng.min_col)}",
                                    rng.coord, "no merged cells (a merged range keeps only its top-left value; "
                                    "unmerge it and fill every cell)", "merged_cells"))
        merged_areas.append(rng)
    accepted: dict[str, str] = {}
    for column in dtypes:
        for alias in header_aliases(column, key):
            accepted.setdefault(alias.casefold(), column)
    if key == "observations":
        for column in COMPUTED_COLUMNS:
            for alias in header_aliases(column, key):
                accepted.setdefault(alias.casefold(), column)
    computed_at = st.computed_columns
    unlabelled: list[int] = []
    header = next(ws.iter_rows(min_row=1, max_row=1), ())
    for cell in header:
        if cell.value is None or str(cell.value).strip() == "":
            unlabelled.append(cell.column)
            continue
        label = str(cell.value).strip()
        st.headers[cell.column] = label
        column = accepted.get(label.casefold())
        letter = get_column_letter(cell.column)
        if column is None:
            names = ", ".join(repr(_label(c, key, _is_zh(label))) for c in dtypes)
            problems.append(CellProblem(shown, ws.title, 1, letter, label,
                                        f"one of the export's headers for this sheet ({names})", "renamed_header"))
            continue
        if column in st.columns or column in computed_at:
            first = st.columns.get(column) or computed_at[column]
            problems.append(CellProblem(shown, ws.title, 1, letter, label,
                                        f"each column once (also in column {get_column_letter(first)})",
                                        "duplicate_column"))
            continue
        if column in dtypes:
            st.columns[column] = cell.column
        else:
            computed_at[column] = cell.column
    for column in dtypes:
        if column not in st.columns:
            zh, en = _label(column, key, True), _label(column, key, False)
            problems.append(CellProblem(shown, ws.title, 1, None, None,
                                        f"a column headed {zh!r} or {en!r} ({column}); without it the import "
                                        f"would erase the column", "missing_column"))
    if any(p.sheet == ws.title and p.row == 1 for p in problems):
        return
    key_cols = st.table.key
    seen: dict[tuple[str, ...], int] = {}
    reported_unlabelled: set[int] = set()
    for cells in ws.iter_rows(min_row=2):
        by_col = {c.column: c for c in cells if not isinstance(c, MergedCell)}
        if all(c.value is None for c in by_col.values()):
            continue
        r = cells[0].row
        row_key_raw = tuple(_shown(by_col[st.columns[k]].value) if st.columns[k] in by_col
                            and by_col[st.columns[k]].value is not None else "" for k in key_cols)
        current = old.get(row_key_raw, {})
        row: dict[str, str] = {}
        for column, idx in st.columns.items():
            cell = by_col.get(idx)
            value = None if cell is None else cell.value
            data_type = "n" if cell is None else cell.data_type
            text, expected = cell_text(value, data_type, dtypes[column], old=current.get(column))
            if expected is not None:
                problems.append(CellProblem(shown, ws.title, r, st.where(column), _shown(value), expected,
                                            "formula" if "formula" in expected else "cell_type"))
                text = "" if value is None else _shown(value)
                st.bad_cells.add((r, column))
            elif any(rng.min_row <= r <= rng.max_row and rng.min_col <= st.columns[column] <= rng.max_col
                     for rng in merged_areas):
                st.bad_cells.add((r, column))
            row[column] = text
        row_key = tuple(row[k] for k in key_cols)
        if any(part == "" for part in row_key):
            missing = next(k for k in key_cols if row[k] == "")
            problems.append(CellProblem(shown, ws.title, r, st.where(missing), "",
                                        f"a value: {'/'.join(key_cols)} identifies the row", "required"))
        elif row_key in seen:
            problems.append(CellProblem(shown, ws.title, r, st.where(key_cols[-1]), "/".join(row_key),
                                        f"a unique {'/'.join(key_cols)} (also on row {seen[row_key]})",
                                        "duplicate_key"))
        else:
            seen[row_key] = r
        st.rows.append(row)
        st.sheet_rows.append(r)
        computed = {}
        for column, idx in computed_at.items():
            cell = by_col.get(idx)
            if cell is not None and cell.data_type == "f":
                problems.append(CellProblem(shown, ws.title, r, st.where(column), _shown(cell.value),
                                            "a value, found a formula: formulas are not imported (this column is "
                                            "computed by the library; clear the cell)", "formula"))
                continue
            computed[column] = None if cell is None else cell.value
        st.computed.append(computed)
        for idx in unlabelled:
            cell = by_col.get(idx)
            if cell is not None and cell.value is not None and idx not in reported_unlabelled:
                reported_unlabelled.add(idx)
                problems.append(CellProblem(shown, ws.title, r, get_column_letter(idx), _shown(cell.value),
                                            "no value in a column without a header (it would not be imported); "
                                            "move it to a column of the export or delete it", "unlabelled_column"))


def _is_zh(label: str) -> bool:
    return any("\u4e00" <= ch <= "\u9fff" for ch in label)


def _label(column: str, table: str, zh: bool) -> str:
    aliases = header_aliases(column, table)
    return aliases[1 if zh else 2] if len(aliases) > 2 else column
