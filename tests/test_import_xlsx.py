"""The round trip: export → (edit) → import gives back the CSVs, merging only valid rows, losing nothing."""

from __future__ import annotations

import csv
import datetime as dt
import io

import openpyxl
import pytest

from cityscience.cli import main
from cityscience.export.merge import import_workbook
from cityscience.export.reader import WorkbookError, cell_text, read_workbook
from cityscience.export.workbook import write_workbook
from cityscience.validate import check
from exportdata import OBS_ROWS, QUOTED_EXCLUSION, make_export_data
from minidata import set_cell


@pytest.fixture
def data(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    return make_export_data(tmp_path)


@pytest.fixture(params=["zh", "en"])
def book(request, data):
    path = data.parent / f"book-{request.param}.xlsx"
    write_workbook(path, data, request.param)
    return path


def _snapshot(data):
    return {p.relative_to(data).as_posix(): p.read_bytes() for p in sorted(data.rglob("*")) if p.is_file()}


def _csv_rows(path):
    with open(path, newline="", encoding="utf-8") as f:
        rows = list(csv.reader(f))
    return [dict(zip(rows[0], r, strict=True)) for r in rows[1:]]


def _sheet(wb, key):
    names = {"observations": ("观测值", "Observations"), "regions": ("地区", "Regions"),
             "sources": ("来源", "Sources"), "indicators": ("指标", "Indicators")}[key]
    ws = wb[next(n for n in names if n in wb.sheetnames)]
    col = {}
    for c in ws[1]:
        col[c.value] = c.column
    return ws, col


def _col(col, *labels):
    return next(col[label] for label in labels if label in col)


def _book_with(data, lang, key, edits):
    """A workbook of ``data`` in ``lang`` with cells of one sheet edited: {(row, header label): value}."""
    path = data.parent / "book.xlsx"
    write_workbook(path, data, lang)
    wb = openpyxl.load_workbook(path)
    ws, col = _sheet(wb, key)
    for (row, label), value in edits.items():
        ws.cell(row, col[label]).value = value
    wb.save(path)
    return path


def test_unchanged_export_reads_back_identical_to_the_csvs(book, data):
    registry = check(data).registry
    tables, problems, _ = read_workbook(book, registry.workbook_tables())
    assert problems == []
    assert [t.name for t in registry.workbook_tables()] == list(tables)
    for table in registry.workbook_tables():
        got = tables[table.name].rows
        want = [row for path in table.files(data) for row in _csv_rows(path)]
        assert sorted(got, key=lambda r: [r[k] for k in table.key]) == \
            sorted(want, key=lambda r: [r[k] for k in table.key]), table.name


def test_unchanged_export_imports_as_a_no_op(book, data, capsys):
    before = _snapshot(data)
    assert main(["import-xlsx", str(book), "--data", str(data)]) == 0
    out = capsys.readouterr().out
    assert "nothing to import" in out and f"observations: 0 added, 0 edited, {len(OBS_ROWS)} unchanged" in out
    assert _snapshot(data) == before


def test_edited_and_new_rows_are_merged_and_other_bytes_kept(data):
    path = data.parent / "book.xlsx"
    write_workbook(path, data, "zh")
    wb = openpyxl.load_workbook(path)
    ws, col = _sheet(wb, "observations")
    rows = {ws.cell(r, 1).value: r for r in range(2, ws.max_row + 1)}
    ws.cell(rows["t-006"], col["备注"]).value = "=近百 means about 100, kept as text"
    ws.cell(rows["t-006"], col["备注"]).data_type = "s"
    ws.delete_rows(rows["t-005"])  # a row missing from the workbook is kept, never deleted
    new = ws.max_row + 1
    for label, value in {"观测编号": "t-010", "来源编号": "demo", "地区代码": "ningbo", "年份": 2014,
                         "指标代码": "invention_patent_applications", "原文表述": "发明专利申请量", "度量": "level",
                         "状态": "target", "限定": "exact", "数值": 10000, "原文单位": "件",
                         "原文证据": "发明专利申请量达到10000件"}.items():
        ws.cell(new, col[label]).value = value
    wi, ci = _sheet(wb, "indicators")
    wi.cell(2, ci["定义"]).value = "R&D spending (edited)."
    wb.save(path)
    before = _snapshot(data)
    result = import_workbook(path, data)
    assert result.written and result.added["observations"] == 1 and result.edited["observations"] == 1
    assert result.kept["observations"] == 1 and result.edited["indicators"] == 1
    assert result.files == ["indicators.csv", "observations/demo.csv"]
    after = _snapshot(data)
    assert {k for k in after if after[k] != before[k]} == {"indicators.csv", "observations/demo.csv"}
    obs = _csv_rows(data / "observations" / "demo.csv")
    assert [r["obs_id"] for r in obs] == [*(r[0] for r in OBS_ROWS), "t-010"]
    assert obs[5]["note"] == "=近百 means about 100, kept as text"
    assert obs[-1]["value"] == "10000" and obs[-1]["year"] == "2014" and obs[-1]["note"] == ""
    old_lines = before["observations/demo.csv"].decode().splitlines()
    new_lines = after["observations/demo.csv"].decode().splitlines()
    assert [a == b for a, b in zip(old_lines, new_lines, strict=False)] == [True] * 6 + [False] + [True] * 3
    assert QUOTED_EXCLUSION.encode() in after["exclusions.csv"]
    assert check(data).problems == []


@pytest.mark.parametrize(("lang", "header", "former"), [("zh", "原文单位", "单位")])
def test_a_workbook_exported_before_a_header_was_renamed_still_imports(data, lang, header, former):
    """The observations' unit column was headed 单位 before it said it is the unit as written. (Its English
    header 'Unit' needs no alias: the import reads a column's code, 'unit', whatever its case.)"""
    path = data.parent / "book.xlsx"
    write_workbook(path, data, lang)
    wb = openpyxl.load_workbook(path)
    ws, col = _sheet(wb, "observations")
    ws.cell(1, col[header]).value = former
    rows = {ws.cell(r, 1).value: r for r in range(2, ws.max_row + 1)}
    ws.cell(rows["t-006"], col[header]).value = "项"  # an edit in the renamed column is read, not dropped
    wb.save(path)
    result = import_workbook(path, data, dry_run=True)
    assert result.edited["observations"] == 1


def test_invalid_rows_are_reported_by_sheet_row_column_and_nothing_is_written(data, capsys):
    path = data.parent / "book.xlsx"
    write_workbook(path, data, "en")
    wb = openpyxl.load_workbook(path)
    ws, col = _sheet(wb, "observations")
    ws.cell(3, col["Value"]).value = 2.36  # t-002: not the number in the evidence
    ws.cell(4, col["Status"]).value = "guess"  # t-003
    ws.cell(5, col["Year"]).value = 1850  # t-004
    wb.save(path)
    before = _snapshot(data)
    assert main(["import-xlsx", str(path), "--data", str(data)]) == 1
    err = capsys.readouterr().err
    assert ("book.xlsx, sheet 'Observations', row 3, column L 'Value' (value), value '2.36': expected a number "
            "stated in the evidence (it states 2.35)") in err
    assert "sheet 'Observations', row 4, column J 'Status' (status), value 'guess': expected one of actual, " in err
    assert "row 5, column E 'Year' (year), value '1850': expected a year between 1949 and 2100" in err
    assert "3 problems found in" in err and "no CSV file was changed" in err
    assert _snapshot(data) == before


def test_a_fact_entered_twice_names_the_other_row_in_the_workbook(data, capsys):
    """The first row of a duplicate is named by its sheet row, as the user sees it, not by a CSV line."""
    path = data.parent / "book.xlsx"
    write_workbook(path, data, "en")
    wb = openpyxl.load_workbook(path)
    ws, col = _sheet(wb, "observations")
    last = ws.max_row + 1
    for c in range(1, ws.max_column + 1):
        ws.cell(last, c).value = ws.cell(3, c).value
    ws.cell(last, col["Observation ID"]).value = "t-900"
    wb.save(path)
    assert main(["import-xlsx", str(path), "--data", str(data)]) == 1
    err = capsys.readouterr().err
    assert (f"sheet 'Observations', row {last}, column F 'Indicator code' (indicator), value "
            in err and "expected each fact once (also sheet 'Observations' row 3) [duplicate_key]" in err), err


def test_leading_zeros_dates_and_text_numbers_are_not_coerced(data):
    path = data.parent / "book.xlsx"
    write_workbook(path, data, "en")
    wb = openpyxl.load_workbook(path)
    ws, col = _sheet(wb, "regions")
    cixi = next(r for r in range(2, ws.max_row + 1) if ws.cell(r, 1).value == "cixi")
    assert ws.cell(cixi, col["Division code (GB/T 2260)"]).value == "330282"
    ws.cell(cixi, col["Division code (GB/T 2260)"]).value = 330282  # typed as a number
    wo, co = _sheet(wb, "observations")
    wo.cell(2, co["Label as written (zh)"]).value = dt.datetime(2014, 1, 2)  # Excel's date guess
    wo.cell(3, co["Value"]).value = "2.35"  # a number stored as text: kept as written
    ws_src, cs_ = _sheet(wb, "sources")
    assert ws_src.cell(2, cs_["Published"]).value == dt.datetime(2015, 4, 14)
    wb.save(path)
    with pytest.raises(WorkbookError) as err:
        import_workbook(path, data)
    found = {(p.sheet, p.row, p.check) for p in err.value.problems}
    assert found == {("Regions", cixi, "cell_type"), ("Observations", 2, "cell_type")}
    report = err.value.report()
    assert "value '330282': expected text, found a number (a code typed as a number loses leading zeros" in report
    assert "value '2014-01-02 00:00:00': expected text or a number, found a date or time" in report


def test_number_keeps_its_spelling(data):
    set_cell(data / "observations" / "demo.csv", 3, "value", "2.350")
    path = data.parent / "book.xlsx"
    write_workbook(path, data, "zh")
    tables, problems, _ = read_workbook(path, check(data).registry.workbook_tables(),
                                     {"observations": {("t-002",): {"value": "2.350"}}})
    assert problems == []
    assert next(r for r in tables["observations"].rows if r["obs_id"] == "t-002")["value"] == "2.350"
    before = _snapshot(data)
    assert not import_workbook(path, data).changed
    assert _snapshot(data) == before


@pytest.mark.parametrize(("value", "data_type", "dtype", "expected"), [
    ("=A1*2", "f", "Float64", (None, "formula =A1*2")),
    (True, "b", "string", (None, "TRUE/FALSE")),
    (7, "n", "category", (None, "found a number")),
    (7, "n", "Int64", ("7", None)),
    (2.5, "n", "Float64", ("2.5", None)),
    (1.85e10, "n", "Float64", ("18500000000", None)),
    (dt.datetime(2015, 4, 14), "d", "date", ("2015-04-14", None)),
    (dt.datetime(2015, 4, 14, 9, 30), "d", "date", (None, "without a time")),
    (20150414, "n", "date", (None, "a date")),
    ("0185", "s", "Float64", ("0185", None)),
    (None, "n", "string", ("", None)),
    ("#DIV/0!", "e", "Float64", (None, "error #DIV/0!")),
])
def test_cell_text_rules(value, data_type, dtype, expected):
    text, why = cell_text(value, data_type, dtype)
    assert text == expected[0]
    if expected[1] is None:
        assert why is None
    else:
        assert expected[1] in why


def test_edited_computed_column_is_reported(data):
    path = data.parent / "book.xlsx"
    write_workbook(path, data, "zh")
    wb = openpyxl.load_workbook(path)
    ws, col = _sheet(wb, "observations")
    ws.cell(2, col["标准单位数值"]).value = 1.9e10  # t-001: someone "corrected" the computed value
    ws.cell(3, col["数值"]).value = 2.36  # t-002: a stale computed value after an edit is fine…
    ws.cell(3, col["原文证据"]).value = "占GDP比例达2.35%"  # …(this edit is invalid for another reason)
    wb.save(path)
    with pytest.raises(WorkbookError) as err:
        import_workbook(path, data)
    checks = sorted((p.row, p.check) for p in err.value.problems)
    assert checks == [(2, "computed_column"), (3, "value_not_in_evidence")]
    computed = next(p for p in err.value.problems if p.check == "computed_column")
    assert computed.column == "O '标准单位数值' (value_std)" and computed.value == "19000000000"
    assert computed.expected.startswith("18500000000: this column is computed by the library")


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_renamed_indicator_and_region_leave_stale_names_on_observations(data, lang):
    """Translating a drafted name on the Indicators or Regions sheet is an edit of a stored column: the
    observations' computed name cells still hold the old name, which is stale, not typed by hand."""
    path = data.parent / "book.xlsx"
    write_workbook(path, data, lang)
    wb = openpyxl.load_workbook(path)
    renamed = {}
    for key, code_labels in (("indicators", ("指标代码", "Indicator code")), ("regions", ("地区代码", "Region code"))):
        ws, col = _sheet(wb, key)
        name_col = _col(col, "英文名称", "Name (en)")
        code = ws.cell(2, _col(col, *code_labels)).value
        renamed[key] = (code, f"(to translate) {ws.cell(2, name_col).value}")
        ws.cell(2, name_col).value = renamed[key][1]
    wb.save(path)
    result = import_workbook(path, data)
    assert result.written
    for key, (code, name) in renamed.items():
        rows = _csv_rows(data / f"{key}.csv")
        assert next(r["name_en"] for r in rows if r[key[:-1]] == code) == name


def test_computed_name_typed_by_hand_is_reported(data):
    path = _book_with(data, "en", "observations", {(2, "Indicator name"): "A name of my own"})
    with pytest.raises(WorkbookError) as err:
        import_workbook(path, data)
    assert [(p.row, p.check, p.value) for p in err.value.problems] == [(2, "computed_column", "A name of my own")]


def test_dry_run_writes_nothing(data, capsys):
    path = _book_with(data, "zh", "observations", {(7, "备注"): "a new note"})
    before = _snapshot(data)
    assert main(["import-xlsx", str(path), "--data", str(data), "--dry-run"]) == 0
    assert "dry run" in capsys.readouterr().out
    assert _snapshot(data) == before
    assert main(["import-xlsx", str(path), "--data", str(data)]) == 0
    assert _csv_rows(data / "observations" / "demo.csv")[5]["note"] == "a new note"


def test_reexport_after_import_round_trips(data):
    """Export → edit → import → export → import is a no-op: the second workbook matches the CSVs."""
    path = data.parent / "book.xlsx"
    write_workbook(path, data, "en")
    wb = openpyxl.load_workbook(path)
    ws, col = _sheet(wb, "indicators")
    ws.cell(2, col["Comparability"]).value = "@see the 2014 note; -not a formula"
    wb.save(path)
    assert import_workbook(path, data).edited["indicators"] == 1
    write_workbook(path, data, "en")
    assert not import_workbook(path, data).changed
    raw = io.BytesIO(path.read_bytes())
    cell = openpyxl.load_workbook(raw)["Indicators"].cell(2, col["Comparability"])
    assert cell.data_type == "s" and cell.quotePrefix
