"""Cell checks driven by the codebook: type, required, allowed values, references and keys.

Every table is checked here the same way, from its rows of
``codebook/columns.csv`` and its key in ``codebook/tables.csv``: no table has
a checker of its own for what the codebook can say.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from datetime import date

from ..problems import Problem
from ..tables import RawTable
from .registry import TableSpec

__all__ = ["YEARS", "allowed_sets", "check_cells", "check_keys", "is_date", "is_number", "split_list"]

YEARS = range(1949, 2101)
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_INTEGER = re.compile(r"-?\d+")
_FLOAT = re.compile(r"-?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][-+]?\d+)?")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def is_number(text: str) -> bool:
    """True for a finite decimal number as the curated tables write one (``185``, ``2.35``)."""
    return bool(_FLOAT.fullmatch(text)) and math.isfinite(float(text))


def is_date(text: str) -> bool:
    """True for a real calendar date written YYYY-MM-DD."""
    if not _DATE.fullmatch(text):
        return False
    try:
        date.fromisoformat(text)
    except ValueError:
        return False
    return True


def split_list(cell: str) -> list[str]:
    """The items of a ';'-separated list cell (``a;b`` → ``["a", "b"]``; empty items dropped)."""
    return [x for x in (cell or "").split(";") if x]


def allowed_sets(tables: Mapping[str, RawTable]) -> dict[str, set[str]]:
    """Allowed values by reference name: ``vocab:<name>`` and ``<table>.<column>``."""
    sets: dict[str, set[str]] = {}
    vocab = tables.get("vocabularies")
    for row in vocab.rows if vocab is not None else []:
        sets.setdefault(f"vocab:{row['vocabulary']}", set()).add(row["code"])
    for name, table in tables.items():
        for col in table.columns:
            sets[f"{name}.{col}"] = {r.get(col, "") for r in table.rows}
    return sets


def _where(table: RawTable, row: dict[str, str], shown: str) -> str:
    return row.get("__file__", shown)


def check_cells(spec: TableSpec, table: RawTable, allowed: dict[str, set[str]], shown: str,
                files: Mapping[str, str], problems: list[Problem]) -> None:
    """Types, required values and allowed values of every cell of ``table``, as the codebook says.

    Args:
        spec: the table's registry entry.
        table: its rows as text.
        allowed: the sets from :func:`allowed_sets`.
        shown: how the table's file is named in messages.
        files: file name of each referenced table, for messages (``sources`` → ``sources.csv``).
        problems: where problems are appended.
    """
    for row, line in zip(table.rows, table.lines, strict=True):
        where = _where(table, row, shown)
        for col in spec.columns:
            if col.name not in table.columns:
                continue
            raw = row[col.name]
            if raw == "":
                if col.required:
                    problems.append(Problem(where, line, col.name, raw, "a value (the column is required)",
                                            "required"))
                continue
            if raw != raw.strip():
                problems.append(Problem(where, line, col.name, raw, "no leading or trailing spaces", "whitespace"))
            if col.dtype == "Int64" and not _INTEGER.fullmatch(raw):
                problems.append(Problem(where, line, col.name, raw, "a whole number", "dtype"))
                continue
            if col.dtype == "Int64" and col.name.endswith("year") and int(raw) not in YEARS:
                problems.append(Problem(where, line, col.name, raw, f"a year between {YEARS.start} and "
                                        f"{YEARS.stop - 1}", "year_range"))
                continue
            if col.dtype == "Float64" and not is_number(raw):
                problems.append(Problem(where, line, col.name, raw, "a finite decimal number (e.g. 185 or 2.35)",
                                        "dtype"))
                continue
            if col.dtype == "date" and not is_date(raw):
                problems.append(Problem(where, line, col.name, raw, "a real calendar date written YYYY-MM-DD",
                                        "dtype"))
                continue
            if bad := _CONTROL.search(raw):
                problems.append(Problem(where, line, col.name, raw,
                                        f"no control characters (found U+{ord(bad.group()):04X})",
                                        "control_character"))
            if col.allowed:
                _check_allowed(col.name, col.allowed, raw, where, line, allowed, files, problems)


def _check_allowed(column: str, rule: str, raw: str, where: str, line: int, allowed: dict[str, set[str]],
                   files: Mapping[str, str], problems: list[Problem]) -> None:
    if rule.startswith("re:"):
        if not re.fullmatch(rule[3:], raw):
            problems.append(Problem(where, line, column, raw, f"text matching the pattern {rule[3:]}", "pattern"))
        return
    values = [raw]
    if rule.startswith("list:"):
        rule = rule.removeprefix("list:")
        values = split_list(raw)
        repeated = sorted({v for v in values if values.count(v) > 1})
        for v in repeated:
            problems.append(Problem(where, line, column, v, "each item of the list once", "duplicate_key"))
    options: set[str] = set()
    for part in rule.split("|"):
        options |= allowed.get(part, {part})
    for value in values:
        if value in options:
            continue
        check = "unknown_reference" if "." in rule and not rule.startswith("vocab:") else "allowed_value"
        if len(options) > 12:
            table_name, _, ref_column = rule.partition(".")
            expected = f"a {ref_column} defined in {files.get(table_name, table_name)}"
        else:
            expected = f"one of {', '.join(sorted(options))} ({rule})"
        problems.append(Problem(where, line, column, value, expected, check))


def check_keys(spec: TableSpec, table: RawTable, shown: str, problems: list[Problem]) -> None:
    """Each row's key (the registry's ``key`` columns) is unique within the table."""
    if not spec.key or not all(k in table.columns for k in spec.key):
        return
    seen: dict[tuple[str, ...], str] = {}
    for row, line in zip(table.rows, table.lines, strict=True):
        key = tuple(row[k] for k in spec.key)
        if "" in key:
            continue  # reported as a required value
        where = _where(table, row, shown)
        if key in seen:
            what = "/".join(spec.key)
            problems.append(Problem(where, line, spec.key[-1], "/".join(key),
                                    f"a unique {what} (also {seen[key]})", "duplicate_key"))
            continue
        seen[key] = f"at {where}:{line}" if spec.is_glob else f"on line {line}"
