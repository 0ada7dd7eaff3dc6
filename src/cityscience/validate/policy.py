"""Checks of the policy tables: the parts of each text, the items and who answers for them, the terms.

Each policy item (a numbered task, measure or key-work item) is checked
against its document: its evidence occurs in the raw text, in the part
(summary or plan) ``text_parts.csv`` gives it, its title, marker and section
are written there, its responsible bodies are the ones the text names, and
every observation stated inside it is linked to it. The items of one list
are numbered through, and none is left out after the last one curated.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from ..numbers import find_numbers, normalize, parse_chinese_numeral
from ..problems import Problem
from ..tables import relpath
from ..textnorm import TABLE_ROW_GAP
from .cells import follows_rule, split_list
from .checked import Checked, Located
from .core import value_in_text

__all__ = ["Located", "alias_index", "check_policy_items", "check_stopwords", "check_terms",
           "check_text_parts", "locate_parts", "long_form", "marker_number", "name_forms", "next_numbers",
           "region_search_order", "resolve_bodies", "squeeze"]

_WS = re.compile(r"\s+")
_CN_DIGIT = "[一二三四五六七八九十]"
#: An item's marker as written: 1. 2、 (一) 一是 12 (the number in group 2).
_MARKER = re.compile(f"^([((]?)([0-9]+|{_CN_DIGIT}+)([))]?)(是|\\.|、)?$")
# Parts of the text in which policy items may stand.
_ITEM_PARTS = {"summary", "plan"}


def squeeze(text: str) -> str:
    """Normalized text without whitespace: table cells and titles split over lines still match."""
    return _WS.sub("", normalize(text))


# ---------------------------------------------------------------------------------------------
# text parts


def locate_parts(text: str, entries: Iterable[tuple[str, str]]) -> tuple[list[tuple[str, int, int]], list[int]]:
    """Cut a raw text into parts at the lines given by ``(part, line_start)`` entries, in order.

    Each entry's ``line_start`` is looked for from the previous entry's line on,
    at the start of a line (leading whitespace ignored). Returns the parts as
    ``(part, start, end)`` character spans and the indexes of entries not found.
    """
    lines = text.split("\n")
    offsets, pos = [], 0
    for line in lines:
        offsets.append(pos)
        pos += len(line) + 1
    norm_lines = [normalize(line).strip() for line in lines]
    starts: list[tuple[str, int]] = []
    missing: list[int] = []
    at = 0
    for k, (part, line_start) in enumerate(entries):
        want = normalize(line_start).strip()
        hit = next((i for i in range(at, len(lines)) if want and norm_lines[i].startswith(want)), None)
        if hit is None:
            missing.append(k)
            continue
        starts.append((part, hit))
        at = hit + 1
    spans = []
    for k, (part, line_no) in enumerate(starts):
        end = offsets[starts[k + 1][1]] if k + 1 < len(starts) else len(text)
        spans.append((part, offsets[line_no], end))
    return spans, missing


def check_text_parts(checked: Checked, problems: list[Problem]) -> dict[str, list[Located]]:
    """Locate every document's parts from ``text_parts.csv``; report lines not found and documents not cut."""
    table = checked.tables["text_parts"]
    shown = relpath(table.path, checked.root.parent)
    by_source: dict[str, list[tuple[dict[str, str], int]]] = {}
    for row, line in zip(table.rows, table.lines, strict=True):
        by_source.setdefault(row["source_id"], []).append((row, line))
    located: dict[str, list[Located]] = {}
    for source_id, text in checked.raw_texts.items():
        entries = by_source.get(source_id, [])
        if not entries:
            if table.rows or table.columns:
                first = next((ln.strip() for ln in text.split("\n") if ln.strip()), "")[:20]
                first = f'"{first}"' if "," in first or '"' in first else first
                problems.append(Problem(shown, None, "source_id", source_id,
                                        "rows that cut this document into chrome, summary and plan parts: at "
                                        f"least the row '{source_id},summary,{first},' (part, then the start of "
                                        "the part's first line; a plan or chrome part gets a row at its own "
                                        "first line); cityscience add-report drafts them", "missing_parts"))
            continue
        spans, missing = locate_parts(text, [(r["part"], r["line_start"]) for r, _ in entries])
        for k in missing:
            row, line = entries[k]
            problems.append(Problem(shown, line, "line_start", row["line_start"],
                                    f"the start of a line of {source_id}, after the previous part's line",
                                    "line_not_found"))
        if not missing and spans:
            first_text = text[: spans[0][1]]
            if first_text.strip():
                row, line = entries[0]
                problems.append(Problem(shown, line, "line_start", row["line_start"],
                                        f"the first non-blank line of {source_id}, so every line has a part",
                                        "parts_do_not_cover"))
        located[source_id] = [Located(source_id, p, s, e) for p, s, e in spans]
    return located


def _part_at(located: list[Located], offset: int) -> str | None:
    for loc in located:
        if loc.start <= offset < loc.end:
            return loc.part
    return None


# ---------------------------------------------------------------------------------------------
# bodies


def region_search_order(checked: Checked) -> dict[str, list[str]]:
    """Region → regions to search for a name: the region itself, then those it administers."""
    rows = checked.tables["regions"].rows if "regions" in checked.tables else []
    children: dict[str, list[str]] = {}
    for r in rows:
        if r.get("parent"):
            children.setdefault(r["parent"], []).append(r["region"])
    return {r["region"]: [r["region"], *children.get(r["region"], [])] for r in rows}


def alias_index(checked: Checked, problems: list[Problem]) -> dict[tuple[str, str], str]:
    """(region, name as written) → body code; the same name twice in one region is a problem."""
    table = checked.tables["bodies"]
    shown = relpath(table.path, checked.root.parent)
    index: dict[tuple[str, str], str] = {}
    where: dict[tuple[str, str], int] = {}
    for row, line in zip(table.rows, table.lines, strict=True):
        code = row["body"]
        for alias in split_list(row["aliases"]):
            key = (row["region"], squeeze(alias))
            if key in index and index[key] != code:
                problems.append(Problem(shown, line, "aliases", alias,
                                        f"a name that means one body in region {row['region']} "
                                        f"(line {where[key]} gives it to {index[key]})", "ambiguous_alias"))
                continue
            index.setdefault(key, code)
            where.setdefault(key, line)
    return index


_SHORT_FORM = re.compile("科技([局厅])")
_LONG_FORM = re.compile("科学技术([局厅])")


def long_form(name: str) -> str:
    """A body's name with 科技局 (科技厅) written out as 科学技术局 (科学技术厅), as a body's name_zh gives it."""
    return _SHORT_FORM.sub(r"科学技术\1", name)


def name_forms(name: str) -> list[str]:
    """A body's name as written, then in its long or short form: 科技局 is short for 科学技术局 (and
    科技厅 for 科学技术厅), so 市科学技术局 is the body whose aliases list 市科技局.

    >>> name_forms("市科技局")
    ['市科技局', '市科学技术局']
    """
    return list(dict.fromkeys([name, long_form(name), _LONG_FORM.sub(r"科技\1", name)]))


def resolve_bodies(written: str, region: str, index: dict[tuple[str, str], str],
                  regions: dict[str, list[str]]) -> list[str | None]:
    """Body codes for responsible units as written (names separated by 、), None where unknown.

    A name is looked up among the bodies of the document's region first, then of
    the regions it administers (so 市科技局 in a Cixi document is Cixi's bureau); as written first,
    then in its other form (:func:`name_forms`).
    """
    out: list[str | None] = []
    for name in (n for n in written.split("、") if n.strip()):
        keys = [squeeze(form) for form in name_forms(name)]
        out.append(next((index[(r, key)] for key in keys for r in regions.get(region, [region])
                         if (r, key) in index), None))
    return out


# ---------------------------------------------------------------------------------------------
# policy items


def marker_number(marker: str) -> int | None:
    """The number an item's marker writes (1. → 1, (三) → 3, 二是 → 2, 12 → 12), or None for no marker."""
    m = _MARKER.match(squeeze(marker))
    if not m:
        return None
    token = m.group(2)
    if token.isdigit():
        return int(token)
    tokens = find_numbers(token, normalized=True)
    return int(tokens[0].value) if tokens and tokens[0].value == tokens[0].value else None


def check_policy_items(checked: Checked, located: dict[str, list[Located]], index, problems: list[Problem]) -> None:
    """Each item against its document: evidence, part, title, marker, section, responsibility and links."""
    table = checked.tables["policy_items"]
    shown = relpath(table.path, checked.root.parent)
    sources = {r["source_id"]: r for r in checked.tables["sources"].rows}
    regions = region_search_order(checked)
    obs_rows = checked.tables["observations"].rows
    obs_by_id = {r["obs_id"]: r for r in obs_rows}
    by_source: dict[str, list[tuple[dict, str]]] = {}  # each observation with its normalized evidence, once
    for r in obs_rows:
        by_source.setdefault(r["source_id"], []).append((r, normalize(r["evidence"]) if r["evidence"] else ""))
    squeezed = {sid: _WS.sub("", t) for sid, t in checked.normalized_texts.items()}
    rows = list(zip(table.rows, table.lines, strict=True))
    position: dict[str, int] = {}  # item_id → offset of its evidence in the squeezed text
    spans: dict[str, tuple[int, int]] = {}  # item_id → span of its evidence in the normalized text
    by_id = {row["item_id"]: row for row, _ in rows}

    for row, line in rows:
        sid = row["source_id"]
        source = sources.get(sid)
        if source is None:
            continue  # reported by the cell check
        if row["region"] and row["region"] != source["region"]:
            problems.append(Problem(shown, line, "region", row["region"],
                                    f"{source['region']!r}, the region of {sid}", "region_mismatch"))
        covered = source.get("years_covered", "")
        years = set(split_list(covered)) if follows_rule(checked, "sources", "years_covered", covered) else set()
        if row["year"] and years and row["year"] not in years:
            problems.append(Problem(shown, line, "year", row["year"],
                                    f"one of the years {sid} covers ({', '.join(sorted(years))})", "year_range"))
        text = checked.normalized_texts.get(sid)
        evidence = row["evidence"]
        if text is None or not evidence:
            continue
        norm_ev = normalize(evidence)
        at = text.find(norm_ev)
        if at < 0:
            problems.append(Problem(shown, line, "evidence", evidence,
                                    f"an exact substring of the raw document of {sid}", "evidence_not_found"))
            continue
        squeezed_ev = _WS.sub("", norm_ev)
        position[row["item_id"]] = squeezed[sid].find(squeezed_ev)
        spans[row["item_id"]] = (at, at + len(norm_ev))
        part = _part_at(located.get(sid, []), at)
        if row["part"] and part is not None and row["part"] != part:
            problems.append(Problem(shown, line, "part", row["part"],
                                    f"{part!r}: the evidence stands in the {part} part of {sid} "
                                    "(data/text_parts.csv)", "part_mismatch"))
        if row["part"] and row["part"] not in _ITEM_PARTS:
            problems.append(Problem(shown, line, "part", row["part"], "summary or plan (policy items are not chrome)",
                                    "allowed_value"))
        if row["title_zh"] and squeeze(row["title_zh"]) not in squeezed_ev:
            problems.append(Problem(shown, line, "title_zh", row["title_zh"],
                                    "a title written in the evidence (spaces and line breaks ignored)",
                                    "title_not_in_evidence"))
        if row["marker"]:
            mark = squeeze(row["marker"])
            runs_on = squeezed_ev[len(mark): len(mark) + 1].isdigit() and mark[-1:].isdigit()
            if not squeezed_ev.startswith(mark) or runs_on:
                problems.append(Problem(shown, line, "marker", row["marker"],
                                        "the number as written at the start of the evidence", "marker_mismatch"))
            number = marker_number(row["marker"])
            if number is None:
                problems.append(Problem(shown, line, "marker", row["marker"],
                                        "an item number such as 1., 2、, (一), 一是 or 12", "marker_mismatch"))
            elif row["item_no"].isdigit() and int(row["item_no"]) != number:
                problems.append(Problem(shown, line, "item_no", row["item_no"],
                                        f"{number}, the number the marker {row['marker']!r} gives",
                                        "item_no_mismatch"))
        if row["section"]:
            sec = squeezed[sid].find(squeeze(row["section"]))
            if sec < 0 or sec > position[row["item_id"]]:
                problems.append(Problem(shown, line, "section", row["section"],
                                        "a heading written in the document before the item's evidence",
                                        "section_not_found"))
        if regions:  # (regions.csv unreadable: names cannot be resolved, and that file's problem says why)
            _check_responsibility(row, line, shown, source, index, regions, problems)
        _check_links(row, line, shown, obs_by_id, by_source.get(row["source_id"], []), norm_ev, problems)

    _check_parents(rows, by_id, position, shown, problems)
    _check_numbering(rows, position, shown, problems)
    _check_lists_end(rows, spans, located, checked.normalized_texts, shown, problems)


def _check_responsibility(row, line, shown, source, index, regions, problems) -> None:
    units = split_list(row["responsible_units"])
    basis, written = row["responsibility"], row["units_as_written"]
    region = source["region"]
    if basis == "stated":
        if not written:
            problems.append(Problem(shown, line, "units_as_written", written,
                                    "the responsible units as written (responsibility is stated)", "required"))
            return
        if squeeze(written) not in squeeze(row["evidence"]):
            problems.append(Problem(shown, line, "units_as_written", written,
                                    "units written in the evidence (spaces and line breaks ignored)",
                                    "units_not_in_evidence"))
        resolved = resolve_bodies(written, region, index, regions)
        names = [n for n in written.split("、") if n.strip()]
        for name, code in zip(names, resolved, strict=True):
            if code is None:
                problems.append(Problem(shown, line, "units_as_written", name,
                                        f"a name listed in the aliases of data/bodies.csv for region {region} "
                                        "or a region it administers", "unknown_body"))
        resolved = list(dict.fromkeys(resolved))  # 市科学技术局、市科技局: one body, listed once
        if None not in resolved and resolved != units:
            problems.append(Problem(shown, line, "responsible_units", row["responsible_units"],
                                    f"{';'.join(resolved)} (the units as written, in their order, each once)",
                                    "units_mismatch"))
    elif basis == "issuer":
        if written:
            problems.append(Problem(shown, line, "units_as_written", written,
                                    "nothing: the text states no units when responsibility is issuer",
                                    "units_mismatch"))
        issuer = resolve_bodies(source.get("issuer_zh", ""), region, index, regions)
        if issuer and None not in issuer and units != issuer:
            problems.append(Problem(shown, line, "responsible_units", row["responsible_units"],
                                    f"{';'.join(issuer)}, the issuer of {source['source_id']} "
                                    f"({source.get('issuer_zh', '')})", "units_mismatch"))
        elif None in issuer:
            problems.append(Problem(shown, line, "responsibility", basis,
                                    f"an issuer listed in data/bodies.csv ({source.get('issuer_zh', '')} is not)",
                                    "unknown_body"))
    elif basis == "unstated" and (units or written):
        problems.append(Problem(shown, line, "responsible_units", row["responsible_units"] or written,
                                "no units when responsibility is unstated", "units_mismatch"))


def _check_links(row, line, shown, obs_by_id, same_source, norm_ev, problems) -> None:
    """``same_source``: the observations of the item's document, each with its normalized evidence."""
    seen = set(split_list(row["obs_ids"]))
    for oid in split_list(row["obs_ids"]):
        obs = obs_by_id.get(oid)
        if obs is None:
            continue  # an unknown reference, reported with the cells
        if obs["source_id"] != row["source_id"]:
            problems.append(Problem(shown, line, "obs_ids", oid,
                                    f"an observation of {row['source_id']} (it is from {obs['source_id']})",
                                    "link_other_source"))
            continue
        inside = normalize(obs["evidence"]) in norm_ev
        try:
            stated = value_in_text(float(obs["value"]), norm_ev)
        except ValueError:
            stated = False
        if not inside and not stated:
            problems.append(Problem(shown, line, "obs_ids", oid,
                                    "an observation whose evidence lies inside this item's evidence, "
                                    f"or whose value ({obs['value']}) the item states", "link_not_in_evidence"))
    # every observation stated inside the item is linked, so no number is orphaned from its item
    for obs, evidence in same_source:
        if obs["obs_id"] and obs["obs_id"] not in seen and evidence and evidence in norm_ev:
            problems.append(Problem(shown, line, "obs_ids", row["obs_ids"],
                                    f"a list that includes {obs['obs_id']} (its evidence lies inside this item)",
                                    "unlinked_observation"))


def _check_parents(rows, by_id, position, shown, problems) -> None:
    for row, line in rows:
        pid = row["parent"]
        if not pid:
            continue
        parent = by_id.get(pid)
        if parent is None:
            continue  # unknown reference, reported by the cell check
        if pid == row["item_id"]:
            problems.append(Problem(shown, line, "parent", pid, "another item", "parent_invalid"))
        elif parent["source_id"] != row["source_id"]:
            problems.append(Problem(shown, line, "parent", pid, f"an item of {row['source_id']}", "parent_invalid"))
        elif parent["parent"]:
            problems.append(Problem(shown, line, "parent", pid,
                                    "a top-level item (parts have no parts of their own)", "parent_invalid"))
        elif pid in position and row["item_id"] in position and position[pid] > position[row["item_id"]]:
            problems.append(Problem(shown, line, "parent", pid, "an item whose evidence comes before this part",
                                    "parent_invalid"))


def _check_numbering(rows, position, shown, problems) -> None:
    """Items of one list are numbered 1, 2, 3, … in document order (restarting at 1 under a new heading)."""
    groups: dict[tuple[str, str, str], list] = {}
    for row, line in rows:
        if row["item_no"].isdigit():
            groups.setdefault((row["source_id"], row["kind"], row["parent"]), []).append((row, line))
    for items in groups.values():
        if any(row["item_id"] not in position for row, _ in items):
            continue  # an item whose evidence was not found (reported) has no place in the order
        items.sort(key=lambda rl: position[rl[0]["item_id"]])
        prev_no, prev_section = 0, None
        for row, line in items:
            no = int(row["item_no"])
            restart = no == 1 and prev_section is not None and row["section"] != prev_section
            if no != prev_no + 1 and not restart:
                problems.append(Problem(shown, line, "item_no", row["item_no"],
                                        f"{prev_no + 1}, the next number in document order "
                                        f"(numbering of {row['kind']} items of {row['source_id']})",
                                        "numbering_gap"))
            prev_no, prev_section = no, row["section"]


def _next_marker_pattern(marker: str) -> re.Pattern | None:
    """Markers written like ``marker``, with the number in group 1: 23. or 23、 like 22., 三是 like 二是, (三)
    like (二), a table cell holding 3 alone like one holding 2 (or a row per line starting with 3 like one with 2)."""
    m = _MARKER.match(squeeze(marker))
    if not m:
        return None
    opening, number, closing, after = m.groups()
    digits = number.isdigit()
    num = r"([0-9]+)" if digits else f"({_CN_DIGIT}+)"
    if opening or closing:
        return re.compile(r"[((]" + num + r"[))]")
    if after == "是":
        return re.compile(num + "是")
    if after:  # 1. and 1、 both stand for the same list (Haishu's points mix them)
        return re.compile((r"(?<![0-9.])" if digits else f"(?<!{_CN_DIGIT})") + num + r"[.、](?![0-9])")
    # a table's row number: alone on its line (a cell per line), or a row's first cell (a row per line)
    return re.compile(r"^[ \t|]*" + num + rf"(?:[ \t]*$|(?={TABLE_ROW_GAP.pattern}))", re.M) if digits else None


def next_numbers(marker: str, item_no: int, text: str, begin: int, end: int) -> list[int]:
    """Offsets in ``text[begin:end]`` where the number after ``item_no`` is written as a marker like
    ``marker`` (三是 after 二是, (三) after (二), 3. or 3、 after 2.): where the item's list goes on."""
    pattern = _next_marker_pattern(marker)
    out = []
    for m in pattern.finditer(text, begin, end) if pattern is not None else ():
        token = m.group(1)
        if (int(token) if token.isdigit() else parse_chinese_numeral(token)) == item_no + 1:
            out.append(m.start())
    return out


def _check_lists_end(rows, spans, located, texts, shown, problems) -> None:
    """No numbered item is left out where a list ends: the next number of an item's list is not written
    between the end of the item (and of its parts) and the start of the next item, or the end of its part.

    A gap inside a list is a numbering gap; this finds the items missing after the last curated one.
    A section heading that items name (二、主要工作和举措 after an item 一、) is not a missing item.
    """
    children: dict[str, list[str]] = {}
    for row, _ in rows:
        if row["parent"]:
            children.setdefault(row["parent"], []).append(row["item_id"])
    starts: dict[str, list[int]] = {}
    for row, _ in rows:
        if row["item_id"] in spans:
            starts.setdefault(row["source_id"], []).append(spans[row["item_id"]][0])
    for source_id in starts:
        starts[source_id].sort()
    headings: dict[str, set[str]] = {}  # the section headings items name: a heading is not a missing item
    for row, _ in rows:
        if row["section"]:
            headings.setdefault(row["source_id"], set()).add(squeeze(row["section"]))
    unplaced = {(row["source_id"], row["kind"], row["parent"]) for row, _ in rows if row["item_id"] not in spans}
    for row, line in rows:
        span = spans.get(row["item_id"])
        if (row["source_id"], row["kind"], row["parent"]) in unplaced:
            continue  # an item of this list was not found in the text (reported): where it ends is unknown
        if span is None or not row["marker"] or not row["item_no"].isdigit():
            continue
        sid = row["source_id"]
        begin = max([span[1], *(spans[c][1] for c in children.get(row["item_id"], []) if c in spans)])
        part_end = next((loc.end for loc in located.get(sid, []) if loc.start <= span[0] < loc.end),
                        len(texts[sid]))
        end = min([part_end, *(s for s in starts[sid] if s >= begin)])
        wanted = int(row["item_no"]) + 1
        for at in next_numbers(row["marker"], int(row["item_no"]), texts[sid], begin, end):
            ahead = squeeze(texts[sid][at: at + 200])
            if not any(ahead.startswith(h) for h in headings.get(sid, ())):
                context = texts[sid][at: at + 30].split("\n")[0].strip()
                problems.append(Problem(shown, line, "item_no", row["item_no"],
                                        f"the last item of its list, or an item {wanted} after it: {sid} goes "
                                        f"on with {context!r} (offset {at}), which no item of "
                                        "policy_items.csv starts with", "item_missing"))
                break


# ---------------------------------------------------------------------------------------------
# terms


def check_terms(checked: Checked, problems: list[Problem]) -> None:
    """Terms are single words in simplified characters and not stopwords."""
    table = checked.tables["terms"]
    shown = relpath(table.path, checked.root.parent)
    stop = {r["word"] for r in checked.tables["stopwords"].rows}
    for row, line in zip(table.rows, table.lines, strict=True):
        term = row["term"]
        if not term:
            continue
        if _WS.search(term):
            problems.append(Problem(shown, line, "term", term, "one word without spaces", "term_invalid"))
        if normalize(term) != term:
            problems.append(Problem(shown, line, "term", term,
                                    f"simplified characters ({normalize(term)}); texts are converted before "
                                    "counting", "not_simplified"))
        if term in stop:
            problems.append(Problem(shown, line, "term", term, f"a word that is not in {relpath(checked.tables['stopwords'].path, checked.root.parent)}",
                                    "term_is_stopword"))
        if row["version"].isdigit() and int(row["version"]) < 1:
            problems.append(Problem(shown, line, "version", row["version"], "a version number of 1 or more",
                                    "dtype"))




def check_stopwords(checked: Checked, problems: list[Problem]) -> None:
    """Stopwords are written in simplified characters (texts are converted before counting)."""
    table = checked.tables["stopwords"]
    shown = relpath(table.path, checked.root.parent)
    for row, line in zip(table.rows, table.lines, strict=True):
        word = row["word"]
        if normalize(word) != word:
            problems.append(Problem(shown, line, "word", word, f"simplified characters ({normalize(word)})",
                                    "not_simplified"))
