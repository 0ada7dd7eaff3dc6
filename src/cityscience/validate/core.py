"""The checks that tie the facts to their sources: evidence, values, units, exclusions, raw documents.

What the codebook can say (types, allowed values, references, keys) is
checked in :mod:`.cells`; what needs the raw text or several tables at once is
checked here: the evidence of an observation occurs verbatim in its raw
document and states its value, its unit agrees with its indicator and
measure, and every exclusion still covers a number.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

import regex

from ..conventions import CONSISTENCY_CHECKS, QUALIFIER_MARKS
from ..numbers import TokenSpans, find_numbers, negative_readings, normalize
from ..problems import Problem
from ..tables import read_raw_document, relpath
from ..units import nonnegative_units, unit_problems
from .cells import (
    PATTERN_TIMEOUT,
    YEARS,
    follows_rule,
    is_number,
    parse_number,
    safe_pattern,
    split_list,
)
from .checked import Checked

__all__ = ["BREAKING_ZERO", "body_levels", "candidate_values", "check_exclusions",
           "check_indicator_groups", "check_indicator_models", "check_observations", "check_qualifier_marks",
           "check_units", "check_vocabulary_columns", "exclusion_pattern", "kind_bases", "measure_units", "read_raw",
           "several_values", "table_kinds", "theme_cues", "unit_unwritten", "value_in_text"]
_DOUBLING = re.compile(r"翻了?([一二两兩三四五六七八九十]?)番")
#: 破零 ("breaking zero"): the count of something leaves zero, i.e. the first one (1).
BREAKING_ZERO = "破零"
_FACT = ("source_id", "region", "year", "indicator", "measure", "status", "qualifier", "value", "value_high", "unit")




def candidate_values(evidence: str) -> list[float]:
    """Numbers an evidence string can state: its numerals (百分之二十 = 20, 1/3 and 三分之一 as
    fractions), 2**N for 翻N番 (翻番 = 2), 1 for 破零, and −N for a number the extractor writes negative
    (:func:`~cityscience.numbers.negative_readings`: after 下降/减少/缩小/少 or 低于…, or continuing a list
    that starts so), since it writes a decrease as a negative change and a gap below as a negative gap.

    >>> candidate_values("五年翻两番,达到185亿元")
    [5.0, 2.0, 185.0, 4.0]
    >>> candidate_values("同比下降3.2%,增长百分之二十")
    [3.2, 20.0, -3.2]
    >>> candidate_values("比上年少5人,低于全省平均水平约1个百分点")
    [5.0, 1.0, -5.0, -1.0]
    >>> candidate_values("同比分别下降3.2%和1.5%")
    [3.2, 1.5, -3.2, -1.5]
    >>> candidate_values("省级孵化器“破零”")
    [0.0, 1.0]
    """
    norm = normalize(evidence)
    tokens = find_numbers(norm, normalized=True)
    values = [t.value for t in tokens]
    values += [-t.value for t, negative in zip(tokens, negative_readings(norm, tokens), strict=True) if negative]
    for m in _DOUBLING.finditer(norm):
        n = {"": 1, "一": 1, "两": 2, "二": 2}.get(m.group(1))
        if n is None:
            n = int(find_numbers(m.group(1), normalized=True)[0].value)
        values.append(float(2 ** n))
    values += [1.0] * norm.count(BREAKING_ZERO)
    return values


def value_in_text(value: float, evidence: str) -> bool:
    """True when ``value`` is one of the numbers the evidence states (exactly: 185.0000000001 is not 185)."""
    return value in candidate_values(evidence)


def read_raw(checked: Checked, problems: list[Problem]) -> None:
    """Read every source's raw document (checksum, encoding) into ``checked``: text, normalized text, numbers."""
    root = checked.root
    sources = checked.tables["sources"]
    shown_sources = relpath(sources.path, root.parent)
    for row, line in zip(sources.rows, sources.lines, strict=True):
        if not row.get("file_name"):
            continue
        path = root / "raw" / row["file_name"]
        shown = relpath(path, root.parent)
        if not path.resolve().is_relative_to((root / "raw").resolve()):
            problems.append(Problem(shown_sources, line, "file_name", row["file_name"],
                                    "a file inside data/raw/ (the name leads outside it)", "path_escape"))
            continue
        checked.files[shown] = "raw"
        sha256 = row.get("sha256", "")
        text, found = read_raw_document(path, shown, sha256 if follows_rule(checked, "sources", "sha256", sha256)
                                        else None,
                                        stated_in=f"{shown_sources}:{line}")
        for p in found:  # (a malformed sha256 is the cell check's to report, not the raw file's)
            if p.check == "missing_file":
                p = Problem(shown_sources, line, "file_name", row["file_name"], "a file of that name in data/raw/",
                            "missing_file")
            problems.append(p)
        if text is not None:
            checked.raw_texts[row["source_id"]] = text
            checked.normalized_texts[row["source_id"]] = norm = normalize(text)
            checked.tokens[row["source_id"]] = find_numbers(norm, normalized=True)
    named = {row.get("file_name") for row in sources.rows}
    folder = root / "raw"
    for path in sorted(folder.iterdir()) if folder.is_dir() else ():
        if path.is_file() and not path.name.startswith(".") and path.name not in named:
            problems.append(Problem(relpath(path, root.parent), None, None, path.name,
                                    f"a file named in the file_name column of {shown_sources} (no source names "
                                    "this one, so nothing checks or reads it)", "stray_file", "raw"))



def check_region_colours(checked: Checked, problems: list[Problem]) -> None:
    """Each region's colour is its own: two regions of one colour could not be told apart in a chart."""
    regions = checked.tables["regions"]
    shown = relpath(regions.path, checked.root.parent)
    seen: dict[str, int] = {}
    for row, line in zip(regions.rows, regions.lines, strict=True):
        colour = row.get("color", "").strip().upper()
        if not colour:
            continue  # given one from the palette, one not taken
        if colour in seen:
            problems.append(Problem(shown, line, "color", row["color"], "a colour no other region has",
                                    "duplicate_key", other=(shown, seen[colour])))
        seen.setdefault(colour, line)


def check_observations(checked: Checked, problems: list[Problem]) -> None:
    """Per observation: its file, a fact stated once, the value in its evidence, its unit and range."""
    obs = checked.tables["observations"]
    units = {r["unit"]: r for r in checked.tables["units"].rows}
    indicators = {r["indicator"]: r for r in checked.tables["indicators"].rows}
    rules = _UnitRules(measure_units(checked), nonnegative_units(checked.tables["units"]))
    seen_facts: dict[tuple, tuple[str, int]] = {}
    covered = {r["source_id"]: r.get("years_covered", "") for r in checked.tables["sources"].rows}
    well_formed = {sid: follows_rule(checked, "sources", "years_covered", years) for sid, years in covered.items()}
    for row, line in zip(obs.rows, obs.lines, strict=True):
        shown = row["__file__"]
        if row["source_id"] and row["source_id"] != row["__stem__"]:
            problems.append(Problem(shown, line, "source_id", row["source_id"],
                                    f"{row['__stem__']!r}, the name of the file it is in", "source_file"))
        years = covered.get(row["source_id"], "")
        in_range = row["year"].isdigit() and int(row["year"]) in YEARS  # (else the cell check reports it)
        if in_range and years and well_formed[row["source_id"]] and row["year"] not in years.split(";"):
            problems.append(Problem(shown, line, "year", row["year"],
                                    f"one of the years {row['source_id']} covers ({years.replace(';', ', ')}), "
                                    f"or the year added to its years_covered in sources.csv", "year_range"))
        key = tuple(row[c] for c in _FACT)
        if key in seen_facts and row["obs_id"]:
            problems.append(Problem(shown, line, "indicator", row["indicator"], "each fact once", "duplicate_key",
                                    other=seen_facts[key]))
        seen_facts.setdefault(key, (shown, line))
        _check_value(row, line, shown, units, indicators, rules, checked, problems)


def several_values(checked: Checked) -> frozenset[str]:
    """Measure codes of which one document may state several values for one indicator, region, year and
    status, told apart by what their label_zh names (a ranking's scope, a comparator, a period): the
    ``several`` column of the measure vocabulary."""
    return frozenset(r["code"] for r in checked.tables["vocabularies"].rows
                     if r["vocabulary"] == "measure" and r.get("several") == "yes")


@dataclass(frozen=True)
class _UnitRules:
    """What the codebook says of units beyond each unit's row: the unit of each measure, the units never negative."""

    measure_units: dict[str, str]
    nonnegative: frozenset[str]


def measure_units(checked: Checked) -> dict[str, str]:
    """Measure code → the standard unit its values are in, from the ``unit_std`` column of the
    measure vocabulary (``level`` and ``abs_change`` have none: their values are in their indicator's unit)."""
    return {r["code"]: r["unit_std"] for r in checked.tables["vocabularies"].rows
            if r["vocabulary"] == "measure" and r.get("unit_std")}


def body_levels(checked: Checked) -> dict[str, str]:
    """Administrative level → the level of a region's own bodies at it (``sub_provincial_city`` →
    ``municipal``), from the ``body_level`` column of the admin_level vocabulary."""
    return {r["code"]: r["body_level"] for r in checked.tables["vocabularies"].rows
            if r["vocabulary"] == "admin_level" and r.get("body_level")}


def theme_cues(checked: Checked) -> dict[str, tuple[str, ...]]:
    """Policy theme → the words that signal it, in vocabulary order (the catch-all theme last): the
    ``cues`` column of the policy_theme vocabulary, then the curated terms of that theme (terms.csv)."""
    cues = {r["code"]: split_list(r.get("cues", "")) for r in checked.tables["vocabularies"].rows
            if r["vocabulary"] == "policy_theme"}
    for r in checked.tables["terms"].rows if "terms" in checked.tables else []:
        if r.get("theme") in cues and r["term"] not in cues[r["theme"]]:
            cues[r["theme"]].append(r["term"])
    return {theme: tuple(words) for theme, words in cues.items()}


def table_kinds(checked: Checked) -> dict[str, tuple[str, ...]]:
    """Item kind → the header cells of a numbered table whose rows are items of that kind (指标 for
    indicator_target), from the ``table_words`` column of the item_kind vocabulary; kinds without any
    are left out."""
    out = {r["code"]: tuple(split_list(r.get("table_words", ""))) for r in checked.tables["vocabularies"].rows
           if r["vocabulary"] == "item_kind"}
    return {kind: words for kind, words in out.items() if words}


def kind_bases(checked: Checked) -> dict[str, tuple[str, ...]]:
    """Indicator kind → the bases it may have, in vocabulary order, from the ``kinds`` column of the
    basis vocabulary."""
    out: dict[str, list[str]] = {}
    for r in checked.tables["vocabularies"].rows:
        if r["vocabulary"] == "basis":
            for kind in split_list(r.get("kinds", "")):
                out.setdefault(kind, []).append(r["code"])
    return {kind: tuple(bases) for kind, bases in out.items()}


def _check_value(row, line, shown, units, indicators, rules: _UnitRules, checked: Checked, problems) -> None:
    """Evidence in the raw text, value in the evidence, unit and range consistent."""
    value = parse_number(row["value"])
    value_ok = value is not None
    high = row["value_high"]
    if row["qualifier"] == "range" and not high:
        problems.append(Problem(shown, line, "value_high", high, "the upper end of the range (qualifier is range)",
                                "range"))
    if high and row["qualifier"] != "range":
        problems.append(Problem(shown, line, "qualifier", row["qualifier"],
                                "'range' because value_high is filled", "range"))
    if high and value_ok and is_number(high) and float(high) <= value:
        problems.append(Problem(shown, line, "value_high", high, f"a number above value {row['value']}", "range"))

    evidence = row["evidence"]
    text = checked.normalized_texts.get(row["source_id"])
    if evidence and text is not None:
        if evidence not in checked.raw_texts[row["source_id"]]:
            at = text.find(normalize(evidence))
            if at >= 0:
                verbatim = checked.raw_texts[row["source_id"]][at: at + len(evidence)]
                expected = (f"the exact characters of the raw document of {row['source_id']}; it matches only "
                            f"after normalization (NFKC, traditional→simplified): store {verbatim!r}")
            else:
                expected = f"an exact substring of the raw document of {row['source_id']}"
            problems.append(Problem(shown, line, "evidence", evidence, expected, "evidence_not_found"))
        if value_ok and not value_in_text(value, evidence):
            stated = ", ".join(f"{v:g}" for v in candidate_values(evidence)) or "no number"
            problems.append(Problem(shown, line, "value", row["value"],
                                    f"a number stated in the evidence (it states {stated})", "value_not_in_evidence"))
        if high and is_number(high) and not value_in_text(float(high), evidence):
            problems.append(Problem(shown, line, "value_high", high, "a number stated in the evidence",
                                    "value_not_in_evidence"))
        if value_ok and row["unit"]:
            _check_scale(row, line, shown, value, evidence, problems)
            _check_unit_written(row, line, shown, value, evidence, units, problems)

    unit = units.get(row["unit"])
    indicator = indicators.get(row["indicator"])
    if unit is None or indicator is None:
        return  # reported as unknown references
    code = normalize(row["unit"])
    if code != row["unit"] and code in units:
        # the unit column is a code: 亿元 also where the evidence writes 億元 (the evidence keeps what is written)
        problems.append(Problem(shown, line, "unit", row["unit"],
                                f"the unit code {code!r} (units are coded in simplified characters; the evidence "
                                "keeps the written form)", "unit_code"))
    measure = row["measure"]
    own = rules.measure_units.get(measure)  # (level and abs_change have none: they are in the indicator's unit)
    want = own or indicator["unit_std"]
    if want and unit["unit_std"] != want:
        why = f"measure {measure} is in {want}" if own else f"indicator {row['indicator']} is in {want}"
        problems.append(Problem(shown, line, "unit", row["unit"],
                                f"a unit in {want} ({why}); {row['unit']} is in {unit['unit_std']}", "unit_mismatch"))
    if value_ok and measure == "level" and is_number(unit["factor"] or "1"):
        value = value * float(unit["factor"] or 1)
        if unit["unit_std"] == "percent" and indicator["kind"] == "ratio" and not 0 <= value <= 100:
            problems.append(Problem(shown, line, "value", row["value"], "a share between 0 and 100 percent",
                                    "share_range"))
        if unit["unit_std"] in rules.nonnegative and value < 0:
            problems.append(Problem(shown, line, "value", row["value"], f"a non-negative {unit['unit_std']} amount",
                                    "negative_value"))


_SCALES = ("万", "亿")
#: What may stand between a number and its 万/亿: 1000余万元, 3 万人.
_BEFORE_SCALE = re.compile(r"\s*[余多]?")


def _scales_written(evidence: str, value: float, unit: str) -> tuple[bool, set[str], str]:
    """Whether ``evidence`` writes ``value`` as a number, the scales (万, 亿, or "" for the unit without
    one) written after it, and the unit's own scale."""
    norm = normalize(evidence)
    unit = normalize(unit)
    scale = unit[:1] if unit[:1] in _SCALES else ""
    base = unit[len(scale):]
    found, written = False, set()
    tokens = find_numbers(norm, normalized=True)
    for t, negative in zip(tokens, negative_readings(norm, tokens), strict=True):
        if t.value == value or (-t.value == value and negative):
            found = True
            after = norm[_BEFORE_SCALE.match(norm, t.end).end():]
            if after[:1] in _SCALES:
                written.add(after[:1])
            elif base and after.startswith(base):
                written.add("")
    return found, written, scale


def unit_unwritten(evidence: str, value: float, unit: str) -> bool:
    """Whether the evidence writes the value but not its unit: a unit in 万 or 亿 of which nothing follows
    the number (damaged text, the unit inferred by the curator and explained in the note), so a chart can
    say the unit is not the document's.

    >>> unit_unwritten("基金规模累计达到50", 50, "亿元"), unit_unwritten("规模达46.5亿元", 46.5, "亿元")
    (True, False)
    >>> unit_unwritten("位居全省第一", 1, "位次")  # a unit without 万 or 亿: not judged
    False
    """
    found, written, scale = _scales_written(evidence, value, unit)
    return bool(scale) and found and not written


def _check_scale(row, line, shown, value, evidence, problems) -> None:
    """The unit's 万/亿 is the one the evidence writes after the number (185亿元 is 亿元, not 万元 or 元).

    Looked at where the value is a number written in the evidence and the evidence writes a scale or
    the unit after it; a value the text implies (翻两番, 破零) or whose unit the text does not write
    (damaged text, the unit inferred and explained in the note: :func:`unit_unwritten`) is left alone.
    """
    _, written, scale = _scales_written(evidence, value, row["unit"])
    if written and scale not in written:
        shown_scale = " or ".join(sorted(w or "no 万 or 亿" for w in written))
        problems.append(Problem(shown, line, "unit", row["unit"],
                                f"a unit with the scale the evidence writes after {row['value']} ({shown_scale}); "
                                f"{row['unit']} is {'in ' + scale if scale else 'without 万 or 亿'}", "unit_scale"))


@lru_cache(maxsize=4)
def _longest_first(units: tuple[str, ...]) -> list[tuple[str, str]]:
    """Each unit normalized, with its code, longest first (万元 before 元), once per codebook."""
    return sorted(((normalize(u), u) for u in units), key=lambda pair: len(pair[0]), reverse=True)


def _check_unit_written(row, line, shown, value, evidence, units, problems) -> None:
    """The evidence does not write another kind of unit after every place it states the value: 12957件 is a
    count, not the % of the growth stated beside it. A unit the row's unit is built from (件 of 件/万人, 篇 of
    篇/天: 每万人…38件, 每天…15000篇) is its own."""
    std = units.get(row["unit"], {}).get("unit_std")
    if std is None:
        return  # an unknown unit: the cell check reports it
    written = _longest_first(tuple(units))
    norm = normalize(evidence)
    after = []
    for token in find_numbers(norm, normalized=True):
        if token.value == value:
            rest = norm[token.end:].lstrip()
            after.append(next((code for form, code in written if rest.startswith(form)), None))
    other = {u for u in after if u is not None}
    if after and None not in after and all(units[u]["unit_std"] != std and u not in normalize(row["unit"])
                                           for u in other):
        stated = " and ".join(row["value"] + u for u in sorted(other))
        problems.append(Problem(shown, line, "value", row["value"],
                                f"a value in {row['unit']} (the unit of the row); the evidence writes "
                                f"{stated}, which is in "
                                f"{', '.join(sorted({units[u]['unit_std'] for u in other}))}: another quantity "
                                "of the sentence?", "unit_not_written"))


def check_indicator_models(checked: Checked, problems: list[Problem]) -> None:
    """Each indicator has a comparability model (basis, scope, period) and a basis its kind allows."""
    table = checked.tables["indicators"]
    if not {"basis", "scope", "period"} <= set(table.columns):
        return  # a codebook written before the comparability model: the cell checks report the columns
    shown = relpath(table.path, checked.root.parent)
    bases = kind_bases(checked)
    for row, line in zip(table.rows, table.lines, strict=True):
        for col in ("basis", "scope", "period"):
            if not row[col]:
                problems.append(Problem(shown, line, col, "", f"a {col} code of the {col} vocabulary: every indicator "
                                        "has a comparability model (basis, scope, period), which the comparisons "
                                        "read", "comparability_model"))
        allowed = bases.get(row["kind"], ())
        if row["basis"] and row["kind"] and row["basis"] not in allowed:
            can = (f"({', '.join(allowed)})" if allowed else
                   f"(none is listed: add {row['kind']} to the kinds of a basis row of codebook/vocabularies.csv)")
            problems.append(Problem(shown, line, "basis", row["basis"], f"a basis a {row['kind']} can have {can}",
                                    "comparability_model"))


def check_indicator_groups(checked: Checked, problems: list[Problem]) -> None:
    """An indicator's ``group`` is a group of its own category (the group row's ``category`` in
    codebook/vocabularies.csv), and every indicator of a category that has groups has one, so that an
    analysis listing a category by group (notebook 05) leaves none out or puts none under another category."""
    table = checked.tables["indicators"]
    if "group" not in table.columns:
        return  # a codebook written before groups: the cell checks report the column
    of_group = {r["code"]: r.get("category", "") for r in checked.tables["vocabularies"].rows
                if r["vocabulary"] == "group"}
    groups: dict[str, list[str]] = {}
    for code, category in of_group.items():
        groups.setdefault(category, []).append(code)
    shown = relpath(table.path, checked.root.parent)
    for row, line in zip(table.rows, table.lines, strict=True):
        group, category = row["group"], row["category"]
        if group and group in of_group and of_group[group] != category:
            own = (f"a group of the indicator's category {category} ({', '.join(groups[category])})"
                   if category in groups else f"an empty cell: the indicator's category {category} has no groups")
            problems.append(Problem(shown, line, "group", group, f"{own}; {group} divides "
                                    f"{of_group[group] or 'no category'}", "group_category"))
        elif not group and category in groups:
            problems.append(Problem(shown, line, "group", "", f"a group of category {category} "
                                    f"({', '.join(groups[category])}): every indicator of a category with groups "
                                    "has one", "group_category"))


#: The columns of the vocabularies table that belong to one vocabulary, and what each says there.
_VOCABULARY_COLUMNS = {"unit_std": ("measure", "the standard unit of the measure's values"),
                       "kinds": ("basis", "the indicator kinds that may have the basis"),
                       "body_level": ("admin_level", "the level of the bodies of a region at the level"),
                       "cues": ("policy_theme", "words that signal the theme in a policy item's text"),
                       "table_words": ("item_kind", "the header cells of a table whose rows are items of the kind"),
                       "several": ("measure", "whether a document may state several values of the measure"),
                       "category": ("group", "the category whose indicators the group divides")}


def check_vocabulary_columns(checked: Checked, problems: list[Problem]) -> None:
    """``unit_std`` only on measure rows, never on level (empty: the values are in their indicator's unit, as a
    level's and a change over the previous year's are); ``kinds`` only on basis rows;
    ``body_level`` on every admin_level row and nowhere else; ``cues`` only on policy_theme rows,
    ``table_words`` only on item_kind rows, ``several`` only on measure rows, ``category`` on every group row and
    nowhere else; the consistency_check rows
    name exactly the checks :func:`cityscience.consistency_flags` runs (:data:`~cityscience.conventions.CONSISTENCY_CHECKS`)."""
    table = checked.tables["vocabularies"]
    shown = relpath(table.path, checked.root.parent)
    named = set()
    for row, line in zip(table.rows, table.lines, strict=True):
        if row["vocabulary"] == "consistency_check":
            named.add(row["code"])
            if row["code"] not in CONSISTENCY_CHECKS:
                problems.append(Problem(shown, line, "code", row["code"], "one of the checks consistency_flags "
                                        f"runs ({', '.join(CONSISTENCY_CHECKS)})", "allowed_value"))
        for col, (vocabulary, what) in _VOCABULARY_COLUMNS.items():
            value = row.get(col, "")
            if value and row["vocabulary"] != vocabulary:
                problems.append(Problem(shown, line, col, value, f"an empty cell: {col} says {what}, on "
                                        f"{vocabulary} rows only", "vocabulary_column"))
        if row["vocabulary"] == "measure" and row["code"] == "level" and row.get("unit_std"):
            problems.append(Problem(shown, line, "unit_std", row["unit_std"], "an empty cell: a level is in its "
                                    "indicator's unit_std, whatever the indicator", "vocabulary_column"))
        if row["vocabulary"] == "group" and "category" in table.columns and not row.get("category"):
            problems.append(Problem(shown, line, "category", "", f"the category whose indicators the group "
                                    f"{row['code']} divides", "vocabulary_column"))
        if row["vocabulary"] == "admin_level" and "body_level" in table.columns and not row.get("body_level"):
            problems.append(Problem(shown, line, "body_level", "", f"the level of the bodies of a region at the "
                                    f"level {row['code']} (municipal for a city, county for a district): add-report "
                                    "drafts a new region's bodies with it", "vocabulary_column"))
    for missing in (c for c in CONSISTENCY_CHECKS if c not in named):
        problems.append(Problem(shown, len(table.rows) + 2, "code", "", f"a consistency_check row for {missing}: "
                                "charts and workbooks name each consistency check by its labels", "required"))


def check_units(checked: Checked, problems: list[Problem]) -> None:
    """Conversion factors are positive; each standard unit has one display unit."""
    table = checked.tables["units"]
    shown = relpath(table.path, checked.root.parent)
    if "display" in table.columns and "unit_std" in table.columns:
        problems.extend(unit_problems(table, shown))
    for row, line in zip(table.rows, table.lines, strict=True):
        if row["factor"] and is_number(row["factor"]) and float(row["factor"]) <= 0:
            problems.append(Problem(shown, line, "factor", row["factor"], "a positive factor", "dtype"))


def check_qualifier_marks(checked: Checked, problems: list[Problem]) -> None:
    """Every qualifier of the vocabulary has the mark charts and workbooks write before its values."""
    table = checked.tables["vocabularies"]
    shown = relpath(table.path, checked.root.parent)
    for row, line in zip(table.rows, table.lines, strict=True):
        if row.get("vocabulary") == "qualifier" and row.get("code") and row["code"] not in QUALIFIER_MARKS:
            problems.append(Problem(shown, line, "code", row["code"],
                                    "a qualifier charts and workbooks can mark: one of "
                                    f"{', '.join(QUALIFIER_MARKS)} (a new one needs its mark in "
                                    "cityscience.conventions.QUALIFIER_MARKS)", "qualifier_mark"))


def exclusion_pattern(row: dict[str, str]):
    """Compile an exclusion's ``match``; both kinds are read in normalized (simplified) text.

    Literals are escaped; regexes get the same NFKC + t2s normalization as the
    text, so a pattern written in traditional characters still matches. The
    pattern is compiled with the ``regex`` module so that every search can be
    given a timeout (:data:`~cityscience.validate.cells.PATTERN_TIMEOUT`): a
    pattern with nested quantifiers cannot hang validation.
    Raises ``regex.error`` for an invalid regex.
    """
    if row["kind"] == "regex":
        return safe_pattern(normalize(row["match"]))
    return safe_pattern(re.escape(normalize(row["match"])))


def _covers_number(pattern, text: str, spans: TokenSpans) -> bool:
    """True when some match of ``pattern`` overlaps one of the number tokens of ``text``."""
    return any(spans.touching(m.start(), m.end()) for m in pattern.finditer(text, timeout=PATTERN_TIMEOUT))


def check_exclusions(checked: Checked, problems: list[Problem]) -> None:
    """Every exclusion is a valid pattern that still covers a number of its document(s)."""
    table = checked.tables["exclusions"]
    shown = relpath(table.path, checked.root.parent)
    spans = {sid: TokenSpans(tokens) for sid, tokens in checked.tokens.items()}
    for row, line in zip(table.rows, table.lines, strict=True):
        if row.get("kind") not in ("regex", "literal") or not row.get("match"):
            continue
        try:
            pattern = exclusion_pattern(row)
        except regex.error as exc:
            problems.append(Problem(shown, line, "match", row["match"], f"a valid regular expression ({exc})",
                                    "regex"))
            continue
        sids = list(checked.normalized_texts) if row["source_id"] == "*" else [row["source_id"]]
        sids = [sid for sid in sids if sid in checked.normalized_texts]
        try:
            covers = any(_covers_number(pattern, checked.normalized_texts[sid], spans[sid]) for sid in sids)
        except TimeoutError:
            problems.append(Problem(shown, line, "match", row["match"],
                                    f"a pattern that searches a document in under {PATTERN_TIMEOUT:g} s (this one "
                                    "ran longer: nested quantifiers such as (a+)+ take exponential time)",
                                    "regex_too_slow"))
            continue
        if sids and not covers:
            problems.append(Problem(shown, line, "match", row["match"],
                                    "a text or pattern that covers a number in its document(s) (stale exclusion)",
                                    "unused_exclusion"))
