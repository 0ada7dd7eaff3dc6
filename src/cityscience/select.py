"""Rows of a table by their codes, in one call: ``cs.select(obs, indicator="hte_stock", measure="level")``.

Replaces chains of boolean filters in notebooks. Each criterion takes one code
or a list of codes; a code neither the codebook nor the table knows raises,
naming the allowed values, so a typo never returns an empty frame silently.
"""

from __future__ import annotations

from collections.abc import Iterable

import pandas as pd

__all__ = ["SELECT_COLUMNS", "nearest_codes", "select"]

#: The columns :func:`select` filters on, in the order of its keyword arguments.
SELECT_COLUMNS = ("indicator", "region", "status", "measure", "source_id", "year", "unit_std", "qualifier")
#: How many allowed codes an error lists before it points to the table that has them all.
_SHOWN = 20


def _codes(value: object) -> list[str]:
    if isinstance(value, str) or not isinstance(value, Iterable):
        return [str(value)]
    return [str(v) for v in value]


def _codebook(name: str) -> list[str]:
    """The codes the curated codebook defines for a column (indicators, regions, sources, standard units,
    vocabularies)."""
    from .load import (
        load_indicators,
        load_measurement_units,
        load_regions,
        load_sources,
        load_vocabularies,
    )

    if name == "indicator":
        return [str(c) for c in load_indicators()["indicator"]]
    if name == "region":
        return [str(c) for c in load_regions()["region"]]
    if name == "source_id":
        return [str(c) for c in load_sources()["source_id"]]
    if name == "unit_std":
        return list(dict.fromkeys(str(c) for c in load_measurement_units()["unit_std"]))
    vocab = load_vocabularies()
    return [str(c) for c in vocab.loc[vocab["vocabulary"] == name, "code"]]


def _names(name: str) -> dict[str, str]:
    """Display name (Chinese or English, full or short) → code: the codebook's names of indicators and
    regions, the vocabularies' labels of statuses and measures (目标 → target)."""
    from .load import load_indicators, load_regions, load_vocabularies

    if name in ("source_id", "unit_std"):
        return {}
    if name in ("indicator", "region"):
        table = load_indicators() if name == "indicator" else load_regions()
    else:
        vocab = load_vocabularies()
        table = vocab[vocab["vocabulary"] == name].rename(columns={"code": name, "label_zh": "name_zh",
                                                                   "label_en": "name_en"})
    out: dict[str, str] = {}
    for col in ("name_zh", "name_en", "short_zh", "short_en"):
        if col in table.columns:
            for code, label in zip(table[name].astype(str), table[col].astype("string"), strict=True):
                if not pd.isna(label) and str(label).strip():
                    out.setdefault(str(label).strip().casefold(), code)
    return out


def nearest_codes(code: str, allowed: Iterable[str], n: int = 3) -> list[str]:
    """The allowed codes an unknown one may have meant: those it starts, else the closest spellings,
    else those it is part of.

    >>> nearest_codes("hte_stok", ["hte_stock", "hte_new"]), nearest_codes("ningbo-2014", ["ningbo-2014-summary"])
    (['hte_stock'], ['ningbo-2014-summary'])
    """
    import difflib

    allowed = list(allowed)
    return ([c for c in allowed if c.startswith(code)][:n] or difflib.get_close_matches(code, allowed, n=n, cutoff=0.6)
            or [c for c in allowed if code in c][:n])


def _hint(code: str, allowed: list[str], name: str) -> str:
    """What an unknown code may have meant: the code itself without its spaces, the code a display
    name names, else the nearest codes."""
    if code.strip() != code and code.strip() in allowed:
        return f" (did you mean {code.strip()!r}? without the spaces)"
    names = _names(name)
    key = code.strip().casefold()
    if key in names:
        return f" (did you mean {names[key]!r}? codes, not names)"
    near = nearest_codes(code, allowed)
    if not near and key:  # part of a display name: the codes named with it
        near = list(dict.fromkeys(c for label, c in names.items() if key in label))[:3]
        if near:
            return f" (codes, not names; named with it: {', '.join(map(repr, near))})"
    return f" (did you mean {', '.join(map(repr, near))}?)" if near else ""


def _listing(allowed: list[str], name: str) -> str:
    shown = ", ".join(allowed[:_SHOWN])
    if len(allowed) <= _SHOWN:
        return shown
    where = {"indicator": "cs.load_indicators()", "region": "cs.load_regions()", "source_id": "cs.load_sources()"}
    return f"{shown}, … ({len(allowed)} in all: see {where.get(name, 'cs.load_vocabularies()')})"


def _allowed(column: pd.Series, name: str) -> list[str]:
    """The codes a column can hold: the codebook's, and any other the table holds (its categories or values)."""
    own = column.cat.categories if isinstance(column.dtype, pd.CategoricalDtype) else column.dropna().unique()
    codes = _codebook(name)
    return codes + sorted({str(v) for v in own} - set(codes))


def select(frame: pd.DataFrame, *, indicator: object = None, region: object = None, status: object = None,
           measure: object = None, source_id: object = None, year: object = None, unit_std: object = None,
           qualifier: object = None) -> pd.DataFrame:
    """The rows of ``frame`` whose codes match every given criterion (a code or a list of codes each;
    ``year`` a year or a list of years; ``unit_std`` a standard unit such as ``"CNY"`` or ``"count"``;
    ``qualifier`` such as ``"at_least"``).

    >>> import pandas as pd
    >>> obs = pd.DataFrame({"indicator": ["a", "b", "a"], "region": ["x", "x", "y"], "year": [2014, 2015, 2015]})
    >>> select(obs, indicator="a", region=["y"]).index.tolist()
    [2]
    >>> select(obs, year=[2015]).index.tolist()
    [1, 2]

    Raises:
        KeyError: a criterion names a column ``frame`` lacks.
        ValueError: codes the column cannot hold (each criterion's, with the code a name names or the
            nearest codes, and the allowed values), a year that is not a whole number, or one before or
            after every year of the table (a year in a gap between its years selects nothing).
    """
    given = {"indicator": indicator, "region": region, "status": status, "measure": measure,
             "source_id": source_id, "year": year, "unit_std": unit_std, "qualifier": qualifier}
    keep = pd.Series(True, index=frame.index)
    problems = []
    for name, value in given.items():
        if value is None:
            continue
        if name not in frame.columns:
            raise KeyError(f"select({name}=…): the table has no column {name!r} "
                           f"(columns: {', '.join(map(str, frame.columns))})")
        if name == "year":
            years = [value] if isinstance(value, str) or not isinstance(value, Iterable) else list(value)
            bad = [y for y in years if isinstance(y, bool) or not str(y).strip().isdigit()]
            if bad:
                problems.append(f"year: {', '.join(map(repr, bad))} not a year; expected whole numbers (2014)")
                continue
            wanted = [int(str(y).strip()) for y in years]
            held = pd.to_numeric(frame["year"], errors="coerce").dropna()
            if len(held):  # a year in a gap of the table selects nothing; one beyond all its years is a typo
                low, high = int(held.min()), int(held.max())
                beyond = [y for y in wanted if not low <= y <= high]
                if beyond:
                    problems.append(f"year: {', '.join(map(str, beyond))} outside the table's years; "
                                    f"expected {low}–{high}")
                    continue
            keep &= frame["year"].isin(wanted).fillna(False).astype(bool)
            continue
        codes = _codes(value)
        allowed = _allowed(frame[name], name)
        unknown = [c for c in codes if c not in set(allowed)]
        if unknown:
            problems.append(f"{name}: " + ", ".join(f"{c!r} not known{_hint(c, allowed, name)}" for c in unknown)
                            + f"; expected one of {_listing(allowed, name)}")
            continue
        keep &= frame[name].astype("string").isin(codes).fillna(False).astype(bool)
    if problems:
        raise ValueError("select: " + "; ".join(problems))
    return frame[keep]
