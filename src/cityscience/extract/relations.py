"""What a quantity measures: a level, a growth rate, a change or gap in points, a rank, a multiple.

* 同比增长/增长/较上年度增加/下降 X% → ``yoy_pct`` (negative for 下降/减少);
* 提高/下降 N 个百分点 → ``pp_change``; 比…高/低 N 个百分点 and 高于/低于… N 个百分点
  → ``pp_diff`` (negative for 低, 低于, 慢: the indicator minus its comparator);
* 比上年(同期)增加/多(出)/减少 N 家 (a unit of its own, with the words of a comparison with the year before) →
  ``abs_change`` (negative for 减少/少/下降);
* 第N after 位居/居/排名 → ``rank`` and 较上年提高N位 → ``rank_change`` (set by the scanner); 翻番/翻两番 and 是上年的N倍
  → ``multiple`` (a plain N倍, as in 实现10倍放大效应, stays a level in 倍);
* a list continues its first item's measure: 同比分别增长25.26%和37.85% gives
  two growth rates, 全省第11,宁波第2 two ranks;
* a list shares what is written once (:func:`share_across_lists`): 分别突破5.8万件和4.6万件
  gives two at_least values, 分别提高2.3个和1.5个百分点 two changes in 个百分点.
"""

from __future__ import annotations

import re
from itertools import pairwise

from ..numbers import DECREASE_WORDS, LOWER_WORDS
from .quantities import Quantity

__all__ = ["assign_measures", "change_words_start", "growth_under_heading", "share_across_lists"]

_GROWTH = re.compile(
    r"(?:同比|比上年|较上年度?|比去年|较去年|与上年相比|年均|平均)?(?:分别)?"
    r"(?P<verb>增长率|增长|增加|提高|上升|增幅|增速|下降率|下降|减少|降低|回落|下滑)(?:了)?(?:分别)?(?:为|达到|达)?$"
)
_PERCENT = frozenset({"%", "成"})  # the units of a percentage: 增长近三成 is a growth rate of about 30 %
# 比上年增加21家: a change in the unit of the level, only when the year it is compared with is written
_ABS_CHANGE = re.compile(r"(?:(?:比|较)(?:上年度?|去年)(?:同期)?|与(?:上年|去年)(?:同期)?相比|同比)[,，]?(?:分别)?"
                         r"(?P<verb>增加|增长|多出|多|新增|减少|下降|少|降低)了?(?:分别)?$")
# 比 starts a comparison, but not in 比重, 比例, 比率, 占比 (a share) or 比上年 (a change); 提高 and
# 降低 end a change, not a comparison (…占比和…率分别提高2.3个百分点).
_PP_DIFF = re.compile(r"(?<!占)比(?![重例率上去])[^,，。;；]{1,20}?(?<![提降])(?P<than>高|低|快|慢)(?:出)?了?$"
                      r"|(?P<verb>高于|低于|快于|慢于|超出)[^,，。;；\d]{1,20}$")
_PP_CHANGE = re.compile(r"(?P<verb>提高|增加|上升|增长|下降|减少|降低|回落|扩大|缩小)了?$")
_LIST_GAP = re.compile(r"^\s?(?:、|和|及|与|以及|,|，)\s?$")


_LIST_JOIN = re.compile(r"^\s?(?:、|和|及|与|以及)\s?$")
_SHARED_PRE = {"at_least", "at_most", "approx"}


def share_across_lists(quantities: list[Quantity], norm: str) -> None:
    """Distribute what a list writes once, in place.

    * A unit written only in part on an item (2.3个 before 1.5个百分点, 1.2万 before 3.4万家)
      is the later item's unit when the two are joined by 和/、/及/与.
    * A qualifier written before the first item (分别突破5.8万件和4.6万件, 超过100家和200家)
      holds for the items after it that have none of their own.
    """
    for a, b in pairwise(quantities):
        if not 0 < b.q_start - a.q_end <= 4 or not _LIST_JOIN.match(norm[a.q_end:b.q_start]):
            continue
        if a.unit and b.unit and a.unit != b.unit and b.unit.startswith(a.unit) and not a.unit_implied:
            a.reasons.append(f"unit {a.unit}… completed by the next item's {b.unit}")
            a.unit, a.unit_implied = b.unit, True
            a.confidence = min(a.confidence, b.confidence)
        if b.qualifier == "exact" and a.qualifier in _SHARED_PRE and a.q_start < a.start and \
                a.unit == b.unit and b.q_start == b.start:
            b.qualifier = a.qualifier
            b.reasons.append(f"{norm[a.q_start:a.start]} before the first item of the list → {a.qualifier}")


_TIMES_OF = re.compile(r"(?:是|为|相当于)[^,，。;；]{0,12}?的$")


def _as_growth(q: Quantity, before: str) -> bool:
    """Make ``q`` a growth rate when ``before`` ends with the words of one (同比增长, 下降: negative)."""
    m = _GROWTH.search(before)
    if not m:
        return False
    q.measure = "yoy_pct"
    q.reasons.append(f"{m.group().strip()} → growth rate")
    if m.group("verb") in DECREASE_WORDS:
        q.value = -q.value
        q.reasons.append("decrease → negative")
    return True


def growth_under_heading(q: Quantity, heading: str) -> None:
    """A table cell in % whose row heading ends with the words of a growth rate
    (全社会研发经费支出增长(单位:%) | 15) is that growth rate, as 增长15% in a sentence is."""
    if q.unit == "%":
        _as_growth(q, heading.strip())


def _continue_list(q: Quantity, prev: Quantity, why: str) -> None:
    """``q`` continues the list ``prev`` opens: its measure, and its sign (分别下降3.2%和1.5%, 分别下降2个和1个百分点:
    both fall)."""
    q.measure = prev.measure
    q.reasons.append(why)
    if prev.value < 0 < q.value:
        q.value = -q.value


def assign_measures(quantities: list[Quantity], norm: str, clause_start) -> None:
    """Set ``measure`` (and the sign of decreases) on every quantity, in place."""
    prev: Quantity | None = None
    for q in quantities:
        if q.measure in {"rank", "rank_change", "multiple"} or q.unit is None:
            prev = q
            continue
        cs = clause_start(q.q_start)
        before = norm[max(cs, q.q_start - 24):q.q_start]
        if q.unit == "倍" and _TIMES_OF.search(before):
            q.measure = "multiple"
            q.reasons.append("是…的N倍 → multiple of the base")
        inherited = prev is not None and prev.measure in {"yoy_pct", "pp_change", "pp_diff"} and \
            prev.unit == q.unit and _LIST_GAP.match(norm[prev.q_end:q.q_start]) is not None
        if q.unit not in {*_PERCENT, "个百分点", "百分点", "倍"} and (m := _ABS_CHANGE.search(before)) is not None:
            q.measure = "abs_change"
            q.reasons.append(f"{m.group()} N → change over the previous year")
            if m.group("verb") in DECREASE_WORDS:
                q.value = -q.value
                q.reasons.append("decrease → negative")
        elif q.unit in _PERCENT:
            if not _as_growth(q, before) and inherited:
                _continue_list(q, prev, "list continues a growth rate")
        elif q.unit in {"个百分点", "百分点"}:
            if (m := _PP_DIFF.search(before)) is not None:
                q.measure = "pp_diff"
                q.reasons.append("比…高/低 N 个百分点 → gap")
                if (m.group("than") or m.group("verb"))[0] in LOWER_WORDS:
                    q.value = -q.value  # the indicator minus its comparator: below it is negative
                    q.reasons.append("below → negative")
            elif (m := _PP_CHANGE.search(before)) is not None:
                q.measure = "pp_change"
                q.reasons.append(f"{m.group()} N 个百分点 → change")
                if m.group("verb") in DECREASE_WORDS:
                    q.value = -q.value
            elif inherited:
                _continue_list(q, prev, "list continues a change or gap")
            else:
                q.measure = "pp_change"
                q.confidence -= 0.2
                q.reasons.append("percentage points without a verb: taken as a change")
        prev = q


_CHANGE_WORDS = re.compile(
    r"(?:同比|比上年|较上年度?|比去年|较去年|与上年相比|年均|平均)?(?:分别)?"
    r"(?:增长|增加|提高|提升|上升|增幅|增速|下降|减少|降低|回落|下滑|扩大|缩小|前移|后移)了?(?:分别)?(?:为|达到|达)?$"
    r"|(?:比上年|较上年度?|比去年|较去年|与上年相比|同比)[,，]?(?:分别)?(?:多|少|新增)了?$"
    r"|(?<!占)比(?![重例率上去])[^,，。;；]{1,20}?(?<![提降])(?:高|低|快|慢)(?:出)?了?$|增速$"
    r"|(?:高于|低于|快于|慢于|超出)[^,，。;；\d]{1,20}$"
)


def change_words_start(before: str) -> int:
    """Where the words stating a change (同比增长, 提高, 比…高) begin at the end of ``before``."""
    m = _CHANGE_WORDS.search(before)
    return m.start() if m else len(before)
