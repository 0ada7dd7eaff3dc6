"""The comparability model: each of issue 14's decisions on the real data, and refusal on tiny frames."""

from __future__ import annotations

import re

import matplotlib.pyplot as plt
import pandas as pd
import pytest

import cityscience as cs
from cityscience import charts
from cityscience.compare import (
    DIMENSIONS,
    IncomparableError,
    comparability_table,
    comparisons,
    related_levels,
    target_pairs,
    variants,
    wide,
    with_comparability,
)

# --- the decisions, on the curated data -------------------------------------------------------------


@pytest.fixture(scope="module")
def obs():
    return with_comparability(cs.load_observations()).set_index("obs_id")


@pytest.fixture(scope="module")
def ind():
    return cs.load_indicators().set_index("indicator")


def test_valid_and_cumulative_high_tech_counts_are_different_indicators(obs, ind):
    assert obs.loc["cx24-013", "indicator"] == "hte_stock" and obs.loc["cx24-013", "value"] == 994
    assert obs.loc["nb17-021", "indicator"] == "hte_cumulative" and obs.loc["nb17-021", "value"] == 2600
    assert ind.loc["hte_stock", "basis"] == "valid" and ind.loc["hte_cumulative", "basis"] == "cumulative"
    # Hangzhou's 已有 1979 is restated as 累计认定 in its own text: cumulative, not valid
    assert obs.loc["hz15-014", "indicator"] == "hte_cumulative" and obs.loc["hz15-014", "basis"] == "cumulative"
    # Ningbo 2014's 已培育 is a near-equivalent held as a variant of the cumulative count
    assert obs.loc["nb14-046", ["indicator", "variant", "basis"]].tolist() == [
        "hte_cumulative", "cultivated", "cultivated"]


def test_cixi_first_batch_and_interim_count_are_part_of_a_year(obs):
    assert obs.loc["cx24-012", ["indicator", "value", "period"]].tolist() == ["hte_new", 319, "part_year"]
    assert obs.loc["cx24-013", "period"] == "part_year"
    table = comparability_table(cs.load_observations()).set_index("obs_id")
    assert table.loc["cx24-012", "differs"] == "period"
    others = table[(table["indicator"] == "hte_new") & (table.index != "cx24-012")]
    assert (others["period"] == "year").all() and (others["differs"] == "").all()


def test_guidance_fund_targets_have_two_scopes_and_no_conflict(obs):
    wider = ["hz15-084", "hz15-085", "hz15-086"]
    alone = ["hz15-097", "hz15-098", "hz15-099"]
    assert (obs.loc[wider, "scope"] == "vc_and_angel_funds").all()
    assert (obs.loc[alone, "scope"] == "vc_guidance_fund").all()
    flags = cs.consistency_flags()
    assert not flags[(flags["check"] == "conflicting_values")
                     & flags["indicator"].str.startswith("vc_guidance_fund")].shape[0]
    # partner institutions (合作单位) and partner funds (合作基金) are different indicators
    assert obs.loc["hz15-033", "indicator"] == "vc_guidance_fund_partners_stock"
    assert set(obs.loc[["hz15-085", "hz15-098"], "indicator"]) == {"vc_guidance_fund_partner_funds_stock"}


def test_funded_and_designed_projects_are_different_indicators():
    o = cs.load_observations().set_index("obs_id")
    assert o.loc["hz15-049", "indicator"] == "major_innovation_projects_funded"
    assert o.loc["hz15-079", "indicator"] == "major_innovation_projects_designed"
    flags = cs.consistency_flags()
    assert not flags["indicator"].str.startswith("major_innovation_projects").any()


def test_the_single_rows_are_resolved(obs, ind):
    ex = cs.load_exclusions()
    for retired, reason in (("nb14-047", "policy_rule"), ("hz15-019", "wider_set")):
        assert retired not in obs.index
        hit = ex[ex["note"].fillna("").str.contains(f"retired observation {retired}")]
        assert list(hit["reason"]) == [reason]
    assert obs.loc["hz15-095", "indicator"] == "provincial_enterprise_research_institute_recommended"
    assert obs.loc["hz15-095", "basis"] == "recommended"
    assert obs.loc["hs17-001", "period"] == "multi_year"


def test_retired_ids_are_never_reused(obs):
    notes = " ".join(cs.load_exclusions()["note"].fillna(""))
    retired = set(re.findall(r"retired observation ([a-z0-9]+-\d{3})", notes))
    assert retired and not retired & set(obs.index)


def test_cixi_and_hangzhou_streaks_and_the_first_incubator_are_facts(obs, ind):
    assert obs.loc["cx24-032", ["value", "basis"]].tolist() == [3, "streak"]
    assert obs.loc["hz15-048", "basis"] == "streak"  # 连续六年, treated alike
    assert obs.loc["cx24-033", ["indicator", "value"]].tolist() == ["provincial_incubator_stock", 1]
    assert "破零" in obs.loc["cx24-033", "evidence"]
    ex = cs.load_exclusions()
    assert not ((ex["match"] == "破零") | (ex["match"] == "連續三年")).any()


def test_rd_personnel_is_a_flow_of_person_years(ind):
    assert ind.loc["rd_personnel", "kind"] == "flow" and ind.loc["rd_personnel", "unit_std"] == "person_year"


def test_translations(ind):
    # 转化 is transformation; a code or English name says "transfer" only for 转移
    for code, r in ind.iterrows():
        if "转化" in r["name_zh"] and "转移" not in r["name_zh"]:
            assert "transfer" not in code and "transfer" not in r["name_en"].lower(), code
            assert "transformation" in r["name_en"].lower(), code
    assert "recognised or registered" in ind.loc["provincial_st_sme_new", "name_en"]
    assert "回杭" in ind.loc["sv_incubator_projects_relocated", "name_zh"]


def test_variant_codes_name_one_dimension_and_depart_from_the_indicator():
    vocab = cs.load_vocabularies()
    codes = vocab[vocab["vocabulary"].isin(DIMENSIONS)]
    assert not codes["code"].duplicated().any()  # each code tells its dimension
    raw = cs.load_observations()
    resolved = with_comparability(raw).set_index("obs_id")
    ind = cs.load_indicators().set_index("indicator")
    for oid, r in raw.set_index("obs_id").iterrows():
        for code in [c for c in str(r["variant"] if pd.notna(r["variant"]) else "").split(";") if c]:
            dim = codes.set_index("code").loc[code, "vocabulary"]
            assert ind.loc[r["indicator"], dim] != code, f"{oid}: variant {code} is the indicator's own"
            assert resolved.loc[oid, dim] == code


def test_comparisons_and_variants_cover_the_decisions():
    o = cs.load_observations()
    held = set(variants(o)["indicator"])
    assert {"hte_stock", "hte_cumulative", "hte_new", "vc_guidance_fund_size"} <= held
    table = comparisons(o)
    pair = table[(table["kind"] == "target against base") & (table["indicator"] == "hte_cumulative")]
    assert list(pair["comparable"]) == [False] and "nb14-046" in pair["verdict"].iloc[0]
    # the 技术市场 target is never paired with the online market's 2015 value, and the review says why
    rel = related_levels(o)
    assert ((rel["target_obs_id"] == "hz15-087") & (rel["other_obs_id"] == "hz15-013")).any()
    row = rel[(rel["target_obs_id"] == "hz15-087") & (rel["other_obs_id"] == "hz15-013")].iloc[0]
    scopes = cs.load_vocabularies().set_index(["vocabulary", "code"]).loc["scope"]
    for lang, said in (("en", "(scope: {}; {})"), ("zh", "（范围：{}，{}）")):
        text = cs.describe_related(row, o, lang=lang)
        for obs_id in ("hz15-087", "hz15-013"):  # each side names its scope with the codebook's label
            scope = with_comparability(o, cs.load_indicators()).set_index("obs_id").loc[obs_id, "scope"]
            assert said.format(scopes.loc[scope, f"label_{lang}"], obs_id) in text, text
    assert pd.isna(target_pairs(o).set_index("target_obs_id").loc["hz15-087", "base_obs_id"])
    # a target set against several levels of other indicators: one sentence naming each; a side names a
    # dimension only where the two differ
    several = rel.groupby("target_obs_id").filter(lambda g: len(g) > 1)
    assert len(several), "no target is related to several earlier levels: the grouped wording is not checked"
    for target, rows in several.groupby("target_obs_id"):
        text = cs.describe_related(rows, o, lang="en")
        assert f"({target})" in text, text
        assert text.count("different indicators") == 1 and all(i in text for i in rows["other_obs_id"]), text
        for _, r in rows[rows["differs"] == ""].iterrows():
            assert f"({r['other_obs_id']})" in text, text  # the id alone, no "scope: …" both sides share
    with pytest.raises(ValueError, match="one target"):
        cs.describe_related(rel.head(2) if rel["target_obs_id"].head(2).nunique() == 2 else rel, o)
    flags = cs.consistency_flags()
    assert "nb14-046;nb17-021" in set(flags.loc[flags["check"] == "incomparable_pair", "obs_ids"])


# --- refusal and separation on tiny inline frames ---------------------------------------------------


def _frame(rows):
    cols = ["obs_id", "source_id", "region", "year", "indicator", "measure", "status", "qualifier", "value",
            "value_high", "unit", "value_std", "value_high_std", "unit_std", "basis", "scope", "period"]
    df = pd.DataFrame(rows, columns=cols)
    df["year"] = df["year"].astype("Int64")
    for c in ("value", "value_high", "value_std", "value_high_std"):
        df[c] = df[c].astype("Float64")
    return df


TINY = _frame([
    ("a", "s1", "ningbo", 2014, "x", "level", "actual", "exact", 100, None, "家", 100, None, "count",
     "cumulative", "national_recognition", "year"),
    ("b", "s2", "hangzhou", 2015, "x", "level", "actual", "exact", 120, None, "家", 120, None, "count",
     "cumulative", "national_recognition", "year"),
    ("c", "s3", "cixi", 2024, "x", "level", "actual", "exact", 30, None, "家", 30, None, "count",
     "cumulative", "national_recognition", "part_year"),
])
LABELS = charts.Labels.from_frames("en", indicators=pd.DataFrame({"indicator": ["x"], "name_zh": ["X"],
                                                                  "name_en": ["X"]}))


def test_wide_refuses_values_not_alike():
    with pytest.raises(IncomparableError, match="c \\(x\\): period"):
        wide(TINY)
    table = wide(TINY, allow_incomparable=True)
    assert table.loc["x", ("cixi", 2024)] == 30
    assert wide(TINY[TINY["obs_id"] != "c"]).shape == (1, 2)


def test_variant_overrides_the_indicator_and_bad_codes_raise():
    ind = pd.DataFrame({"indicator": ["x"], "basis": ["new"], "scope": ["jurisdiction"], "period": ["year"]})
    frame = TINY.drop(columns=list(DIMENSIONS)).assign(variant=["", pd.NA, "part_year"])
    out = with_comparability(frame, ind).set_index("obs_id")
    assert out.loc["c", "period"] == "part_year" and out.loc["a", "period"] == "year"
    with pytest.raises(ValueError, match="at most one per dimension"):
        with_comparability(frame.assign(variant=["year;part_year", "", ""]), ind)
    with pytest.raises(ValueError, match="'no_such_code'"):
        with_comparability(frame.assign(variant=["no_such_code", "", ""]), ind)


def test_bar_chart_draws_the_odd_value_apart_with_the_reason_in_the_footnote():
    fig, ax = charts.bar_by_region(TINY, "x", labels=LABELS, lang="en")
    ticks = [t.get_text() for t in ax.get_xticklabels()]
    assert ticks == ["2014", "2015", "2024†"]
    assert any(t.get_text() == "30†" for t in ax.texts)
    notes = charts.figure_info(fig).notes
    vocab = cs.load_vocabularies().set_index(["vocabulary", "code"])["label_en"]
    part, whole = vocab[("period", "part_year")], vocab[("period", "year")]
    assert len(notes) == 1 and notes[0].startswith(f"† not directly comparable: Cixi 2024 (c), period: {part}")
    text = charts.source_footnote(fig, lang="en").get_text()
    assert f"period: {part} (the others: {whole})" in text.replace("\n", " ")
    legend = [t.get_text() for t in ax.get_legend().get_texts()]  # the dark dashed outline is explained
    assert legend[-1] == LABELS.text("apart_legend") == "not comparable (see note)"
    plt.close(fig)
    with pytest.raises(IncomparableError):
        charts.bar_by_region(TINY, "x", labels=LABELS, lang="en", incomparable="raise")
    fig, _ = charts.bar_by_region(TINY[TINY["obs_id"] != "c"], "x", labels=LABELS, lang="en",
                                  incomparable="raise")
    assert charts.figure_info(fig).notes == []
    legend = fig.axes[0].get_legend()
    assert legend is None or LABELS.text("apart_legend") not in [t.get_text() for t in legend.get_texts()]
    plt.close("all")


def test_line_chart_does_not_join_values_not_alike():
    same_region = TINY.assign(region="ningbo")
    fig, ax = charts.lines_over_years(same_region, "x", labels=LABELS, lang="en")
    joined = [line for line in ax.get_lines() if len(line.get_xdata()) == 2]
    assert [list(line.get_xdata()) for line in joined] == [[2014, 2015]]
    assert charts.figure_info(fig).notes
    plt.close(fig)


def test_hbar_marks_and_footnotes_values_not_alike():
    fig, ax = charts.hbar(TINY, labels=LABELS, lang="en")
    assert [t.get_text() for t in ax.get_yticklabels()][0].endswith("†")  # smallest value (30) at the bottom
    assert charts.figure_info(fig).notes
    plt.close(fig)


def test_target_pairs_and_dumbbell_separate_a_base_of_another_basis():
    frame = _frame([
        ("b1", "s1", "ningbo", 2014, "x", "level", "actual", "exact", 1167, None, "家", 1167, None, "count",
         "cultivated", "national_recognition", "year"),
        ("t1", "s2", "ningbo", 2020, "x", "level", "target", "exact", 2600, None, "家", 2600, None, "count",
         "cumulative", "national_recognition", "year"),
        ("b2", "s1", "ningbo", 2014, "y", "level", "actual", "exact", 50, None, "家", 50, None, "count",
         "existing", "jurisdiction", "year"),
        ("t2", "s2", "ningbo", 2020, "y", "level", "target", "exact", 100, None, "家", 100, None, "count",
         "existing", "jurisdiction", "year"),
    ])
    gaps = charts.target_gaps(frame).set_index("target_obs_id")
    assert gaps.loc["t1", "base_obs_id"] == "b1" and not gaps.loc["t1", "comparable"]
    assert gaps.loc["t1", "differs"] == "basis" and pd.isna(gaps.loc["t1", "required_growth_pct"])
    assert gaps.loc["t2", "comparable"] and gaps.loc["t2", "required_growth_pct"] > 0
    fig, ax = charts.dumbbell(gaps.reset_index(), lang="en", labels=LABELS)
    (note,) = charts.figure_info(fig).notes
    assert note.startswith("† base and target not directly comparable") and "cultivated so far" in note
    assert any(t.get_text().endswith("†") for t in ax.get_yticklabels())
    plt.close(fig)


def test_the_validator_checks_the_model_codes(tmp_path):
    import shutil

    from cityscience.paths import data_dir
    from cityscience.validate import check

    data = tmp_path / "data"
    shutil.copytree(data_dir(), data)
    path = data / "observations" / "ningbo-2014-summary.csv"
    path.write_text(path.read_text(encoding="utf-8").replace(",cultivated\n", ",cultivatd\n"), encoding="utf-8")
    (p,) = check(data, accounting=False).problems
    assert (p.column, p.value, p.check) == ("variant", "cultivatd", "allowed_value")
    assert "'basis' or 'scope' or 'period' vocabulary" in p.expected


def test_the_unit_column_is_a_code_whatever_the_script_of_the_evidence():
    o = cs.load_observations().set_index("obs_id")
    cixi, ningbo = o.loc["cx24-024"], o.loc["nb14-002"]
    assert "億元" in cixi["evidence"] and "亿元" in ningbo["evidence"]  # the evidence keeps what is written
    assert cixi["unit"] == ningbo["unit"] == "亿元"
    assert "cx24-024" in set(o.index[o["unit"] == "亿元"])  # a filter on the code finds Cixi's rows too
    assert o.loc["cx24-015", "unit"] == "个" and "個" in o.loc["cx24-015", "evidence"]
    assert not o["unit"].astype(str).isin(["億元", "個"]).any()


def test_the_validator_takes_a_simplified_unit_code_for_traditional_evidence(tmp_path):
    from cityscience.validate import check
    from minidata import make_data, write_csv

    def data_with(row, where):
        data = make_data(where, raw_text=text, obs_rows=[row])
        write_csv(data / "exclusions.csv", [["source_id", "kind", "match", "reason", "note"]])
        return data

    text = "完成規上工業企業研發費用84.2億元。\n"
    row = ["t-001", "demo", "cixi", "2014", "rd_expenditure", "規上工業企業研發費用", "level", "actual", "exact",
           "84.2", "", "亿元", "完成規上工業企業研發費用84.2億元", "", ""]
    assert check(data_with(row, tmp_path), accounting=False).problems == []
    row[11] = "億元"
    (p,) = check(data_with(row, tmp_path / "written"), accounting=False).problems
    assert (p.column, p.value, p.check) == ("unit", "億元", "unit_code") and "'亿元'" in p.expected


def _x(obs_id, year, status, value, *, unit_std="count", basis="cumulative"):
    return (obs_id, "s", "ningbo", year, "x", "level", status, "exact", value, None, "家", value, None, unit_std,
            basis, "national_recognition", "year")


def test_target_pairs_take_the_latest_earlier_level_and_an_actual_over_an_estimate_of_its_year():
    frame = _frame([_x("old", 2013, "actual", 80), _x("est", 2014, "estimate", 95), _x("act", 2014, "actual", 90),
                    _x("t", 2020, "target", 200)])
    assert target_pairs(frame).set_index("target_obs_id").loc["t", "base_obs_id"] == "act"
    # the order of base_statuses is the order of preference
    flipped = target_pairs(frame, base_statuses=("estimate", "actual"))
    assert flipped.set_index("target_obs_id").loc["t", "base_obs_id"] == "est"
    assert target_pairs(frame[frame["obs_id"] != "act"]).loc[0, "base_obs_id"] == "est"
    only_actuals = target_pairs(frame[frame["obs_id"] != "act"], base_statuses=("actual",))
    assert only_actuals.loc[0, "base_obs_id"] == "old"


def test_target_pairs_never_take_a_base_in_another_unit_or_a_derived_level():
    other_unit = _frame([_x("b", 2014, "actual", 5, unit_std="percent"), _x("t", 2020, "target", 200)])
    assert pd.isna(target_pairs(other_unit).loc[0, "base_obs_id"])
    growth = _frame([_x("lvl", 2015, "actual", 110), _x("t", 2020, "target", 200)])
    growth = pd.concat([growth, growth.iloc[[0]].assign(obs_id="g", measure="yoy_pct", value=10.0, value_std=10.0,
                                                        unit="%", unit_std="percent")], ignore_index=True)
    derived = cs.derive_previous_levels(growth)
    assert derived["year"].tolist() == [2014]
    with_derived = pd.concat([growth.iloc[[1]], derived], ignore_index=True)  # the target and a derived 2014 level
    assert pd.isna(target_pairs(with_derived).loc[0, "base_obs_id"])
    assert target_pairs(pd.concat([with_derived, growth.iloc[[0]]])).loc[0, "base_obs_id"] == "lvl"


def test_coverage_counts_every_fact_once_by_document_region_year_and_status():
    obs = cs.load_observations()
    cov = cs.coverage(obs)
    assert cov["total"].sum() == len(obs)
    counts = obs.groupby(["source_id", "region", "year", "status"], observed=True).size()
    stacked = cov.drop(columns="total").stack()
    assert stacked[stacked > 0].sort_index().equals(counts.sort_index())
    assert set(cov.index) == set(obs[["source_id", "region", "year"]].itertuples(index=False, name=None))


def test_a_difference_is_described_with_the_vocabulary_labels_in_either_language():
    vocab = cs.load_vocabularies().set_index(["vocabulary", "code"])
    names = cs.load_regions().set_index("region")
    row = comparability_table(TINY).set_index("obs_id").loc["c"].copy()
    row["obs_id"] = "c"
    for lang, term in (("en", "period: "), ("zh", "时段为")):
        text = cs.describe_difference(row, lang=lang)
        mine, ref = (vocab.loc[("period", code), f"label_{lang}"] for code in ("part_year", "year"))
        assert text.startswith(f"{names.loc['cixi', f'name_{lang}']} 2024")
        assert term in text and mine in text and ref in text and text.index(mine) < text.index(ref)


def test_the_comparison_texts_refuse_a_language_they_do_not_write():
    row = comparability_table(TINY).set_index("obs_id").loc["c"].copy()
    row["obs_id"] = "c"
    with pytest.raises(ValueError, match="language 'fr': expected one of zh, en"):
        cs.describe_difference(row, lang="fr")
    with pytest.raises(ValueError, match="language 'fr'"):
        comparisons(TINY, lang="fr")


def test_values_that_all_have_a_variant_are_compared_with_the_indicator_s_own_model():
    """A part-year value alone (a region profile, a mid-year report) is not the indicator's full year: it is
    marked, against the codebook's model, and described so."""
    ind = pd.DataFrame({"indicator": ["x"], "basis": ["new"], "scope": ["jurisdiction"], "period": ["year"]})
    frame = TINY.drop(columns=list(DIMENSIONS)).assign(variant=["part_year", "part_year", "part_year"])
    table = comparability_table(frame, indicators=ind)
    assert table["differs"].tolist() == ["period"] * 3 and set(table["reference_period"]) == {"year"}
    assert set(table["reference_from"]) == {"indicator"}
    row = table.iloc[0]
    assert "(as the indicator is defined: " in cs.describe_difference(row, lang="en")
    assert "（指标定义：" in cs.describe_difference(row, lang="zh")
    mixed = comparability_table(frame.assign(variant=["", "", "part_year"]), indicators=ind)
    assert mixed["differs"].tolist() == ["", "", "period"] and set(mixed["reference_from"]) == {"others"}
