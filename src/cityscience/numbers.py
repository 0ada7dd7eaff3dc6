"""Find and read numbers in Chinese text: Arabic digits and Chinese numerals.

The validator uses this module to prove that each curated value is stated in
its evidence, and the accounting check uses it to list every number of a raw
document. Offsets always refer to the text as given: numbers are found in the
normalized text (:func:`normalize`, the project's one normalizer, defined in
:mod:`cityscience.textnorm` and re-exported here), which keeps every offset.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from .textnorm import normalize, to_simplified

__all__ = [
    "NumberToken",
    "find_numbers",
    "normalize",
    "parse_chinese_numeral",
    "to_simplified",
]

_DIGITS = {
    "零": 0, "〇": 0, "一": 1, "二": 2, "两": 2, "兩": 2, "三": 3, "四": 4,
    "五": 5, "六": 6, "七": 7, "八": 8, "九": 9,
}
_SMALL_UNITS = {"十": 10, "拾": 10, "百": 100, "佰": 100, "千": 1000, "仟": 1000}
_BIG_UNITS = {"万": 10_000, "萬": 10_000, "亿": 100_000_000, "億": 100_000_000}

_CN_CHARS = "".join(_DIGITS) + "".join(_SMALL_UNITS) + "".join(_BIG_UNITS)
# A Chinese numeral run must hold a digit or 十/百/千; 万 and 亿 alone are words (万众创新).
_CN_RUN = re.compile(f"[{_CN_CHARS}]+")
_CN_CORE = re.compile(f"[{''.join(_DIGITS)}{''.join(_SMALL_UNITS)}]")
# Arabic numbers: a comma followed by exactly three digits is a thousands separator.
_ARABIC = re.compile(r"\d+(?:,\d{3}(?!\d))*(?:\.\d+)?")
_FRACTION = re.compile(f"([{_CN_CHARS}]+)分之([{_CN_CHARS}]+)")


@dataclass(frozen=True)
class NumberToken:
    """One number found in a text.

    Attributes:
        start, end: character offsets of the number in the text.
        text: the number as written (``"185"``, ``"两"``, ``"十分之一"``).
        value: its numeric value, without a following 万/亿 multiplier
            (``185亿元`` gives 185: values are kept in the unit as written).
        kind: ``"arabic"``, ``"chinese"`` or ``"fraction"``.
    """

    start: int
    end: int
    text: str
    value: float
    kind: str


def parse_chinese_numeral(text: str) -> float | None:
    """Return the value of a Chinese numeral such as 三十, 两, 一百二十, 千; None if invalid.

    >>> parse_chinese_numeral("三十")
    30
    >>> parse_chinese_numeral("一万二千")
    12000
    """
    if not text or not all(ch in _CN_CHARS for ch in text):
        return None
    if all(ch in _DIGITS for ch in text):
        if len(text) == 1:
            return _DIGITS[text]
        # Digit-by-digit form (二〇一四) is a year or code, not a quantity reading.
        return int("".join(str(_DIGITS[ch]) for ch in text))
    # yi: everything up to the last 亿; wan: the 万 part after it; section: below 万.
    yi, wan, section, digit = 0, 0, 0, None
    for ch in text:
        if ch in _DIGITS:
            if digit is not None and digit != 0:
                return None
            digit = _DIGITS[ch]
        elif ch in _SMALL_UNITS:
            section += (1 if digit is None else digit) * _SMALL_UNITS[ch]
            digit = None
        elif _BIG_UNITS[ch] == 10_000:
            wan = (wan + (section + (digit or 0) or 1)) * 10_000
            section, digit = 0, None
        else:  # 亿
            yi = (yi + wan + (section + (digit or 0)) or 1) * 100_000_000
            wan, section, digit = 0, 0, None
    return yi + wan + section + (digit or 0)


def find_numbers(text: str, *, normalized: bool = False) -> list[NumberToken]:
    """List every number in ``text`` in order: Arabic, Chinese numerals and fractions.

    Args:
        text: the text to scan (raw document or evidence).
        normalized: pass True if ``text`` already went through :func:`normalize`.
    """
    norm = text if normalized else normalize(text)
    tokens: list[NumberToken] = []
    taken = [False] * len(norm)
    for m in _FRACTION.finditer(norm):
        den, num = parse_chinese_numeral(m.group(1)), parse_chinese_numeral(m.group(2))
        if den and num is not None:
            tokens.append(NumberToken(m.start(), m.end(), text[m.start():m.end()], num / den, "fraction"))
            taken[m.start():m.end()] = [True] * (m.end() - m.start())
    for m in _ARABIC.finditer(norm):
        raw = m.group().replace(",", "")
        tokens.append(NumberToken(m.start(), m.end(), text[m.start():m.end()], float(raw), "arabic"))
    for m in _CN_RUN.finditer(norm):
        start, end = m.start(), m.end()
        if any(taken[start:end]):
            continue
        run = m.group()
        # A 万/亿 right after Arabic digits is the unit's multiplier (185亿元), not a number.
        while run and run[0] in _BIG_UNITS:
            run, start = run[1:], start + 1
        if not run or not _CN_CORE.search(run):
            continue
        if run == "百" and norm.startswith("分点", end):
            continue  # 个百分点 is a unit word, not the number 100
        value = parse_chinese_numeral(run)
        if value is None:
            # Unreadable runs (三四十) are still numbers: report them as NaN so that
            # the accounting check lists them instead of skipping them.
            tokens.append(NumberToken(start, end, text[start:end], float("nan"), "chinese"))
            continue
        # Trailing 万/亿 belong to the unit as written (三十万元 → 30 万元) unless the
        # multiplier sits inside the numeral (一万二千).
        while len(run) > 1 and run[-1] in _BIG_UNITS:
            run, end = run[:-1], end - 1
            value = parse_chinese_numeral(run)
        if value is None:
            value = float("nan")
        tokens.append(NumberToken(start, end, text[start:end], float(value), "chinese"))
    tokens.sort(key=lambda t: t.start)
    return tokens
