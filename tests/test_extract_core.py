"""extract(): columns, evidence and offsets, years and parts, restatements, and input handling."""

from __future__ import annotations

import subprocess
import sys
import unicodedata
from pathlib import Path

import pandas as pd
import pytest

from cityscience.cli import main
from cityscience.extract import CANDIDATE_COLUMNS, ExtractError, extract, read_report

FIXTURE = Path(__file__).parent / "fixtures" / "qingxi-2019-summary-2020-plan.txt"

# What a careful reader takes from the fixture report (written for these tests; it is not one
# of the five documents): (year, measure, status, qualifier, value, value_high, unit).
FIXTURE_FACTS = [
    (2019, "level", "actual", "exact", 12.6, None, "亿元"),
    (2019, "yoy_pct", "actual", "exact", 15.3, None, "%"),
    (2019, "level", "actual", "exact", 2.45, None, "%"),
    (2019, "pp_change", "actual", "exact", 0.21, None, "个百分点"),
    (2019, "rank", "actual", "exact", 3, None, "位次"),
    (2019, "rank", "actual", "exact", 28, None, "位次"),
    (2019, "level", "actual", "exact", 46, None, "家"),
    (2019, "level", "actual", "exact", 218, None, "家"),
    (2019, "multiple", "actual", "exact", 2, None, "倍"),
    (2019, "level", "actual", "exact", 1250, None, "家"),
    (2019, "level", "actual", "exact", 3816, None, "家"),
    (2019, "level", "actual", "exact", 9.8, None, "亿元"),
    (2019, "yoy_pct", "actual", "exact", 11.2, None, "%"),
    (2019, "level", "actual", "exact", 1.9, None, "%"),
    (2019, "pp_diff", "actual", "exact", 0.3, None, "个百分点"),
    (2019, "level", "actual", "exact", 86.4, None, "亿元"),
    (2019, "level", "actual", "exact", 47.5, None, "%"),
    (2019, "level", "actual", "exact", 3, None, "家"),
    (2019, "level", "actual", "exact", 12, None, "家"),
    (2019, "level", "actual", "exact", 305, None, "家"),
    (2019, "level", "actual", "approx", 2.5, None, "万平方米"),
    (2019, "level", "actual", "approx", 120, None, "家"),
    (2019, "level", "actual", "exact", 2, None, "家"),
    (2019, "level", "actual", "exact", 5, None, "家"),
    (2019, "level", "actual", "exact", 86, None, "名"),
    (2019, "level", "actual", "exact", 3, None, "人"),
    (2019, "level", "actual", "exact", 12, None, "场"),
    (2019, "level", "actual", "approx", 300, None, "家"),
    (2019, "level", "actual", "exact", 2000, None, "万元"),
    (2019, "level", "actual", "exact", 4.3, None, "亿元"),
    (2019, "level", "actual", "exact", 65, None, "家"),
    (2019, "level", "actual", "exact", 500, None, "万元"),
    (2019, "level", "actual", "exact", 2356, None, "件"),
    (2019, "level", "actual", "exact", 312, None, "件"),
    (2019, "yoy_pct", "actual", "exact", -4.6, None, "%"),
    (2019, "level", "actual", "exact", 18.6, None, "件/万人"),
    (2019, "level", "actual", "exact", 5.7, None, "亿元"),
    (2019, "multiple", "actual", "exact", 1.5, None, "倍"),
    (2020, "level", "target", "at_least", 2.6, None, "%"),
    (2020, "level", "target", "at_least", 50, None, "家"),
    (2020, "level", "target", "at_least", 260, None, "家"),
    (2020, "level", "target", "approx", 1000, None, "家"),
    (2020, "level", "target", "range", 15, 20, "家"),
    (2020, "level", "target", "exact", 49, None, "%"),
    (2020, "level", "target", "at_most", 500, None, "万元"),
    (2020, "level", "estimate", "exact", 6, None, "亿元"),
]


PLAN_FIXTURE = Path(__file__).parent / "fixtures" / "donghu-2021-action-plan.txt"
# A plan with a background section (actual values of 2020), targets for 2023 (到2023年), a policy
# parameter that is not a fact (给予最高500万元资助), an appendix table restating two targets and a
# closing estimate for 2021.
PLAN_FACTS = [
    (2020, "level", "actual", "exact", 86.5, None, "亿元"),
    (2020, "level", "actual", "exact", 2.61, None, "%"),
    (2020, "level", "actual", "exact", 1532, None, "家"),
    (2020, "multiple", "actual", "exact", 2.3, None, "倍"),
    (2020, "level", "actual", "exact", 21.4, None, "件/万人"),
    (2020, "level", "actual", "exact", 2, None, "年"),  # the streak (连续两年) is a fact, as cx24-032
    (2020, "rank", "actual", "exact", 5, None, "位次"),
    (2023, "yoy_pct", "target", "at_least", 12, None, "%"),
    (2023, "level", "target", "exact", 3, None, "%"),
    (2023, "level", "target", "at_least", 4.5, None, "%"),
    (2023, "level", "target", "at_least", 2500, None, "家"),
    (2023, "level", "target", "approx", 6000, None, "家"),
    (2023, "level", "target", "range", 10, 15, "家"),
    (2023, "level", "target", "exact", 8, None, "家"),
    (2023, "level", "target", "at_least", 300, None, "家"),
    (2023, "level", "target", "exact", 20, None, "家"),
    (2023, "level", "target", "exact", 150, None, "亿元"),
    (2023, "pp_change", "target", "exact", 5, None, "个百分点"),
    (2023, "level", "target", "exact", 20, None, "个"),
    (2023, "level", "target", "at_least", 1000, None, "名"),
    (2023, "level", "target", "exact", 10, None, "亿元"),
    (2023, "yoy_pct", "target", "exact", 15, None, "%"),
    (2021, "level", "estimate", "exact", 1800, None, "家"),
]


def _facts(df: pd.DataFrame) -> list[tuple]:
    out = []
    for _, r in df.iterrows():
        high = None if pd.isna(r["value_high"]) else float(r["value_high"])
        out.append((int(r["year"]), r["measure"], r["status"], r["qualifier"], float(r["value"]), high, r["unit"]))
    return out


def _expected() -> list[tuple]:
    return [(y, m, s, q, float(v), None if h is None else float(h), u) for y, m, s, q, v, h, u in FIXTURE_FACTS]


def test_fixture_report_gives_exactly_the_facts_a_reader_takes() -> None:
    df = extract(FIXTURE, region="qingxi")
    assert _facts(df) == _expected()


def test_plan_fixture_background_targets_policy_rule_and_table() -> None:
    df = extract(PLAN_FIXTURE)
    assert _facts(df) == [(y, m, s, q, float(v), None if h is None else float(h), u) for y, m, s, q, v, h, u in PLAN_FACTS]
    assert "section '一、发展基础'" in df.attrs["document"]
    table_restated = df[df["restated_at"].notna()]
    assert sorted(table_restated["value"].tolist()) == [3.0, 2500.0]


def test_columns_types_and_metadata() -> None:
    df = extract(FIXTURE, region="qingxi")
    assert list(df.columns) == CANDIDATE_COLUMNS
    assert (df["region"] == "qingxi").all()
    assert (df["source_id"] == "qingxi-2019-summary-2020-plan").all()
    assert df["obs_id"].isna().all() and df["indicator"].isna().all()
    assert str(df["value"].dtype) == "Float64" and str(df["year"].dtype) == "Int64"
    assert df.attrs["encoding"] == "utf-8"
    assert df.attrs["report_year"] == 2019
    assert "summary_and_plan" in df.attrs["document"] and "2020年工作计划" in df.attrs["document"]
    row = df[df["unit"] == "亿元"].iloc[0]
    assert row["value_std"] == pytest.approx(12.6e8) and row["unit_std"] == "CNY"


def test_evidence_is_verbatim_at_its_offsets_and_holds_the_value() -> None:
    text = FIXTURE.read_text(encoding="utf-8")
    df = extract(text)
    for _, r in df.iterrows():
        assert text[r["evidence_start"]:r["evidence_end"]] == r["evidence"]
        assert r["evidence_start"] <= r["value_start"] < r["value_end"] <= r["evidence_end"]
        line_start = text.rfind("\n", 0, r["value_start"]) + 1
        assert text.count("\n", 0, r["value_start"]) + 1 == r["line"]
        assert r["value_start"] - line_start + 1 == r["column"]


def test_traditional_text_keeps_its_characters_and_offsets() -> None:
    text = "科技創新指數躍居全省第七。有效高新技術企業數達994家,完成規上工業企業研發費用84.2億元。"
    df = extract(text, year=2024)
    assert list(df["evidence"]) == ["科技創新指數躍居全省第七", "有效高新技術企業數達994家", "完成規上工業企業研發費用84.2億元"]
    assert list(df["unit"]) == ["位次", "家", "亿元"]  # the unit code; the evidence keeps 億元
    assert df.iloc[1]["label_zh"] == "有效高新技術企業數"
    for _, r in df.iterrows():
        assert text[r["evidence_start"]:r["evidence_end"]] == r["evidence"]


def test_full_width_digits_are_read_and_offsets_point_into_the_original() -> None:
    text = "发明专利授权量达２，８３２件,同比增长２６．１％。"
    df = extract(text)
    assert list(df["value"]) == [2832.0, 26.1]
    assert list(df["unit"]) == ["件", "%"]
    first = df.iloc[0]
    assert text[first["value_start"]:first["value_end"]] == "２，８３２"
    assert unicodedata.normalize("NFKC", df.iloc[1]["evidence"]).endswith("26.1%")


def test_year_in_the_clause_wins_over_the_report_year() -> None:
    df = extract("全市享受2013年度研发加计扣除企业1164家,减免所得税31.76亿元。全年新认定企业46家。", year=2014)
    assert list(df["year"]) == [2013, 2013, 2014]


def test_report_year_inferred_from_the_title() -> None:
    df = extract("某市科技局2016年工作总结\n全年新认定高新技术企业46家。")
    assert list(df["year"]) == [2016]
    assert df.attrs["title"] == "某市科技局2016年工作总结"


def test_a_plan_gives_targets_with_the_horizon_year() -> None:
    text = "某市科技创新行动方案\n到2022年,建成研究院20家。推动100家企业实施数字化改造。"
    df = extract(text)
    assert list(df["status"]) == ["target", "target"]
    assert list(df["year"]) == [2022, 2022]


@pytest.mark.parametrize(("title", "years"), [
    ("某市科技局2025年工作总结和2026年工作思路", [2025, 2027, 2026, 2026]),  # the year's plan
    ("某市科技创新三年行动计划(2026—2028年)", [2025, 2027, 2027, 2027]),  # a plan over years
], ids=["year's plan", "plan over years"])
def test_targets_without_a_year_are_for_the_plan_s_year_unless_it_spans_years(title, years) -> None:
    """A year's work plan that also names a later target (力争到2027年…) keeps its own year for the
    targets that write none; a plan over several years, or one whose year is not written, sets them
    for its horizon."""
    text = (f"{title}\n一、2025年工作总结\n全年新认定高新技术企业180家。\n二、2026年工作思路\n"
            "力争到2027年研发经费投入强度达到3.5%。重点做好以下几个方面:\n"
            "1、新认定高新技术企业200家以上,新增科技型中小企业500家左右。\n")
    df = extract(text, year=2025)
    assert list(df["year"]) == years
    assert list(df["status"]) == ["actual", "target", "target", "target"]


def test_a_plan_that_writes_no_year_of_its_own_sets_its_targets_for_its_horizon() -> None:
    text = ("某市关于印发科技成果转化实施方案的通知\n一、主要目标\n力争到2027年研发经费投入强度达到3.5%。\n"
            "二、重点任务\n1、新认定高新技术企业200家以上。\n")
    df = extract(text, year=2025)
    assert list(zip(df["status"], df["year"], strict=True)) == [("target", 2027), ("target", 2027)]


def test_a_change_from_one_year_s_value_to_another_s_dates_both_and_sets_no_target() -> None:
    """从2017年的…增加到2022年的…: each value has its year, and 到2022年的 after 增加 is no target."""
    text = ("某市科技局2022年工作总结\n全社会研发经费支出从2017年的114.6亿元增加到2022年的231.5亿元,年均增长15.1%。\n"
            "技术合同成交额由2017年的31.2亿元提高到2022年的128.6亿元。到2025年,技术合同成交额突破200亿元。\n")
    df = extract(text)
    assert list(zip(df["value"], df["status"], df["year"], strict=True)) == [
        (114.6, "actual", 2017), (231.5, "actual", 2022), (15.1, "actual", 2022),
        (31.2, "actual", 2017), (128.6, "actual", 2022), (200.0, "target", 2025)]


@pytest.mark.parametrize("gap", ["\t", "  "], ids=["tabs", "two spaces"])
def test_a_table_written_a_row_per_line_gives_a_value_per_cell_dated_by_its_column(gap) -> None:
    """A table pasted with its cells apart by tabs (or spaced out): each value cell is a candidate with
    the unit of its row's label, the year and status of its column's header, and evidence running
    from the label to the cell; the row numbers are not values."""
    rows = [["序号", "指标", "2025年完成", "2026年目标", "责任单位"],
            ["1", "研发经费投入强度（%）", "3.28", "3.4", "市科技局"],
            ["2", "有效高新技术企业（家）", "986", "1050", "市科技局、市财政局"],
            ["3", "每万人高价值发明专利拥有量(件)", "9.6", "10.5", "市市场监管局"]]
    text = "某市科技局2025年工作总结和2026年工作思路\n附件:主要指标\n" + "\n".join(gap.join(r) for r in rows) + "\n"
    df = extract(text, year=2025)
    assert list(zip(df["value"], df["unit"], df["status"], df["year"], df["label_zh"], strict=True)) == [
        (3.28, "%", "actual", 2025, "研发经费投入强度"), (3.4, "%", "target", 2026, "研发经费投入强度"),
        (986.0, "家", "actual", 2025, "有效高新技术企业"), (1050.0, "家", "target", 2026, "有效高新技术企业"),
        (9.6, "件/万人", "actual", 2025, "每万人高价值发明专利拥有量"),
        (10.5, "件/万人", "target", 2026, "每万人高价值发明专利拥有量")]
    assert df["evidence"].iloc[1] == gap.join(["研发经费投入强度（%）", "3.28", "3.4"])


@pytest.mark.parametrize(("rows", "expected"), [
    (["指标\t单位\t2023年实际\t2024年目标", "新增孵化器\t家\t4\t5"],  # a unit column
     [(4.0, "家", "actual", 2023), (5.0, "家", "target", 2024)]),
    (["指标\t2023年实际\t2024年目标", "研发经费投入强度\t3.28%\t3.4%"],  # units in the cells
     [(3.28, "%", "actual", 2023), (3.4, "%", "target", 2024)]),
    (["指标\t2023年实际\t2024年目标", "新增孵化器（家）\t\t5", "新型研发机构（家）\t—\t—",
      "高新技术企业（家）\t1200\t1350"],  # an empty cell, a row of dashes
     [(5.0, "家", "target", 2024), (1200.0, "家", "actual", 2023), (1350.0, "家", "target", 2024)]),
    (["指标\t2024\t2025", "", "高新技术企业（家）\t1200\t1350"],  # bare years, a blank line; 2025 is ahead
     [(1200.0, "家", "actual", 2024), (1350.0, "家", "target", 2025)]),
    (["指标\t2024年\t同比增长（%）\t全省排名", "规上工业企业研发费用（亿元）\t120.5\t15.6\t3"],
     [(120.5, "亿元", "actual", 2024), (15.6, "%", "actual", 2024)]),  # the growth column a growth rate,
    (["项目\t2024年（亿元）\t2025年目标（亿元）", "规上工业企业研发费用\t120.5\t130"],  # the rank left out
     [(120.5, "亿元", "actual", 2024), (130.0, "亿元", "target", 2025)]),  # units in the header
], ids=["unit column", "units in cells", "empty and dash cells", "bare years", "change and rank columns",
        "units in the header"])
def test_table_rows_in_other_layouts(rows, expected) -> None:
    df = extract("某市科技局2024年工作总结\n附件:主要指标\n" + "\n".join(rows) + "\n", year=2024)
    assert list(zip(df["value"], df["unit"], df["status"], df["year"], strict=True)) == expected
    assert set(df["label_zh"]) == {"新型研发机构", "新增孵化器", "高新技术企业", "研发经费投入强度",
                                   "规上工业企业研发费用"} & set(df["label_zh"])  # labels without their units
    growth = df[df["measure"] == "yoy_pct"]
    assert list(growth["value"]) == ([15.6] if "同比增长" in rows[0] else [])


def test_a_spaced_out_line_without_a_header_is_no_table() -> None:
    text = "某市科技局2025年工作总结\n研发经费投入强度（%）  3.28\n"
    assert extract(text).empty


def test_each_line_is_split_into_table_cells_once_however_many_numbers_it_holds(monkeypatch) -> None:
    """A line is read as a table row once, not once per number on it: a long spaced-out line of
    prose would otherwise cost time growing with the square of its length."""
    from cityscience.extract import core

    calls: list[int] = []
    cells = core.row_cells
    monkeypatch.setattr(core, "row_cells", lambda line, offset: calls.append(offset) or cells(line, offset))
    lines = ["指标\t2024年\t2025年目标", "高新技术企业（家）\t1200\t1350", "新增孵化器（家）\t4\t5",
             "".join(f"全年新增企业{i}家  " for i in range(10, 310))]
    df = extract("某市科技局2024年工作总结\n" + "\n".join(lines) + "\n", year=2024)
    assert list(df["value"][:4]) == [1200.0, 1350.0, 4.0, 5.0]
    assert len(df) == 4 + 300  # the numbers of the long line are read too
    assert sorted(calls) == sorted(set(calls)) and len(calls) <= len(lines)


def test_a_shortfall_against_a_target_reads_the_actual_and_the_target() -> None:
    """对照年度目标 compares an actual with the year's target (no target cue); 75%的目标 is that target,
    of the same indicator; 不足三成 is at most 30%."""
    text = ("某市科技局2025年工作总结\n二、存在的不足\n对照年度目标,全市规上工业企业研发机构覆盖率为71.4%,"
            "距离75%的目标仍有差距;青年人才占比不足三成。\n")
    df = extract(text, year=2025)
    assert list(zip(df["value"], df["status"], df["qualifier"], df["label_zh"], strict=True)) == [
        (71.4, "actual", "exact", "全市规上工业企业研发机构覆盖率"),
        (75.0, "target", "exact", "全市规上工业企业研发机构覆盖率"), (3.0, "actual", "at_most", "青年人才占比")]


@pytest.mark.parametrize(("sentence", "expected"), [
    ("研发投入强度由2023年的3.1%提高到2026年的3.5%。", [(3.1, "actual", 2023), (3.5, "target", 2026)]),
    ("全市研发投入达3.1%,对照年度目标3.3%仍有差距。", [(3.1, "actual", 2024), (3.3, "target", 2024)]),
    ("已完成全年85%的目标。", [(85.0, "actual", 2024)]),
    ("梳理形成120家的目标企业清单。", [(120.0, "actual", 2024)]),
], ids=["rise to a year ahead", "the target named", "a completion share", "目标企业"])
def test_targets_near_a_change_or_a_target_word(sentence, expected) -> None:
    df = extract("某市科技局2024年工作总结\n" + sentence, year=2024)
    assert list(zip(df["value"], df["status"], df["year"], strict=True)) == expected


def test_what_this_year_is_to_bring_is_a_target_without_the_modal_in_its_label() -> None:
    """今年要…, 今年将… in a report written during its year (a speech, a mid-year summary) set targets
    for that year; 今年以来… and a bare 今年新增… report what happened."""
    text = ("某县科技局2024年上半年工作总结\n今年以来,新增科技型中小企业230家。"
            "今年要实现全社会研发投入增长10%。今年将新建省级企业研究院20家。今年力争新增孵化器5家。\n")
    df = extract(text)
    assert list(zip(df["value"], df["status"], df["year"], df["label_zh"], strict=True)) == [
        (230.0, "actual", 2024, "新增科技型中小企业"), (10.0, "target", 2024, "全社会研发投入"),
        (20.0, "target", 2024, "新建省级企业研究院"), (5.0, "target", 2024, "新增孵化器")]


@pytest.mark.parametrize("verb", ["提高到", "提升至", "扩大到", "增加至"])
def test_a_verb_of_rising_to_a_level_leaves_the_label(verb) -> None:
    df = extract(f"某市科技局2025年工作要点\n研发经费投入强度{verb}3.2%。\n")
    assert list(zip(df["label_zh"], df["value"], df["status"], strict=True)) == [("研发经费投入强度", 3.2, "target")]


@pytest.mark.parametrize("plan_heading", ["二、下半年工作打算", "二、下一步工作打算"])
def test_a_mid_year_summary_s_plan_is_for_its_year(plan_heading) -> None:
    text = f"某县科技局2024年上半年工作总结\n一、上半年工作\n1-6月新增企业230家。\n{plan_heading}\n确保全年新增企业450家以上。\n"
    df = extract(text)
    assert list(zip(df["status"], df["year"], strict=True)) == [("actual", 2024), ("target", 2024)]


def test_a_mid_year_report_plans_the_rest_of_its_own_year() -> None:
    text = ("某县科技局2024年上半年工作总结和下半年工作打算\n一、上半年主要工作\n1-6月新增科技型中小企业230家。\n"
            "二、下半年工作打算\n确保全年新增科技型中小企业450家以上。\n")
    df = extract(text)
    assert list(zip(df["status"], df["year"], strict=True)) == [("actual", 2024), ("target", 2024)]


def test_plan_part_without_heading_starts_at_the_first_forward_looking_paragraph() -> None:
    text = ("某市科技局2015年工作总结和2016年工作思路\n"
            "2015年,全市新认定高新技术企业311家,专利授权46254件。\n"
            "力争全年新认定高新技术企业150家以上,专利授权5万件。\n")
    df = extract(text)
    assert list(zip(df["status"], df["year"], strict=True)) == [
        ("actual", 2015), ("actual", 2015), ("target", 2016), ("target", 2016)]


def test_a_fact_stated_twice_is_one_row_with_both_offsets() -> None:
    text = "全年实现高新技术产业增加值1212.6亿元,增长9.8%。\n其中,实现高新技术产业增加值1212.6亿元,占比41.77%。"
    df = extract(text)
    row = df[df["value"] == 1212.6]
    assert len(row) == 1
    second = text.rindex("1212.6")
    assert row.iloc[0]["restated_at"] == str(second)


def test_same_value_for_different_things_stays_two_rows() -> None:
    df = extract("新认定市级众创空间20家以上;新认定农业科技企业20家以上。")
    assert list(df["value"]) == [20.0, 20.0]


def test_table_cell_takes_its_unit_from_the_row_heading() -> None:
    text = "附件1\n主要指标\n序号\n|\n指标\n|\n目标\n1\n|\n全社会研发经费支出(单位:亿元)\n|\n350\n|\n"
    df = extract(text, year=2020)
    assert _facts(df)[0][4:] == (350.0, None, "亿元")
    assert df.iloc[0]["label_zh"] == "全社会研发经费支出"


@pytest.mark.parametrize(("heading", "measure", "value"), [
    ("全社会研发经费支出增长", "yoy_pct", 15.0), ("技术交易额增长率", "yoy_pct", 15.0), ("能耗下降", "yoy_pct", -15.0),
    ("研发经费支出占GDP比重", "level", 15.0)])
def test_a_table_cell_in_percent_under_a_growth_heading_is_a_growth_rate(heading, measure, value) -> None:
    df = extract(f"附件1\n序号\n|\n指标\n|\n目标\n1\n|\n{heading}(单位:%)\n|\n15\n|\n", year=2020)
    assert df[["measure", "value", "unit"]].values.tolist() == [[measure, value, "%"]]


def test_table_with_windows_line_ends() -> None:
    text = "附件1\r\n序号\r\n|\r\n指标\r\n|\r\n目标\r\n1\r\n|\r\n全社会研发经费支出(单位:亿元)\r\n|\r\n350\r\n|\r\n"
    df = extract(text, year=2020)
    assert df[["value", "unit", "label_zh"]].values.tolist() == [[350.0, "亿元", "全社会研发经费支出"]]


def test_unit_dropped_by_damaged_text_is_inferred_with_low_confidence() -> None:
    df = extract("引导基金规模累计达到60亿元。基金规模累计达到50三是扩大合作。")
    last = df.iloc[-1]
    assert (last["value"], last["unit"]) == (50.0, "亿元")
    assert last["confidence"] < 0.6 and "no unit written" in last["reason"]


def test_stock_and_flow_marked_in_kind() -> None:
    df = extract("新认定省级研发中心84家,累计达517家。")
    assert list(df["kind"]) == ["flow", "stock"]


def test_empty_text_gives_an_empty_frame_with_the_columns() -> None:
    df = extract("")
    assert df.empty and list(df.columns) == CANDIDATE_COLUMNS


@pytest.mark.parametrize(("content", "what"), [(b"", "empty"), (b" \n\t\r\n", "only white space"),
                                               ("\u3000\n".encode("utf-8"), "only white space")])
def test_a_file_without_text_is_refused_not_read_as_a_report_without_facts(tmp_path: Path, content, what) -> None:
    path = tmp_path / "report.txt"
    path.write_bytes(content)
    for given in (path, content):
        with pytest.raises(ExtractError, match=f"the file is {what}; expected the text of a report"):
            extract(given)
    assert main(["extract", str(path), "-o", str(tmp_path / "c.csv")]) == 1
    assert not (tmp_path / "c.csv").exists()


# -- input handling ------------------------------------------------------------------------------------

def test_gb18030_file_is_detected_and_gives_the_same_candidates(tmp_path: Path) -> None:
    gbk = tmp_path / "report-gbk.txt"
    gbk.write_bytes(FIXTURE.read_text(encoding="utf-8").encode("gb18030"))
    df = extract(gbk)
    assert df.attrs["encoding"] == "gb18030"
    assert _facts(df) == _expected()


def test_utf8_bom_is_accepted(tmp_path: Path) -> None:
    path = tmp_path / "bom.txt"
    path.write_bytes(b"\xef\xbb\xbf" + FIXTURE.read_bytes())
    df = extract(path)
    assert df.attrs["encoding"] == "utf-8-sig"
    assert _facts(df) == _expected()


def test_big5_is_detected_and_reads_like_the_same_text_in_utf8(tmp_path: Path) -> None:
    text = "慈溪市科技局2019年工作總結\n有效高新技術企業數達994家,預期全年有效數預計可突破千家大關。\n"
    path = tmp_path / "big5.txt"
    path.write_bytes(text.encode("big5"))
    df = extract(path)
    assert df.attrs["encoding"] == "big5"
    assert df[["value", "status", "year"]].values.tolist() == extract(text)[["value", "status", "year"]].values.tolist()
    assert df["evidence"].tolist() == ["有效高新技術企業數達994家", "預期全年有效數預計可突破千家大關"]


def test_other_east_asian_encodings_are_rejected_with_a_message_naming_them(tmp_path: Path) -> None:
    # Shift-JIS bytes decode as GB18030 and EUC-KR bytes as Big5 without an error: both are refused.
    for codec, text, name in [("shift_jis", "東京都の科学技術予算は前年比で増加しました。", "CP932"),
                              ("euc_kr", "서울시 과학기술 예산은 전년 대비 증가했습니다.", "CP949")]:
        path = tmp_path / f"{codec}.txt"
        path.write_bytes((text * 5).encode(codec))
        with pytest.raises(ExtractError) as err:
            extract(path)
        message = str(err.value)
        assert str(path) in message and name in message and "UTF-8" in message and "line 1" in message


def test_binary_is_rejected(tmp_path: Path) -> None:
    path = tmp_path / "image.txt"
    path.write_bytes(bytes(range(256)) * 4)
    with pytest.raises(ExtractError, match="expected UTF-8"):
        extract(path)


def test_encoding_can_be_forced(tmp_path: Path) -> None:
    path = tmp_path / "big5.txt"
    path.write_bytes("發明專利授權量達2832件。".encode("big5"))
    df = extract(path, encoding="big5")
    assert list(df["value"]) == [2832.0]


def test_missing_file_and_wrong_types_fail_clearly(tmp_path: Path) -> None:
    with pytest.raises(ExtractError, match="no such file"):
        extract(tmp_path / "nope.txt")
    with pytest.raises(ExtractError, match="no such file"):
        extract(str(tmp_path / "nope.txt"))
    with pytest.raises(TypeError, match="text, bytes or a path"):
        extract(42)  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="year must be an int"):
        extract("全年新认定企业46家。", year="2014")  # type: ignore[arg-type]


def test_text_path_and_bytes_inputs_agree() -> None:
    text = FIXTURE.read_text(encoding="utf-8")
    by_text = extract(text)
    by_path = extract(str(FIXTURE))
    by_bytes = extract(FIXTURE.read_bytes())
    assert _facts(by_text) == _facts(by_path) == _facts(by_bytes)
    assert read_report(text).source == "<text>"


# -- agreement with the project's codebook ----------------------------------------------------------

CODEBOOK_UNITS = Path(__file__).resolve().parents[1] / "data" / "codebook" / "units.csv"


def test_units_proposed_for_the_raw_documents_are_in_the_codebook() -> None:
    codebook = set(pd.read_csv(CODEBOOK_UNITS, dtype=str)["unit"])
    raw = Path(__file__).resolve().parents[1] / "data" / "raw"
    for path in sorted(raw.glob("*.txt")):
        assert set(extract(path)["unit"]) <= codebook, path.name


def test_docstring_examples_hold() -> None:
    import doctest

    from cityscience import numbers, provenance, textnorm
    from cityscience.extract import core, quantities

    for module in (core, quantities, numbers, textnorm, provenance):
        result = doctest.testmod(module)
        assert result.attempted and not result.failed, module.__name__


def test_a_year_in_a_time_clause_ending_in_hou_dates_only_that_clause() -> None:
    df = extract("继2021年省级众创空间“破零”后,实现省级科技企业孵化器“再破零”。", year=2024)
    assert df[["value", "year", "label_zh"]].values.tolist() == [[1.0, 2021, "继2021年省级众创空间"],
                                                                [1.0, 2024, "省级科技企业孵化器"]]


@pytest.mark.parametrize("first", ["", "import cityscience.report", "import cityscience.extract"])
def test_cs_extract_is_callable_every_time_whatever_was_imported_first(first):
    """``cityscience.extract`` is both the subpackage and the function the README documents as cs.extract."""
    code = (f"{first}\nimport cityscience as cs\n"
            "t = '研发投入185亿元。'\n"
            "print(len(cs.extract(t, region='ningbo', year=2015)), len(cs.extract(t, region='ningbo', year=2015)))\n"
            "print(cs.extract.extract is cs.extract.core.extract)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=False)
    assert out.returncode == 0, out.stderr
    assert out.stdout.split() == ["1", "1", "True"]
