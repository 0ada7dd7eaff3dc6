"""Consistency flags on tiny inline observation tables."""

from __future__ import annotations

import pandas as pd
import pytest

from cityscience import consistency_flags, derive_previous_levels

_IND = pd.DataFrame({
    "indicator": ["patents", "share", "part", "whole"],
    "kind": ["stock", "ratio", "flow", "flow"],
    "numerator": [pd.NA, "part", pd.NA, pd.NA],
    "denominator": [pd.NA, "whole", pd.NA, pd.NA],
})


def _obs(rows):
    cols = ["obs_id", "source_id", "region", "year", "indicator", "measure", "status", "qualifier", "value",
            "unit", "value_std", "unit_std"]
    df = pd.DataFrame(rows, columns=cols)
    df["label_zh"] = df["indicator"]
    df["year"] = df["year"].astype("Int64")
    df["value"] = df["value"].astype("Float64")
    df["value_std"] = df["value_std"].astype("Float64")
    return df


def test_target_below_actual_is_flagged():
    obs = _obs([
        ["a", "s", "hz", 2015, "patents", "level", "actual", "exact", 30280, "件", 30280, "count"],
        ["b", "s", "hz", 2016, "patents", "level", "target", "exact", 28500, "件", 28500, "count"],
    ])
    flags = consistency_flags(obs, _IND)
    assert list(flags["check"]) == ["target_below_actual"]
    assert flags.loc[0, "obs_ids"] == "a;b" and "30,280" in flags.loc[0, "values"]


def test_target_above_actual_is_not_flagged():
    obs = _obs([
        ["a", "s", "hz", 2015, "patents", "level", "actual", "exact", 100, "件", 100, "count"],
        ["b", "s", "hz", 2016, "patents", "level", "target", "exact", 120, "件", 120, "count"],
    ])
    assert consistency_flags(obs, _IND).empty


def test_two_values_for_one_key_are_flagged():
    obs = _obs([
        ["a", "s", "hz", 2016, "patents", "level", "target", "at_least", 60, "个", 60, "count"],
        ["b", "s", "hz", 2016, "patents", "level", "target", "at_least", 40, "个", 40, "count"],
    ])
    flags = consistency_flags(obs, _IND)
    assert list(flags["check"]) == ["conflicting_values"] and flags.loc[0, "obs_ids"] == "a;b"


def test_two_scopes_are_not_a_conflict():
    obs = _obs([
        ["a", "s", "hz", 2016, "patents", "level", "target", "at_least", 60, "个", 60, "count"],
        ["b", "s", "hz", 2016, "patents", "level", "target", "at_least", 40, "个", 40, "count"],
    ]).assign(basis="existing", scope=["vc_and_angel_funds", "vc_guidance_fund"], period="year")
    assert consistency_flags(obs, _IND).empty
    assert list(consistency_flags(obs.assign(scope="vc_guidance_fund"), _IND)["check"]) == ["conflicting_values"]


def test_a_target_against_a_level_of_another_basis_is_flagged_not_compared():
    obs = _obs([
        ["a", "s1", "nb", 2014, "patents", "level", "actual", "exact", 3000, "家", 3000, "count"],
        ["b", "s2", "nb", 2020, "patents", "level", "target", "exact", 2600, "家", 2600, "count"],
    ]).assign(basis=["cultivated", "cumulative"], scope="national_recognition", period="year")
    flags = consistency_flags(obs, _IND)
    assert list(flags["check"]) == ["incomparable_pair"] and flags.loc[0, "obs_ids"] == "a;b"
    assert "differ in basis" in flags.loc[0, "explanation"]
    # alike, the same pair is an ordinary target below the actual
    assert list(consistency_flags(obs.assign(basis="cumulative"), _IND)["check"]) == ["target_below_actual"]


def test_ranks_of_different_scopes_do_not_conflict():
    obs = _obs([
        ["a", "s", "nb", 2014, "patents", "rank", "actual", "exact", 8, "位次", 8, "rank"],
        ["b", "s", "nb", 2014, "patents", "rank", "actual", "exact", 2, "位次", 2, "rank"],
    ])
    obs["label_zh"] = ["全国城市", "计划单列市"]
    assert consistency_flags(obs, _IND).empty
    obs["label_zh"] = ["全国城市", "全国城市"]
    assert list(consistency_flags(obs, _IND)["check"]) == ["conflicting_values"]


def test_growth_that_disagrees_with_levels_is_flagged():
    obs = _obs([
        ["a", "s", "nb", 2013, "patents", "level", "actual", "exact", 100, "件", 100, "count"],
        ["b", "s", "nb", 2014, "patents", "level", "actual", "exact", 110, "件", 110, "count"],
        ["c", "s", "nb", 2014, "patents", "yoy_pct", "actual", "exact", 20, "%", 20, "percent"],
    ])
    flags = consistency_flags(obs, _IND)
    assert list(flags["check"]) == ["growth_vs_levels"] and "implied 10.0%" in flags.loc[0, "values"]
    obs.loc[2, ["value", "value_std"]] = 10.2
    assert consistency_flags(obs, _IND).empty


def test_share_that_disagrees_with_parts_is_flagged():
    obs = _obs([
        ["a", "s", "nb", 2014, "part", "level", "actual", "exact", 30, "亿元", 3e9, "CNY"],
        ["b", "s", "nb", 2014, "whole", "level", "actual", "exact", 100, "亿元", 1e10, "CNY"],
        ["c", "s", "nb", 2014, "share", "level", "actual", "exact", 40, "%", 40, "percent"],
    ])
    flags = consistency_flags(obs, _IND)
    assert list(flags["check"]) == ["share_vs_parts"] and "implied 30.00%" in flags.loc[0, "values"]


def test_derived_previous_level_is_marked():
    obs = _obs([
        ["a", "s", "nb", 2014, "patents", "level", "actual", "exact", 12957, "件", 12957, "count"],
        ["b", "s", "nb", 2014, "patents", "yoy_pct", "actual", "exact", 32.1, "%", 32.1, "percent"],
    ])
    obs["qualifier"] = obs["qualifier"].astype(pd.CategoricalDtype(["exact", "approx"]))
    out = derive_previous_levels(obs)
    assert len(out) == 1
    row = out.iloc[0]
    assert row["year"] == 2013 and bool(row["derived"]) and row["derived_from"] == "a+b"
    assert abs(row["value_std"] - 12957 / 1.321) < 1e-6 and row["qualifier"] == "approx"


def test_wide_and_latest():
    from cityscience import latest, wide

    obs = _obs([
        ["a", "s", "nb", 2014, "patents", "level", "actual", "exact", 100, "件", 100, "count"],
        ["b", "s", "hz", 2015, "patents", "level", "actual", "exact", 200, "件", 200, "count"],
        ["c", "s", "hz", 2013, "patents", "level", "actual", "exact", 150, "件", 150, "count"],
        ["d", "s", "hz", 2016, "patents", "level", "target", "exact", 300, "件", 300, "count"],
    ])
    table = wide(obs[obs["status"] == "actual"])
    assert table.loc["patents", ("hz", 2015)] == 200 and table.loc["patents", ("nb", 2014)] == 100
    with pytest.raises(ValueError, match="several values"):
        wide(obs.assign(year=2014, status="actual"))
    # an actual and a target in cells of their own would read as alike numbers: refused, the statuses counted
    with pytest.raises(ValueError, match=r"2 statuses \(actual: 3, target: 1\).*status='actual'"):
        wide(obs)
    with pytest.raises(KeyError, match="'indicators' not columns"):
        wide(obs[obs["status"] == "actual"], index="indicators")
    newest = latest(obs).set_index("region")
    assert newest.loc["hz", "obs_id"] == "b" and newest.loc["nb", "obs_id"] == "a"


# --- the tolerance, the dimensions and the status the growth and share checks go by ------------------


def _growth(stated):
    return _obs([
        ["a", "s", "nb", 2013, "patents", "level", "actual", "exact", 100, "件", 100, "count"],
        ["b", "s", "nb", 2014, "patents", "level", "actual", "exact", 110, "件", 110, "count"],
        ["c", "s", "nb", 2014, "patents", "yoy_pct", "actual", "exact", stated, "%", stated, "percent"],
    ])


def _share(stated, status="actual"):
    return _obs([
        ["a", "s", "nb", 2014, "part", "level", "actual", "exact", 30, "亿元", 3e9, "CNY"],
        ["b", "s", "nb", 2014, "whole", "level", "actual", "exact", 100, "亿元", 1e10, "CNY"],
        ["c", "s", "nb", 2014, "share", "level", status, "exact", stated, "%", stated, "percent"],
    ])


@pytest.mark.parametrize(("frame", "implied"), [(_growth, 10.0), (_share, 30.0)], ids=["growth", "share"])
def test_the_growth_and_share_checks_allow_half_a_point_by_default_or_the_tolerance_given(frame, implied):
    assert consistency_flags(frame(implied + 0.45), _IND).empty
    assert consistency_flags(frame(implied - 0.45), _IND).empty
    assert len(consistency_flags(frame(implied + 0.55), _IND)) == 1
    assert len(consistency_flags(frame(implied - 0.55), _IND)) == 1
    assert consistency_flags(frame(implied + 3), _IND, tolerance_pp=4).empty
    flags = consistency_flags(frame(implied + 3), _IND, tolerance_pp=2)
    assert "by more than 2 percentage points" in flags.loc[0, "explanation"]


@pytest.mark.parametrize(("dimension", "codes"), [
    ("basis", ["existing", "cumulative"]), ("scope", ["jurisdiction", "national_recognition"]),
    ("period", ["year", "part_year"])])
def test_two_levels_not_alike_imply_no_growth_rate(dimension, codes):
    alike = _growth(20).assign(basis="existing", scope="jurisdiction", period="year")
    assert list(consistency_flags(alike, _IND)["check"]) == ["growth_vs_levels"]
    differing = alike.copy()
    differing.loc[0, dimension] = codes[1]  # the 2013 level
    differing.loc[1, dimension] = codes[0]  # the 2014 level
    assert consistency_flags(differing, _IND).empty


def test_a_share_is_checked_only_against_parts_of_its_own_status():
    assert list(consistency_flags(_share(40), _IND)["check"]) == ["share_vs_parts"]
    # a 2014 target share against 2014 actual parts: not the same thing, no flag
    assert consistency_flags(_share(40, status="target"), _IND).empty


@pytest.mark.parametrize(("kind", "unit", "caveat"), [
    ("flow", "count", True), ("stock", "count", False), ("flow", "percent", False)])
def test_a_target_below_a_flow_says_a_lower_target_may_be_deliberate(kind, unit, caveat):
    obs = _obs([
        ["a", "s", "hz", 2015, "patents", "level", "actual", "exact", 300, "件", 300, unit],
        ["b", "s", "hz", 2016, "patents", "level", "target", "exact", 285, "件", 285, unit],
    ])
    flags = consistency_flags(obs, _IND.assign(kind=_IND["kind"].where(_IND["indicator"] != "patents", kind)))
    assert list(flags["check"]) == ["target_below_actual"]
    assert ("may be deliberate" in flags.loc[0, "explanation"]) is caveat


def test_a_derived_range_divides_both_ends_and_a_variant_pairs_only_with_its_own_growth():
    obs = _obs([
        ["a", "s", "nb", 2014, "patents", "level", "actual", "range", 110, "件", 110, "count"],
        ["b", "s", "nb", 2014, "patents", "yoy_pct", "actual", "exact", 10, "%", 10, "percent"],
    ]).assign(value_high=[132.0, None], value_high_std=[132.0, None], variant=pd.NA)
    (row,) = derive_previous_levels(obs).itertuples()
    assert (round(row.value, 9), round(row.value_high, 9), round(row.value_high_std, 9)) == (100, 120, 120)
    # a part-of-a-year level has no growth rate of its own here: nothing is derived from it
    part_year = obs.assign(variant=["part_year", pd.NA])
    assert derive_previous_levels(part_year).empty
    assert derive_previous_levels(part_year.assign(variant="part_year"))["obs_id"].tolist() == ["derived:a"]


def test_a_level_with_two_growth_rates_is_refused_naming_them():
    obs = _obs([
        ["a", "s", "nb", 2014, "patents", "level", "actual", "exact", 110, "件", 110, "count"],
        ["b", "s", "nb", 2014, "patents", "yoy_pct", "actual", "exact", 10, "%", 10, "percent"],
        ["c", "s", "nb", 2014, "patents", "yoy_pct", "actual", "exact", 12, "%", 12, "percent"],
    ])
    with pytest.raises(ValueError, match="a: b, c"):
        derive_previous_levels(obs)
    assert derive_previous_levels(obs.iloc[:2])["derived"].dtype == derive_previous_levels(obs.iloc[:1])[
        "derived"].dtype


def test_latest_refuses_two_levels_of_one_year_and_unknown_codes():
    from cityscience import latest, wide

    obs = _obs([
        ["a", "s", "cx", 2024, "patents", "level", "actual", "exact", 1000, "家", 1000, "count"],
        ["b", "s", "cx", 2024, "patents", "level", "actual", "exact", 994, "家", 994, "count"],
        ["c", "s", "cx", 2023, "patents", "level", "actual", "exact", 900, "家", 900, "count"],
    ]).assign(variant=[pd.NA, "part_year", pd.NA])
    for frame in (obs, obs.iloc[::-1]):  # whatever the row order
        with pytest.raises(ValueError, match="several levels") as raised:
            latest(frame)
        named = [line.split()[0] for line in str(raised.value).splitlines()[2:]]
        assert sorted(named) == ["a", "b"] and "part_year" in str(raised.value)
    assert latest(obs[obs["obs_id"] != "b"])["obs_id"].tolist() == ["a"]
    with pytest.raises(ValueError, match="'actuals' not known"):
        latest(obs, status="actuals")
    with pytest.raises(ValueError, match="'levels' not known"):
        wide(obs, measure="levels")


def test_flags_read_in_the_language_asked_for():
    """Values through the one number formatter (1,757家 / 1,757; 46.5亿元 / CNY 4.65 bn) and explanations
    from one template per sentence: no English words in the Chinese flags, no Chinese in the English ones."""
    import re

    from cityscience import load_observations

    obs = load_observations()
    zh, en = consistency_flags(obs, lang="zh"), consistency_flags(obs, lang="en")
    assert len(zh) == len(en) > 0 and list(zh["obs_ids"]) == list(en["obs_ids"])
    cjk = re.compile(r"[\u4e00-\u9fff]")
    english = re.compile(r"\b(?:the|target|actual|vs|stated|implied|level|values?)\b", re.I)
    for z, e in zip(zh.itertuples(), en.itertuples(), strict=True):
        assert cjk.search(z.explanation) and not english.search(z.values + z.explanation), z
        assert not cjk.search(e.values + e.explanation), e
    by_id = obs.set_index("obs_id")
    counts = [f for f in en[en["check"] == "target_below_actual"].itertuples()
              if by_id.loc[f.obs_ids.split(";")[0], "unit_std"] == "count"]
    assert counts
    for flag in counts:  # a count with thousands separators and no Chinese unit, as the charts write it
        base = by_id.loc[flag.obs_ids.split(";")[0]]
        assert flag.values.startswith(f"{base['value_std']:,.0f} (")
    with pytest.raises(ValueError, match="fr"):
        consistency_flags(obs, lang="fr")


def test_a_previous_level_is_derived_from_a_stated_change_exactly_and_the_change_wins_over_a_rate():
    """97家, 比上年增加21家: 76 in the year before, as exact as the two stated values; with a growth rate
    stated as well, the change decides (a stated rate is rounded); a change in 万元 of a level in 亿元."""
    obs = _obs([
        ["a", "s", "nb", 2019, "hte", "level", "actual", "exact", 97, "家", 97, "count"],
        ["b", "s", "nb", 2019, "hte", "abs_change", "actual", "exact", 21, "家", 21, "count"],
        ["c", "s", "nb", 2019, "hte", "yoy_pct", "actual", "exact", 27.6, "%", 27.6, "percent"],
        ["d", "s", "nb", 2019, "money", "level", "actual", "exact", 25, "亿元", 2.5e9, "CNY"],
        ["e", "s", "nb", 2019, "money", "abs_change", "actual", "exact", -2000, "万元", -2e7, "CNY"],
        ["f", "s", "nb", 2019, "patents", "level", "actual", "exact", 110, "件", 110, "count"],
        ["g", "s", "nb", 2019, "patents", "yoy_pct", "actual", "exact", 10, "%", 10, "percent"],
    ])
    out = derive_previous_levels(obs).set_index("indicator")
    assert sorted(out.index) == ["hte", "money", "patents"] and set(out["year"]) == {2018}
    assert out.loc["hte", ["value", "value_std", "qualifier", "derived_from"]].tolist() == [76, 76, "exact", "a+b"]
    assert out.loc["money", "value_std"] == 2.52e9 and out.loc["money", "value"] == 25.2
    assert out.loc["money", "unit"] == "亿元" and out.loc["patents", "qualifier"] == "approx"
    with pytest.raises(ValueError, match="several changes of its year.*a: b, x"):
        derive_previous_levels(pd.concat([obs, obs.iloc[[1]].assign(obs_id="x", value=22, value_std=22)]))
