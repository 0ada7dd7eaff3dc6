"""Writing spreadsheet cells safely: text stays text, numbers get formats that match their units.

Spreadsheet programs evaluate a typed ``=``, ``+``, ``-`` or ``@`` as the start
of a formula. Every text cell written here is stored as a string (never a
formula) and, when it starts with one of those characters, carries the
"quote prefix" flag so that Excel and LibreOffice show it as text even after a
user edits the cell. Text a workbook cannot hold (control characters, lone
surrogates) is refused with the cell named.

The one cell writer of the project: the export workbook and the extractor's
review sheet both use :func:`put`. openpyxl is imported only when a cell is
written, so importing this module costs nothing.
"""

from __future__ import annotations

import datetime as dt
import math
import unicodedata
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from openpyxl.cell.cell import Cell

__all__ = ["DATE_FORMAT", "FORMULA_PREFIXES", "TEXT_FORMAT", "CellError", "decimals_of", "display_width",
           "number_format", "put"]

FORMULA_PREFIXES = ("=", "+", "-", "@")
TEXT_FORMAT = "@"
DATE_FORMAT = "yyyy-mm-dd"

class CellError(ValueError):
    """A value that a spreadsheet cannot hold (e.g. a control character), with where it is."""


def decimals_of(value: float | int | str) -> int:
    """Decimal places of a number as written (``"2.35"`` → 2), or as its shortest repr."""
    text = value if isinstance(value, str) else repr(float(value))
    if "e" in text.lower():
        mantissa, _, exp = text.lower().partition("e")
        return max(0, decimals_of(mantissa) - int(exp))
    _, _, frac = text.partition(".")
    frac = frac.rstrip("0") if not isinstance(value, str) else frac
    return len(frac)


def number_format(decimals: int, *, thousands: bool = True, prefix: str = "", suffix: str = "") -> str:
    """An Excel number format with ``decimals`` places.

    ``prefix`` and ``suffix`` are literal text shown around the number (the qualifier marks ≈ ≥ ≤,
    the upper end of a range, a unit's suffix from :func:`cityscience.units.value_suffix` so that a
    percentage reads as one without being scaled by 100); the cell stays a number.

    >>> number_format(1, suffix="个百分点"), number_format(0, prefix="≥")
    ('#,##0.0"个百分点"', '"≥"#,##0')
    """
    body = ("#,##0" if thousands else "0") + ("." + "0" * min(decimals, 10) if decimals > 0 else "")
    pre = f'"{prefix}"' if prefix else ""
    post = f'"{suffix}"' if suffix else ""
    return pre + body + post


def display_width(text: str) -> int:
    """Width of ``text`` in character cells: Chinese (wide) characters count twice."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def put(cell: Cell, value: object, fmt: str | None = None) -> Cell:
    """Store ``value`` in ``cell``: text as text (never a formula), numbers and dates as such.

    Raises:
        CellError: the text holds characters a workbook cannot store.
    """
    if value is None or value == "" or (isinstance(value, float) and math.isnan(value)):
        cell.value = None
    elif isinstance(value, str):
        from openpyxl.utils.exceptions import IllegalCharacterError

        try:
            value.encode("utf-8")
            cell.value = value
        except (IllegalCharacterError, UnicodeEncodeError):
            bad = next(ch for ch in value if ord(ch) < 32 and ch not in "\t\n\r" or "\ud800" <= ch <= "\udfff")
            what = "control characters" if ord(bad) < 32 else "lone surrogates"
            raise CellError(f"{cell.parent.title}!{cell.coordinate}: value {value[:60]!r}: expected text "
                            f"without {what} (found U+{ord(bad):04X})") from None
        cell.data_type = "s"  # never a formula, whatever the first character
        if value.startswith(FORMULA_PREFIXES):
            cell.quotePrefix = True
        cell.number_format = fmt or TEXT_FORMAT
        return cell
    elif isinstance(value, bool):
        raise TypeError(f"{cell.coordinate}: booleans are not exported")
    elif isinstance(value, int | float):
        cell.value = value
    elif isinstance(value, dt.date):
        cell.value = value
        cell.number_format = fmt or DATE_FORMAT
        return cell
    else:
        raise TypeError(f"{cell.coordinate}: cannot export a {type(value).__name__}")
    if fmt:
        cell.number_format = fmt
    return cell
