"""Spans of a report whose numbers are never proposed as facts.

Dates and times, document numbers, names of plans and programmes, quoted
names, enumerations, ordinals of sessions and page chrome all contain digits
or numerals that state no quantity. :func:`mask_spans` marks them so the
scanner skips every number that starts inside one.

All patterns run on the normalized text (see :mod:`cityscience.textnorm`) and cost
time linear in its length: no nested quantifiers, every repetition bounded.
For speed, most patterns start from a fixed word or character (届, 次会议, 是,
月, 计划, 强, :) that the regex engine finds quickly, and the numeral before
it is then taken by walking back over at most a few characters
(:class:`_Anchored`): 十八届 is found as 届 plus the numerals before it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

__all__ = ["MASK_PATTERNS", "mask_spans", "quoted_spans"]

_CN = "零〇一二两三四五六七八九十百"
_DIGIT = "0123456789"
_YEAR = r"(?:19|20)\d{2}"


@dataclass(frozen=True)
class _Anchored:
    """A fixed word found by ``anchor``, extended back over ``back`` characters.

    The span is masked when between ``min_back`` and ``max_back`` characters of
    ``back`` precede the anchor and the character before them is not in
    ``not_before`` (and is in ``must_before`` when that is given).
    """

    anchor: re.Pattern[str]
    back: str
    max_back: int
    min_back: int = 1
    not_before: str = ""
    must_before: str = ""
    keep_anchor: bool = True
    space_before: bool = False  # one whitespace character just before the anchor belongs to it

    def finditer(self, norm: str):
        back, limit = self.back, self.max_back
        for m in self.anchor.finditer(norm):
            a = m.start()
            if self.space_before and a and norm[a - 1].isspace():
                a -= 1
            k = 0
            while k < limit and a - k - 1 >= 0 and norm[a - k - 1] in back:
                k += 1
            if k < self.min_back:
                continue
            before = norm[a - k - 1] if a - k - 1 >= 0 else ""
            if before and before in self.not_before:
                continue
            if self.must_before and (not before or before not in self.must_before):
                continue
            yield a - k, (m.end() if self.keep_anchor else a)


def _anchored(anchor: str, back: str, max_back: int, **kw) -> _Anchored:
    return _Anchored(re.compile(anchor), back, max_back, **kw)


# (reason, pattern); the reason is what the review sheet and tests report. A regular expression with
# a group masks what the group matched (the context around it is only required).
MASK_PATTERNS: list[tuple[str, re.Pattern[str] | _Anchored]] = [
    # dates and times
    ("date", re.compile(_YEAR + r"\s?年(?:度|\s?\d{1,2}\s?月(?:份|\s?\d{1,2}\s?[日号])?)?")),
    ("date", re.compile(_YEAR + r"\s?[-—–~至到]\s?" + _YEAR + r"(?![\d家个项件名人次场起篇所台套亿万元%倍])")),
    ("date", re.compile(_YEAR + r"[-/.]\d{1,2}[-/.]\d{1,2}(?!\d)")),
    ("date", _anchored(r":\d{2}(?::\d{2})?(?!\d)", _DIGIT, 2, not_before=_DIGIT)),
    ("date", _anchored(r"月(?:份|\s?\d{1,2}\s?[日号](?:\s?[至到-]\s?\d{1,2}\s?[日号])?)?", _DIGIT, 2,
                       not_before=_DIGIT + ".")),
    ("date", _anchored(f"月(?:份|[{_CN}]{{1,3}}日)?", _CN, 3)),
    ("date", _anchored("年", "〇零一二三四五六七八九", 4, min_back=4)),
    # names of plans, programmes and lists
    ("named_programme", re.compile(r"十[一二三四五]五")),
    # (anchored on the plus sign with the space before it taken by the walk back: a pattern that
    # starts with an optional space is tried at every offset of the text)
    ("named_programme", _anchored(r"\+\s?(?:\d{1,3}|[A-Za-z])(?![\d.])", _DIGIT, 3, not_before=_DIGIT + ".",
                                  space_before=True)),
    ("named_programme", _anchored(r"计划|工程|行动|人才|产业体系|体系|战略", _DIGIT, 6, min_back=3,
                                  keep_anchor=False)),
    ("named_programme", _anchored(r"[强佳]", _DIGIT + _CN + "千", 4)),
    # document numbers
    ("document_number", re.compile(r"[〔\[(【]\s?" + _YEAR + r"\s?[〕\])】]\s?第?\s?\d{1,5}\s?号")),
    # enumerations
    ("enumeration", _anchored("是", _CN, 3)),
    ("enumeration", re.compile(f"[(（][{_CN}\\d]{{1,3}}[)）]")),
    ("enumeration", re.compile(f"(?m)^[ \\t\\u3000•·]{{0,12}}(?:[{_CN}]{{1,3}}|\\d{{1,2}})\\s?(?:[、)]|\\.(?!\\d))")),
    ("enumeration", re.compile(r"[。；;：:\n\t \u3000]([0-9]{1,2}、)(?=[\u4e00-\u9fff])")),
    ("enumeration", re.compile(r"附件\s?[:：]?\s?\d{1,2}")),
    ("enumeration", _anchored("方面", "一另", 1)),
    ("enumeration", re.compile(r"其[一二三四五六七八九十]")),
    # ordinals of sessions and meetings
    ("ordinal_session", _anchored(r"中(?:全会|、)", _CN, 2)),
    ("ordinal_session", re.compile(r"十[一二三四五六七八九]大")),
    ("ordinal_session", re.compile(r"二十大")),
    ("ordinal_session", _anchored("届", "第" + _CN + _DIGIT, 5)),
    ("ordinal_session", _anchored(r"次(?:全会|全体会议|会议|常务会议|常委会议?|党代会|代表大会|主任会议|常务会)",
                                  "第" + _CN + _DIGIT, 5)),
    ("proper_name", re.compile(f"第[{_CN}\\d]{{1,3}}代")),
    # page chrome: contact numbers (the navigation and metadata lines are found by _CHROME_WORDS)
    ("page_chrome", re.compile(r"(?:电话|传真|手机|热线|邮编|邮政编码)\s?[:：]?\s?[\d\-() ]{5,20}")),
]

_CHROME_WORDS = re.compile(r"分享到|阅读[:：]|来源[:：]|发布时间|发布日期|浏览次数|字号|当前位置|网站首页|打印本页|"
                           r"关闭窗口|版权所有|ICP备|网站标识码|访问量")
_QUOTES = re.compile(r"“[^“”\n。；;]{0,40}”|‘[^‘’\n。；;]{0,40}’|「[^「」\n]{0,40}」|『[^『』\n]{0,40}』"
                     r"|《[^《》\n]{0,60}》|〈[^〈〉\n]{0,60}〉|\"[^\"\n。；;]{0,40}\"")


def quoted_spans(norm: str) -> list[tuple[int, int]]:
    """Spans of short quoted names and titles (“3315计划”, 《…规划》); numbers in them are names."""
    return [m.span() for m in _QUOTES.finditer(norm)]


def _chrome_lines(norm: str):
    """Short lines of page chrome: navigation, page metadata, sharing and printing links."""
    last_end = -1
    for m in _CHROME_WORDS.finditer(norm):
        if m.start() < last_end:
            continue
        start = norm.rfind("\n", 0, m.start()) + 1
        end = norm.find("\n", m.end())
        end = len(norm) if end < 0 else end
        if m.start() - start <= 60 and end - m.end() <= 120:
            last_end = end
            yield start, end


def mask_spans(norm: str) -> tuple[bytearray, list[tuple[int, int, str]]]:
    """Mark every character that belongs to a span never proposed.

    Returns:
        A bytearray as long as the text (1 where masked) and the spans with
        their reasons, in text order.
    """
    mask = bytearray(len(norm))
    spans: list[tuple[int, int, str]] = []

    def add(start: int, end: int, reason: str) -> None:
        if end > start:
            mask[start:end] = b"\x01" * (end - start)
            spans.append((start, end, reason))

    for start, end in quoted_spans(norm):
        add(start, end, "quoted_name")
    for start, end in _chrome_lines(norm):
        add(start, end, "page_chrome")
    for reason, pattern in MASK_PATTERNS:
        if isinstance(pattern, _Anchored):
            for start, end in pattern.finditer(norm):
                add(start, end, reason)
        else:
            group = 1 if pattern.groups else 0  # a pattern with a group masks the group only
            for m in pattern.finditer(norm):
                add(m.start(group), m.end(group), reason)
    spans.sort()
    return mask, spans
