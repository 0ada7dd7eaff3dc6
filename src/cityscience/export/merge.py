"""Merge a contributor's workbook into the curated CSV files, only when every row is valid.

The import reads the table sheets as text (:func:`~.reader.read_workbook`),
merges them with the CSV files by key (a row with a known key replaces it, a
new key is appended, a row missing from the workbook is kept: the import never
deletes), writes the result into a temporary copy of the data folder and runs
the project's validator on it. Every problem is mapped back to the sheet, row
and column it came from. Only when there are none are the changed CSV files
replaced, all together and atomically; unchanged rows keep their exact bytes.
"""

from __future__ import annotations

import csv
import io
import math
import re
import shutil
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from ..atomic import atomic_write_many
from ..paths import data_dir
from ..problems import Problem, ValidationError
from ..tables import read_csv_table
from ..units import standard_value
from ..validate import check
from ..validate.accounting import unaccounted
from ..validate.registry import TableSpec
from .reader import CellProblem, SheetTable, WorkbookError, number_text, read_workbook

__all__ = ["ImportResult", "import_workbook"]

# Problems that mean the sheet is not in the export's layout; rows are not merged after them.
_STRUCTURAL = {"not_xlsx", "too_large", "missing_sheet", "missing_column", "renamed_header", "duplicate_column"}
_SOURCE_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]*")


@dataclass
class _CsvFile:
    """A CSV file split into its header and one text segment per record (kept byte for byte)."""

    rel: str
    header: list[str]
    header_text: str
    records: list[list[str]] = field(default_factory=list)
    segments: list[str] = field(default_factory=list)
    changed: bool = False
    new: bool = False

    def render(self) -> str:
        return self.header_text + "".join(self.segments)


#: Why computed sheets are not compared when the workbook was exported from another data version.
_OTHER_DATA = "computed sheets of an export of other data"


@dataclass
class ImportResult:
    """What an import did (or, with ``dry_run``, would do).

    Attributes:
        added: new rows per table.
        edited: changed rows per table.
        unchanged: rows identical to the CSV files, per table.
        kept: rows of the CSV files that the workbook does not have (kept, never deleted), per table.
        files: the CSV files written (relative to the data folder).
        written: False for a dry run or when nothing changed.
    """

    added: dict[str, int] = field(default_factory=dict)
    edited: dict[str, int] = field(default_factory=dict)
    unchanged: dict[str, int] = field(default_factory=dict)
    kept: dict[str, int] = field(default_factory=dict)
    files: list[str] = field(default_factory=list)
    written: bool = False
    tables: list[str] = field(default_factory=list)
    unchecked: list[str] = field(default_factory=list)
    #: why the sheets of :attr:`unchecked` could not be compared with what the export writes
    unchecked_why: str = _OTHER_DATA

    @property
    def changed(self) -> bool:
        return any(self.added.values()) or any(self.edited.values())

    def summary(self) -> str:
        lines = []
        for k in self.tables:
            lines.append(f"  {k}: {self.added.get(k, 0)} added, {self.edited.get(k, 0)} edited, "
                         f"{self.unchanged.get(k, 0)} unchanged, {self.kept.get(k, 0)} not in the workbook (kept)")
        if self.unchecked:
            lines.append(f"  not read: {', '.join(self.unchecked)} ({self.unchecked_why}: "
                         "edits there are never imported; make them in the table sheets)")
        return "\n".join(lines)


def _serialize(row: list[str]) -> str:
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerow(row)
    return out.getvalue()


def _read_csv(root: Path, rel: str, columns: list[str]) -> tuple[_CsvFile | None, list[Problem]]:
    """A CSV file as header and records, each with its exact text, so unchanged rows are written back as
    they were. Any problem reading it refuses the merge: rewriting the file would lose what was not read."""
    shown = f"{root.name}/{rel}"
    table, problems = read_csv_table(root / rel, shown, columns, set())
    problems = [p for p in problems if p.check != "extra_column"]  # reported by the validator on the copy
    if problems:
        return None, problems
    result = _CsvFile(rel=rel, header=list(table.columns), header_text=table.header_text,
                      records=[[row.get(c, "") for c in table.columns] for row in table.rows],
                      segments=list(table.segments))
    if result.segments and not result.segments[-1].endswith("\n"):
        result.segments[-1] += "\n"  # appended rows must start on a line of their own
    elif not result.segments and not result.header_text.endswith("\n"):
        result.header_text += "\n"
    return result, []


def _files_of(root: Path, table: TableSpec) -> list[str]:
    return [p.relative_to(root).as_posix() for p in table.files(root) if p.exists()]


@dataclass
class _Merge:
    root: Path
    files: dict[str, _CsvFile]
    # (rel, index of record) → (sheet table, sheet row) for every record that came from the workbook
    origin: dict[tuple[str, int], tuple[SheetTable, int]] = field(default_factory=dict)


def _merge_table(m: _Merge, st: SheetTable, spec_cols: list[str], result: ImportResult,
                 problems: list[CellProblem]) -> None:
    table = st.table
    key_cols = table.key
    index: dict[tuple[str, ...], tuple[str, int]] = {}
    for rel, f in m.files.items():
        if not _belongs(rel, table):
            continue
        for i, rec in enumerate(f.records):
            row = dict(zip(f.header, rec, strict=False))
            index.setdefault(tuple(row.get(k, "") for k in key_cols), (rel, i))
    seen: set[tuple[str, ...]] = set()
    added = edited = unchanged = 0
    for row, sheet_row in zip(st.rows, st.sheet_rows, strict=True):
        key = tuple(row[k] for k in key_cols)
        if "" in key or key in seen:
            continue  # reported by the reader
        seen.add(key)
        target = _target_file(table, row, m, st, sheet_row, spec_cols, problems)
        if target is None:
            continue
        if key in index:
            rel, i = index[key]
            f = m.files[rel]
            old = dict(zip(f.header, f.records[i], strict=False))
            new = old | {c: row[c] for c in spec_cols if c in row}
            if new == old and rel == target:
                unchanged += 1
                m.origin[(rel, i)] = (st, sheet_row)
                continue
            edited += 1
            if rel == target:
                f.records[i] = [new.get(c, "") for c in f.header]
                f.segments[i] = _serialize(f.records[i])
                f.changed = True
                m.origin[(rel, i)] = (st, sheet_row)
                continue
            # moved to another source's file: drop it here, append it there
            f.records[i] = []
            f.segments[i] = ""
            f.changed = True
            row = new
        else:
            added += 1
        f = m.files[target]
        record = [row.get(c, "") for c in f.header]
        f.records.append(record)
        f.segments.append(_serialize(record))
        f.changed = True
        m.origin[(target, len(f.records) - 1)] = (st, sheet_row)
    result.added[table.name] = added
    result.edited[table.name] = edited
    result.unchanged[table.name] = unchanged
    result.kept[table.name] = sum(1 for k in index if k not in seen)


def _belongs(rel: str, table: TableSpec) -> bool:
    if table.is_glob:
        return rel.startswith(table.file.rsplit("/", 1)[0] + "/")
    return rel == table.file


def _target_file(table: TableSpec, row, m: _Merge, st: SheetTable, sheet_row: int, spec_cols: list[str],
                 problems) -> str | None:
    """The CSV file a row goes to: its source's observations file, or the table's one file."""
    if not table.is_glob:
        return table.file
    sid = row.get("source_id", "")
    if not _SOURCE_ID.fullmatch(sid):
        problems.append(CellProblem(st.book, st.sheet, sheet_row, st.where("source_id"), sid,
                                    "a source_id defined in sources.csv (it names the observations file)",
                                    "unknown_reference"))
        return None
    folder, pattern = table.file.rsplit("/", 1)
    rel = f"{folder}/{pattern.replace('*', sid)}"
    if rel not in m.files:
        m.files[rel] = _CsvFile(rel=rel, header=list(spec_cols), header_text=_serialize(spec_cols), new=True)
    return rel


def _map_problem(p: Problem, m: _Merge, lines: dict[str, list[int]], book: str, root: Path
                 ) -> CellProblem | None:
    """A validator problem on the merged copy, told in terms of the workbook where the row came from."""
    rel = p.file.split("/", 1)[1] if "/" in p.file else p.file
    expected = _with_other_row(p, m, lines, root)
    hit = _origin(m, lines, rel, p.line)
    if hit is not None:
        st, sheet_row = hit
        if p.column is not None and (sheet_row, p.column) in st.bad_cells:
            return None  # this cell's problem is already reported, as the reader saw it
        column = st.where(p.column) if p.column else None
        return CellProblem(book, st.sheet, sheet_row, column, p.value, expected, p.check)
    return CellProblem(f"{root.name}/{rel}", None, p.line, p.column, p.value, expected, p.check)


def _origin(m: _Merge, lines: dict[str, list[int]], rel: str, line: int | None):
    """(sheet table, sheet row) of the record starting on ``line`` of ``rel``, if it came from the workbook."""
    if rel not in lines or line is None or line not in lines[rel]:
        return None
    i = lines[rel].index(line)
    return m.origin.get((rel, _record_index(m.files[rel], i)))


def _with_other_row(p: Problem, m: _Merge, lines: dict[str, list[int]], root: Path) -> str:
    """What ``p`` expected, with the other row it is about (a duplicate's first row) where the user wrote it:
    ``sheet '观测值' row 12`` when that row came from the workbook, else the data folder's file and line."""
    if p.other is None:
        return p.expected
    file, line = p.other
    rel = file.split("/", 1)[1] if "/" in file else file
    hit = _origin(m, lines, rel, line)
    return f"{p.expected} (also " + (f"at {root.name}/{rel}:{line})" if hit is None else
                                     f"sheet {hit[0].sheet!r} row {hit[1]})")


def _record_index(f: _CsvFile, i: int) -> int:
    """Index into ``records`` of the i-th non-dropped record (dropped ones were moved to another file)."""
    live = [k for k, rec in enumerate(f.records) if rec]
    return live[i]


def _record_lines(f: _CsvFile) -> list[int]:
    """File line on which each live record starts, in the rendered file."""
    line = f.header_text.count("\n") + 1
    starts = []
    for rec, seg in zip(f.records, f.segments, strict=True):
        if not rec:
            continue
        starts.append(line)
        line += seg.count("\n")
    return starts


def _computed_values(row: dict[str, str], regions, names, units) -> dict[str, set]:
    """What each computed column holds for a stored row (names in either language)."""
    out: dict[str, set] = {}
    out["region_name"] = regions.get(row.get("region", ""), set())
    out["indicator_name"] = names.get(row.get("indicator", ""), set())
    unit = units.get(row.get("unit", ""))
    if unit is not None:
        out["unit_std"] = {unit["unit_std"]}
        for col, src in (("value_std", "value"), ("value_high_std", "value_high")):
            try:
                out[col] = {standard_value(float(row.get(src, "")), float(unit["factor"]))}
            except ValueError:
                out[col] = set()
    return out


def _names(checked, table: str, key: str) -> dict[str, set[str]]:
    """Code → its names in either language, in one checked data folder."""
    return {r[key]: {r["name_zh"], r["name_en"]} for r in checked.tables[table].rows}


def _check_computed(st: SheetTable, checked, base, old: dict, book: str, problems: list[CellProblem]) -> None:
    """A computed cell must hold what the library computes, from the row as edited or as it was.

    A stale value left over from before an edit is fine (the import recomputes it), whether the
    edit was to the row itself or to what it refers to (a region's or an indicator's name edited
    on its own sheet: ``checked`` is the data as merged, ``base`` as it was); a value that matches
    neither was typed by hand and would be lost, so it is reported.
    """
    lookups = []
    for data in (checked, base):
        lookups.append((_names(data, "regions", "region"), _names(data, "indicators", "indicator"),
                        {r["unit"]: r for r in data.tables["units"].rows}))
    for row, sheet_row, comp in zip(st.rows, st.sheet_rows, st.computed, strict=True):
        want: dict[str, set] = {}
        before = old.get(tuple(row[k] for k in st.table.key))
        for stored in (row, before) if before is not None else (row,):
            for regions, names, units in lookups:
                for col, values in _computed_values(stored, regions, names, units).items():
                    want[col] = want.get(col, set()) | values
        for col, value in comp.items():
            if value is None or value == "" or col not in want:
                continue
            options = want[col]
            if col in {"value_std", "value_high_std"}:
                ok = isinstance(value, int | float) and not isinstance(value, bool) and any(
                    math.isclose(float(value), w, rel_tol=1e-9, abs_tol=1e-9) for w in options)
                shown = " or ".join(number_text(w) for w in sorted(options)) or "an empty cell"
            else:
                ok = str(value) in options
                shown = " or ".join(repr(w) for w in sorted(options)) or "an empty cell"
            if not ok:
                problems.append(CellProblem(book, st.sheet, sheet_row, st.where(col), str(value),
                                            f"{shown}: this column is computed by the library, not stored; "
                                            f"edit the stored columns (or clear this cell) instead",
                                            "computed_column"))


def import_workbook(path: Path, root: Path | None = None, *, dry_run: bool = False) -> ImportResult:
    """Validate a workbook in the export's layout and merge its rows into the CSV files.

    Args:
        path: the workbook (as written by ``cityscience export xlsx``, possibly edited).
        root: the data folder to merge into (default: the repository's ``data/``).
        dry_run: check everything and report what would change, but write nothing.

    Returns:
        What was added, edited, left unchanged and kept.

    Raises:
        WorkbookError: listing every problem (sheet, row, column, value, expected); no file was written.
    """
    root = Path(root) if root is not None else data_dir()
    path = Path(path)
    book = path.name
    base = check(root, accounting=False)
    tables = base.registry.workbook_tables()
    files: dict[str, _CsvFile] = {}
    problems: list = []
    for table in tables:
        for rel in _files_of(root, table):
            f, found = _read_csv(root, rel, table.column_names)
            if f is None:
                problems += [CellProblem(p.file, None, p.line, p.column, p.value, p.expected_in_full, p.check)
                             for p in found]
            else:
                files[rel] = f
    if problems:
        raise WorkbookError(problems)
    old = _current_rows(files, tables)
    sheets, problems, others = read_workbook(path, tables, old)
    if any(p.check in _STRUCTURAL for p in problems):
        raise WorkbookError(problems)  # the layout is broken: reading rows would only add noise
    unchecked, why = _check_other_sheets(others, root, book, problems)
    m = _Merge(root=root, files=files)
    result = ImportResult(tables=[t.name for t in tables], unchecked=unchecked, unchecked_why=why)
    for table in tables:
        _merge_table(m, sheets[table.name], table.column_names, result, problems)
    changed = {rel: f for rel, f in files.items() if f.changed}
    result.files = sorted(changed)
    with tempfile.TemporaryDirectory(prefix="cityscience-import-") as tmp:
        copy = Path(tmp) / root.name
        shutil.copytree(root, copy, ignore=shutil.ignore_patterns(".*"))
        for rel, f in changed.items():
            (copy / rel).write_text(f.render(), encoding="utf-8", newline="")
        merged = check(copy, accounting=False)
        lines = {rel: _record_lines(f) for rel, f in files.items()}
        for p in merged.problems:
            mapped = _map_problem(p, m, lines, book, root)
            if mapped is not None:
                problems.append(mapped)
        _check_computed(sheets["observations"], merged, base, old["observations"], book, problems)
        if not merged.problems and not base.problems:
            before = {(u.source_id, u.token.start) for u in unaccounted(base)}
            for u in unaccounted(merged):
                if (u.source_id, u.token.start) not in before:
                    problems.append(CellProblem(f"{root.name}/raw", None, u.line, None, u.token.text,
                                                f"an observation or an exclusion for this number in {u.source_id} "
                                                f"(…{u.context}…); after this import nothing accounts for it",
                                                "unaccounted_number"))
    if problems:
        raise WorkbookError(problems)
    if changed and not dry_run:
        atomic_write_many({root / rel: f.render().encode("utf-8") for rel, f in changed.items()})
        result.written = True
    return result


def _check_other_sheets(others: dict, root: Path, book: str, problems: list) -> list[str]:
    """No edit is lost on a sheet the import does not read: computed sheets must be as exported, others absent.

    A computed sheet (README, a region's wide sheet, the consistency flags, a figure's data) is compared
    with what the export writes for the same data; when the workbook is from another data version it
    cannot be compared and is listed as not read, and so are the README and the figure sheets when the
    figures' index cannot be read. Returns the sheets not read and why.
    """
    from .figures import figure_data
    from .labels import sheet_aliases, sheet_name
    from .workbook import build_workbook, figure_sheet_title

    if not others:
        return [], ""
    first = next(iter(others.values()))
    lang = "en" if sheet_aliases("readme")[1] in others else "zh"
    why = _OTHER_DATA
    figure_prefix, no_figures = sheet_name("figure", lang), None
    try:  # the figures whose data the workbook carries, as the export would write them now
        figures = [f for f in figure_data(root, lang=lang) if figure_sheet_title(f.figure, lang) in others]
    except (OSError, ValidationError) as exc:  # no figures folder, or its index is broken: say so, compare the rest
        figures, no_figures = [], str(exc).splitlines()[0]
    fresh, version = build_workbook(root, lang, figures)
    same_version = str(first.parent.properties.version or "") == str(version)
    unchecked = []
    for name, ws in others.items():
        if no_figures is not None and (name.startswith(figure_prefix) or name in sheet_aliases("readme")):
            unchecked.append(name)  # the README lists the figures too
            why = f"the figures' index cannot be read ({no_figures})"
            continue
        if name not in fresh.sheetnames:
            problems.append(CellProblem(book, name, None, None, None,
                                        "only the sheets of the export's layout: the import does not read this one, "
                                        "so its rows would be lost (move them into the table sheets, e.g. "
                                        f"{', '.join(repr(n) for n in fresh.sheetnames[1:3])}, or delete the sheet)",
                                        "unknown_sheet"))
            continue
        if not same_version:
            unchecked.append(name)
            continue
        diff = _first_difference(ws, fresh[name])
        if diff is not None:
            row, column, value, want = diff
            problems.append(CellProblem(book, name, row, column, value,
                                        f"{want!r}, as the export wrote it: this sheet is computed from the tables, "
                                        "so an edit here is never imported (make it in the table sheets)",
                                        "computed_sheet_edited"))
    return unchecked, why


def _first_difference(edited, fresh) -> tuple[int, str, str, str] | None:
    from openpyxl.utils import get_column_letter

    rows = max(edited.max_row, fresh.max_row)
    cols = max(edited.max_column, fresh.max_column)
    for r in range(1, rows + 1):
        for c in range(1, cols + 1):
            a, b = edited.cell(r, c).value, fresh.cell(r, c).value
            if a != b and not (isinstance(a, int | float) and isinstance(b, int | float) and math.isclose(a, b)):
                return r, get_column_letter(c), "" if a is None else str(a), "" if b is None else str(b)
    return None


def _current_rows(files: dict[str, _CsvFile], tables: list[TableSpec]
                  ) -> dict[str, dict[tuple[str, ...], dict[str, str]]]:
    out: dict[str, dict[tuple[str, ...], dict[str, str]]] = {}
    for table in tables:
        rows = out.setdefault(table.name, {})
        for rel, f in files.items():
            if not _belongs(rel, table):
                continue
            for rec in f.records:
                row = dict(zip(f.header, rec, strict=False))
                rows.setdefault(tuple(row.get(k, "") for k in table.key), row)
    return out
