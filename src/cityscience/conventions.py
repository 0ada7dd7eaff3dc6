"""Conventions every layer shares: the languages the project writes and the formats figures come in.

Defined once here so that the charts, the build and the exports never
disagree on them.
"""

from __future__ import annotations

__all__ = ["FIGURE_FORMATS", "LANGUAGES", "QUALIFIER_MARKS", "check_language"]

#: Languages of labels, prose, workbooks and chart packs.
LANGUAGES: tuple[str, ...] = ("zh", "en")
#: Formats every published figure is written in.
FIGURE_FORMATS: tuple[str, ...] = ("png", "svg", "pdf")
#: The mark charts and workbooks write before a value of each qualifier code (a range is written
#: low–high instead); ``cityscience validate`` reports a qualifier of the vocabulary without one.
QUALIFIER_MARKS: dict[str, str] = {"exact": "", "approx": "≈", "at_least": "≥", "at_most": "≤", "range": ""}


def check_language(lang: str) -> str:
    """Return ``lang`` if it is one of :data:`LANGUAGES`, else raise ValueError naming the choices."""
    if lang not in LANGUAGES:
        raise ValueError(f"language {lang!r}: expected one of {', '.join(LANGUAGES)}")
    return lang
