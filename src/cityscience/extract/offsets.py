"""Offsets of given characters in a text, found on its code points as an array.

Every report needs the offsets of its line ends, sentence ends and clause
boundaries. Collecting them from a regular expression's matches makes a
match object per offset; comparing the code points with numpy does the same
in one pass, several times faster on Chinese text.
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np

__all__ = ["char_offsets", "code_points"]


def code_points(text: str) -> np.ndarray:
    """The code points of ``text``, one per character (so index *i* is ``text[i]``)."""
    return np.frombuffer(text.encode("utf-32-le", "surrogatepass"), dtype="<u4")


def char_offsets(text: str | np.ndarray, chars: str) -> list[int]:
    """Ascending offsets of every character of ``text`` that is one of ``chars``.

    ``text`` may be given as its :func:`code_points`, computed once for several calls.

    >>> char_offsets("一、二。\\n三", "、。\\n")
    [1, 3, 4]
    """
    points = code_points(text) if isinstance(text, str) else text
    if len(chars) == 1:
        return np.flatnonzero(points == ord(chars)).tolist()
    table, astral = _lookup(chars)
    hits = table[np.minimum(points, 0xFFFF)]
    if astral:
        hits |= np.isin(points, astral)
    return np.flatnonzero(hits).tolist()


@lru_cache(maxsize=32)
def _lookup(chars: str) -> tuple[np.ndarray, tuple[int, ...]]:
    """A table over the Basic Multilingual Plane (True for ``chars``), and the code points beyond it."""
    table = np.zeros(0x10000, dtype=bool)
    table[[ord(c) for c in chars if ord(c) < 0xFFFF]] = True
    return table, tuple(ord(c) for c in chars if ord(c) >= 0xFFFF)
