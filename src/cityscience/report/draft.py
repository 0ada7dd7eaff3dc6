"""Draft everything a new report adds to the data, for one review pass.

:func:`draft` reads a report (UTF-8, BOM, GB18030/GBK, Big5), runs the
extractor, and drafts the rows of every table the report touches: its sources
row, its parts, the candidate observations with suggested codes
(:mod:`.suggest`), codebook rows for what no code fits, an exclusion with a
reason for every other number (so the accounting is complete once accepted),
its numbered items as policy items (:mod:`.items`), and a region, bodies or
units the data do not know yet (:mod:`.places`). What the text does not say is
left for the reviewer and marked as unsure. Nothing here names a place, a
document or a number.
"""

from __future__ import annotations

import difflib
import hashlib
import re
from collections.abc import Mapping
from pathlib import Path

from ..conventions import UNTRANSLATED
from ..extract import extract
from ..extract.reading import MAX_REPORT_BYTES, ExtractError, decode_report, require_text
from ..extract.structure import GOVERNMENT_REPORT, STATISTICAL_BULLETIN, SUMMARY_WORDS
from ..numbers import find_numbers
from ..paths import data_dir
from ..problems import Problem
from ..tables import RawTable, read_bytes_capped
from ..textnorm import normalize, to_simplified
from ..units import standard_value
from ..validate import UNREADABLE, check
from ..validate.cells import check_cells, parse_number
from ..validate.checked import Checked
from ..validate.core import (
    body_levels,
    kind_bases,
    measure_units,
    several_values,
    table_kinds,
    theme_cues,
)
from ..validate.policy import (
    alias_index,
    long_form,
    region_search_order,
    resolve_bodies,
)
from .items import draft_items, settle_items
from .places import add_body, body_code, body_row, new_region_row
from .sheets import REVIEW_COLUMNS, SHEETS, Draft, Sheet, column_types
from .suggest import FIT, Codebook, Suggestion, exclusion_reason, suggest_codes

#: Words a label may start with that name the whole place or year (全区, 全年), not a different quantity: two
#: labels that differ only by them are drafted as one new indicator.
_SCOPE_WORD = re.compile(r"^(?:全市|全区|全县|全省|全年|我市|我区|我县)")

__all__ = ["Draft", "ReportError", "draft", "format_value", "id_prefix"]

#: Measures that state a fact of their own (a level, a position in a ranking); the others (a growth rate, a
#: change of rank, …) written in the clause after one are changes of it and take its indicator.
_OWN_FACTS = frozenset({"level", "rank"})
_ADJACENT = re.compile(r"[^\d,，。;；\n]{0,4}[\s,，、]+")  # a fact's unit, then a comma: the clause about it
_BACK_REFERENCE = re.compile(r"(?:增速|增幅|增长|总量|总数|规模)?(?:位列|位居|居|排名|排)")  # 增速位列…: its rank
#: The label of a change that names only the comparison (比去年同期多21家, 增速高于全市, 同比增长): it is a change of
#: the fact before it; a change with a name of its own (…3.3%,规上工业企业研发费用增长10%, or 规模以上… written out)
#: is not.
_CHANGE_REFERENCE = re.compile(r"(?:比|较|同比|环比|增速|增幅|增长|增量|下降|提高|总量|总数|规模(?!以上))")
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
_BODY = r"(?:科学技术厅|科技厅|科学技术局|科技局|科学技术委员会|科委|人民政府办公厅|人民政府办公室|人民政府|统计局)"
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
                                                                                             "economic", "people's")):
                    best = " ".join(words[k:])
                    break
            if best:
                break
    place = region_row.get("name_en") or region_row.get("region", "").title()
    return f"{place} {best or tail}".strip()


# ---------------------------------------------------------------------------------------------


def _rows(checked, name: str) -> list[dict[str, str]]:
    table = checked.tables.get(name)
    return table.rows if table is not None else []


def _columns(checked, name: str) -> list[str]:
    return checked.registry[name].column_names if name in checked.registry else []


def _required_empty(checked, name: str, row: Mapping[str, str]) -> list[str]:
    """The columns of table ``name`` the codebook requires that ``row`` leaves empty, in column order."""
    spec = checked.registry[name] if name in checked.registry else None
    return [c for c in spec.column_names if c in spec.required_columns and not row.get(c)] if spec else []


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
    if region not in known and close:  # one problem for the region, the one that says what is meant
        problems = [p for p in problems if p.file != "--region"]
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
    digest = hashlib.sha256(stored).hexdigest()
    known = next((r["source_id"] for r in _rows(checked, "sources")
                  if r.get("sha256") == digest and r["source_id"] not in leave_out), None)
    if known is not None:  # accept would refuse the draft: say so before the reviewer spends time on it
        raise ReportError(f"{path}: already accepted: source {known!r} (SHA-256 {digest[:12]}…) is in "
                          f"{root.name}/sources.csv (to draft it again, remove that source's rows first)")
    own = [p for p in checked.problems if p.check == "stray_file" and p.table == "raw"
           and (root / "raw" / str(p.value)).resolve() == path.resolve()]  # the report itself, kept in raw/
    others = [p for p in checked.problems if p not in own]
    warnings = [f"the data folder has {len(others)} problem{'s' * (len(others) > 1)} now (first: {others[0]}); "
                "accept will report them"] if others else []
    if own:
        warnings.append(f"{path.name} is in {root.name}/raw/ already: validate reports it as a stray file until "
                        "accept adds the source row that names it (accept stores the text this workbook carries "
                        "there, and refuses if the file differs by then)")
    regions = _rows(checked, "regions")
    levels = body_levels(checked)
    observations = [r for r in _rows(checked, "observations") if r["source_id"] not in leave_out]
    df = extract(stored, region=region, year=year, source_id=source_id or "report", parts=parts)
    report_year = year if year is not None else df.attrs.get("report_year")
    kinds = {p["kind"] for p in df.attrs["parts"]}
    doc_kind = "summary-plan" if {"summary", "plan"} <= kinds else "plan" if "plan" in kinds else "summary"
    taken_ids = {r["source_id"] for r in _rows(checked, "sources")}
    if source_id is None:
        bulletin = STATISTICAL_BULLETIN.search(normalize(df.attrs.get("title") or ""))
        base = f"{region}-{report_year or 'undated'}-{'bulletin' if bulletin else doc_kind}"
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
    gov = GOVERNMENT_REPORT.match(normalize(title))
    if gov and not gov["place"]:
        gov = None  # (a title that does not say whose report it is: drafted as any other)
    if not issuer_written and gov:
        issuer_written = f"{gov['place']}人民政府"  # 金华市2024年政府工作报告: the city's government
    if m and m.start() and title[m.start() - 1] in " \t\u3000】]」>":
        warnings.append(f"the title line starts with text that is not the title ({title[:m.start()].strip()!r}): "
                        "left out of title_zh")
        title = title[m.start():]
    if new_region:
        region_row, unsure = new_region_row(region, title, issuer_written, text, regions, levels,
                                            _rows(checked, "bodies"))
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
        issuer_code = body_code(region, issuer_zh, body_codes)
        add_body(sheets["bodies"], index, body_row(issuer_code, issuer_zh, region_row | {"region": region},
                                                     issuer_en, levels),
                  ("name_en", "short_zh") + (("level",) if new_region else ()))

    # --- sources row ----------------------------------------------------------------------------
    norm_text = normalize(text)  # 發布時間 is 发布时间
    pub = _PUBLISHED.search(norm_text) or _ISO_LINE.search(norm_text)
    dated = None
    for dm in _DATE_LINE.finditer(norm_text):
        dated = dm
    doc_no = _DOC_NO.search(text)
    doc_type = {"summary-plan": "work_summary_and_plan", "plan": "plan", "summary": "work_summary"}[doc_kind]
    vocab = {(r["vocabulary"], r["code"]): r for r in _rows(checked, "vocabularies")}
    if gov:  # 金华市2024年政府工作报告: titled by the year it is given in, not the year it sums up
        doc_type = "government_work_report"
    elif STATISTICAL_BULLETIN.search(normalize(title)):  # …2023年国民经济和社会发展统计公报: the year's statistics
        doc_type = "statistical_bulletin"
    type_en = vocab.get(("doc_type", doc_type), {}).get("label_en", doc_type)
    titled_year = gov.group("year") if gov else report_year
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
        "title_zh": title, "title_en": f"{issuer_en}: {titled_year} {type_en}" if issuer_en else "",
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
        if p["kind"] == "plan" and report_year and p["year"] == report_year and doc_kind == "summary-plan" \
                and not df.attrs.get("mid_year"):  # a mid-year report plans the rest of its own year
            warnings.append(f"the plan part at line {p['line']} is for {p['year']}, the report year: a plan is "
                            "usually for the year after (check the parts; give --parts if wrong)")
        opening = " ".join(lines[p["line"] - 1:p["line"] + 2])  # the part's first lines (its heading, if any)
        if p["kind"] == "summary" and not re.search(SUMMARY_WORDS, normalize(p["why"]) + normalize(title)
                                                    + normalize(opening)):
            warnings.append(f"the summary part at line {p['line']} has no summary heading ({p['why']}): check "
                            "that it is not a plan")
    warnings.extend(df.attrs.get("structure_warnings", []))

    # --- candidates -------------------------------------------------------------------------------
    book = Codebook.from_tables(_rows(checked, "indicators"), observations, _rows(checked, "units"),
                                measure_units=measure_units(checked), only_used=bool(leave_out), leave_out=leave_out)
    bases = kind_bases(checked)
    units = {r["unit"]: r for r in _rows(checked, "units")}
    new_codes: dict[str, str] = {}
    existing = {r["indicator"] for r in _rows(checked, "indicators")}  # (the codebook may leave some out)
    ind_cols = _columns(checked, "indicators")
    prev = None  # (label, end, code, score) of the last fact a change may belong to
    several = several_values(checked)
    stated: dict[tuple, tuple] = {}  # (code, year, measure, status) → the amount drafted for that fact
    summary_years = {str(p["year"]) for p in df.attrs["parts"] if p["kind"] == "summary" and p["year"]}

    def clashes(code: str, c) -> bool:
        """Whether ``code`` gives the document a second, different value of one fact (the same code drafted
        for 省级重点企业研究院3家 and 省级企业研究院9家), in the standard unit (185亿元 is 1850000万元);
        records the first."""
        factor = parse_number(units.get(str(c["unit"] or ""), {}).get("factor") or "1")
        if _missing(c["value"]) or factor is None or str(c["measure"]) in several:
            return False
        amount = tuple(None if _missing(c[k]) else standard_value(float(c[k]), factor) for k in ("value", "value_high"))
        return stated.setdefault((code, str(c["year"]), str(c["measure"]), str(c["status"])), amount) != amount

    for n, (_, c) in enumerate(df.iterrows(), start=1):
        label = str(c["label_zh"] or "").strip()
        unnamed = not label  # the extractor found no name (完成4项): the words before the number, unsure
        if unnamed:
            evidence = " ".join(str(c["evidence"]).split())
            label = re.split(r"[0-9０-９]", evidence, maxsplit=1)[0].strip(" ,，;；:：") or evidence
        unit = str(c["unit"] or "")
        kind = None if _missing(c["kind"]) else str(c["kind"])
        sugg = suggest_codes(book, label, measure=str(c["measure"]), unit=unit, kind=kind)
        continued = prev is not None and int(c["evidence_start"]) <= prev[1]
        fact = str(c["measure"]) in _OWN_FACTS
        if prev is not None and not continued and _ADJACENT.fullmatch(text[prev[1]:int(c["evidence_start"])]) \
                and (str(c["measure"]) == "rank" and _BACK_REFERENCE.match(label) if fact
                     else unnamed or _CHANGE_REFERENCE.match(label) or _BACK_REFERENCE.match(label)):
            # its clause follows the fact's with nothing but a comma between: …103家,比去年同期多21家;
            # …增长18.3%,增速位列金华市第2位 (the rank of the fact's growth, as curated ranks take the fact's code);
            # not a change that names a fact of its own (…达到3.3%,规上工业企业研发费用增长10%以上)
            continued, fact = True, False
        if continued:
            # the clause continues the fact before it (…86.4亿元,增长9.8%; …,占GDP比重2.45%)
            if not fact:
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
            key = _SCOPE_WORD.sub("", normalize(label)) or normalize(label)  # 全区研发经费投入强度 = 研发经费投入强度
            code = new_codes.get(key)
            if code is None:  # the next number no indicator of the codebook or this draft has
                taken = existing | set(new_codes.values())
                code = next(f"new_{prefix}_{n:02d}" for n in range(1, len(taken) + 2)
                            if f"new_{prefix}_{n:02d}" not in taken)
                new_codes[key] = code
                near = book.indicators.get(sugg[0].code) if sugg else None
                std = units.get(unit, {}).get("unit_std", "") if c["measure"] not in book.measure_units else \
                    (near or {}).get("unit_std", "")
                ind_kind = "ratio" if std == "percent" else "index" if std == "index" else \
                    "rank" if std == "rank" else (kind or (near or {}).get("kind", "") or "flow")
                basis = _basis(ind_kind, label, bases)
                row = dict.fromkeys(ind_cols, "") | {
                    "basis": basis, "scope": (near or {}).get("scope") or "jurisdiction", "period": "year",
                    "indicator": code, "name_zh": label.split("…")[0] or label,
                    "name_en": f"{UNTRANSLATED} {label.split('…')[0] or label}",
                    "category": (near or {}).get("category", "governance"), "kind": ind_kind,
                    "group": (near or {}).get("group", ""),  # the near one's sub-group of the same category
                    "unit_std": std or "count",
                    "definition": "As the report states it: " + " ".join(str(c["evidence"]).split()),
                }
                sheets["new_indicators"].add(row, ("indicator", "name_en", "definition", "category", "basis",
                                                   "scope", *(("group",) if row["group"] else ())))
            unsure_cols.append("indicator")
        taken_by = code if clashes(code, c) else None  # another value of this year has the code already
        tied = sugg[1].code if best is not None and len(sugg) > 1 and sugg[1].score == best.score else None
        if (taken_by or tied) and "indicator" not in unsure_cols:
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
                        (f"; tied with {tied}: choose between them" if tied else "") +
                        (f"; {taken_by} has another value of this year in the document already: give one of them "
                         "another indicator, or a variant" if taken_by else "") +
                        ("" if best else "; drafted in new_indicators"),
            **{k: None if _missing(c[k]) else c[k] for k in ("kind", "confidence", "reason", "line", "value_start",
                                                              "value_end", "evidence_start", "restated_at")},
        })
        if row["year"] == "":
            unsure_cols.append("year")
        if df.attrs.get("mid_year") and row["status"] == "actual" and row["year"] in summary_years and \
                (book.indicators.get(code) or {}).get("period") != "part_year":
            row["variant"] = "part_year"  # a half year's summary: its values cover part of the year
            unsure_cols.append("variant")
        if fact or not continued:  # what a change written after it belongs to
            prev = (label, int(c["value_end"]), code, best.score if best else FIT)
        else:
            prev = (prev[0], int(c["value_end"]), prev[2], prev[3])
        sheets["candidates"].add(row, tuple(unsure_cols))
        if unit and unit not in units and not any(r["unit"] == unit for r in sheets["units"].rows):
            sheets["units"].add(dict.fromkeys(_columns(checked, "units"), "") | {
                "unit": unit, "unit_std": "count", "factor": "1", "description": f"as written ({unit})",
                "extract": "direct"}, ("unit_std", "factor", "description"))

    # --- measures ---------------------------------------------------------------------------------
    obs_rows = sheets["candidates"].rows
    skipped = draft_items(sheets["measures"], text, part_spans, source_id, region, report_year, prefix, obs_rows,
                    issuer_code, index, order, sheets["bodies"], region_row | {"region": region}, body_codes,
                    levels, theme_cues(checked), table_kinds(checked))

    if skipped:
        warnings.append(f"numbered lines not drafted as policy items, as their number does not go on from the "
                        f"list before them (a quoted list, or one the rules do not read): line{'s' if len(skipped) > 1 else ''} "
                        f"{', '.join(map(str, skipped))}; add them by hand if they are items")
    result = Draft(source_id, region, raw_name, stored, sheets, warnings, types=column_types(checked.registry))
    staged = settle_items(root, result, text, part_spans, obs_rows)
    # --- exclusions: every number the drafted rows leave unaccounted for --------------------------
    from ..validate.accounting import unaccounted

    chrome = [(s, e) for (k, s, _), e in zip(part_spans, [p[1] for p in part_spans[1:]] + [len(text)],
                                              strict=True) if k == "chrome"]
    values = {float(v) for v in (r["value"] for r in obs_rows) if v not in ("", None)}
    norm = norm_text
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

    def esc(s: str) -> str:  # one line of text: line breaks and tabs (table cells) written as \n and \t
        out = regex.escape(s)
        for ch, escape in (("\n", "\\n"), ("\t", "\\t"), ("\r", "\\r")):
            out = out.replace("\\" + ch, escape).replace(ch, escape)
        return out

    for k in (3, 6, 10, 16):
        pattern = f"(?<={esc(norm[max(0, start - k):start])}){esc(norm[start:end])}(?={esc(norm[end:end + k])})"
        hits = _hits("regex", pattern, norm, tokens)
        if hits == {start} or (not hits & taken and k == 16):
            break
    return "regex", pattern, hits
