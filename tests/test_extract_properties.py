"""Property-based tests: a quantity written in any supported style reads back to the same amount.

Styles: Arabic digits, thousands separators, full-width digits, Chinese
numerals, 万/亿 scaling, qualifiers before or after, ranges. The amount is
compared in the standard unit (value_std, unit_std), because 1.2万家 and
12000家 state the same count in different written units.
"""

from __future__ import annotations

import math
from decimal import Decimal

from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from cityscience.extract import extract
from cityscience.extract.lexicon import LIST_CLASSIFIERS
from cityscience.units import read_units
from numerals import chinese

# What each unit means, read from data/codebook/units.csv by the codebook reader, not the extractor's own
# table (lexicon), so a factor the lexicon gets wrong cannot be on both sides of an assertion.
UNITS = {row.unit: row for row in read_units()}

# Units written directly after a number, with their standard unit and factor.
COUNT_UNITS = ["家", "个", "项", "件", "名", "人", "次", "场", "起", "篇", "家次", "场次", "所", "台", "套"]
OTHER_UNITS = ["亿元", "万元", "元", "万人", "万平方米", "平方米", "万人年", "%", "倍"]
_FULL = str.maketrans("0123456789.,", "０１２３４５６７８９．，")
SETTINGS = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])




def read_one(text: str):
    df = extract(text, year=2020)
    assert len(df) == 1, (text, df[["value", "unit"]].values.tolist())
    return df.iloc[0]


def amount(df_row) -> float:
    return float(df_row["value_std"])


values_int = st.integers(min_value=1, max_value=99_999_999)
values_dec = st.decimals(min_value=Decimal("0.01"), max_value=Decimal("99999"), places=2,
                         allow_nan=False, allow_infinity=False).filter(lambda d: d > 0)


@SETTINGS
@given(n=values_int, unit=st.sampled_from(COUNT_UNITS + OTHER_UNITS),
       style=st.sampled_from(["plain", "separators", "full-width", "full-width separators"]))
def test_arabic_integer_styles_read_back(n: int, unit: str, style: str) -> None:
    written = {"plain": str(n), "separators": f"{n:,}", "full-width": str(n).translate(_FULL),
               "full-width separators": f"{n:,}".translate(_FULL)}[style]
    row = read_one(f"全市登记数量达到{written}{unit}。")
    assert row["value"] == n
    assert row["unit"] == unit
    assert math.isclose(amount(row), n * UNITS[unit].factor)
    assert row["unit_std"] == UNITS[unit].unit_std


@SETTINGS
@given(d=values_dec, unit=st.sampled_from(OTHER_UNITS + ["家", "件"]), full=st.booleans())
def test_decimals_read_back(d: Decimal, unit: str, full: bool) -> None:
    written = format(d.normalize(), "f")
    assume("." in written)
    if full:
        written = written.translate(_FULL)
    row = read_one(f"实现总量{written}{unit}。")
    assert math.isclose(float(row["value"]), float(d))
    assert math.isclose(amount(row), float(d) * UNITS[unit].factor)


@SETTINGS
@given(n=st.integers(min_value=2, max_value=999_999_999), unit=st.sampled_from(["家", "名", "场", "件", "万元", "亿元"]))
def test_chinese_numerals_read_back(n: int, unit: str) -> None:
    assume(not (n < 10 and unit in LIST_CLASSIFIERS))
    if unit in {"万元", "亿元"}:
        n = n % 10_000 or 1  # 三千五百万元: the number of 万 is below 10000
        assume(n >= 2)
    written = chinese(n)
    row = read_one(f"全年累计服务{written}{unit}。")
    assert math.isclose(amount(row), n * UNITS[unit].factor), written


@SETTINGS
@given(n=st.integers(min_value=1, max_value=99_999), scale=st.sampled_from(["万", "亿"]),
       decimals=st.integers(min_value=0, max_value=2), base=st.sampled_from(["元", "家", "人"]))
def test_wan_and_yi_scaling_reads_back(n: int, scale: str, decimals: int, base: str) -> None:
    assume(not (scale == "亿" and base != "元"))
    value = Decimal(n) / (10 ** decimals)
    written = format(value.normalize(), "f")
    row = read_one(f"实现总量{written}{scale}{base}。")
    factor = {"万": 1e4, "亿": 1e8}[scale]
    assert math.isclose(amount(row), float(value) * factor)
    assert row["unit"] == scale + base


@SETTINGS
@given(n=st.integers(min_value=1, max_value=100_000), unit=st.sampled_from(["家", "项", "亿元", "%"]),
       qualifier=st.sampled_from([("近", "", "approx"), ("约", "", "approx"), ("", "左右", "approx"),
                                  ("", "以上", "at_least"), ("超过", "", "at_least"), ("突破", "", "at_least"),
                                  ("不超过", "", "at_most"), ("", "以内", "at_most"), ("", "", "exact")]))
def test_qualifiers_read_back(n: int, unit: str, qualifier: tuple[str, str, str]) -> None:
    pre, post, code = qualifier
    row = read_one(f"示范企业数量{pre}{n}{unit}{post}。")
    assert (row["value"], row["unit"], row["qualifier"]) == (n, unit, code)


@SETTINGS
@given(low=st.integers(min_value=1, max_value=5000), gap=st.integers(min_value=1, max_value=5000),
       sep=st.sampled_from(["~", "-", "至", "到", "～"]), unit=st.sampled_from(["家", "项", "亿元"]))
def test_ranges_read_back(low: int, gap: int, sep: str, unit: str) -> None:
    row = read_one(f"重点建设{low}{sep}{low + gap}{unit}创新合作园。")
    assert (row["value"], row["value_high"], row["qualifier"], row["unit"]) == (low, low + gap, "range", unit)


@SETTINGS
@given(prefix=st.text(alphabet="全市科技创新工作推进发展企业平台的和与及", max_size=30),
       n=values_int, unit=st.sampled_from(COUNT_UNITS))
def test_offsets_always_point_at_the_value_in_the_original(prefix: str, n: int, unit: str) -> None:
    text = f"{prefix}。累计建成{str(n).translate(_FULL)}{unit}。"
    df = extract(text, year=2020)
    assert len(df) == 1
    r = df.iloc[0]
    assert text[r["evidence_start"]:r["evidence_end"]] == r["evidence"]
    assert text[r["value_start"]:r["value_end"]] == str(n).translate(_FULL)


def test_chinese_formatter_examples() -> None:
    assert [chinese(n) for n in (10, 12, 20, 105, 1000, 12000, 30000, 100010, 2000)] == [
        "十", "十二", "二十", "一百零五", "一千", "一万二千", "三万", "十万零一十", "两千"]
