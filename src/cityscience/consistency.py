"""Consistency checks across observations: warnings for a researcher, not errors.

:func:`consistency_flags` returns one row per flag with the observations
involved and an explanation in words. The data-quality notebook charts it.
"""

from __future__ import annotations

import pandas as pd

from .compare import DIMENSIONS, describe_difference, target_pairs, with_comparability
from .conventions import CONSISTENCY_CHECKS

__all__ = ["FLAG_COLUMNS", "consistency_flags"]

FLAG_COLUMNS = ["check", "region", "indicator", "year", "obs_ids", "values", "explanation"]
_KEY = ["source_id", "region", "year", "indicator", "measure", "status"]


def _ids(rows: pd.DataFrame) -> str:
    return ";".join(rows["obs_id"].astype(str))


def _target_below_actual(obs: pd.DataFrame, kinds: dict[str, str], pairs: pd.DataFrame) -> list[dict]:
    """A target below the earlier actual it is paired with (only pairs alike in basis, scope and period)."""
    by_id = obs.set_index("obs_id")
    flags = []
    for _, p in pairs[pairs["comparable"].fillna(False)].iterrows():
        t, a = by_id.loc[p["target_obs_id"]], by_id.loc[p["base_obs_id"]]
        if t["value_std"] < a["value_std"]:
            flags.append({
                "check": "target_below_actual", "region": t["region"], "indicator": t["indicator"],
                "year": t["year"], "obs_ids": f"{p['base_obs_id']};{p['target_obs_id']}",
                "values": f"{a['value']:g} {a['unit']} ({a['year']} actual) > {t['value']:g} {t['unit']} "
                          f"({t['year']} target)",
                "explanation": f"The {t['year']} target is below the {a['year']} actual level of the same "
                               f"indicator in the same region"
                               + (" (a flow: a lower target may be deliberate)." if t["unit_std"] != "percent"
                                  and kinds.get(t["indicator"]) == "flow" else "."),
            })
    return flags


def _incomparable_pairs(obs: pd.DataFrame, pairs: pd.DataFrame) -> list[dict]:
    """A target set against an earlier actual of another basis, scope or period (no alike one exists)."""
    by_id = obs.set_index("obs_id")
    flags = []
    for _, p in pairs[~pairs["comparable"].fillna(True)].iterrows():
        t, a = by_id.loc[p["target_obs_id"]], by_id.loc[p["base_obs_id"]]
        row = t.copy()
        row["obs_id"], row["differs"] = p["target_obs_id"], p["differs"]
        for d in DIMENSIONS:
            row[f"reference_{d}"] = a[d]
        flags.append({
            "check": "incomparable_pair", "region": t["region"], "indicator": t["indicator"], "year": t["year"],
            "obs_ids": f"{p['base_obs_id']};{p['target_obs_id']}",
            "values": f"{a['value']:g} {a['unit']} ({a['year']} {a['status']}) vs {t['value']:g} {t['unit']} "
                      f"({t['year']} target)",
            "explanation": f"The {t['year']} target and the {a['year']} level it is set against differ in "
                           f"{p['differs'].replace(';', ' and ')}: "
                           + describe_difference(row, against=f"the {a['year']} level {p['base_obs_id']}")
                           + ". Not a like-for-like comparison.",
        })
    return flags


def _conflicting_values(obs: pd.DataFrame) -> list[dict]:
    # A rank's scope is in its label (全省第七 vs 宁波第1): ranks conflict only within one scope. Values of
    # different basis, scope or period (two funds, a batch and a year) are different things, not a conflict.
    ranked = obs["label_zh"].astype("string").where(obs["measure"] == "rank", "")
    dims = obs[list(DIMENSIONS)].astype("string").fillna("")
    keyed = obs.assign(_rank_scope=ranked, **{f"_{d}": dims[d] for d in DIMENSIONS})
    flags = []
    for key, rows in keyed.groupby([*_KEY, "_rank_scope", *(f"_{d}" for d in DIMENSIONS)], observed=True):
        if rows["value_std"].nunique() > 1:
            src, region, year, indicator, measure, status = key[:6]
            flags.append({
                "check": "conflicting_values", "region": region, "indicator": indicator, "year": year,
                "obs_ids": _ids(rows),
                "values": " vs ".join(f"{v:g} {u}" for v, u in zip(rows["value"], rows["unit"], strict=True)),
                "explanation": f"{src} states {len(rows)} different {status} values ({measure}) for the same "
                               f"indicator, region and year; both are kept.",
            })
    return flags


def _growth_vs_levels(obs: pd.DataFrame, tolerance_pp: float) -> list[dict]:
    lv = obs[(obs["measure"] == "level") & (obs["status"] == "actual")]
    growth = obs[(obs["measure"] == "yoy_pct") & (obs["status"] == "actual")]
    flags = []
    for _, g in growth.iterrows():
        same = lv[(lv["region"] == g["region"]) & (lv["indicator"] == g["indicator"])]
        now, before = same[same["year"] == g["year"]], same[same["year"] == g["year"] - 1]
        if now.empty or before.empty:
            continue
        n, b = now.iloc[0], before.iloc[0]
        if any(not pd.isna(n[d]) and not pd.isna(b[d]) and n[d] != b[d] for d in DIMENSIONS):
            continue  # two levels of different basis, scope or period imply no growth rate
        implied = (n["value_std"] / b["value_std"] - 1) * 100
        if abs(implied - g["value"]) > tolerance_pp:
            flags.append({
                "check": "growth_vs_levels", "region": g["region"], "indicator": g["indicator"], "year": g["year"],
                "obs_ids": f"{b['obs_id']};{n['obs_id']};{g['obs_id']}",
                "values": f"stated {g['value']:g}% vs implied {implied:.1f}%",
                "explanation": "The stated growth rate disagrees with the two stated levels by more than "
                               f"{tolerance_pp:g} percentage points.",
            })
    return flags


def _share_vs_parts(obs: pd.DataFrame, indicators: pd.DataFrame, tolerance_pp: float) -> list[dict]:
    lv = obs[obs["measure"] == "level"]
    flags = []
    parts = indicators.dropna(subset=["numerator", "denominator"])
    for _, ind in parts.iterrows():
        shares = lv[lv["indicator"] == ind["indicator"]]
        for _, s in shares.iterrows():
            key = (lv["region"] == s["region"]) & (lv["year"] == s["year"]) & (lv["status"] == s["status"])
            num = lv[key & (lv["indicator"] == ind["numerator"])]
            den = lv[key & (lv["indicator"] == ind["denominator"])]
            if num.empty or den.empty:
                continue
            implied = num.iloc[0]["value_std"] / den.iloc[0]["value_std"] * 100
            if abs(implied - s["value_std"]) > tolerance_pp:
                flags.append({
                    "check": "share_vs_parts", "region": s["region"], "indicator": s["indicator"],
                    "year": s["year"], "obs_ids": f"{num.iloc[0]['obs_id']};{den.iloc[0]['obs_id']};{s['obs_id']}",
                    "values": f"stated {s['value']:g}% vs implied {implied:.2f}%",
                    "explanation": f"The share disagrees with its parts ({ind['numerator']} / {ind['denominator']}) "
                                   f"by more than {tolerance_pp:g} percentage points.",
                })
    return flags


def consistency_flags(obs: pd.DataFrame | None = None, indicators: pd.DataFrame | None = None, *,
                      tolerance_pp: float = 0.5) -> pd.DataFrame:
    """Flag observations that disagree with each other.

    Checks: a target below the earlier actual it is compared with (same region
    and indicator, alike in basis, scope and period); a target whose only
    earlier actual differs in basis, scope or period (``incomparable_pair``: a
    comparison across bases); two different values for one key in one
    document (values of different basis, scope or period are not a conflict);
    a growth rate that disagrees with two stated levels; a share that
    disagrees with its numerator and denominator (as named in the codebook).

    Args:
        obs: observations (default: :func:`cityscience.load_observations`).
        indicators: the codebook (default: :func:`cityscience.load_indicators`).
        tolerance_pp: allowed gap, in percentage points, for the growth and share checks.
    """
    from .load import load_indicators, load_observations

    obs = load_observations() if obs is None else obs
    indicators = load_indicators() if indicators is None else indicators
    kinds = dict(zip(indicators["indicator"].astype(str), indicators["kind"].astype(str), strict=True))
    obs = with_comparability(obs, indicators if all(d in indicators.columns for d in DIMENSIONS) else None)
    pairs = target_pairs(obs, base_statuses=("actual",))
    rows = (_target_below_actual(obs, kinds, pairs) + _incomparable_pairs(obs, pairs) + _conflicting_values(obs)
            + _growth_vs_levels(obs, tolerance_pp) + _share_vs_parts(obs, indicators, tolerance_pp))
    flags = pd.DataFrame(rows, columns=FLAG_COLUMNS)
    flags["check"] = flags["check"].astype(pd.CategoricalDtype(CONSISTENCY_CHECKS))
    flags["year"] = flags["year"].astype("Int64")
    for col in ("region", "indicator", "obs_ids", "values", "explanation"):
        flags[col] = flags[col].astype("string")
    return flags
