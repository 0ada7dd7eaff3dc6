"""Units are defined once, in codebook/units.csv: the extractor and the charts derive their tables from it."""

from __future__ import annotations

import csv
import shutil

import pytest

from cityscience import charts
from cityscience.extract import ExtractError, extract
from cityscience.extract.lexicon import lexicon
from cityscience.paths import data_dir
from cityscience.textnorm import normalize
from cityscience.units import UnitsError, display_units, read_units

SENTENCE = "全年新增发电量35万千瓦时。"


@pytest.fixture
def units_folder(tmp_path, monkeypatch):
    """A data folder holding a copy of the project's codebook, used in place of data/."""
    data = tmp_path / "data"
    shutil.copytree(data_dir() / "codebook", data / "codebook")
    monkeypatch.setenv("CITYSCIENCE_DATA", str(data))
    return data / "codebook" / "units.csv"


def _append(path, line: str) -> None:
    """Append a row, its optional trailing cells left empty (the header may have grown since the test was written)."""
    width = len(next(csv.reader([path.read_text(encoding="utf-8").splitlines()[0]])))
    cells = len(next(csv.reader([line])))
    with open(path, "a", encoding="utf-8", newline="") as f:
        f.write(line + "," * (width - cells) + "\n")


def test_a_unit_added_to_the_codebook_reaches_the_extractor_and_the_charts(units_folder, monkeypatch):
    monkeypatch.delenv("CITYSCIENCE_DATA")
    (before,) = extract(SENTENCE).itertuples()
    assert before.unit == "万千瓦" and before.unit_std == "kW"  # the curated codebook has no 万千瓦时
    assert charts.display_unit("kWh", "zh") == (1, "kWh")
    monkeypatch.setenv("CITYSCIENCE_DATA", str(units_folder.parents[1]))

    _append(units_folder, "万千瓦时,kWh,10000,ten thousand kilowatt-hours,direct,yes,万千瓦时,MWh,1000,{value}万千瓦时,"
                          "{value} MWh")
    (row,) = extract(SENTENCE).itertuples()
    assert (row.value, row.unit, row.unit_std, row.value_std) == (35, "万千瓦时", "kWh", 350_000)
    assert charts.display_unit("kWh", "zh") == (1e4, "万千瓦时")
    assert charts.display_unit("kWh", "en") == (1e3, "MWh")
    assert charts.format_value(35, "万千瓦时", "zh") == "35万千瓦时"
    assert charts.format_value(35, "万千瓦时", "en") == "350 MWh"


def test_the_display_table_is_the_display_rows_of_the_codebook():
    rows = read_units()
    shown = display_units()
    assert set(shown) == {r.unit_std for r in rows if r.display}
    cny = shown["CNY"]
    assert cny.factors == {"zh": 1e8, "en": 1e9}  # 亿元 in Chinese, billions in English
    assert cny.labels == {"zh": "亿元", "en": "CNY bn"}
    assert cny.formats == {"zh": "{value}亿元", "en": "CNY {value} bn"}
    assert shown["count"].labels == {"zh": "", "en": ""}  # counts are shown without a unit label
    assert shown["rank"].factors == {"zh": 1, "en": 1} and shown["rank"].labels == {"zh": "位", "en": "rank"}
    assert charts.display_unit("no_such_unit", "en") == (1, "no_such_unit")


def test_the_extractor_reads_each_unit_as_its_extract_column_says():
    lex = lexicon()
    for r in read_units():
        written = normalize(r.unit)
        unit = lex.units.get(written)
        if not r.extract:
            assert unit is None, r.unit
            continue
        assert (unit.std, unit.factor) == (r.unit_std, r.factor), r.unit
        read_after_a_number = lex.unit_re.fullmatch(written) is not None
        assert read_after_a_number == (r.extract != "rule"), r.unit


def test_rank_changes_in_places_are_not_counted():
    """位 is not a count unit: 较上年提高49位 is a change of rank (places in a ranking), not 49 of
    something; it is never read after a number on its own (extract = rule)."""
    unit = lexicon().units["位"]
    assert unit.std == "rank" and lexicon().unit_re.fullmatch("位") is None
    df = extract("全市科技创新指数排名较上年提高49位。")
    assert df[["unit", "unit_std", "measure"]].values.tolist() == [["位", "rank", "rank_change"]]
    # 位 counting persons is flagged as a unit the codebook lacks, not converted as a count.
    df = extract("引进院士5位。")
    assert df["unit_std"].isna().all() and (df["confidence"] < 0.5).all()


def test_traditional_units_read_as_their_simplified_row():
    (row,) = extract("研發投入達185億元。").itertuples()
    assert (row.unit, row.unit_std, row.value_std) == ("亿元", "CNY", 1.85e10)  # the code, as observations
    assert "written 億元" in row.reason


def test_a_missing_units_file_is_named_with_what_to_do(units_folder):
    units_folder.unlink()
    with pytest.raises(ExtractError, match=r"units\.csv.*missing.*CITYSCIENCE_DATA"):
        extract(SENTENCE)
    with pytest.raises(UnitsError, match="CITYSCIENCE_DATA"):
        charts.display_unit("CNY")


def test_a_small_value_is_written_in_the_smaller_display_unit_the_codebook_names():
    small = {r.unit_std: r for r in read_units() if r.small}
    assert small, "the curated codebook marks a smaller display unit (display small)"
    for std, row in small.items():
        shown = display_units()[std]
        assert shown.smaller is not None and shown.smaller.labels == {"zh": row.display_zh, "en": row.display_en}
        main = next(r for r in read_units() if r.display and r.unit_std == std)
        for lang in ("zh", "en"):
            # a value just below 1 in the display unit is written in the smaller one, 1 itself is not
            below = 0.5 * shown.factors[lang] / main.factor
            assert format_value_in(below, main.unit, lang) == shown.smaller.formats[lang].format(
                value=charts.format_number(below * main.factor / shown.smaller.factors[lang]), written="")
            one = shown.factors[lang] / main.factor
            assert format_value_in(one, main.unit, lang) == shown.formats[lang].format(value="1", written="")
    assert charts.format_value(0.285, "亿元", "zh") == "2,850万元"
    assert charts.format_value(0.285, "亿元", "en") == "CNY 28.5 m"
    assert charts.format_value(0.285, "亿元", "en", bare=True) == "0.0285"  # an axis keeps its unit
    assert charts.format_value(0, "亿元", "zh") == "0亿元"


def test_a_value_is_shown_as_written_and_converted_to_four_significant_digits():
    """In the unit it is written in, a value keeps every digit (2,850.72万元, not 2,850.7); converted (亿元
    to CNY bn), it keeps its written precision up to four significant digits, as an analyst writing in
    that unit would (CNY 28.51 m, not 28.5072; CNY 524 bn for 5,239.9亿元). A computed value (a share of
    thirds, say) keeps the default of a few decimals."""
    pairs = [(5239.9, "CNY 524 bn", "5,239.9亿元"), (31.76, "CNY 3.176 bn", "31.76亿元"),
             (185, "CNY 18.5 bn", "185亿元"), (4472, "CNY 447.2 bn", "4,472亿元"),
             (4472.21, "CNY 447.2 bn", "4,472.21亿元")]
    for value, en, zh in pairs:
        assert (charts.format_value(value, "亿元", "en"), charts.format_value(value, "亿元", "zh")) == (en, zh)
    assert charts.format_value(2850, "万元", "en") == "CNY 28.5 m"
    assert charts.format_value(2850.72, "万元", "zh") == "2,850.72万元"
    yuan = 2850.72 * 10_000  # a value in its standard unit, as the loader computes it: 28507200.000000004
    assert charts.format_value(yuan, "CNY", "zh", bare=True, small=True) == "2,850.72"  # under a 万元 axis
    assert charts.format_value(yuan, "CNY", "zh") == "2,850.72万元"  # the same digits as the bar's label
    assert charts.format_value(yuan, "CNY", "en") == "CNY 28.51 m"
    assert charts.format_value(12.35, "亿元", "en", qualifier="range", value_high=12.5) == "CNY 1.235–1.25 bn"
    assert charts.format_value(100 / 3, "亿元", "en") == "CNY 3.33 bn"  # not 3.3333333333333335
    assert charts.format_value(100 / 3 * 1e8, "CNY", "en") == "CNY 3.33 bn"  # computed, in yuan: the same
    assert charts.format_value(1.2346, "亿元", "en") == charts.format_value(1.2346e8, "CNY", "en") == "CNY 123.5 m"
    assert charts.format_value(float("nan"), "亿元", "en") == "CNY – bn"


def format_value_in(value: float, unit: str, lang: str) -> str:
    return charts.format_value(value, unit, lang)


def test_a_small_display_row_needs_a_display_row_with_larger_factors(units_folder):
    _append(units_folder, "千瓦时,kWh,1,kilowatt-hours,direct,small,千瓦时,kWh,,{value}千瓦时,{value} kWh")
    _append(units_folder, "百元,CNY,100,hundred yuan,direct,small,百元,CNY,100,{value}百元,CNY {value}")
    _append(units_folder, "十万亩,mu,100000,hundred thousand mu,direct,small,十万亩,mu,1,{value}十万亩,{value} mu")
    n = len(units_folder.read_text(encoding="utf-8").splitlines())
    with pytest.raises(UnitsError) as err:
        read_units()
    message = str(err.value)
    assert f"units.csv:{n - 2}: column 'display': value 'small': expected a display row (yes) for kWh" in message
    assert f"units.csv:{n - 1}: column 'display': value 'small': expected one small display unit for CNY" in message
    assert f"units.csv:{n}: column 'factor': value '100000'" in message
    assert "no larger than those of 万亩 on line" in message


def test_unusable_rows_are_all_reported_with_their_lines(units_folder):
    _append(units_folder, "万千瓦时,kWh,zero,x,sometimes,,,,,,")
    _append(units_folder, "亿元2,CNY,1e8,x,direct,yes,亿元,CNY bn,0,{value}亿元,CNY bn")
    n = len(units_folder.read_text(encoding="utf-8").splitlines())
    with pytest.raises(UnitsError) as err:
        read_units()
    message = str(err.value)
    assert f"units.csv:{n - 1}: column 'factor': value 'zero'" in message
    assert f"units.csv:{n - 1}: column 'extract': value 'sometimes'" in message
    assert f"units.csv:{n}: column 'display'" in message and "one display unit for CNY (also on line 2)" in message
    assert f"units.csv:{n}: column 'display_factor_en': value '0'" in message
    assert f"units.csv:{n}: column 'format_en': value 'CNY bn'" in message and "{value}" in message


def test_units_that_read_the_same_must_mean_the_same(units_folder):
    _append(units_folder, "萬元,CNY,1,wrong factor,direct,,,,,,")
    with pytest.raises(ExtractError, match=r"unit '萬元' reads as '万元' like the unit on line 3"):
        extract(SENTENCE)


def test_a_unit_without_extract_is_never_proposed(units_folder):
    _append(units_folder, "万千瓦时,kWh,10000,ten thousand kilowatt-hours,,,,,,,")
    (row,) = extract(SENTENCE).itertuples()
    assert row.unit == "万千瓦"
