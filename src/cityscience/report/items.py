"""A report's numbered headings, items and table rows, drafted as policy items to review.

:func:`draft_items` reads the lists as the curated items are written ((一), 1., 一是 at the start of a
line, 一是…二是… inside a paragraph, lists numbered on across headings, the rows of numbered tables)
with their theme (:func:`~cityscience.validate.theme_cues`) and responsible units; :func:`settle_items`
then leaves out, or lets run on, what validation would refuse, so that the unedited draft is accepted.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from ..conventions import UNTRANSLATED
from ..textnorm import TABLE_CELL_BREAK, TABLE_ROW_GAP, normalize, row_cells
from ..validate.checked import Checked
from ..validate.policy import marker_number, next_numbers, resolve_bodies, squeeze
from .places import add_body, body_code, body_row
from .sheets import Draft, Sheet
from .stage import staged_problems

__all__ = ["draft_items", "settle_items"]

# Item markers at the start of a line, after any indentation (spaces, ideographic or no-break spaces).
_TOP = re.compile(r"^[^\S\n]*([一二三四五六七八九十]{1,3}、)")
# 一、2023年工作回顾, 二、2024年主要目标和重点工作: the heading of a year's part, never an item itself
_YEAR_HEADING = re.compile(r"^\s*[一二三四五六七八九十]{1,3}、\s*(?:19|20)\d{2}年")
_ITEM = re.compile(r"^[^\S\n]*([(（][一二三四五六七八九十]{1,3}[)）])")
_SUB = re.compile(r"^[^\S\n]*(\d{1,2}[.．、])(?!\d)")
_IS = re.compile(r"^[^\S\n]*([一二三四五六七八九十]{1,3}是)(?=[\u4e00-\u9fff“\"《])")
# 一是…，二是…: an enumeration inside a paragraph, after the punctuation that ends the clause before it
# (or a digit, where a text lost the end of the clause: …累计达到50三是…).
_IS_INLINE = re.compile(r"(?<=[。；;，,：:0-9])[^\S\n]*([一二三四五六七八九十]{1,3}是)(?=[\u4e00-\u9fff“\"《])")
_LIST_SEP = "；;，,"  # left out of the end of an enumerated part (the 。 ending a sentence stays)
_TITLE_END = re.compile(r"[。;；:：!！?？\n]")


def _theme(text: str, cues: Mapping[str, tuple[str, ...]]) -> str:
    """The theme whose cue words ``text`` writes most, those in its first 60 characters counting four
    times (:func:`~cityscience.validate.theme_cues`); the last theme (the catch-all) when none is written."""
    norm = normalize(text)
    best, score = next(reversed(cues), ""), 0
    for theme, words in cues.items():
        pattern = _cue_pattern(words)
        if pattern is None:
            continue
        n = len(pattern.findall(norm[:60])) * 3 + len(pattern.findall(norm))
        if n > score:
            best, score = theme, n
    return best


@lru_cache(maxsize=256)
def _cue_pattern(words: tuple[str, ...]) -> re.Pattern | None:
    return re.compile("|".join(map(re.escape, words))) if words else None


def _marker_no(marker: str) -> int:
    return marker_number(marker) or 0


def _inline_series(line: str, after: int, first: int = 1) -> list[tuple[int, int, str]]:
    """The 一是, 二是, … enumeration written inside ``line`` from offset ``after``: (start, end, marker) of
    each part, numbered ``first``, ``first`` + 1, … without a gap (a 二是 with no 一是 before it is not a
    list, unless the line's own marker is the 一是: ``first`` = 2). A second 一是 after the list ends it
    (its last part ends with the sentence before the new list), unless the new list goes on to the
    number that would come next in the first: then the last part runs to the end of the line, so that no
    number of the list is left out where it ends (as validate reads a list)."""
    found = [(m.start(1), _marker_no(m.group(1)), m.group(1)) for m in _IS_INLINE.finditer(line, after)]
    run: list[tuple[int, str]] = []
    stop_at = None
    for k, (at, no, marker) in enumerate(found):
        if no == len(run) + first:
            run.append((at, marker))
        elif no == 1 and first == 1 and len(run) < 2:
            run = [(at, marker)]
        elif no == 1:  # a new list
            if all(later != len(run) + first for _, later, _ in found[k:]):
                stop_at = at
            break
    if len(run) < (2 if first == 1 else 1):
        return []
    out = []
    for k, (at, marker) in enumerate(run):
        stop = run[k + 1][0] if k + 1 < len(run) else stop_at if stop_at is not None else len(line)
        if k + 1 == len(run) and stop_at is not None and "。" in line[at:stop]:
            stop = line.rindex("。", at, stop) + 1
        out.append((at, len(line[:stop].rstrip().rstrip(_LIST_SEP).rstrip()), marker))
    return out


def _continued_headings(lines: list[str]) -> set[int]:
    """Indexes of the (一) lines that head a stretch of one list numbered on across them (1.–4. under (一),
    5. under (二), …): headings of sections, not items the N. items would be parts of. Once two (一) lines
    of a 一、 section are such headings, every (一) line of the section with N. or 一是 lines under it is
    one (the N. lines under a later one may start again at 1, 一是 lines under it are its section's items)."""
    # per 一、 section, each (一) line with the numbers of the N. lines under it, and the (一) lines with
    # 一是 lines under them
    sections: list[list[tuple[int, list[int]]]] = [[]]
    listed: set[int] = set()
    for i, ln in enumerate(lines):
        if _ITEM.match(ln):
            sections[-1].append((i, []))
        elif _TOP.match(ln):
            sections.append([])
        elif (m := _SUB.match(ln)) and sections[-1]:
            sections[-1][-1][1].append(_marker_no(m.group(1)))
        elif _IS.match(ln) and sections[-1]:
            listed.add(sections[-1][-1][0])
    out: set[int] = set()
    for blocks in sections:
        if any(nos and next_nos and next_nos[0] == nos[-1] + 1 != 1
               for (_, nos), (_, next_nos) in zip(blocks, blocks[1:], strict=False)):
            out.update(i for i, nos in blocks if nos or i in listed)
    return out


_NUMBER_HEADER = {"序号", "编号"}
_UNITS_HEADER = ("责任单位", "责任部门", "牵头单位", "牵头部门")
# 责任单位:市科技局、市经信局 (read in the normalized text), up to the end of the clause or a bracket
_DUTY = re.compile(rf"(?:{'|'.join(_UNITS_HEADER)})[:：]\s*([^。;；,，\n()（）]+)")
_HEADING_LINE = re.compile(r"[^。;；]{1,30}")  # a short line ending no sentence: a heading


@dataclass(frozen=True)
class _TableRow:
    """A row of a numbered table: where it stands in the text, its number, title and responsible units,
    the heading written before the table, where the table begins (its 序号 line) and its header cells."""

    start: int
    end: int
    number: int
    title: str
    written: str | None
    heading: str
    table_start: int
    header: tuple[str, ...]


def _starts_text(line: str) -> bool:
    """Whether a line is an item or a table's header, which a table cell never holds."""
    return normalize(line.strip()) in _NUMBER_HEADER or any(p.match(line) for p in (_TOP, _ITEM, _SUB, _IS))


def _sentence(line: str) -> bool:
    """Whether a line is a sentence of text rather than a piece of a table cell written over lines."""
    return len(line.strip()) > 30 or line.rstrip().endswith(("。", "！", "？"))


def _table_heading(lines: list[str]) -> str:
    """The heading of a table: up to two short lines written just before its header (附件1, 主要预期指标),
    not a paragraph, an item or a row of a table before it ('' when there are none: the table stands
    under the section before it)."""
    taken: list[str] = []
    for ln in reversed(lines):
        ln = ln.strip()
        if len(taken) == 2 or not _HEADING_LINE.fullmatch(ln) or _starts_text(ln) or TABLE_ROW_GAP.search(ln):
            break
        taken.insert(0, ln)
    return " ".join(taken)


def _table_rows(text: str) -> list[_TableRow]:
    """The rows of the numbered tables of ``text``, in text order, in both layouts: a cell per line
    (:func:`_cell_table_rows`) and a row per line (:func:`_line_table_rows`)."""
    return sorted(_cell_table_rows(text) + _line_table_rows(text), key=lambda row: row.start)


def _line_table_rows(text: str) -> list[_TableRow]:
    """The rows of the numbered tables of ``text`` written a row per line, cells apart by tabs or by two
    or more spaces (:func:`~cityscience.textnorm.row_cells`): a header line whose first cell is 序号, then
    lines whose first cell counts 1, 2, 3, … (blank lines between are passed over). The title is the
    row's second cell, the responsible units the cell under a 责任单位 header (in a row with as many
    cells as the header: a row with fewer cannot say which cell is which), the heading the short lines
    written before the header (:func:`_table_heading`)."""
    lines = text.split("\n")
    starts = [0]
    for ln in lines:
        starts.append(starts[-1] + len(ln) + 1)
    rows: list[_TableRow] = []
    i = 0
    while i < len(lines):
        ln = lines[i]
        head = row_cells(ln)  # (a line without a gap is one cell)
        if len(head) < 2 or normalize(ln[head[0][0]:head[0][1]]) not in _NUMBER_HEADER:
            i += 1
            continue
        header = tuple(squeeze(ln[a:b]) for a, b in head)
        units_col = next((j for j, h in enumerate(header) if h in _UNITS_HEADER), None)
        heading = _table_heading(lines[:i])
        table_start, number, j = starts[i] + head[0][0], 1, i + 1
        while j < len(lines):
            row = lines[j]
            if not row.strip():
                j += 1
                continue
            cells = row_cells(row)
            if len(cells) < 2 or len(cells) > len(header) or squeeze(row[cells[0][0]:cells[0][1]]) != str(number):
                break
            title = re.split(r"[(（]单位", squeeze(row[cells[1][0]:cells[1][1]]))[0]
            written = None
            if units_col is not None and len(cells) == len(header):
                a, b = cells[units_col]
                written = squeeze(row[a:b]) or None
            if title:
                rows.append(_TableRow(starts[j] + cells[0][0], starts[j] + cells[-1][1], number, title, written,
                                      heading, table_start, header))
            number, j = number + 1, j + 1
        i = j if j > i + 1 else i + 1
    return rows


def _cell_table_rows(text: str) -> list[_TableRow]:
    """The rows of the numbered tables of ``text``, written one cell per line (or lines) with a line
    holding only ``|`` after each cell (the last cell of a table may have none): a header whose first
    cell is 序号, then rows whose first cell counts 1, 2, 3, …. The row's title is its second cell
    (without a (单位:…) note), its responsible units the cell under a 责任单位 header, its heading the
    short lines written before the header (:func:`_table_heading`). The last cell of a table ends before
    a line that is an item or a header (the text after a table with no | after its last cell)."""
    cells: list[tuple[int, int]] = []  # (start, end) of each cell, in text order
    at = 0
    for m in TABLE_CELL_BREAK.finditer(text):
        cells.append((at, m.start()))
        at = m.end() + 1
    open_cell = None  # the text after the last |: a last cell of its first line only
    if cells and text[at:].strip():
        open_cell = len(cells)
        cells.append((at, len(text)))
    cell = lambda k: text[cells[k][0]:cells[k][1]]  # noqa: E731
    rows: list[_TableRow] = []
    k = 0
    while k < len(cells):
        lines = cell(k).split("\n")
        if normalize(lines[-1].strip()) not in _NUMBER_HEADER:  # 序號 in a traditional text too
            k += 1
            continue
        width = next((w for w in range(1, 12) if k + w < len(cells) and squeeze(cell(k + w)) == "1"), None)
        if width is None or width < 2:
            k += 1
            continue
        header = [lines[-1].strip()] + [squeeze(cell(k + j)) for j in range(1, width)]
        units_col = next((j for j, h in enumerate(header) if h in _UNITS_HEADER), None)
        heading = _table_heading(lines[:-1])
        table_start = cells[k][1] - len(lines[-1])
        k, number = k + width, 1
        while k + width <= len(cells) and squeeze(cell(k)) == str(number):
            last = k + width - 1
            end = cells[last][1]
            if k + width >= len(cells) or squeeze(cell(k + width)) != str(number + 1):  # the table's last row
                first, *rest = cell(last).split("\n")
                kept = [first]
                for ln in rest if last != open_cell else ():
                    if _starts_text(ln) or _sentence(ln):
                        break
                    kept.append(ln)
                end = cells[last][0] + len("\n".join(kept).rstrip())
            title = re.split(r"[(（]单位", "".join(cell(k + 1).split()))[0]
            written = "".join(text[cells[k + units_col][0]:min(cells[k + units_col][1], end)].split()) \
                if units_col is not None else None
            if title:
                rows.append(_TableRow(cells[k][0], end, number, title, written or None, heading, table_start,
                                      tuple(header)))
            k, number = k + width, number + 1
        if normalize(cell(k - 1).split("\n")[-1].strip()) in _NUMBER_HEADER:
            k -= 1  # the last cell ran on to the next table's header (no | after it): read that table too
    return rows


def _linked(evidence: str, obs_rows) -> str:
    """The obs_ids of the candidates whose evidence lies inside an item's, as validate links them."""
    norm_ev = normalize(evidence)
    return ";".join(r["obs_id"] for r in obs_rows if r["evidence"] and normalize(str(r["evidence"])) in norm_ev)


def _part_end(part_spans, text: str, offset: int) -> int:
    """Where the part of the text holding ``offset`` ends (the next part's start, or the text's end)."""
    return min([s for _, s, _ in part_spans if s > offset] + [len(text)])


def _set_evidence(sheet: Sheet, i: int, evidence: str, obs_rows) -> None:
    """Give item ``i`` a longer evidence, the candidates inside it as links, and mark it for a check."""
    sheet.rows[i]["evidence"] = evidence
    sheet.rows[i]["obs_ids"] = _linked(evidence, obs_rows)
    sheet.unsure.add((i, "evidence"))


def settle_items(root: Path, d: Draft, text: str, part_spans, obs_rows) -> Checked:
    """Make the drafted policy items ones accept takes unedited, and return the staged check of the draft.

    Validation reads each list as numbered 1, 2, 3, … with no number written after its last item; what
    the drafting rules could not place is settled here, as validate reports it: an item after which the
    next number of its list is written (a second list that goes on in the same paragraph, or on the
    lines below) runs on to the end of the line where its list last goes on, and an item validate refuses
    for another reason is left out with its parts and the later items of its list. Either is said in a
    warning, for the reviewer to look at.
    """
    sheet = d.sheets["measures"]
    norm = normalize(text)
    extended: list[str] = []
    dropped: list[str] = []
    for attempt in range(6):
        staged, by_sheet = staged_problems(root, d, with_exclusions=False)
        bad = by_sheet.get("measures", [])
        if not bad:
            break
        rows = sheet.rows
        if attempt == 5:  # still refused: no items rather than a draft that accept refuses
            dropped += [f"{r['item_id']} (line {r['line']})" for r in rows]
            sheet.drop(set(range(len(rows))))
            staged = staged_problems(root, d, with_exclusions=False)[0]
            break
        drop = {i for i, p in bad if p.check != "item_missing"}
        at = [norm.find(normalize(str(r["evidence"]))) for r in rows]
        for i in sorted({i for i, p in bad if p.check == "item_missing"} - drop):
            kids = [k for k, r in enumerate(rows) if r["parent"] and r["parent"] == rows[i]["item_id"]]
            grow = max(kids, key=lambda k: at[k]) if kids else i  # a list goes on after the item's last part
            start = at[grow]
            begin = start + len(normalize(str(rows[grow]["evidence"])))
            stop = min([s for s in at if s >= begin] + [_part_end(part_spans, text, start)])
            found = next_numbers(str(rows[i]["marker"]), int(rows[i]["item_no"]), norm, begin, stop) \
                if start >= 0 and str(rows[i]["item_no"]).isdigit() else []
            if not found:
                drop.add(i)
                continue
            line_end = norm.find("\n", found[-1])  # to the end of the line where the list last goes on
            _set_evidence(sheet, grow, text[start:stop if line_end < 0 or line_end > stop else line_end].rstrip(),
                          obs_rows)
            extended.append(str(rows[grow]["item_id"]))
        # a left-out item takes its parts along, and the later items of its list: their numbers no longer
        # go on from the item before them
        for i in sorted(drop):
            group = (rows[i]["kind"], rows[i]["parent"])
            for k in range(i + 1, len(rows)):
                if (rows[k]["kind"], rows[k]["parent"]) != group:
                    continue
                if str(rows[k]["item_no"]) == "1" and rows[k]["section"] != rows[i]["section"]:
                    break  # the list starts again under a new heading
                drop.add(k)
        ids = {rows[i]["item_id"] for i in drop}
        drop |= {k for k, r in enumerate(rows) if r["parent"] in ids}
        dropped += [f"{rows[i]['item_id']} (line {rows[i]['line']})" for i in sorted(drop)]
        sheet.drop(drop)
    kept = {str(r["item_id"]) for r in sheet.rows}
    extended = [x for x in extended if x in kept]
    if extended:
        d.warnings.append(f"policy items {', '.join(dict.fromkeys(extended))} run on to the next item: the "
                          "number after them is written before it (a list that goes on); check their evidence")
    if dropped:
        d.warnings.append(f"policy items left out, as validate would refuse them (their numbering or text): "
                          f"{', '.join(dropped)}; add them by hand if they are items")
    return staged


def _table_kind(header: tuple[str, ...], kinds: Mapping[str, tuple[str, ...]], default: str) -> str:
    """The item kind of a table's rows: the first kind one of whose ``table_words`` a header cell is or
    begins with (指标, 指标名称)."""
    return next((kind for kind, words in kinds.items()
                 if any(cell.startswith(word) for cell in header[1:] for word in words)), default)


def draft_items(sheet: Sheet, text: str, part_spans, source_id, region, year, prefix, obs_rows,
                    issuer_code, index, order, bodies_sheet: Sheet, region_row, body_codes,
                    levels: Mapping[str, str], cues: Mapping[str, tuple[str, ...]],
                    kinds: Mapping[str, tuple[str, ...]]) -> list[int]:
    """Policy items in text order: (一), N. and 一是 items at the start of a line, the N. items under a (一)
    item as its parts, an 一是…二是… enumeration inside a line as the parts of that line's item (or, after
    a 一是 at the start of the line, as its siblings), and the rows of numbered tables (of the kind their
    header names, :func:`~cityscience.validate.table_kinds`). Returns the lines of the numbered items
    left out because their number does not go on from the list before them."""
    lines = text.split("\n")
    skipped: list[int] = []  # lines of numbered items whose number does not go on from the list before
    tables_left_out: set[int] = set()  # tables (by where they start) a row of which could not be placed
    section = ""
    current_top = None  # item_id of the last top-level item the N. and 一是 lines below are parts of
    current_part = None
    counters: dict[tuple, tuple[int, str | None]] = {}  # (kind, parent) → last number, its section
    bounds = [(k, s) for k, s, _ in part_spans]
    years = {k: y for k, _, y in part_spans}
    starts = [0]
    for line in lines:
        starts.append(starts[-1] + len(line) + 1)
    line_of = lambda offset: bisect.bisect_right(starts, offset) - 1  # noqa: E731
    table_rows: dict[int, list[_TableRow]] = {}  # line index → the table rows starting on it
    in_table: set[int] = set()  # line indexes a table covers (its header and rows)
    for row in _table_rows(text):
        table_rows.setdefault(line_of(row.start), []).append(row)
        in_table.update(range(line_of(row.table_start), line_of(row.end) + 1))
    # a heading (一、…) with no numbered item (or table row) under it is an item itself
    tops = [i for i, ln in enumerate(lines) if _TOP.match(ln)]
    bare = set()
    for k, i in enumerate(tops):
        end = tops[k + 1] if k + 1 < len(tops) else len(lines)
        if not any(_ITEM.match(ln) or _SUB.match(ln) or _IS.match(ln) for ln in lines[i + 1:end]) and \
                not any(j in table_rows for j in range(i + 1, end)):
            bare.add(i)
    # ... unless a heading of the same part has items under it: then the headings are sections, and
    # one with prose only under it (二、存在的不足) is a section too, not item 2 of a list without a 1
    part_of = lambda i: next((k for k, s in reversed(bounds) if s <= starts[i]), "summary")  # noqa: E731
    sectioned = {part_of(i) for i in tops if i not in bare}
    bare = {i for i in bare if part_of(i) not in sectioned and not _YEAR_HEADING.match(lines[i])}
    headings = _continued_headings(lines)

    def numbered(kind: str, parent: str, item_no: int, at_section: str) -> bool:
        """Whether ``item_no`` continues its list, as validate reads a list: one per kind and parent,
        1, 2, 3, … in text order, starting again at 1 under a new heading; if so, it is counted."""
        last_no, last_section = counters.get((kind, parent), (0, None))
        if item_no != last_no + 1 and not (item_no == 1 and at_section != last_section):
            return False  # numbering that does not continue (a quoted list, a table): left for the reviewer
        counters[(kind, parent)] = (item_no, at_section)
        return True

    def new_id(kind: str, parent: str, item_no: int) -> str:
        if parent:
            return f"{parent}-{item_no}"
        letter = {"task": "t", "area": "a"}.get(kind) or "".join(w[:1] for w in kind.split("_"))
        n = sum(1 for r in sheet.rows if not r["parent"] and r["kind"] == kind)  # t01 is the first task
        return f"{prefix}-{letter}{n + 1:02d}"

    def add(item_id: str, kind: str, parent: str, item_no: int, marker: str, evidence: str, title: str,
            part: str, ln_no: int, at_section: str, written: str | None = None) -> None:
        duty = _DUTY.search(normalize(evidence))  # (normalizing keeps offsets: the units as written)
        if written is None and duty:
            written = evidence[duty.start(1):duty.end(1)].strip()
        if written:
            codes = []
            for name in (n for n in written.split("、") if n.strip()):
                code = resolve_bodies(name, region, index, order)[0]
                if code is None:
                    code = body_code(region, name, body_codes)
                    add_body(bodies_sheet, index, body_row(code, name, region_row, f"{UNTRANSLATED} {name}", levels),
                              ("name_en", "level", "kind"))
                codes.append(code)
            responsibility, units, as_written = "stated", ";".join(dict.fromkeys(codes)), written
        elif issuer_code:
            responsibility, units, as_written = "issuer", issuer_code, ""
        else:
            responsibility, units, as_written = "unstated", "", ""
        linked = _linked(evidence, obs_rows)
        sheet.add({"item_id": item_id, "source_id": source_id, "region": region,
                   "year": str(years.get(part) or year or ""), "part": part, "section": at_section,
                   "kind": kind, "parent": parent, "item_no": str(item_no), "marker": marker,
                   "title_zh": title, "title_en": f"{UNTRANSLATED} {title}", "theme": _theme(evidence, cues),
                   "responsibility": responsibility, "responsible_units": units,
                   "units_as_written": as_written, "obs_ids": linked, "evidence": evidence,
                   "note": "", "line": ln_no}, ("title_en", "theme"))

    def title_of(evidence: str, marker: str) -> str:
        body = evidence[len(marker):]
        t = _TITLE_END.search(body)
        return (body[:t.start()] if t else body)[:40].strip()

    for i, line in enumerate(lines):
        ln_no = i + 1
        part = next((k for k, s in reversed(bounds) if s <= starts[i]), "summary")
        if part == "chrome":
            continue
        if part != current_part:  # the plan's items are not parts of the summary's last item
            current_top, current_part = None, part
        kind = "task" if part == "plan" else "area"
        for row in table_rows.get(i, []):
            row_kind = _table_kind(row.header, kinds, kind)
            row_section = row.heading or section
            if row.table_start in tables_left_out:  # its first row could not be placed: neither can the rest
                skipped.append(ln_no)
            elif numbered(row_kind, "", row.number, row_section):
                add(new_id(row_kind, "", row.number), row_kind, "", row.number, str(row.number),
                    text[row.start:row.end], row.title, part, ln_no, row_section, written=row.written)
            else:
                skipped.append(ln_no)
                tables_left_out.add(row.table_start)
            current_top = None  # a table row has no parts
        if i in in_table:
            continue
        top = _TOP.match(line)
        if (top and i not in bare) or i in headings:
            section = line.strip()
            current_top = None
            continue
        m = top or _ITEM.match(line) or _SUB.match(line) or _IS.match(line)
        if not m:
            continue
        is_sub = top is None and _ITEM.match(line) is None
        if top:
            section = ""
        evidence = line.strip()
        marker = m.group(1)
        title = title_of(evidence, marker)
        if not title:
            continue
        parent = current_top if is_sub and current_top is not None else ""
        item_kind = "part" if parent else kind
        item_no = _marker_no(marker)
        if not numbered(item_kind, parent, item_no, section):
            skipped.append(ln_no)
            continue
        item_id = new_id(item_kind, parent, item_no)
        # after 一是 at the start of the line, the 二是 written on in it are its siblings; an 一是…二是…
        # inside any other top-level item (or a new 一是 list inside the 一是 line) are its parts
        series = _inline_series(evidence, len(marker), first=item_no + 1) if marker.endswith("是") else []
        siblings = bool(series)
        if not series and not parent:
            series = _inline_series(evidence, len(marker))
        if not series:
            add(item_id, item_kind, parent, item_no, marker, evidence, title, part, ln_no, section)
        else:  # the item's own text ends where the first of the series begins
            own = evidence[:series[0][0]].rstrip()
            if siblings:  # (an item with parts keeps the punctuation before them, as the curated items do)
                own = own.rstrip(_LIST_SEP).rstrip()
            add(item_id, item_kind, parent, item_no, marker, own, title_of(own, marker) or own[:40], part, ln_no,
                section)
            for at, stop, series_marker in series:
                no = _marker_no(series_marker)
                series_kind, series_parent = (item_kind, parent) if siblings else ("part", item_id)
                if not numbered(series_kind, series_parent, no, section):
                    skipped.append(ln_no)
                    break
                series_ev = evidence[at:stop]
                add(new_id(series_kind, series_parent, no), series_kind, series_parent, no, series_marker,
                    series_ev, title_of(series_ev, series_marker) or series_ev[:40], part, ln_no, section)
        if not is_sub:
            current_top = item_id
    _unique_evidence(sheet, text, part_spans, obs_rows)
    return list(dict.fromkeys(skipped))


def _unique_evidence(sheet: Sheet, text: str, part_spans, obs_rows) -> None:
    """Validate places an item where its evidence is first written: an item whose words were written
    before it too (a plan repeating a heading of the summary) takes in the lines after it until its
    evidence is written nowhere earlier (within its part)."""
    norm = normalize(text)
    cursor = 0
    for i, row in enumerate(sheet.rows):
        ev = normalize(str(row["evidence"]))
        at = norm.find(ev, cursor)
        if at < 0:
            continue
        cursor = at
        if norm.find(ev) == at:
            continue
        limit = _part_end(part_spans, text, at)
        end = at + len(ev)
        while norm.find(norm[at:end]) != at and end < limit:
            line_end = norm.find("\n", end + 1)
            end = limit if line_end < 0 or line_end > limit else line_end
        longer = text[at:end].rstrip()
        if norm.find(normalize(longer)) == at:
            _set_evidence(sheet, i, longer, obs_rows)
