"""Apply a reviewed workbook to the data folder: every sheet at once, or nothing.

:func:`accept` reads the workbook (:mod:`.workbook`), turns each sheet into
the rows of its table, writes the result into a temporary copy of the data
folder and runs the full validation there (:func:`cityscience.validate.check`,
accounting included). Only when nothing is wrong are the raw file, the
appended tables and the regenerated data dictionary written, all in one
:func:`cityscience.atomic.atomic_write_many`. Every problem is reported by
sheet, row, column, value and what was expected; a workbook whose source is
already in the data is refused.
"""

from __future__ import annotations

import hashlib
import re
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from ..atomic import atomic_write_many
from ..conventions import untranslated_note
from ..numbers import find_numbers, normalize
from ..paths import data_dir
from ..problems import Problem
from ..validate import check, exclusion_pattern
from ..validate.checked import Checked
from .sheets import REVIEW_COLUMNS, SHEET_TABLES, SHEETS, column_types
from .stage import Rows, row_of, stage, staged_files

__all__ = ["AcceptError", "Accepted", "accept"]



class AcceptError(ValueError):
    """The workbook cannot be accepted; ``problems`` lists every reason (sheet, row, column, value)."""

    def __init__(self, problems: list[str], notes: list[str] | None = None):
        self.problems = _in_sheet_order(problems)
        self.notes = list(notes or [])
        n = len(problems)
        super().__init__(f"{n} problem{'s' if n != 1 else ''} in the review; nothing was changed:\n"
                         + "\n".join(f"  {p}" for p in self.problems)
                         + "".join(f"\nnote: {note}" for note in self.notes))


_WHERE = re.compile(r"sheet '([^']+)'(?:, row (\d+))?")


def _in_sheet_order(problems: list[str]) -> list[str]:
    """The problems in the order of the workbook (its sheets as add-report writes them, then rows); those
    of the file itself first. Found check by check, they would jump between sheets."""
    order = {spec.name: i for i, spec in enumerate(SHEETS)}

    def key(item: tuple[int, str]) -> tuple[int, int, int]:
        m = _WHERE.match(item[1])
        if m is None:
            return (-1, 0, item[0])
        return (order.get(m.group(1), len(order)), int(m.group(2) or 0), item[0])

    return [p for _, p in sorted(enumerate(problems), key=key)]


@dataclass
class Accepted:
    """What accept wrote (or, with dry_run, would write): files and rows added per table."""

    files: list[Path]
    rows: dict[str, int]
    notes: list[str] = field(default_factory=list)
    dry_run: bool = False


def _expected_columns(sheet: str, checked: Checked) -> list[str]:
    if sheet == "source":
        return ["field", "value"]
    if sheet == "parts":
        return ["part", "line_start"]
    return list(checked.registry[SHEET_TABLES[sheet]].column_names)


def _shape_problems(review, checked: Checked) -> list[str]:
    """Missing sheets, renamed or missing columns."""
    out = list(review.problems)
    for spec in SHEETS:
        if spec.name not in review.sheets:
            continue
        header, body = review.sheets[spec.name]
        hrow = review.header_rows[spec.name]
        want = _expected_columns(spec.name, checked)
        known = set(want) | set(REVIEW_COLUMNS.get(spec.name, [])) | {"check", "note"}
        strange = list(dict.fromkeys(h for h in header if h and h not in known))
        missing = [c for c in want if c not in header]
        hint = f" (found {', '.join(map(repr, strange))}: renamed?)" if strange else ""
        for col in missing:
            out.append(f"sheet {spec.name!r}, row {hrow}, column {col!r}: expected a column {col!r} in the "
                       f"header{hint}")
        for col in [] if missing else strange:  # a column accept does not read (else named above): values lost
            filled = [(r, row[col]) for r, row in body if row.get(col)]
            if filled:
                r, value = filled[0]
                more = f" (and {len(filled) - 1} more rows)" if len(filled) > 1 else ""
                out.append(f"sheet {spec.name!r}, row {r}, column {col!r}: value {value!r}: expected only the "
                           f"columns add-report wrote ({', '.join(c for c in header if c in known)}): "
                           f"{col!r} is not read, so its values would be lost{more} (move them into 'note', or "
                           "clear the column)")
    return out


def _read_rows(review, checked: Checked, problems: list[str]) -> Rows | None:
    src_header, src_rows = review.sheets.get("source", ([], []))
    source = {row.get("field", ""): row.get("value", "") for _, row in src_rows if row.get("field")}
    src_line = {row.get("field", ""): r for r, row in src_rows}
    for col in checked.registry["sources"].column_names:
        if col not in source and checked.registry["sources"].columns[
                checked.registry["sources"].column_names.index(col)].required:
            problems.append(f"sheet 'source': expected a row for the field {col!r} (it was deleted or renamed)")
    raw = review.raw or b""
    digest = hashlib.sha256(raw).hexdigest()
    if source.get("sha256") and source["sha256"] != digest:
        problems.append(f"sheet 'source', row {src_line.get('sha256')}, column 'value': value {source['sha256']!r}: "
                        f"expected {digest}, the SHA-256 of the raw file this workbook carries (do not edit it)")
    sid = source.get("source_id", "")
    tables: dict[str, list[tuple[int, dict[str, str]]]] = {}
    for spec in SHEETS:
        if spec.name == "source" or spec.name not in review.sheets:
            continue
        _, body = review.sheets[spec.name]
        rows = []
        for r, row in body:
            if spec.name == "parts":
                row = {"source_id": sid, "part": row.get("part", ""), "line_start": row.get("line_start", ""),
                       "note": row.get("note", "")}
            rows.append((r, row))
        tables[spec.name] = rows
    return Rows(source, tables, review.raw_name, raw, src_line)


def _raw_file_kept(root: Path, rows: Rows, problems: list[str]) -> None:
    """A file already in raw/ under the name the workbook stores its text as must be that text: accept would
    otherwise write the drafted bytes over it (a report edited after it was drafted would lose the edit)."""
    name = rows.source.get("file_name") or rows.raw_name
    there = root / "raw" / name
    if not name or not there.is_file():
        return
    found, carried = hashlib.sha256(there.read_bytes()).hexdigest(), hashlib.sha256(rows.raw).hexdigest()
    if found != carried:
        problems.append(f"sheet 'source', row {rows.source_rows.get('file_name')}, column 'value' (field "
                        f"'file_name'): value {name!r}: expected a name not taken in {root.name}/raw/, or a file "
                        f"there with the text this workbook carries ({root.name}/raw/{name} has SHA-256 "
                        f"{found[:12]}…, the workbook's text {carried[:12]}…): accept would write over it; if you "
                        "edited the report after drafting it, draft it again with add-report, else move the file "
                        "away")


def _excluded_twice(rows: Rows, problems: list[str]) -> None:
    """A number covered by two exclusion rows of the review is one reason too many."""
    text = normalize(rows.raw.decode("utf-8", errors="replace"))
    tokens = find_numbers(text, normalized=True)
    owner: dict[int, int] = {}
    for r, row in rows.tables.get("exclusions", []):
        if row.get("kind") not in {"literal", "regex"} or not row.get("match"):
            continue
        try:
            pattern = exclusion_pattern(row)
        except Exception:  # noqa: BLE001 - an invalid regex is reported by the validation
            continue
        hit = set()
        for m in pattern.finditer(text, timeout=1.0):
            for tok in tokens:
                if tok.start < m.end() and m.start() < tok.end:
                    hit.add(tok.start)
        for start in sorted(hit):
            if start in owner and owner[start] != r:
                tok = next(t for t in tokens if t.start == start)
                line = text.count("\n", 0, start) + 1
                problems.append(f"sheet 'exclusions', row {r}, column 'match': value {row['match']!r}: expected "
                                f"each number excluded once: {tok.text!r} on line {line} of the report is already "
                                f"excluded by row {owner[start]}")
                break
            owner.setdefault(start, r)


def _unused_indicators(rows: Rows, problems: list[str]) -> None:
    """A drafted indicator no candidate keeps was meant to be deleted: the sheet says to delete the row when
    its candidates get an existing code, and left in the codebook it would be suggested for later facts."""
    if "candidates" not in rows.tables:
        return  # the sheet could not be read: its problem is reported, and every drafted code would look unused
    used = {row.get("indicator", "") for _, row in rows.tables["candidates"]}
    drafted = rows.tables.get("new_indicators", [])
    for _, row in drafted:  # a share's numerator and denominator are used through it
        if row.get("indicator") in used:
            used |= {row.get("numerator", ""), row.get("denominator", "")}
    codes = {row.get("indicator", "") for _, row in drafted}
    orphans: dict[str, list[int]] = {}  # drafted-looking codes of candidates that no new_indicators row defines
    for r, row in rows.tables["candidates"]:
        if row.get("indicator", "").startswith("new_") and row["indicator"] not in codes:
            orphans.setdefault(row["indicator"], []).append(r)
    hint = "" if not orphans else " (renamed here but not on the candidates? " + "; ".join(
        f"candidates row{'s' * (len(r) > 1)} {', '.join(map(str, r))} still have {c!r}" for c, r in orphans.items()) + ")"
    for r, row in drafted:
        code = row.get("indicator", "")
        if code and code not in used:
            problems.append(f"sheet 'new_indicators', row {r}, column 'indicator': value {code!r}: expected a code "
                            "some candidate has (or the numerator or denominator of one): no candidate row has it "
                            f"any more; delete this row, or give the candidates it was drafted for this code{hint}")


def _link_measures(rows: Rows, notes: list[str]) -> None:
    """Keep each measure's obs_ids to the candidates that remain, and add those inside its evidence."""
    obs = [row for _, row in rows.tables.get("candidates", [])]
    ids = {row.get("obs_id") for row in obs}
    for r, item in rows.tables.get("measures", []):
        listed = [x for x in item.get("obs_ids", "").split(";") if x]
        gone = [x for x in listed if x not in ids]
        ev = normalize(item.get("evidence", ""))
        inside = [o["obs_id"] for o in obs if o.get("obs_id") and o.get("evidence")
                  and normalize(o["evidence"]) in ev]
        new = list(dict.fromkeys([x for x in listed if x in ids] + inside))
        if gone:
            notes.append(f"sheet 'measures', row {r}: obs_ids {';'.join(gone)} dropped (their candidate rows "
                         "were deleted)")
        if new != listed:
            item["obs_ids"] = ";".join(new)


def _other_row(p: Problem, data_name: str, origin: dict[tuple[str, int], tuple[str, int]]) -> str:
    """What ``p`` expected, with the other row it is about (a duplicate's first row) where the user wrote it:
    the review's sheet and row when that row is the review's too (the staged files exist only while accept
    checks them), else the data folder's file and line.

    >>> _other_row(Problem("data/observations/x.csv", 9, "obs_id", "x-1", "a unique obs_id", "duplicate_key",
    ...                    other=("data/observations/x.csv", 3)), "data", {("observations/x.csv", 3): ("candidates", 5)})
    "a unique obs_id (also sheet 'candidates', row 5)"
    """
    if p.other is None:
        return p.expected
    file, line = p.other
    rel = file.split("/", 1)[1] if file.startswith(data_name + "/") else file
    if (rel, line) in origin:
        sheet, r = origin[(rel, line)]
        return f"{p.expected} (also sheet {sheet!r}" + (f", row {r})" if r else ")")
    return f"{p.expected} (also at {data_name}/{rel}:{line}, in the data already)"


def _translate(p: Problem, data_name: str, origin: dict[tuple[str, int], tuple[str, int]], sid: str,
               raw_name: str, source_rows: dict[str, int]) -> str:
    rel = p.file.split("/", 1)[1] if p.file.startswith(data_name + "/") else p.file
    if p.line is not None and (rel, p.line) in origin:
        sheet, r = origin[(rel, p.line)]
        if sheet == "source":
            r = source_rows.get(p.column or "", 0)
            return f"sheet 'source', row {r}, column 'value' (field {p.column!r}): value {p.value!r}: expected " \
                   f"{p.expected_in_full} [{p.check}]"
        where = f"sheet {sheet!r}" + (f", row {r}" if r else "")
        col = f", column {p.column!r}" if p.column else ""
        val = f": value {p.value!r}" if p.value is not None else ""
        return f"{where}{col}{val}: expected {_other_row(p, data_name, origin)} [{p.check}]"
    if p.check == "unaccounted_number" and rel == f"raw/{raw_name}":
        return (f"sheet 'exclusions': number {p.value!r} on line {p.line} of the report: expected a candidate row "
                f"or an exclusion row for it ({p.expected_in_full}) [{p.check}]")
    if rel == "sources.csv" and p.line is not None and ("sources.csv", p.line) in origin:
        return f"sheet 'source': {p}"
    return f"{p} (in the data folder, not the review)"


def accept(path: str | Path, *, data: Path | None = None, dry_run: bool = False,
           dictionary: Path | None = None) -> Accepted:
    """Apply the review workbook at ``path`` to the data folder; see the module docstring.

    Args:
        path: the workbook add-report wrote, after review.
        data: the data folder (default: the repository's).
        dry_run: check everything and report what would change, but write nothing.
        dictionary: the data dictionary to regenerate (default: ``docs/data-dictionary.md`` next to the
            data folder, when that folder has a ``docs/``).

    Raises:
        AcceptError: with every problem found; nothing was changed.
    """
    from ..dictionary import DICTIONARY_PATH, render_data_dictionary
    from .workbook import read_review

    root = Path(data) if data is not None else data_dir()
    checked = check(root, accounting=False)
    review = read_review(path, column_types(checked.registry))
    problems = _shape_problems(review, checked)
    rows = _read_rows(review, checked, problems) if "source" in review.sheets else None
    if rows is None:
        raise AcceptError(problems)
    sid = rows.source.get("source_id", "")
    have = {r["source_id"]: r for r in checked.tables["sources"].rows}
    same = next((r for r in have.values() if r.get("sha256") and r["sha256"] == rows.source.get("sha256")), None)
    if sid in have or same is not None:
        which = sid if sid in have else same["source_id"]
        raise AcceptError([f"{Path(path).name}: already accepted: source {which!r} (SHA-256 "
                           f"{rows.source.get('sha256', '')[:12]}…) is in {root.name}/sources.csv (to redo it, "
                           "remove that source's rows first)"])
    notes: list[str] = []
    _excluded_twice(rows, problems)
    _unused_indicators(rows, problems)
    _link_measures(rows, notes)
    note = untranslated_note({SHEET_TABLES[s]: [row for _, row in items] for s, items in rows.tables.items()})
    if note:
        notes.append(f"{note}: {'would be ' if dry_run else ''}accepted as they are; translate them in those "
                     "tables before English charts and workbooks are published")
    files, origin = staged_files(root, checked, rows, problems)
    _raw_file_kept(root, rows, problems)
    with tempfile.TemporaryDirectory(prefix="cityscience-accept-") as tmp:
        staged = stage(root, files, Path(tmp))
        result = check(staged)
        missing = {(sheet, col) for sheet, (header, _) in review.sheets.items()
                   for col in _expected_columns(sheet, checked) if col not in header}
        refused = tuple(f"sheet {s!r}, row {r}, column {c!r}" for s, r, c in review.refused)
        for p in result.problems:
            sheet = row_of(p, origin)[0]
            if p.check == "required" and (sheet, p.column) in missing:
                continue  # its column is missing from the sheet: reported once above
            text = _translate(p, root.name, origin, sid, rows.source.get("file_name") or rows.raw_name,
                              rows.source_rows)
            if not text.startswith(refused):
                problems.append(text)  # (a cell refused as read is reported once, as read: not again as empty)
        if problems:
            sheets = sorted({s for s, t in SHEET_TABLES.items() if t in result.accounting_skipped})
            waits = [] if not result.accounting_skipped else [
                "the accounting of every number (a number of the report that no candidate or exclusion row "
                f"covers) was not run, as it reads the sheet{'s' * (len(sheets) > 1)} {', '.join(sheets)}, which "
                f"{'have' if len(sheets) > 1 else 'has'} problems above in the columns it reads: "
                "accept again once they are fixed"]
            raise AcceptError(problems, waits)
        target = dictionary
        if target is None and (root.parent / "docs").is_dir():
            target = root.parent / DICTIONARY_PATH
        doc = render_data_dictionary(staged).encode("utf-8") if target is not None else None
    writes = {root / rel: blob for rel, blob in files.items()}
    if doc is not None:
        writes[Path(target)] = doc
    counts = {"raw": 1, "sources": 1}
    for sheet, items in rows.tables.items():
        if items:
            counts[SHEET_TABLES[sheet]] = counts.get(SHEET_TABLES[sheet], 0) + len(items)
    if not dry_run:
        atomic_write_many(writes)
    return Accepted(sorted(writes), counts, notes, dry_run)
