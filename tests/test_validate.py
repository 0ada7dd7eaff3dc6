"""One test per class of validation problem: each names file, line, column and value."""

from __future__ import annotations

from pathlib import Path

import pytest

import cityscience as cs
from cityscience.validate import check, kind_bases
from minidata import OBS_HEADER, OBS_ROWS, RAW_TEXT, make_data, read_rows, set_cell, write_csv

OBS = "data/observations/demo.csv"


@pytest.fixture
def data(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    return make_data(tmp_path)


def problems_of(data, check_name):
    found = [p for p in check(data).problems if p.check == check_name]
    assert found, f"expected a {check_name} problem, got {[str(p) for p in check(data).problems]}"
    return found


def test_valid_minidata_has_no_problems(data):
    assert check(data).problems == []
    obs = cs.load_observations(data)
    assert list(obs["obs_id"]) == [r[0] for r in OBS_ROWS]


@pytest.mark.parametrize(
    ("line", "column", "value", "check_name", "expected_part"),
    [
        (2, "status", "guess", "allowed_value", "actual, estimate, target"),
        (2, "region", "shanghai", "unknown_reference", "regions.region"),
        (3, "indicator", "no_such_code", "unknown_reference", "indicators"),
        (4, "unit", "箱", "unknown_reference", "units"),
        (2, "value", "18五", "dtype", "decimal number written with ASCII digits"),
        (2, "value", "inf", "dtype", "decimal number written with ASCII digits"),
        (2, "value", "１８５", "dtype", "non-ASCII digits: write 185"),
        (2, "value", "1.85e2", "dtype", "no exponent"),
        (2, "value", "0185", "dtype", "no leading zero"),
        (2, "value", "185.", "dtype", "no trailing decimal point"),
        (5, "year", "2014.0", "dtype", "whole number"),
        (5, "year", "1850", "year_range", "between 1949 and 2100"),
        (2, "label_zh", "", "required", "required"),
        (2, "evidence", "预计全社会研发投入可达186亿元", "evidence_not_found", "exact substring"),
        (2, "value", "186", "value_not_in_evidence", "states 185"),
        (3, "unit", "件", "unit_mismatch", "percent"),
        (2, "unit", "万元", "unit_scale", "writes after 185 (亿); 万元 is in 万"),  # 185亿元 typed as 万元
        (2, "unit", "元", "unit_scale", "writes after 185 (亿); 元 is without 万 or 亿"),
        (4, "unit", "万件", "unit_scale", "writes after 12957 (no 万 or 亿); 万件 is in 万"),
        (3, "value", "235", "share_range", "between 0 and 100"),
        (2, "source_id", "other", "source_file", "'demo'"),
        (2, "label_zh", " 全社会研发投入", "whitespace", "no leading or trailing"),
    ],
)
def test_cell_problem_names_file_line_column_value(data, line, column, value, check_name, expected_part):
    set_cell(data / "observations" / "demo.csv", line, column, value)
    found = problems_of(data, check_name)
    p = found[0]
    assert (p.file, p.line, p.column, p.value) == (OBS, line, column, value)
    assert expected_part in p.expected
    assert f"{OBS}:{line}" in str(p) and repr(value) in str(p)


def test_range_needs_both_ends(data):
    obs = data / "observations" / "demo.csv"
    set_cell(obs, 2, "value_high", "190")
    p = problems_of(data, "range")[0]
    assert (p.line, p.column, p.value) == (2, "qualifier", "exact") and "'range'" in p.expected
    set_cell(obs, 2, "value_high", "")
    set_cell(obs, 2, "qualifier", "range")
    p = problems_of(data, "range")[0]
    assert (p.line, p.column) == (2, "value_high") and "upper end" in p.expected


def test_negative_count_is_reported(data):
    obs = data / "observations" / "demo.csv"
    set_cell(obs, 4, "value", "-12957")
    set_cell(obs, 4, "evidence", "发明专利申请量达12957件")
    p = problems_of(data, "negative_value")[0]
    assert (p.line, p.column) == (4, "value")


def test_duplicate_obs_id_and_duplicate_fact(data):
    rows = read_rows(data / "observations" / "demo.csv")
    rows.append(list(rows[1]))
    write_csv(data / "observations" / "demo.csv", rows)
    found = problems_of(data, "duplicate_key")
    assert {p.column for p in found} == {"obs_id", "indicator"}
    assert all(p.line == 7 and p.other == (p.file, 2) and "(also on line 2)" in str(p) for p in found)


def test_missing_extra_and_duplicated_columns(data):
    rows = read_rows(data / "observations" / "demo.csv")
    header = rows[0]
    header[header.index("note")] = "notes"
    write_csv(data / "observations" / "demo.csv", rows)
    checks = {(p.check, p.column) for p in check(data).problems}
    assert ("extra_column", "notes") in checks
    rows[0] = [*OBS_HEADER[:-1], "qualifier"]
    write_csv(data / "observations" / "demo.csv", rows)
    assert ("duplicate_column", "qualifier") in {(p.check, p.column) for p in check(data).problems}
    write_csv(data / "observations" / "demo.csv", [[c for c in OBS_HEADER if c != "unit"]])
    p = problems_of(data, "missing_column")[0]
    assert (p.file, p.line, p.column) == (OBS, 1, "unit")


def test_wrong_delimiter(data):
    path = data / "observations" / "demo.csv"
    path.write_text(";".join(OBS_HEADER) + "\n", encoding="utf-8")
    p = problems_of(data, "delimiter")[0]
    assert p.line == 1 and "';'" in p.expected


def test_row_with_wrong_field_count(data):
    path = data / "observations" / "demo.csv"
    path.write_text(path.read_text(encoding="utf-8") + "t-009,demo,ningbo\n", encoding="utf-8")
    p = problems_of(data, "field_count")[0]
    assert (p.file, p.line) == (OBS, 7) and "found 3" in p.expected


def test_gbk_csv_is_rejected_naming_the_encoding(data):
    path = data / "observations" / "demo.csv"
    path.write_bytes(path.read_text(encoding="utf-8").encode("gb18030"))
    p = problems_of(data, "encoding")[0]
    assert p.file == OBS and "GB18030" in p.expected


def test_bom_and_crlf_are_reported(data):
    path = data / "observations" / "demo.csv"
    text = path.read_text(encoding="utf-8")
    path.write_bytes(b"\xef\xbb\xbf" + text.encode())
    assert [p.check for p in check(data).problems] == ["bom"]  # the text after the mark is read and fine
    path.write_bytes(b"\xef\xbb\xbf" + text.replace("\n", "\r\n").encode())  # both in one report
    assert problems_of(data, "bom") and problems_of(data, "line_ends")[0].line == 1


def test_empty_file(data):
    (data / "observations" / "demo.csv").write_text("", encoding="utf-8")
    assert problems_of(data, "empty_file")[0].file == OBS


def test_altered_raw_document_fails_its_checksum(data):
    raw = data / "raw" / "demo.txt"
    raw.write_text(raw.read_text(encoding="utf-8").replace("185", "186"), encoding="utf-8")
    p = problems_of(data, "checksum")[0]
    assert p.file == "data/raw/demo.txt" and p.column == "sha256"


def test_raw_document_in_gb18030_is_rejected_naming_the_encoding(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    data = make_data(tmp_path)
    raw = data / "raw" / "demo.txt"
    raw.write_bytes(raw.read_text(encoding="utf-8").encode("gb18030"))
    found = check(data).problems
    enc = [p for p in found if p.check == "encoding"]
    assert enc and "GB18030" in enc[0].expected and enc[0].file == "data/raw/demo.txt"


def test_raw_document_with_bom_is_rejected(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    data = make_data(tmp_path)
    raw = data / "raw" / "demo.txt"
    raw.write_bytes(b"\xef\xbb\xbf" + raw.read_bytes())
    assert any(p.check == "encoding" and "BOM" in p.expected for p in check(data).problems)


def test_a_unit_the_evidence_does_not_write_is_not_checked_for_its_scale(tmp_path, monkeypatch):
    """Damaged text: the unit after the number was dropped, so the curated unit is inferred (and explained)."""
    monkeypatch.chdir(tmp_path)
    rows = [list(r) for r in OBS_ROWS]
    rows[0][OBS_HEADER.index("evidence")] = "预计全社会研发投入可达185"
    data = make_data(tmp_path, raw_text=RAW_TEXT.replace("185亿元,", "185,"), obs_rows=rows)
    assert check(data).problems == []


def test_unit_of_measure_must_match(data):
    set_cell(data / "observations" / "demo.csv", 5, "unit", "件")
    p = problems_of(data, "unit_mismatch")[0]
    assert p.line == 5 and "measure yoy_pct is in percent" in p.expected


def test_stale_and_broken_exclusions(data):
    rows = read_rows(data / "exclusions.csv")
    rows.append(["demo", "literal", "不存在的文字", "date_time", ""])
    rows.append(["demo", "regex", "([", "date_time", ""])
    write_csv(data / "exclusions.csv", rows)
    stale = problems_of(data, "unused_exclusion")[0]
    assert (stale.file, stale.line, stale.column) == ("data/exclusions.csv", 4, "match")
    assert problems_of(data, "regex")[0].line == 5


def test_all_problems_in_one_report(data):
    obs = data / "observations" / "demo.csv"
    set_cell(obs, 2, "status", "guess")
    set_cell(obs, 3, "region", "mars")
    set_cell(obs, 6, "value", "3")
    with pytest.raises(cs.ValidationError) as err:
        cs.load_observations(data)
    report = str(err.value)
    assert report.startswith("3 problems found:")
    for where in (f"{OBS}:2", f"{OBS}:3", f"{OBS}:6"):
        assert where in report


def test_cli_validate_exits_non_zero_with_report(data, capsys):
    from cityscience.cli import main

    set_cell(data / "observations" / "demo.csv", 2, "status", "guess")
    assert main(["validate", "--data", str(data)]) == 1
    err = capsys.readouterr().err
    assert f"{OBS}:2: column 'status': value 'guess'" in err


def test_cli_validate_ok_and_accounting(data, capsys):
    from cityscience.cli import main

    assert main(["validate", "--data", str(data)]) == 0
    assert "every number accounted for" in capsys.readouterr().out


def test_traditional_evidence_matches_after_t2s(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    text = "有效高新技術企業數達994家。\n"
    rows = [["t-001", "demo", "cixi", "2014", "rd_expenditure", "有效高新技術企業數", "level", "actual",
             "exact", "994", "", "家", "有效高新技術企業數達994家", "", ""]]
    data = make_data(tmp_path, raw_text=text, obs_rows=rows)
    write_csv(data / "exclusions.csv", [["source_id", "kind", "match", "reason", "note"]])
    # The indicator's unit is CNY; switch to a count indicator so only the evidence is under test.
    rows[0][4] = "invention_patent_applications"
    write_csv(data / "observations" / "demo.csv", [OBS_HEADER, *rows])
    assert check(data).problems == []
    rows[0][12] = "有效高新技术企业数达994家"  # matches only after t2s: must be stored verbatim
    write_csv(data / "observations" / "demo.csv", [OBS_HEADER, *rows])
    (p,) = check(data).problems
    assert p.check == "evidence_not_found" and "'有效高新技術企業數達994家'" in p.expected


def test_impossible_date_control_character_and_pattern(data):
    sources = data / "sources.csv"
    set_cell(sources, 2, "published", "2015-02-30")
    set_cell(sources, 2, "title_zh", "示例\x07")
    regions = data / "regions.csv"
    set_cell(regions, 4, "division_code", "33028")
    found = {(p.file, p.line, p.column, p.check) for p in check(data).problems}
    assert ("data/sources.csv", 2, "published", "dtype") in found
    assert ("data/sources.csv", 2, "title_zh", "control_character") in found
    assert ("data/regions.csv", 4, "division_code", "pattern") in found


def test_obs_id_format_report_year_range_and_stray_files(data):
    set_cell(data / "observations" / "demo.csv", 3, "obs_id", "t_2")
    set_cell(data / "sources.csv", 2, "report_year", "1014")
    (data / "observations" / "extra.CSV").write_text("obs_id\n", encoding="utf-8")
    found = {(p.file, p.line, p.column, p.check) for p in check(data).problems}
    assert (OBS, 3, "obs_id", "pattern") in found
    assert ("data/sources.csv", 2, "report_year", "year_range") in found
    assert ("data/observations/extra.CSV", None, None, "stray_file") in found


def test_accounting_summary_counts_values_exclusions_and_missing(data):
    from cityscience.validate.accounting import accounting_summary

    row = accounting_summary(check(data)).loc["demo"]
    # RAW_TEXT: 2014 (year), 一是, 185, 2.35, 12957, 32.1, 两
    assert (row["numbers"], row["observation_values"], row["missing"]) == (7, 5, 0)
    assert (row["excluded:date_time"], row["excluded:enumeration"]) == (1, 1)
    set_cell(data / "observations" / "demo.csv", 6, "evidence", "组织两场科技成果拍卖会。")
    set_cell(data / "observations" / "demo.csv", 6, "value", "3")
    assert accounting_summary(check(data)).loc["demo", "missing"] == 1


@pytest.mark.parametrize("table, column", [("codebook/units.csv", "factor"), ("indicators.csv", "kind"),
                                           ("sources.csv", "sha256"), ("exclusions.csv", "reason")])
def test_a_missing_required_column_is_reported_not_raised(data, table, column):
    path = data / table
    rows = read_rows(path)
    index = rows[0].index(column)
    write_csv(path, [row[:index] + row[index + 1:] for row in rows])
    found = check(data).problems  # must not raise KeyError on the rows lacking the column
    assert any(p.check == "missing_column" and p.column == column and p.file.endswith(table) for p in found)


def test_the_character_table_of_the_plausibility_check_follows_its_definition() -> None:
    """Every code point of the CJK ranges is classed as the check defines it, character by character:
    unassigned (by this Python's Unicode data); common when GB2312 encodes it in level 1 or Big5 among its frequent characters;
    flagged when charset-normalizer lists it among the 100 most frequent; everything else is class 0."""
    import unicodedata

    import numpy as np
    from charset_normalizer.constant import FREQUENCIES

    from cityscience import tables

    frequent = set(FREQUENCIES["Chinese"])
    assert set(tables._MOST_FREQUENT_CHINESE) == frequent  # the copy kept in the module
    ranges = [(0x4E00, 0x9FFF), (0x3400, 0x4DBF), (0xF900, 0xFAFF)]
    points = np.array([p for low, high in ranges for p in range(low, high + 1)], dtype="<u4")
    table = dict(zip(points.tolist(), tables._classes(points).tolist(), strict=True))
    wrong = []
    for low, high in ranges:
        for point in range(low, high + 1):
            ch = chr(point)
            if unicodedata.category(ch) == "Cn":
                expected = 3
            else:
                common = False
                for codec, first, last in (("gb2312", b"\xb0\xa1", b"\xd7\xf9"), ("big5", b"\xa4\x40", b"\xc6\x7e")):
                    try:
                        common = common or first <= ch.encode(codec) <= last
                    except UnicodeEncodeError:
                        pass
                expected = (2 if common else 1) | (4 if ch in frequent else 0)
            if table[point] != expected:
                wrong.append(f"U+{point:04X}: {table[point]} (expected {expected})")
    assert not wrong, wrong[:10]
    outside = np.setdiff1d(np.arange(0x10000, dtype="<u4"), points)
    assert not tables._classes(outside).any()
    classes = np.array(list(table.values()))
    assert (classes == 2).sum() + (classes == 6).sum() > 6000  # GB2312 level 1 alone has 3,755


def test_an_unassigned_code_point_among_the_ideographs_makes_text_implausible() -> None:
    """U+FAFF lies in the compatibility ideographs' block but is unassigned: a sign of bytes read
    with the wrong encoding, reported at its line and column like a private-use character."""
    from cityscience import tables

    text = "宁波市高新技术企业达到1000家。\n研发投入增长\ufaff12%。"
    assert tables._implausible(text) == ("it holds 1 private-use, unassigned or replacement character "
                                         "(the first at line 2, column 7: U+FAFF)")
    assert tables._implausible(text.replace("\ufaff", "")) is None


def test_a_qualifier_without_a_mark_for_charts_and_workbooks_is_reported(data):
    path = data / "codebook" / "vocabularies.csv"
    rows = read_rows(path)
    row = dict.fromkeys(rows[0], "") | {"vocabulary": "qualifier", "code": "about", "label_zh": "大约",
                                        "label_en": "about", "description": "A qualifier added to the vocabulary."}
    rows.append(list(row.values()))
    write_csv(path, rows)
    (p,) = problems_of(data, "qualifier_mark")
    assert (p.file, p.line, p.column, p.value) == ("data/codebook/vocabularies.csv", len(rows), "code", "about")
    assert "approx" in p.expected


def test_a_data_folder_at_the_root_of_the_file_system_is_named_by_its_absolute_path(tmp_path, monkeypatch):
    from cityscience.tables import relpath

    monkeypatch.chdir(tmp_path)
    assert relpath(Path("/no-such-folder/codebook/tables.csv"), Path("/")) == "/no-such-folder/codebook/tables.csv"
    assert relpath(tmp_path / "data" / "x.csv", tmp_path) == "data/x.csv"


def _vocabulary_line(data, vocabulary: str, code: str) -> int:
    rows = read_rows(data / "codebook" / "vocabularies.csv")
    return next(n for n, r in enumerate(rows, start=1) if r[:2] == [vocabulary, code])


def _display_line(data, unit_std: str) -> int:
    rows = read_rows(data / "codebook" / "units.csv")
    col, std = rows[0].index("display"), rows[0].index("unit_std")
    return next(n for n, r in enumerate(rows, start=1) if r[std] == unit_std and r[col] == "yes")


def test_the_unit_of_each_measure_is_read_from_the_measure_vocabulary(data):
    vocab = data / "codebook" / "vocabularies.csv"
    set_cell(vocab, _vocabulary_line(data, "measure", "yoy_pct"), "unit_std", "count")
    p = problems_of(data, "unit_mismatch")[0]
    assert (p.file, p.line, p.column, p.value) == (OBS, 5, "unit", "%")  # t-004, a growth rate in %
    assert "measure yoy_pct is in count" in p.expected


def test_which_levels_cannot_be_negative_is_read_from_the_units_file(data):
    obs, units = data / "observations" / "demo.csv", data / "codebook" / "units.csv"
    set_cell(obs, 4, "value", "-12957")
    set_cell(obs, 4, "evidence", "发明专利申请量达12957件")
    assert problems_of(data, "negative_value")[0].expected == "a non-negative count amount"
    set_cell(units, _display_line(data, "count"), "nonnegative", "")
    assert [p for p in check(data).problems if p.check == "negative_value"] == []
    rows = read_rows(units)
    line = next(n for n, r in enumerate(rows, start=1) if r[0] == "件")  # a count unit that is not the display row
    set_cell(units, line, "nonnegative", "yes")
    p = problems_of(data, "display_only")[0]
    assert (p.file, p.line, p.column, p.value) == ("data/codebook/units.csv", line, "nonnegative", "yes")


def test_the_bases_each_kind_may_have_are_read_from_the_basis_vocabulary(data):
    indicators, vocab = data / "indicators.csv", data / "codebook" / "vocabularies.csv"
    set_cell(indicators, 5, "basis", "valid")  # tech_auctions is a flow; valid is a stock's basis
    p = problems_of(data, "comparability_model")[0]
    assert (p.file, p.line, p.column, p.value) == ("data/indicators.csv", 5, "basis", "valid")
    assert p.expected == f"a basis a flow can have ({', '.join(kind_bases(check(data))['flow'])})"
    set_cell(vocab, _vocabulary_line(data, "basis", "valid"), "kinds", "stock;flow")
    assert check(data).problems == []
    for code in ("new", "recommended", "activity", "valid"):
        line = _vocabulary_line(data, "basis", code)
        rows = read_rows(vocab)
        kinds = rows[line - 1][rows[0].index("kinds")]
        set_cell(vocab, line, "kinds", ";".join(k for k in kinds.split(";") if k != "flow"))
    p = problems_of(data, "comparability_model")[0]
    assert "none is listed: add flow to the kinds" in p.expected


@pytest.mark.parametrize(("vocabulary", "code", "column", "value", "expected_part"), [
    ("measure", "level", "unit_std", "count", "a level is in its indicator's unit_std"),
    ("status", "actual", "unit_std", "percent", "on measure rows only"),
    ("measure", "yoy_pct", "kinds", "flow", "on basis rows only"),
    ("admin_level", "district", "body_level", "", "the level of the bodies of a region at the level district"),
    ("basis", "valid", "body_level", "municipal", "on admin_level rows only"),
    ("status", "actual", "cues", "企业", "on policy_theme rows only"),
    ("policy_theme", "enterprises", "table_words", "指标", "on item_kind rows only"),
    ("group", "vouchers_awards", "category", "", "the category whose indicators the group vouchers_awards divides"),
    ("category", "finance", "category", "finance", "on group rows only"),
])
def test_a_vocabulary_column_out_of_place_is_reported(data, vocabulary, code, column, value, expected_part):
    line = _vocabulary_line(data, vocabulary, code)
    set_cell(data / "codebook" / "vocabularies.csv", line, column, value)
    p = problems_of(data, "vocabulary_column")[0]
    assert (p.file, p.line, p.column, p.value) == ("data/codebook/vocabularies.csv", line, column, value)
    assert expected_part in p.expected


def test_an_indicator_takes_a_group_of_its_own_category_and_every_one_of_a_grouped_category_has_one(data):
    """The groups of a category are the group rows naming it (codebook/vocabularies.csv): a group of another
    category is refused, and so is an indicator without a group in a category that has groups."""
    indicators, vocab = data / "indicators.csv", data / "codebook" / "vocabularies.csv"
    finance = [r[1] for r in read_rows(vocab) if r[0] == "group" and r[-1] == "finance"]
    assert finance, "the vocabularies divide finance into groups"
    set_cell(indicators, 2, "group", finance[0])  # rd_expenditure is rd: finance groups are not its
    p = problems_of(data, "group_category")[0]
    assert (p.file, p.line, p.column, p.value) == ("data/indicators.csv", 2, "group", finance[0])
    assert p.expected == (f"an empty cell: the indicator's category rd has no groups; {finance[0]} divides finance")
    set_cell(indicators, 2, "group", "")
    set_cell(indicators, 5, "category", "finance")  # tech_auctions, now a finance indicator without a group
    p = problems_of(data, "group_category")[0]
    assert (p.line, p.column, p.value) == (5, "group", "")
    assert p.expected.startswith(f"a group of category finance ({', '.join(finance)})")
    set_cell(indicators, 5, "group", finance[-1])
    assert check(data).problems == []
    set_cell(vocab, _vocabulary_line(data, "group", finance[-1]), "category", "rd")  # the group now divides rd
    found = {p.line: p for p in problems_of(data, "group_category")}
    assert found[5].expected.endswith(f"; {finance[-1]} divides rd")  # tech_auctions' group is rd's now
    assert {2, 3} <= set(found) and found[2].value == ""  # and rd's indicators, in a category with groups, lack one


def test_every_finance_indicator_of_the_codebook_has_a_group_whose_labels_name_it():
    """Notebook 05 lists the finance values by group, titled with the group's labels: none is left out."""
    indicators, vocab = cs.load_indicators(), cs.load_vocabularies()
    groups = vocab[vocab["vocabulary"] == "group"]
    finance = indicators[indicators["category"] == "finance"]
    assert len(finance) and finance["group"].notna().all(), list(finance.loc[finance["group"].isna(), "indicator"])
    assert set(finance["group"].astype(str)) <= set(groups.loc[groups["category"] == "finance", "code"])
    assert groups["label_zh"].notna().all() and groups["label_en"].notna().all()


def test_the_consistency_checks_are_each_named_once_in_the_vocabulary(data):
    """Charts and workbooks name a consistency check by its consistency_check row: a check without one,
    or a row for a check consistency_flags does not run, is reported."""
    from cityscience.conventions import CONSISTENCY_CHECKS

    vocab = data / "codebook" / "vocabularies.csv"
    line = _vocabulary_line(data, "consistency_check", CONSISTENCY_CHECKS[-1])
    set_cell(vocab, line, "code", "share_vs_total")
    unknown = problems_of(data, "allowed_value")
    assert [(p.line, p.column, p.value) for p in unknown if p.file.endswith("vocabularies.csv")] == [
        (line, "code", "share_vs_total")]
    (missing,) = [p for p in problems_of(data, "required") if p.file.endswith("vocabularies.csv")]
    assert CONSISTENCY_CHECKS[-1] in missing.expected


def test_an_unknown_reference_into_a_long_table_names_what_is_expected_in_english(tmp_path):
    """More than twelve codes are not listed: the message names the table, with the article English uses."""
    from reports import copy_data

    data = copy_data(tmp_path)
    obs = next(p for p in sorted((data / "observations").glob("*.csv")))
    set_cell(obs, 2, "indicator", "rd_magic")
    (problem,) = [p for p in check(data).problems if p.value == "rd_magic"]
    assert problem.expected == "an indicator defined in indicators.csv"


def test_a_change_over_the_previous_year_is_in_its_indicator_s_unit(data):
    """abs_change has no unit of its own in the measure vocabulary: like a level, it is in the indicator's."""
    obs = data / "observations" / "demo.csv"
    set_cell(obs, 4, "measure", "abs_change")  # 发明专利申请量达12957件: as a change, still in 件
    assert [p for p in check(data).problems if p.check == "unit_mismatch"] == []
    set_cell(obs, 5, "measure", "abs_change")  # 同比增长32.1%: a change in %, not in the indicator's count
    p = problems_of(data, "unit_mismatch")[0]
    assert (p.line, p.column, p.value) == (5, "unit", "%")
    assert "indicator invention_patent_applications is in count" in p.expected


def test_a_malformed_digest_is_the_sources_row_s_problem_not_the_raw_file_s(data):
    set_cell(data / "sources.csv", 2, "sha256", "see file")
    found = check(data).problems
    assert [(p.file, p.column, p.check) for p in found] == [("data/sources.csv", "sha256", "pattern")]


def test_the_accounting_runs_beside_problems_of_columns_it_does_not_read_and_says_when_it_did_not(data, capsys):
    from cityscience.cli import main

    rows = read_rows(data / "observations" / "demo.csv")
    write_csv(data / "observations" / "demo.csv", rows[:1] + rows[2:])  # its number is now unaccounted
    set_cell(data / "regions.csv", 2, "color", "red")  # a table the accounting does not read
    set_cell(data / "observations" / "demo.csv", 2, "status", "guess")  # a column of a table it reads, not read
    checks = {p.check for p in check(data).problems}
    assert {"unaccounted_number", "pattern", "allowed_value"} <= checks
    set_cell(data / "observations" / "demo.csv", 2, "value", "x")  # a column it reads: not run, and said
    found = check(data)
    assert "unaccounted_number" not in {p.check for p in found.problems} and found.accounting_skipped == ["observations"]
    assert main(["validate", "--data", str(data)]) == 1
    assert "note: the accounting of every number was not run: it reads observations" in capsys.readouterr().err
