"""The one text normalizer: NFKC, then traditional → simplified (OpenCC t2s), offsets kept.

Validation (is the evidence in the raw text?), accounting (every number of a
document), extraction and term counting all compare texts through
:func:`normalize`, so that 億元 matches 亿元 and １２９５７ matches 12957. The
result always has the length of the input and position *i* of the result is
position *i* of the input, so an offset found in the normalized text is an
offset into the text as written.

* NFKC is applied character by character, and only where a character's NFKC
  form is one character (full-width digits and punctuation, ① → 1, ㈠ → (一)
  is longer and stays as written). The wave dash 〜 (U+301C, which input
  methods type for ranges) becomes ``~`` like the full-width tilde ～ does.
* Traditional → simplified is OpenCC's ``t2s`` on the whole text, so phrases
  are converted as phrases: 乾隆 stays 乾隆 (a name; 乾 alone is 干), 瞭解
  becomes 了解 (瞭 alone stays, as in 瞭望). OpenCC's t2s dictionaries map
  every phrase to one of the same length; should a future dictionary not,
  the lines where the length changes are converted character by character.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

__all__ = ["TABLE_CELL_BREAK", "TABLE_ROW_GAP", "normalize", "row_cell_edges", "row_cells", "to_simplified"]

#: Where one cell of a table ends and the next begins, as the raw texts write tables: a line holding
#: only ``|`` after each cell (the match is the line break and the ``|``; the next cell starts after
#: the line break that follows).
TABLE_CELL_BREAK = re.compile(r"\n[^\S\n]*\|[^\S\n]*(?=\n|$)")
#: Between the cells of a table row written on one line (a table pasted from a web page or a word
#: processor): a tab, or two or more spaces.
TABLE_ROW_GAP = re.compile(r"\t|[ \u3000]{2,}")
_GAP_BEFORE = re.compile(r"(?:\t|[ \u3000]{2})$")


def row_cell_edges(text: str, start: int, end: int) -> tuple[bool, bool]:
    """Whether a gap between the cells of a table row written on one line (:data:`TABLE_ROW_GAP`)
    stands just before and just after ``text[start:end]``: (before, after). A line's edge is no gap,
    so a row's first cell is ``(False, True)``.

    >>> row_cell_edges("指标\\t3.28\\t3.4", 3, 7)
    (True, True)
    >>> row_cell_edges("1  研发投入", 0, 1)
    (False, True)
    """
    before = bool(_GAP_BEFORE.search(text, max(0, start - 2), start))
    return before, bool(TABLE_ROW_GAP.match(text, end))


def row_cells(line: str, offset: int = 0) -> list[tuple[int, int]]:
    """(start, end) of each cell of a table row written on one line, ``offset`` added: cells apart by
    tabs when the line has any (an empty cell kept, as an empty span), else by runs of two or more
    spaces (:data:`TABLE_ROW_GAP`); the white space around a cell is not part of it.

    >>> row_cells("1\\t研发投入\\t\\t3.4")
    [(0, 1), (2, 6), (7, 7), (8, 11)]
    >>> row_cells("指标  2024年  2025年", offset=10)
    [(10, 12), (14, 19), (21, 26)]
    """
    out, at = [], 0
    gaps = list(re.finditer("\t", line) if "\t" in line else TABLE_ROW_GAP.finditer(line))
    for m in [*gaps, None]:
        end = m.start() if m is not None else len(line)
        cell = line[at:end]
        lead = len(cell) - len(cell.lstrip())
        if cell.strip() or "\t" in line:
            out.append((offset + at + lead, offset + at + lead + len(cell.strip())))
        if m is not None:
            at = m.end()
    while out and out[-1][0] == out[-1][1]:
        out.pop()  # a tab at the end of the line
    return out

# Strings up to this length are cached (evidence, terms, units); whole documents are not.
_CACHED_LENGTH = 256
# Distinct characters remembered for NFKC (a text of rare characters must not grow memory).
_MAX_SEEN = 200_000
_EXTRA = {"〜": "~"}  # beyond NFKC: the wave dash reads as the tilde NFKC makes of ～
_SURROGATE = re.compile("[\ud800-\udfff]")

_SEEN: dict[str, str] = {}  # every character met so far → its normalized form
_CHANGING: set[str] = set()  # the characters of _SEEN whose form differs
_TABLE: dict[int, str] = {}  # the same, for str.translate
# A pattern matching every character of _CHANGING, with the size of _CHANGING it was made for
# (the set only grows, so an equal size means the same set).
_FIND: list[tuple[int, re.Pattern[str] | None]] = [(0, None)]
# ASCII and the CJK ideographs (most of a report) have no NFKC decomposition: skipped when scanning.
_STABLE_RUNS = re.compile(r"[\x00-\x7f\u3400-\u4dbf\u4e00-\u9fff]+")


@lru_cache(maxsize=1)
def _t2s():
    import opencc

    return opencc.OpenCC("t2s")


def _nfkc_char(ch: str) -> str:
    if ch in _EXTRA:
        return _EXTRA[ch]
    if "\ud800" <= ch <= "\udfff":  # a lone surrogate has no normal form
        return ch
    out = unicodedata.normalize("NFKC", ch)
    return out if len(out) == 1 else ch


def _nfkc(text: str) -> str:
    """NFKC character by character, through a table of every character met so far."""
    rest = _STABLE_RUNS.sub("", text)  # the characters NFKC might change
    chars = set(rest)
    table, changing = _TABLE, _CHANGING
    new = chars.difference(_SEEN)
    if new:
        remember = len(_SEEN) + len(new) <= _MAX_SEEN
        if not remember:  # a text of rare characters: map them for this text only
            table, changing = dict(table), set(changing)
        for ch in new:
            out = _nfkc_char(ch)
            if remember:
                _SEEN[ch] = out
            if out != ch:
                table[ord(ch)] = out
                changing.add(ch)
    if chars.isdisjoint(changing):
        return text
    if len(rest) * 8 > len(text):
        return text.translate(table)  # many characters to change: one pass over all of them
    size, find = _FIND[0] if table is _TABLE else (-1, None)
    if find is None or size != len(changing):  # few: find them and replace only those
        snapshot = tuple(changing)  # one step, so another thread cannot change it meanwhile
        size, find = len(snapshot), re.compile("[" + "".join(sorted(map(re.escape, snapshot))) + "]")
        if table is _TABLE:
            _FIND[0] = (size, find)
    return find.sub(lambda m: table[ord(m.group())], text)


def to_simplified(text: str) -> str:
    """Traditional → simplified with OpenCC ``t2s`` (phrase by phrase), keeping the length.

    >>> to_simplified("乾隆年間瞭解乾坤")
    '乾隆年间了解乾坤'
    """
    converter = _t2s()
    try:
        out = converter.convert(text)
    except UnicodeEncodeError:  # lone surrogates cannot be passed to OpenCC: convert around them
        spots = [m.start() for m in _SURROGATE.finditer(text)]
        chars = list(to_simplified(_SURROGATE.sub("\ufffd", text)))
        for i in spots:
            chars[i] = text[i]
        return "".join(chars)
    if len(out) == len(text):
        return out
    parts = []
    for line in text.splitlines(keepends=True):
        conv = converter.convert(line)
        if len(conv) != len(line):
            conv = "".join(c if len(c := converter.convert(ch)) == 1 else ch for ch in line)
        parts.append(conv)
    return "".join(parts)


def _normalize(text: str) -> str:
    if text.isascii():
        return text
    if not unicodedata.is_normalized("NFKC", text) or "〜" in text:
        text = _nfkc(text)
    return to_simplified(text)


_normalize_short = lru_cache(maxsize=16384)(_normalize)


def normalize(text: str) -> str:
    """NFKC then traditional → simplified; the result has the length of ``text``, offsets kept.

    >>> normalize("２０１４年發明專利１２９５７件①")
    '2014年发明专利12957件1'
    >>> normalize("乾隆"), normalize("瞭解"), normalize("瞭望"), normalize("乾燥")
    ('乾隆', '了解', '瞭望', '干燥')
    """
    return _normalize_short(text) if len(text) <= _CACHED_LENGTH else _normalize(text)
