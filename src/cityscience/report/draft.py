"""Draft everything a new report adds to the data, for one review pass.

:func:`draft` reads a report (UTF-8, BOM, GB18030/GBK, Big5), runs the
extractor, and drafts the rows of every table the report touches: its sources
row, its parts, the candidate observations with suggested codes
(:mod:`.suggest`), codebook rows for what no code fits, an exclusion with a
reason for every other number (so the accounting is complete once accepted),
its numbered items as policy items, and a region, bodies or units the data
do not know yet. What the text does not say is left for the reviewer and
marked as unsure. Nothing here names a place, a document or a number.
"""

from __future__ import annotations

import bisect
import difflib
import hashlib
import re
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from ..conventions import UNTRANSLATED
from ..extract import extract
from ..extract.reading import MAX_REPORT_BYTES, ExtractError, decode_report, require_text
from ..numbers import find_numbers
from ..paths import data_dir
from ..problems import Problem
from ..tables import RawTable, read_bytes_capped
from ..textnorm import TABLE_CELL_BREAK, normalize, to_simplified
from ..validate import UNREADABLE, check
from ..validate.cells import check_cells
from ..validate.checked import Checked
from ..validate.core import body_levels, kind_bases, measure_units, table_kinds, theme_cues
from ..validate.policy import (
    alias_index,
    long_form,
    marker_number,
    name_forms,
    next_numbers,
    region_search_order,
    resolve_bodies,
    squeeze,
)
from .sheets import REVIEW_COLUMNS, SHEETS, Draft, Sheet
from .stage import staged_problems
from .suggest import FIT, Codebook, Suggestion, exclusion_reason, suggest_codes

__all__ = ["Draft", "ReportError", "draft", "format_value", "id_prefix"]

_OBS_COLUMNS = ["obs_id", "source_id", "region", "year", "indicator", "label_zh", "measure", "status", "qualifier",
                "value", "value_high", "unit", "evidence", "note", "variant"]


class ReportError(ExtractError):
    """A report that cannot be drafted (not text, empty, undetectable encoding), with what was found."""


def _basis(kind: str, label: str, bases: dict[str, tuple[str, ...]]) -> str:
    """The basis a new indicator of this kind most likely has: for a stock or a flow from the words of its
    label, else the first its kind may have. ``bases`` is kind → the bases it may have
    (:func:`~cityscience.validate.kind_bases`): a guess it does not list gives way to its first."""
    text = normalize(label)
    allowed = bases.get(kind, ())
    guess = ""
    if kind == "stock":
        guess = "valid" if "有效" in text else "cumulative" if "累计" in text else "existing"
    elif kind == "flow":
        guess = "new" if re.search(r"新|认定|入选|引进", text) else "activity"
    if guess and (guess in allowed or not allowed):
        return guess
    return allowed[0] if allowed else "activity"


def _missing(v) -> bool:
    import pandas as pd

    return v is None or bool(pd.isna(v))


def format_value(v) -> str:
    """A number as the curated files write it (12, not 12.0; never in exponent notation)."""
    import pandas as pd

    if v is None or pd.isna(v):
        return ""
    v = float(v)
    if v.is_integer():
        return str(int(v))
    return format(v, ".10f").rstrip("0").rstrip(".")


_SYLLABLE = re.compile(r"(zh|ch|sh|[bpmfdtnlgkhjqxrzcsyw])?[aeiouv]+(?:ng|n|r)?(?![aeiouv])")


def id_prefix(region: str, year: int | None, taken: set[str]) -> str:
    """Observation id prefix: the initials of the region code's first two pinyin syllables and the
    year's last two digits (qingxi 2019 → qx19); a letter is added when another source has it."""
    letters = re.sub(r"[^a-z]", "", region.lower())
    initials = [m.group()[0] for m in _SYLLABLE.finditer(letters)][:2]
    head = "".join(initials) if len(initials) == 2 else (letters[:2] or "r")
    base = f"{head}{(year or 0) % 100:02d}"
    prefix, k = base, 0
    while prefix in taken:
        prefix = base + "abcdefghijklmnopqrstuvwxyz"[k % 26] * (k // 26 + 1)
        k += 1
    return prefix


def _read(path: Path) -> tuple[str, str, bytes]:
    """The report's text, its encoding as received, and the UTF-8 bytes to store in data/raw/."""
    shown = str(path)
    data, problems = read_bytes_capped(path, shown, MAX_REPORT_BYTES, what="report")
    if data is None:
        raise ReportError(str(problems[0]))
    doc = require_text(decode_report(data, shown))
    if not find_numbers(normalize(doc.text)) and not re.search("[\u4e00-\u9fff]", doc.text):
        raise ReportError(f"{shown}: decoded as {doc.encoding}, but holds no Chinese text and no number; "
                          "expected the text of a report")
    stored = data if doc.encoding == "utf-8" else doc.text.encode("utf-8")
    return doc.text, doc.encoding, stored


# ---------------------------------------------------------------------------------------------
# the sources row

_ISSUER = re.compile(r"(?P<issuer>[\u4e00-\u9fff]{1,30}?(?:科学技术厅|科技厅|科学技术局|科技局|科学技术委员会|科委|"
                     r"人民政府办公厅|人民政府办公室|人民政府|委员会|办公室|局))(?:关于|[《“]|(?:19|20)\d{2})")
_BODY = r"(?:科学技术厅|科技厅|科学技术局|科技局|科学技术委员会|科委|人民政府办公厅|人民政府办公室|人民政府)"
_ISSUER_LINE = re.compile(rf"(?m)^[ \t\u3000•·]*(?:(?:信息)?来源[:：]\s*|发布机构[:：]\s*)?([\u4e00-\u9fff]{{0,20}}?{_BODY})"
                          r"[ \t\u3000]*$")
_DOC_NO = re.compile(r"(?m)^[ \t\u3000]*([\u4e00-\u9fff]{1,8}[〔\[【]\s*(?:19|20)\d{2}\s*[〕\]】]\s*\d{1,4}\s*号)")
_PUBLISHED = re.compile(r"(?:发布(?:时间|日期)|发文日期|成文日期|日期|时间)\s*[:：]\s*((?:19|20)\d{2})\s*[-/年.]\s*(\d{1,2})"
                        r"\s*[-/月.]\s*(\d{1,2})")
_ISO_LINE = re.compile(r"(?m)^[ \t\u3000]*((?:19|20)\d{2})-(\d{1,2})-(\d{1,2})[ \t\u3000]*$")
_DATE_LINE = re.compile(r"(?m)^[ \t\u3000]*((?:19|20)\d{2})年(\d{1,2})月(\d{1,2})日[ \t\u3000]*$")


def _date(y: str, m: str, d: str) -> str:
    return f"{int(y):04d}-{int(m):02d}-{int(d):02d}"


def _script(text: str) -> str:
    cjk = [ch for ch in text if "\u4e00" <= ch <= "\u9fff"]
    if not cjk:
        return "simplified"
    changed = sum(a != b for a, b in zip(text, to_simplified(text), strict=False) if "\u4e00" <= a <= "\u9fff")
    return "traditional" if changed >= max(5, 0.03 * len(cjk)) else "simplified"


def _issuer_en(issuer_zh: str, region_row: dict, bodies: list[dict]) -> str:
    """An English name for an issuer no body row has: the region's English name and the English of
    the same kind of body elsewhere (…科学技术局 → … Science and Technology Bureau)."""
    tail = issuer_zh
    for name in (region_row.get("name_zh", ""), region_row.get("short_zh", "")):
        if name and tail.startswith(name):
            tail = tail[len(name):]
            break
    best = ""
    for b in bodies:
        if b["name_zh"].endswith(tail) and b["name_en"]:
            words = b["name_en"].split(" ")
            # the English tail: drop the place words before it (Ningbo Science and … → Science and …)
            for k in range(len(words)):
                if words[k][:1].isupper() and k and " ".join(words[k:]).lower().startswith(("science", "general",
                                                                                             "economic")):
                    best = " ".join(words[k:])
                    break
            if best:
                break
    place = region_row.get("name_en") or region_row.get("region", "").title()
    return f"{place} {best or tail}".strip()


# ---------------------------------------------------------------------------------------------
# regions and bodies

_PLACE = re.compile(r"([\u4e00-\u9fff]{1,6}?(?:省|市|区|县))")
# The administrative level a place name's last character suggests; 市 is a county-level city when a
# place is named before it (宁波市慈溪市, 温州市瑞安市) and a prefecture-level city otherwise (the
# sub-provincial cities are all in the data).
_LEVELS = {"省": "province", "区": "district", "县": "county", "市": "county_level_city"}
_LEVEL_ALONE = {"市": "prefecture_level_city"}


def _region_row(code: str, title: str, issuer: str, text: str, regions: list[dict],
                levels: Mapping[str, str]) -> tuple[dict, tuple[str, ...]]:
    """A regions row for a new region: its name from the issuer or title, its parent from a known
    region named before it, its division code from a six-digit code of the parent's prefix, its
    administrative level from the name's last character (one of ``levels``, the admin_level codes).
    The region is the last place named (温州市瑞安市 is 瑞安市, under 温州市)."""
    names = _PLACE.findall(issuer or title or "")
    names = [n for i, n in enumerate(names) if not (n.endswith("省") and i + 1 < len(names))]  # 浙江省宁波市
    known = {r["name_zh"]: r for r in regions}
    own = names[-1] if names else ""
    before = names[:-1]
    parent = next((known[n] for n in reversed(before) if n in known), None)
    unsure = ["name_en", "short_en", "admin_level"]
    code_guess = ""
    if parent and parent.get("division_code"):
        stem = parent["division_code"].rstrip("0")[:4]
        for m in re.finditer(rf"{stem}\d{{{6 - len(stem)}}}", text):
            if m.group(0) != parent["division_code"] and not m.group(0).endswith("00"):
                code_guess = m.group(0)  # the division code inside an index number (索引号)
                break
    if not code_guess:
        unsure.append("division_code")
    suffix = own[-1:]
    level = (_LEVELS if before else _LEVELS | _LEVEL_ALONE)[suffix] if suffix in _LEVELS else ""
    row = {"region": code, "name_zh": own, "name_en": code.replace("_", " ").title(),
           "short_zh": own[:-1] if len(own) > 2 else own, "short_en": code.replace("_", " ").title(),
           "admin_level": level if level in levels else "", "parent": parent["region"] if parent else "",
           "division_code": code_guess, "color": "", "notes": ""}
    return row, tuple(unsure)


def _body_code(region: str, name: str, taken: set[str]) -> str:
    base = f"{region}_{'stb' if re.search('科学技术[局厅]|科技[局厅]', name) else 'body'}"
    code, k = base, 1
    while code in taken:
        k += 1
        code = f"{base}{k}"
    taken.add(code)
    return code


def _body_row(code: str, name: str, region: dict, en: str, levels: Mapping[str, str]) -> dict:
    """A bodies row for a body of ``region``, at the level ``levels`` gives its administrative level
    (:func:`~cityscience.validate.body_levels`; empty, for the reviewer, when the region has none yet)."""
    level = levels.get(region.get("admin_level", ""), "")
    kind = "government" if name.endswith("人民政府") else "department"
    short = name
    own = region.get("name_zh", "")
    at = name.find(own) if own else -1
    if at >= 0 and len(name) > at + len(own) + 1:  # 青溪县科技局 → 县科技局, as documents write it
        short = own[-1:] + name[at + len(own):]  # (温州市瑞安市科学技术局 → 市科学技术局 too)
    aliases = ";".join(name_forms(name) + [n for n in name_forms(short) if n not in name_forms(name)])
    return {"body": code, "name_zh": name, "short_zh": short, "name_en": en, "level": level, "kind": kind,
            "region": region.get("region", ""), "aliases": aliases, "note": "Drafted by add-report."}


def _add_body(sheet: Sheet, index: dict, row: dict, unsure: tuple[str, ...]) -> None:
    """Add a drafted bodies row, and its aliases to ``index``, so that later names resolve to it; an alias
    another body of the region already has is left out (validate refuses an alias of two bodies)."""
    region = row["region"]
    aliases = [a for a in row["aliases"].split(";") if index.get((region, squeeze(a)), row["body"]) == row["body"]]
    row["aliases"] = ";".join(aliases or [row["name_zh"]])
    sheet.add(row, unsure)
    for alias in aliases:
        index[(region, squeeze(alias))] = row["body"]


# ---------------------------------------------------------------------------------------------
# measures (policy items)

# Item markers at the start of a line, after any indentation (spaces, ideographic or no-break spaces).
_TOP = re.compile(r"^[^\S\n]*([一二三四五六七八九十]{1,3}、)")
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


# ---------------------------------------------------------------------------------------------


def _rows(checked, name: str) -> list[dict[str, str]]:
    table = checked.tables.get(name)
    return table.rows if table is not None else []


def _columns(checked, name: str) -> list[str]:
    return checked.registry[name].column_names if name in checked.registry else []


def _required_empty(checked, name: str, row: Mapping[str, str]) -> list[str]:
    """The columns of table ``name`` the codebook requires that ``row`` leaves empty."""
    spec = checked.registry[name] if name in checked.registry else None
    return [c.name for c in (spec.columns if spec else []) if c.required and not row.get(c.name)]


#: The arguments of :func:`draft` that become cells of the new rows: (table, column) of each.
_ARGUMENT_CELLS = {"region": ("regions", "region"), "year": ("sources", "report_year"),
                   "source_id": ("sources", "source_id"), "retrieved": ("sources", "retrieved")}


def _check_arguments(checked: Checked, **given: object) -> None:
    """Refuse, before any drafting, arguments their cells would reject at accept (a region code in
    capitals, a year 20, a date 02/05/2024), with every problem and, for a region, a close known code."""
    problems: list[Problem] = []
    for name, value in given.items():
        if value is None or _ARGUMENT_CELLS[name][0] not in checked.registry:
            continue
        table, column = _ARGUMENT_CELLS[name]
        raw = RawTable(Path(table), columns=[column], rows=[{column: str(value)}], lines=[1])
        check_cells(checked.registry[table], raw, {}, f"--{name.replace('_', '-')}", {}, problems)
    known = [r["region"] for r in _rows(checked, "regions")]
    region = str(given.get("region") or "")
    close = [k for k in known if k.lower() == region.lower()] or difflib.get_close_matches(region, known, n=1,
                                                                                         cutoff=0.8)
    if region not in known and close:
        problems.append(Problem("--region", None, None, region, f"a region code of regions.csv (did you mean "
                                f"{close[0]!r}?), or a new region's code that is not a near-copy of a known one",
                                "close_region"))
    if problems:
        raise ReportError("; ".join(f"{p.file}: {p.value!r}: expected {p.expected}" for p in problems))


def draft(path: str | Path, *, region: str, year: int | None = None, source_id: str | None = None,
          url: str | None = None, retrieved: str | None = None, parts=None, data: Path | None = None,
          leave_out: frozenset[str] = frozenset()) -> Draft:
    """Draft the review of one report; see the module docstring.

    Args:
        path: the report file.
        region: its region code (an existing one, or a new one to be drafted in the ``region`` sheet).
        year: the report year (default: from the title).
        source_id: the new source's id (default: ``<region>-<year>-<summary|plan|summary-plan>``).
        url, retrieved: where and when the text was taken from (written to the sources row).
        parts: a ``--parts`` spec replacing the detected parts.
        data: the data folder (default: the repository's).
        leave_out: sources whose rows are not used for suggestions (the leave-one-out evaluation).

    Raises:
        ReportError / ExtractError: the report cannot be read, with what was found.
    """
    root = Path(data) if data is not None else data_dir()
    path = Path(path)
    text, received, stored = _read(path)
    checked = check(root, accounting=False)
    unreadable = [p for p in checked.problems if p.check in UNREADABLE]
    if unreadable:  # a draft from tables that cannot be read would be wrong (every region new, no codes)
        raise ReportError(f"{root}: the data folder's tables must be readable to draft a review; "
                          + "; ".join(str(p) for p in unreadable[:5])
                          + (f" (and {len(unreadable) - 5} more)" if len(unreadable) > 5 else "")
                          + " (fix them first: cityscience validate)")
    _check_arguments(checked, region=region, year=year, source_id=source_id, retrieved=retrieved)
    warnings = [f"the data folder has {len(checked.problems)} problems now (first: {checked.problems[0]}); "
                "accept will report them"] if checked.problems else []
    regions = _rows(checked, "regions")
    levels = body_levels(checked)
    observations = [r for r in _rows(checked, "observations") if r["source_id"] not in leave_out]
    df = extract(stored, region=region, year=year, source_id=source_id or "report", parts=parts)
    report_year = year if year is not None else df.attrs.get("report_year")
    kinds = {p["kind"] for p in df.attrs["parts"]}
    doc_kind = "summary-plan" if {"summary", "plan"} <= kinds else "plan" if "plan" in kinds else "summary"
    taken_ids = {r["source_id"] for r in _rows(checked, "sources")}
    if source_id is None:
        base = f"{region}-{report_year or 'undated'}-{doc_kind}"
        source_id, k = base, 1
        while source_id in taken_ids:
            k += 1
            source_id = f"{base}-{k}"
    df["source_id"] = source_id
    region_rows = {r["region"]: r for r in regions}
    new_region = region not in region_rows
    prefixes = {r["obs_id"].split("-")[0] for r in _rows(checked, "observations") if r["source_id"] not in leave_out}
    prefix = id_prefix(region, report_year, prefixes)

    sheets = {s.name: Sheet(s.name, _columns(checked, s.table) + REVIEW_COLUMNS.get(s.name, []))
              for s in SHEETS}
    sheets["source"] = Sheet("source", ["field", "value", "check"])
    sheets["parts"] = Sheet("parts", ["part", "line_start", "note", *REVIEW_COLUMNS["parts"]])
    sheets["candidates"] = Sheet("candidates", _OBS_COLUMNS + REVIEW_COLUMNS["candidates"])

    # --- region, issuer, bodies ---------------------------------------------------------------
    title = df.attrs.get("title") or ""
    m = _ISSUER.search(normalize(title))
    issuer_written = m.group("issuer") if m else ""
    if not issuer_written:  # a metadata line of the page names it (来源:市科技局, or the name alone)
        head = normalize("\n".join(text.split("\n")[:15]))
        found = _ISSUER_LINE.search(head)
        issuer_written = found.group(1) if found else ""
    if m and m.start() and title[m.start() - 1] in " \t\u3000】]」>":
        warnings.append(f"the title line starts with text that is not the title ({title[:m.start()].strip()!r}): "
                        "left out of title_zh")
        title = title[m.start():]
    if new_region:
        region_row, unsure = _region_row(region, title, issuer_written, text, regions, levels)
        sheets["region"].add(region_row, unsure)
        empty = _required_empty(checked, "regions", region_row)
        drafts = [c for c in unsure if c not in empty]
        warnings.append(f"region {region!r} is not in regions.csv: the region sheet drafts its row; "
                        + (f"fill {', '.join(empty)} (required, left empty), " if empty else "")
                        + f"check {', '.join(drafts)} (drafts)")
    else:
        region_row = region_rows[region]
    bodies = _rows(checked, "bodies")
    index = alias_index(checked, [])
    order = region_search_order(checked) | ({region: [region]} if new_region else {})
    issuer_code = None
    if issuer_written:
        full = issuer_written
        if not full.startswith(region_row.get("name_zh", "\0")) and full[:1] in "市区县":
            full = region_row.get("name_zh", "") + full[1:] if len(full) > 1 else full
        for name in (issuer_written, full):
            code = resolve_bodies(name, region, index, order)[0] if name else None
            if code is not None:
                issuer_code = code
                break
        body = next((b for b in bodies if b["body"] == issuer_code), None)
        issuer_zh = body["name_zh"] if body else long_form(full)
        issuer_en = body["name_en"] if body else _issuer_en(issuer_zh, region_row, bodies)
    else:
        issuer_zh = issuer_en = ""
    body_codes = {b["body"] for b in bodies}
    if issuer_zh and issuer_code is None:
        issuer_code = _body_code(region, issuer_zh, body_codes)
        _add_body(sheets["bodies"], index, _body_row(issuer_code, issuer_zh, region_row | {"region": region},
                                                     issuer_en, levels),
                  ("name_en", "short_zh") + (("level",) if new_region else ()))

    # --- sources row ----------------------------------------------------------------------------
    pub = _PUBLISHED.search(text) or _ISO_LINE.search(text)
    dated = None
    for dm in _DATE_LINE.finditer(text):
        dated = dm
    doc_no = _DOC_NO.search(text)
    doc_type = {"summary-plan": "work_summary_and_plan", "plan": "plan", "summary": "work_summary"}[doc_kind]
    vocab = {(r["vocabulary"], r["code"]): r for r in _rows(checked, "vocabularies")}
    type_en = vocab.get(("doc_type", doc_type), {}).get("label_en", doc_type)
    years = {int(y) for y in df["year"].dropna()} | {p["year"] for p in df.attrs["parts"] if p["year"]}
    if report_year:
        years.add(int(report_year))
    original = path.name
    name_ok = re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9._-]{0,127}", original)
    raw_names = {r["file_name"] for r in _rows(checked, "sources")}
    raw_name = original if name_ok and original not in raw_names else f"{source_id}.txt"
    defects = "" if received == "utf-8" else f"Received as {received}; stored as UTF-8."
    source = {
        "source_id": source_id, "region": region, "issuer_zh": issuer_zh, "issuer_en": issuer_en,
        "title_zh": title, "title_en": f"{issuer_en}: {report_year} {type_en}" if issuer_en else "",
        "doc_number": doc_no.group(1).strip() if doc_no else "", "doc_type": doc_type,
        "published": _date(*pub.groups()) if pub else (_date(*dated.groups()) if dated else ""),
        "dated": _date(*dated.groups()) if dated else "", "report_year": str(report_year or ""),
        "years_covered": ";".join(str(y) for y in sorted(years)), "script": _script(text), "encoding": "utf-8",
        "file_name": raw_name, "original_file_name": original, "sha256": hashlib.sha256(stored).hexdigest(),
        "defects": defects, "url": url or "", "retrieved": retrieved or "",
    }
    checks = {
        "title_zh": "the title as the first line of the text states it", "issuer_en": "draft: check the English",
        "title_en": "draft: check the English", "doc_number": "the document's own number (文号), if any",
        "published": "from the page's 发布时间 line" if pub else "from the date at the end of the text" if dated
        else "not stated: fill in the publication date (YYYY-MM-DD)",
        "sha256": "checksum of the stored raw file: do not edit", "defects": "damaged or missing text, if any",
        "years_covered": "the years the values speak of",
    }
    unsure = {"issuer_en", "title_en"} | ({"published"} if not pub else set()) | ({"issuer_zh"} if not issuer_zh else set())
    empty = _required_empty(checked, "sources", source)
    if empty:
        warnings.append(f"the text does not state {', '.join(empty)}: fill {'them' if len(empty) > 1 else 'it'} "
                        "in the source sheet (required)")
    for col in _columns(checked, "sources") or list(source):
        i = sheets["source"].add({"field": col, "value": source.get(col, ""), "check": checks.get(col, "")})
        if col in unsure:
            sheets["source"].unsure.add((i, "value"))

    # --- parts ------------------------------------------------------------------------------------
    lines = text.split("\n")
    first_line = next((i for i, ln in enumerate(lines) if ln.strip()), 0)
    part_spans = []
    for k, p in enumerate(df.attrs["parts"]):
        line_no = p["line"] - 1
        if k == 0:
            line_no = min(line_no, first_line)
        line_text = lines[line_no].strip() if line_no < len(lines) else ""
        if not line_text:
            continue
        if part_spans and part_spans[-1][0] == p["kind"]:
            continue
        start = sum(len(x) + 1 for x in lines[:line_no])
        part_spans.append((p["kind"], start, p["year"]))
        sheets["parts"].add({"part": p["kind"], "line_start": line_text[:40], "note": p["why"],
                             "line": line_no + 1, "year": p["year"], "why": p["why"]})
    for p in df.attrs["parts"]:
        if p["kind"] == "plan" and report_year and p["year"] == report_year and doc_kind == "summary-plan":
            warnings.append(f"the plan part at line {p['line']} is for {p['year']}, the report year: a plan is "
                            "usually for the year after (check the parts; give --parts if wrong)")
        if p["kind"] == "summary" and not re.search(r"总结|进展|成效|回顾|完成情况|工作情况", normalize(p["why"]) +
                                                    normalize(title)):
            warnings.append(f"the summary part at line {p['line']} has no summary heading ({p['why']}): check "
                            "that it is not a plan")
    warnings.extend(df.attrs.get("structure_warnings", []))

    # --- candidates -------------------------------------------------------------------------------
    book = Codebook.from_tables(_rows(checked, "indicators"), observations, _rows(checked, "units"),
                                measure_units=measure_units(checked), only_used=bool(leave_out), leave_out=leave_out)
    bases = kind_bases(checked)
    units = {r["unit"]: r for r in _rows(checked, "units")}
    new_codes: dict[str, str] = {}
    ind_cols = _columns(checked, "indicators")
    prev = None  # (label, end, suggestion) of the last level candidate
    for n, (_, c) in enumerate(df.iterrows(), start=1):
        label = str(c["label_zh"] or "").strip()
        unnamed = not label  # the extractor found no name (完成4项): the words before the number, unsure
        if unnamed:
            evidence = " ".join(str(c["evidence"]).split())
            label = re.split(r"[0-9０-９]", evidence, maxsplit=1)[0].strip(" ,，;；:：") or evidence
        unit = str(c["unit"] or "")
        kind = None if _missing(c["kind"]) else str(c["kind"])
        sugg = suggest_codes(book, label, measure=str(c["measure"]), unit=unit, kind=kind)
        if prev is not None and int(c["evidence_start"]) <= prev[1]:
            # the clause continues the fact before it (…86.4亿元,增长9.8%; …,占GDP比重2.45%)
            if str(c["measure"]) != "level":
                sugg = [Suggestion(prev[2], max(prev[3], FIT), "the level this change belongs to"),
                        *[x for x in sugg if x.code != prev[2]]]
            elif not sugg or sugg[0].score < FIT + 0.2:
                joined = suggest_codes(book, f"{prev[0]}{label}", measure=str(c["measure"]), unit=unit, kind=kind)
                if joined and (not sugg or joined[0].score > sugg[0].score):
                    sugg = joined
        best = sugg[0] if sugg and sugg[0].score >= FIT else None
        unsure_cols = []
        if best is not None:
            code = best.code
            if best.score < FIT + 0.2:
                unsure_cols.append("indicator")
        else:
            key = normalize(label)
            code = new_codes.get(key)
            if code is None:
                code = f"new_{prefix}_{len(new_codes) + 1:02d}"
                new_codes[key] = code
                near = book.indicators.get(sugg[0].code) if sugg else None
                std = units.get(unit, {}).get("unit_std", "") if c["measure"] == "level" else \
                    (near or {}).get("unit_std", "")
                ind_kind = "ratio" if std == "percent" else "index" if std == "index" else \
                    "rank" if std == "rank" else (kind or (near or {}).get("kind", "") or "flow")
                basis = _basis(ind_kind, label, bases)
                row = dict.fromkeys(ind_cols, "") | {
                    "basis": basis, "scope": (near or {}).get("scope") or "jurisdiction", "period": "year",
                    "indicator": code, "name_zh": label.split("…")[0] or label,
                    "name_en": f"{UNTRANSLATED} {label.split('…')[0] or label}",
                    "category": (near or {}).get("category", "governance"), "kind": ind_kind,
                    "unit_std": std or "count",
                    "definition": "As the report states it: " + " ".join(str(c["evidence"]).split()),
                }
                sheets["new_indicators"].add(row, ("indicator", "name_en", "definition", "category", "basis",
                                                   "scope"))
            unsure_cols.append("indicator")
        alts = [x for x in sugg if x.code != code][:2]
        if unnamed or (not _missing(c["confidence"]) and float(c["confidence"]) < 0.6):
            unsure_cols += ["label_zh", "unit"]
        row = {k: None if _missing(c[k]) else c[k] for k in _OBS_COLUMNS if k in c.index}
        row.update({
            "label_zh": label,
            "obs_id": f"{prefix}-{n:03d}", "source_id": source_id, "region": region, "indicator": code,
            "year": "" if _missing(c["year"]) else str(int(c["year"])),
            "value": format_value(c["value"]), "value_high": format_value(c["value_high"]),
            "note": "", "variant": "",
            "code_score": sugg[0].score if sugg else 0.0,
            "alt1": alts[0].code if alts else "", "alt1_score": alts[0].score if alts else None,
            "alt2": alts[1].code if len(alts) > 1 else "", "alt2_score": alts[1].score if len(alts) > 1 else None,
            "code_why": (f"{sugg[0].code}: {sugg[0].why}" if sugg else "no code in the codebook fits") +
                        ("" if best else "; drafted in new_indicators"),
            **{k: None if _missing(c[k]) else c[k] for k in ("kind", "confidence", "reason", "line", "value_start",
                                                              "value_end", "evidence_start", "restated_at")},
        })
        if row["year"] == "":
            unsure_cols.append("year")
        if str(c["measure"]) == "level":
            prev = (label, int(c["value_end"]), code, best.score if best else FIT)
        elif prev is not None:
            prev = (prev[0], int(c["value_end"]), prev[2], prev[3])
        sheets["candidates"].add(row, tuple(unsure_cols))
        if unit and unit not in units and not any(r["unit"] == unit for r in sheets["units"].rows):
            sheets["units"].add(dict.fromkeys(_columns(checked, "units"), "") | {
                "unit": unit, "unit_std": "count", "factor": "1", "description": f"as written ({unit})",
                "extract": "direct"}, ("unit_std", "factor", "description"))

    # --- measures ---------------------------------------------------------------------------------
    obs_rows = sheets["candidates"].rows
    _draft_measures(sheets["measures"], text, part_spans, source_id, region, report_year, prefix, obs_rows,
                    issuer_code, index, order, sheets["bodies"], region_row | {"region": region}, body_codes,
                    levels, theme_cues(checked), table_kinds(checked))

    result = Draft(source_id, region, raw_name, stored, sheets, warnings)
    staged = _settle_items(root, result, text, part_spans, obs_rows)
    # --- exclusions: every number the drafted rows leave unaccounted for --------------------------
    from ..validate.accounting import unaccounted

    chrome = [(s, e) for (k, s, _), e in zip(part_spans, [p[1] for p in part_spans[1:]] + [len(text)],
                                              strict=True) if k == "chrome"]
    values = {float(v) for v in (r["value"] for r in obs_rows) if v not in ("", None)}
    norm = normalize(text)
    covered: set[int] = set()
    drafted: set[tuple[str, str]] = set()
    tokens = staged.tokens.get(source_id, [])
    for u in unaccounted(staged, source_id):
        tok = u.token
        if tok.start in covered:
            continue  # a row drafted for a number before it covers this one too
        reason, why = exclusion_reason(norm, tok.start, tok.end, chrome=any(s <= tok.start < e for s, e in chrome),
                                       values=values, value=tok.value)
        kind, match, hits = _exclusion_match(text, norm, tok.start, tok.end, tokens, covered)
        covered |= hits
        if (kind, match) in drafted:
            continue
        drafted.add((kind, match))
        sheets["exclusions"].add({"source_id": source_id, "kind": kind, "match": match, "reason": reason,
                                  "note": "", "line": u.line, "context": u.context, "why": why},
                                 ("reason",) if reason in {"policy_rule", "word_not_number"} else ())
    result.about = {"report": str(path), "encoding received": received, "document": df.attrs.get("document", ""),
                    "candidates": str(len(obs_rows)), "parts given": str(parts or "(detected)")}
    return result


_STOP = set(",，、;；。:：!?！？\n\r“”\"()（）《》 \t\u3000")


def _literal(text: str, start: int, end: int) -> str:
    """The number with up to three characters after it and two before (within its clause, no digits)."""
    a = start
    while a > 0 and start - a < 2 and text[a - 1] not in _STOP and not text[a - 1].isdigit():
        a -= 1
    b = end
    while b < len(text) and b - end < 3 and text[b] not in _STOP and not text[b].isdigit():
        b += 1
    return text[a:b]


def _hits(kind: str, match: str, norm: str, tokens) -> set[int]:
    """Starts of the number tokens an exclusion row covers (as the accounting reads it)."""
    from ..validate import exclusion_pattern

    out = set()
    for m in exclusion_pattern({"kind": kind, "match": match}).finditer(norm, timeout=1.0):
        out.update(t.start for t in tokens if t.start < m.end() and m.start() < t.end)
    return out


def _exclusion_match(text: str, norm: str, start: int, end: int, tokens, taken: set[int]
                     ) -> tuple[str, str, set[int]]:
    """The exclusion for one number: a literal with its context when that covers no number excluded
    already, else a regex with enough context on both sides to cover this number only."""
    literal = _literal(text, start, end)
    hits = _hits("literal", literal, norm, tokens)
    if not hits & taken and (len(literal) > end - start or len(hits) == 1):
        return "literal", literal, hits
    import regex

    def esc(s: str) -> str:
        return regex.escape(s).replace("\\\n", "\\n").replace("\n", "\\n")

    for k in (3, 6, 10, 16):
        pattern = f"(?<={esc(norm[max(0, start - k):start])}){esc(norm[start:end])}(?={esc(norm[end:end + k])})"
        hits = _hits("regex", pattern, norm, tokens)
        if hits == {start} or (not hits & taken and k == 16):
            break
    return "regex", pattern, hits


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
    # per 一、 section, each (一) line with the numbers of the N. lines under it and whether 一是 lines are
    sections: list[list[tuple[int, list[int], list[bool]]]] = [[]]
    for i, ln in enumerate(lines):
        if _ITEM.match(ln):
            sections[-1].append((i, [], []))
        elif _TOP.match(ln):
            sections.append([])
        elif (m := _SUB.match(ln)) and sections[-1]:
            sections[-1][-1][1].append(_marker_no(m.group(1)))
        elif _IS.match(ln) and sections[-1]:
            sections[-1][-1][2].append(True)
    out: set[int] = set()
    for blocks in sections:
        if any(nos and next_nos and next_nos[0] == nos[-1] + 1 != 1
               for (_, nos, _), (_, next_nos, _) in zip(blocks, blocks[1:], strict=False)):
            out.update(i for i, nos, listed in blocks if nos or listed)
    return out


_NUMBER_HEADER = {"序号", "编号"}
_UNITS_HEADER = ("责任单位", "责任部门", "牵头单位", "牵头部门")
_DUTY = re.compile(rf"(?:{'|'.join(_UNITS_HEADER)})[:：]\s*([^。;；\n)）]+)")
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
    return line.strip() in _NUMBER_HEADER or any(p.match(line) for p in (_TOP, _ITEM, _SUB, _IS))


def _table_heading(lines: list[str]) -> str:
    """The heading of a table: up to two short lines written just before its header (附件1, 主要预期指标),
    not a paragraph or an item ('' when there are none: the table stands under the section before it)."""
    taken: list[str] = []
    for ln in reversed(lines):
        ln = ln.strip()
        if len(taken) == 2 or not _HEADING_LINE.fullmatch(ln) or _starts_text(ln):
            break
        taken.insert(0, ln)
    return " ".join(taken)


def _table_rows(text: str) -> list[_TableRow]:
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
        if lines[-1].strip() not in _NUMBER_HEADER:
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
                    if _starts_text(ln):
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
        if cell(k - 1).split("\n")[-1].strip() in _NUMBER_HEADER:
            k -= 1  # the last cell ran on to the next table's header (no | after it): read that table too
    return rows


def _linked(evidence: str, obs_rows) -> str:
    """The obs_ids of the candidates whose evidence lies inside an item's, as validate links them."""
    norm_ev = normalize(evidence)
    return ";".join(r["obs_id"] for r in obs_rows if r["evidence"] and normalize(str(r["evidence"])) in norm_ev)


def _settle_items(root: Path, d: Draft, text: str, part_spans, obs_rows) -> Checked:
    """Make the drafted policy items ones accept takes unedited, and return the staged check of the draft.

    Validation reads each list as numbered 1, 2, 3, … with no number written after its last item; what
    the drafting rules could not place is settled here, as validate reports it: an item after which the
    next number of its list is written (a second list that goes on in the same paragraph, or on the
    lines below) runs on to the next item, and an item validate refuses for another reason is left out
    with its parts. Either is said in a warning, for the reviewer to look at.
    """
    sheet = d.sheets["measures"]
    norm = normalize(text)
    ends = sorted({s for _, s, _ in part_spans} | {len(text)})
    extended: list[str] = []
    dropped: list[str] = []
    for attempt in range(5):
        staged, by_sheet = staged_problems(root, d, with_exclusions=False)
        bad = by_sheet.get("measures", [])
        if not bad or attempt == 4:  # (each round settles what the round before made visible)
            break
        drop = {i for i, p in bad if p.check != "item_missing"}
        rows = sheet.rows
        at = [norm.find(normalize(str(r["evidence"]))) for r in rows]
        for i in sorted({i for i, p in bad if p.check == "item_missing"} - drop):
            kids = [k for k, r in enumerate(rows) if r["parent"] and r["parent"] == rows[i]["item_id"]]
            grow = max(kids, key=lambda k: at[k]) if kids else i  # a list goes on after the item's last part
            start = at[grow]
            begin = start + len(normalize(str(rows[grow]["evidence"])))
            stop = min([s for s in at if s >= begin] + [e for e in ends if e > start])
            found = next_numbers(str(rows[i]["marker"]), int(rows[i]["item_no"]), norm, begin, stop) \
                if start >= 0 and str(rows[i]["item_no"]).isdigit() else []
            if not found:
                drop.add(i)
                continue
            line_end = norm.find("\n", found[-1])  # to the end of the line where the list last goes on
            longer = text[start:stop if line_end < 0 or line_end > stop else line_end].rstrip()
            rows[grow]["evidence"] = longer
            rows[grow]["obs_ids"] = _linked(longer, obs_rows)
            sheet.unsure.add((grow, "evidence"))
            extended.append(str(rows[grow]["item_id"]))
        ids = {rows[i]["item_id"] for i in drop}
        drop |= {k for k, r in enumerate(rows) if r["parent"] in ids}
        dropped += [f"{rows[i]['item_id']} (line {rows[i]['line']})" for i in sorted(drop)]
        sheet.drop(drop)
    if extended:
        d.warnings.append(f"policy items {', '.join(dict.fromkeys(extended))} run on to the next item: the "
                          "number after them is written before it (a list that goes on); check their evidence")
    if dropped:
        d.warnings.append(f"policy items left out, as validate would refuse them (their numbering or text): "
                          f"{', '.join(dropped)}; add them by hand if they are items")
    return staged


def _table_kind(header: tuple[str, ...], kinds: Mapping[str, tuple[str, ...]], default: str) -> str:
    """The item kind of a table's rows: the first kind one of whose ``table_words`` is a header cell."""
    return next((kind for kind, words in kinds.items() if set(words) & set(header[1:])), default)


def _draft_measures(sheet: Sheet, text: str, part_spans, source_id, region, year, prefix, obs_rows,
                    issuer_code, index, order, bodies_sheet: Sheet, region_row, body_codes,
                    levels: Mapping[str, str], cues: Mapping[str, tuple[str, ...]],
                    kinds: Mapping[str, tuple[str, ...]]) -> None:
    """Policy items in text order: (一), N. and 一是 items at the start of a line, the N. items under a (一)
    item as its parts, an 一是…二是… enumeration inside a line as the parts of that line's item (or, after
    a 一是 at the start of the line, as its siblings), and the rows of numbered tables (of the kind their
    header names, :func:`~cityscience.validate.table_kinds`)."""
    lines = text.split("\n")
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
        duty = _DUTY.search(evidence)
        if written is None and duty:
            written = duty.group(1).strip()
        if written:
            codes = []
            for name in (n for n in written.split("、") if n.strip()):
                code = resolve_bodies(name, region, index, order)[0]
                if code is None:
                    code = _body_code(region, name, body_codes)
                    _add_body(bodies_sheet, index, _body_row(code, name, region_row, f"{UNTRANSLATED} {name}", levels),
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
            if numbered(row_kind, "", row.number, row_section):
                add(new_id(row_kind, "", row.number), row_kind, "", row.number, str(row.number),
                    text[row.start:row.end], row.title, part, ln_no, row_section, written=row.written)
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
                    break
                series_ev = evidence[at:stop]
                add(new_id(series_kind, series_parent, no), series_kind, series_parent, no, series_marker,
                    series_ev, title_of(series_ev, series_marker) or series_ev[:40], part, ln_no, section)
        if not is_sub:
            current_top = item_id
