"""Public loaders: validated, typed pandas tables of the curated data.

Each loader validates the whole data folder first and raises
:class:`~cityscience.problems.ValidationError` listing every problem, so no
caller ever sees a partial or silently coerced table. The validated result is
cached for as long as no file in the data folder changes.
"""

from __future__ import annotations

import os
import pickle
from pathlib import Path

import pandas as pd

from .paths import data_dir
from .problems import ValidationError
from .tables import RawTable
from .validate import Checked, check

__all__ = [
    "data_signature",
    "load_exclusions",
    "load_indicators",
    "load_measurement_units",
    "load_observations",
    "load_regions",
    "load_sources",
    "load_vocabularies",
    "raw_text",
    "share_validated",
    "typed_frame",
    "validated",
]

OBSERVATION_COLUMNS = [
    "obs_id", "source_id", "region", "year", "indicator", "label_zh", "measure", "status", "qualifier",
    "value", "value_high", "unit", "value_std", "value_high_std", "unit_std", "evidence", "note",
]
#: Environment variable naming a check saved by :func:`share_validated` (set by ``cityscience build``).
SHARED_CHECK_ENV = "CITYSCIENCE_CHECKED"
_cache: dict[Path, tuple[tuple, Checked]] = {}
_frames: dict[tuple[Path, str], tuple[Checked, pd.DataFrame]] = {}


def data_signature(root: Path) -> tuple:
    """Path, size and modification time of every file in the data folder (cache key)."""
    files = sorted(p for p in root.rglob("*") if p.is_file())
    return tuple((str(p), p.stat().st_size, p.stat().st_mtime_ns) for p in files)


def validated(root: Path | None = None) -> Checked:
    """The checked data folder; raises ValidationError listing every problem. Cached per folder.

    A process started by ``cityscience build`` takes the check the build
    already made (see :func:`share_validated`) when the files are unchanged.
    """
    root = Path(root).resolve() if root is not None else data_dir()
    sig = data_signature(root)
    hit = _cache.get(root)
    if hit is not None and hit[0] == sig:
        return hit[1]
    checked = _shared_check(root, sig) or check(root)
    if checked.problems:
        raise ValidationError(checked.problems)
    _cache[root] = (sig, checked)
    return checked


def share_validated(checked: Checked, path: Path, signature: tuple) -> bool:
    """Save a problem-free check for the other processes of a run (``CITYSCIENCE_CHECKED=path``).

    ``cityscience build`` validates the data once and points every notebook
    kernel at the saved check, so sixteen kernels do not check the same files
    again. A kernel uses it only if the data files (path, size, modification
    time) and the cityscience code are exactly as they were when the check began.

    Args:
        checked: a check without problems.
        path: where to save it.
        signature: :func:`data_signature` of the folder taken *before* the check read it; if the
            files changed since, nothing is saved (the check may have read some of them old).

    Returns:
        True if the check was saved.
    """
    if checked.problems:
        raise ValueError("only a check without problems can be shared")
    root = Path(checked.root).resolve()
    if data_signature(root) != signature:
        return False
    payload = (str(root), signature, _CODE_STAMP, pickle.dumps(checked, protocol=pickle.HIGHEST_PROTOCOL))
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        tmp.write_bytes(pickle.dumps(payload, protocol=pickle.HIGHEST_PROTOCOL))
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)
    return True


def _shared_check(root: Path, sig: tuple) -> Checked | None:
    path = os.environ.get(SHARED_CHECK_ENV)
    if not path:
        return None
    try:  # the header holds only strings, numbers and bytes; the check is unpickled once it matches
        saved_root, saved_sig, stamp, body = pickle.loads(Path(path).read_bytes())
        if saved_root != str(root) or saved_sig != sig or stamp != _CODE_STAMP:
            return None
        checked = pickle.loads(body)
    except Exception:  # missing, unreadable or from other code: check the files here instead
        return None
    return checked if isinstance(checked, Checked) else None


def _code_stamp() -> tuple:
    """Path, size and modification time of every module of this package (a shared check's code version)."""
    package = Path(__file__).resolve().parent
    files = sorted(package.rglob("*.py"))
    return tuple((str(p.relative_to(package)), p.stat().st_size, p.stat().st_mtime_ns) for p in files)


#: The code this process runs, as it was on disk when the package was imported.
_CODE_STAMP = _code_stamp()


def _cached(root: Path | None, name: str, make) -> pd.DataFrame:
    """``make(checked)`` for the validated folder, computed once per data version; returns a copy.

    Notebooks call the loaders many times (chart labels, footnotes, filters);
    typing the tables again each time cost more than drawing a chart.
    """
    checked = validated(root)
    key = (checked.root, name)
    hit = _frames.get(key)
    if hit is None or hit[0] is not checked:
        hit = _frames[key] = (checked, make(checked))
    return hit[1].copy()


def typed_frame(checked: Checked, name: str, table: RawTable | None = None) -> pd.DataFrame:
    """A table with the codebook's dtypes; codes become categoricals in codebook order.

    Args:
        checked: a validated data folder.
        name: the table's name in ``codebook/columns.csv``.
        table: the rows to type (default: the core table of that name in ``checked``).
    """
    if table is None:
        table = checked.observations if name == "observations" else checked.tables[name]
    spec = checked.spec[name]
    columns = [c["column"] for c in spec]
    df = pd.DataFrame([{c: r.get(c, "") for c in columns} for r in table.rows], columns=columns, dtype="string")
    for col in spec:
        cname, dtype = col["column"], col["dtype"]
        series = df[cname].replace("", pd.NA)
        if dtype == "Int64":
            df[cname] = pd.to_numeric(series).astype("Int64")
        elif dtype == "Float64":
            df[cname] = pd.to_numeric(series).astype("Float64")
        elif dtype == "date":
            df[cname] = pd.to_datetime(series, format="%Y-%m-%d")
        elif dtype == "category":
            df[cname] = series.astype(pd.CategoricalDtype(_categories(checked, col, series)))
        else:
            df[cname] = series
    return df


def _categories(checked: Checked, col: dict[str, str], series: pd.Series) -> list[str]:
    ref = col["allowed"]
    if ref.startswith("vocab:"):
        vocab = ref.removeprefix("vocab:")
        return [r["code"] for r in checked.tables["vocabularies"].rows if r["vocabulary"] == vocab]
    if "." in ref and "|" not in ref and ref.split(".")[0] in {*checked.tables, "observations"}:
        table, column = ref.split(".")
        values = (checked.observations if table == "observations" else checked.tables[table]).rows
        return list(dict.fromkeys(r[column] for r in values if r[column]))
    return list(dict.fromkeys(series.dropna()))


def load_sources(root: Path | None = None) -> pd.DataFrame:
    """The five source documents: issuer, title, document number, dates, checksum, defects."""
    return _cached(root, "sources", lambda checked: typed_frame(checked, "sources"))


def load_regions(root: Path | None = None) -> pd.DataFrame:
    """The four jurisdictions with level, parent region and GB/T 2260 code."""
    return _cached(root, "regions", lambda checked: typed_frame(checked, "regions"))


def load_indicators(root: Path | None = None) -> pd.DataFrame:
    """The codebook: one row per indicator with names, category, kind, standard unit and definition."""
    return _cached(root, "indicators", lambda checked: typed_frame(checked, "indicators"))


def load_measurement_units(root: Path | None = None) -> pd.DataFrame:
    """Units as written in the documents, with their standard unit and conversion factor."""
    return _cached(root, "units", lambda checked: typed_frame(checked, "units"))


def load_vocabularies(root: Path | None = None) -> pd.DataFrame:
    """Allowed values of every coded column, with Chinese and English labels."""
    return _cached(root, "vocabularies", lambda checked: typed_frame(checked, "vocabularies"))


def load_exclusions(root: Path | None = None) -> pd.DataFrame:
    """Numbers in the raw text that are not facts (dates, document numbers, …) and why."""
    return _cached(root, "exclusions", lambda checked: typed_frame(checked, "exclusions"))


def load_observations(root: Path | None = None) -> pd.DataFrame:
    """Every curated value, one row each, with its verbatim evidence.

    Columns: ``obs_id, source_id, region, year, indicator, label_zh, measure,
    status, qualifier, value, value_high, unit, value_std, value_high_std,
    unit_std, evidence, note``. ``value_std`` is ``value`` converted to the
    standard unit (185 亿元 → 1.85e10 CNY); codes are categoricals, numbers are
    nullable (``Int64``/``Float64``).
    """
    return _cached(root, "observations", _observations)


def _observations(checked: Checked) -> pd.DataFrame:
    df = typed_frame(checked, "observations")
    units = typed_frame(checked, "units").set_index("unit")
    factor = df["unit"].astype("string").map(units["factor"]).astype("Float64")
    df["value_std"] = df["value"] * factor
    df["value_high_std"] = df["value_high"] * factor
    df["unit_std"] = df["unit"].astype("string").map(units["unit_std"]).astype(
        pd.CategoricalDtype(list(dict.fromkeys(units["unit_std"]))))
    return df[OBSERVATION_COLUMNS].sort_values("obs_id", ignore_index=True)


def raw_text(source_id: str, root: Path | None = None) -> str:
    """The raw text of a source document, exactly as stored (checksum verified)."""
    checked = validated(root)
    try:
        return checked.raw_texts[source_id]
    except KeyError:
        known = ", ".join(sorted(checked.raw_texts))
        raise KeyError(f"unknown source_id {source_id!r}; expected one of {known}") from None
