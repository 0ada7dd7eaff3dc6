"""Cell checks driven by the codebook: type, required, allowed values, references and keys.

Every table is checked here the same way, from its rows of
``codebook/columns.csv`` and its key in ``codebook/tables.csv``: no table has
a checker of its own for what the codebook can say.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping
from datetime import date

from ..problems import Problem
from ..tables import RawTable
from .registry import TableSpec, safe_pattern

__all__ = ["MAX_CELL_CHARS", "PATTERN_TIMEOUT", "YEARS", "allowed_sets", "check_cells", "check_keys", "is_date",
           "is_number", "parse_number", "safe_pattern", "split_list"]

YEARS = range(1949, 2101)
#: The most characters a spreadsheet cell holds (Excel's limit): longer cells could not survive the workbook
#: round trip, so validation refuses them.
MAX_CELL_CHARS = 32_767
#: Seconds a curated pattern may spend on one text before it is refused as too slow.
PATTERN_TIMEOUT = 2.0
_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
# The one way the curated tables write a number: ASCII digits, an optional sign and decimal part,
# no exponent, no leading zero, no trailing point (185, -3.2, 0.35).
_INTEGER = re.compile(r"-?(?:0|[1-9][0-9]*)")
_DECIMAL = re.compile(r"-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?")
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
# multi-line text may hold line feeds, and tabs (evidence from a table row pasted with its cells apart by tabs)
_CONTROL_TEXT = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")


def parse_number(text: str) -> float | None:
    """The value of a number written as the curated tables write one (``185``, ``2.35``), else None.

    The one number parser of the data layer: validation, loading and the workbook import use it.

    >>> parse_number("185"), parse_number("-3.2"), parse_number("1.85e2"), parse_number("0185"), parse_number("185.")
    (185.0, -3.2, None, None, None)
    >>> parse_number("１８５") is None  # full-width digits are not ASCII
    True
    """
    return float(text) if _DECIMAL.fullmatch(text) else None


def is_number(text: str) -> bool:
    """True for a number written as the curated tables write one (see :func:`parse_number`)."""
    return parse_number(text) is not None


def _number_hint(raw: str) -> str:
    """What is wrong with a cell that is not a number in the tables' syntax, in words."""
    folded = "".join(str(unicodedata.decimal(ch)) if ch.isdecimal() else unicodedata.normalize("NFKC", ch)
                     for ch in raw)
    if folded != raw and _DECIMAL.fullmatch(folded):
        return f" (it holds non-ASCII digits: write {folded})"
    if re.fullmatch(r"-?[0-9.]+[eE][-+]?[0-9]+", raw):
        return " (no exponent: write the number out)"
    if re.fullmatch(r"-?0[0-9]+(?:\.[0-9]+)?", raw):
        return " (no leading zero)"
    if raw.endswith("."):
        return " (no trailing decimal point)"
    return ""


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
                files: Mapping[str, str], problems: list[Problem], unreadable: Mapping[str, str] | None = None
                ) -> None:
    """Types, required values and allowed values of every cell of ``table``, as the codebook says.

    Args:
        spec: the table's registry entry.
        table: its rows as text.
        allowed: the sets from :func:`allowed_sets`.
        shown: how the table's file is named in messages.
        files: file name of each referenced table, for messages (``sources`` → ``sources.csv``).
        problems: where problems are appended.
        unreadable: tables (some of) whose files could not be read → what to fix; a reference into one
            of them that is not found is not reported row by row but summed up in one line.
    """
    unreadable = unreadable or {}
    follow_on: dict[tuple[str, str], int] = {}
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
            if len(raw) > MAX_CELL_CHARS:
                problems.append(Problem(where, line, col.name, raw, f"at most {MAX_CELL_CHARS:,} characters (what a "
                                        f"spreadsheet cell holds), found {len(raw):,}", "too_long"))
                continue
            if raw != raw.strip():
                problems.append(Problem(where, line, col.name, raw, "no leading or trailing spaces", "whitespace"))
            if col.dtype == "Int64" and not _INTEGER.fullmatch(raw):
                problems.append(Problem(where, line, col.name, raw, "a whole number written with ASCII digits"
                                        + _number_hint(raw), "dtype"))
                continue
            if col.dtype == "Int64" and col.name.endswith("year") and int(raw) not in YEARS:
                problems.append(Problem(where, line, col.name, raw, f"a year between {YEARS.start} and "
                                        f"{YEARS.stop - 1}", "year_range"))
                continue
            if col.dtype == "Float64" and not is_number(raw):
                problems.append(Problem(where, line, col.name, raw, "a decimal number written with ASCII digits, "
                                        "without exponent, leading zero or trailing point (e.g. 185 or 2.35)"
                                        + _number_hint(raw), "dtype"))
                continue
            if col.dtype == "date" and not is_date(raw):
                problems.append(Problem(where, line, col.name, raw, "a real calendar date written YYYY-MM-DD",
                                        "dtype"))
                continue
            if bad := (_CONTROL_TEXT if col.dtype == "text" else _CONTROL).search(raw):
                what = "line breaks and tabs only" if col.dtype == "text" else "one line of text without tabs or line breaks"
                problems.append(Problem(where, line, col.name, raw,
                                        f"{what}: no control characters (found U+{ord(bad.group()):04X} at character "
                                        f"{bad.start() + 1})", "control_character"))
            if col.allowed:
                _check_allowed(col.name, col.allowed, raw, where, line, allowed, files, problems,
                               unreadable, follow_on)
    for (column, ref_table), n in follow_on.items():
        problems.append(Problem(shown, None, column, None,
                                f"references into {ref_table} that can be checked once {unreadable[ref_table]} "
                                f"({n} row{'s' if n != 1 else ''} not checked)", "follow_on"))


def _check_allowed(column: str, rule: str, raw: str, where: str, line: int, allowed: dict[str, set[str]],
                   files: Mapping[str, str], problems: list[Problem], unreadable: Mapping[str, str],
                   follow_on: dict[tuple[str, str], int]) -> None:
    if rule.startswith("re:"):
        if not _matches(rule, raw):
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
        ref_table = ("vocabularies" if rule.startswith("vocab:")
                     else rule.split(".", 1)[0] if "." in rule else None)
        if ref_table in unreadable:
            follow_on[(column, ref_table)] = follow_on.get((column, ref_table), 0) + 1
            continue
        check = "unknown_reference" if "." in rule and not rule.startswith("vocab:") else "allowed_value"
        vocabs = [part.removeprefix("vocab:") for part in rule.split("|") if part.startswith("vocab:")]
        if len(options) > 12 and vocabs:
            names = " or ".join(f"{v!r}" for v in vocabs)
            expected = f"a code of the {names} vocabulary in {files.get('vocabularies', 'vocabularies.csv')}"
        elif len(options) > 12:
            table_name, _, ref_column = rule.partition(".")
            article = "an" if ref_column[:1] in "aeio" else "a"  # an indicator, an obs_id; a unit
            expected = f"{article} {ref_column} defined in {files.get(table_name, table_name)}"
        else:
            expected = f"one of {', '.join(sorted(options))} ({rule})"
        problems.append(Problem(where, line, column, value, expected, check))


def _matches(rule: str, raw: str) -> bool:
    """Whether ``raw`` matches the ``re:`` pattern ``rule`` whole (a pattern that runs too long does not)."""
    try:
        return safe_pattern(rule[3:]).fullmatch(raw, timeout=PATTERN_TIMEOUT) is not None
    except TimeoutError:
        return False


def follows_rule(checked, table: str, column: str, raw: str) -> bool:
    """Whether a cell matches its column's ``re:`` pattern in the codebook (True when it has none): the
    checks across tables read a cell such as ``years_covered`` or ``sha256`` only when it does, since the
    cell check reports it otherwise."""
    if table not in checked.registry:
        return True
    rule = next((c.allowed for c in checked.registry[table].columns if c.name == column), "")
    return not rule.startswith("re:") or _matches(rule, raw)


def check_keys(spec: TableSpec, table: RawTable, shown: str, problems: list[Problem]) -> None:
    """Each row's key (the registry's ``key`` columns) is unique within the table."""
    if not spec.key or not all(k in table.columns for k in spec.key):
        return
    seen: dict[tuple[str, ...], tuple[str, int]] = {}
    for row, line in zip(table.rows, table.lines, strict=True):
        key = tuple(row[k] for k in spec.key)
        if "" in key:
            continue  # reported as a required value
        where = _where(table, row, shown)
        if key in seen:
            what = "/".join(spec.key)
            problems.append(Problem(where, line, spec.key[-1], "/".join(key), f"a unique {what}", "duplicate_key",
                                    other=seen[key]))
            continue
        seen[key] = (where, line)
