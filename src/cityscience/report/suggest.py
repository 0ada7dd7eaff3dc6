"""Suggest indicator codes for candidate rows, and reasons for the numbers that are not facts.

Codes are chosen from a codebook (the indicators and the labels the curated
observations give them) by how alike the candidate's label is to the code's
names, whether the stock/flow kind agrees (new in the year vs cumulative must
not be confused) and whether the unit fits. Exclusion reasons are chosen by
general rules on the words around a number, in the vocabulary of
``exclusion_reason``. Nothing here names a place, a document or a number.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from ..extract.lexicon import OTHER_CLASSIFIERS, lexicon
from ..textnorm import normalize, row_cell_edges

__all__ = ["Codebook", "Suggestion", "exclusion_reason", "suggest_codes"]

#: Below this score no code is taken as fitting: a new indicator is drafted.
FIT = 0.42
_DROP = re.compile(r"[…()（）\s,，、:：;；“”\"'‘’《》〈〉]")
# Words that say nothing about what is counted: verbs of reporting and scope.
_FILLER = re.compile(r"全市|全区|全县|全省|全年|我市|我区|我县|累计|新增|新认定|新培育|达到|实现|完成|共有|已有|其中")
#: Words that make an indicator count only some of what a label without them counts (发明专利 of 专利).
_NARROWING = ("发明", "重点")
#: Words naming a stage of a process an indicator counts (enterprises that applied, were recognised, registered):
#: a label at one stage does not fit a code whose labels name only another (申报数 is not 新认定).
_STAGES = ("申报", "申请", "认定", "授权", "入库")
_STOCK = re.compile(r"累计|有效|目前|总数|已有|现有|共有|存量|总量|总规模|拥有|在孵")
_FLOW = re.compile(r"新认定|新培育|新增|新建|新设立|新引进|新成立|全年|当年|新落户|新获批|新入选|新备案|引进|认定|举办|组织")


#: Ways of writing one thing that share no characters (R&D经费 and 研发, 研究与试验发展经费): one spelling each,
#: on both sides of a comparison, so that 全区R&D经费投入 finds 全社会研发投入.
_SAME = re.compile(r"R&D经费|R&D|研究与试验发展经费|研究与试验发展|研究开发经费|研发经费", re.IGNORECASE)


def _bigrams(text: str) -> set[str]:
    s = _DROP.sub("", _SAME.sub("研发", normalize(text)))
    return {s[i:i + 2] for i in range(len(s) - 1)} or ({s} if s else set())


def _likeness(a: set[str], b: set[str]) -> float:
    """Mean of the overlap of the shorter and the Jaccard index of two bigram sets."""
    if not a or not b:
        return 0.0
    common = len(a & b)
    return 0.5 * common / min(len(a), len(b)) + 0.5 * common / len(a | b)


@dataclass
class Suggestion:
    """A code with its score (0–1) and what decided it."""

    code: str
    score: float
    why: str


@dataclass
class Codebook:
    """What codes can be suggested: each indicator's row and the labels it is known by.

    Attributes:
        indicators: code → its row of indicators.csv (text).
        labels: code → name_zh and the label_zh of every curated observation with that code.
        measures: code → the measures its observations use.
        unit_std: unit code → its standard unit (from units.csv).
        measure_units: measure code → the standard unit of its values (the measure vocabulary's unit_std).
    """

    indicators: dict[str, dict[str, str]]
    labels: dict[str, list[str]] = field(default_factory=dict)
    measures: dict[str, set[str]] = field(default_factory=dict)
    unit_std: dict[str, str] = field(default_factory=dict)
    measure_units: dict[str, str] = field(default_factory=dict)
    _grams: dict[str, list[set[str]]] = field(default_factory=dict, repr=False)
    _narrowing: dict[str, tuple[str, ...]] = field(default_factory=dict, repr=False)  # words all its labels have
    _stages: dict[str, frozenset[str]] = field(default_factory=dict, repr=False)  # stage words its labels name

    @classmethod
    def from_tables(cls, indicators: list[dict[str, str]], observations: list[dict[str, str]],
                    units: list[dict[str, str]], *, measure_units: dict[str, str] | None = None,
                    only_used: bool = False, leave_out: frozenset[str] = frozenset()) -> Codebook:
        """Build from table rows; ``leave_out`` drops a source's observations (and, with ``only_used``,
        every code no other source uses) — the leave-one-document-out evaluation."""
        obs = [r for r in observations if r.get("source_id") not in leave_out]
        used = {r["indicator"] for r in obs}
        rows = {r["indicator"]: r for r in indicators if not only_used or r["indicator"] in used}
        book = cls(rows, unit_std={r["unit"]: r["unit_std"] for r in units}, measure_units=dict(measure_units or {}))
        for code, row in rows.items():
            book.labels[code] = [row["name_zh"]]
            book.measures[code] = set()
        for r in obs:
            if r["indicator"] in rows:
                book.labels[r["indicator"]].append(r["label_zh"])
                book.measures[r["indicator"]].add(r["measure"])
        book._grams = {code: [_bigrams(_FILLER.sub("", x)) or _bigrams(x) for x in dict.fromkeys(labels)]
                       for code, labels in book.labels.items()}
        book._narrowing = {code: tuple(w for w in _NARROWING if all(w in normalize(x) for x in labels))
                           for code, labels in book.labels.items()}
        book._stages = {code: frozenset(w for w in _STAGES if any(w in normalize(x) for x in labels))
                        for code, labels in book.labels.items()}
        return book

    def __contains__(self, code: str) -> bool:
        return code in self.indicators


_LEVEL = re.compile(r"(国家|全国|省|市|县|区)(?:级|重点|认定)?(?=[\u4e00-\u9fff])")
_NOT_LEVEL = re.compile(r"全(?:市|区|县|省)|市本级|(?:省|市|县|区)(?:委|政府|长|外|内|场)|城市|区域|园区|社区|市场")


def _level(label: str) -> str | None:
    """The level of recognition a label names first (国家, 省, 市, 县/区), if any."""
    text = _NOT_LEVEL.sub("  ", normalize(label))
    m = _LEVEL.search(text)
    if not m:
        return None
    word = m.group(1)
    return {"全国": "国家", "区": "县"}.get(word, word)


def _kind_of(label: str, kind: str | None) -> str | None:
    if kind in {"stock", "flow"}:
        return kind
    text = normalize(label)
    if _STOCK.search(text):
        return "stock"
    if _FLOW.search(text):
        return "flow"
    return None


def suggest_codes(book: Codebook, label: str, *, measure: str, unit: str, kind: str | None = None,
                  n: int = 3) -> list[Suggestion]:
    """The ``n`` best codes for a candidate, best first (possibly fewer, never a code whose unit is wrong)."""
    grams = _bigrams(_FILLER.sub("", label)) or _bigrams(label)
    unit_std = book.unit_std.get(unit, "")
    want_kind = _kind_of(label, kind)
    want_level = _level(label)
    text = normalize(label)
    wanted_stages = frozenset(w for w in _STAGES if w in text)
    out = []
    for code, row in book.indicators.items():
        std = row.get("unit_std", "")
        if measure not in book.measure_units and unit_std and std and std != unit_std:
            continue  # a level (or a change of it) is in the indicator's standard unit (the validator's rule)
        if measure != "level" and book.measure_units.get(measure) == std and row.get("kind") not in {"rank", "index"}:
            continue  # a growth rate belongs to the quantity that grows, not to a rate indicator of its own
        score = max((_likeness(grams, g) for g in book._grams.get(code, [])), default=0.0)
        why = [f"label {score:.2f}"]
        ind_kind = row.get("kind", "")
        if {want_kind, ind_kind} == {"stock", "flow"}:  # (a basis is one its kind allows: the validator's rule)
            score *= 0.6
            why.append(f"{want_kind} vs {ind_kind}")
        narrower = [w for w in book._narrowing.get(code, ()) if w not in text]
        if narrower:  # 发明专利申请量 for 专利申请量: the indicator counts only some of what the label counts
            score *= 0.7
            why.append(f"only {'/'.join(narrower)}")
        stages = book._stages.get(code, frozenset())
        if stages and wanted_stages and not wanted_stages & stages:  # 申报数 for a code of 新认定 only
            score *= 0.7  # (and says so: the reviewer sees 申报 vs 认定 in code_why)
            why.append(f"{'/'.join(sorted(wanted_stages))} vs {'/'.join(sorted(stages))}")
        if want_level is not None:
            levels = {_level(x) for x in book.labels.get(code, [])} - {None}
            if levels and want_level not in levels:
                score *= 0.8
                why.append(f"level {want_level} vs {'/'.join(sorted(levels))}")
        measures = book.measures.get(code, set())
        if measure != "level" and measure in measures:
            score = min(1.0, score + 0.05)
            why.append(f"{measure} seen")
        if measure == "rank" and ind_kind == "rank":
            score = min(1.0, score + 0.05)
        if score > 0:
            out.append(Suggestion(code, round(score, 3), ", ".join(why)))
    out.sort(key=lambda s: (-s.score, s.code))
    return out[:n]


# ---------------------------------------------------------------------------------------------
# exclusion reasons

_DOC_NUMBER = re.compile(r"[〔\[【(（]\s*(?:19|20)\d{2}\s*[〕\]】)）]\s*\d+\s*号|索引号|[A-Z0-9]{10,}/")
_INDEX_LINE = re.compile(r"[0-9A-Z]{10,}/\d{4}-\d+")
_DATE = re.compile(r"^(?:(?:19|20)\d{2}(?:年|[-—–~至]|\.\d)|\d{1,2}(?:[-—–~至]\d{1,2})?月|\d{1,2}日|\d{1,2}[:：]\d{2})")
_YEARS = re.compile(r"(?:19|20)\d{2}\s*[-—–~至]\s*(?:19|20)?\d{2}")
_DATE_VERB = re.compile(r"(?:举办|开展|召开|截至|截止|自|于|在|从|到|至|和|、|及|与)\s?$")
_ORDINAL = re.compile(r"^第?[\d一二三四五六七八九十百]+(?:届|次会议|次全会|次常务|次党代会|期)")
_CONGRESS = re.compile(r"^大(?!产业|工程|行动|专项|规划|方面|平台)")
_ENUM_LINE = re.compile(r"^[\s\u3000]*[(（]?$")
_ENUM_AFTER = re.compile(r"^(?:[)）]|[、.．](?!\d)|是)")
_APPENDIX = re.compile(r"附件\s?[:：]?\s?$")
_LIST = re.compile(r"^[大个项类条张场支套方种]")
_PROGRAMME_AFTER = re.compile(r"^[^,，。;；\n、]{0,8}?(?:产业|理念)")
_PROGRAMME_WORD = re.compile(r"计划|行动|战略|工程|要求|部署|标准|政策|体系|决策|目标|活动|品牌")
_DURATION_BEFORE = re.compile(r"(?:连续|每)$")
_DURATION_AFTER = re.compile(r"^年(?:翻|来|以来|间|连续)")
_WIDER = re.compile(r"^[^,，。;；\n]{0,20}之一")
_NAME_AFTER = re.compile(r"^(?:强|佳|等(?!级)|代)")
_SPEC = re.compile(r"^(?:MW|KW|kW|GW|nm|mm|G|T|V|kV|Hz|GHz)(?![A-Za-z])")
_CHEMICAL = re.compile(r"^-[\u4e00-\u9fff]")
_CONTACT = re.compile(r"电话|传真|邮编|邮箱|网址|浏览|阅读|点击|访问量|字号")
_WORD_CHARS = set("一二两兩三四五六七八九十百千万零")
_ONE_WORD = re.compile(r"^(?:方面)")


def _table_cell(norm: str, start: int, end: int) -> str | None:
    """For a number alone on its line between "|" lines, or a whole cell of a row written on one line
    with tabs or two spaces between cells: "row" (a row number: the row's first cell; between | lines,
    the next cell is text) or "value" (a value cell: the cell before names a unit or the next cell is
    not text; on one line, any other cell)."""
    ls = norm.rfind("\n", 0, start) + 1
    le = norm.find("\n", end)
    le = len(norm) if le < 0 else le
    before, after = row_cell_edges(norm, start, end)
    if after and not norm[ls:start].strip():
        return "row"
    if before and (after or end == le):
        return "value"
    if norm[ls:le].strip() != norm[start:end]:
        return None
    before = norm[max(0, ls - 3):ls]
    after = norm[le:le + 3]
    if "|" not in before and "|" not in after:
        return None
    prev_cell_end = norm.rfind("\n|", 0, ls)
    prev_cell = norm[norm.rfind("|", 0, max(prev_cell_end, 0)) + 1:prev_cell_end] if prev_cell_end > 0 else ""
    if re.search(r"单位\s?[:：]", prev_cell) or prev_cell.strip().endswith("指数"):
        return "value"
    return "row"


def exclusion_reason(norm: str, start: int, end: int, *, chrome: bool, values: set[float],
                     value: float) -> tuple[str, str]:
    """A reason code of ``exclusion_reason`` for the number at ``norm[start:end]`` and why.

    Args:
        norm: the normalized text.
        start, end: the number's span.
        chrome: the number stands in a page-chrome part.
        values: the values of the document's candidate rows (a number equal to one is a restatement).
        value: the number's value.
    """
    before, after = norm[max(0, start - 12):start], norm[end:end + 16]
    line_start = norm.rfind("\n", 0, start) + 1
    line_end = norm.find("\n", end)
    line = norm[line_start:line_end if line_end >= 0 else len(norm)]
    token = norm[start:end]
    chinese = all(ch in _WORD_CHARS for ch in token)
    if chrome or _CONTACT.search(norm, line_start, start):
        return "page_chrome", "in a page-chrome part or a contact line"
    if _DOC_NUMBER.search(norm, max(0, start - 12), min(len(norm), end + 6)) or _INDEX_LINE.search(line):
        return "document_number", "a document or index number"
    if _APPENDIX.search(before):
        return "enumeration", "an appendix number (附件N)"
    cell = _table_cell(norm, start, end)
    if cell == "row":
        return "enumeration", "a table's row number (its row's first cell)"
    if cell == "value" and value in values:
        return "restatement", "a table cell restating a value of the text"
    if _YEARS.search(norm, max(0, start - 6), end + 6):
        return "date_time", "a span of years"
    unit_next = bool(after) and (after[0] in lexicon().start_chars or after[0] in OTHER_CLASSIFIERS)  # 2015家
    if re.fullmatch(r"(?:19|20)\d{2}", token) and not unit_next:
        if re.search(r"[\u4e00-\u9fff]\s?$", before) and not _DATE_VERB.search(before) and not after.startswith("年"):
            return "named_programme", "a year inside a programme's name (…2025)"
        return "date_time", "a year"
    if _DATE.match(norm, start) or _DATE.match(token + after):
        return "date_time", "a date or a time"
    if _ORDINAL.match(token + after) or (chinese and 10 < value < 40 and _CONGRESS.match(after)):
        return "ordinal_session", "an ordinal of a session or congress (第N届/次, 十八大)"
    if (_ENUM_LINE.match(norm[line_start:start]) and _ENUM_AFTER.match(after)) or after.startswith("是"):
        return "enumeration", "a list or section number"
    if chinese and value == 1 and _ONE_WORD.match(after):
        return "enumeration", "一方面"
    if _DURATION_BEFORE.search(before) or _DURATION_AFTER.match(after):
        return "duration", "the length of a period qualifying a fact (连续N年, 每N年, N年翻…)"
    if _WIDER.match(after) and not re.match(r"^[\d.]", after):
        return "wider_set", "the size of a wider set (…之一)"
    if _SPEC.match(after):
        return "technical_spec", "a technical specification (a unit in letters)"
    if _CHEMICAL.match(after) or _NAME_AFTER.match(after):
        return "proper_name", "part of a name (N强, N佳, N等奖, 第N代, a chemical name)"
    if after.startswith("年内"):
        return "policy_rule", "a rule's period (N年内…)"
    if re.match(r"^年(?:行动计划|规划|计划)", after):
        return "named_programme", "the years in a plan's name (三年行动计划)"
    if not chinese and not unit_next and re.match(r"^[\u4e00-\u9fff]{1,8}?[日周节]", after):
        return "proper_name", "the date in the name of a day or week (5.12防灾减灾日)"
    if after.startswith("条") and re.search("政", before):
        return "named_programme", "the number of articles naming a policy (新政27条)"
    quoted_open = max(before.rfind("“"), before.rfind("《"), before.rfind("\""))
    quoted_close = max(before.rfind("”"), before.rfind("》"))
    if quoted_open > quoted_close:
        q_start = start - (len(before) - quoted_open) + 1
        q_end = norm.find("”", start) if norm.find("”", start) >= 0 else end
        inside = norm[q_start:q_end]
        tail = norm[q_end + 1:q_end + 9]
        if re.fullmatch(r"[\dA-Za-z+]+", inside):
            return "named_programme", "a quoted number naming a programme (“365”, “1+X”)"
        if _PROGRAMME_WORD.search(inside) or _PROGRAMME_WORD.search(tail[:6]):
            return "named_programme", "inside the quoted name of a programme, campaign or policy"
        if re.match(r"^[一二两三四五六七八九十]+个", inside):
            return "list_announcement", "a quoted count that announces a list (“三个转变”)"
        if re.fullmatch(r"一.一", inside):
            return "word_not_number", "一 inside a quoted set phrase (“一对一”)"
        return "proper_name", "inside a quoted name"
    if re.search(r"[A-Za-z]", norm[max(0, start - 1):start] + norm[end:end + 1]):
        return "proper_name", "a number written inside a name (letters next to it)"
    if not chinese and "." in token and not unit_next and re.match(r"^[\u4e00-\u9fff]", after):
        return "proper_name", "a version number inside a name (梦想4.0)"
    if before.endswith("第"):
        return "word_not_number", "第N inside a word (第三方, 第一方阵)"
    if _LIST.match(after) and value <= 20:
        if after.startswith("大") and not re.match(r"^(?:专项|规划|工程|方面|平台)", after[1:]) and \
                _PROGRAMME_AFTER.match(after[1:]):
            return "named_programme", "a fixed group named by its number (N大…产业)"
        if chinese and value == 1:
            return "word_not_number", "一 with a classifier: a word, not a count (一支, 一个时期)"
        return "list_announcement", "a small count that announces a list (N大/N个/N项…)"
    if not chinese and not unit_next and re.match(r"^[\u4e00-\u9fff]", after) and value >= 100 and \
            value.is_integer():
        return "named_programme", "a number naming a programme or system (3315计划)"
    if value in values and not chinese:
        return "restatement", "the value of a candidate row stated again"
    if chinese:
        return "word_not_number", "a numeral inside a word"
    return "policy_rule", "a number that is neither a fact nor a name: check (a rule's parameter?)"
