"""The Excel workbook: sheets, README, formats, text that never turns into a formula, same data → same bytes."""

from __future__ import annotations

import datetime as dt
import io
import os
import re
import zipfile

import openpyxl
import pandas as pd
import pytest

import cityscience as cs
from cityscience.cells import CellError, display_width, put
from cityscience.cli import main
from cityscience.export.workbook import FigureData, workbook_bytes, write_workbook
from exportdata import OBS_ROWS, make_export_data
from minidata import read_rows, set_cell


@pytest.fixture
def data(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    return make_export_data(tmp_path)


def _load(data, lang="zh", **kw) -> openpyxl.Workbook:
    return openpyxl.load_workbook(io.BytesIO(workbook_bytes(data, lang, **kw)))


def _rows(ws, header_row=1):
    rows = list(ws.iter_rows(min_row=header_row, values_only=True))
    return [dict(zip(rows[0], r, strict=True)) for r in rows[1:]]


def test_sheets_in_both_languages(data):
    regions = cs.load_regions(data)  # one sheet per region, in the file's order
    zh = _load(data, "zh").sheetnames
    assert zh == ["说明", "观测值", *regions["name_zh"], "指标", "单位", "代码表", "地区", "来源", "一致性检查"]
    en = _load(data, "en").sheetnames
    assert en == ["README", "Observations", *regions["name_en"], "Indicators", "Units", "Code lists", "Regions",
                  "Sources", "Consistency flags"]


def test_readme_cites_and_dates_from_the_data_not_the_clock(data):
    wb = _load(data, "en")
    readme = {r[0]: r[1] for r in wb["README"].iter_rows(min_row=3, values_only=True) if r[0]}
    version = readme["Data version"]
    assert re.fullmatch(r"2015-04-14\+[0-9a-f]{12}", version)  # the source's published date + checksum
    assert readme["Data as of (newest source publication date)"] == "2015-04-14"
    assert version in readme["How to cite"] and "observation ID" in readme["How to cite"]
    assert "9 observations" in readme["Size"]
    assert wb.properties.created == wb.properties.modified == dt.datetime(2015, 4, 14)
    sheets = [k for k in readme if k in wb.sheetnames]
    assert set(wb.sheetnames) - {"README"} <= set(sheets)


def test_same_data_same_bytes_and_changed_data_changes_the_version(data):
    first = workbook_bytes(data, "zh")
    assert workbook_bytes(data, "zh") == first
    with zipfile.ZipFile(io.BytesIO(first)) as z:
        assert {i.date_time for i in z.infolist()} == {(1980, 1, 1, 0, 0, 0)}
    set_cell(data / "observations" / "demo.csv", 6, "note", "edited")
    second = workbook_bytes(data, "zh")
    assert second != first
    v1 = openpyxl.load_workbook(io.BytesIO(first)).properties.version
    v2 = openpyxl.load_workbook(io.BytesIO(second)).properties.version
    assert v1[:10] == v2[:10] and v1 != v2  # same as-of date, different checksum


def test_observations_sheet_is_typed_frozen_filtered_and_sized(data):
    ws = _load(data, "zh")["观测值"]
    assert ws.freeze_panes == "B2"
    assert ws.auto_filter.ref == f"A1:T{len(OBS_ROWS) + 1}"
    rows = _rows(ws)
    by_id = {r["观测编号"]: r for r in rows}
    assert [r["观测编号"] for r in rows] == [r[0] for r in OBS_ROWS]
    r1 = by_id["t-001"]
    assert r1["年份"] == 2014 and r1["数值"] == 185 and r1["原文单位"] == "亿元"
    assert r1["标准单位数值"] == 18_500_000_000 and r1["标准单位"] == "CNY"
    assert r1["地区"] == "宁波市" and r1["指标"] == "全社会研发投入"
    assert by_id["t-002"]["数值"] == 2.35
    assert by_id["t-008"]["上限值"] == 10
    # number formats follow the written precision and the unit
    header = [c.value for c in ws[1]]
    col = {h: i + 1 for i, h in enumerate(header)}
    assert ws.cell(3, col["数值"]).number_format == "#,##0.00"  # 2.35
    assert ws.cell(2, col["数值"]).number_format == "#,##0"  # 185
    assert ws.cell(3, col["标准单位数值"]).number_format == '#,##0.00"%"'
    assert ws.cell(2, col["年份"]).number_format == "0"
    assert ws.cell(2, col["观测编号"]).number_format == "@"
    # columns are wide enough for their Chinese text (wide characters count twice)
    label = ws.cell(1, col["原文表述"]).column_letter
    assert ws.column_dimensions[label].width >= display_width("发明专利申请量") + 2
    evidence = ws.cell(1, col["原文证据"]).column_letter
    assert ws.column_dimensions[evidence].width >= display_width("到2020年,发明专利申请量达到10000件")


def test_text_that_looks_like_a_formula_is_stored_as_text(data):
    raw = workbook_bytes(data, "zh")
    with zipfile.ZipFile(io.BytesIO(raw)) as z:
        sheets = [n for n in z.namelist() if n.startswith("xl/worksheets/sheet")]
        assert sheets and not any(b"<f>" in z.read(n) or b"<f " in z.read(n) for n in sheets)
    ws = openpyxl.load_workbook(io.BytesIO(raw))["观测值"]
    col = {c.value: c.column for c in ws[1]}["备注"]
    notes = {ws.cell(r, 1).value: ws.cell(r, col) for r in range(2, ws.max_row + 1)}
    for obs_id, text in [("t-001", "=1+1 must stay text"), ("t-002", "+86 574 stays text"),
                         ("t-003", "-5% is not a formula"), ("t-004", "@home stays text")]:
        cell = notes[obs_id]
        assert cell.value == text and cell.data_type == "s" and cell.quotePrefix, obs_id
    assert not notes["t-006"].quotePrefix


def test_region_sheet_is_wide_with_status_and_qualifier_visible(data):
    ws = _load(data, "en")["Ningbo"]
    rows = _rows(ws)
    assert list(rows[0]) == ["Indicator code", "Indicator name", "Measure", "Status", "Unit",
                             "Comparability variant", "2014", "2020", "Observation IDs"]
    key = {(r["Indicator code"], r["Measure"], r["Status"]): r for r in rows}
    patents = key[("invention_patent_applications", "level", "actual")]
    assert patents["2014"] == 12957 and patents["2020"] is None
    assert key[("invention_patent_applications", "level", "target")]["2020"] == 10000
    # English in the codebook's English display unit (185亿元 is CNY 18.5 bn); a count is a number
    assert key[("rd_expenditure", "level", "estimate")]["2014"] == 18.5
    assert key[("rd_expenditure", "level", "estimate")]["Unit"] == "CNY bn"
    assert patents["Unit"] == "number"
    header = [c.value for c in ws[1]]
    c2014 = header.index("2014") + 1
    cells = {ws.cell(r, 1).value + "/" + ws.cell(r, 4).value: ws.cell(r, c2014) for r in range(2, ws.max_row + 1)}
    assert cells["incubators_new/actual"].number_format.startswith('"≈"')
    assert cells["st_enterprises/actual"].number_format.startswith('"≥"')
    assert '"–10"' in cells["innovation_teams/actual"].number_format
    assert "t-006" in cells["incubators_new/actual"].comment.text  # traceable to its sentence
    assert "新增孵化器近百家" in cells["incubators_new/actual"].comment.text
    zh = _load(data, "zh")["宁波市"]
    assert [c.value for c in zh[1]][:5] == ["指标代码", "指标", "度量", "状态", "单位"]
    zh_key = {(r["指标代码"], r["度量"], r["状态"]): r for r in _rows(zh)}
    assert (zh_key[("rd_expenditure", "水平", "预计")]["2014"], zh_key[("rd_expenditure", "水平", "预计")]["单位"]) \
        == (185, "亿元")  # Chinese as the documents write it
    assert {r["状态"] for r in _rows(zh)} == {"实际", "预计", "目标"}
    assert _rows(_load(data, "zh")["杭州市"])[0]["指标代码"] == "该地区暂无观测值。"


def test_a_value_of_another_basis_scope_or_period_gets_a_region_sheet_row_of_its_own():
    # on the curated data: a row of a region sheet never sets values of different variants side by side,
    # and a variant's row says in words what it is
    obs = cs.load_observations()
    variant_of = dict(zip(obs["obs_id"].astype(str), obs["variant"].astype("string").fillna(""), strict=True))
    assert any(variant_of.values()), "the curated data have values of another basis, scope or period"
    regions = cs.load_regions()
    for lang in ("en", "zh"):
        wb = openpyxl.load_workbook(io.BytesIO(workbook_bytes(None, lang)))
        seen = set()
        for name in regions[f"name_{lang}"]:
            rows = _rows(wb[name])
            variant_col, ids_col = list(rows[0])[5], list(rows[0])[-1]
            for row in rows:
                ids = str(row[ids_col]).split(";")
                kinds = {variant_of[i] for i in ids}
                assert len(kinds) == 1, (name, ids, kinds)
                (kind,) = kinds
                assert (row[variant_col] or "") == cs.describe_variant(kind, lang=lang), (name, ids)
                seen.update(ids)
        assert seen == set(variant_of)  # every value is on a region sheet


def test_codebook_sources_and_flags_sheets(data):
    wb = _load(data, "en")
    sources = _rows(wb["Sources"])
    assert len(sources) == 1
    src = sources[0]
    assert src["Published"] == dt.datetime(2015, 4, 14)
    assert re.fullmatch(r"[0-9a-f]{64}", src["SHA-256"])
    assert src["SHA-256"] == cs.load_sources(data)["sha256"].iloc[0]
    regions = {r["Region code"]: r for r in _rows(wb["Regions"])}
    assert regions["cixi"]["Division code (GB/T 2260)"] == "330282"  # a code stays text
    assert len(_rows(wb["Indicators"])) == len(cs.load_indicators(data))
    flags = _rows(wb["Consistency flags"])
    expected = cs.consistency_flags(cs.load_observations(data), cs.load_indicators(data))
    assert len(flags) == len(expected) == 1
    vocab = cs.load_vocabularies(data).set_index(["vocabulary", "code"])
    label = vocab.loc[("consistency_check", "target_below_actual"), "label_en"]
    assert label != "target_below_actual"  # the check's English name, not its code
    assert flags[0]["Check"] == label and flags[0]["Observation IDs"] == "t-003;t-009"
    assert flags[0]["Values"] == "12,957 (2014 actual) above the 2020 target of 10,000"  # English numbers, no 件
    flag = expected.iloc[0]  # names beside the codes, for a reader who does not know them
    assert flags[0]["Region name"] == cs.load_regions(data).set_index("region").loc[flag["region"], "name_en"]
    assert flags[0]["Indicator name"] == cs.load_indicators(data).set_index("indicator").loc[flag["indicator"],
                                                                                            "name_en"]
    zh = _rows(_load(data, "zh")["一致性检查"])
    assert zh[0]["数值"] == "12,957件（2014年实际）高于2020年目标10,000件"
    assert zh[0]["说明"].startswith("2020年目标低于同一地区同一指标2014年的实际水平")


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_every_column_of_a_table_sheet_has_a_header_of_its_own_in_each_language(data, lang):
    from cityscience.export.labels import sheet_name
    from cityscience.load import validated

    wb = _load(data, lang)
    for spec in validated(data).registry.workbook_tables():
        header = [c.value for c in wb[sheet_name(spec.name, lang)][1]]
        assert len(set(header)) == len(header), (spec.name, header)
        raw = [c for c in spec.column_names if c in header]  # a code shown as its own header: not labelled
        assert raw == [], (spec.name, lang, raw)


def test_figure_data_sheets(data):
    from cityscience.export.labels import column_label

    fig = FigureData(figure="02-hte-stock", title="高新技术企业数", notebook="notebooks/02-enterprises.ipynb",
                     sources="ningbo-2014-summary; cixi-2024-summary",
                     data=pd.DataFrame({"region": ["ningbo", "cixi"], "year": [2014, 2024],
                                        "value": [1167.0, 2.5]}),
                     footnote="注意：图中比较不同层级的地区。\n† 不可直接比较：宁波2014年（nb14-046）\n来源：……")
    wb = _load(data, "zh", figures=[fig])
    ws = wb["图数据 02-hte-stock"]
    assert [ws.cell(r, 2).value for r in (1, 2, 3)] == [fig.title, fig.notebook, fig.sources]
    # the footnote, one line a row, explains what † marks
    assert [(ws.cell(r, 1).value, ws.cell(r, 2).value) for r in (4, 5, 6)] == [
        ("图注", "注意：图中比较不同层级的地区。"), (None, "† 不可直接比较：宁波2014年（nb14-046）"), (None, "来源：……")]
    table = _rows(ws, header_row=9)
    region, year, value = (column_label(c, "zh") for c in ("region", "year", "value"))
    assert region != "region"  # the headers the table sheets use, not the column codes
    assert table == [{region: "ningbo", year: 2014, value: 1167}, {region: "cixi", year: 2024, value: 2.5}]
    readme = [r[0] for r in wb["说明"].iter_rows(values_only=True)]
    assert "图数据 02-hte-stock" in readme


def test_invalid_data_exports_nothing(data, capsys):
    out = data.parent / "book.xlsx"
    assert main(["export", "xlsx", "--data", str(data), "-o", str(out), "--no-figures"]) == 0
    before = out.read_bytes()
    set_cell(data / "observations" / "demo.csv", 3, "value", "2.36")
    assert main(["export", "xlsx", "--data", str(data), "-o", str(out), "--no-figures"]) == 1
    err = capsys.readouterr().err
    assert "data/observations/demo.csv:3: column 'value': value '2.36'" in err and "nothing was exported" in err
    assert out.read_bytes() == before
    assert sorted(p.name for p in out.parent.iterdir() if p.is_file()) == ["book.xlsx"]


def test_a_failure_while_replacing_keeps_the_earlier_file(data, monkeypatch):
    out = data.parent / "book.xlsx"
    write_workbook(out, data, "zh")
    before = out.read_bytes()
    set_cell(data / "observations" / "demo.csv", 6, "note", "changed")

    def broken_replace(src, dst):
        raise OSError(28, "No space left on device", str(dst))

    monkeypatch.setattr(os, "replace", broken_replace)
    with pytest.raises(OSError):
        write_workbook(out, data, "zh")
    assert out.read_bytes() == before
    assert [p.name for p in out.parent.iterdir() if p.is_file()] == ["book.xlsx"]


def test_control_character_cannot_reach_a_cell():
    """Defence in depth (the validator rejects them first): a cell refuses text a workbook cannot hold."""
    ws = openpyxl.Workbook().active
    ws.title = "观测值"
    with pytest.raises(CellError, match=r"观测值!S7: value 'bad\\x01char': expected text without control "
                                              r"characters \(found U\+0001\)"):
        put(ws["S7"], "bad\x01char")


def test_cli_default_output_and_language(data, tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("CITYSCIENCE_BUILD", str(tmp_path / "build"))
    assert main(["export", "xlsx", "--data", str(data), "--lang", "en", "--no-figures"]) == 0
    out = tmp_path / "build" / "cityscience-en.xlsx"
    assert f"wrote {out}" in capsys.readouterr().out
    assert openpyxl.load_workbook(out).sheetnames[0] == "README"


def test_english_region_sheet_without_a_display_unit_keeps_the_written_unit_with_its_gloss(data):
    """A standard unit the codebook gives no display row (here CNY, its rows blanked) is shown in English as
    the documents write it, with the codebook's description, so the number still reads right."""
    units = data / "codebook" / "units.csv"
    header = read_rows(units)[0]
    glosses = {}
    for line, row in enumerate(read_rows(units)[1:], start=2):
        glosses[row[0]] = row[header.index("description")].split(" (")[0]  # the gloss: up to any aside
        if row[header.index("unit_std")] == "CNY":
            for column in ("display", "display_zh", "display_en", "display_factor_en", "format_zh", "format_en",
                           "nonnegative"):
                set_cell(units, line, column, "")
    rows = {(r["Indicator code"], r["Measure"], r["Status"]): r for r in _rows(_load(data, "en")["Ningbo"])}
    rd = rows[("rd_expenditure", "level", "estimate")]
    written = next(r for r in OBS_ROWS if r[4] == "rd_expenditure" and r[6] == "level")  # 185, 亿元
    assert (rd["2014"], rd["Unit"]) == (float(written[9]), f"{written[11]} ({glosses[written[11]]})")
    assert rows[("invention_patent_applications", "level", "actual")]["Unit"] == "number"  # counts unchanged


def test_a_derived_value_on_a_figure_sheet_quotes_the_level_and_the_change_it_comes_from():
    import cityscience as cs
    from cityscience.export.figures import _drawn_values

    obs = cs.load_observations()
    derived = cs.derive_previous_levels(obs)
    assert len(derived), "the curated data imply a previous level somewhere"
    stated = obs.set_index(obs["obs_id"].astype(str))["evidence"].astype(str)
    ids = derived["obs_id"].astype(str).tolist()
    frame = _drawn_values([{"obs_id": oid, "shown": "x"} for oid in ids], obs)
    for oid, pair, quoted in zip(ids, derived["derived_from"].astype(str), frame["evidence"], strict=True):
        level, change = (stated[o] for o in pair.split("+"))
        assert level in quoted and change in quoted, (oid, quoted)


@pytest.mark.parametrize(("value", "column", "fmt"), [
    (4000000, "value_std", "#,##0"), (2014, "year", "0"), (9808.47842544, "value_std", "#,##0.00"),
    (12.5, "value", "#,##0.0"), (7654545454.55, "value_std", "#,##0"), (0.000123, "value", "#,##0.000000")])
def test_a_figure_sheet_number_is_grouped_and_shown_to_six_significant_digits(value, column, fmt):
    from cityscience.export.workbook import _plain

    assert _plain(value, column) == (value, fmt)  # the value itself is kept in full
