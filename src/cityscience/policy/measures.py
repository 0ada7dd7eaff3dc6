"""The curated policy tables: measures, responsible bodies, policy terms and the parts of each text.

:func:`check_policy` checks them against the codebook, the raw documents and
the observations, and returns every problem at once, in the project's style
(file, line, column, value, what was expected). The loaders run it and raise
:class:`~cityscience.problems.ValidationError` when anything is wrong, so a
caller never sees a half-valid table.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import pandas as pd

# The module, not its names: validate may import this package while it is itself being imported.
from .. import validate as _validate
from ..numbers import find_numbers, normalize
from ..problems import Problem, ValidationError
from ..tables import RawTable, decode_text, read_csv_table, relpath

if TYPE_CHECKING:
    from ..validate import Checked

__all__ = [
    "POLICY_FILES",
    "STOPWORDS_FILE",
    "Located",
    "check_policy",
    "load_measures",
    "load_stopwords",
    "load_terms",
    "load_text_parts",
    "load_units",
    "locate_parts",
    "resolve_units",
    "terms_version",
]

# table name (as in codebook/columns.csv) → file under the data folder
POLICY_FILES = {
    "bodies": "bodies.csv",
    "measures": "measures.csv",
    "terms": "terms.csv",
    "text_parts": "text_parts.csv",
}
STOPWORDS_FILE = "stopwords.txt"
_WS = re.compile(r"\s+")
_MARKER = re.compile(r"^[((]?([0-9]+|[一二三四五六七八九十]+)[))]?(?:是|\.|、)?$")
# Parts of the text in which measures may stand.
_MEASURE_PARTS = {"summary", "plan"}


def _squeeze(text: str) -> str:
    """Normalized text without whitespace: table cells and titles split over lines still match."""
    return _WS.sub("", normalize(text))


def _split(cell: str) -> list[str]:
    return [x for x in (cell or "").split(";") if x]


# ---------------------------------------------------------------------------------------------
# reading


@dataclass
class _Policy:
    """The policy tables as text, with the data folder's other tables they refer to."""

    checked: Checked
    tables: dict[str, RawTable]
    stopwords: list[tuple[str, int]]


def _read_tables(checked: Checked, problems: list[Problem]) -> dict[str, RawTable]:
    root = checked.root
    tables: dict[str, RawTable] = {}
    for name, rel in POLICY_FILES.items():
        spec = checked.spec.get(name, [])
        path = root / rel
        shown = relpath(path, root.parent)
        if not spec:
            problems.append(Problem(relpath(root / "codebook" / "columns.csv", root.parent), None, "table", name,
                                    f"rows describing the columns of table {name!r} ({rel})", "missing_spec"))
            tables[name] = RawTable(path=path)
            continue
        columns = [c["column"] for c in spec]
        required = {c["column"] for c in spec if c["required"] == "yes"}
        table, found = read_csv_table(path, shown, columns, required)
        problems.extend(found)
        tables[name] = table
    return tables


def _read_stopwords(root: Path, problems: list[Problem]) -> list[tuple[str, int]]:
    """Stopwords with their line numbers; ``#`` starts a comment line."""
    path = root / STOPWORDS_FILE
    shown = relpath(path, root.parent)
    if not path.exists():
        problems.append(Problem(shown, None, None, None, "the file to exist (one stopword a line)", "missing_file"))
        return []
    text, found = decode_text(path.read_bytes(), shown)
    problems.extend(found)
    if text is None:
        return []
    words: list[tuple[str, int]] = []
    seen: dict[str, int] = {}
    for n, line in enumerate(text.split("\n"), 1):
        word = line.strip()
        if not word or word.startswith("#"):
            continue
        if normalize(word) != word:
            problems.append(Problem(shown, n, None, word, f"simplified characters ({normalize(word)})",
                                    "not_simplified"))
        if word in seen:
            problems.append(Problem(shown, n, None, word, f"each stopword once (also on line {seen[word]})",
                                    "duplicate_key"))
        seen.setdefault(word, n)
        words.append((word, n))
    return words


# ---------------------------------------------------------------------------------------------
# text parts


@dataclass(frozen=True)
class Located:
    """One part of a raw document: its kind and character span (offsets into the raw text)."""

    source_id: str
    part: str
    start: int
    end: int


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


def _check_text_parts(pol: _Policy, problems: list[Problem]) -> dict[str, list[Located]]:
    checked, table = pol.checked, pol.tables["text_parts"]
    shown = relpath(table.path, checked.root.parent)
    by_source: dict[str, list[tuple[dict[str, str], int]]] = {}
    for row, line in zip(table.rows, table.lines, strict=True):
        by_source.setdefault(row["source_id"], []).append((row, line))
    located: dict[str, list[Located]] = {}
    for source_id, text in checked.raw_texts.items():
        entries = by_source.get(source_id, [])
        if not entries:
            if table.rows or table.columns:
                problems.append(Problem(shown, None, "source_id", source_id,
                                        "rows that cut this document into chrome, summary and plan parts",
                                        "missing_parts"))
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


def _descendants(checked: Checked) -> dict[str, list[str]]:
    """Region → regions to search for a name: the region itself, then those it administers."""
    rows = checked.tables["regions"].rows if "regions" in checked.tables else []
    children: dict[str, list[str]] = {}
    for r in rows:
        if r.get("parent"):
            children.setdefault(r["parent"], []).append(r["region"])
    return {r["region"]: [r["region"], *children.get(r["region"], [])] for r in rows}


def _alias_index(pol: _Policy, problems: list[Problem]) -> dict[tuple[str, str], str]:
    """(region, name as written) → body code; the same name twice in one region is a problem."""
    table = pol.tables["bodies"]
    shown = relpath(table.path, pol.checked.root.parent)
    index: dict[tuple[str, str], str] = {}
    where: dict[tuple[str, str], int] = {}
    seen: dict[str, int] = {}
    for row, line in zip(table.rows, table.lines, strict=True):
        code = row["body"]
        if code in seen:
            problems.append(Problem(shown, line, "body", code, f"a unique body (also on line {seen[code]})",
                                    "duplicate_key"))
        seen.setdefault(code, line)
        for alias in _split(row["aliases"]):
            key = (row["region"], _squeeze(alias))
            if key in index and index[key] != code:
                problems.append(Problem(shown, line, "aliases", alias,
                                        f"a name that means one body in region {row['region']} "
                                        f"(line {where[key]} gives it to {index[key]})", "ambiguous_alias"))
                continue
            index.setdefault(key, code)
            where.setdefault(key, line)
    return index


def resolve_units(written: str, region: str, index: dict[tuple[str, str], str],
                  regions: dict[str, list[str]]) -> list[str | None]:
    """Body codes for responsible units as written (names separated by 、), None where unknown.

    A name is looked up among the bodies of the document's region first, then of
    the regions it administers (so 市科技局 in a Cixi document is Cixi's bureau).
    """
    out: list[str | None] = []
    for name in (n for n in written.split("、") if n.strip()):
        key = _squeeze(name)
        out.append(next((index[(r, key)] for r in regions.get(region, [region]) if (r, key) in index), None))
    return out


# ---------------------------------------------------------------------------------------------
# measures


def _marker_number(marker: str) -> int | None:
    m = _MARKER.match(_squeeze(marker))
    if not m:
        return None
    token = m.group(1)
    if token.isdigit():
        return int(token)
    tokens = find_numbers(token, normalized=True)
    return int(tokens[0].value) if tokens and tokens[0].value == tokens[0].value else None


def _check_measures(pol: _Policy, located: dict[str, list[Located]], index, problems: list[Problem]) -> None:
    checked, table = pol.checked, pol.tables["measures"]
    shown = relpath(table.path, checked.root.parent)
    sources = {r["source_id"]: r for r in checked.tables["sources"].rows}
    bodies = {r["body"] for r in pol.tables["bodies"].rows}
    regions = _descendants(checked)
    obs_rows = checked.observations.rows if checked.observations is not None else []
    obs_by_id = {r["obs_id"]: r for r in obs_rows}
    squeezed = {sid: _WS.sub("", t) for sid, t in checked.normalized_texts.items()}
    rows = list(zip(table.rows, table.lines, strict=True))
    ids: dict[str, int] = {}
    position: dict[str, int] = {}  # measure_id → offset of its evidence in the squeezed text
    for row, line in rows:
        mid = row["measure_id"]
        if mid in ids:
            problems.append(Problem(shown, line, "measure_id", mid, f"a unique id (also on line {ids[mid]})",
                                    "duplicate_key"))
        ids.setdefault(mid, line)
    by_id = {row["measure_id"]: row for row, _ in rows}

    for row, line in rows:
        sid = row["source_id"]
        source = sources.get(sid)
        if source is None:
            continue  # reported by the cell check
        if row["region"] and row["region"] != source["region"]:
            problems.append(Problem(shown, line, "region", row["region"],
                                    f"{source['region']!r}, the region of {sid}", "region_mismatch"))
        years = set(_split(source.get("years_covered", "")))
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
        position[row["measure_id"]] = squeezed[sid].find(squeezed_ev)
        part = _part_at(located.get(sid, []), at)
        if row["part"] and part is not None and row["part"] != part:
            problems.append(Problem(shown, line, "part", row["part"],
                                    f"{part!r}: the evidence stands in the {part} part of {sid} "
                                    "(data/text_parts.csv)", "part_mismatch"))
        if row["part"] and row["part"] not in _MEASURE_PARTS:
            problems.append(Problem(shown, line, "part", row["part"], "summary or plan (measures are not chrome)",
                                    "allowed_value"))
        if row["title_zh"] and _squeeze(row["title_zh"]) not in squeezed_ev:
            problems.append(Problem(shown, line, "title_zh", row["title_zh"],
                                    "a title written in the evidence (spaces and line breaks ignored)",
                                    "title_not_in_evidence"))
        if row["marker"]:
            mark = _squeeze(row["marker"])
            runs_on = squeezed_ev[len(mark): len(mark) + 1].isdigit() and mark[-1:].isdigit()
            if not squeezed_ev.startswith(mark) or runs_on:
                problems.append(Problem(shown, line, "marker", row["marker"],
                                        "the number as written at the start of the evidence", "marker_mismatch"))
            number = _marker_number(row["marker"])
            if number is None:
                problems.append(Problem(shown, line, "marker", row["marker"],
                                        "an item number such as 1., 2、, (一), 一是 or 12", "marker_mismatch"))
            elif row["item_no"].isdigit() and int(row["item_no"]) != number:
                problems.append(Problem(shown, line, "item_no", row["item_no"],
                                        f"{number}, the number the marker {row['marker']!r} gives",
                                        "item_no_mismatch"))
        if row["section"]:
            sec = squeezed[sid].find(_squeeze(row["section"]))
            if sec < 0 or sec > position[row["measure_id"]]:
                problems.append(Problem(shown, line, "section", row["section"],
                                        "a heading written in the document before the item's evidence",
                                        "section_not_found"))
        _check_responsibility(row, line, shown, source, bodies, index, regions, problems)
        _check_links(row, line, shown, obs_by_id, obs_rows, norm_ev, problems)

    _check_parents(rows, by_id, position, shown, problems)
    _check_numbering(rows, position, shown, problems)


def _check_responsibility(row, line, shown, source, bodies, index, regions, problems) -> None:
    units = _split(row["responsible_units"])
    for code in units:
        if code not in bodies:
            problems.append(Problem(shown, line, "responsible_units", code, "a body defined in data/bodies.csv",
                                    "unknown_reference"))
    basis, written = row["responsibility"], row["units_as_written"]
    region = source["region"]
    if basis == "stated":
        if not written:
            problems.append(Problem(shown, line, "units_as_written", written,
                                    "the responsible units as written (responsibility is stated)", "required"))
            return
        if _squeeze(written) not in _squeeze(row["evidence"]):
            problems.append(Problem(shown, line, "units_as_written", written,
                                    "units written in the evidence (spaces and line breaks ignored)",
                                    "units_not_in_evidence"))
        resolved = resolve_units(written, region, index, regions)
        names = [n for n in written.split("、") if n.strip()]
        for name, code in zip(names, resolved, strict=True):
            if code is None:
                problems.append(Problem(shown, line, "units_as_written", name,
                                        f"a name listed in the aliases of data/bodies.csv for region {region} "
                                        "or a region it administers", "unknown_body"))
        if None not in resolved and resolved != units:
            problems.append(Problem(shown, line, "responsible_units", row["responsible_units"],
                                    f"{';'.join(resolved)} (the units as written, in their order)",
                                    "units_mismatch"))
    elif basis == "issuer":
        if written:
            problems.append(Problem(shown, line, "units_as_written", written,
                                    "nothing: the text states no units when responsibility is issuer",
                                    "units_mismatch"))
        issuer = resolve_units(source.get("issuer_zh", ""), region, index, regions)
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


def _check_links(row, line, shown, obs_by_id, obs_rows, norm_ev, problems) -> None:
    linked = _split(row["obs_ids"])
    seen: set[str] = set()
    for oid in linked:
        if oid in seen:
            problems.append(Problem(shown, line, "obs_ids", oid, "each observation once", "duplicate_key"))
        seen.add(oid)
        obs = obs_by_id.get(oid)
        if obs is None:
            problems.append(Problem(shown, line, "obs_ids", oid, "an obs_id defined in data/observations/",
                                    "unknown_reference"))
            continue
        if obs["source_id"] != row["source_id"]:
            problems.append(Problem(shown, line, "obs_ids", oid,
                                    f"an observation of {row['source_id']} (it is from {obs['source_id']})",
                                    "link_other_source"))
            continue
        inside = normalize(obs["evidence"]) in norm_ev
        try:
            stated = _validate.value_in_text(float(obs["value"]), norm_ev)
        except ValueError:
            stated = False
        if not inside and not stated:
            problems.append(Problem(shown, line, "obs_ids", oid,
                                    "an observation whose evidence lies inside this item's evidence, "
                                    f"or whose value ({obs['value']}) the item states", "link_not_in_evidence"))
    # every observation stated inside the item is linked, so no number is orphaned from its measure
    for obs in obs_rows:
        if (obs["source_id"] == row["source_id"] and obs["obs_id"] and obs["obs_id"] not in seen
                and obs["evidence"] and normalize(obs["evidence"]) in norm_ev):
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
        if pid == row["measure_id"]:
            problems.append(Problem(shown, line, "parent", pid, "another item", "parent_invalid"))
        elif parent["source_id"] != row["source_id"]:
            problems.append(Problem(shown, line, "parent", pid, f"an item of {row['source_id']}", "parent_invalid"))
        elif parent["parent"]:
            problems.append(Problem(shown, line, "parent", pid,
                                    "a top-level item (parts have no parts of their own)", "parent_invalid"))
        elif pid in position and row["measure_id"] in position and position[pid] > position[row["measure_id"]]:
            problems.append(Problem(shown, line, "parent", pid, "an item whose evidence comes before this part",
                                    "parent_invalid"))


def _check_numbering(rows, position, shown, problems) -> None:
    """Items of one list are numbered 1, 2, 3, … in document order (restarting at 1 under a new heading)."""
    groups: dict[tuple[str, str, str], list] = {}
    for row, line in rows:
        if row["measure_id"] in position and row["item_no"].isdigit():
            groups.setdefault((row["source_id"], row["kind"], row["parent"]), []).append((row, line))
    for items in groups.values():
        items.sort(key=lambda rl: position[rl[0]["measure_id"]])
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


# ---------------------------------------------------------------------------------------------
# terms


def _check_terms(pol: _Policy, problems: list[Problem]) -> None:
    table = pol.tables["terms"]
    shown = relpath(table.path, pol.checked.root.parent)
    stop = {w for w, _ in pol.stopwords}
    seen: dict[str, int] = {}
    for row, line in zip(table.rows, table.lines, strict=True):
        term = row["term"]
        if not term:
            continue
        if term in seen:
            problems.append(Problem(shown, line, "term", term, f"a unique term (also on line {seen[term]})",
                                    "duplicate_key"))
        seen.setdefault(term, line)
        if _WS.search(term):
            problems.append(Problem(shown, line, "term", term, "one word without spaces", "term_invalid"))
        if normalize(term) != term:
            problems.append(Problem(shown, line, "term", term,
                                    f"simplified characters ({normalize(term)}); texts are converted before "
                                    "counting", "not_simplified"))
        if term in stop:
            problems.append(Problem(shown, line, "term", term, f"a word that is not in data/{STOPWORDS_FILE}",
                                    "term_is_stopword"))
        if row["version"].isdigit() and int(row["version"]) < 1:
            problems.append(Problem(shown, line, "version", row["version"], "a version number of 1 or more",
                                    "dtype"))


# ---------------------------------------------------------------------------------------------
# entry points


def _policy(checked: Checked, problems: list[Problem]) -> tuple[_Policy, dict[str, list[Located]]]:
    tables = _read_tables(checked, problems)
    pol = _Policy(checked=checked, tables=tables, stopwords=_read_stopwords(checked.root, problems))
    allowed = _validate.allowed_sets(checked)
    for name, table in tables.items():
        for col in table.columns:
            allowed[f"{name}.{col}"] = {r.get(col, "") for r in table.rows}
    for name, table in tables.items():
        _validate.check_cells(name, table, checked.spec.get(name, []), allowed, problems, checked.root)
    located = _check_text_parts(pol, problems)
    index = _alias_index(pol, problems)
    _check_measures(pol, located, index, problems)
    _check_terms(pol, problems)
    return pol, located


def check_policy(checked: Checked) -> list[Problem]:
    """Check the policy tables of a checked data folder; return every problem (never raises).

    Args:
        checked: the result of :func:`cityscience.validate.check` for the data folder.

    Returns:
        Problems in ``measures.csv``, ``bodies.csv``, ``terms.csv``,
        ``text_parts.csv`` and ``stopwords.txt`` (empty when they are valid, or
        when the folder has none of these files: the policy layer is optional).
    """
    files = [checked.root / rel for rel in [*POLICY_FILES.values(), STOPWORDS_FILE]]
    if not any(f.exists() for f in files):
        return []  # a data folder without the policy layer (e.g. observations only) is valid
    problems: list[Problem] = []
    _policy(checked, problems)
    return problems


_cache: dict[Path, tuple[tuple, _Policy, dict[str, list[Located]]]] = {}


def _validated(root: Path | None = None) -> tuple[_Policy, dict[str, list[Located]]]:
    """The policy tables of a valid data folder (cached until a file changes); raises ValidationError.

    :func:`cityscience.load.validated` already ran :func:`check_policy` as part of
    the whole folder's validation, so no problem can appear here.
    """
    from ..load import data_signature, validated

    checked = validated(root)
    sig = data_signature(checked.root)
    hit = _cache.get(checked.root)
    if hit is not None and hit[0] == sig:
        return hit[1], hit[2]
    problems: list[Problem] = []
    pol, located = _policy(checked, problems)
    if problems:
        raise ValidationError(problems)
    _cache[checked.root] = (sig, pol, located)
    return pol, located


def _frame(pol: _Policy, name: str) -> pd.DataFrame:
    """A policy table with the codebook's dtypes (see :func:`cityscience.load.typed_frame`)."""
    from ..load import typed_frame

    return typed_frame(pol.checked, name, pol.tables[name])


def _lists(series: pd.Series) -> pd.Series:
    return series.fillna("").map(lambda s: _split(str(s))).astype(object)


def load_measures(root: Path | None = None) -> pd.DataFrame:
    """Every numbered task, measure or key-work item of the five documents, one row each.

    Columns are those of ``data/measures.csv`` (see ``docs/policy-measures.md``),
    with ``responsible_units`` and ``obs_ids`` as lists, plus ``lead_unit`` (the
    first responsible unit, the one that leads by convention) and ``leaf`` (True
    when no other item is a part of this one).
    """
    pol, _ = _validated(root)
    df = _frame(pol, "measures")
    df["responsible_units"] = _lists(df["responsible_units"])
    df["obs_ids"] = _lists(df["obs_ids"])
    df["lead_unit"] = df["responsible_units"].map(lambda u: u[0] if u else pd.NA).astype("string")
    parents = set(df["parent"].dropna())
    df["leaf"] = ~df["measure_id"].isin(parents)
    return df


def load_units(root: Path | None = None) -> pd.DataFrame:
    """The responsible bodies: code, Chinese and English names, level, kind, region and aliases (a list)."""
    pol, _ = _validated(root)
    df = _frame(pol, "bodies")
    df["aliases"] = _lists(df["aliases"])
    return df


def load_terms(root: Path | None = None) -> pd.DataFrame:
    """The curated policy-term list; ``df.attrs["version"]`` is the list's version."""
    pol, _ = _validated(root)
    df = _frame(pol, "terms")
    df.attrs["version"] = int(df["version"].max()) if len(df) else 0
    return df


def terms_version(root: Path | None = None) -> int:
    """Version of the term list: the highest ``version`` in ``data/terms.csv``."""
    return load_terms(root).attrs["version"]


def load_text_parts(root: Path | None = None) -> pd.DataFrame:
    """Each document cut into chrome, summary and plan parts: source_id, part, start, end, text.

    ``start`` and ``end`` are character offsets into the raw text
    (:func:`cityscience.raw_text`); ``text`` is the raw text of the part.
    """
    pol, located = _validated(root)
    rows = []
    for sid, parts in located.items():
        raw = pol.checked.raw_texts[sid]
        rows += [{"source_id": sid, "part": p.part, "start": p.start, "end": p.end, "text": raw[p.start:p.end]}
                 for p in parts]
    df = pd.DataFrame(rows, columns=["source_id", "part", "start", "end", "text"])
    vocab = [r["code"] for r in pol.checked.tables["vocabularies"].rows if r["vocabulary"] == "text_part"]
    df["source_id"] = df["source_id"].astype(pd.CategoricalDtype(list(pol.checked.raw_texts)))
    df["part"] = df["part"].astype(pd.CategoricalDtype(vocab))
    df["text"] = df["text"].astype("string")
    return df


def load_stopwords(root: Path | None = None) -> list[str]:
    """The stopwords left out of :func:`~cityscience.policy.word_frequencies`, in file order."""
    pol, _ = _validated(root)
    return [w for w, _ in pol.stopwords]
