"""What kind of report this is, which parts it has, and the status and year of each position.

A work report is a summary of a year (actual values), a plan (targets), or a
summary followed by a plan. The title (…2014年工作总结, …2015年工作总结和2016年
工作思路, …工作要点, …实施方案) and part headings (二、2025年工作计划) say which;
a plan's background section (一、发展基础) reports actual values. When a
summary-and-plan report has no heading for its plan, the plan starts at the
first paragraph after the summary that speaks only of the future (力争, 确保,
争取, and no 了/已/完成).

Within a sentence, words before a number override the part's default, in their
own clause and the clauses that continue its subject (…预计达到270亿元,占…比重
2.45%), not in a clause that starts a subject of its own (…有望突破2.4%,全年完成
…19.8亿元 is actual): 预计/有望/预期 make an estimate; 力争/确保/目标/到20XX年 make a target (with
that year); 目前/现有/截至 an actual value; 明确 makes a target of its clause.
An explicit year before the number in the same sentence (2013年度, 到2020年),
or a year opening the paragraph (2020年,…), is the value's year; a year
before the plan year in a plan makes the value actual.
"""

from __future__ import annotations

import bisect
import re
from collections import Counter
from dataclasses import dataclass, field

import numpy as np

from .offsets import char_offsets
from .reading import ExtractError

__all__ = ["GOVERNMENT_REPORT", "PART_KINDS", "STATISTICAL_BULLETIN", "SUMMARY_WORDS", "DocumentInfo", "Part", "PartSpec", "PartsError", "analyse", "parse_parts",
           "resolve_parts", "sentence_bounds", "status_and_year", "structure_warnings"]

_YEAR = r"(?:19|20)\d{2}"
#: A statistical bulletin (余姚市2023年国民经济和社会发展统计公报) states the year of its title, all actual values.
STATISTICAL_BULLETIN = re.compile(r"统计公报")
SUMMARY_WORDS = rf"总结|进展|成效|回顾|完成情况|工作情况|{STATISTICAL_BULLETIN.pattern}"  # words of a title or heading that sums up
_PLAN_WORDS = r"要点|计划|思路|方案|规划|打算|安排|纲要|重点工作|工作重点|主要任务|目标任务|行动"
_TITLE_KIND = re.compile(f"(?P<s>{SUMMARY_WORDS})|(?P<p>{_PLAN_WORDS})")
_TITLE_YEAR = re.compile(f"({_YEAR})年")
_CHROME = re.compile(r"网站首页|当前位置|首页|>>|>|发布时间|发布日期|来源[:：]|阅读[:：]")
_ENUM = r"[一二三四五六七八九十]{1,3}、|[(（][一二三四五六七八九十]{1,3}[)）]|第[一二三四五六七八九十]{1,3}部分[:：、]?"
_NEXT_WORDS = r"明年|下一步|下阶段|今后一个时期|新的一年"
_HEADING = re.compile(
    rf"(?m)^[ \t\u3000]{{0,8}}(?:{_ENUM})?\s?(?:(?P<year>{_YEAR})年度?|(?P<next>{_NEXT_WORDS}))"
    rf"(?:[^\n。;；]{{0,10}}?(?:(?P<s>{SUMMARY_WORDS})|(?P<p>{_PLAN_WORDS}))[^\n。;；]{{0,12}}"
    r"|(?P<bare>(?:的)?(?:主要)?工作)?)$"
)
_SENTENCE_PUNCT = re.compile(r"[。；;，,：:！？!?]")
# Headings without a year that still say whether a section reports or plans (一、发展基础,
# 二、主要目标, 三、重点任务): a plan's background section states actual values.
_SECTION = re.compile(
    rf"(?m)^[ \t\u3000]{{0,8}}(?:{_ENUM})\s?[^\n。;；]{{0,10}}?"
    r"(?:(?P<s>发展基础|发展现状|基本情况|现状|工作回顾|主要成效|取得成效|工作成效|工作进展|进展情况|完成情况)"
    r"|(?P<p>主要目标|发展目标|总体目标|目标任务|重点任务|主要任务|工作计划|工作思路|工作要点|工作安排|工作打算|"
    r"重点工作|保障措施))[^\n。;；]{0,12}$"
)
_ANY_YEAR = re.compile(f"({_YEAR})\\s?年")
_SECTION_SUMMARY = re.compile(r"发展基础|发展现状|基本情况|现状|工作回顾|主要成效|取得成效|工作成效|工作进展|进展情况|完成情况")


def _kinds_of(text: str) -> set[str]:
    """What a title or heading names: {"summary"}, {"plan"}, both or neither.

    A plan word directly followed by a summary word is part of the summary's name
    (2019年重点工作总结, 工作计划完成情况): it names what is summed up, not a plan.
    """
    found: set[str] = set()
    summaries = [m.start() for m in _TITLE_KIND.finditer(text) if m.group("s")]
    summaries += [m.start() for m in _SECTION_SUMMARY.finditer(text)]
    if summaries:
        found.add("summary")
    for m in _TITLE_KIND.finditer(text):
        if m.group("p") and not any(0 <= at - m.end() <= 4 and not _ANY_YEAR.search(text, m.end(), at)
                                    for at in summaries):
            found.add("plan")
    return found


def _heading_kind(m: re.Match) -> str | None:
    """The kind of a heading match: summary words win over plan words on the same heading."""
    if m.group("next"):
        return "plan"
    if m.group("s") is None and m.group("p") is None:
        return None  # a bare year heading (2019年) says nothing
    return "summary" if "summary" in _kinds_of(m.group()) else "plan"
_TARGET_HORIZON = re.compile(f"到({_YEAR})年")
_HALF_YEAR = re.compile("[上下]半年")  # a mid-year report plans the rest of its own year
_RISE_TO = frozenset("加高长升大")  # the verb before 到 in 增加到, 提高到, 增长到, 提升到, 扩大到
# A title naming a plan over several years (三年行动计划(2023—2025年), “十四五”规划): its targets written
# without a year are for the plan's horizon (到2025年), while a year's work plan's are for that year.
_YEAR_SPAN = f"(?P<first>{_YEAR})\\s*年?\\s*[—–~至-]+\\s*(?P<last>{_YEAR})"  # 2023—2025年, 2021-2025
_MULTI_YEAR_TITLE = re.compile(f"规划|行动计划|行动方案|(?<![〇零一二三四五六七八九])[三五]年|十[一二三四五六]五|{_YEAR_SPAN}")
# Written without a leading optional group so that the regex engine can skip to "19"/"20".
_YEAR_MARK = re.compile(f"(?P<year>{_YEAR})\\s?年(?P<tail>度|起|以来|至今|开始|前)?")
_SENTENCE_END = "。；;！？!?\n"
# One plain alternation (no named groups, which would stop the engine from skipping ahead);
# the kind of each cue is looked up from the words matched.
_CUES = re.compile(
    r"预计|有望|预期|估计|预测"
    r"|力争|确保|努力实现|目标(?:是|为|:|：|值)"
    r"|(?:(?<!对照)(?<!对标)(?<!按照)(?<!完成)(?<!实现)|(?=(?:主要|预期|发展|总体|年度)目标[约近]?\d))"
    r"(?:主要|预期|发展|总体|年度)目标(?!任务)"
    r"|计划(?:到|在|于|新增|完成|实现)|要达到|将达到|拟"
    r"|今年(?:要|将|还要)(?!以来)"  # 今年要实现…, 今年将新建…: what the year is to bring, a target
    r"|已经|现有|目前|截至|截止"
)
_ESTIMATE_CUES = {"预计", "有望", "预期", "估计", "预测"}
_ACTUAL_CUES = {"已经", "现有", "目前", "截至", "截止"}
_CLAUSE_TARGET = re.compile(r"明确")
_FORWARD = re.compile(r"力争|确保|争取")
_PAST = re.compile(r"了|已|完成|取得|成功|获批|今年以来")
_QUANTITY = re.compile(r"\d+(?:\.\d+)?\s?(?:%|亿|万|家|个|项|件|名|人|次)")


PART_KINDS = ("summary", "plan", "chrome")


class PartsError(ExtractError):
    """A parts specification that cannot be read, or that does not fit the text."""


@dataclass(frozen=True)
class Part:
    """A stretch of the report with one default status and year."""

    start: int
    kind: str  # "summary", "plan" or "chrome" (page furniture: nothing in it is proposed)
    year: int | None
    why: str


@dataclass
class DocumentInfo:
    """The report's title, kind, years and parts as inferred from its text."""

    title: str | None = None
    kind: str = "unknown"  # summary, plan, summary_and_plan or unknown
    report_year: int | None = None
    plan_year: int | None = None
    horizon_year: int | None = None  # the most frequent 到YYYY年 of the text
    multi_year: bool = False  # the title names a plan over several years (see _MULTI_YEAR_TITLE)
    plan_year_written: bool = False  # the plan's year is written in the title or a plan heading
    mid_year: bool = False  # the title names a half year (上半年…和下半年…): its plan is for its own year
    parts: list[Part] = field(default_factory=list)
    title_kinds: frozenset[str] = frozenset()  # what the title names: summary, plan or both
    title_prefix: tuple[int, int] | None = None  # text before the title on its line (page furniture)
    title_years: tuple[int, ...] = ()  # the years the title writes, in order
    given_year: int | None = None  # the report year the caller gave (it wins over the title's)

    def part_at(self, pos: int) -> Part:
        """The part the character at ``pos`` belongs to."""
        parts = self.parts
        if len(parts) == 1:
            return parts[0]
        i = bisect.bisect_right(parts, pos, key=lambda p: p.start)
        return parts[max(0, i - 1)]

    def part_bounds(self, length: int) -> list[tuple[Part, int]]:
        """Each part with the offset where it ends (the next part's start, or ``length``)."""
        ends = [p.start for p in self.parts[1:]] + [length]
        return list(zip(self.parts, ends, strict=True))

    def describe(self) -> str:
        """One line for messages and the review sheet."""
        parts = "; ".join(f"{p.kind} {p.year or '?'} from offset {p.start} ({p.why})" for p in self.parts)
        return f"{self.kind} report; title {self.title!r}; parts: {parts}"


def _lines(norm: str, limit: int) -> list[tuple[int, str]]:
    out, pos = [], 0
    while pos < len(norm) and len(out) < limit:
        end = norm.find("\n", pos)
        end = len(norm) if end < 0 else end
        line = norm[pos:end]
        if line.strip():
            out.append((pos, line))
        pos = end + 1
    return out


_AFTER_SEPARATOR = re.compile(r"(?:>>|>|»|›)\s*([^>»›]+)$")


#: A government work report (金华市2024年政府工作报告) reviews the year before and plans its own year;
#: ``place`` and ``year`` when the title writes them.
GOVERNMENT_REPORT = re.compile(r"(?:(?P<place>[\u4e00-\u9fff]{2,12}?[省市县区])(?P<year>(?:19|20)\d{2})年)?政府工作报告")


def _is_title(text: str) -> bool:
    # A title is a short line without sentence punctuation that names the kind of report.
    return 8 <= len(text) <= 80 and (_TITLE_KIND.search(text) or GOVERNMENT_REPORT.search(text)) is not None \
        and not _CHROME.search(text) and not _SENTENCE_PUNCT.search(text)


def _find_title(norm: str) -> tuple[int, str] | None:
    """The line start and text of the title; a title after a separator (>>, ›) on a line of
    breadcrumbs or injected text (…日赚300元>>某某局2021年工作总结) is found too."""
    for start, line in _lines(norm[:3000], 15):
        text = line.strip()
        if _is_title(text):
            return start, text
        m = _AFTER_SEPARATOR.search(text)
        if m and _is_title(m.group(1).strip()):
            return start, m.group(1).strip()
    return None


def _plan_boundary(norm: str, after: int) -> int | None:
    """Start of the first forward-looking paragraph after a paragraph that reports quantities."""
    seen_summary = False
    pos = after
    while pos < len(norm):
        end = norm.find("\n", pos)
        end = len(norm) if end < 0 else end
        para = norm[pos:end]
        if para.strip():
            if seen_summary and _FORWARD.search(para) and not _PAST.search(para):
                return pos + (len(para) - len(para.lstrip()))
            if _QUANTITY.search(para):
                seen_summary = True
        pos = end + 1
    return None


def analyse(norm: str, year: int | None = None, original: str | None = None,
            parts: list[PartSpec] | None = None, normalize=lambda s: s) -> DocumentInfo:
    """Infer title, kind, years and parts of a normalized report.

    Args:
        norm: the normalized text.
        year: the report year given by the caller; it wins over the title's.
        original: the text as written, for quoting the title and headings as they are.
        parts: a parts override (:func:`parse_parts`): these parts replace the detected ones.
        normalize: how the start texts of ``parts`` are normalized (see :func:`resolve_parts`).
    """
    original = norm if original is None else original
    info = DocumentInfo(given_year=year)
    title = _find_title(norm)
    title_end = 0
    title_years: list[int] = []
    kinds: set[str] = set()
    if title is not None:
        title_start = title[0] + norm[title[0]:].index(title[1])
        title_end = title_start + len(title[1])
        if norm[title[0]:title_start].strip():
            info.title_prefix = (title[0], title_start)
        info.title = original[title_start:title_end]
        title_years = [int(y) for y in _TITLE_YEAR.findall(title[1])]
        info.title_years = tuple(title_years)
        info.multi_year = bool(_MULTI_YEAR_TITLE.search(title[1]))
        info.mid_year = bool(_HALF_YEAR.search(title[1]))
        kinds = _kinds_of(title[1])
        if GOVERNMENT_REPORT.search(title[1]) and len(set(title_years)) == 1:
            kinds = {"summary", "plan"}
            title_years = [title_years[0] - 1, title_years[0]]  # 2024年政府工作报告: 2023 reviewed, 2024 planned
        info.title_kinds = frozenset(kinds)
        if "summary" in kinds and len(set(title_years)) > 1 and title_years[-1] > title_years[0]:
            kinds.add("plan")  # …2015年工作总结和2016年… : the later year is planned for
    headings = [(m, k) for m in _HEADING.finditer(norm) if m.start() >= title_end and (k := _heading_kind(m))]
    heading_kinds = {k for _, k in headings}
    if kinds == {"summary", "plan"} or heading_kinds == {"summary", "plan"} or \
            kinds == {"summary"} and heading_kinds == {"plan"}:
        info.kind = "summary_and_plan"  # a summary with a plan heading (四、下一步工作) also plans
    elif kinds or heading_kinds:
        info.kind = next(iter(kinds or heading_kinds))
    summary_year = year
    if summary_year is None and title_years:
        summary_year = title_years[0]
    if summary_year is None:
        summary_year = next((int(m.group("year")) for m, k in headings if k == "summary" and m.group("year")),
                            None)
    plan_year = None
    if info.kind == "summary_and_plan":
        plan_year = title_years[1] if len(title_years) > 1 else None
        if plan_year is None:
            plan_year = next((int(m.group("year")) for m, k in headings if k == "plan" and m.group("year")), None)
        if plan_year is None and summary_year is not None:  # the next year's plan, or the second half's
            plan_year = summary_year + (0 if info.mid_year else 1)
    elif info.kind == "plan":  # a plan over several years (2023—2025年) starts in its first year: its
        # targets without a year are for the horizon, and a year before the start is an actual value
        span = re.search(_YEAR_SPAN, info.title or "")
        plan_year = year or (int(span["first"]) if span else title_years[-1] if title_years else None)
    info.report_year = summary_year if info.kind != "plan" else plan_year
    info.plan_year = plan_year
    info.plan_year_written = plan_year is not None and plan_year in {
        *title_years, *(int(m.group("year")) for m, k in headings if k == "plan" and m.group("year"))}
    horizons = Counter(int(y) for y in _TARGET_HORIZON.findall(norm))
    if horizons:
        info.horizon_year = horizons.most_common(1)[0][0]
    if info.report_year is None and info.horizon_year is not None and info.kind == "plan":
        info.report_year = info.plan_year = info.horizon_year

    if parts is not None:
        return _given_parts(info, parts, norm, original, summary_year, normalize)
    first = "plan" if info.kind == "plan" else "summary"
    first_year = info.plan_year if first == "plan" else summary_year
    parts = [Part(0, first, first_year, f"title {info.title!r}" if info.title else "no title found")]
    if headings:
        for m, kind in headings:
            if m.group("year"):
                y = int(m.group("year"))
            elif m.group("next") and summary_year is not None and (plan_year is None or plan_year <= summary_year):
                # 下一步 after a mid-year summary (…上半年工作总结) is the rest of its year; 明年 the next
                y = summary_year + (0 if info.mid_year and "明年" not in m.group("next") else 1)
            else:
                y = plan_year if kind == "plan" else summary_year
            if kind != parts[-1].kind or y != parts[-1].year:
                parts.append(Part(m.start(), kind, y, f"heading {original[m.start():m.end()].strip()!r}"))
    sections = [m for m in _SECTION.finditer(norm) if m.start() >= title_end]
    if not headings and info.kind == "summary_and_plan" and not any(
            not m.group("s") and "summary" not in _kinds_of(m.group()) for m in sections):
        # no heading says where the plan starts (a plan section heading such as 三、下半年工作思路 would):
        # it starts at the first forward-looking paragraph
        boundary = _plan_boundary(norm, title_end)
        if boundary is not None:
            snippet = original[boundary:boundary + 12]
            parts.append(Part(boundary, "plan", plan_year, f"first forward-looking paragraph {snippet!r}…"))
    if sections:
        parts = _with_sections(parts, sections, norm, original, info)
    info.parts = parts
    return info


def _given_parts(info: DocumentInfo, specs: list[PartSpec], norm: str, original: str, summary_year: int | None,
                 normalize) -> DocumentInfo:
    """The document with the parts the user gave; kind and years follow from them."""
    info.parts = resolve_parts(specs, norm, original, summary_year or info.report_year, normalize)
    kinds = {p.kind for p in info.parts} - {"chrome"}
    info.kind = "summary_and_plan" if kinds == {"summary", "plan"} else next(iter(kinds)) if kinds else "unknown"
    summary_years = [p.year for p in info.parts if p.kind == "summary" and p.year is not None]
    plan_years = [p.year for p in info.parts if p.kind == "plan" and p.year is not None]
    info.plan_year = plan_years[0] if plan_years else None
    if info.kind == "plan":
        info.report_year = info.plan_year or info.report_year
    elif summary_years:
        info.report_year = summary_year if summary_year is not None else summary_years[0]
    return info


def structure_warnings(info: DocumentInfo, length: int, positions: list[int], given: bool = False) -> list[str]:
    """Why the parts look implausible, one sentence each; empty when they look right.

    Args:
        info: the analysed document.
        length: the length of the text.
        positions: sorted offsets of the quantities proposed (to find parts without any).
        given: the parts were given by the user (they are reported, not second-guessed as much).
    """
    out: list[str] = []
    fix = "" if given else "; check the parts and give them with --parts if they are wrong"

    def holds_numbers(start: int, end: int) -> bool:
        i = bisect.bisect_left(positions, start)
        return i < len(positions) and positions[i] < end

    bounds = info.part_bounds(length)
    summaries = [(p, end) for p, end in bounds if p.kind == "summary"]
    for p, _end in bounds:
        if p.kind != "plan" or p.year is None:
            continue
        before = [s for s, _ in summaries if s.start < p.start and s.year is not None]
        if before and (p.year < before[-1].year if info.mid_year else p.year <= before[-1].year):
            # (a mid-year report's plan is for the rest of its own year)
            out.append(f"the plan part from offset {p.start} ({p.why}) is for {p.year}, not after the summary "
                       f"before it ({before[-1].year}): a plan is for a later year{fix}")
    if info.given_year is not None and info.title_years and info.given_year not in info.title_years:
        years = " and ".join(str(y) for y in dict.fromkeys(info.title_years))
        out.append(f"the year given ({info.given_year}) is not a year the title {info.title!r} writes ({years}): "
                   f"the report year, the obs_ids and the plan's year follow the year given; check it")
    title_kinds = info.title_kinds
    if "summary" in title_kinds and positions:
        if not summaries:
            out.append(f"the title {info.title!r} names a summary, but no part is a summary{fix}")
        elif not any(holds_numbers(p.start, end) for p, end in summaries):
            out.append(f"the title {info.title!r} names a summary, but no summary part holds a number: the summary "
                       f"seems to be read as a plan{fix}")
    if "plan" in title_kinds and "summary" not in title_kinds and positions and \
            not any(p.kind == "plan" for p, _ in bounds):
        out.append(f"the title {info.title!r} names a plan, but no part is a plan{fix}")
    if info.kind in {"summary", "summary_and_plan"} and info.report_year is None:
        out.append("no report year found in the title or given: years are left empty (give --year)")
    return out


def _with_sections(parts: list[Part], sections: list[re.Match], norm: str, original: str,
                   info: DocumentInfo) -> list[Part]:
    """Split the parts at yearless section headings (一、发展基础 → summary; 二、主要目标 → plan)."""
    bounds = sorted({p.start for p in parts} | {m.start() for m in sections} | {len(norm)})
    out = list(parts)
    for m in sections:
        kind = "summary" if m.group("s") or "summary" in _kinds_of(m.group()) else "plan"
        base = max((p for p in out if p.start <= m.start()), key=lambda p: p.start)
        if kind == base.kind:
            continue
        end = bounds[bounds.index(m.start()) + 1]
        if kind == "plan":
            year = info.plan_year or info.horizon_year
            if year is None and info.report_year is not None and (info.mid_year or _HALF_YEAR.search(m.group())):
                year = info.report_year  # 二、下半年工作打算 of a mid-year report: the rest of its year
        else:
            # The latest year the section speaks of, not after the plan year; else the year before.
            limit = info.plan_year or 9999
            years = [int(y) for y in _ANY_YEAR.findall(norm, m.start(), end) if int(y) <= limit]
            year = max(years) if years else (info.plan_year - 1 if info.plan_year else info.report_year)
        out.append(Part(m.start(), kind, year, f"section {original[m.start():m.end()].strip()!r}"))
        # The kind of the base part resumes after the section, at the next heading.
        if end < len(norm) and end not in {p.start for p in out}:
            out.append(Part(end, base.kind, base.year, f"{base.kind} again after the section"))
    out.sort(key=lambda p: p.start)
    merged: list[Part] = []
    for p in out:
        if merged and merged[-1].start == p.start:
            merged[-1] = p if "section" in p.why else merged[-1]
            continue
        merged.append(p)
    return merged


@dataclass(frozen=True)
class PartSpec:
    """One part as the user gives it: where it starts and, optionally, its year.

    ``at`` is an offset into the text (int) or the text its first line starts with (str);
    ``line`` a 1-based line number instead. ``shown`` is the entry as written, for messages.
    """

    kind: str
    at: int | str | None
    year: int | None = None
    line: int | None = None
    shown: str = ""


_SPEC_SEPARATORS = ",;\n"
_SPEC_YEAR = re.compile(r"(?:19|20)\d{2}")


def _spec_entries(spec: str) -> list[list[str]]:
    """Split a parts string into entries of fields, honouring "quoted" text (with \\" escapes)."""
    entries: list[list[str]] = []
    fields: list[str] = []
    buf: list[str] = []
    quoted_field = False
    i, n = 0, len(spec)
    while i < n:
        ch = spec[i]
        if ch in "\"'" and not "".join(buf).strip():
            close = ch
            j, out = i + 1, []
            while j < n and spec[j] != close:
                if spec[j] == "\\" and j + 1 < n:
                    j += 1
                out.append(spec[j])
                j += 1
            if j >= n:
                raise PartsError(f"parts {spec!r}: a quote opened at character {i + 1} is not closed")
            buf, quoted_field = ["\x00", *out], True  # \x00 marks a quoted field
            i = j + 1
            continue
        if ch == ":":
            fields.append("".join(buf))
            buf, quoted_field = [], False
        elif ch in _SPEC_SEPARATORS:
            fields.append("".join(buf))
            if any(f.strip() for f in fields):
                entries.append(fields)
            fields, buf, quoted_field = [], [], False
        elif quoted_field and not ch.isspace():
            raise PartsError(f"parts {spec!r}: unexpected {ch!r} after a quoted text at character {i + 1} "
                             "(expected : or ,)")
        elif not quoted_field:
            buf.append(ch)
        i += 1
    fields.append("".join(buf))
    if any(f.strip() for f in fields):
        entries.append(fields)
    return entries


def _spec_from_fields(fields: list[str], shown: str) -> PartSpec:
    if len(fields) not in (2, 3):
        raise PartsError(f"parts entry {shown!r}: expected KIND:START or KIND:START:YEAR "
                         f"(e.g. plan:\"二、2020年工作思路\":2020)")
    kind = fields[0].strip().lower()
    if kind not in PART_KINDS:
        raise PartsError(f"parts entry {shown!r}: kind {fields[0].strip()!r} is not one of {', '.join(PART_KINDS)}")
    raw = fields[1]
    year = None
    if len(fields) == 3:
        text = fields[2].strip()
        if not _SPEC_YEAR.fullmatch(text):
            raise PartsError(f"parts entry {shown!r}: year {text!r} is not a year such as 2020")
        year = int(text)
    if raw.startswith("\x00"):
        text = raw[1:]
        if not text.strip():
            raise PartsError(f"parts entry {shown!r}: the quoted start text is empty")
        return PartSpec(kind, text.strip(), year, None, shown)
    start = raw.strip()
    if re.fullmatch(r"\d+-?", start):
        return PartSpec(kind, int(start.rstrip("-")), year, None, shown)
    if re.fullmatch(r"[Ll]\d+-?", start):
        line = int(start[1:].rstrip("-"))
        if line < 1:
            raise PartsError(f"parts entry {shown!r}: lines are counted from 1")
        return PartSpec(kind, None, year, line, shown)
    if re.fullmatch(r"\d+-\d+", start):
        raise PartsError(f"parts entry {shown!r}: a part runs to the start of the next; write START or START-, "
                         "not a range")
    if not start:
        raise PartsError(f"parts entry {shown!r}: no start (an offset such as 0, a line such as L11, or the "
                         "text the part's first line starts with)")
    return PartSpec(kind, start, year, None, shown)


def parse_parts(spec) -> list[PartSpec]:
    """Read a parts override: a string, or a list of (kind, start, year) entries or of dicts.

    String syntax: entries ``KIND:START[:YEAR]`` separated by ``,`` (or ``;``, a new line).

    * KIND is ``summary`` (actual values), ``plan`` (targets) or ``chrome`` (page furniture:
      nothing in it is proposed);
    * START is where the part begins: an offset into the text (``0``; ``0-`` reads the same),
      a line ``L11`` (1-based), or the text its first line starts with, quoted when it holds
      ``,`` or ``:`` (``"二、2020年工作思路"``); text is found in normalized form (traditional
      or full-width characters match) at or after the previous part's start;
    * YEAR is the year the part's values refer to; by default the year written on the part's
      first line when it is a heading, else the report year (summary) or the year after the
      preceding summary part (plan).

    Each part runs to the start of the next; text before the first part belongs to it.

    >>> [(p.kind, p.at, p.year) for p in parse_parts('summary:0-,plan:"二、2020年工作思路"')]
    [('summary', 0, None), ('plan', '二、2020年工作思路', None)]
    >>> [(p.kind, p.line, p.year) for p in parse_parts("chrome:0, summary:L3:2016")]
    [('chrome', None, None), ('summary', 3, 2016)]

    Raises:
        PartsError: naming the entry and what was expected.
    """
    if isinstance(spec, str):
        if not spec.strip():
            raise PartsError("parts: the specification is empty (e.g. summary:0-,plan:\"二、2020年工作思路\")")
        out = []
        for fields in _spec_entries(spec):
            shown = ":".join(f"\"{f[1:]}\"" if f.startswith("\x00") else f.strip() for f in fields)
            out.append(_spec_from_fields(fields, shown))
        return out
    out = []
    for i, entry in enumerate(spec, start=1):
        if isinstance(entry, PartSpec):
            out.append(entry)
            continue
        if isinstance(entry, dict):
            kind, at, year = entry.get("kind"), entry.get("start"), entry.get("year")
        else:
            try:
                kind, at, year = (*entry, None)[:3] if len(entry) == 2 else entry
            except (TypeError, ValueError):
                raise PartsError(f"parts entry {i} ({entry!r}): expected (kind, start, year)") from None
        shown = f"{kind}:{at!r}" + (f":{year}" if year is not None else "")
        if kind not in PART_KINDS:
            raise PartsError(f"parts entry {i} ({shown}): kind {kind!r} is not one of {', '.join(PART_KINDS)}")
        if isinstance(at, bool) or not isinstance(at, int | str) or isinstance(at, int) and at < 0 \
                or isinstance(at, str) and not at.strip():
            raise PartsError(f"parts entry {i} ({shown}): start must be an offset (int ≥ 0) or the text the "
                             "part's first line starts with")
        if year is not None and (isinstance(year, bool) or not isinstance(year, int) or not 1900 <= year <= 2099):
            raise PartsError(f"parts entry {i} ({shown}): year must be an int such as 2020 or None")
        out.append(PartSpec(kind, at.strip() if isinstance(at, str) else at, year, None, shown))
    if not out:
        raise PartsError("parts: no parts given")
    return out


def _line_of(norm: str, pos: int) -> tuple[int, int]:
    start = norm.rfind("\n", 0, pos) + 1
    end = norm.find("\n", pos)
    return start, len(norm) if end < 0 else end


def resolve_parts(specs: list[PartSpec], norm: str, original: str, report_year: int | None,
                  normalize=lambda s: s) -> list[Part]:
    """The :class:`Part` s of a parts override, located in the text.

    Args:
        specs: from :func:`parse_parts`.
        norm: the normalized text; ``original`` the text as written (for the reasons).
        report_year: the default year of a summary part.
        normalize: how a start text is normalized to be found in ``norm``.

    Raises:
        PartsError: a start that is not in the text, or parts out of order.
    """
    parts: list[Part] = []
    previous = 0
    line_starts: list[int] | None = None
    for n, spec in enumerate(specs, start=1):
        label = f"part {n} ({spec.shown})"
        if spec.line is not None:
            if line_starts is None:
                line_starts = [0] + [i + 1 for i, ch in enumerate(norm) if ch == "\n"]
            if spec.line > len(line_starts):
                raise PartsError(f"{label}: line {spec.line} is past the end (the text has {len(line_starts)} lines)")
            pos = line_starts[spec.line - 1]
        elif isinstance(spec.at, int):
            if spec.at > len(norm):
                raise PartsError(f"{label}: offset {spec.at} is past the end (the text has {len(norm)} characters)")
            pos = spec.at
        else:
            needle = normalize(spec.at)
            at_line = re.compile(r"(?m)^[ \t\u3000]*" + re.escape(needle))
            m = at_line.search(norm, previous)
            pos = m.end() - len(needle) if m else norm.find(needle, previous)
            if pos < 0:
                where = f" after offset {previous}" if previous else ""
                raise PartsError(f"{label}: the text {spec.at!r} is not in the report{where}")
        if parts and pos <= parts[-1].start:
            raise PartsError(f"{label}: starts at offset {pos}, not after part {n - 1} (offset {parts[-1].start}); "
                             "give the parts in text order")
        year, why = spec.year, f"given: {spec.shown}"
        line_start, line_end = _line_of(norm, pos)
        line = norm[pos:line_end].strip()
        if year is None and spec.kind != "chrome":
            written = _ANY_YEAR.search(line) if len(line) <= 40 else None
            if written:
                year = int(written.group(1))
                why += f"; year {year} from {original[pos:line_end].strip()!r}"
            elif spec.kind == "summary":
                year = report_year
            else:
                before = [p for p in parts if p.kind == "summary" and p.year is not None]
                year = before[-1].year + 1 if before else report_year
        parts.append(Part(pos, spec.kind, year, why))
        previous = pos
    if parts and parts[0].start:
        first = parts[0]
        parts[0] = Part(0, first.kind, first.year, first.why + f" (and the text before offset {first.start})")
    return parts


def sentence_bounds(norm: str | np.ndarray) -> list[int]:
    """Offsets of every sentence end (。；！？ and line breaks), ascending (``norm`` may be given
    as its code points, see :func:`.offsets.code_points`)."""
    return char_offsets(norm, _SENTENCE_END)


@dataclass
class Cues:
    """Status cues and year markers of a text, found once and looked up per number."""

    cue_pos: list[int]
    cue_kind: list[str]
    cue_text: list[str]
    year_pos: list[int]
    year_val: list[int]
    year_target: list[str]  # "to" for 到2025年 (a target), "rise" for 增加到2022年的… (one when the year is ahead)
    clause_target: list[int]
    para_pos: list[int]
    para_val: list[int]


def find_cues(norm: str, masked_quotes: bytearray) -> Cues:
    """Find the status cues and explicit years of a normalized text (quoted names excluded)."""
    cue_pos, cue_kind, cue_text = [], [], []
    para_pos: list[int] = []
    para_val: list[int] = []
    for m in _CUES.finditer(norm):
        if masked_quotes[m.start()]:
            continue
        word = m.group()
        if word == "拟" and norm[m.start() - 1:m.start()] in {"模", "虚", "比"}:
            continue  # 模拟, 虚拟, 比拟: not "plans to"
        cue_pos.append(m.start())
        cue_kind.append("estimate" if word in _ESTIMATE_CUES else "actual" if word in _ACTUAL_CUES else "target")
        cue_text.append(word)
    year_pos, year_val, year_target = [], [], []
    for m in _YEAR_MARK.finditer(norm):
        if masked_quotes[m.start()] or m.group("tail") in {"起", "以来", "至今", "开始"}:
            continue
        before = norm[max(0, m.start() - 1):m.start()]
        of_value = norm.startswith("的", m.end())  # 从2017年的114.6亿元增加到2022年的231.5亿元: the years of values
        # 自2009年起 (a start), 比2015年翻了一番 / 是2015年的2.3倍 (a base of comparison), 2011-2014.
        if before in {"自", "从", "比", "较", "同"} and not (before == "从" and of_value) or (
                before and (before.isdigit() or before in "-—–~")):
            continue
        if before in {"是", "为"} and norm.startswith("的", m.end()):
            continue
        line_start = norm.rfind("\n", max(0, m.start() - 12), m.start()) + 1 if m.start() else 0
        if (m.start() == 0 or line_start > 0 or m.start() < 12) and not norm[line_start:m.start()].strip() \
                and norm[m.end():m.end() + 1] in {",", "，"}:
            para_pos.append(m.start())
            para_val.append(int(m.group("year")))
        year_pos.append(m.start())
        year_val.append(int(m.group("year")))
        # 到2025年 sets a target; 增加到2022年的… states the value of 2022, a target only if that year is ahead
        rise = of_value and norm[m.start() - 2:m.start() - 1] in _RISE_TO
        year_target.append("" if before != "到" else "rise" if rise else "to")
    clause_target = [m.start() for m in _CLAUSE_TARGET.finditer(norm)]
    return Cues(cue_pos, cue_kind, cue_text, year_pos, year_val, year_target, clause_target, para_pos, para_val)


def status_and_year(info: DocumentInfo, cues: Cues, sentence_start: int, clause_start: int, pos: int,
                    paragraph_start: int = 0, reaches=None, year_reaches=None) -> tuple[str, int | None, str]:
    """Status, year and the reason, for a number at ``pos`` in the sentence starting at ``sentence_start``.

    A year that opens a paragraph (2020年,全社会研发经费…) counts for the whole paragraph.
    A status cue (预计, 有望, 力争) governs the rest of its sentence only as far as
    ``reaches(cue_pos, pos)`` says (its own clause and the clauses continuing its subject);
    a year, as far as ``year_reaches(year_pos, pos)`` says (继2021年…后, ends its reach).
    """
    part = info.part_at(pos)
    status = "target" if part.kind == "plan" else "actual"
    why = f"{part.kind} part"
    i = bisect.bisect_left(cues.cue_pos, pos) - 1
    if i >= 0 and cues.cue_pos[i] >= sentence_start and (
            reaches is None or cues.cue_pos[i] >= clause_start or reaches(cues.cue_pos[i], pos)):
        kind = cues.cue_kind[i]
        status = kind
        why = f"{cues.cue_text[i]} → {kind}"
    j = bisect.bisect_left(cues.clause_target, pos) - 1
    if status == "actual" and j >= 0 and cues.clause_target[j] >= clause_start:
        status, why = "target", "明确 → target"
    year: int | None = None
    k = bisect.bisect_left(cues.year_pos, pos) - 1
    in_sentence = k >= 0 and cues.year_pos[k] >= sentence_start and (
        year_reaches is None or cues.year_pos[k] >= clause_start or year_reaches(cues.year_pos[k], pos))
    if not in_sentence:
        j = bisect.bisect_left(cues.para_pos, pos) - 1
        if j >= 0 and cues.para_pos[j] >= paragraph_start:
            year = cues.para_val[j]
            if part.kind == "plan" and status == "target" and part.year and year < part.year:
                status, why = "actual", f"{year}年 opening the paragraph, before the plan year → actual"
    if in_sentence:
        year = cues.year_val[k]
        if cues.year_target[k] == "to" or cues.year_target[k] == "rise" and part.year and year > part.year:
            if status == "actual":
                status = "target"
                why = f"到{year}年 → target"
        elif part.kind == "plan" and status == "target" and part.year and year < part.year:
            status, why = "actual", f"{year}年 before the plan year → actual"
    if year is None:
        # a year's work plan (2026年工作思路) sets targets for that year, though it names a later one
        # (力争到2027年…): the horizon is the year of a plan over several years or of one whose year
        # is not written
        if status == "target" and part.kind == "plan" and info.horizon_year and (
                part.year is None or info.horizon_year > part.year and (
                    info.multi_year or not info.plan_year_written)):
            year = info.horizon_year
        else:
            year = part.year
    return status, year, why
