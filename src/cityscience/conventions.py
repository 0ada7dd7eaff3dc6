"""Conventions every layer shares: the library's version, the languages the project writes and the formats figures come in.

Defined once here so that the charts, the build and the exports never
disagree on them.
"""

from __future__ import annotations

__all__ = ["CONSISTENCY_CHECKS", "FIGURE_FORMATS", "LANGUAGES", "QUALIFIER_MARKS", "UNTRANSLATED", "VERSION", "check_language", "untranslated",
           "untranslated_note"]

#: The library's version: ``pyproject.toml`` reads it from here (``cityscience --version``, the workbooks' README).
VERSION = "0.1.0"
#: Languages of labels, prose, workbooks and chart packs.
LANGUAGES: tuple[str, ...] = ("zh", "en")
#: Formats every published figure is written in.
FIGURE_FORMATS: tuple[str, ...] = ("png", "svg", "pdf")
#: The mark charts and workbooks write before a value of each qualifier code (a range is written
#: low–high instead); ``cityscience validate`` reports a qualifier of the vocabulary without one.
QUALIFIER_MARKS: dict[str, str] = {"exact": "", "approx": "≈", "at_least": "≥", "at_most": "≤", "range": ""}
#: The checks :func:`cityscience.consistency_flags` runs, in the order it reports them; each is named, in
#: both languages, by a row of the ``consistency_check`` vocabulary, which ``cityscience validate`` checks.
CONSISTENCY_CHECKS: tuple[str, ...] = ("target_below_actual", "incomparable_pair", "conflicting_values",
                                       "growth_vs_levels", "share_vs_parts")
#: The mark an English name drafted by add-report carries until someone translates it: valid data
#: (a draft is accepted unedited), counted by accept and ``cityscience validate`` so that it is not forgotten.
UNTRANSLATED = "(to translate)"


def untranslated(tables: dict[str, list[dict[str, str]]]) -> dict[str, int]:
    """``table.column`` → how many of its English cells (columns ending in ``_en``) still start with
    :data:`UNTRANSLATED`, for the tables given as name → rows.

    >>> untranslated({"bodies": [{"name_en": "(to translate) 市经信委"}, {"name_en": "Cixi Government"}]})
    {'bodies.name_en': 1}
    """
    out: dict[str, int] = {}
    for name, rows in tables.items():
        for row in rows:
            for col, value in row.items():
                if col.endswith("_en") and str(value or "").startswith(UNTRANSLATED):
                    out[f"{name}.{col}"] = out.get(f"{name}.{col}", 0) + 1
    return out


def untranslated_note(tables: dict[str, list[dict[str, str]]]) -> str:
    """What :func:`untranslated` found, as the start of a note ('' when nothing is left to translate)."""
    todo = untranslated(tables)
    if not todo:
        return ""
    cells = ", ".join(f"{where} {n}" for where, n in sorted(todo.items()))
    return f"{sum(todo.values())} English cells still start with {UNTRANSLATED!r} ({cells})"


def check_language(lang: str) -> str:
    """Return ``lang`` if it is one of :data:`LANGUAGES`, else raise ValueError naming the choices."""
    if lang not in LANGUAGES:
        raise ValueError(f"language {lang!r}: expected one of {', '.join(LANGUAGES)}")
    return lang
