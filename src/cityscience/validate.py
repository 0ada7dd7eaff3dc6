"""Validate the curated tables against the codebook and the raw documents.

:func:`check` reads every table as text, runs every check and returns all the
problems it finds together with the tables, so that one run reports
everything. The checks are driven by ``codebook/columns.csv`` (types,
required columns, allowed values and references) plus the rules that tie an
observation to its source: evidence verbatim in the raw text, the value
stated in the evidence, units consistent with the codebook.
"""

from __future__ import annotations

import bisect
import math
import re
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from .numbers import find_numbers, normalize
from .paths import data_dir
from .problems import Problem
from .tables import RawTable, read_csv_table, read_raw_document, relpath

__all__ = [
    "MEASURE_UNITS",
    "Checked",
    "allowed_sets",
    "candidate_values",
    "check",
    "check_cells",
    "exclusion_pattern",
    "value_in_text",
]

# Standard unit each non-level measure must be written in.
MEASURE_UNITS = {"yoy_pct": "percent", "pp_change": "pp", "pp_diff": "pp", "rank": "rank", "multiple": "times"}
_YEARS = range(1949, 2101)
_TABLE_FILES = {
    "sources": "sources.csv",
    "regions": "regions.csv",
    "indicators": "indicators.csv",
    "units": "codebook/units.csv",
    "vocabularies": "codebook/vocabularies.csv",
    "exclusions": "exclusions.csv",
}
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_INTEGER = re.compile(r"-?\d+")
_FLOAT = re.compile(r"-?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][-+]?\d+)?")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_DOUBLING = re.compile(r"翻([一二两兩三四五六七八九十]?)番")


@dataclass
class Checked:
    """Everything read from the data folder, and every problem found on the way."""

    root: Path
    spec: dict[str, list[dict[str, str]]] = field(default_factory=dict)
    tables: dict[str, RawTable] = field(default_factory=dict)
    observations: RawTable | None = None
    raw_texts: dict[str, str] = field(default_factory=dict)
    normalized_texts: dict[str, str] = field(default_factory=dict)
    tokens: dict[str, list] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)


def candidate_values(evidence: str) -> list[float]:
    """Numbers an evidence string can state: its numerals, and 2**N for 翻N番 (翻番 = 2)."""
    norm = normalize(evidence)
    values = [t.value for t in find_numbers(norm, normalized=True)]
    for m in _DOUBLING.finditer(norm):
        n = {"": 1, "一": 1, "两": 2, "二": 2}.get(m.group(1))
        if n is None:
            n = int(find_numbers(m.group(1), normalized=True)[0].value)
        values.append(float(2 ** n))
    return values


def value_in_text(value: float, evidence: str) -> bool:
    """True when ``value`` is one of the numbers the evidence states."""
    return any(math.isclose(value, v, rel_tol=1e-9, abs_tol=1e-9) for v in candidate_values(evidence))


def _read_spec(root: Path, problems: list[Problem]) -> dict[str, list[dict[str, str]]]:
    path = root / "codebook" / "columns.csv"
    cols = ["table", "column", "dtype", "required", "allowed", "description"]
    table, found = read_csv_table(path, relpath(path, root.parent), cols, set(cols))
    problems.extend(found)
    spec: dict[str, list[dict[str, str]]] = {}
    for row in table.rows:
        spec.setdefault(row["table"], []).append(row)
    return spec


def _read(root: Path, name: str, rel: str, spec, problems) -> RawTable:
    path = root / rel
    columns = [c["column"] for c in spec.get(name, [])]
    required = {c["column"] for c in spec.get(name, []) if c["required"] == "yes"}
    table, found = read_csv_table(path, relpath(path, root.parent), columns, required)
    problems.extend(found)
    return table


def allowed_sets(checked: Checked) -> dict[str, set[str]]:
    """Allowed values by reference name: ``vocab:<name>`` and ``<table>.<column>``."""
    sets: dict[str, set[str]] = {}
    for row in checked.tables["vocabularies"].rows:
        sets.setdefault(f"vocab:{row['vocabulary']}", set()).add(row["code"])
    for name, table in checked.tables.items():
        for col in table.columns:
            sets[f"{name}.{col}"] = {r.get(col, "") for r in table.rows}
    if checked.observations is not None:
        for col in checked.observations.columns:
            sets[f"observations.{col}"] = {r.get(col, "") for r in checked.observations.rows}
    return sets


def check_cells(name: str, table: RawTable, spec_rows, allowed_sets, problems, root: Path) -> None:
    """Types, required values and allowed values of every cell, as the codebook says."""
    shown_default = relpath(table.path, root.parent)
    for row, line in zip(table.rows, table.lines, strict=True):
        shown = row.get("__file__", shown_default)
        for col in spec_rows:
            cname = col["column"]
            if cname not in table.columns:
                continue
            raw = row[cname]
            if raw == "":
                if col["required"] == "yes":
                    problems.append(Problem(shown, line, cname, raw, "a value (the column is required)", "required"))
                continue
            if raw != raw.strip():
                problems.append(Problem(shown, line, cname, raw, "no leading or trailing spaces", "whitespace"))
            dtype = col["dtype"]
            if dtype == "Int64" and not _INTEGER.fullmatch(raw):
                problems.append(Problem(shown, line, cname, raw, "a whole number", "dtype"))
                continue
            if dtype == "Int64" and cname.endswith("year") and int(raw) not in _YEARS:
                problems.append(Problem(shown, line, cname, raw, f"a year between {_YEARS.start} and "
                                        f"{_YEARS.stop - 1}", "year_range"))
                continue
            if dtype == "Float64":
                if not _FLOAT.fullmatch(raw) or not math.isfinite(float(raw)):
                    problems.append(Problem(shown, line, cname, raw, "a finite decimal number (e.g. 185 or 2.35)",
                                            "dtype"))
                    continue
            if dtype == "date" and not _is_date(raw):
                problems.append(Problem(shown, line, cname, raw, "a real calendar date written YYYY-MM-DD",
                                        "dtype"))
                continue
            if bad := _CONTROL.search(raw):
                problems.append(Problem(shown, line, cname, raw,
                                        f"no control characters (found U+{ord(bad.group()):04X})",
                                        "control_character"))
            ref = col["allowed"]
            if not ref:
                continue
            if ref.startswith("re:"):
                if not re.fullmatch(ref[3:], raw):
                    problems.append(Problem(shown, line, cname, raw, f"text matching the pattern {ref[3:]}",
                                            "pattern"))
                continue
            options: set[str] = set()
            for part in ref.split("|"):
                options |= allowed_sets.get(part, {part})
            if raw not in options:
                check = "unknown_reference" if "." in ref and not ref.startswith("vocab:") else "allowed_value"
                if len(options) > 12:
                    table_name, _, column = ref.partition(".")
                    expected = f"a {column} defined in {_TABLE_FILES.get(table_name, table_name)}"
                else:
                    expected = f"one of {', '.join(sorted(options))} ({ref})"
                problems.append(Problem(shown, line, cname, raw, expected, check))


def _read_observations(root: Path, spec, problems) -> RawTable:
    folder = root / "observations"
    merged = RawTable(path=folder)
    columns = [c["column"] for c in spec.get("observations", [])]
    required = {c["column"] for c in spec.get("observations", []) if c["required"] == "yes"}
    files = sorted(folder.glob("*.csv")) if folder.exists() else []
    for stray in sorted(folder.iterdir()) if folder.exists() else []:
        if stray.is_file() and stray.suffix != ".csv" and not stray.name.startswith("."):
            problems.append(Problem(relpath(stray, root.parent), None, None, stray.name,
                                    "only <source_id>.csv files in data/observations/ (a file with another "
                                    "name is not read)", "stray_file"))
    if not files:
        problems.append(Problem(relpath(folder, root.parent), None, None, None,
                                "one CSV file of observations per source", "missing_file"))
    merged.columns = columns
    for path in files:
        shown = relpath(path, root.parent)
        table, found = read_csv_table(path, shown, columns, required)
        problems.extend(found)
        if any(p.check in {"missing_column", "delimiter", "encoding", "csv_syntax"} for p in found):
            continue
        for row, line in zip(table.rows, table.lines, strict=True):
            row = row | {"__file__": shown, "__stem__": path.stem}
            merged.rows.append(row)
            merged.lines.append(line)
    return merged


def _check_observations(checked: Checked, problems: list[Problem]) -> None:
    obs = checked.observations
    units = {r["unit"]: r for r in checked.tables["units"].rows}
    indicators = {r["indicator"]: r for r in checked.tables["indicators"].rows}
    seen_ids: dict[str, str] = {}
    seen_facts: dict[tuple, str] = {}
    for row, line in zip(obs.rows, obs.lines, strict=True):
        shown = row["__file__"]
        where = f"{shown}:{line}"
        if row["source_id"] and row["source_id"] != row["__stem__"]:
            problems.append(Problem(shown, line, "source_id", row["source_id"],
                                    f"{row['__stem__']!r}, the name of the file it is in", "source_file"))
        oid = row["obs_id"]
        if oid in seen_ids:
            problems.append(Problem(shown, line, "obs_id", oid, f"a unique id (also used at {seen_ids[oid]})",
                                    "duplicate_key"))
        seen_ids.setdefault(oid, where)
        key = tuple(row[c] for c in ("source_id", "region", "year", "indicator", "measure", "status",
                                     "qualifier", "value", "value_high", "unit"))
        if key in seen_facts and oid:
            problems.append(Problem(shown, line, "indicator", row["indicator"],
                                    f"each fact once (the same fact is at {seen_facts[key]})", "duplicate_key"))
        seen_facts.setdefault(key, where)
        _check_value(row, line, shown, units, indicators, checked, problems)


def _is_date(text: str) -> bool:
    if not _DATE.fullmatch(text):
        return False
    try:
        date.fromisoformat(text)
    except ValueError:
        return False
    return True


def _is_number(text: str) -> bool:
    return bool(_FLOAT.fullmatch(text)) and math.isfinite(float(text))


def _check_value(row, line, shown, units, indicators, checked: Checked, problems) -> None:
    """Evidence in the raw text, value in the evidence, unit and range consistent."""
    value_ok = _is_number(row["value"])
    high = row["value_high"]
    if row["qualifier"] == "range" and not high:
        problems.append(Problem(shown, line, "value_high", high, "the upper end of the range (qualifier is range)",
                                "range"))
    if high and row["qualifier"] != "range":
        problems.append(Problem(shown, line, "qualifier", row["qualifier"],
                                "'range' because value_high is filled", "range"))
    if high and value_ok and _is_number(high) and float(high) <= float(row["value"]):
        problems.append(Problem(shown, line, "value_high", high, f"a number above value {row['value']}", "range"))

    evidence = row["evidence"]
    text = checked.normalized_texts.get(row["source_id"])
    if evidence and text is not None:
        if evidence not in checked.raw_texts[row["source_id"]]:
            at = text.find(normalize(evidence))
            if at >= 0:
                verbatim = checked.raw_texts[row["source_id"]][at: at + len(evidence)]
                expected = (f"the exact characters of the raw document of {row['source_id']}; it matches only "
                            f"after normalization (NFKC, traditional→simplified): store {verbatim!r}")
            else:
                expected = f"an exact substring of the raw document of {row['source_id']}"
            problems.append(Problem(shown, line, "evidence", evidence, expected, "evidence_not_found"))
        if value_ok and not value_in_text(float(row["value"]), evidence):
            stated = ", ".join(f"{v:g}" for v in candidate_values(evidence)) or "no number"
            problems.append(Problem(shown, line, "value", row["value"],
                                    f"a number stated in the evidence (it states {stated})", "value_not_in_evidence"))
        if high and _is_number(high) and not value_in_text(float(high), evidence):
            problems.append(Problem(shown, line, "value_high", high, "a number stated in the evidence",
                                    "value_not_in_evidence"))

    unit = units.get(row["unit"])
    indicator = indicators.get(row["indicator"])
    if unit is None or indicator is None:
        return  # reported as unknown references
    measure = row["measure"]
    want = indicator["unit_std"] if measure == "level" else MEASURE_UNITS.get(measure)
    if want is not None and unit["unit_std"] != want:
        why = f"indicator {row['indicator']} is in {want}" if measure == "level" else f"measure {measure} is in {want}"
        problems.append(Problem(shown, line, "unit", row["unit"],
                                f"a unit in {want} ({why}); {row['unit']} is in {unit['unit_std']}", "unit_mismatch"))
    if value_ok and measure == "level":
        value = float(row["value"]) * float(unit["factor"] or 1)
        if unit["unit_std"] == "percent" and indicator["kind"] == "ratio" and not 0 <= value <= 100:
            problems.append(Problem(shown, line, "value", row["value"], "a share between 0 and 100 percent",
                                    "share_range"))
        if unit["unit_std"] in {"count", "CNY", "m2", "person_year"} and value < 0:
            problems.append(Problem(shown, line, "value", row["value"], f"a non-negative {unit['unit_std']} amount",
                                    "negative_value"))


def _check_codebook(checked: Checked, problems: list[Problem]) -> None:
    root = checked.root
    for name, key in (("indicators", "indicator"), ("regions", "region"), ("sources", "source_id"),
                      ("units", "unit")):
        table = checked.tables[name]
        seen: dict[str, int] = {}
        for row, line in zip(table.rows, table.lines, strict=True):
            if row.get(key, "") in seen:
                problems.append(Problem(relpath(table.path, root.parent), line, key, row[key],
                                        f"a unique {key} (also on line {seen[row[key]]})", "duplicate_key"))
            seen.setdefault(row.get(key, ""), line)
    vocab = checked.tables["vocabularies"]
    seen_codes: dict[tuple[str, str], int] = {}
    for row, line in zip(vocab.rows, vocab.lines, strict=True):
        k = (row.get("vocabulary", ""), row.get("code", ""))
        if k in seen_codes:
            problems.append(Problem(relpath(vocab.path, root.parent), line, "code", k[1],
                                    f"a unique code within {k[0]} (also on line {seen_codes[k]})", "duplicate_key"))
        seen_codes.setdefault(k, line)
    for row, line in zip(checked.tables["units"].rows, checked.tables["units"].lines, strict=True):
        if row["factor"] and _is_number(row["factor"]) and float(row["factor"]) <= 0:
            problems.append(Problem(relpath(checked.tables["units"].path, root.parent), line, "factor",
                                    row["factor"], "a positive factor", "dtype"))


def _read_raw(checked: Checked, problems: list[Problem]) -> None:
    root = checked.root
    for row, line in zip(checked.tables["sources"].rows, checked.tables["sources"].lines, strict=True):
        if not row.get("file_name"):
            continue
        path = root / "raw" / row["file_name"]
        text, found = read_raw_document(path, relpath(path, root.parent), row.get("sha256") or None)
        for p in found:
            if p.check == "missing_file":
                p = Problem(relpath(checked.tables["sources"].path, root.parent), line, "file_name",
                            row["file_name"], "a file of that name in data/raw/", "missing_file")
            problems.append(p)
        if text is not None:
            checked.raw_texts[row["source_id"]] = text
            checked.normalized_texts[row["source_id"]] = norm = normalize(text)
            checked.tokens[row["source_id"]] = find_numbers(norm, normalized=True)


def exclusion_pattern(row: dict[str, str]) -> re.Pattern:
    """Compile an exclusion's ``match``; both kinds are read in normalized (simplified) text.

    Literals are escaped; regexes get the same NFKC + t2s normalization as the
    text, so a pattern written in traditional characters still matches.
    Raises ``re.error`` for an invalid regex.
    """
    if row["kind"] == "regex":
        return re.compile(normalize(row["match"]))
    return re.compile(re.escape(normalize(row["match"])))


def _covers_number(pattern: re.Pattern, text: str, tokens: list) -> bool:
    """True when some match of ``pattern`` overlaps one of the number ``tokens`` of ``text``."""
    starts = [t.start for t in tokens]
    for m in pattern.finditer(text):
        i = bisect.bisect_left(starts, m.start())
        # the token starting at or after the match, or the one before it that may reach into the match
        for t in tokens[max(0, i - 1): i + 1]:
            if t.start < m.end() and m.start() < t.end:
                return True
    return False


def _check_exclusions(checked: Checked, problems: list[Problem]) -> None:
    table = checked.tables["exclusions"]
    shown = relpath(table.path, checked.root.parent)
    for row, line in zip(table.rows, table.lines, strict=True):
        if row.get("kind") not in ("regex", "literal") or not row.get("match"):
            continue
        try:
            pattern = exclusion_pattern(row)
        except re.error as exc:
            problems.append(Problem(shown, line, "match", row["match"], f"a valid regular expression ({exc})",
                                    "regex"))
            continue
        sids = list(checked.normalized_texts) if row["source_id"] == "*" else [row["source_id"]]
        sids = [sid for sid in sids if sid in checked.normalized_texts]
        if sids and not any(_covers_number(pattern, checked.normalized_texts[sid], checked.tokens[sid])
                            for sid in sids):
            problems.append(Problem(shown, line, "match", row["match"],
                                    "a text or pattern that covers a number in its document(s) (stale exclusion)",
                                    "unused_exclusion"))


def check(root: Path | None = None) -> Checked:
    """Read and check every table in the data folder; never raises for bad data.

    Args:
        root: the data folder (default: :func:`cityscience.paths.data_dir`).

    Returns:
        A :class:`Checked` holding the tables as text and ``problems``, the list of
        everything wrong (empty when the data are valid).
    """
    root = Path(root) if root is not None else data_dir()
    checked = Checked(root=root)
    problems = checked.problems
    checked.spec = _read_spec(root, problems)
    for name, rel in _TABLE_FILES.items():
        checked.tables[name] = _read(root, name, rel, checked.spec, problems)
    checked.observations = _read_observations(root, checked.spec, problems)
    _read_raw(checked, problems)
    allowed = allowed_sets(checked)
    for name, table in [*checked.tables.items(), ("observations", checked.observations)]:
        check_cells(name, table, checked.spec.get(name, []), allowed, problems, root)
    _check_codebook(checked, problems)
    _check_observations(checked, problems)
    _check_exclusions(checked, problems)
    from .policy import check_policy  # the policy tables build on the checked core tables

    problems.extend(check_policy(checked))
    return checked
