"""Rows of a table by their codes, in one call: ``cs.select(obs, indicator="hte_stock", measure="level")``.

Replaces chains of boolean filters in notebooks. Each criterion takes one code
or a list of codes; a code neither the codebook nor the table knows raises,
naming the allowed values, so a typo never returns an empty frame silently.
"""

from __future__ import annotations

from collections.abc import Iterable

import pandas as pd

__all__ = ["SELECT_COLUMNS", "select"]

#: The columns :func:`select` filters on, in the order of its keyword arguments.
SELECT_COLUMNS = ("indicator", "region", "status", "measure", "source_id")


def _codes(value: object) -> list[str]:
    if isinstance(value, str) or not isinstance(value, Iterable):
        return [str(value)]
    return [str(v) for v in value]


def _codebook(name: str) -> list[str]:
    """The codes the curated codebook defines for a column (indicators, regions, sources, vocabularies)."""
    from .load import load_indicators, load_regions, load_sources, load_vocabularies

    if name == "indicator":
        return [str(c) for c in load_indicators()["indicator"]]
    if name == "region":
        return [str(c) for c in load_regions()["region"]]
    if name == "source_id":
        return [str(c) for c in load_sources()["source_id"]]
    vocab = load_vocabularies()
    return [str(c) for c in vocab.loc[vocab["vocabulary"] == name, "code"]]


def _allowed(column: pd.Series, name: str) -> list[str]:
    """The codes a column can hold: the codebook's, and any other the table holds (its categories or values)."""
    own = column.cat.categories if isinstance(column.dtype, pd.CategoricalDtype) else column.dropna().unique()
    codes = _codebook(name)
    return codes + sorted({str(v) for v in own} - set(codes))


def select(frame: pd.DataFrame, *, indicator: object = None, region: object = None, status: object = None,
           measure: object = None, source_id: object = None) -> pd.DataFrame:
    """The rows of ``frame`` whose codes match every given criterion (a code or a list of codes each).

    >>> import pandas as pd
    >>> obs = pd.DataFrame({"indicator": ["a", "b", "a"], "region": ["x", "x", "y"]})
    >>> select(obs, indicator="a", region=["y"]).index.tolist()
    [2]

    Raises:
        KeyError: a criterion names a column ``frame`` lacks.
        ValueError: codes the column cannot hold, each criterion's listed with the allowed values.
    """
    given = {"indicator": indicator, "region": region, "status": status, "measure": measure,
             "source_id": source_id}
    keep = pd.Series(True, index=frame.index)
    problems = []
    for name, value in given.items():
        if value is None:
            continue
        if name not in frame.columns:
            raise KeyError(f"select({name}=…): the table has no column {name!r} "
                           f"(columns: {', '.join(map(str, frame.columns))})")
        codes = _codes(value)
        allowed = _allowed(frame[name], name)
        unknown = [c for c in codes if c not in set(allowed)]
        if unknown:
            problems.append(f"{name}: {', '.join(map(repr, unknown))} not known; expected one of "
                            f"{', '.join(allowed)}")
            continue
        keep &= frame[name].astype("string").isin(codes).fillna(False).astype(bool)
    if problems:
        raise ValueError("select: " + "; ".join(problems))
    return frame[keep]
