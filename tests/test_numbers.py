"""Reading numbers in Chinese text: Arabic, Chinese numerals, fractions, offsets."""

from __future__ import annotations

import math

import pytest

from cityscience.numbers import find_numbers, normalize, parse_chinese_numeral


@pytest.mark.parametrize(
    ("text", "value"),
    [("十", 10), ("十三", 13), ("二十", 20), ("三十", 30), ("一百二十", 120), ("两", 2), ("兩", 2),
     ("千", 1000), ("百", 100), ("一万二千", 12000), ("十万", 100000), ("三亿", 300000000), ("零", 0),
     ("一亿零一万", 100010000), ("一万亿", 10**12), ("三亿五千万", 350000000), ("两千三百万", 23000000)],
)
def test_parse_chinese_numeral(text, value):
    assert parse_chinese_numeral(text) == value


@pytest.mark.parametrize("text", ["", "abc", "三四十"])
def test_parse_chinese_numeral_rejects(text):
    assert parse_chinese_numeral(text) is None


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("预计全社会研发投入可达185亿元,占GDP比例达2.35%", [("185", 185), ("2.35", 2.35)]),
        ("组织两场科技成果", [("两", 2)]),
        ("开展项目路演活动近百场次", [("百", 100)]),
        ("占过全国通过企业数一成多", [("一", 1)]),
        ("占全国十分之一", [("十分之一", 0.1)]),
        ("集聚三十余家", [("三十", 30)]),
        ("高新技術企業五年翻兩番", [("五", 5), ("兩", 2)]),
        ("共计1,155家企业", [("1,155", 1155)]),
        ("2014年,128项", [("2014", 2014), ("128", 128)]),
        ("设立6000万专项经费", [("6000", 6000)]),
        ("增速比规上工业高4.4个百分点", [("4.4", 4.4)]),
        ("发明专利１２９５７件", [("１２９５７", 12957)]),
    ],
)
def test_find_numbers(text, expected):
    tokens = find_numbers(text)
    assert [(t.text, t.value) for t in tokens] == expected
    for t in tokens:
        assert text[t.start:t.end] == t.text


def test_unreadable_numeral_is_still_reported():
    (tok,) = find_numbers("来了三四十人")
    assert tok.text == "三四十" and math.isnan(tok.value)


def test_normalize_keeps_length_and_converts_traditional():
    text = "有效高新技術企業數達９９４家㈠"
    out = normalize(text)
    assert len(out) == len(text)
    assert out.startswith("有效高新技术企业数达994家")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("乾隆", "乾隆"),  # a name: OpenCC's phrase table keeps 乾 (alone it is 干)
        ("瞭解", "了解"),  # 瞭 alone stays (瞭望); in 瞭解 it is 了
        ("瞭望", "瞭望"),
        ("乾燥", "干燥"),
        ("乾坤", "乾坤"),
        ("藉口", "借口"),
        ("發明專利１２９５７件", "发明专利12957件"),  # full-width digits
        ("增長１２．５％", "增长12.5%"),
        ("①②", "12"),  # circled digits are one character in NFKC
        ("㈠", "㈠"),  # NFKC makes three characters of it: kept as written
        ("5〜10家", "5~10家"),  # the wave dash reads as a tilde, like ～
        ("5～10家", "5~10家"),
        ("\u00a0\u3000", "  "),  # no-break and ideographic spaces
        ("億元\ud800萬人", "亿元\ud800万人"),  # a lone surrogate stays, the rest is converted
    ],
)
def test_normalize_cases(text, expected):
    assert normalize(text) == expected
    assert normalize(text * 200) == expected * 200  # long texts (not cached) give the same


def test_one_normalizer_for_validation_and_extraction():
    from cityscience import textnorm
    from cityscience.extract import core
    from cityscience.policy import terms
    from cityscience.validate import accounting, policy
    from cityscience.validate import core as validate_core

    for module in (accounting, validate_core, policy, core, terms):
        assert module.normalize is textnorm.normalize, module.__name__


def test_a_phrase_conversion_that_changes_length_falls_back_to_characters(monkeypatch):
    from cityscience import textnorm

    class Shrinking:
        """A converter whose phrase table maps 乾隆 to one character (no real table does)."""

        def convert(self, text):
            return text.replace("乾隆", "X").replace("億", "亿").replace("乾", "干")

    monkeypatch.setattr(textnorm, "_t2s", Shrinking)
    text = "億元\n乾隆億\n"
    assert textnorm.to_simplified(text) == "亿元\n干隆亿\n"  # only the second line went character by character


def test_fast_nfkc_paths_agree_with_the_character_by_character_definition():
    """The table lookups (sparse and dense changes) give what NFKC per character gives."""
    from cityscience import textnorm
    from cityscience.paths import data_dir

    full_width = str.maketrans("0123456789%,.", "０１２３４５６７８９％，．")
    texts = [p.read_text(encoding="utf-8") for p in sorted((data_dir() / "raw").glob("*.txt"))]
    texts += [t.translate(full_width) for t in texts]  # dense: every digit and comma changes
    texts.append("研发投入" * 500 + "１２．５％\u00a0" + "科技" * 500 + "〜")  # sparse
    for text in texts:
        reference = textnorm.to_simplified("".join(textnorm._nfkc_char(ch) for ch in text))
        assert normalize(text) == reference
        assert len(normalize(text)) == len(text)


@pytest.mark.parametrize(
    ("text", "expected"),
    [("同比分别下降3.2%和1.5%", [True, True]), ("分别减少12家、8家", [True, True]), ("减少3家以及5家", [True, True]),
     ("分别下降2.3个和1.5个百分点", [True, True]), ("下降1.2%，1.5%", [True, True]),
     # a comma or 和 after a fall that starts another clause, in another unit: the next number is not a fall
     ("同比下降3.2%,2024年计划增长5%", [True, False, False]), ("降低了10%,20家企业获评", [True, False]),
     ("下降3.2%的企业和5家高校", [True, False]), ("下降3.2%和增长1.5%", [True, False])])
def test_a_list_continues_a_fall_only_in_its_unit(text, expected):
    from cityscience.numbers import negative_readings

    norm = normalize(text)
    assert negative_readings(norm, find_numbers(norm, normalized=True)) == expected


def test_at_least_is_not_a_fall():
    """至少5家 and 最少5家 are bounds (at least 5), 比上年少5家 a fall."""
    from cityscience.numbers import negative_readings

    for text, expected in [("至少新增5家", [False]), ("最少5家", [False]), ("比上年少5家", [True])]:
        assert negative_readings(text, find_numbers(text, normalized=True)) == expected, text
