"""Normalize a text for matching without moving any character: offsets stay valid.

Each character is mapped on its own: NFKC (full-width digits and punctuation
to ASCII, ① to 1) and, for CJK ideographs, traditional → simplified with
OpenCC. A character whose mapping would be longer than one character is kept
as it is. Mapping each distinct character once and applying the table with
:meth:`str.translate` keeps this fast on large inputs.
"""

from __future__ import annotations

import unicodedata

from ..numbers import _t2s

__all__ = ["normalize_for_matching", "normalize_short"]

_cache: dict[str, str] = {}


def _is_cjk(ch: str) -> bool:
    o = ord(ch)
    return 0x3400 <= o <= 0x9FFF or 0xF900 <= o <= 0xFAFF or 0x20000 <= o <= 0x2FFFF


def _map_char(ch: str) -> str:
    hit = _cache.get(ch)
    if hit is not None:
        return hit
    out = ch
    if not 0xD800 <= ord(ch) <= 0xDFFF:  # lone surrogates have no normal form
        nfkc = unicodedata.normalize("NFKC", ch)
        if len(nfkc) == 1:
            out = nfkc
        if _is_cjk(out):
            simple = _t2s().convert(out)
            if len(simple) == 1:
                out = simple
    if out == "～" or out == "〜":
        out = "~"
    if len(_cache) < 200_000:
        _cache[ch] = out
    return out


_TABLE: dict[int, str] = {}  # every character seen so far that normalization changes
_SEEN: set[str] = set()  # every character seen so far
_MAPPED: set[str] = set()  # the characters of _TABLE


def normalize_for_matching(text: str) -> str:
    """Return ``text`` with every character normalized; the result has the same length.

    >>> normalize_for_matching("２０１４年發明專利１２９５７件")
    '2014年发明专利12957件'
    """
    chars = set(text)
    new = chars - _SEEN
    for ch in new:
        if ch.isascii():
            continue
        out = _map_char(ch)
        if out != ch:
            _TABLE[ord(ch)] = out
            _MAPPED.add(ch)
    if len(_SEEN) < 200_000:
        _SEEN.update(new)
        if chars.isdisjoint(_MAPPED):
            return text  # nothing to change (simplified text with ASCII digits and punctuation)
    elif new:  # a text of rare characters: do not let the cache grow without bound
        table = dict(_TABLE)
        for ch in new:
            if not ch.isascii() and (out := _map_char(ch)) != ch:
                table[ord(ch)] = out
        return text.translate(table)
    return text.translate(_TABLE) if _TABLE else text


def normalize_short(text: str) -> str:
    """:func:`normalize_for_matching` for a few characters (a unit, a label), without the table."""
    return "".join(ch if ch.isascii() else _map_char(ch) for ch in text)
