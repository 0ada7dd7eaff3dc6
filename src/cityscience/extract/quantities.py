"""Find quantities in a normalized text: a number, its unit and its qualifier.

A quantity is what a report states as a measured amount: 185亿元, 两场,
三十余家, 近百场次, 20家以上, 5~10家, 一成多, 十分之一, 1/3, 百分之二十 (20 %),
翻两番, 全省第七, 较上年提高37位.
Numbers that are not quantities are skipped here:

* numbers in masked spans (dates, document numbers, names; see :mod:`.masking`);
* numbers glued to Latin letters (T800, 3D, TOP10, 5MW) or to a dot or
  slash (梦想4.0, 1.3-丙二醇);
* Chinese numerals without a unit after them (一流, 统一, 进一步, 三大规划);
* 一 and 二 before a classifier (一批, 一支, 二次创业, 二等奖) and small numerals
  that announce a list (四个组合拳, 两项税收优惠政策);
* 第N that is not a ranking position (第一批, 第三方, 第一驱动力);
* N年 except in 连续N年 (三年行动计划, 5年内保留 are periods, not facts);
* a unit followed by 计划/工程/行动/战略 (千人计划: a programme's name);
* a count of a wider set (入围全国15个…示范之一) and an allocation rule's parameter
  (明确70%以上的经费用于…).

省级孵化器“破零” (the count leaves zero) is the quantity 1 家.

Numbers without a unit are returned with ``unit=None`` so that the caller can
apply the rules that need the sentence (index values, table cells, a unit
shared with the next list item, a unit dropped by damaged text).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from ..numbers import DECREASE_WORDS, parse_chinese_numeral, parse_decimal_numeral, split_scale
from ..textnorm import row_cell_edges
from .lexicon import LIST_CLASSIFIERS, OTHER_CLASSIFIERS, Lexicon, lexicon
from .reading import ExtractError

__all__ = ["BREAKING_ZERO", "Quantity", "parse_chinese_quantity", "scan"]

_NUM = r"\d+(?:,\d{3}(?!\d))*(?:\.\d+)?"
_CNC = "零〇一二两三四五六七八九十百千万亿"
_TOKEN = re.compile(
    rf"(?P<ar>{_NUM})"
    r"|(?P<fan>翻了?(?:[一二两三四五六七八九十]|\d{1,2})?番)"
    # a run of numeral characters with at least one digit-like one (一…十, 百, 千): runs of 万/亿/零
    # alone are words (万元 after an Arabic number, 零部件) and are not even matched
    rf"|(?P<cn>[{_CNC}]*[一二两三四五六七八九十百千][{_CNC}]*)"
)
_DIGITS = set("零〇一二两三四五六七八九")
_BIG = set("万亿")
_RANGE_AR = re.compile(rf"(?:%)?\s?(?:~|-|—|–|至|到)\s?({_NUM})")
_RANGE_CN = re.compile(rf"(?:至|到|~|-)([{_CNC}]+)")
_FRACTION_NUM = re.compile(f"[{_CNC}]+(?:点[零〇一二两三四五六七八九]+)?|{_NUM}")
_SLASH_DEN = re.compile(r"(\d{1,3})(?![\d./])")
# 约占全省的1/3, 超过占比的…: a qualifier before 占 qualifies the share stated after it.
_SHARE_QUALIFIER = re.compile(r"(?P<w>大约|约|将近|接近|近|超过|逾)占[^,，。;；、\d]{0,24}$")
_SHARE_QUALIFIERS = {"大约": "approx", "约": "approx", "将近": "approx", "接近": "approx", "近": "approx",
                     "超过": "at_least", "逾": "at_least"}
_PRE_QUALIFIERS = [
    ("不超过", "at_most"), ("不高于", "at_most"), ("不少于", "at_least"), ("不低于", "at_least"),
    ("不足", "at_most"), ("不到", "at_most"),
    ("将近", "approx"), ("接近", "approx"), ("大约", "approx"), ("超过", "at_least"), ("突破", "at_least"),
    ("至少", "at_least"), ("最多", "at_most"), ("最高", "at_most"), ("高于", "at_least"), ("低于", "at_most"),
    ("逾", "at_least"), ("近", "approx"), ("约", "approx"), ("超", "at_least"),
]
_POST_QUALIFIERS = [("以上", "at_least"), ("以下", "at_most"), ("以内", "at_most"), ("左右", "approx"),
                    ("上下", "approx"), ("多", "approx"), ("余", "approx")]
_MID_APPROX = {"余", "多", "来"}
_PROGRAMME_AFTER = ("计划", "工程", "行动", "战略")
_MONEY_AFTER = re.compile(r"[^,，。;；、\d]{0,6}?(?:资金|经费|投入|投资|基金|资本|贷款|信贷|风险池|补助|补贴|奖励|"
                          r"拨款|财政|资助)")
_MONEY_BEFORE = re.compile(r"投入|投资|资金|经费|额|补助|奖励|融资|贷款|收入|产值|增加值|税|规模")
_POLICY = re.compile(r"给予|资助|奖励|补助|补贴|扶持")
_RANK_VERB = re.compile(r"位居|居于|跃居|名列|位列|排名|排行|排在|排|居|位于|列")
# A scope right before 第N (全省第一) makes a rank without a verb when it follows another figure
# of a list (…2.72%、全省第一) or names what is counted (入选数全市第一, 新增数全市第二).
_SCOPE_BEFORE_RANK = re.compile(r"(?P<lead>[、,，]|[数量率额值幅速])\s?"
                                r"(?:全(?:国|省|市|区|县|大市)|省内|市内|区内|县内)(?:同类城市|城市|县\(市\)|各区县\(市\))?$")
# 较上年提高49位, 排名上升3位, 下降2位: places gained (or lost) in a ranking.
_RANK_MOVE = re.compile(r"(?:排名|排位|位次)?(?:较上年|比上年|较去年|比去年|同比)?(?:再|又)?"
                        r"(?P<verb>提高|提升|上升|前移|前进|跃升|进位|下降|下滑|后退|后移|回落)了?$")
# 入围全国15个…城市示范之一: the number counts a wider set the place is one of.
_ONE_OF = re.compile(r"[^,，。;；:：、\d]{0,24}?(?<!分)之一")
# 明确70%以上的市级财政科技经费用于…: an allocation rule's parameter, not a measured value.
_ALLOCATION_RULE = re.compile(r"(?:明确|规定|要求)[^,，。;；\d]{0,10}$")
_USED_FOR = re.compile(r"[^,，。;；\d]{0,30}?用于")
# “破零” (the count leaves zero): the first one of an institution named right before it.
_BREAKING_ZERO = re.compile(r"(?:孵化器|众创空间|空间|企业|研究院|实验室|中心|基地|平台|机构|园区)[“\"‘「]?再?破零")
BREAKING_ZERO = "破零: the first one (1)"
_CJK_LO, _CJK_HI = "\u3400", "\u9fff"
# A report states a few hundred quantities; a text with this many is not one report, and
# refusing it keeps memory bounded on pathological input ("1家" repeated a million times).
MAX_QUANTITIES = 200_000


@dataclass(slots=True)
class Quantity:
    """One quantity found in the text.

    Offsets are into the text as given (normalization keeps offsets). ``unit``
    is the unit in simplified characters (the caller takes the written form
    from the original text at ``unit_span``; ``unit_implied`` units such as 位次
    are not written at all).
    """

    start: int
    end: int
    q_start: int
    q_end: int
    value: float
    value_high: float | None = None
    unit: str | None = None
    unit_span: tuple[int, int] | None = None
    unit_implied: bool = False
    unit_known: bool = True  # False: a classifier the codebook does not have (16只): flagged, not converted
    qualifier: str = "exact"
    measure: str = "level"
    script: str = "arabic"
    reasons: list[str] = field(default_factory=list)
    confidence: float = 0.9


def _is_cjk(ch: str) -> bool:
    return _CJK_LO <= ch <= _CJK_HI


_PRE_LAST = frozenset(w[-1] for w, _ in _PRE_QUALIFIERS)
_POST_FIRST = frozenset(w[0] for w, _ in _POST_QUALIFIERS)


def _pre_qualifier(norm: str, s: int) -> tuple[str, int]:
    if not s or norm[s - 1] not in _PRE_LAST:
        return "exact", s  # most numbers: no qualifier word before them
    window = norm[max(0, s - 3):s]
    for word, qual in _PRE_QUALIFIERS:
        if window.endswith(word):
            return qual, s - len(word)
    return "exact", s


_CN_DIGITS = frozenset("零〇一二两三四五六七八九")


def parse_chinese_quantity(run: str) -> float | None:
    """The value of a Chinese numeral (十二, 一万二千, 一亿零一万, 三十); None when malformed.

    Unlike a digit-by-digit reading, 万 and 亿 scale everything before them within their
    own section, so 一亿零一万 is 100010000 and 十万 is 100000. Digit-by-digit forms
    (二〇一四) are years or codes, not quantities, and give None.

    >>> parse_chinese_quantity("一亿零一万"), parse_chinese_quantity("三十"), parse_chinese_quantity("两千")
    (100010000.0, 30.0, 2000.0)
    >>> parse_chinese_quantity("二〇一四") is None
    True
    """
    if not run or len(run) > 24:
        return None
    if len(run) > 1 and all(ch in _CN_DIGITS for ch in run):
        return None
    value = parse_chinese_numeral(run)
    return None if value is None else float(value)


def _parse_cn(run: str) -> float | None:
    return parse_chinese_quantity(run)


class _Scanner:
    def __init__(self, norm: str, mask: bytearray, clause_start, lex: Lexicon):
        self.unit_re = lex.unit_re
        self.unit_info = lex.unit_info
        self.unit_start_chars = lex.start_chars
        self.norm = norm
        self.n = len(norm)
        self.mask = mask
        self.clause_start = clause_start
        self.out: list[Quantity] = []
        self.consumed = -1
        self.last_rank_end = -10

    # -- the pieces after a number -------------------------------------------------
    def _unit(self, p: int, q: Quantity, s: int) -> int:
        """Read ``余/多`` and the unit from ``p``; return the end position (``p`` if no unit)."""
        norm, unit_re, unit_info = self.norm, self.unit_re, self.unit_info
        if p < self.n and norm[p] in _MID_APPROX:
            m = unit_re.match(norm, p + 1)
            if m or (p + 1 < self.n and norm[p + 1] in _BIG):
                q.qualifier = "approx"
                q.reasons.append(f"{norm[p]} → approx")
                p += 1
        m = unit_re.match(norm, p)
        if m:
            q.unit, q.unit_span = m.group(), m.span()
            return m.end()
        if p < self.n and norm[p] in _BIG:
            big = "万亿" if norm.startswith("万亿", p) else norm[p]  # 1.08万亿元: 10¹², not 万
            k = p + len(big)
            if k < self.n and norm[k] in {"余", "多"} and unit_re.match(norm, k + 1):
                after = unit_re.match(norm, k + 1)
                if unit_info(big + after.group()).std:  # 1.5万余人, 50余万元 → approx
                    q.qualifier = "approx"
                    q.reasons.append(f"{norm[k]} → approx")
                    q.unit, q.unit_span = big + after.group(), (p, after.end())
                    return after.end()
            scaled = unit_re.match(norm, k)
            if scaled and unit_info(big + scaled.group()).std == "count":
                q.unit, q.unit_span = big + scaled.group(), (p, scaled.end())
                return scaled.end()  # 25万场, 1.2亿人次: a count in 万/亿 of its unit
            money = _MONEY_AFTER.match(norm, k) or _MONEY_BEFORE.search(norm, max(self.clause_start(s), s - 30), s)
            if money and unit_info(big + "元").std:
                q.unit, q.unit_span = big + "元", (p, k)
                q.reasons.append(f"{big} for {big}元 (元 not written)")
                q.confidence -= 0.1
            elif q.script == "arabic" and not self.norm.startswith("级", k):
                q.unit, q.unit_span = big, (p, k)
                q.reasons.append(f"{big} without a unit")
                q.confidence -= 0.3
            else:
                return p  # 千亿级产业, 十万: a scale or a class, not an amount
            return k
        if p < self.n and norm[p] == "年" and norm[max(0, s - 2):s] == "连续":
            q.unit, q.unit_span = "年", (p, p + 1)
            q.reasons.append("连续N年")
            return p + 1
        return p

    def _post(self, p: int, q: Quantity) -> int:
        if p >= self.n or self.norm[p] not in _POST_FIRST:
            return p
        for word, qual in _POST_QUALIFIERS:
            if self.norm.startswith(word, p):
                if word in {"多", "余", "上下"}:
                    after = self.norm[p + len(word):p + len(word) + 1]
                    if after and after != "的" and _is_cjk(after):
                        return p  # 10个多功能平台, 10家上下游企业: a word, not a qualifier
                if qual == "approx" and word in "多余" and q.qualifier == "approx":
                    return p + 1
                if q.qualifier != "range":
                    q.qualifier = qual
                    q.reasons.append(f"{word} → {qual}")
                return p + len(word)
        return p

    def _gates(self, q: Quantity, s: int, run: str | None) -> str | None:
        """Why this quantity is not a fact, or None when it is one."""
        norm = self.norm
        unit = q.unit
        if unit is not None and norm.startswith(_PROGRAMME_AFTER, q.q_end):
            return "programme name"
        if unit == "条" and norm[max(0, s - 2):s].endswith(("策", "政", "例")):
            return "policy name (…政策N条)"
        if norm[max(0, q.q_start - 2):q.q_start + 2].find("最高") >= 0 and _POLICY.search(
                norm, max(0, q.q_start - 20), min(self.n, q.q_end + 4)):
            return "parameter of a policy rule (给予最高N万元资助)"
        # (str.find first: both are rare, and a regex per quantity would cost more than they do)
        if norm.find("之一", q.q_end, q.q_end + 27) >= 0 and unit not in {"%", "分之", "成"} and \
                _ONE_OF.match(norm, q.q_end):
            return "count of a wider set (入围全国N个…之一): not about the place itself"
        if norm.find("用于", q.q_end, q.q_end + 33) >= 0 and _USED_FOR.match(norm, q.q_end) and \
                _ALLOCATION_RULE.search(norm, max(self.clause_start(q.q_start), q.q_start - 12), q.q_start):
            return "parameter of a policy rule (明确N%以上的经费用于…)"
        if run is not None:
            if run in {"零", "〇"}:
                return "零 is a word"
            if run == "一" and unit != "成" and not unit.startswith(("万", "亿")):
                return "一 before a classifier is a word (一批, 一支)"
            if run == "二" and not unit.startswith(("万", "亿")):
                return "二 before a classifier is an ordinal (二次创业, 二等奖)"
            if q.value < 10 and unit in LIST_CLASSIFIERS:
                return "small numeral announcing a list (四个组合拳)"
        return None

    # -- token kinds ---------------------------------------------------------------
    def arabic(self, m: re.Match) -> None:
        norm, s, e = self.norm, m.start(), m.end()
        if self.mask[s] or self.mask[e - 1]:
            return
        prev = norm[s - 1] if s else ""
        nxt = norm[e] if e < self.n else ""
        if prev and prev.isascii() and (prev.isalpha() or prev in "./-_#\\"):
            return
        if nxt and nxt.isascii() and (nxt.isalpha() or (nxt == "." and e + 1 < self.n and norm[e + 1].isdigit())):
            return
        raw = m.group().replace(",", "")
        if len(raw) > 16:
            return
        if nxt == "/" and prev not in "/." and self.slash_fraction(s, e, float(raw)):
            return
        if prev == "第":
            self.rank(s, e, float(raw), "arabic")
            return
        self.finish(s, e, float(raw), "arabic", None)

    def chinese(self, m: re.Match) -> None:
        norm = self.norm
        s, e = m.span()
        run = m.group()
        while run and run[0] in _BIG:
            run, s = run[1:], s + 1
        if self.mask[s] or self.mask[e - 1]:  # (the pattern puts a digit-like character in every run)
            return
        nxt = norm[e] if e < self.n else ""
        prev = norm[s - 1] if s else ""
        if norm.startswith("分之", e):
            self.fraction(s, e, run)
            return
        if prev == "第":
            value = _parse_cn(run)
            if value is not None:
                self.rank(s, e, value, "chinese")
            return
        # Fast rejection: a Chinese numeral states a quantity only before a unit.
        if nxt not in self.unit_start_chars and nxt not in {"成", "年", "分", "至", "到", "~", "-"} and \
                run[-1] not in _BIG and nxt not in OTHER_CLASSIFIERS:
            return
        # A trailing 万/亿/万亿 belongs to the unit as written (三十万元 → 30 万元, 一万亿元 →
        # 1 万亿元), unless a larger unit is inside the numeral (一亿零一万家 is one number of 家);
        # the validator reads it the same way (cityscience.numbers.split_scale).
        run, scale = split_scale(run)
        e -= len(scale)
        value = _parse_cn(run)
        if value is None:
            return
        nxt = norm[e] if e < self.n else ""
        if nxt == "成" and value <= 10:
            after = norm[e + 1] if e + 1 < self.n else ""
            if after in {"多", "左", "以"} or not _is_cjk(after):
                q = Quantity(s, e, s, e + 1, value, unit="成", unit_span=(e, e + 1), script="chinese")
                q.qualifier, q.q_start = _pre_qualifier(norm, s)
                q.q_end = self._post(e + 1, q)
                self._append(q)
                self.consumed = q.q_end
            return
        self.finish(s, e, value, "chinese", run)

    def finish(self, s: int, e: int, value: float, script: str, run: str | None) -> None:
        norm = self.norm
        q = Quantity(s, e, s, e, value, script=script)
        q.qualifier, q.q_start = _pre_qualifier(norm, s)
        if q.qualifier != "exact":
            q.reasons.append(f"{norm[q.q_start:s]} → {q.qualifier}")
        # A range: 5~10家, 5-10家, 5至10家, 三至五家.
        rm = (_RANGE_AR if script == "arabic" else _RANGE_CN).match(norm, e)
        if rm:
            high = float(rm.group(1).replace(",", "")) if script == "arabic" else _parse_cn(rm.group(1))
            if high is not None and high > value and not self.mask[rm.start(1)]:
                probe = Quantity(s, e, s, e, value)
                after = self._unit(rm.end(), probe, s)
                if probe.unit is not None:
                    q.value_high, q.qualifier = high, "range"
                    q.unit, q.unit_span = probe.unit, probe.unit_span
                    q.reasons.append("range")
                    q.q_end = self._post(after, q)
                    self._emit(q, s, run)
                    return
        if norm.startswith("位", e) and self._rank_move(q, s, e):
            return
        end = self._unit(e, q, s)
        if q.unit is None:
            end = self._unknown_unit(e, q)
        if q.unit is None:
            q.q_end = e
            if script == "arabic" and self._may_take_a_unit(s, e):
                self._append(q)  # unitless: the caller decides (index, table cell, list, damaged text)
            return
        q.q_end = self._post(end, q)
        self._emit(q, s, run)

    def _unknown_unit(self, p: int, q: Quantity) -> int:
        """16只, 120笔: a classifier outside the codebook is the unit as written, flagged unknown."""
        norm = self.norm
        k = p + 1 if p < self.n and norm[p] in {"余", "多"} else p
        if k >= self.n or norm[k] not in OTHER_CLASSIFIERS or norm[max(0, q.start - 1)] == "第":
            return p
        if k > p:
            q.qualifier = "approx"
            q.reasons.append(f"{norm[p]} → approx")
        q.unit, q.unit_span, q.unit_known = norm[k], (k, k + 1), False
        q.confidence = min(q.confidence, 0.5)
        known = self.unit_info(norm[k])
        q.reasons.append(f"unit {norm[k]} is in data/codebook/units.csv only as {known.std}, not as a count: "
                         "correct the row" if known.std else
                         f"unit {norm[k]} is not in data/codebook/units.csv: add it there, or correct the row")
        return k + 1

    def _rank_move(self, q: Quantity, s: int, e: int) -> bool:
        """较上年提高37位: a change of rank (measure rank_change, unit 位; negative when it fell)."""
        m = _RANK_MOVE.search(self.norm, max(self.clause_start(s), q.q_start - 12), q.q_start)
        if m is None or q.qualifier not in {"exact", "approx", "at_least"}:
            return False
        q.unit, q.unit_span, q.measure = "位", (e, e + 1), "rank_change"
        q.reasons.append(f"{m.group()}N位 → change of rank")
        if m.group("verb") in DECREASE_WORDS:
            q.value = -q.value
            q.reasons.append("fell → negative")
        q.q_end = self._post(e + 1, q)
        self._emit(q, s, None)
        return True

    def _may_take_a_unit(self, s: int, e: int) -> bool:
        """Whether a number without a unit can still get one from its context (see core)."""
        norm = self.norm
        if norm.startswith(("、", "和", "及", "与", "至", "到", "~", "-"), e):
            return True  # 10和20家: the unit of the next item
        before = norm[max(0, s - 4):s]
        if before.endswith(("达到", "达", "为", "指数", "是", "升至", "提高到", "提升到")):
            return True
        if before.endswith("(") and norm.startswith(")", e) and len(before) >= 2 and _is_cjk(before[-2]):
            return True  # 全国(6.3): a bare comparison figure (the caller checks the comparison)
        line_start = norm.rfind("\n", max(0, s - 2), s)
        if line_start == s - 1 and norm[e:e + 1] in {"\n", "\r", ""}:
            return True  # a table cell on its own line
        # a cell of a table row written on one line (a gap before it, a gap or the line's end after it)
        before, after = row_cell_edges(norm, s, e)
        return before and (after or norm[e:e + 1] in {"\n", "\r", ""})

    def _append(self, q: Quantity) -> None:
        if len(self.out) >= MAX_QUANTITIES:
            raise ExtractError(
                f"more than {MAX_QUANTITIES:,} quantities in one text (at offset {q.start:,}): this is not one "
                "report; split it into documents")
        self.out.append(q)

    def _emit(self, q: Quantity, s: int, run: str | None) -> None:
        self._share_qualifier(q)
        if self._gates(q, s, run) is None:
            if q.script == "chinese":
                q.confidence -= 0.05
                q.reasons.append("Chinese numeral")
            self._append(q)
        self.consumed = max(self.consumed, q.q_end)

    def rank(self, s: int, e: int, value: float, script: str) -> None:
        norm = self.norm
        nxt = norm[e] if e < self.n else ""
        end = e
        if nxt in {"位", "名"}:
            end = e + 1
        elif _is_cjk(nxt):
            return  # 第一批, 第三方, 第九次: an ordinal, not a position in a ranking
        cs = self.clause_start(s)
        verb = _RANK_VERB.search(norm, max(cs, s - 25), s - 1)
        gap = norm[self.last_rank_end:s - 1] if 0 <= s - 1 - self.last_rank_end <= 14 else None
        continued = gap is not None and gap[:1] in {",", "、", "，", "和", "及", "与"} and not any(
            ch.isdigit() or ch in "。;；\n" for ch in gap)
        scope = None
        if verb is None and not continued:
            scope = _SCOPE_BEFORE_RANK.search(norm, max(0, s - 16), s - 1)
            if scope is None:
                return
            if scope.group("lead") in "、,，" and not (self.out and 0 <= scope.start() - self.out[-1].q_end <= 1):
                return  # 、全省第一 ranks the figure before it; without one it is a list of words
        q = Quantity(s - 1, end, s - 1, end, value, unit="位次", unit_implied=True, measure="rank", script=script)
        q.reasons.append(f"rank after {verb.group()}" if verb else "rank continuing a list of ranks" if continued
                         else f"rank after its scope {scope.group()[len(scope.group('lead')):].strip()}")
        self._append(q)
        self.consumed = end
        self.last_rank_end = end

    def fraction(self, s: int, e: int, run: str) -> None:
        m = _FRACTION_NUM.match(self.norm, e + 2)
        if not m:
            return
        den, num = _parse_cn(run), parse_decimal_numeral(m.group().replace(",", ""))
        if not den or num is None:
            return
        if run == "百":  # 百分之二十 is 20 %, not the fraction 0.2
            q = Quantity(s, m.end(), s, m.end(), num, unit="%", unit_implied=True, script="chinese")
            q.reasons.append(f"百分之{m.group()} = {num:g}%")
        else:
            q = Quantity(s, m.end(), s, m.end(), num / den, unit="分之", unit_span=(e, e + 2), script="chinese")
            q.reasons.append(f"fraction {run}分之{m.group()}")
        self._fraction_done(q, s, m.end())

    def slash_fraction(self, s: int, e: int, numerator: float) -> bool:
        """1/3, 2/5: a proper fraction written with a slash (unit 分之, value the fraction)."""
        m = _SLASH_DEN.match(self.norm, e + 1)
        if not m or self.mask[m.start()] or not 0 < numerator < int(m.group(1)) or numerator != int(numerator):
            return False
        den = int(m.group(1))
        q = Quantity(s, m.end(), s, m.end(), numerator / den, unit="分之", unit_implied=True)
        q.reasons.append(f"fraction {int(numerator)}/{den}")
        self._fraction_done(q, s, m.end())
        return True

    def _fraction_done(self, q: Quantity, s: int, end: int) -> None:
        q.qualifier, q.q_start = _pre_qualifier(self.norm, s)
        if q.qualifier != "exact":
            q.reasons.append(f"{self.norm[q.q_start:s]} → {q.qualifier}")
        q.q_end = self._post(end, q)
        self._share_qualifier(q)
        self._append(q)
        self.consumed = q.q_end

    def _share_qualifier(self, q: Quantity) -> None:
        """约占全省的1/3: the qualifier of 占 holds for the share (a percentage or a fraction)."""
        if q.qualifier != "exact" or q.unit not in {"%", "分之", "成"}:
            return
        lo = max(self.clause_start(q.q_start), q.q_start - 30)
        m = _SHARE_QUALIFIER.search(self.norm, lo, q.q_start) if self.norm.find("占", lo, q.q_start) >= 0 else None
        if m:
            q.qualifier = _SHARE_QUALIFIERS[m.group("w")]
            q.reasons.append(f"{m.group('w')}占 → {q.qualifier}")

    def breaking_zero(self) -> None:
        """省级科技企业孵化器“破零”: the first such institution, 1 家 (倒逼破零, a goal, is not one)."""
        for m in _BREAKING_ZERO.finditer(self.norm):
            s = m.end() - 2
            if self.mask[s] and not self.norm[m.start():m.end()].count("“"):
                continue  # masked for another reason than a quotation
            q = Quantity(s, m.end(), s, m.end(), 1.0, unit="家", unit_implied=True, script="chinese")
            q.reasons.append(BREAKING_ZERO)
            q.confidence = 0.6
            self._append(q)
        self.out.sort(key=lambda q: q.start)

    def doubling(self, m: re.Match) -> None:
        s, e = m.span()
        if self.mask[s]:
            return
        inner = m.group().lstrip("翻").lstrip("了").rstrip("番")
        if not inner:
            n = 1
        elif inner.isdigit():
            n = int(inner)
        else:
            n = int(parse_chinese_quantity(inner) or 0)
        if not 1 <= n <= 10:
            return
        q = Quantity(s, e, s, e, float(2 ** n), unit="倍", unit_implied=True, measure="multiple",
                     script="chinese")
        q.reasons.append(f"{m.group()} = ×{2 ** n}")
        self._append(q)
        self.consumed = e


def scan(norm: str, mask: bytearray, clause_start, lex: Lexicon | None = None) -> list[Quantity]:
    """All quantities of a normalized text, in order.

    Args:
        norm: the normalized text.
        mask: 1 for every masked character (see :func:`.masking.mask_spans`).
        clause_start: function giving the start of the clause holding a position.
        lex: the units (default: :func:`.lexicon.lexicon`, from the codebook).
    """
    scanner = _Scanner(norm, mask, clause_start, lex if lex is not None else lexicon())
    for m in _TOKEN.finditer(norm):
        if m.start() < scanner.consumed:
            continue
        kind = m.lastgroup
        if kind == "ar":
            scanner.arabic(m)
        elif kind == "cn":
            scanner.chinese(m)
        else:
            scanner.doubling(m)
    if "破零" in norm:
        scanner.breaking_zero()
    return scanner.out
