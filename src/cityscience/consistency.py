"""Consistency checks across observations: warnings for a researcher, not errors.

:func:`consistency_flags` returns one row per flag with the observations
involved, their values and an explanation in words, in Chinese or English (one
template per sentence below; values through the one number formatter,
:func:`cityscience.units.format_value`). The data-quality notebook charts it and
the workbook lists it.
"""

from __future__ import annotations

import pandas as pd

from .compare import (
    _TERMS,
    DIMENSIONS,
    _vocab_label,
    describe_difference,
    target_pairs,
    with_comparability,
)
from .conventions import CONSISTENCY_CHECKS, LANGUAGES, check_language
from .units import format_value

__all__ = ["FLAG_COLUMNS", "consistency_flags"]

FLAG_COLUMNS = ["check", "region", "indicator", "year", "obs_ids", "values", "explanation"]
_KEY = ["source_id", "region", "year", "indicator", "measure", "status"]

#: One template per sentence, (Chinese, English).
_TEXT = {
    "below_values": ("{base}（{base_year}年{base_status}）高于{target_year}年{target_status}{target}",
                     "{base} ({base_year} {base_status}) above the {target_year} {target_status} of {target}"),
    "below": ("{target_year}年目标低于同一地区同一指标{base_year}年的实际水平", "The {target_year} target is below "
              "the {base_year} actual level of the same indicator in the same region"),
    "below_flow": ("（流量指标：目标较低可能是有意为之）。", " (a flow: a lower target may be deliberate)."),
    "end": ("。", "."),
    "pair_values": ("{base}（{base_year}年{base_status}）与 {target}（{target_year}年{target_status}）",
                    "{base} ({base_year} {base_status}) vs {target} ({target_year} {target_status})"),
    "pair": ("{target_year}年目标与其对照的{base_year}年水平{dims}不同：{difference}。二者不可直接比较。",
             "The {target_year} target and the {base_year} level it is set against differ in {dims}: "
             "{difference}. Not a like-for-like comparison."),
    "pair_against": ("{base_year}年水平 {base_id}", "the {base_year} level {base_id}"),
    "dims_sep": ("和", " and "),
    "vs": (" 与 ", " vs "),
    "conflict": ("{source}对同一指标、地区和年份给出 {n} 个不同的{status}数值（{measure}），均予保留。",
                 "{source} states {n} different {status} values ({measure}) for the same indicator, region and "
                 "year; both are kept."),
    "stated_vs_implied": ("所述 {stated}，推算 {implied}", "stated {stated} vs implied {implied}"),
    "growth": ("所述增速与两个年份的水平推算出的增速相差超过 {tolerance} 个百分点。",
               "The stated growth rate disagrees with the two stated levels by more than {tolerance} percentage "
               "points."),
    "share": ("所述占比与其分项（{numerator} / {denominator}）推算出的占比相差超过 {tolerance} 个百分点。",
              "The share disagrees with its parts ({numerator} / {denominator}) by more than {tolerance} "
              "percentage points."),
}


class _Words:
    """The templates and the codebook's labels in one language."""

    def __init__(self, lang: str, vocabularies: pd.DataFrame):
        self.lang = check_language(lang)
        self.labels = _vocab_label(vocabularies, lang)

    def __call__(self, key: str, **fields: object) -> str:
        return _TEXT[key][LANGUAGES.index(self.lang)].format(**fields)

    def term(self, vocabulary: str, code: object) -> str:
        return self.labels.get((vocabulary, str(code)), str(code))

    def value(self, row: pd.Series) -> str:
        """An observation's value as written, in this language (1,757家; 1,757)."""
        high = row.get("value_high")
        return format_value(float(row["value"]), str(row["unit"]), self.lang, qualifier=str(row["qualifier"]),
                            value_high=None if high is None or pd.isna(high) else float(high))

    def dims(self, differs: str) -> str:
        zh = self.lang == "zh"
        return self("dims_sep").join(_TERMS[d][0 if zh else 1] for d in str(differs).split(";") if d)


def _ids(rows: pd.DataFrame) -> str:
    return ";".join(rows["obs_id"].astype(str))


def _target_below_actual(obs: pd.DataFrame, kinds: dict[str, str], pairs: pd.DataFrame, words: _Words) -> list[dict]:
    """A target below the earlier actual it is paired with (only pairs alike in basis, scope and period)."""
    by_id = obs.set_index("obs_id")
    flags = []
    for _, p in pairs[pairs["comparable"].fillna(False)].iterrows():
        t, a = by_id.loc[p["target_obs_id"]], by_id.loc[p["base_obs_id"]]
        if t["value_std"] < a["value_std"]:
            flow = t["unit_std"] != "percent" and kinds.get(t["indicator"]) == "flow"
            flags.append({
                "check": "target_below_actual", "region": t["region"], "indicator": t["indicator"],
                "year": t["year"], "obs_ids": f"{p['base_obs_id']};{p['target_obs_id']}",
                "values": words("below_values", base=words.value(a), base_year=a["year"],
                                base_status=words.term("status", "actual"), target=words.value(t),
                                target_year=t["year"], target_status=words.term("status", "target")),
                "explanation": words("below", target_year=t["year"], base_year=a["year"])
                               + words("below_flow" if flow else "end"),
            })
    return flags


def _incomparable_pairs(obs: pd.DataFrame, pairs: pd.DataFrame, words: _Words,
                        vocabularies: pd.DataFrame, regions: pd.DataFrame | None) -> list[dict]:
    """A target set against an earlier actual of another basis, scope or period (no alike one exists)."""
    by_id = obs.set_index("obs_id")
    flags = []
    for _, p in pairs[~pairs["comparable"].fillna(True)].iterrows():
        t, a = by_id.loc[p["target_obs_id"]], by_id.loc[p["base_obs_id"]]
        row = t.copy()
        row["obs_id"], row["differs"] = p["target_obs_id"], p["differs"]
        for d in DIMENSIONS:
            row[f"reference_{d}"] = a[d]
        against = words("pair_against", base_year=a["year"], base_id=p["base_obs_id"])
        flags.append({
            "check": "incomparable_pair", "region": t["region"], "indicator": t["indicator"], "year": t["year"],
            "obs_ids": f"{p['base_obs_id']};{p['target_obs_id']}",
            "values": words("pair_values", base=words.value(a), base_year=a["year"],
                            base_status=words.term("status", a["status"]), target=words.value(t),
                            target_year=t["year"], target_status=words.term("status", "target")),
            "explanation": words("pair", target_year=t["year"], base_year=a["year"], dims=words.dims(p["differs"]),
                                 difference=describe_difference(row, lang=words.lang, against=against,
                                                                vocabularies=vocabularies, regions=regions)),
        })
    return flags


def _conflicting_values(obs: pd.DataFrame, words: _Words) -> list[dict]:
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
                "values": words("vs").join(words.value(r) for _, r in rows.iterrows()),
                "explanation": words("conflict", source=src, n=len(rows), status=words.term("status", status),
                                     measure=words.term("measure", measure)),
            })
    return flags


def _growth_vs_levels(obs: pd.DataFrame, tolerance_pp: float, words: _Words) -> list[dict]:
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
                "values": words("stated_vs_implied", stated=f"{g['value']:g}%", implied=f"{implied:.1f}%"),
                "explanation": words("growth", tolerance=f"{tolerance_pp:g}"),
            })
    return flags


def _share_vs_parts(obs: pd.DataFrame, indicators: pd.DataFrame, tolerance_pp: float, words: _Words) -> list[dict]:
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
                    "values": words("stated_vs_implied", stated=f"{s['value']:g}%", implied=f"{implied:.2f}%"),
                    "explanation": words("share", numerator=ind["numerator"], denominator=ind["denominator"],
                                         tolerance=f"{tolerance_pp:g}"),
                })
    return flags


def consistency_flags(obs: pd.DataFrame | None = None, indicators: pd.DataFrame | None = None, *,
                      tolerance_pp: float = 0.5, lang: str = "en", vocabularies: pd.DataFrame | None = None,
                      regions: pd.DataFrame | None = None) -> pd.DataFrame:
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
        lang: language of the ``values`` and ``explanation`` columns (``"zh"`` or ``"en"``).
        vocabularies, regions: the codebook's labels and the regions (default: the curated ones).
    """
    from .load import load_indicators, load_observations, load_vocabularies

    obs = load_observations() if obs is None else obs
    indicators = load_indicators() if indicators is None else indicators
    kinds = dict(zip(indicators["indicator"].astype(str), indicators["kind"].astype(str), strict=True))
    obs = with_comparability(obs, indicators if all(d in indicators.columns for d in DIMENSIONS) else None)
    vocabularies = load_vocabularies() if vocabularies is None else vocabularies
    words = _Words(lang, vocabularies)
    pairs = target_pairs(obs, base_statuses=("actual",))
    rows = (_target_below_actual(obs, kinds, pairs, words) + _incomparable_pairs(obs, pairs, words, vocabularies, regions)
            + _conflicting_values(obs, words) + _growth_vs_levels(obs, tolerance_pp, words)
            + _share_vs_parts(obs, indicators, tolerance_pp, words))
    flags = pd.DataFrame(rows, columns=FLAG_COLUMNS)
    flags["check"] = flags["check"].astype(pd.CategoricalDtype(CONSISTENCY_CHECKS))
    flags["year"] = flags["year"].astype("Int64")
    for col in ("region", "indicator", "obs_ids", "values", "explanation"):
        flags[col] = flags[col].astype("string")
    return flags
