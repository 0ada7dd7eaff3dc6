"""Find and read numbers in Chinese text: Arabic digits and Chinese numerals.

The validator uses this module to prove that each curated value is stated in
its evidence, and the accounting check uses it to list every number of a raw
document. Offsets always refer to the text as given: numbers are found in the
normalized text (:func:`normalize`, the project's one normalizer, defined in
:mod:`cityscience.textnorm` and re-exported here), which keeps every offset.
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass

from .textnorm import normalize, to_simplified

__all__ = [
    "DECREASE_WORDS",
    "LOWER_WORDS",
    "NumberToken",
    "TokenSpans",
    "find_numbers",
    "negative_readings",
    "normalize",
    "parse_chinese_numeral",
    "parse_decimal_numeral",
    "split_scale",
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
_CN_DECIMAL = f"[{''.join(_DIGITS)}]+"
# 十分之一, 三分之一, 百分之二十, 百分之20, 百分之十二点五 (the numerator after 分之).
_FRACTION = re.compile(f"([{_CN_CHARS}]+)分之([{_CN_CHARS}]+(?:点{_CN_DECIMAL})?|\\d+(?:\\.\\d+)?)")
# 1/3, 2/5: a fraction written with a slash (not a date such as 2019/12/01 or a ratio of codes).
_SLASH = re.compile(r"(?<![\d./])(\d{1,3})/(\d{1,3})(?![\d./])")


_BIG_RANK = {"万": 1, "萬": 1, "亿": 2, "億": 2}


def split_scale(run: str) -> tuple[str, str]:
    """A Chinese numeral and the 万/亿/万亿 after it that belongs to the unit as written.

    三十万元 is 30 万元, 一万亿元 1 万亿元 and 两万三千亿元 23000 亿元; but in 一亿零一万 the
    万 is inside one number (10001 万 would misread it), as in 一万二千, so nothing is split.

    >>> split_scale("三十万"), split_scale("一万亿"), split_scale("两万三千亿"), split_scale("一亿零一万")
    (('三十', '万'), ('一', '万亿'), ('两万三千', '亿'), ('一亿零一万', ''))
    """
    cut = len(run)
    while cut > 1 and run[cut - 1] in _BIG_RANK:
        cut -= 1
    scale, head = run[cut:], run[:cut]
    if not scale or not head:
        return run, ""
    top = max(_BIG_RANK[ch] for ch in scale)
    if any(_BIG_RANK.get(ch, 0) >= top for ch in head):
        return run, ""  # a larger (or equal) unit inside the numeral: 一亿零一万 is one number
    return head, scale


def parse_decimal_numeral(text: str) -> float | None:
    """The value of an Arabic number (20, 12.5) or a Chinese numeral with 点 for decimals (十二点五).

    >>> parse_decimal_numeral("十二点五"), parse_decimal_numeral("20"), parse_decimal_numeral("点")
    (12.5, 20.0, None)
    """
    if not text:
        return None
    if text[:1].isdigit():
        try:
            return float(text)
        except ValueError:
            return None
    whole, point, decimals = text.partition("点")
    value = parse_chinese_numeral(whole)
    if value is None or point and not decimals or not all(ch in _DIGITS for ch in decimals):
        return None
    if decimals:
        value = float(f"{int(value)}." + "".join(str(_DIGITS[ch]) for ch in decimals))
    return float(value)


@dataclass(frozen=True)
class NumberToken:
    """One number found in a text.

    Attributes:
        start, end: character offsets of the number in the text.
        text: the number as written (``"185"``, ``"两"``, ``"十分之一"``).
        value: its numeric value, without a following 万/亿 multiplier
            (``185亿元`` gives 185: values are kept in the unit as written); a fraction's
            value is the fraction (三分之一, 1/3 → 0.333…), a percentage's the percent
            (百分之二十 → 20).
        kind: ``"arabic"``, ``"chinese"``, ``"fraction"`` (M分之N, N/M) or ``"percent"``
            (百分之N).
    """

    start: int
    end: int
    text: str
    value: float
    kind: str


class TokenSpans:
    """The number tokens of one text, found by the span they touch.

    The tokens must be in text order and never overlap, as :func:`find_numbers` gives them, so the
    ones a span touches are a slice found by bisection.

    >>> spans = TokenSpans(find_numbers("新增12家,累计300家,增长5%"))
    >>> [t.text for t in spans.touching(3, 12)]
    ['12', '300']
    """

    def __init__(self, tokens: list[NumberToken]) -> None:
        self.tokens = tokens
        self._starts = [t.start for t in tokens]
        self._ends = [t.end for t in tokens]

    def touching(self, start: int, end: int) -> list[NumberToken]:
        """The tokens that overlap the span [start, end) (at an empty span, the token around it)."""
        return self.tokens[bisect.bisect_right(self._ends, start):bisect.bisect_left(self._starts, end)]


def parse_chinese_numeral(text: str) -> float | None:
    """Return the value of a Chinese numeral such as 三十, 两, 一百二十, 千; None if invalid.

    >>> parse_chinese_numeral("三十")
    30
    >>> parse_chinese_numeral("一万二千")
    12000

    A last digit right after 百, 千, 万 or 亿 stands for the next lower place, as spoken and
    written in short (一千二 is 1200, 三万五 35000, 一百五 150); after 零 it is a unit (一千零二 is 1002).

    >>> [parse_chinese_numeral(t) for t in ("一千二", "三万五", "两万三", "一百五", "一千零二", "十五")]
    [1200, 35000, 23000, 150, 1002, 15]
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
    if digit and len(text) > 1:
        place = _SMALL_UNITS.get(text[-2]) or _BIG_UNITS.get(text[-2], 0)
        if place >= 100:  # 一千二: the 二 is 二百
            digit *= place // 10
    return yi + wan + section + (digit or 0)


def find_numbers(text: str, *, normalized: bool = False) -> list[NumberToken]:
    """List every number in ``text`` in order: Arabic, Chinese numerals, fractions and percentages.

    >>> [(t.text, round(t.value, 3), t.kind) for t in find_numbers("约占1/3,增长百分之二十,三分之一以上")]
    [('1/3', 0.333, 'fraction'), ('百分之二十', 20.0, 'percent'), ('三分之一', 0.333, 'fraction')]

    Args:
        text: the text to scan (raw document or evidence).
        normalized: pass True if ``text`` already went through :func:`normalize`.
    """
    norm = text if normalized else normalize(text)
    tokens: list[NumberToken] = []
    taken = [False] * len(norm)
    for m in _FRACTION.finditer(norm):
        den, num = parse_chinese_numeral(m.group(1)), parse_decimal_numeral(m.group(2))
        if den and num is not None:
            # 百分之二十 is a percentage (20), not the fraction 0.2.
            value, kind = (num, "percent") if m.group(1) == "百" else (num / den, "fraction")
            tokens.append(NumberToken(m.start(), m.end(), text[m.start():m.end()], float(value), kind))
            taken[m.start():m.end()] = [True] * (m.end() - m.start())
    if "/" in norm:
        for m in _SLASH.finditer(norm):
            num, den = int(m.group(1)), int(m.group(2))
            if 0 < num < den:
                tokens.append(NumberToken(m.start(), m.end(), text[m.start():m.end()], num / den, "fraction"))
                taken[m.start():m.end()] = [True] * (m.end() - m.start())
    for m in _ARABIC.finditer(norm):
        if taken[m.start()]:
            continue
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
        numeral, scale = split_scale(run)
        if scale:
            run, end = numeral, end - len(scale)
            value = parse_chinese_numeral(run)
        if value is None:
            value = float("nan")
        tokens.append(NumberToken(start, end, text[start:end], float(value), "chinese"))
    tokens.sort(key=lambda t: t.start)
    return tokens


#: Words right before a number that state it as a fall (下降3.2%, 减少12家, 缩小2个百分点, 后移2位, 比上年少5家):
#: the extractor writes such a number negative, and validation and accounting accept −N for it. Each of
#: the extractor's patterns matches some of them; the sign is decided by membership here, in one place.
DECREASE_WORDS: frozenset[str] = frozenset({"下降", "下降率", "减少", "降低", "回落", "下滑", "缩小", "后退", "后移", "少"})
#: The comparative of a gap below its comparator (比全省低0.5个百分点, 低于…, 慢于…): a negative gap.
LOWER_WORDS: frozenset[str] = frozenset({"低", "慢"})
_FALL = "|".join(sorted(("(?<![至最])少" if w == "少" else w for w in DECREASE_WORDS), key=len, reverse=True))
_LOWER = "".join(sorted(LOWER_WORDS))
_NEGATIVE_BEFORE = re.compile(
    rf"(?:(?:{_FALL})了?(?:分别)?(?:为|达到|达)?|[{_LOWER}]于[^,，。;；\d]{{0,20}}|比[^,，。;；\d]{{1,20}}?[{_LOWER}]出?了?)$")
# What joins the items of one list after the first item's unit: 下降3.2%和1.5%, 减少12家、8家; the unit is
# the later item's too (下降3.2%,2024年… and 降低了10%,20家企业 are two clauses, not one list).
_LIST_AFTER = re.compile(r"(?P<unit>[^\d,，。;；、和及与]{0,4}?)(?:、|和|及|与|以及|,|，)")


def negative_readings(norm: str, tokens: list[NumberToken]) -> list[bool]:
    """For each number token of the normalized text, whether it may be read as negative: written right after
    a word of :data:`DECREASE_WORDS` (or 低于…, 比…低), or continuing a list whose first item is, in its unit
    (同比分别下降3.2%和1.5%: both; 下降3.2%,20家企业: the first only), as the extractor writes them.

    >>> text = "同比分别下降3.2%和1.5%,比上年少5人,低于全省1个百分点,增长至少2%,降低了10%,20家企业"
    >>> negative_readings(text, find_numbers(text))
    [True, True, True, True, False, True, False]
    """
    out: list[bool] = []
    for i, t in enumerate(tokens):
        negative = _NEGATIVE_BEFORE.search(norm, max(0, t.start - 24), t.start) is not None
        if not negative and i and out[-1]:
            prev = tokens[i - 1]
            joined = _LIST_AFTER.fullmatch(norm, prev.end, t.start)
            negative = joined is not None and norm.startswith(joined.group("unit"), t.end)
        out.append(negative)
    return out
