"""Units of measurement, defined once in ``codebook/units.csv``, for the code that derives from them.

The extractor (which units follow a number and what they mean) and the
charts (which unit shows each standard unit, in Chinese and English) read
their tables from this one file, so a unit added there is known everywhere.
:func:`format_value` is the one number formatter (charts, notebooks, exports,
consistency flags): a value in its language's display unit (185亿元, CNY 18.5 bn).
This module reads only the units file, through the project's one CSV reader,
so that extraction works while the curated observations are being edited
(and fail validation). The file is found in the data folder
(:func:`cityscience.paths.data_dir`, ``CITYSCIENCE_DATA`` to move it); it is
read again when it changes.
"""

from __future__ import annotations

import math
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, replace
from pathlib import Path

import pandas as pd

from .conventions import QUALIFIER_MARKS, check_language
from .paths import data_dir, resolved
from .problems import Problem
from .tables import RawTable, read_csv_table, relpath

__all__ = ["DERIVED_DIGITS", "EXTRACT_MODES", "DisplayUnit", "UnitRow", "UnitsError", "display_unit", "display_units", "format_number",
           "format_value", "half_up", "nonnegative_units", "read_units", "significant", "standard_value", "unit_problems", "units_path",
           "value_suffix"]

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

    def suited(self, largest: float, lang: str) -> DisplayUnit:
        """The display unit for values up to ``largest`` (in the standard unit): the smaller one when
        they are all below 1 in this one (0.285亿元 reads 2,850万元; CNY 0.0285 bn reads CNY 28.5 m)."""
        return self.smaller if self.smaller is not None and 0 < largest / self.factors[lang] < 1 else self


def standard_value(value: float, factor: float) -> float:
    """``value`` (in its unit as written) in its standard unit: × ``factor``, to 15 significant digits, so
    that the stated number comes out as stated (1212.6亿元 is 1.2126e11 CNY, not 121259999999.99998).

    >>> standard_value(1212.6, 1e8), standard_value(2.35, 1.0), standard_value(-2000, 1e4)
    (121260000000.0, 2.35, -20000000.0)
    """
    product = value * factor
    return float(f"{product:.15g}") if math.isfinite(product) else product


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
                problems.append(Problem(shown, line, "display", row["display"], f"{what} for {row['unit_std']}",
                                        "duplicate_display", other=(shown, rows[key][1])))
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


def display_unit(unit_std: str, lang: str = "zh", values: Iterable[float] | None = None) -> tuple[float, str]:
    """Divisor and axis label for showing values of a standard unit (CNY → 亿元 ÷ 1e8, CNY bn ÷ 1e9).

    From the display rows of ``codebook/units.csv`` (:func:`cityscience.units.display_units`);
    a standard unit without one is shown as it is, labelled with its code. With ``values`` (those a
    chart shows, in the standard unit), the codebook's smaller display unit when every one is below 1
    in the main one: an axis of CNY 4–52 m, not of CNY 0.004–0.052 bn.

    >>> display_unit("CNY", "en"), display_unit("CNY", "en", values=[4e6, 5.2e7])
    ((1000000000.0, 'CNY bn'), (1000000.0, 'CNY m'))
    """
    check_language(lang)
    shown = display_units().get(str(unit_std))
    if shown is None:
        return 1, str(unit_std)
    if values is not None:
        shown = shown.suited(max((abs(float(v)) for v in values if v is not None and not pd.isna(v)),
                                 default=0.0), lang)
    return shown.factors[lang], shown.labels[lang]


def value_suffix(unit_std: str, lang: str = "zh", root: Path | None = None) -> str:
    """The text written after a value stated in its standard unit itself (``12.5%``, ``3个百分点``,
    ``3 pp``, ``2倍``), from the unit's display format; empty when the unit is shown scaled (CNY in 亿元)
    or its format needs the unit as written (counts: 家, 件).

    >>> value_suffix("pp", "zh"), value_suffix("pp", "en"), value_suffix("times", "en"), value_suffix("CNY")
    ('个百分点', ' pp', '×', '')
    """
    check_language(lang)
    shown = display_units(root).get(str(unit_std))
    if shown is None or shown.factors[lang] != 1:
        return ""
    head, found, tail = shown.formats[lang].partition("{value}")
    return tail if found and not head and "{" not in tail else ""


def format_number(x: float, digits: int | None = None) -> str:
    """A number with thousands separators and at most ``digits`` decimals.

    Default: none for whole numbers, 1 from 100, 2 from 1, three significant
    digits below 1 (0.0123), trailing zeros dropped; halves rounded up (:func:`half_up`).

    >>> format_number(12.5, 0), format_number(1234.5), format_number(0.5, 0)
    ('13', '1,234.5', '1')
    """
    if x is None or (isinstance(x, float) and math.isnan(x)) or x is pd.NA:
        return "–"
    x = float(x)
    if digits is None:
        if x.is_integer():
            digits = 0
        elif abs(x) >= 100:
            digits = 1
        elif abs(x) >= 1:
            digits = 2
        else:
            digits = min(6, 2 - math.floor(math.log10(abs(x))))
    text = f"{half_up(x, digits):,.{digits}f}"
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return text


#: Significant digits a derived value (computed from a stated level and growth rate) is shown with: it is no
#: more precise than they are, so a chart and the prose both write ≈9,810, not 9,808.5.
DERIVED_DIGITS = 3


def significant(x, digits: int = DERIVED_DIGITS):
    """``x`` rounded to ``digits`` significant digits with halves away from zero, as :func:`half_up` rounds
    (9808.5 → 9810.0, 9805 → 9810.0, not to even); NaN, None and 0 as they are.

    >>> significant(9808.46), significant(9805.0), significant(0.012345, 2), significant(0)
    (9810.0, 9810.0, 0.012, 0)
    """
    if x is None or pd.isna(x) or x == 0:
        return x
    return half_up(float(x), digits - 1 - math.floor(math.log10(abs(float(x)))))


def half_up(x: float, digits: int = 0) -> float:
    """``x`` rounded to ``digits`` decimals with halves away from zero, as a reader rounds the number as
    written (12.5 → 13, 0.125 → 0.13), not to even (Python's ``round`` and ``format`` give 12 and 0.12).

    >>> half_up(12.5), half_up(0.125, 2), half_up(-2.5), half_up(2.675, 2)
    (13.0, 0.13, -3.0, 2.68)
    """
    from decimal import ROUND_HALF_UP, Decimal

    if not math.isfinite(x):
        return x
    return float(Decimal(repr(float(x))).quantize(Decimal(1).scaleb(-digits), rounding=ROUND_HALF_UP))


def _scaled_digits(values: Iterable[float], scale: float, significant: int | None = None) -> int | None:
    """Decimals that show values as written, in the unit shown (2,850.72万元 → 2,850.72, 0.285亿元 →
    2,850万元), with at most ``significant`` significant digits where a value is converted: English shows
    CNY m and bn, which no document writes, to four, as an analyst writing in them would (31.76亿元 is
    CNY 3.176 bn, 2,850.72万元 CNY 28.51 m, not 28.5072, and 5,239.9亿元 CNY 524 bn). None when a value
    needs more than six decimals (a computed value, a third say: :func:`format_number`'s default then
    rounds it).

    >>> _scaled_digits([31.76], 0.1, 4), _scaled_digits([2850], 0.01, 4), _scaled_digits([1 / 3], 0.1)
    (3, 1, None)
    >>> _scaled_digits([2850.72 * 1e4], 1e-4), _scaled_digits([2850.72 * 1e4], 1e-6, 4)  # 万元; CNY m
    (2, 2)
    """
    values = [float(v) for v in values]
    if not all(math.isfinite(v) for v in values):
        return None
    needed = 0
    for v in values:
        x = v * scale
        exact = next((d for d in range(7) if math.isclose(round(x, d), x, rel_tol=1e-9, abs_tol=1e-12)), None)
        if exact is None:
            return None
        if significant is not None and scale != 1.0 and x:
            exact = min(exact, max(0, significant - 1 - math.floor(math.log10(abs(x)))))
        needed = max(needed, exact)
    return needed


def _unit_of(unit: str) -> tuple[str, float, str]:
    """(standard unit, factor to it, unit as written) of a unit code of ``units.csv`` or a standard unit."""
    if not unit:
        return "", 1.0, ""
    rows = read_units()
    for r in rows:
        if r.unit == unit:
            return r.unit_std, r.factor, unit
    if any(r.unit_std == unit for r in rows):
        return unit, 1.0, ""
    return "", 1.0, unit


def format_value(value: float, unit: str = "", language: str = "zh", *, qualifier: str = "exact",
                 value_high: float | None = None, digits: int | None = None, written: str | None = None,
                 bare: bool = False, small: bool = False) -> str:
    """A value as a reader of ``language`` expects it: ``≥1,000家``, ``185亿元``, ``CNY 18.5 bn``, ``≈70%``.

    The one number formatter of the charts, notebooks, exports and consistency flags, driven by
    ``codebook/units.csv``: the value is converted to the language's display
    unit of its standard unit and written with its ``format_zh``/``format_en``
    pattern (thousands separators, qualifier symbols, a range as low–high). A value below 1 in
    that unit is shown in the smaller display unit when the codebook has one (``display`` small).

    Args:
        value: the (lower) value, in ``unit``.
        unit: a unit of ``units.csv`` as written (亿元, 家, %), a standard unit (CNY, count),
            or "" for a plain number; any other text is appended as a label.
        language: ``"zh"`` or ``"en"`` (:func:`cityscience.charts.format_value` defaults to the theme's).
        qualifier: a qualifier code (exact, approx, at_least, at_most, range).
        value_high: upper end of a range, in ``unit``.
        digits: decimals to show (default: as needed, see :func:`format_number`).
        written: the unit as the document writes it, for counts (家, 件) when ``unit`` is ``count``.
        bare: the number in the display unit without the unit (bar labels under a unit axis).
        small: with ``bare``, the number in the smaller display unit (under an axis that
            :func:`display_unit` put in it for the chart's values).

    >>> format_value(185, "亿元", "zh"), format_value(185, "亿元", "en")
    ('185亿元', 'CNY 18.5 bn')
    >>> format_value(2832, "件", "zh"), format_value(2832, "件", "en"), format_value(5, "家", "zh", qualifier="at_least")
    ('2,832件', '2,832', '≥5家')
    >>> format_value(0.285, "亿元", "zh"), format_value(0.285, "亿元", "en"), format_value(2850, "万元", "en")
    ('2,850万元', 'CNY 28.5 m', 'CNY 28.5 m')
    """
    lang = check_language(language)
    if qualifier not in QUALIFIER_MARKS:
        raise ValueError(f"qualifier {qualifier!r}: expected one of {', '.join(QUALIFIER_MARKS)}")
    std, factor, as_written = _unit_of(str(unit or ""))
    shown = display_units().get(std) if std else None
    if written is not None and not pd.isna(written):
        as_written = str(written)
    has_high = value_high is not None and not pd.isna(value_high)
    if shown is not None and shown.smaller is not None and bare and small:
        shown = shown.smaller
    elif shown is not None and not bare:
        shown = shown.suited(max(abs(value), abs(value_high) if has_high else 0.0) * factor, lang)
    divisor = shown.factors[lang] if shown is not None else 1.0
    scale = factor / divisor if shown is not None else 1.0
    if digits is None:  # the written precision, in the unit shown (None: format_number's default)
        digits = _scaled_digits([value, value_high] if has_high else [value], scale, 4 if lang == "en" else None)
    if qualifier == "range" and has_high:
        number = f"{format_number(value * scale, digits)}–{format_number(value_high * scale, digits)}"
    else:
        number = format_number(value * scale, digits)
    if bare or not unit:
        return QUALIFIER_MARKS[qualifier] + number
    if shown is None:  # not a unit of the codebook: a label after the number
        attached = as_written in ("%", "×") or unicodedata.east_asian_width(as_written[0]) in "WF"
        return QUALIFIER_MARKS[qualifier] + number + (as_written if attached else f" {as_written}")
    if as_written and _unit_of(as_written)[1] != divisor:
        # 万人 written, shown in persons: the written unit would misstate the number, the one it scales (人) not
        base = as_written[1:]
        as_written = base if base and _unit_of(base)[:2] == (std, divisor) else ""
    return QUALIFIER_MARKS[qualifier] + shown.formats[lang].format(value=number, written=as_written)
