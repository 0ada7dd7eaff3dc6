"""Units of measurement, defined once in ``codebook/units.csv``, for the code that derives from them.

The extractor (which units follow a number and what they mean) and the
charts (which unit shows each standard unit, in Chinese and English) read
their tables from this one file, so a unit added there is known everywhere.
This module reads only the units file, through the project's one CSV reader,
so that extraction works while the curated observations are being edited
(and fail validation). The file is found in the data folder
(:func:`cityscience.paths.data_dir`, ``CITYSCIENCE_DATA`` to move it); it is
read again when it changes.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace
from pathlib import Path

from .paths import data_dir, resolved
from .problems import Problem
from .tables import RawTable, read_csv_table, relpath

__all__ = ["EXTRACT_MODES", "DisplayUnit", "UnitRow", "UnitsError", "display_units", "nonnegative_units", "read_units",
           "unit_problems", "units_path"]

#: Values of the ``extract`` column (see data/codebook/columns.csv); empty: not proposed.
EXTRACT_MODES = ("direct", "word_end", "rule")
_COLUMNS = ["unit", "unit_std", "factor", "description", "extract", "display", "display_zh", "display_en",
            "display_factor_en", "format_zh", "format_en", "nonnegative"]
_REQUIRED = set(_COLUMNS) - {"description", "display_factor_en", "format_zh", "format_en", "nonnegative"}


class UnitsError(ValueError):
    """The units file is missing or cannot be used; the message names the file and every problem."""


@dataclass(frozen=True)
class UnitRow:
    """One row of ``codebook/units.csv`` (see ``data/README.md`` for the columns)."""

    unit: str
    unit_std: str
    factor: float
    extract: str
    display: bool
    display_zh: str
    display_en: str
    line: int
    display_factor_en: float | None = None
    format_zh: str = ""
    format_en: str = ""
    small: bool = False  # display "small": the unit small values of this standard unit are shown in


@dataclass(frozen=True)
class DisplayUnit:
    """How values of one standard unit are shown in each language (a display row of the units file).

    ``factors``, ``labels`` and ``formats`` are keyed by language: the divisor from the
    standard unit, the axis label and the pattern a value is written with (``{value}``
    the number, ``{written}`` the unit as written). ``smaller`` is the display row marked
    ``small`` (CNY in 万元 and millions), used for a value below 1 in this unit (0.285亿元 →
    2,850万元, CNY 0.0285 bn → CNY 28.5 m), or None.
    """

    unit_std: str
    factors: dict[str, float]
    labels: dict[str, str]
    formats: dict[str, str]
    smaller: DisplayUnit | None = None


def units_path(root: Path | None = None) -> Path:
    """The units file of the data folder ``root`` (default: :func:`~cityscience.paths.data_dir`)."""
    return Path(root if root is not None else data_dir()) / "codebook" / "units.csv"


def _factor(text: str) -> float | None:
    try:
        value = float(text)
    except ValueError:
        return None
    return value if math.isfinite(value) and value > 0 else None


def unit_problems(table: RawTable, shown: str) -> list[Problem]:
    """Problems of the rows beyond what ``codebook/columns.csv`` says of each cell: two display
    rows (or two ``small`` ones) for one standard unit, a ``small`` row that is not smaller
    than its standard unit's display row in both languages, and ``nonnegative`` on a row that
    is not a display row (the validator adds these to its own)."""
    problems = []
    rows: dict[tuple[str, str], tuple[dict, int]] = {}
    for row, line in zip(table.rows, table.lines, strict=True):
        if row.get("nonnegative") and row["display"] != "yes":
            problems.append(Problem(shown, line, "nonnegative", row["nonnegative"],
                                    f"an empty cell: whether levels in {row['unit_std']} may be negative is said "
                                    "once, on its display row (display yes)", "display_only"))
        if row["display"] in ("yes", "small"):
            key = (row["unit_std"], row["display"])
            if key in rows:
                what = "one display unit" if row["display"] == "yes" else "one small display unit"
                problems.append(Problem(shown, line, "display", row["display"],
                                        f"{what} for {row['unit_std']} (also on line {rows[key][1]})",
                                        "duplicate_display"))
            rows.setdefault(key, (row, line))
    for (std, kind), (row, line) in rows.items():
        if kind != "small":
            continue
        main = rows.get((std, "yes"))
        if main is None:
            problems.append(Problem(shown, line, "display", "small", f"a display row (yes) for {std} as well: "
                                    "small values are shown in this unit instead of that one", "small_display"))
            continue
        pairs = []  # (column, this row's factor, the display row's) in Chinese and in English
        for col in ("factor", "display_factor_en"):
            small_f = _factor(row.get(col) or "") or _factor(row["factor"])
            main_f = _factor(main[0].get(col) or "") or _factor(main[0]["factor"])
            if small_f is not None and main_f is not None:
                pairs.append((col, small_f, main_f))
        if any(small_f > main_f for _, small_f, main_f in pairs) or all(a == b for _, a, b in pairs):
            col = next((c for c, a, b in pairs if a >= b), "factor")
            problems.append(Problem(shown, line, col, row.get(col) or row["factor"],
                                    f"factors no larger than those of {main[0]['unit']} on line {main[1]} and "
                                    f"smaller in one language at least, as the small display unit of {std}",
                                    "small_display"))
    return problems


def _cell_problems(table: RawTable, shown: str) -> list[Problem]:
    """The cells this module reads, checked as the validator checks them (the extractor
    must not depend on the curated data passing validation)."""
    problems = []
    for row, line in zip(table.rows, table.lines, strict=True):
        if _factor(row["factor"]) is None:
            problems.append(Problem(shown, line, "factor", row["factor"], "a positive factor", "dtype"))
        if row["extract"] not in ("", *EXTRACT_MODES):
            problems.append(Problem(shown, line, "extract", row["extract"],
                                    f"empty or one of {', '.join(EXTRACT_MODES)}", "allowed_value"))
        if row.get("display_factor_en") and _factor(row["display_factor_en"]) is None:
            problems.append(Problem(shown, line, "display_factor_en", row["display_factor_en"],
                                    "empty or a positive factor", "dtype"))
        for col in ("format_zh", "format_en"):
            if row.get(col) and "{value}" not in row[col]:
                problems.append(Problem(shown, line, col, row[col], "a pattern holding {value}", "pattern"))
        if row["display"] not in ("", "yes", "small"):
            problems.append(Problem(shown, line, "display", row["display"], "empty, yes or small",
                                    "allowed_value"))
    return problems


def nonnegative_units(table: RawTable) -> frozenset[str]:
    """The standard units whose display row says levels in them are never negative (``nonnegative`` yes)."""
    return frozenset(r["unit_std"] for r in table.rows if r["display"] == "yes" and r.get("nonnegative") == "yes")


_CACHE: dict[Path, tuple[tuple[int, int], tuple[UnitRow, ...]]] = {}


def read_units(root: Path | None = None) -> tuple[UnitRow, ...]:
    """The rows of the units file, in file order; read again only when the file changes.

    Raises:
        UnitsError: the file is missing, or a row cannot be used (all problems listed).
    """
    path = resolved(units_path(root))
    try:
        stat = path.stat()
    except OSError:
        raise UnitsError(
            f"{path}: the units codebook is missing. The extractor and the charts read the units from "
            "codebook/units.csv in the data folder (cityscience.paths.data_dir()); set CITYSCIENCE_DATA to "
            "the folder holding codebook/units.csv (the project's data/ folder)") from None
    key = (stat.st_mtime_ns, stat.st_size)
    hit = _CACHE.get(path)
    if hit is not None and hit[0] == key:
        return hit[1]
    shown = relpath(path, path.parent.parent.parent)
    table, problems = read_csv_table(path, shown, _COLUMNS, _REQUIRED)
    problems = [p for p in problems if p.check != "extra_column"]  # other columns are not ours to judge
    if not problems:
        problems = _cell_problems(table, shown) + unit_problems(table, shown)
    if problems:
        raise UnitsError(f"{shown}: cannot read the units:\n" + "\n".join(f"  {p}" for p in problems))
    rows = tuple(UnitRow(r["unit"], r["unit_std"], float(r["factor"]), r["extract"], r["display"] == "yes",
                         r["display_zh"], r["display_en"], line,
                         _factor(r.get("display_factor_en") or "") or None, r.get("format_zh") or "",
                         r.get("format_en") or "", r["display"] == "small")
                 for r, line in zip(table.rows, table.lines, strict=True))
    _CACHE[path] = (key, rows)
    return rows


def display_units(root: Path | None = None) -> dict[str, DisplayUnit]:
    """Standard unit → :class:`DisplayUnit`, from the rows marked ``display`` (``yes``; the row
    marked ``small`` becomes its ``smaller``).

    Chinese divides by the row's factor (CNY in 亿元: 1e8); English by
    ``display_factor_en`` when given (CNY in billions: 1e9). A missing format
    is the number followed by the label.
    """
    main: dict[str, DisplayUnit] = {}
    small: dict[str, DisplayUnit] = {}
    for r in read_units(root):
        if not (r.display or r.small):
            continue
        labels = {"zh": r.display_zh, "en": r.display_en}
        formats = {lang: fmt or ("{value}" + (f" {labels[lang]}" if labels[lang] else ""))
                   for lang, fmt in (("zh", r.format_zh), ("en", r.format_en))}
        unit = DisplayUnit(r.unit_std, {"zh": r.factor, "en": r.display_factor_en or r.factor}, labels, formats)
        (small if r.small else main)[r.unit_std] = unit
    return {std: replace(unit, smaller=small.get(std)) for std, unit in main.items()}
