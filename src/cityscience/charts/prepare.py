"""Tables the charts draw from: observations checked for charting, and target-versus-base pairs.

Every chart frame says, per row, whether the value is alike with the others
of its indicator (same basis, scope and period in the codebook) or must be
drawn apart: ``apart`` rows carry a ``mark`` (†, ‡, …) and ``differs``, and
:func:`apart_notes` words the reason for the footnote.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..compare import (
    DIMENSIONS,
    NOT_COMPARABLE,
    IncomparableError,
    comparability_table,
    describe_difference,
    target_pairs,
)

__all__ = ["APART_MARKS", "CHART_COLUMNS", "apart_notes", "chart_frame", "check_alike", "needs_growth",
           "target_gaps", "with_derived"]

#: Marks of values drawn apart, one per combination of basis, scope and period that differs.
APART_MARKS = ("†", "‡", "§", "¶")

#: Columns a chart needs; ``derived`` is optional in the input and False when missing.
CHART_COLUMNS = ("obs_id", "source_id", "region", "year", "indicator", "measure", "status", "qualifier",
                 "value_std", "value_high_std", "unit_std")


def chart_frame(obs: pd.DataFrame, *, indicator: str | None = None, measure: str | None = "level",
                single_unit: bool = True) -> pd.DataFrame:
    """Observations as plain columns for drawing, with a boolean ``derived`` column.

    Args:
        obs: observations (from :func:`cityscience.load_observations`, possibly with derived rows).
        indicator: keep only this indicator.
        measure: keep only this measure (None: keep all).
        single_unit: raise when the rows have more than one standard unit, so a chart never puts
            yuan and counts on one axis.

    Raises:
        ValueError: a needed column is missing, an indicator or measure code nothing knows (with the
            nearest codes), nothing is left to draw, or the units differ.
    """
    missing = [c for c in CHART_COLUMNS if c not in obs.columns]
    if missing:
        raise ValueError(f"observations lack the column(s) {', '.join(missing)}; "
                         "expected the columns of cityscience.load_observations()")
    from ..select import select

    df = select(obs, indicator=indicator, measure=measure)  # a code nothing knows raises, with the nearest codes
    if obs.empty:
        raise ValueError("nothing to draw: the observations passed have no rows (was a filter before this "
                         "call too narrow?)")
    if df.empty:
        asked = {"indicator": indicator, "measure": measure}
        what = ", ".join(f"{k} {v!r}" for k, v in asked.items() if v is not None)
        held = "; ".join(f"{k} {', '.join(sorted(obs[k].astype(str).unique())[:5])}"
                         for k, v in asked.items() if v is not None)
        n = len(obs)
        raise ValueError(f"nothing to draw: none of the {n:,} observation{'s' if n != 1 else ''} passed has "
                         f"{what} (they have {held})")
    out = pd.DataFrame({
        c: df[c].astype("string").astype(object) for c in ("obs_id", "source_id", "region", "indicator",
                                                            "measure", "status", "qualifier", "unit_std")
    })
    out["unit"] = df["unit"].astype("string").astype(object) if "unit" in df.columns else out["unit_std"]
    out["evidence"] = df["evidence"].astype("string").astype(object) if "evidence" in df.columns else None
    out["year"] = df["year"].astype("Int64").astype(float).astype(int)
    out["value_std"] = df["value_std"].astype("Float64").astype(float)
    out["value_high_std"] = df["value_high_std"].astype("Float64").astype(float)
    out["derived"] = (df["derived"].fillna(False).astype(bool) if "derived" in df.columns
                      else False)
    if "derived_from" in df.columns:  # the stated rows a derived value comes from (its tooltip names them)
        out["derived_from"] = df["derived_from"].astype("string").astype(object).where(out["derived"], None)
    if out["value_std"].isna().any():
        bad = ", ".join(out.loc[out["value_std"].isna(), "obs_id"].astype(str))
        raise ValueError(f"observations without a standard value cannot be drawn: {bad}")
    units = sorted(out["unit_std"].dropna().unique())
    if single_unit and len(units) > 1:
        raise ValueError(f"one chart, one unit: these observations have units {', '.join(units)}; "
                         "filter by indicator or unit_std first")
    return _with_marks(out, comparability_table(df)).reset_index(drop=True)


def _with_marks(out: pd.DataFrame, table: pd.DataFrame) -> pd.DataFrame:
    """Add the comparability columns and a mark per combination of codes drawn apart."""
    for col in [*DIMENSIONS, *(f"reference_{d}" for d in DIMENSIONS), "reference_from", "differs"]:
        out[col] = table[col].astype(object).where(table[col].notna(), None).to_numpy()
    out["differs"] = out["differs"].fillna("")
    out["apart"] = out["differs"] != ""
    combos = out.loc[out["apart"]].sort_values("obs_id")
    keys = list(dict.fromkeys((r["indicator"], *(r[d] for d in DIMENSIONS)) for _, r in combos.iterrows()))
    marks = {k: APART_MARKS[i] if i < len(APART_MARKS) else "*" * (i - len(APART_MARKS) + 2)
             for i, k in enumerate(keys)}
    out["mark"] = [marks[(r["indicator"], *(r[d] for d in DIMENSIONS))] if r["apart"] else ""
                   for _, r in out.iterrows()]
    return out


def apart_notes(frame: pd.DataFrame, lang: str = "zh") -> list[str]:
    """Footnote lines for the rows of a chart frame drawn apart: mark, place, year, obs_id and why."""
    lead = NOT_COMPARABLE[lang]
    notes = []
    apart = frame[frame["apart"]]
    order = {m: i for i, m in enumerate(dict.fromkeys(apart.sort_values("obs_id")["mark"]))}  # †, ‡, … as assigned
    for mark, group in sorted(apart.groupby("mark", sort=False), key=lambda kv: order[kv[0]]):
        why = ("；" if lang == "zh" else "; ").join(describe_difference(r, lang=lang) for _, r in group.iterrows())
        notes.append(f"{mark} {lead}{why}")
    return notes


def check_alike(frame: pd.DataFrame) -> None:
    """Raise :class:`~cityscience.compare.IncomparableError` when a chart frame has rows drawn apart."""
    odd = frame[frame["apart"]]
    if len(odd):
        raise IncomparableError("this chart would set side by side values that differ in basis, scope or period: "
                                + "; ".join(f"{r['obs_id']} ({r['differs']})" for _, r in odd.iterrows())
                                + " (filter them, or draw with incomparable='mark')", odd)


def with_derived(obs: pd.DataFrame) -> pd.DataFrame:
    """Observations plus the previous-year levels the library derives from growth rates.

    Stated rows get ``derived = False``; rows from
    :func:`cityscience.derive_previous_levels` keep ``derived = True`` and
    their ``derived_from`` obs_ids, so charts can mark them.
    """
    from ..compare import derive_previous_levels

    derived = derive_previous_levels(obs)
    stated = obs.assign(derived=False, derived_from=pd.Series(pd.NA, index=obs.index, dtype="string"))
    if derived.empty:
        return stated.reset_index(drop=True)
    derived = derived[[c for c in stated.columns if c in derived.columns]]
    for col in ("region", "indicator", "source_id", "status", "qualifier", "measure", "unit_std", "unit"):
        if col in stated.columns:
            derived[col] = derived[col].astype(stated[col].dtype)
    return pd.concat([stated, derived], ignore_index=True)


def needs_growth(required_growth_pct: float) -> bool:
    """Whether a target needs growth: its required growth shows as more than 0.0 % a year (0.04 % shows as
    0.0, so such a target is at its base level); an empty growth needs none.

    >>> needs_growth(5.24), needs_growth(0.04), needs_growth(-3.1), needs_growth(float("nan"))
    (True, False, False, False)
    """
    return bool(not pd.isna(required_growth_pct) and round(float(required_growth_pct), 1) > 0)


def target_gaps(obs: pd.DataFrame, *, base_statuses: tuple[str, ...] = ("actual", "estimate")) -> pd.DataFrame:
    """Each target level paired with the earlier level it is measured against (see below).

    The pairing is :func:`cityscience.compare.target_pairs`: the latest level
    of the same region and indicator before the target year with a status in
    ``base_statuses`` (an actual wins over an estimate of the same year), taken
    among the levels alike in basis, scope and period when there are any, else
    the latest of the others with ``comparable = False``. For a range target
    the lower end is used. ``required_growth_pct`` is the constant annual
    growth that takes the base to the target:
    ``((target / base) ** (1 / years) - 1) * 100``; it is left empty for a
    pair that is not alike. ``needs_growth`` says whether that growth is
    positive at the 0.1 % a chart or a table shows: the one rule for "needs
    X % a year" against "at" or "below the base level". For a share or an
    intensity (a level in percent) the change a year is what a reader compares:
    ``required_pp_per_year`` is ``(target - base) / years`` in percentage points
    (empty for other units), and ``needs_growth`` follows it, at the 0.1 pp shown.

    Returns:
        One row per target with columns ``region, indicator, unit_std, target_obs_id,
        target_year, target_qualifier, target_value_std, target_value_high_std,
        base_obs_id, base_year, base_status, base_qualifier, base_value_std, years,
        progress_pct`` (base as a percent of target), ``required_growth_pct``, ``required_pp_per_year``,
        ``needs_growth``, ``target_below_base``, ``sources`` (';'-separated source_ids), ``comparable``,
        ``differs`` (the dimensions base and target differ in) and the basis,
        scope and period of each (``target_basis`` … ``base_period``). Targets
        without an earlier level have empty base columns.
    """
    df = chart_frame(obs, measure="level", single_unit=False)
    df = df[~df["derived"]]
    by_id = df.set_index("obs_id")
    pairs = target_pairs(df, base_statuses=base_statuses)
    rows = []
    for _, p in pairs.iterrows():
        t = by_id.loc[p["target_obs_id"]]
        row = {
            "region": t["region"], "indicator": t["indicator"], "unit_std": t["unit_std"],
            "target_obs_id": p["target_obs_id"], "target_year": t["year"], "target_qualifier": t["qualifier"],
            "target_value_std": t["value_std"], "target_value_high_std": t["value_high_std"],
            "base_obs_id": pd.NA, "base_year": pd.NA, "base_status": pd.NA, "base_qualifier": pd.NA,
            "base_value_std": np.nan, "sources": t["source_id"], "comparable": p["comparable"],
            "differs": p["differs"], **{f"target_{d}": t[d] for d in DIMENSIONS},
            **{f"base_{d}": None for d in DIMENSIONS},
        }
        if not pd.isna(p["base_obs_id"]):
            b = by_id.loc[p["base_obs_id"]]
            row.update(base_obs_id=p["base_obs_id"], base_year=b["year"], base_status=b["status"],
                       base_qualifier=b["qualifier"], base_value_std=b["value_std"],
                       sources=";".join(sorted({t["source_id"], b["source_id"]})),
                       **{f"base_{d}": b[d] for d in DIMENSIONS})
        rows.append(row)
    out = pd.DataFrame(rows, columns=[
        "region", "indicator", "unit_std", "target_obs_id", "target_year", "target_qualifier", "target_value_std",
        "target_value_high_std", "base_obs_id", "base_year", "base_status", "base_qualifier", "base_value_std",
        "sources", "comparable", "differs", *(f"{w}_{d}" for w in ("target", "base") for d in DIMENSIONS)])
    out["base_year"] = out["base_year"].astype("Int64")
    out["target_year"] = out["target_year"].astype("Int64")
    out["years"] = (out["target_year"] - out["base_year"]).astype("Int64")
    ratio = out["target_value_std"].astype(float) / out["base_value_std"].astype(float)
    out["progress_pct"] = 100.0 / ratio
    years = out["years"].astype("Float64").astype(float)
    with np.errstate(divide="ignore", invalid="ignore"):
        growth = (np.power(ratio, 1.0 / years) - 1.0) * 100.0
    out["comparable"] = out["comparable"].astype("boolean")
    out["differs"] = out["differs"].fillna("").astype(str)
    alike = out["comparable"].fillna(True).astype(bool)
    out["required_growth_pct"] = growth.where(alike)
    # a difference of two values in percent is in percentage points (arithmetic, not a fact of the data)
    share = (out["unit_std"].astype(str) == "percent") & alike
    change = (out["target_value_std"].astype(float) - out["base_value_std"].astype(float)) / years
    out["required_pp_per_year"] = change.where(share)
    out["needs_growth"] = out["required_growth_pct"].map(needs_growth).astype(bool)
    out.loc[share, "needs_growth"] = out.loc[share, "required_pp_per_year"].map(needs_growth).astype(bool)
    out["target_below_base"] = out["base_value_std"].notna() & (out["target_value_std"] < out["base_value_std"])
    tail = ["comparable", "differs", *(f"{w}_{d}" for w in ("target", "base") for d in DIMENSIONS)]
    out = out[[c for c in out.columns if c not in tail] + tail]
    return out.sort_values(["region", "target_year", "indicator"], ignore_index=True)
