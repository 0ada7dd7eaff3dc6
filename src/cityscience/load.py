"""Public loaders: validated, typed pandas tables of the curated data, cached per data version.

Each loader takes the one checked result of :func:`cityscience.validate.check`
and raises :class:`~cityscience.problems.ValidationError` listing every
problem of the tables it returns and the tables those reference (a typo in
``terms.csv`` does not stop :func:`load_observations`; ``cityscience
validate`` still reports it), so no caller sees a partial or silently coerced
table. The check and every typed table are computed once for as long as no
file in the data folder changes; loaders hand out copies.
"""

from __future__ import annotations

import os
import warnings
from collections.abc import Callable, Iterable
from pathlib import Path

import pandas as pd

from .paths import data_dir
from .problems import ValidationError
from .tables import RawTable
from .units import standard_value
from .validate import Checked, check
from .validate.cells import parse_number, split_list

__all__ = [
    "OBSERVATION_COLUMNS",
    "data_signature",
    "load_bodies",
    "load_exclusions",
    "load_indicators",
    "load_measurement_units",
    "load_measures",
    "load_observations",
    "load_policy_items",
    "load_regions",
    "load_sources",
    "load_stopwords",
    "load_terms",
    "load_text_parts",
    "load_units",
    "load_vocabularies",
    "raw_text",
    "terms_version",
    "typed_frame",
    "validated",
]

OBSERVATION_COLUMNS = [
    "obs_id", "source_id", "region", "year", "indicator", "label_zh", "measure", "status", "qualifier",
    "value", "value_high", "unit", "value_std", "value_high_std", "unit_std", "evidence", "note", "variant",
]
_checks: dict[Path, tuple[tuple, Checked]] = {}
_frames: dict[tuple[Path, str], tuple[Checked, pd.DataFrame]] = {}


def data_signature(root: Path) -> tuple:
    """Path, size and modification time of every file in the data folder (the cache key)."""
    out, folders = [], [os.fspath(root)]
    while folders:  # os.scandir, one stat per file: notebooks ask this before every load
        try:
            entries = os.scandir(folders.pop())
        except OSError:  # no such folder, or not one: the check that follows says so
            continue
        with entries:
            for entry in entries:
                if entry.is_dir(follow_symlinks=False):
                    folders.append(entry.path)
                elif entry.is_file():
                    info = entry.stat()
                    out.append((entry.path, info.st_size, info.st_mtime_ns))
    return tuple(sorted(out))


def _checked(root: Path | None) -> Checked:
    """The check of the data folder, made once per data version (problems included, never raised)."""
    root = Path(root).resolve() if root is not None else data_dir()
    sig = data_signature(root)
    hit = _checks.get(root)
    if hit is None or hit[0] != sig:
        hit = _checks[root] = (sig, check(root, accounting=False))
    return hit[1]


def validated(root: Path | None = None, tables: Iterable[str] | None = None) -> Checked:
    """The checked data folder; raises ValidationError for the problems of ``tables`` and what they reference.

    Args:
        root: the data folder (default: :func:`cityscience.paths.data_dir`).
        tables: registry names whose validity is needed (default: every table).
    """
    checked = _checked(root)
    needed = None if tables is None else checked.registry.dependencies(tables)
    problems = checked.problems_for(needed)
    if problems:
        raise ValidationError(problems)
    return checked


def _cached(root: Path | None, name: str, needs: Iterable[str], make: Callable[[Checked], object]):
    """``make(checked)`` for the folder, once per data version; a copy of the result.

    Notebooks call the loaders many times (chart labels, footnotes, filters);
    typing the tables again each time cost more than drawing a chart.
    """
    checked = validated(root, needs)
    key = (checked.root, name)
    hit = _frames.get(key)
    if hit is None or hit[0] is not checked:
        hit = _frames[key] = (checked, make(checked))
    value = hit[1]
    if isinstance(value, pd.DataFrame):
        copy = value.copy()
        copy.attrs = dict(value.attrs)
        return copy
    return list(value)


def typed_frame(checked: Checked, name: str, table: RawTable | None = None) -> pd.DataFrame:
    """A table with the codebook's dtypes; codes become categoricals in codebook order.

    Args:
        checked: a checked data folder.
        name: the table's name in the registry.
        table: the rows to type (default: the table of that name in ``checked``).
    """
    table = checked.tables[name] if table is None else table
    columns = checked.registry[name].columns
    names = [c.name for c in columns]
    df = pd.DataFrame([{c: r.get(c, "") for c in names} for r in table.rows], columns=names, dtype="string")
    for col in columns:
        series = df[col.name].replace("", pd.NA)
        if col.dtype in ("Int64", "Float64"):  # the validator's own parser: both agree on what a number is
            df[col.name] = series.map(parse_number, na_action="ignore").astype("Float64").astype(col.dtype)
        elif col.dtype == "date":
            df[col.name] = pd.to_datetime(series, format="%Y-%m-%d")
        elif col.dtype == "category":
            df[col.name] = series.astype(pd.CategoricalDtype(_categories(checked, col.allowed, series)))
        else:
            df[col.name] = series
    return df


def _categories(checked: Checked, rule: str, series: pd.Series) -> list[str]:
    """Categories of a coded column in codebook order: its vocabulary, the table it refers to, or as found."""
    if rule.startswith("vocab:"):
        vocab = rule.removeprefix("vocab:")
        return [r["code"] for r in checked.tables["vocabularies"].rows if r["vocabulary"] == vocab]
    if "." in rule and "|" not in rule and not rule.startswith(("re:", "list:")):
        table, column = rule.split(".")
        if table in checked.tables:
            return list(dict.fromkeys(r[column] for r in checked.tables[table].rows if r.get(column)))
    return list(dict.fromkeys(series.dropna()))


def _lists(series: pd.Series) -> pd.Series:
    return series.fillna("").map(lambda s: split_list(str(s))).astype(object)


def _frame_loader(name: str, doc: str):
    def loader(root: Path | None = None) -> pd.DataFrame:
        return _cached(root, name, [name], lambda checked: typed_frame(checked, name))
    loader.__name__ = loader.__qualname__ = f"load_{name}"
    loader.__doc__ = doc
    return loader


load_sources = _frame_loader("sources", "The source documents: issuer, title, document number, dates, checksum, "
                             "defects.")
load_regions = _frame_loader("regions", "The jurisdictions, in the order of ``regions.csv``, with level, parent, "
                             "GB/T 2260 code and chart colour.")
load_indicators = _frame_loader("indicators", "The codebook: one row per indicator with names, category, kind, "
                                "standard unit and definition.")
load_vocabularies = _frame_loader("vocabularies", "Allowed values of every coded column, with Chinese and English "
                                  "labels.")
load_exclusions = _frame_loader("exclusions", "Numbers in the raw text that are not facts (dates, document "
                                "numbers, …) and why.")


def load_measurement_units(root: Path | None = None) -> pd.DataFrame:
    """Units as written in the documents, with their standard unit and conversion factor."""
    return _cached(root, "units", ["units"], lambda checked: typed_frame(checked, "units"))


def load_observations(root: Path | None = None) -> pd.DataFrame:
    """Every curated value, one row each, with its verbatim evidence.

    Columns: ``obs_id, source_id, region, year, indicator, label_zh, measure,
    status, qualifier, value, value_high, unit, value_std, value_high_std,
    unit_std, evidence, note, variant``. ``value_std`` is ``value`` converted to the
    standard unit (185 亿元 → 1.85e10 CNY); codes are categoricals, numbers are
    nullable (``Int64``/``Float64``). ``variant`` lists how a row departs from its
    indicator's basis, scope or period (see :func:`cityscience.compare.with_comparability`).
    """
    return _cached(root, "observations", ["observations"], _observations)


def _observations(checked: Checked) -> pd.DataFrame:
    df = typed_frame(checked, "observations")
    units = typed_frame(checked, "units").set_index("unit")
    factor = df["unit"].astype("string").map(units["factor"]).astype("Float64")
    for col in ("value", "value_high"):
        df[f"{col}_std"] = pd.array([pd.NA if pd.isna(v) or pd.isna(f) else standard_value(float(v), float(f))
                                     for v, f in zip(df[col], factor, strict=True)], dtype="Float64")
    df["unit_std"] = df["unit"].astype("string").map(units["unit_std"]).astype(
        pd.CategoricalDtype(list(dict.fromkeys(units["unit_std"]))))
    return df[OBSERVATION_COLUMNS].sort_values("obs_id", ignore_index=True)


def load_policy_items(root: Path | None = None) -> pd.DataFrame:
    """Every numbered task, measure or key-work item of the documents, one row each.

    Columns are those of ``data/policy_items.csv`` (see ``docs/policy-items.md``),
    with ``responsible_units`` and ``obs_ids`` as lists, plus ``lead_unit`` (the
    first responsible unit, the one that leads by convention) and ``leaf`` (True
    when no other item is a part of this one).
    """
    return _cached(root, "policy_items", ["policy_items"], _policy_items)


def _policy_items(checked: Checked) -> pd.DataFrame:
    df = typed_frame(checked, "policy_items")
    df["responsible_units"] = _lists(df["responsible_units"])
    df["obs_ids"] = _lists(df["obs_ids"])
    df["lead_unit"] = df["responsible_units"].map(lambda u: u[0] if u else pd.NA).astype("string")
    df["leaf"] = ~df["item_id"].isin(set(df["parent"].dropna()))
    return df


def load_bodies(root: Path | None = None) -> pd.DataFrame:
    """The responsible bodies: code, Chinese and English names, level, kind, region and aliases (a list)."""
    def make(checked: Checked) -> pd.DataFrame:
        df = typed_frame(checked, "bodies")
        df["aliases"] = _lists(df["aliases"])
        return df
    return _cached(root, "bodies", ["bodies"], make)


def load_terms(root: Path | None = None) -> pd.DataFrame:
    """The curated policy-term list; ``df.attrs["version"]`` is the list's version."""
    def make(checked: Checked) -> pd.DataFrame:
        df = typed_frame(checked, "terms")
        df.attrs["version"] = int(df["version"].max()) if len(df) else 0
        return df
    return _cached(root, "terms", ["terms"], make)


def terms_version(root: Path | None = None) -> int:
    """Version of the term list: the highest ``version`` in ``data/terms.csv``."""
    return load_terms(root).attrs["version"]


def load_text_parts(root: Path | None = None) -> pd.DataFrame:
    """Each document cut into chrome, summary and plan parts: source_id, part, start, end, text.

    ``start`` and ``end`` are character offsets into the raw text
    (:func:`cityscience.raw_text`); ``text`` is the raw text of the part.
    """
    def make(checked: Checked) -> pd.DataFrame:
        rows = []
        for sid, parts in checked.parts.items():
            raw = checked.raw_texts[sid]
            rows += [{"source_id": sid, "part": p.part, "start": p.start, "end": p.end, "text": raw[p.start:p.end]}
                     for p in parts]
        df = pd.DataFrame(rows, columns=["source_id", "part", "start", "end", "text"])
        vocab = [r["code"] for r in checked.tables["vocabularies"].rows if r["vocabulary"] == "text_part"]
        df["source_id"] = df["source_id"].astype(pd.CategoricalDtype(list(checked.raw_texts)))
        df["part"] = df["part"].astype(pd.CategoricalDtype(vocab))
        df["text"] = df["text"].astype("string")
        return df
    return _cached(root, "text_parts", ["text_parts"], make)


def load_stopwords(root: Path | None = None) -> list[str]:
    """The stopwords left out of :func:`~cityscience.policy.word_frequencies`, in file order."""
    return _cached(root, "stopwords", ["stopwords"],
                   lambda checked: [r["word"] for r in checked.tables["stopwords"].rows])


def raw_text(source_id: str, root: Path | None = None) -> str:
    """The raw text of a source document, exactly as stored (checksum verified)."""
    checked = validated(root, ["sources"])
    try:
        return checked.raw_texts[source_id]
    except KeyError:
        known = ", ".join(sorted(checked.raw_texts))
        raise KeyError(f"unknown source_id {source_id!r}; expected one of {known}") from None


def _deprecated(old: str, new: Callable) -> Callable:
    def alias(root: Path | None = None):
        warnings.warn(f"{old}() is deprecated; use {new.__name__}()", DeprecationWarning, stacklevel=2)
        return new(root)
    alias.__name__ = alias.__qualname__ = old
    alias.__doc__ = f"Deprecated alias of :func:`{new.__name__}` (kept for one release)."
    return alias


load_units = _deprecated("load_units", load_bodies)
load_measures = _deprecated("load_measures", load_policy_items)
