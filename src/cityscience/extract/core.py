"""``extract()``: turn a report into candidate observation rows, each with its evidence.

The pipeline reads the input (:mod:`.reading`), normalizes it without moving
characters (:func:`cityscience.textnorm.normalize`, the normalizer validation
uses too), masks spans whose numbers are never facts
(:mod:`.masking`), infers the report's parts and years (:mod:`.structure`),
finds quantities (:mod:`.quantities`) and what they measure (:mod:`.relations`),
then gives each one a label, verbatim evidence with offsets, a status and a
year, and folds restatements of the same fact into one row.

Nothing here knows any particular document, place or number; and nothing
reads the curated observations (evaluation compares afterwards, in
:mod:`.evaluate`).
"""

from __future__ import annotations

import bisect
import os
import re
import unicodedata
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import numpy as np
import pandas as pd

from ..textnorm import TABLE_ROW_GAP, normalize, row_cells
from .lexicon import Lexicon, Unit, lexicon
from .masking import mask_spans
from .offsets import char_offsets, code_points
from .quantities import BREAKING_ZERO, Quantity, scan
from .reading import Document, read_report
from .relations import assign_measures, change_words_start, growth_under_heading, share_across_lists
from .structure import (
    DocumentInfo,
    PartSpec,
    analyse,
    find_cues,
    parse_parts,
    sentence_bounds,
    status_and_year,
    structure_warnings,
)

__all__ = ["CANDIDATE_COLUMNS", "Candidate", "candidates_frame", "extract", "extract_candidates"]

CANDIDATE_COLUMNS = [
    "obs_id", "source_id", "region", "year", "indicator", "label_zh", "measure", "status", "qualifier",
    "value", "value_high", "unit", "value_std", "value_high_std", "unit_std", "evidence", "note",
    "kind", "confidence", "reason", "evidence_start", "evidence_end", "value_start", "value_end",
    "line", "column", "restated_at",
]

_CLAUSE_BOUNDARY = ",，、;；。：:!?！？\n"
_PARENS = re.compile(r"\([^()\n]{0,30}\)")
_LEAD = re.compile(r"^[\s•·\u3000]*(?:其中|并且|并|且|同时|另外|此外|以及|而且|还有|还)?"
                   # when and the modal of a plan are not what is counted: 今年要实现…, 今年将新建…
                   r"(?:今年(?:要|将|还要)|今年(?=预计|有望|预期|力争|争取|确保))?"
                   r"(?:预计|有望|预期|力争|争取|确保)?"
                   # who reports and the verb of reporting are not what is counted: 我区新认定…,
                   # 全年实现…, 全年完成… (a scope such as 全市 stays: 全市实现… → 全市…)
                   r"(?:我(?:市|区|县|局|省|委)|(?:全年|今年|当年)(?:实现|完成|共)|实现|完成)?")
_SCOPES = ("全市", "全区", "全县", "全省", "全国", "市本级")
_SCOPE_VERB = re.compile(r"^(?:全市|全区|全县|全省|全国|市本级)(?:实现|完成|共)(?=[\u3400-\u9fff])")
# Words that end a label before its number (…达到 185亿元), longest first: the longest one the label
# ends with is cut (endswith, not a pattern anchored with $, which the regex engine tries at every offset).
_TRAIL = tuple(sorted(("达到", "达", "为", "是", "有", "共计", "共", "合计", "总计", "完成", "实现", "可", "将", "要",
                       "预计", "有望", "力争", "争取", "确保",
                       # rising to a level (提高到3.2%): the verb is not what is counted
                       *(verb + to for verb in ("提高", "提升", "增加", "增长", "扩大") for to in ("到", "至"))),
                      key=len, reverse=True))
_INDEX = re.compile(r"指数(?:达到|达|为|是|提高到|提升到|升至)?$")
_TABLE_UNIT = re.compile(r"\(单位[:：]\s?([^()\s]{1,8})\)")
_STOCK = re.compile(r"累计|有效|目前|总数|已有|现有|共有|存量|总量|总规模")
_FLOW = re.compile(r"新认定|新培育|新增|新建|新设立|新引进|新成立|全年|当年|新落户|新获批|新入选|新备案")
_COPULA_END = re.compile(r"(?:达到|达|为)$")
_TARGET_AFTER = re.compile(r"的(?:年度|预期|发展)?目标(?!任务|企业|客户|群体|清单|名单)")  # 75%的目标: a target
_LIST_NEXT = re.compile(r"\s?(?:、|和|及|与|至|到|~|-)\s?")
_POST_STOP = re.compile(r"[\d和及与、]")
# A clause that continues the subject of the clause before it: a change, a share or a list
# item of the same quantity (…270亿元,占地区生产总值比重2.45%; …185亿元,同比增长12.5%).
_CONTINUES = re.compile(r"[ \u3000]*(?:\d|同比|比上年|比去年|较上年|较去年|较|比|增长|增速|增幅|增加(?!值)|提高|上升|下降|减少|"
                        r"降低|占|年均|是上年|为上年|相当于|其中|分别|约|可达|达到|超过|突破|高于|低于)")
_QUOTE_MARKS = re.compile(r"[“”\"‘’「」]")
_CHANGE_MEASURES = frozenset({"yoy_pct", "pp_change", "pp_diff", "multiple", "rank_change", "abs_change"})
_MAX_EVIDENCE = 100
_MAX_CLAUSE = 80
# How many earlier candidates a damaged number or a restatement is compared with: enough
# for any report, and it keeps the cost linear on huge inputs.
_INFER_WINDOW = 400
_FOLD_WINDOW = 50


@dataclass
class Candidate:
    """A proposed observation: one quantity with its context."""

    q: Quantity
    label: str
    evidence_start: int
    evidence_end: int
    status: str
    year: int | None
    kind: str
    unit_written: str
    reasons: list[str] = field(default_factory=list)
    restated_at: list[int] = field(default_factory=list)


class _Text:
    """The text with the lookups every candidate needs: clauses, sentences, lines."""

    def __init__(self, text: str, norm: str, enum: bytearray | None = None, lex: Lexicon | None = None):
        self.lex = lex if lex is not None else lexicon()
        self.text = text
        self.norm = norm
        self.enum = enum if enum is not None else bytearray(len(norm))
        points = code_points(norm)
        clauses = char_offsets(points, _CLAUSE_BOUNDARY)
        # A comma between a digit and exactly three digits is a thousands separator (12,957).
        drop = {i for i in clauses if norm[i] == "," and 0 < i and norm[i - 1].isdigit()
                and norm[i + 1:i + 4].isdigit() and len(norm[i + 1:i + 4]) == 3 and not norm[i + 4:i + 5].isdigit()}
        # Punctuation inside short parentheses does not end a clause: 新培育科技型初创企业(雏鹰、青蓝)300家.
        for m in _PARENS.finditer(norm):
            lo, hi = bisect.bisect_left(clauses, m.start()), bisect.bisect_left(clauses, m.end())
            drop.update(clauses[lo:hi])
        self.clauses = [i for i in clauses if i not in drop] if drop else clauses
        self.sentences = sentence_bounds(points)
        self.newlines = char_offsets(points, "\n")  # the normalized text has the line ends of the text
        self.line_cells: dict[int, list[tuple[int, int]] | None] = {}  # by line start, see _line_cells
        self.table_lines: dict[int, _TableLine | None] = {}  # by line start, see _table_line

    def clause_start(self, pos: int) -> int:
        """Start of the clause holding ``pos``, at most _MAX_CLAUSE characters back (so that
        text without punctuation costs linear time, not quadratic)."""
        i = bisect.bisect_left(self.clauses, pos) - 1
        return max(self.clauses[i] + 1 if i >= 0 else 0, pos - _MAX_CLAUSE)

    def clause_index(self, pos: int) -> int:
        return bisect.bisect_left(self.clauses, pos)

    def clause_end(self, pos: int) -> int:
        i = bisect.bisect_left(self.clauses, pos)
        return self.clauses[i] if i < len(self.clauses) else len(self.norm)

    def cue_reaches(self, cue: int, pos: int, quantities: list[int]) -> bool:
        """Whether a status cue at ``cue`` governs the number at ``pos`` later in its sentence.

        It governs its own clause and the clauses after it up to the first boundary after a
        quantity that is followed by a clause with a subject of its own (see _CONTINUES);
        an item after 、 always continues the list.
        """
        first, last = self.clause_index(cue), self.clause_index(pos)
        norm, clauses = self.norm, self.clauses
        for k in range(first, last):
            boundary = clauses[k]
            lo = cue if k == first else clauses[k - 1]
            j = bisect.bisect_left(quantities, lo)
            if j < len(quantities) and quantities[j] < boundary and norm[boundary] != "、" \
                    and not _CONTINUES.match(norm, boundary + 1):
                return False
        return True

    def year_reaches(self, year: int, pos: int) -> bool:
        """A year stated in a time clause that ends with 后 (继2021年…“破零”后,) does not date
        the clauses after it."""
        norm, clauses = self.norm, self.clauses
        for k in range(self.clause_index(year), self.clause_index(pos)):
            if norm[clauses[k] - 1:clauses[k]] == "后":
                return False
        return True

    def sentence_end(self, pos: int) -> int:
        i = bisect.bisect_left(self.sentences, pos)
        return self.sentences[i] if i < len(self.sentences) else len(self.norm)

    def sentence_start(self, pos: int) -> int:
        i = bisect.bisect_left(self.sentences, pos) - 1
        return self.sentences[i] + 1 if i >= 0 else 0

    def line_start(self, pos: int) -> int:
        i = bisect.bisect_left(self.newlines, pos)
        return self.newlines[i - 1] + 1 if i else 0

    def line_end(self, pos: int) -> int:
        i = bisect.bisect_left(self.newlines, pos)
        return self.newlines[i] if i < len(self.newlines) else len(self.text)


_NOT_IN_BIGRAMS = str.maketrans("", "", "…()（） ,，、")


@lru_cache(maxsize=65536)
def _bigrams(label: str) -> frozenset[str]:
    s = label.translate(_NOT_IN_BIGRAMS)
    return frozenset(s[i:i + 2] for i in range(len(s) - 1))


def _similar(a: str, b: str, *, strict: bool = False) -> float:
    """Share of common character pairs: of the shorter label, or of both (``strict``)."""
    x, y = _bigrams(a), _bigrams(b)
    if not x or not y:
        return 0.0
    return len(x & y) / (len(x | y) if strict else min(len(x), len(y)))


def _significant_digits(value: float) -> int:
    digits = f"{abs(value):.6f}".rstrip("0").rstrip(".").replace(".", "").lstrip("0").rstrip("0")
    return len(digits)


def _strip_label(orig: str, norm: str) -> str:
    """The label words of a clause: connectors, status cues and copulas (达, 为) removed.

    Matching runs on the normalized text; the slice returned is of the original, so that
    traditional characters stay as written.
    """
    start = _LEAD.match(norm).end()
    end = len(norm)
    for _ in range(3):
        was = end
        if norm.endswith(_TRAIL, start, end):  # one call for all the words; which one only when one does
            end -= len(next(w for w in _TRAIL if norm.endswith(w, start, end)))
        if norm.endswith("分别", start, end):
            end -= 2
        if end == was:
            break  # nothing cut: the next round would find the same
    if end - start > 1 and norm[end - 1] == "的":
        end -= 1  # 占营业收入的2.72%: the 的 joins the label to the number
    verb = _SCOPE_VERB.match(norm, start) if norm.startswith(_SCOPES, start) else None
    if verb and verb.end() < end:
        cut = verb.end() - 2
        return (orig[start:cut] + orig[verb.end():end]).strip()
    return orig[start:end].strip()


def _resolve_unitless(q: Quantity, t: _Text, nxt: Quantity | None, labelled: list[Candidate],
                      row: _Row | None = None) -> str | None:
    """Give a unit to a number written without one, or return None to drop it (``row``: the table row
    written on one line the number is a cell of, :func:`_row_of`)."""
    norm = t.norm
    cs = t.clause_start(q.start)
    before = norm[max(cs, q.start - 12):q.start]
    if _INDEX.search(before):
        q.unit, q.unit_implied = "指数", True
        q.reasons.append("index value (指数 written before the number)")
        return "index"
    line_start, line_end = t.line_start(q.start), t.line_end(q.end)
    prev_line_start = t.line_start(line_start - 1) if line_start else 0
    if line_start and norm[line_start:line_end].strip() == norm[q.start:q.end] and \
            norm[prev_line_start:line_start - 1].strip() == "|":
        # A table written one cell per line between "|" lines: the row heading is the cell before.
        cell_end = max(prev_line_start - 1, 0)
        cell_start = norm.rfind("|", max(0, cell_end - 200), max(cell_end, 0)) + 1
        cell = norm[cell_start:cell_end]
        m = _TABLE_UNIT.search(cell)
        if m:
            q.unit, q.unit_implied = m.group(1), True
            q.reasons.append(f"table cell; unit from the row heading (单位:{m.group(1)})")
            q.confidence -= 0.1
            growth_under_heading(q, cell[:m.start()])
            return "table:" + str(cell_start)
        if cell.strip().endswith("指数"):
            q.unit, q.unit_implied = "指数", True
            q.reasons.append("table cell of an index")
            return "table:" + str(cell_start)
        return None
    if row is not None and _row_cell(q, t, row):
        return "row"
    if norm[q.start - 1:q.start] == "(" and norm[q.end:q.end + 1] == ")":
        return _bracketed_comparison(q, t, labelled)
    if nxt is not None and nxt.unit is not None and _LIST_NEXT.fullmatch(norm[q.end:nxt.start]) \
            and nxt.measure == "level":
        q.unit, q.unit_span, q.unit_implied = nxt.unit, nxt.unit_span, True
        q.reasons.append("unit shared with the next item of the list")
        return "list"
    if _COPULA_END.search(before):
        pre = _strip_label(t.text[cs:q.start], norm[cs:q.start])
        recent = labelled[-_INFER_WINDOW:]
        best = max(recent, key=lambda c: _similar(c.label, pre), default=None)
        if best is not None and best.q.unit is not None and _similar(best.label, pre) >= 0.6 and \
                best.q.measure == "level":
            q.unit, q.unit_span, q.unit_implied = best.q.unit, None, True
            q.confidence = 0.4
            q.reasons.append(f"no unit written (damaged text?): {best.q.unit} taken from "
                             f"'{best.label}' at offset {best.q.start}")
            return "inferred"
    return None


# A table written a row per line, its cells apart by tabs or by two or more spaces (as a table pasted
# from a web page or a word processor reads): a header line naming the columns (指标, 单位, 2023年实际,
# 2024年目标), then rows of a label (its unit in brackets, in a 单位 column or in the cells) and values.
_ROW_MARKER = re.compile(r"\s*(?:[0-9]{1,2}[.、．]|[(（][0-9]{1,2}[)）])\s*")
_ROW_UNIT = re.compile(r"[(（]\s*(?:单位[:：]\s*)?([^()（）\s]{1,8})\s*[)）]\s*$")
_ROW_NUMBER = re.compile(r"[-−]?[0-9][0-9,.]*%?")
_ROW_EMPTY = re.compile(r"[—–－\-/]*")  # an empty cell, or one written as a dash
_HEADER_WORD = re.compile(r"(?:19|20)[0-9]{2}|目标|计划|预期|预计|实际|完成|指标|项目|名称|单位|序号")
_HEADER_YEAR = re.compile(r"((?:19|20)[0-9]{2})(?![0-9])")
_HEADER_STATUS = (("target", re.compile("目标|计划|力争|预期")), ("estimate", re.compile("预计")),
                  ("actual", re.compile("实际|完成|实绩|现状|基数")))
# a column of changes, ranks or shares is not a level in the row's unit: left to the reviewer
_HEADER_NOT_LEVEL = re.compile(r"增长|增速|增幅|同比|环比|排名|排位|位次|完成率|占比|比重|百分比|进度")
_UNIT_HEADER = re.compile(r"(?:计量)?单位")
_LABEL_HEADER = re.compile(r"(?:主要)?(?:指标|项目)(?:名称)?|名称|类别|内容")
_HEADER_LOOKBACK = 40  # lines between a row and its table's header, at most
_BRACKETED_TEXT = re.compile(r"[(（][^()（）]*[)）]")


@dataclass(frozen=True)
class _Row:
    """A quantity that is a whole cell of a table row: its row's label, its column's header, the unit the
    row or the column gives (None: none)."""

    label_start: int
    label_end: int
    header: str
    unit: str | None
    unit_written: str


@dataclass(frozen=True)
class _TableLine:
    """A line written as a table row: its cells, where each starts, the first cell that is text (the
    row's label; None: none) and the cells of its table's header line (None: no header found)."""

    cells: list[tuple[int, int]]
    column: dict[tuple[int, int], int]
    label: int | None
    header: list[tuple[int, int]] | None


_NOT_SPACE = re.compile(r"\S")


def _line_cells(t: _Text, start: int) -> list[tuple[int, int]] | None:
    """The cells of the line starting at ``start`` when it is written as a table row ([] for a blank
    line, None for a line of prose), worked out once per line: a long line of prose with many numbers
    is read once, not once per number."""
    try:
        return t.line_cells[start]
    except KeyError:
        pass
    norm, end = t.norm, t.line_end(start)
    if TABLE_ROW_GAP.search(norm, start, end):
        cells: list[tuple[int, int]] | None = row_cells(norm[start:end], start)
    else:
        cells = [] if not _NOT_SPACE.search(norm, start, end) else None
    t.line_cells[start] = cells
    return cells


def _table_line(t: _Text, start: int) -> _TableLine | None:
    """The line starting at ``start`` read as a row of a table under a header line with as many cells
    that names its columns (the header searched for once per line); None for a line of prose."""
    if start in t.table_lines:
        return t.table_lines[start]
    t.table_lines[start] = None  # (kept for a line that is no table row)
    cells = _line_cells(t, start)
    if not cells or len(cells) < 2:
        return None
    norm = t.norm
    label_k = next((k for k, (a, b) in enumerate(cells) if not _ROW_NUMBER.fullmatch(norm[a:b])
                    and not _ROW_EMPTY.fullmatch(norm[a:b])), None)
    header = None
    end = start - 1
    for _ in range(_HEADER_LOOKBACK if label_k is not None else 0):
        if end <= 0:
            break
        above_start = t.line_start(end)
        above = _line_cells(t, above_start)
        if above == []:
            end = above_start - 1
            continue  # a blank line
        if above is None or len(above) != len(cells):
            break  # not a row of the same table
        texts = [norm[x:y] for x, y in above]
        years_only = _LABEL_HEADER.fullmatch(texts[label_k]) and all(
            _HEADER_YEAR.fullmatch(x) for x in texts[label_k + 1:] if x)  # 指标  2023  2024
        if (years_only or not any(_ROW_NUMBER.fullmatch(x) for x in texts[label_k:])) and \
                not all(_ROW_EMPTY.fullmatch(x) for x in texts[label_k + 1:]) and \
                _HEADER_WORD.search(norm, above_start, end):
            header = above
            break
        end = above_start - 1
    line = t.table_lines[start] = _TableLine(cells, {cell: k for k, cell in enumerate(cells)}, label_k, header)
    return line


def _row_of(q: Quantity, t: _Text) -> _Row | None:
    """The table row (written on one line) a quantity is a whole value cell of, under a header line with
    as many cells that names its columns; None for a number of prose."""
    line = _table_line(t, t.line_start(q.start))
    if line is None or line.header is None or line.label is None:
        return None
    column = line.column.get((q.q_start, q.q_end))
    if column is None or line.label >= column:
        return None
    norm, cells, header, label_k = t.norm, line.cells, line.header, line.label
    heading = norm[header[column][0]:header[column][1]]
    a, b = cells[label_k]
    in_label = _ROW_UNIT.search(norm, a, b)
    unit = _ROW_UNIT.search(norm, header[column][0], header[column][1]) or in_label
    unit_code, written = (unit.group(1), unit.group()) if unit else (None, "")
    label_end = in_label.start() if in_label is not None else b
    if unit_code is None:  # a 单位 column
        k = next((k for k, (x, y) in enumerate(header) if _UNIT_HEADER.fullmatch(norm[x:y])), None)
        if k is not None and k != column:
            unit_code, written = norm[cells[k][0]:cells[k][1]], f"单位 {norm[cells[k][0]:cells[k][1]]}"
    if unit_code is not None and not t.lex.unit_info(unit_code).std:
        unit_code = None
    marker = _ROW_MARKER.match(norm, a, b)
    return _Row(marker.end() if marker else a, label_end, heading, unit_code, written)


def _reads_as_row(q: Quantity, row: _Row) -> bool:
    """Whether a value cell is read as its row's value (giving a number without a unit the unit the row
    gives): a level, or a growth rate under a growth column (增速(%), 同比增长); a cell of a rank or
    share column is left to the text's rules and the reviewer."""
    unitless = q.unit is None
    if unitless:
        if row.unit is None:
            return False
        q.unit, q.unit_implied = row.unit, True
    if _HEADER_NOT_LEVEL.search(row.header):
        growth_under_heading(q, _BRACKETED_TEXT.sub("", row.header))
        if q.measure == "level":
            if unitless:
                q.unit, q.unit_implied = None, False
            return False
    return True


def _row_cell(q: Quantity, t: _Text, row: _Row) -> bool:
    """Give a number without a unit that is a value cell of ``row`` the row's unit (its label's
    研发经费投入强度(%), a 单位 column or its column's header); False when the row gives none."""
    if not _reads_as_row(q, row):
        return False
    q.reasons.append(f"table row; unit from {row.unit_written}, column {row.header!r}")
    _per_unit(q, t)  # 每万人高价值发明专利拥有量(件): 件/万人
    q.confidence -= 0.1
    return True


def _column_status(row: _Row, part_year: int | None) -> tuple[str, int | None]:
    """The status and year a value cell's column header gives ('' and None where it gives none): a
    year with no status word is a target when it comes after the part's year, else as the text says."""
    year = _HEADER_YEAR.search(row.header)
    status = next((kind for kind, pattern in _HEADER_STATUS if pattern.search(row.header)), "")
    column_year = int(year.group(1)) if year else None
    if not status and column_year is not None and part_year is not None and column_year > part_year:
        status = "target"
    return status, column_year


_BRACKETED = "bracketed comparison figure"
_COMPARISON = re.compile(r"高于|低于|超过|超出|领先|落后|相比|对比|比较|平均|水平|均值")
_BRACKET_YEAR = re.compile(r"(?:19|20)\d{2}")


def _bracketed_comparison(q: Quantity, t: _Text, labelled: list[Candidate]) -> str | None:
    """全国(6.3)、全省(12.9)平均水平: a figure in brackets after the name of what it stands for,
    compared with a figure of the same sentence, takes that figure's unit. A bracketed year
    (2019) or a number in a sentence that compares nothing is not one."""
    norm = t.norm
    if _BRACKET_YEAR.fullmatch(norm[q.start:q.end]):
        return None
    ss = t.sentence_start(q.start)
    if not _COMPARISON.search(norm, ss, t.sentence_end(q.end)):
        return None
    base = next((c for c in reversed(labelled[-20:]) if c.q.start >= ss and c.q.measure == "level"
                 and c.q.unit is not None and not c.q.reasons[-1:] == [_BRACKETED]), None)
    if base is None:
        return None
    q.unit, q.unit_span, q.unit_implied = base.q.unit, None, True
    q.confidence = 0.6
    q.reasons.append(f"unit {base.q.unit} of the figure compared (offset {base.q.start})")
    q.reasons.append(_BRACKETED)
    return f"bracket:{len(labelled) - 1 - labelled[::-1].index(base)}"


_COMPARATOR_LEAD = re.compile(r"^(?:远|明显|大幅|均)?(?:高于|低于|超过|超出|领先于?|落后于?)?")
_AFTER_BRACKET = re.compile(r"[^\d,，、;；。:：()\n]{0,8}")


def _comparison_label(q: Quantity, t: _Text, base: Candidate) -> tuple[str, int, int]:
    """Label (what is compared, and with what) and evidence of a bracketed comparison figure."""
    cs = t.clause_start(q.start)
    name = t.norm[cs:q.start - 1]
    name_start = cs + _COMPARATOR_LEAD.match(name).end()
    after = _AFTER_BRACKET.match(t.norm, q.end + 1)
    tail = after.group() if after and after.group().endswith(("平均", "平均水平", "水平", "均值")) else ""
    scope = t.text[name_start:q.start - 1].strip() + ("平均" if "平均" in tail else "")
    ev_end = q.end + 1 + len(tail)
    return f"{base.label}({scope})", base.evidence_start, ev_end


_PER_PERSON = re.compile(r"每万人")
_PER_DAY = re.compile(r"每天|每日|日均")


def _per_unit(q: Quantity, t: _Text) -> None:
    """每万人…38件 is 38 件/万人; 平均每天15000篇 is 15000 篇/天."""
    if t.lex.unit_info(q.unit).std != "count":
        return
    cs = t.clause_start(q.q_start)
    before = t.norm[cs:q.q_start]
    for pattern, per in ((_PER_PERSON, "万人"), (_PER_DAY, "天")):
        m = pattern.search(before)
        if m:
            q.unit = f"{q.unit}/{per}"
            q.unit_implied = True
            q.reasons.append(f"{m.group()} → per {per}")
            return


def _label_and_evidence(q: Quantity, t: _Text, prev: Candidate | None) -> tuple[str, int, int]:
    """Label words, and the evidence span: the clause up to the quantity (and the words after
    it when they name what is counted, as in 引进1000名海外高层次人才)."""
    text, norm = t.text, t.norm
    cs = t.clause_start(q.q_start)
    ss = t.sentence_start(q.q_start)
    while cs < q.q_start and (t.enum[cs] or norm[cs] in " \t\u3000•·"):
        cs += 1  # an enumeration (一是, 1.) or a bullet is not part of the label
    if prev is not None and cs < prev.q.q_end <= q.q_start:
        # 累计分别达517家和921家: the second label starts after the first quantity.
        cs = prev.q.q_end
        while cs < q.q_start and norm[cs] in "和及与、 ":
            cs += 1
    raw_pre = text[cs:q.q_start]
    pre = _strip_label(raw_pre, norm[cs:q.q_start])
    ce = min(t.clause_end(q.q_end), q.q_end + 24)
    stop = _POST_STOP.search(norm, q.q_end, ce)
    if stop:
        ce = stop.start()  # the words after stop at the next number, list word or enumeration
    while ce > q.q_end and t.enum[ce - 1]:
        ce -= 1
    for i in range(q.q_end, ce):
        if t.enum[i]:
            ce = i
            break
    post_raw = text[q.q_end:ce]
    post = post_raw.strip()
    post = post[1:] if post.startswith("的") else post
    ev_start = cs + (len(raw_pre) - len(raw_pre.lstrip(" \t\u3000•·")))
    ev_end = q.q_end
    same_sentence = prev is not None and prev.evidence_start >= ss and prev.q.q_end <= q.q_start
    subject = ""
    if q.measure in _CHANGE_MEASURES:
        # 科技贷款余额年均增长15%: the subject is in the clause; 增长9.8%: it is the level before.
        cut = change_words_start(norm[cs:q.q_start])
        subject = _strip_label(text[cs:cs + cut], norm[cs:cs + cut])
        if q.measure == "multiple" and norm[cs:cs + 1] in {"是", "为", "比", "较"}:
            subject = ""
    if q.measure in _CHANGE_MEASURES and len(subject) >= 2:
        label = f"{subject}…{post}" if post and q.measure == "multiple" else subject
    elif q.measure in _CHANGE_MEASURES and same_sentence:
        label = prev.label
        ev_start = min(ev_start, prev.evidence_start)
    elif same_sentence and (len(pre) < 4 and not post or len(pre) < 2 and len(post) < 4):
        label = "…".join(x for x in (prev.label, pre, post) if x)
        ev_start = min(ev_start, prev.evidence_start)
    elif pre and post:
        label = f"{pre}…{post}"
    else:
        label = pre or post
    if post and label.endswith(post):
        ev_end = q.q_end + len(post_raw.rstrip())
    if ev_end - ev_start > _MAX_EVIDENCE:
        ev_start = max(ev_start, q.q_start - _MAX_EVIDENCE // 2)
        ev_end = min(ev_end, max(q.q_end, ev_start + _MAX_EVIDENCE))
    return label, ev_start, ev_end


def extract_candidates(doc: Document, year: int | None = None, parts: list[PartSpec] | None = None,
                       lex: Lexicon | None = None) -> tuple[list[Candidate], DocumentInfo]:
    """The candidates of a document that has been read, and what was inferred about it
    (or given: ``parts`` replaces the detected parts, see :func:`.structure.parse_parts`)."""
    text = doc.text
    norm = normalize(text)
    mask, spans = mask_spans(norm)
    quotes = bytearray(len(norm))
    enum = bytearray(len(norm))
    for start, end, reason in spans:
        if reason == "quoted_name":
            quotes[start:end] = b"\x01" * (end - start)
        elif reason == "enumeration":
            enum[start:end] = b"\x01" * (end - start)
    info = analyse(norm, year, text, parts, normalize)
    if info.title_prefix is not None:
        start, end = info.title_prefix  # breadcrumbs or injected text before the title: not the report's
        mask[start:end] = b"\x01" * (end - start)
    for part, end in info.part_bounds(len(norm)):
        if part.kind == "chrome":
            mask[part.start:end] = b"\x01" * (end - part.start)  # page furniture: nothing in it is proposed
    cues = find_cues(norm, quotes)
    lex = lex if lex is not None else lexicon()
    t = _Text(text, norm, enum, lex)
    quantities = scan(norm, mask, t.clause_start, lex)
    share_across_lists(quantities, norm)
    assign_measures(quantities, norm, t.clause_start)
    starts = [q.start for q in quantities]

    out: list[Candidate] = []
    prev: Candidate | None = None
    for i, q in enumerate(quantities):
        origin = "text"
        row = _row_of(q, t)  # the table row written on one line the quantity is a value cell of, or None
        if q.unit is not None and not q.unit_implied and "/" not in q.unit:
            _per_unit(q, t)
        if q.unit is None:
            nxt = quantities[i + 1] if i + 1 < len(quantities) else None
            origin = _resolve_unitless(q, t, nxt, out, row)
            if origin is None:
                continue
        label, ev_start, ev_end = _label_and_evidence(q, t, prev)
        if q.reasons[:1] == [BREAKING_ZERO]:  # 省级科技企业孵化器“再… → 省级科技企业孵化器
            label = _QUOTE_MARKS.sub("", label.split("…")[0]).rstrip("再")
        if origin.startswith("bracket:"):
            label, ev_start, ev_end = _comparison_label(q, t, out[int(origin.split(":")[1])])
        if origin.startswith("table:"):
            # The row heading cell is the label; the evidence runs from it to the value cell.
            cell_start = int(origin.split(":")[1])
            block = text[cell_start:q.start]
            heading = block.split("\n|")[0]
            label = _TABLE_UNIT.sub("", heading.replace("（", "(").replace("）", ")")).replace("\n", "").strip()
            ev_start = cell_start + (len(block) - len(block.lstrip()))
        if row is not None and origin != "row" and not (origin == "text" and _reads_as_row(q, row)):
            row = None  # a number the text's rules read (an index, a list item), or a rank or share cell
        if row is not None:  # the row's label; the evidence runs from it to the value cell
            label, ev_start, ev_end = text[row.label_start:row.label_end].strip(), row.label_start, q.q_end
        ss = t.sentence_start(q.q_start)
        cs = t.clause_start(q.q_start)
        status, yr, why = status_and_year(info, cues, ss, cs, q.start, t.line_start(q.start),
                                          lambda cue, pos: t.cue_reaches(cue, pos, starts), t.year_reaches)
        if status == "actual" and _TARGET_AFTER.match(norm, q.q_end) and "完成" not in norm[cs:q.start]:
            status, why = "target", "的目标 after the number → target"  # 距离75%的目标仍有差距
            if prev is not None and prev.evidence_start >= ss and len(_strip_label(text[cs:q.start],
                                                                                   norm[cs:q.start])) <= 3:
                label = prev.label  # …覆盖率为71.4%,距离75%的目标: the target of the same indicator
        if row is not None:
            column_status, column_year = _column_status(row, info.part_at(q.start).year)
            if column_status:
                status, why = column_status, f"column header {row.header!r} → {column_status}"
            if column_year is not None:
                yr = column_year
        clause = norm[cs:q.start]
        kind = "stock" if _STOCK.search(clause) else "flow" if _FLOW.search(clause) else ""
        unit_written = q.unit or ""
        if q.unit_span is not None and not q.unit_implied:
            # As written (億元, 個) for the reason; the unit column holds the codebook's code (亿元,
            # 个), as observations do. Full-width forms are folded (％ → %): width is typography.
            written = unicodedata.normalize("NFKC", text[q.unit_span[0]:q.unit_span[1]])
            if normalize(written) == q.unit:
                unit_written = written
        cand = Candidate(q, label, ev_start, ev_end, status, yr, kind, unit_written,
                         reasons=[*q.reasons, why])
        out.append(cand)
        prev = cand
    return _fold_restatements(out, lex), info


def _fold_restatements(cands: list[Candidate], lex: Lexicon) -> list[Candidate]:
    """One row per fact: a later candidate equal in value, unit, measure, status, qualifier
    and year to an earlier one, with a similar label (or a value too specific to repeat by
    chance), is a restatement and only adds its offset to the first."""
    kept: list[Candidate] = []
    by_key: dict[tuple, list[Candidate]] = {}
    by_loose_key: dict[tuple, list[Candidate]] = {}
    for c in cands:
        q = c.q
        loose = (q.value, q.value_high, lex.unit_info(q.unit or "").written, q.measure, c.status, c.year)
        key = (*loose, q.qualifier)
        # A table cell restating a sentence has no 以上/约 of its own: compare without the qualifier.
        table_cell = bool(q.reasons) and any(r.startswith("table cell") for r in q.reasons)
        twin = None
        for other in (by_loose_key if table_cell else by_key).get(loose if table_cell else key, [])[-_FOLD_WINDOW:]:
            # Rank labels share their scope words (全国省会城市) across rankings: compare strictly.
            strict = q.measure == "rank"
            if _significant_digits(q.value) >= 3 or _similar(other.label, c.label, strict=strict) >= 0.5:
                twin = other
                break
        if twin is not None:
            twin.restated_at.append(q.start)
            continue
        by_key.setdefault(key, []).append(c)
        by_loose_key.setdefault(loose, []).append(c)
        kept.append(c)
    return kept


_STRING_COLUMNS = {"obs_id", "source_id", "region", "indicator", "label_zh", "measure", "status", "qualifier",
                   "unit", "unit_std", "evidence", "note", "kind", "reason", "restated_at"}
_STRING = pd.StringDtype()
_INT_COLUMNS = {"year", "evidence_start", "evidence_end", "value_start", "value_end", "line", "column"}


_UNKNOWN = Unit("", "", 1.0)


def candidates_frame(cands: list[Candidate], text: str, *, source_id: str | None = None,
                     region: str | None = None, lex: Lexicon | None = None) -> pd.DataFrame:
    """The candidates as a DataFrame with the observations' columns and the review columns."""
    unit_info = (lex if lex is not None else lexicon()).unit_info
    newlines = char_offsets(text, "\n")
    rows = []
    for c in cands:
        q = c.q
        unit = unit_info(q.unit or "")
        if not q.unit_known:
            unit = _UNKNOWN  # 5位院士: 位 is in the codebook only as places in a ranking
        i = bisect.bisect_left(newlines, q.start)
        reasons = [r for r in c.reasons if r]
        if c.unit_written and c.unit_written != q.unit:
            reasons.append(f"unit written {c.unit_written}, code {q.unit}")
        if not unit.std and q.unit_known:
            reasons.append(f"unit {q.unit} is not in data/codebook/units.csv: add it there, or correct the row")
        restated = ";".join(map(str, c.restated_at)) or None
        if restated:
            reasons.append("restated at " + ", ".join(map(str, c.restated_at)))
        std = unit.std
        rows.append((  # in the order of CANDIDATE_COLUMNS
            None, source_id, region, c.year, None, c.label, q.measure, c.status, q.qualifier,
            q.value, q.value_high, q.unit or "",
            q.value * unit.factor if std else None,
            q.value_high * unit.factor if std and q.value_high is not None else None,
            std or None, text[c.evidence_start:c.evidence_end], None, c.kind or None,
            round(max(0.05, min(1.0, q.confidence - (0.0 if std else 0.2))), 2), "; ".join(reasons),
            c.evidence_start, c.evidence_end, q.start, q.end,
            i + 1, q.start - (newlines[i - 1] + 1 if i else 0) + 1, restated,
        ))
    columns = list(zip(*rows, strict=True)) if rows else [()] * len(CANDIDATE_COLUMNS)
    data = {name: _column(name, values) for name, values in zip(CANDIDATE_COLUMNS, columns, strict=True)}
    return pd.DataFrame(data, copy=False)  # data is in the order of CANDIDATE_COLUMNS


def _column(name: str, values: tuple) -> pd.api.extensions.ExtensionArray:
    """One typed column, built from numpy directly: much faster than converting lists of objects."""
    if name in _STRING_COLUMNS:
        return pd.arrays.StringArray(np.array(values, dtype=object)) if values else pd.array([], dtype=_STRING)
    if name in _INT_COLUMNS:
        mask = np.fromiter((v is None for v in values), dtype=bool, count=len(values))
        raw = np.fromiter((0 if v is None else v for v in values), dtype=np.int64, count=len(values))
        return pd.arrays.IntegerArray(raw, mask)
    raw = np.array(values, dtype=np.float64)  # None → NaN (no value is NaN)
    mask = np.isnan(raw)
    raw[mask] = 0.0
    return pd.arrays.FloatingArray(raw, mask)


def extract(text_or_path: str | os.PathLike | bytes, region: str | None = None, year: int | None = None, *,
            source_id: str | None = None, encoding: str | None = None, parts=None) -> pd.DataFrame:
    """Propose every quantitative fact of a report as a candidate observation row.

    Args:
        text_or_path: the report: a path, its bytes, or its text. Files may be UTF-8 (with or
            without BOM), GB18030/GBK or Big5; anything else is refused with a message naming it.
        region: region code written into every row (e.g. ``"ningbo"``).
        year: the report year; an explicit year in a sentence still wins, and targets get
            their target year. By default it is inferred from the title.
        source_id: written into every row; defaults to the file name without suffix.
        encoding: force a codec instead of detecting one.
        parts: override the detected parts (summary, plan, chrome) with a spec string such as
            ``'summary:0-,plan:"二、2020年工作思路"'`` or a list of ``(kind, start, year)``
            entries (start: an offset or the text the part's first line starts with; year may
            be None) or of the dicts of ``df.attrs["parts"]``; see
            :func:`cityscience.extract.parse_parts` for the syntax.

    Returns:
        One row per candidate with the observations' columns (``obs_id``, ``indicator``
        and ``note`` left empty for the reviewer) plus ``kind`` (stock/flow), ``confidence``,
        ``reason`` and the offsets ``evidence_start``/``evidence_end``/``value_start``/
        ``value_end`` into the original text (``line``/``column`` of the value, 1-based), and
        ``restated_at`` (offsets where the same fact is stated again). ``df.attrs`` holds the
        source, encoding and what was inferred about the document: ``mid_year`` (the title names a
        half year, 上半年: the summary's values cover part of the year), ``parts`` (a list of dicts
        ``{"kind", "start", "end", "line", "year", "why"}``, offsets into the text, ``line``
        1-based) and ``structure_warnings`` (why the parts look implausible, if they do).

    Raises:
        ExtractError: the input cannot be read (encoding, size, missing file), or ``parts``
            cannot be read or does not fit the text (:class:`~cityscience.extract.PartsError`).

    >>> df = extract("预计全社会研发投入可达185亿元,同比增长12.5%。", region="demo", year=2014)
    >>> df[["value", "unit", "measure", "status"]].values.tolist()
    [[185.0, '亿元', 'level', 'estimate'], [12.5, '%', 'yoy_pct', 'estimate']]
    """
    if year is not None and (isinstance(year, bool) or not isinstance(year, int)):
        raise TypeError(f"year must be an int such as 2014, not {year!r}")
    specs = None if parts is None else parse_parts(parts)
    doc = read_report(text_or_path, encoding)
    if source_id is None and doc.source not in {"<text>", "<bytes>"}:
        source_id = Path(doc.source).stem
    lex = lexicon()  # once per report: it checks that the units file has not changed
    cands, info = extract_candidates(doc, year, specs, lex)
    df = candidates_frame(cands, doc.text, source_id=source_id, region=region, lex=lex)
    positions = sorted(c.q.start for c in cands)
    df.attrs.update({
        "source": doc.source, "encoding": doc.encoding, "characters": len(doc.text),
        "document": info.describe(), "report_year": info.report_year, "title": info.title, "mid_year": info.mid_year,
        "parts": _parts_list(info, doc.text),
        "structure_warnings": structure_warnings(info, len(doc.text), positions, given=specs is not None),
    })
    return df


def _parts_list(info: DocumentInfo, text: str) -> list[dict]:
    """The parts as plain dicts (kind, start, end, line, year, why) for attrs and review sheets."""
    out = []
    for part, end in info.part_bounds(len(text)):
        out.append({"kind": part.kind, "start": part.start, "end": end, "line": text.count("\n", 0, part.start) + 1,
                    "year": part.year, "why": part.why})
    return out
