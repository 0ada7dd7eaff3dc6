"""A real client opens the workbook: headless LibreOffice reads back the data, and evaluates no formula.

LibreOffice converts the exported workbook to one CSV per sheet (the values
it computed for display) and re-saves it as xlsx (what it would write after a
user opens and saves the file). The values must equal the data, every text
that starts with ``=``, ``+``, ``-`` or ``@`` must come back as that text (not
as the result of a formula), the re-saved file must hold no formula, and
importing the re-saved file must change nothing.
"""

from __future__ import annotations

import csv
import os
import shutil
import subprocess
from pathlib import Path

import openpyxl
import pytest

from cityscience.export.merge import import_workbook
from cityscience.export.workbook import write_workbook
from exportdata import OBS_ROWS, make_export_data
from minidata import OBS_HEADER

SOFFICE = shutil.which("soffice") or shutil.which("libreoffice")
pytestmark = pytest.mark.skipif(
    SOFFICE is None,
    reason="LibreOffice (soffice) is not installed; .ci/run installs it with "
           "`apt-get install --no-install-recommends libreoffice-calc-nogui`")

# CSV filter: comma, double quote, UTF-8, raw values (not as shown), every sheet to its own file
_CSV_FILTER = "csv:Text - txt - csv (StarCalc):44,34,76,1,,0,false,true,false,false,false,-1"
# the same, but each cell as LibreOffice displays it (number formats applied)
_CSV_SHOWN = "csv:Text - txt - csv (StarCalc):44,34,76,1,,0,false,true,true,false,false,-1"


def _soffice(args: list[str], tmp_path: Path) -> None:
    profile = tmp_path / "lo-profile"
    env = {**os.environ, "HOME": str(tmp_path)}
    cmd = [SOFFICE, f"-env:UserInstallation=file://{profile}", "--headless", "--norestore", *args]
    done = subprocess.run(cmd, capture_output=True, text=True, timeout=300, env=env, check=False)
    assert done.returncode == 0, done.stderr


@pytest.fixture(scope="module")
def exported(tmp_path_factory):
    root = tmp_path_factory.mktemp("lo")
    data = make_export_data(root)
    book = root / "book.xlsx"
    write_workbook(book, data, "zh")
    _soffice(["--convert-to", _CSV_FILTER, "--outdir", str(root / "csv"), str(book)], root)
    _soffice(["--convert-to", _CSV_SHOWN, "--outdir", str(root / "shown"), str(book)], root)
    _soffice(["--convert-to", "xlsx:Calc MS Excel 2007 XML", "--outdir", str(root / "resaved"), str(book)], root)
    return data, book, root


def _read_csv(path: Path) -> list[dict[str, str]]:
    with open(path, newline="", encoding="utf-8") as f:
        rows = list(csv.reader(f))
    return [dict(zip(rows[0], r, strict=True)) for r in rows[1:]]


def test_libreoffice_reads_back_the_observations(exported):
    _, _, root = exported
    rows = _read_csv(root / "csv" / "book-观测值.csv")
    labels = {"obs_id": "观测编号", "year": "年份", "value": "数值", "value_high": "上限值", "unit": "原文单位",
              "evidence": "原文证据", "note": "备注", "label_zh": "原文表述"}
    assert len(rows) == len(OBS_ROWS)
    for got, want in zip(rows, OBS_ROWS, strict=True):
        want = dict(zip(OBS_HEADER, want, strict=True))
        for column, label in labels.items():
            if column in {"value", "value_high"} and want[column]:
                assert float(got[label]) == float(want[column]), (want["obs_id"], column)
            else:
                assert got[label] == want[column], (want["obs_id"], column)


def test_libreoffice_evaluates_no_formula(exported):
    _, _, root = exported
    notes = {r["观测编号"]: r["备注"] for r in _read_csv(root / "csv" / "book-观测值.csv")}
    assert notes["t-001"] == "=1+1 must stay text"
    assert notes["t-002"] == "+86 574 stays text"
    assert notes["t-003"] == "-5% is not a formula"
    assert notes["t-004"] == "@home stays text"
    resaved = openpyxl.load_workbook(root / "resaved" / "book.xlsx")
    formulas = [f"{ws.title}!{c.coordinate}" for ws in resaved.worksheets for row in ws.iter_rows()
                for c in row if c.data_type == "f"]
    assert formulas == []


def test_libreoffice_sees_codes_dates_and_the_region_sheet(exported):
    _, _, root = exported
    regions = {r["地区代码"]: r for r in _read_csv(root / "csv" / "book-地区.csv")}
    assert regions["cixi"]["行政区划代码"] == "330282"
    sources = _read_csv(root / "csv" / "book-来源.csv")
    assert sources[0]["发布日期"] == "2015-04-14"
    wide = {(r["指标代码"], r["度量"], r["状态"]): r for r in _read_csv(root / "csv" / "book-宁波市.csv")}
    assert float(wide[("rd_expenditure", "水平", "预计")]["2014"]) == 185
    assert float(wide[("invention_patent_applications", "水平", "目标")]["2020"]) == 10000


def test_workbook_resaved_by_libreoffice_imports_unchanged(exported):
    data, _, root = exported
    before = {p: p.read_bytes() for p in data.rglob("*") if p.is_file()}
    result = import_workbook(root / "resaved" / "book.xlsx", data)
    assert not result.changed and result.unchanged["observations"] == len(OBS_ROWS)
    assert {p: p.read_bytes() for p in data.rglob("*") if p.is_file()} == before


def test_libreoffice_shows_qualifiers_and_units(exported):
    _, _, root = exported
    wide = {(r["指标代码"], r["度量"], r["状态"]): r for r in _read_csv(root / "shown" / "book-宁波市.csv")}
    assert wide[("incubators_new", "水平", "实际")]["2014"] == "≈100"
    assert wide[("st_enterprises", "水平", "实际")]["2014"] == "≥3,000"
    assert wide[("innovation_teams", "水平", "实际")]["2014"] == "5–10"
    assert wide[("invention_patent_applications", "水平", "实际")]["2014"] == "12,957"
    assert wide[("invention_patent_applications", "同比增速", "实际")]["2014"] == "32.1"
    obs = {r["观测编号"]: r for r in _read_csv(root / "shown" / "book-观测值.csv")}
    assert obs["t-002"]["数值"] == "2.35" and obs["t-002"]["标准单位数值"] == "2.35%"
    assert obs["t-001"]["标准单位数值"] == "18,500,000,000"
