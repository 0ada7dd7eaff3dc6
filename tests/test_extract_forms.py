"""Forms of numbers that the extractor and the validator must read alike (issue 12).

百分之二十 is 20 %, 1/3 and 三分之一 are fractions, 1.2万亿元 is 1.2 × 10¹² yuan: the
extractor proposes them with those values, and ``find_numbers``/``value_in_text`` read the
same values from the evidence, so that an accepted row validates and accounting stays
complete. Round trips are property-based: any amount written in these forms reads back.
"""

from __future__ import annotations

import math
from decimal import Decimal
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cityscience.extract import extract
from cityscience.numbers import find_numbers, parse_decimal_numeral
from cityscience.validate import candidate_values, check, value_in_text
from minidata import make_data
from numerals import DIGITS, below_10k

SETTINGS = settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def chinese_below_100(n: int) -> str:
    """1..99 in Chinese numerals as reports write a percentage (二十, 十五, 六十七)."""
    tens, ones = divmod(n, 10)
    head = "" if not tens else ("十" if tens == 1 else DIGITS[tens] + "十")
    return head + (DIGITS[ones] if ones else "") if n >= 10 else DIGITS[n]


def read_one(text: str):
    df = extract(text, year=2020)
    assert len(df) == 1, (text, df[["value", "unit"]].values.tolist())
    return df.iloc[0]


@SETTINGS
@given(n=st.integers(min_value=1, max_value=99), decimal=st.sampled_from(["", "点五", "点二五"]),
       arabic=st.booleans(), verb=st.sampled_from([("达到", "level"), ("增长", "yoy_pct")]))
def test_percent_written_out_reads_back_in_extractor_and_validator(n: int, decimal: str, arabic: bool,
                                                                   verb: tuple[str, str]) -> None:
    value = n + {"": 0, "点五": 0.5, "点二五": 0.25}[decimal]
    written = (f"{value:g}" if arabic else chinese_below_100(n) + decimal)
    text = f"全市研发投入强度{verb[0]}百分之{written}。"
    row = read_one(text)
    assert (row["value"], row["unit"], row["unit_std"], row["measure"]) == (value, "%", "percent", verb[1])
    assert math.isclose(row["value_std"], value)
    assert value_in_text(value, row["evidence"])
    assert [t.kind for t in find_numbers(text)] == ["percent"]


@SETTINGS
@given(num=st.integers(min_value=1, max_value=9), extra=st.integers(min_value=1, max_value=20),
       slash=st.booleans(), qualifier=st.sampled_from([("约占", "", "approx"), ("占", "以上", "at_least"),
                                                       ("占", "", "exact")]))
def test_fractions_read_back_in_extractor_and_validator(num: int, extra: int, slash: bool,
                                                        qualifier: tuple[str, str, str]) -> None:
    den = num + extra
    pre, post, code = qualifier
    written = f"{num}/{den}" if slash else f"{chinese_below_100(den)}分之{chinese_below_100(num)}"
    text = f"高新技术企业数量{pre}全省的{written}{post}。"
    row = read_one(text)
    assert math.isclose(row["value"], num / den) and (row["unit"], row["qualifier"]) == ("分之", code)
    assert math.isclose(row["value_std"], 100 * num / den)
    assert value_in_text(num / den, row["evidence"])
    assert [t.kind for t in find_numbers(text)] == ["fraction"]


@SETTINGS
@given(d=st.decimals(min_value=Decimal("0.1"), max_value=Decimal("99.9"), places=1))
def test_a_decrease_is_stated_as_a_negative_change(d: Decimal) -> None:
    text = f"发明专利授权量同比下降{d}%。"
    row = read_one(text)
    assert row["value"] == -float(d) and row["measure"] == "yoy_pct"
    assert value_in_text(-float(d), row["evidence"]) and value_in_text(float(d), row["evidence"])


def test_find_numbers_forms() -> None:
    found = [(t.text, round(t.value, 4), t.kind) for t in find_numbers("约占1/3,增长百分之二十点五,三分之一以上,百分之20")]
    assert found == [("1/3", 0.3333, "fraction"), ("百分之二十点五", 20.5, "percent"),
                     ("三分之一", 0.3333, "fraction"), ("百分之20", 20.0, "percent")]
    # Not fractions: dates and codes with slashes, an improper or zero ratio, 个百分点.
    assert [t.text for t in find_numbers("2019/12/01, 10/20/30, 5/3, 0/7, 提高2个百分点")] == [
        "2019", "12", "01", "10", "20", "30", "5", "3", "0", "7", "2"]
    assert candidate_values("十分之一") == [0.1]
    assert value_in_text(2, "比2015年翻了一番") and value_in_text(4, "五年翻了两番")
    assert parse_decimal_numeral("十二点五") == 12.5 and parse_decimal_numeral("十二点") is None


def test_the_validator_accepts_what_the_extractor_proposes_for_the_new_forms() -> None:
    text = ("全市规上工业营业收入首次突破1.2万亿元;高新技术企业约占全省的1/3;财政科技支出增长百分之二十;"
            "排名较上年提高49位;发明专利授权量同比下降3.2%;设立子基金16只。")
    df = extract(text, year=2020)
    assert df[["unit", "unit_std", "measure"]].values.tolist() == [
        ["万亿元", "CNY", "level"], ["分之", "percent", "level"], ["%", "percent", "yoy_pct"],
        ["位", "rank", "rank_change"], ["%", "percent", "yoy_pct"], ["只", pd.NA, "level"]]
    assert df["value_std"].iloc[0] == 1.2e12
    for _, r in df.iterrows():
        assert value_in_text(float(r["value"]), r["evidence"]), (r["value"], r["evidence"])


def test_the_codebook_units_of_the_new_forms_validate_rank_change_rows() -> None:
    from cityscience.load import validated
    from cityscience.units import read_units
    from cityscience.validate import measure_units

    units = {r.unit: r for r in read_units()}
    assert (units["万亿元"].unit_std, units["万亿元"].factor, units["万亿元"].extract) == ("CNY", 1e12, "direct")
    assert (units["位"].unit_std, units["位"].extract) == (measure_units(validated())["rank_change"], "rule")


_SCALES = {"万亿": 1e12, "亿": 1e8, "万": 1e4, "千": 1e3}


@SETTINGS
@given(n=st.integers(min_value=1, max_value=9999), decimals=st.integers(min_value=0, max_value=2),
       scale=st.sampled_from(list(_SCALES)), chinese=st.booleans(), yuan=st.booleans())
def test_money_in_万亿_亿_万_千_reads_back_in_extractor_and_validator(n: int, decimals: int, scale: str,
                                                                   chinese: bool, yuan: bool) -> None:
    if scale == "千" and not yuan:
        yuan = True  # 5千 alone is not money; 5千元 is
    if chinese:
        decimals = 0
        if scale == "千":
            scale = "万"  # in Chinese numerals 五千元 is the number 5000, not a scale of 元
        if n < 10 and scale != "万亿":
            n += 10  # 一万元 and 三千元 are fine, but keep clear of 一 and 二 before a classifier
    value = Decimal(n) / 10 ** decimals
    written = below_10k(n) if chinese else format(value.normalize(), "f")
    text = f"全年技术合同成交额{written}{scale}{'元' if yuan else ''},同比增长12%。"
    df = extract(text, year=2020)
    row = df.iloc[0]
    assert (row["unit"], row["unit_std"]) == (f"{scale}元", "CNY"), (text, row["unit"])
    assert math.isclose(row["value"], float(value)) and math.isclose(row["value_std"], float(value) * _SCALES[scale])
    assert value_in_text(float(row["value"]), row["evidence"])


def test_every_candidate_of_the_reports_states_its_value_in_its_evidence() -> None:
    from cityscience.extract.reading import read_report

    root = Path(__file__).parent / "fixtures"
    for path in sorted([*root.glob("*.txt"), *(root / "heldout").glob("*.txt")]):
        text = read_report(path).text
        for _, r in extract(path).iterrows():
            assert text[r["evidence_start"]:r["evidence_end"]] == r["evidence"]
            assert r["evidence_start"] <= r["value_start"] < r["value_end"] <= r["evidence_end"]
            assert value_in_text(float(r["value"]), r["evidence"]), (path.name, r["value"], r["evidence"])


def test_rows_the_extractor_proposes_for_the_new_forms_validate_as_curated_data(tmp_path) -> None:
    """Accepted as they come (value, unit, measure, evidence), the new forms pass validation and
    accounting: rank_change in 位, 万亿元, a fraction 1/3, 百分之二十, a decrease."""
    raw = ("示例市科技局2014年工作总结\n一是排名较上年提高49位,居全省第3位;研发投入首次突破1.2万亿元,"
           "约占全省的1/3;发明专利申请量增长百分之二十,授权量同比下降3.2%。\n")
    df = extract(raw, region="ningbo", year=2014)
    indicator = {"level": "rd_expenditure", "rank": "tech_auctions", "rank_change": "tech_auctions",
                 "yoy_pct": "invention_patent_applications"}
    rows = []
    for i, r in enumerate(df.itertuples(), start=1):
        code = "rd_intensity_gdp" if r.unit == "分之" else indicator[r.measure]
        rows.append([f"t-{i:03d}", "demo", "ningbo", str(r.year), code, r.label_zh, r.measure, r.status,
                     r.qualifier, repr(float(r.value)).removesuffix(".0"), "", r.unit, r.evidence, "", ""])
    assert [row[11] for row in rows] == ["位", "位次", "万亿元", "分之", "%", "%"]
    checked = check(make_data(tmp_path, raw_text=raw, obs_rows=rows))
    assert [str(p) for p in checked.problems] == []


# One sentence for each word that makes a number negative (the word it is for, third; "" for a list that carries
# the sign on), and for each way the extractor carries a sign on: what it drafts negative, validation must accept
# from the same evidence (an unedited draft validates).
NEGATIVE_CASES = [
    ("专利授权同比下降了3%。", [-3.0], "下降"),
    ("研发投入下降率为3%。", [-3.0], "下降率"),
    ("技术合同成交额回落了4.5%。", [-4.5], "回落"),
    ("科技型企业数量较上年下滑2.1%。", [-2.1], "下滑"),
    ("规上工业研发费用同比降低1.8%。", [-1.8], "降低"),
    ("新增企业比上年同期减少了12家。", [-12.0], "减少"),
    ("高新技术企业比上年少5家。", [-5.0], "少"),
    ("与全省平均水平的差距缩小2个百分点。", [-2.0], "缩小"),
    ("全省排名后移2位。", [-2.0], "后移"),
    ("全省排名较上年后退3位。", [-3.0], "后退"),
    ("研发强度比全省低0.5个百分点。", [-0.5], "低"),
    ("增速慢于全省1.2个百分点。", [-1.2], "慢"),
    ("发明专利授权量同比分别下降3.2%和1.5%。", [-3.2, -1.5], ""),
    ("研发强度和占比分别下降2个百分点和1个百分点。", [-2.0, -1.0], ""),
    ("研发强度分别下降2.3个和1.5个百分点。", [-2.3, -1.5], ""),
    ("两项增速分别比全省低0.5个百分点和0.3个百分点。", [-0.5, -0.3], ""),
]


def test_every_decrease_word_has_a_case():
    from cityscience.numbers import DECREASE_WORDS, LOWER_WORDS

    assert all(word in text for text, _, word in NEGATIVE_CASES)
    assert (DECREASE_WORDS | LOWER_WORDS) - {word for _, _, word in NEGATIVE_CASES} == set()


@pytest.mark.parametrize(("text", "values", "word"), NEGATIVE_CASES)
def test_a_value_drafted_negative_is_accepted_from_its_evidence(text: str, values: list[float], word: str) -> None:
    df = extract(text, year=2020)
    assert df["value"].tolist() == values
    for row in df.itertuples():
        assert value_in_text(row.value, row.evidence), (row.value, row.evidence)
        assert row.value in candidate_values(row.evidence)
    assert candidate_values("至少新增5家,增长至少2%") == [5.0, 2.0]  # 至少 is a bound, not a fall
