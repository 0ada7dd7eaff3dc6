"""Compare observations across regions and years: coverage, wide tables, derived values."""

from __future__ import annotations

import pandas as pd

__all__ = ["coverage", "derive_previous_levels", "latest", "wide"]


def coverage(obs: pd.DataFrame) -> pd.DataFrame:
    """Number of facts per document, region, year and status (documents × regions × years).

    Args:
        obs: observations as returned by :func:`cityscience.load_observations`.
    """
    table = (obs.groupby(["source_id", "region", "year", "status"], observed=True)
             .size().unstack("status", fill_value=0))
    table["total"] = table.sum(axis=1)
    return table


def wide(obs: pd.DataFrame, *, measure: str = "level", index: str = "indicator",
         columns: tuple[str, ...] = ("region", "year")) -> pd.DataFrame:
    """One row per indicator, one column per region and year: ``value_std`` of a measure.

    Several values for one cell (e.g. an actual and a target) raise, so that a
    comparison never averages them silently: filter ``status`` first.
    """
    sub = obs[obs["measure"] == measure]
    keys = [index, *columns]
    dup = sub.duplicated(keys, keep=False)
    if dup.any():
        shown = sub.loc[dup, ["obs_id", *keys, "status"]].to_string(index=False)
        raise ValueError(f"several values for one cell; filter by status or source first:\n{shown}")
    return sub.pivot(index=index, columns=list(columns), values="value_std")


def latest(obs: pd.DataFrame, *, status: str = "actual") -> pd.DataFrame:
    """The most recent level of each indicator in each region, for one status."""
    sub = obs[(obs["measure"] == "level") & (obs["status"] == status)]
    idx = sub.groupby(["region", "indicator"], observed=True)["year"].idxmax()
    return sub.loc[idx.values].reset_index(drop=True)


def derive_previous_levels(obs: pd.DataFrame) -> pd.DataFrame:
    """Previous-year levels implied by a stated level and its stated year-on-year growth.

    For each (source, region, year, indicator, status) that has both a ``level``
    and a ``yoy_pct`` row, the level of ``year - 1`` is ``level / (1 + g/100)``.
    The result has the observation columns plus ``derived_from`` (the obs_ids
    used) and ``derived = True``; nothing here is a stated fact.
    """
    keys = ["source_id", "region", "year", "indicator", "status"]
    level = obs[obs["measure"] == "level"]
    growth = obs[obs["measure"] == "yoy_pct"]
    merged = level.merge(growth[[*keys, "obs_id", "value"]], on=keys, suffixes=("", "_growth"))
    if merged.empty:
        return merged.assign(derived_from=pd.Series(dtype="string"), derived=pd.Series(dtype="boolean"))
    out = merged.copy()
    out["value_std"] = merged["value_std"] / (1 + merged["value_growth"] / 100)
    out["value"] = merged["value"] / (1 + merged["value_growth"] / 100)
    out["year"] = (merged["year"] - 1).astype("Int64")
    out["qualifier"] = out["qualifier"].where(out["qualifier"] != "exact", "approx")
    out["derived_from"] = (merged["obs_id"] + "+" + merged["obs_id_growth"]).astype("string")
    out["derived"] = True
    out["obs_id"] = ("derived:" + merged["obs_id"]).astype("string")
    return out.drop(columns=["obs_id_growth", "value_growth"]).reset_index(drop=True)
