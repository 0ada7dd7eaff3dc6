"""The whole path for a new report: add-report drafts, accept applies the unedited drafts, everything runs.

The test reports (tests/reports.py) are added one after the other to a copy of
the data, each by the two commands with no cell of the review changed; the
copy then validates, the region-profile and policy notebooks run on it and
the exported workbook holds the new rows.
"""

from __future__ import annotations

import csv
import hashlib
import io
import re
from pathlib import Path

import openpyxl
import pytest

import cityscience as cs
from cityscience import build as b
from cityscience.cli import main
from cityscience.export.workbook import workbook_bytes
from cityscience.paths import folder_digest
from cityscience.report import AcceptError, ReportError, accept, draft, read_review, write_workbook
from cityscience.validate import body_levels, check, theme_cues
from cityscience.validate.policy import alias_index, region_search_order, resolve_bodies
from minidata import read_rows, set_cell
from reports import FOLDER, REPORTS, accepted_example, copy_data, shipped_data, shipped_sources

NOTEBOOKS = Path(__file__).resolve().parents[1] / "notebooks"


def _set_vocabulary_cell(data: Path, vocabulary: str, code: str, column: str, value: str) -> None:
    vocab = data / "codebook" / "vocabularies.csv"
    line = next(n for n, r in enumerate(read_rows(vocab), start=1) if r[:2] == [vocabulary, code])
    set_cell(vocab, line, column, value)


def _source_of(workbook: Path) -> dict[str, str]:
    _, rows = read_review(workbook).sheets["source"]
    return {row["field"]: row["value"] for _, row in rows}


def _draft_text(tmp_path: Path, text: str, *, region: str = "cixi", year: int = 2019):
    """Draft a report written as ``text`` into a copy of the data; the draft and the copy."""
    data = copy_data(tmp_path)
    report = tmp_path / "report.txt"
    report.write_text(text, encoding="utf-8")
    return draft(report, region=region, year=year, data=data), data


def _accept_unedited(d, tmp_path: Path, data: Path) -> None:
    """Write the draft's review workbook, accept it with no cell changed, and check the data is valid."""
    book = tmp_path / "review.xlsx"
    write_workbook(d, book)
    accept(book, data=data)
    assert check(data).problems == []


@pytest.fixture(scope="module")
def added(tmp_path_factory):
    """The data copy with every test report added by add-report and accept (CLI), unedited."""
    root = tmp_path_factory.mktemp("reports")
    data = copy_data(root)
    books = {}
    for name, region, year in REPORTS:
        book = root / f"{Path(name).stem}.xlsx"
        assert main(["add-report", str(FOLDER / name), "--region", region, "--year", str(year), "--data", str(data),
                     "--url", "https://example.org/report", "--retrieved", "2024-05-01", "-o", str(book)]) == 0
        assert main(["accept", str(book), "--data", str(data)]) == 0
        books[name] = book
    return root, data, books


def test_the_unedited_drafts_validate_with_every_number_accounted_for(added):
    _, data, books = added
    assert [str(p) for p in check(data).problems] == []
    sources = {r["source_id"]: r for r in csv.DictReader(open(data / "sources.csv", encoding="utf-8"))}
    for name, region, year in REPORTS:
        src = _source_of(books[name])
        row = sources[src["source_id"]]
        assert row["region"] == region and row["report_year"] == str(year)
        assert row["url"] == "https://example.org/report" and row["retrieved"] == "2024-05-01"
        raw = (data / "raw" / row["file_name"]).read_bytes()
        assert raw == (FOLDER / name).read_bytes()  # UTF-8 reports are stored byte for byte
        assert hashlib.sha256(raw).hexdigest() == row["sha256"]
        obs = cs.load_observations(data)
        assert (obs["source_id"] == src["source_id"]).sum() == len(read_review(books[name]).sheets["candidates"][1])


def test_the_data_as_shipped_leaves_out_exactly_what_the_added_reports_brought(added, tmp_path):
    """The guide's outputs are checked on the documents it lists (shipped_data): with every test report
    accepted (a new region among them), the restricted copy is the repository's data byte for byte."""
    _, data, _ = added
    assert len(cs.load_sources(data)) > len(shipped_sources())
    restricted = shipped_data(tmp_path / "added", data)

    def files(folder: Path) -> dict[str, bytes]:
        return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*"))
                if p.is_file() and "__pycache__" not in p.parts}

    # the repository's data as committed (restricted too, in case a user has added reports of their own)
    got, want = files(restricted), files(shipped_data(tmp_path / "repository"))
    assert sorted(got) == sorted(want)
    assert [name for name in want if got[name] != want[name]] == []
    assert check(restricted).problems == []


def test_the_new_region_is_drafted_from_the_text(added):
    _, data, _ = added
    regions = cs.load_regions(data).set_index("region")
    new = [r for _, r, _ in REPORTS if r not in set(cs.load_regions()["region"].astype(str))]
    assert new, "one test report is for a region not in the data"
    for region in new:
        row = regions.loc[region]
        assert row["parent"] in set(regions.index) and len(str(row["division_code"])) == 6


def test_the_title_line_text_is_left_out_and_traditional_script_recorded(added):
    _, data, books = added
    src = _source_of(books["beilun-2022-summary-traditional.txt"])
    assert src["script"] == "traditional"
    first_line = (FOLDER / "beilun-2022-summary-traditional.txt").read_text(encoding="utf-8").split("\n")[0]
    assert first_line.endswith(src["title_zh"]) and src["title_zh"] != first_line


def test_accepting_again_is_refused_and_changes_nothing(added):
    _, data, books = added
    before = folder_digest(data)
    for book in books.values():
        with pytest.raises(AcceptError, match="already accepted"):
            accept(book, data=data)
    assert folder_digest(data) == before


def test_drafting_an_accepted_report_again_is_refused_before_the_review(added):
    """add-report says what accept would say, instead of drafting a review under a new id (…-2)."""
    _, data, books = added
    for name, region, year in REPORTS:
        with pytest.raises(ReportError, match=r"already accepted: source '[a-z0-9-]+' \(SHA-256"):
            draft(FOLDER / name, region=region, year=year, data=data)


def test_the_data_dictionary_is_regenerated(added):
    root, data, _ = added
    text = (root / "docs" / "data-dictionary.md").read_text(encoding="utf-8")
    assert f"{len(cs.load_observations(data))} observations" in text


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_the_workbook_export_holds_the_new_rows(added, lang):
    _, data, books = added
    wb = openpyxl.load_workbook(io.BytesIO(workbook_bytes(data, lang, [])))
    cells = {str(c.value) for ws in wb.worksheets for row in ws.iter_rows() for c in row if c.value is not None}
    for book in books.values():
        ids = [row["obs_id"] for _, row in read_review(book).sheets["candidates"][1]]
        assert ids and all(i in cells for i in ids)


def test_the_region_profile_and_policy_notebooks_run_on_the_new_data(added):
    root, data, _ = added
    regions = list(dict.fromkeys(r for _, r, _ in REPORTS))
    jobs = b.plan_jobs(NOTEBOOKS, only=["06", "08"], regions=regions, languages=["en"])
    results = b.run_jobs(jobs, output=root / "build", staging=root / "staging", html=False, progress=False,
                         env={"CITYSCIENCE_DATA": str(data)})
    assert {r.job.name for r in results} == {j.name for j in jobs}
    for region in regions:
        assert list((root / "staging" / f"06-region-profile-{region}-en").glob("*.png"))


def test_dry_run_reports_and_writes_nothing(tmp_path, capsys):
    data = copy_data(tmp_path)
    name, region, year = REPORTS[0]
    book = tmp_path / "review.xlsx"
    write_workbook(draft(FOLDER / name, region=region, year=year, data=data), book)
    before = folder_digest(data)
    assert main(["accept", str(book), "--data", str(data), "--dry-run"]) == 0
    out = capsys.readouterr().out
    assert "would write" in out and "nothing was changed" in out and "observations" in out
    assert folder_digest(data) == before


def test_a_gb18030_report_is_stored_as_utf8_and_says_so(tmp_path):
    data = copy_data(tmp_path)
    name, region, year = REPORTS[0]
    report = tmp_path / "gbk-report.txt"
    report.write_bytes((FOLDER / name).read_text(encoding="utf-8").encode("gb18030"))
    d = draft(report, region=region, year=year, data=data)
    source = {r["field"]: r["value"] for r in d.sheets["source"].rows}
    assert d.raw == (FOLDER / name).read_bytes() and "gb18030" in source["defects"]
    _accept_unedited(d, tmp_path, data)


def test_a_document_without_parts_is_reported_with_the_row_to_write(tmp_path):
    data = copy_data(tmp_path)
    text = (data / "text_parts.csv").read_text(encoding="utf-8").split("\n")
    sid = text[1].split(",")[0]
    (data / "text_parts.csv").write_text("\n".join(r for r in text if not r.startswith(sid + ",")), encoding="utf-8")
    found = [p for p in check(data, accounting=False).problems if p.check == "missing_parts"]
    raw_name = next(r["file_name"] for r in csv.DictReader(open(data / "sources.csv", encoding="utf-8"))
                    if r["source_id"] == sid)
    first = next(ln.strip() for ln in (data / "raw" / raw_name).read_text(encoding="utf-8").split("\n") if ln.strip())
    assert len(found) == 1 and f"'{sid},summary,{first[:20]}," in found[0].expected


def test_an_indicator_without_a_comparability_model_is_reported(tmp_path):
    data = copy_data(tmp_path)
    rows = list(csv.DictReader(open(data / "indicators.csv", encoding="utf-8")))
    header = list(rows[0])
    rows[0]["basis"], rows[1]["basis"] = "", "ratio" if rows[1]["kind"] != "ratio" else "new"
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=header, lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    (data / "indicators.csv").write_text(out.getvalue(), encoding="utf-8")
    found = [(p.line, p.column) for p in check(data, accounting=False).problems if p.check == "comparability_model"]
    assert found == [(2, "basis"), (3, "basis")]


@pytest.mark.parametrize(("option", "value", "expected"), [
    ("--region", "Cixi", "did you mean 'cixi'?"),  # capitals: not a code, and a known one is meant
    ("--region", "ningpo", "did you mean 'ningbo'?"),
    ("--year", "20", "--year: '20': expected a year between 1949 and 2100"),
    ("--retrieved", "02/05/2024", "--retrieved: '02/05/2024': expected a real calendar date written YYYY-MM-DD"),
    ("--source-id", "Qingxi 2019", "--source-id: 'Qingxi 2019': expected text matching the pattern"),
])
def test_an_argument_accept_would_reject_is_refused_before_drafting(tmp_path, capsys, option, value, expected):
    data = copy_data(tmp_path)
    name, region, year = REPORTS[0]
    args = {"--region": region, "--year": str(year), option: value}
    book = tmp_path / "review.xlsx"
    assert main(["add-report", str(FOLDER / name), *[x for kv in args.items() for x in kv], "--data", str(data),
                 "-o", str(book)]) == 1
    err = capsys.readouterr().err
    assert expected in err
    assert err.count(f"{option}: ") == 1  # one problem for the option, the one that says what is meant
    assert not book.exists()


@pytest.mark.parametrize(("issuer_zh", "name_zh", "admin_level"), [
    ("瓯江市科学技术局", "瓯江市", "prefecture_level_city"),  # a city with no place before it
    ("宁波市青屿市科学技术局", "青屿市", "county_level_city"),  # a city under a known region
    ("温州市瓯江市科学技术局", "瓯江市", "county_level_city"),  # a city under a place the data do not know
    ("浙江省科学技术厅", "浙江省", "province"),
    ("浙江省瓯江市科学技术局", "瓯江市", "prefecture_level_city"),  # the province before a place is not the place
])
def test_a_new_region_and_its_issuer_are_drafted_at_their_levels(tmp_path, issuer_zh, name_zh, admin_level):
    data = copy_data(tmp_path)
    fixture = Path(__file__).resolve().parent / "fixtures" / "qingxi-2019-summary-2020-plan.txt"
    report = tmp_path / "report.txt"
    report.write_text(fixture.read_text(encoding="utf-8").replace("青溪县科学技术局", issuer_zh, 1), encoding="utf-8")
    d = draft(report, region="oujiang", year=2019, data=data)
    (region,) = d.sheets["region"].rows
    (issuer,) = d.sheets["bodies"].rows
    assert (region["name_zh"], region["admin_level"]) == (name_zh, admin_level)
    assert region["division_code"] == ""  # the text has no index number: accept needs it, the warning says so
    assert any("fill division_code (required, left empty), check name_en" in w for w in d.warnings)
    assert issuer["name_zh"] == issuer_zh
    assert issuer["level"] == body_levels(check(data))[admin_level] != ""
    assert (0, "level") in d.sheets["bodies"].unsure  # it follows a drafted admin_level


def test_a_new_region_the_bodies_know_takes_their_parent_and_level(tmp_path):
    """余姚市 alone reads as a prefecture-level city, but bodies.csv has 余姚市人民政府, a county-level body
    of Ningbo's: the drafted region is a county-level city under ningbo."""
    data = copy_data(tmp_path)
    bodies = {r["body"]: r for r in csv.DictReader(open(data / "bodies.csv", encoding="utf-8"))}
    known = next(b for b in bodies.values() if b["name_zh"] == "余姚市人民政府")
    fixture = Path(__file__).resolve().parent / "fixtures" / "qingxi-2019-summary-2020-plan.txt"
    report = tmp_path / "report.txt"
    report.write_text(fixture.read_text(encoding="utf-8").replace("青溪县科学技术局", "余姚市科学技术局", 1),
                      encoding="utf-8")
    d = draft(report, region="yuyao", year=2019, data=data)
    (region,) = d.sheets["region"].rows
    assert (region["name_zh"], region["parent"]) == ("余姚市", known["region"])
    assert body_levels(check(data))[region["admin_level"]] == known["level"]
    assert region["admin_level"] == "county_level_city"
    assert (0, "parent") in d.sheets["region"].unsure  # taken from a body: for the reviewer to check
    # a place named before it is another place: 重庆市江北区 is not the 江北区 of Ningbo's bodies
    report.write_text(fixture.read_text(encoding="utf-8").replace("青溪县科学技术局", "重庆市江北区科学技术局", 1),
                      encoding="utf-8")
    (region,) = draft(report, region="cq_jiangbei", year=2019, data=data).sheets["region"].rows
    assert (region["name_zh"], region["parent"]) == ("江北区", "")


def test_the_level_of_a_new_region_s_bodies_is_read_from_the_vocabulary(tmp_path):
    data = shipped_data(tmp_path)  # qingxi a new region (even after a user accepted the guide's example)
    _set_vocabulary_cell(data, "admin_level", "county", "body_level", "zone")
    assert body_levels(check(data))["county"] == "zone"
    d = draft(Path(__file__).resolve().parent / "fixtures" / "qingxi-2019-summary-2020-plan.txt",
              region="qingxi", year=2019, data=data)
    assert [r["level"] for r in d.sheets["bodies"].rows][0] == "zone"


def test_labels_that_differ_only_by_the_whole_place_are_one_new_indicator(tmp_path):
    """全区研发经费投入强度 (an actual) and 研发经费投入强度 (the next year's target) are one quantity: one new code."""
    d, _ = _draft_text(tmp_path, "海曙区科学技术局2021年工作总结和2022年工作计划\n发布时间:2022-01-20\n"
                                 "一、2021年工作总结\n全区研发经费投入强度达到2.6%。\n二、2022年工作计划\n"
                                 "研发经费投入强度达到2.8%。\n", region="haishu", year=2021)
    rows = [r for r in d.sheets["candidates"].rows if "研发经费投入强度" in r["label_zh"]]
    assert [(r["year"], r["status"]) for r in rows] == [("2021", "actual"), ("2022", "target")]
    assert rows[0]["indicator"] == rows[1]["indicator"] and rows[0]["indicator"].startswith("new_")
    assert [r["indicator"] for r in d.sheets["new_indicators"].rows] == [rows[0]["indicator"]]


def test_a_code_tied_with_another_says_so_and_is_marked_for_a_check(tmp_path):
    d, _ = _draft_text(tmp_path, "海曙区科学技术局2021年工作总结\n发布时间:2022-01-20\n一、2021年工作总结\n"
                                 "全区技术合同成交金额达到18.6亿元。\n", region="haishu", year=2021)
    (row,) = [r for r in d.sheets["candidates"].rows if r["label_zh"].endswith("技术合同成交金额")]
    assert row["code_score"] == row["alt1_score"], "no tie in this draft: the test checks nothing"
    assert f"tied with {row['alt1']}" in row["code_why"]
    assert (d.sheets["candidates"].rows.index(row), "indicator") in d.sheets["candidates"].unsure


def test_numbered_lists_are_drafted_as_the_curated_items_are(tmp_path):
    """一是…二是… inside an item's paragraph are its parts; N. items numbered on across (一) headings are
    items of one list under those headings, not parts of them."""
    d, data = _draft_text(tmp_path, "慈溪市科学技术局2019年工作总结\n发布时间:2020-01-15\n一、主要工作\n"
                                    "(一)企业培育成效明显。全年新认定高新技术企业46家。一是强化政策引导,出台扶持办法;"
                                    "二是开展上门服务,走访企业120家。\n"
                                    "(二)平台建设\n1.建设孵化器。新建孵化器3家。\n2.建设研究院。新建研究院2家。\n"
                                    "(三)人才引进\n\u00a0\u00a03.引进高层次人才。引进人才86名。\n")
    got = [(r["kind"], bool(r["parent"]), r["marker"], r["section"], r["evidence"]) for r in d.sheets["measures"].rows]
    assert got == [
        ("area", False, "(一)", "一、主要工作", "(一)企业培育成效明显。全年新认定高新技术企业46家。"),
        ("part", True, "一是", "一、主要工作", "一是强化政策引导,出台扶持办法"),
        ("part", True, "二是", "一、主要工作", "二是开展上门服务,走访企业120家。"),
        ("area", False, "1.", "(二)平台建设", "1.建设孵化器。新建孵化器3家。"),
        ("area", False, "2.", "(二)平台建设", "2.建设研究院。新建研究院2家。"),
        ("area", False, "3.", "(三)人才引进", "3.引进高层次人才。引进人才86名。"),
    ]
    ids = [r["item_id"] for r in d.sheets["measures"].rows]
    top_level = [i for i in ids if i.count("-") == 1]  # qx19-a01; a part is qx19-a01-1
    assert [int(i.rsplit("a", 1)[1]) for i in top_level] == [1, 2, 3, 4]  # numbered densely, parts aside
    assert ids[1:3] == [f"{ids[0]}-1", f"{ids[0]}-2"]
    _accept_unedited(d, tmp_path, data)


_SUMMARY_HEAD = "慈溪市科学技术局2019年工作总结\n发布时间:2020-01-15\n一、主要工作\n"
_TABLE = "".join(f"{c}\n|\n" for c in ["序号", "指标", "完成", "1", "高新技术企业数(单位:家)", "46",
                                       "2", "研发机构数(单位:家)", "12"])


@pytest.mark.parametrize(("body", "expected"), [
    pytest.param("(一)平台\n1.建设孵化器。新建3家。\n(二)人才\n2.引进人才。引进86名。\n"
                 "(三)改革\n1.推进改革。完成4项。\n2.优化服务。服务9次。\n",
                 [("1.", "", "(一)平台"), ("2.", "", "(二)人才"), ("1.", "", "(三)改革"), ("2.", "", "(三)改革")],
                 id="a (一) after headings numbered on across, its N. lines starting again at 1"),
    pytest.param("(一)企业培育。一是强化引导,出台办法;二是开展服务,走访120家。另外,一是建设平台;二是引进人才。\n",
                 [("(一)", "", "一、主要工作"), ("一是", "(一)", "一是强化引导,出台办法"),
                  ("二是", "(一)", "二是开展服务,走访120家。")],
                 id="a second 一是 list ends the first"),
    pytest.param("(一)企业培育\n一是强化引导,出台办法;二是开展服务,走访120家;三是优化环境。\n",
                 [("(一)", "", "一、主要工作"), ("一是", "(一)", "一是强化引导,出台办法"),
                  ("二是", "(一)", "二是开展服务,走访120家"), ("三是", "(一)", "三是优化环境。")],
                 id="二是 written on in a 一是 line are its siblings"),
    pytest.param("(一)企业培育。一是强化引导,出台办法;二是开展服务,走访120家。\n1.建设孵化器。新建3家。\n",
                 [("(一)", "", "一、主要工作"), ("一是", "(一)", "一是强化引导,出台办法"),
                  ("二是", "(一)", "二是开展服务,走访120家。")],
                 id="a 1. after an item's 一是 parts does not take the id of its part 1"),
    pytest.param("1.建设孵化器。新建3家。\n序号\n|\n指标\n|\n目标\n|\n1\n|\n企业数\n|\n300\n|\n2.建设研究院。新建2家。\n",
                 [("1.", "", "一、主要工作"), ("1", "", "一、主要工作"), ("2.", "", "一、主要工作")],
                 id="a table inside a numbered list, in the text's order"),
    pytest.param("(一)平台建设。新建孵化器3家。\n(二)人才引进。引进人才86名。\n附表\n" + _TABLE
                 + "(三)科技金融。发放贷款5亿元。\n",
                 [("(一)", "", "一、主要工作"), ("(二)", "", "一、主要工作"), ("1", "", "附表"), ("2", "", "附表"),
                  ("(三)", "", "一、主要工作")],
                 id="a table of indicators between (二) and (三): its rows are a list of their own kind"),
    pytest.param("(一)平台建设。新建孵化器3家。\n二、主要指标完成情况\n" + _TABLE,
                 [("(一)", "", "一、主要工作"), ("1", "", "二、主要指标完成情况"), ("2", "", "二、主要指标完成情况")],
                 id="a table right under a 二、 heading stands in its section"),
    pytest.param("(一)平台建设。新建孵化器3家。\n附表1\n" + _TABLE.removesuffix("|\n")
                 + "(二)人才引进。引进人才86名。\n附表2\n" + _TABLE.replace("46", "47").replace("12", "13"),
                 [("(一)", "", "一、主要工作"), ("1", "", "附表1"), ("2", "", "附表1"), ("(二)", "", "一、主要工作"),
                  ("1", "", "附表2"), ("2", "", "附表2")],
                 id="no | after a table's last cell, then text and another table"),
    pytest.param("(一)企业培育\n一是强化政策引导，二是开展上门服务，三是优化营商环境。\n",
                 [("(一)", "", "一、主要工作"), ("一是", "(一)", "一是强化政策引导"), ("二是", "(一)", "二是开展上门服务"),
                  ("三是", "(一)", "三是优化营商环境。")],
                 id="siblings after commas: the 一是 item ends where 二是 begins"),
    pytest.param("(一)企业培育\n一是强化引导；二是开展服务。\n一是建设平台；二是引进人才；三是优化环境。\n",
                 [("(一)", "", "一、主要工作"), ("一是", "(一)", "一是强化引导"),
                  ("二是", "(一)", "二是开展服务。\n一是建设平台；二是引进人才；三是优化环境。")],
                 id="a second list on the next line that goes on to 三是: the 二是 before it runs on (a warning)"),
])
def test_lists_are_drafted_as_validate_reads_them(tmp_path, body, expected):
    """(marker, parent's marker, section or a part's evidence) of each drafted item; every list continues
    its numbering or starts again under a new heading, ids are unique, and the unedited draft is accepted."""
    d, data = _draft_text(tmp_path, _SUMMARY_HEAD + body)
    rows = d.sheets["measures"].rows
    markers = {r["item_id"]: r["marker"] for r in rows}
    got = [(r["marker"], markers.get(r["parent"], ""), r["evidence"] if r["parent"] else r["section"]) for r in rows]
    assert got == expected
    assert len({r["item_id"] for r in rows}) == len(rows)
    _accept_unedited(d, tmp_path, data)


def test_drafted_ids_count_tasks_and_areas_apart(tmp_path):
    """The first task of a plan is t01 whatever the summary before it held (nb17-t01 is task 1)."""
    data = copy_data(tmp_path)
    d = draft(Path(__file__).resolve().parent / "fixtures" / "qingxi-2019-summary-2020-plan.txt",
              region="qingxi", year=2019, data=data)
    for kind, letter in (("area", "a"), ("task", "t")):
        ids = [r["item_id"] for r in d.sheets["measures"].rows if r["kind"] == kind]
        assert ids, kind
        assert [int(i.rsplit(letter, 1)[1]) for i in ids] == list(range(1, len(ids) + 1))


def test_the_theme_of_a_drafted_item_is_read_from_the_theme_cues_and_terms(tmp_path):
    data = copy_data(tmp_path)
    report = tmp_path / "report.txt"
    report.write_text("慈溪市科学技术局2019年工作总结\n发布时间:2020-01-15\n一、主要工作\n"
                      "1.建设孵化器。新建孵化器3家。\n", encoding="utf-8")
    vocab = cs.load_vocabularies()
    themes = list(vocab.loc[vocab["vocabulary"] == "policy_theme", "code"])
    assert theme_cues(check(data))[themes[-1]]  # the catch-all has cues of its own
    for theme in themes:
        _set_vocabulary_cell(data, "policy_theme", theme, "cues", "")
    (data / "terms.csv").write_text("term,name_en,theme,version,note\n", encoding="utf-8")
    (item,) = draft(report, region="cixi", year=2019, data=data).sheets["measures"].rows
    assert item["theme"] == themes[-1]  # no cue written: the catch-all, listed last
    (data / "terms.csv").write_text(f"term,name_en,theme,version,note\n孵化器,incubator,{themes[1]},1,\n",
                                    encoding="utf-8")
    (item,) = draft(report, region="cixi", year=2019, data=data).sheets["measures"].rows
    assert item["theme"] == themes[1]  # a curated term of the theme
    _set_vocabulary_cell(data, "policy_theme", themes[0], "cues", "孵化器;新建")
    (item,) = draft(report, region="cixi", year=2019, data=data).sheets["measures"].rows
    assert item["theme"] == themes[0]  # its cues written more often


def test_a_change_belongs_to_the_fact_it_follows_not_to_one_before_that(tmp_path):
    """较上年前移1位 after 位列第二位 is that rank's change, not a change of the amount a sentence before."""
    d, _ = _draft_text(tmp_path, "慈溪市科学技术局2019年工作总结\n发布时间:2020-01-15\n一、主要工作\n"
                                 "科技信贷风险池撬动银行贷款约3亿元。\n"
                                 "在全市区县（市）科技创新考核中位列第二位，较上年前移1位。\n")
    rows = {r["measure"]: r for r in d.sheets["candidates"].rows}
    assert set(rows) >= {"level", "rank", "rank_change"}
    assert rows["rank_change"]["indicator"] == rows["rank"]["indicator"] != rows["level"]["indicator"]


def test_a_change_that_names_its_own_fact_does_not_take_the_code_of_the_fact_before_it(tmp_path):
    """规上工业企业研发费用增长10%以上 after …强度力争达到3.3%, is a growth of industrial R&D, not of the intensity;
    发明专利授权同比增长12% after 有效发明专利达到5000件 is a growth of grants; 比去年同期多21家 and 增速位列第2位
    after a fact (they name nothing else) still take its code."""
    d, _ = _draft_text(tmp_path, "慈溪市科学技术局2019年工作总结\n发布时间:2020-01-15\n一、主要工作\n"
                                 "全市规上工业企业研发费用支出21.37亿元，同比增长9.6%。\n"
                                 "全市研发投入强度达到3.12%，规上工业企业研发费用增长10%以上。\n"
                                 "有效发明专利达到5000件，发明专利授权同比增长12%。\n"
                                 "申报高新技术企业103家,比去年同期多21家。\n")
    rows = {(r["measure"], r["value"]): r for r in d.sheets["candidates"].rows}
    rd = rows[("level", "21.37")]["indicator"]
    assert rows[("yoy_pct", "10")]["indicator"] == rd != rows[("level", "3.12")]["indicator"]
    assert rows[("yoy_pct", "12")]["indicator"] != rows[("level", "5000")]["indicator"]
    assert "the level this change belongs to" not in rows[("yoy_pct", "12")]["code_why"]
    assert rows[("abs_change", "21")]["indicator"] == rows[("level", "103")]["indicator"]


def test_a_change_of_a_scope_written_out_names_its_own_fact(tmp_path):
    """规模以上工业企业… opens with 规模 but names a fact of its own (规模以上 = 规上), unlike 规模居全省第3位."""
    d, _ = _draft_text(tmp_path, "慈溪市科学技术局2019年工作总结\n发布时间:2020-01-15\n一、主要工作\n"
                                 "全市规上工业企业研发费用支出21.37亿元，同比增长9.6%。\n"
                                 "全市研发投入强度达到3.12%，规模以上工业企业研发费用增长10%以上。\n")
    rows = {(r["measure"], r["value"]): r for r in d.sheets["candidates"].rows}
    assert rows[("yoy_pct", "10")]["indicator"] != rows[("level", "3.12")]["indicator"]
    assert "the level this change belongs to" not in rows[("yoy_pct", "10")]["code_why"]


def test_a_second_value_drafted_with_a_code_the_document_has_for_that_year_is_marked(tmp_path):
    """Two different values of one fact in one document are one too many: the second is marked for a check
    and says which code has the other."""
    d, _ = _draft_text(tmp_path, "慈溪市科学技术局2019年工作总结\n发布时间:2020-01-15\n一、主要工作\n"
                                 "新认定国家高新技术企业46家。\n全年新认定国家高新技术企业47家。\n")
    sheet = d.sheets["candidates"]
    rows = {r["value"]: (i, r) for i, r in enumerate(sheet.rows) if r["measure"] == "level"}
    (_, first), (i47, second) = rows["46"], rows["47"]
    assert first["indicator"] == second["indicator"]
    assert "has another value of this year" in second["code_why"] and (i47, "indicator") in sheet.unsure
    assert "has another value" not in first["code_why"]


def test_a_label_without_a_narrowing_word_is_not_drafted_as_the_narrower_indicator(tmp_path):
    """专利申请量 counts every kind of patent: it is not 发明专利申请量 (invention patents only), though all of its
    characters are in that name; 发明专利申请量 still is."""
    d, data = _draft_text(tmp_path, "慈溪市科学技术局2019年工作总结\n发布时间:2020-01-15\n一、主要工作\n"
                                    "全年专利申请量7860件。\n全年发明专利申请量3000件。\n")
    names = cs.load_indicators(data).set_index("indicator")["name_zh"].astype(str)
    drafted = {r["value"]: r["indicator"] for r in d.sheets["candidates"].rows}
    assert names[drafted["7860"]].startswith("专利申请") and names[drafted["3000"]].startswith("发明专利申请")


def test_a_label_at_another_stage_is_scored_down_and_says_why(tmp_path):
    """国家高新技术企业申报数 (enterprises that applied) is not 新认定 (recognised): a code whose labels name only
    another stage scores 0.7 × as high, its cell is marked and code_why says 申报 vs 认定."""
    from cityscience.report.suggest import Codebook, suggest_codes
    from cityscience.validate import check as check_data

    checked = check_data(copy_data(tmp_path), accounting=False)
    book = Codebook.from_tables(checked.tables["indicators"].rows, checked.tables["observations"].rows,
                                checked.tables["units"].rows)
    applied = {s.code: s for s in suggest_codes(book, "国家高新技术企业申报数", measure="level", unit="家", n=10)}
    recognised = {s.code: s for s in suggest_codes(book, "国家高新技术企业认定数", measure="level", unit="家", n=10)}
    assert "申报 vs 认定" in applied["hte_new"].why and " vs 认定" not in recognised["hte_new"].why
    assert applied["hte_new"].score < recognised["hte_new"].score


def test_r_and_d_written_in_letters_finds_the_code_written_in_chinese(tmp_path):
    """全区R&D经费投入 is 全社会研发投入 (rd_expenditure): R&D, R&D经费 and 研究与试验发展 are read as 研发 on both sides,
    so the code fits (before: 0.13, tied with two others, and a new indicator drafted)."""
    from cityscience.report.suggest import FIT, Codebook, suggest_codes
    from cityscience.validate import check as check_data

    checked = check_data(copy_data(tmp_path), accounting=False)
    book = Codebook.from_tables(checked.tables["indicators"].rows, checked.tables["observations"].rows,
                                checked.tables["units"].rows)
    for label in ("全区R&D经费投入", "全区研究与试验发展经费投入", "全区研发经费投入"):
        best = suggest_codes(book, label, measure="level", unit="亿元")[0]
        assert (best.code, best.score >= FIT) == ("rd_expenditure", True), (label, best)


def test_a_change_over_the_previous_year_in_the_level_s_unit_is_drafted_accepted_and_loaded(tmp_path):
    """比上年增加21家 is a change of the level before it, in its unit; 比上年减少2亿元 a negative one in CNY."""
    d, data = _draft_text(tmp_path, "慈溪市科学技术局2019年工作总结\n发布时间:2020-01-15\n一、主要工作\n"
                                    "全年新认定国家高新技术企业97家，比上年增加21家。\n"
                                    "技术合同成交额25亿元，比上年减少2亿元。\n")
    rows = [(r["measure"], r["value"], r["indicator"]) for r in d.sheets["candidates"].rows]
    assert [(m, v) for m, v, _ in rows] == [("level", "97"), ("abs_change", "21"), ("level", "25"),
                                          ("abs_change", "-2")]
    assert rows[0][2] == rows[1][2] and rows[2][2] == rows[3][2]
    _accept_unedited(d, tmp_path, data)
    obs = cs.load_observations(data)
    changes = obs[obs["measure"] == "abs_change"].set_index("value")
    units = cs.load_indicators(data).set_index("indicator")["unit_std"]
    assert list(changes["unit_std"]) == [units[rows[1][2]], units[rows[3][2]]]
    assert changes.loc[-2.0, "value_std"] == -2e8 and changes.loc[21.0, "value_std"] == 21


def test_the_rows_of_a_numbered_table_are_drafted_as_items(tmp_path):
    """A table written one cell per line with | after each cell (as the raw texts hold tables): each row
    under a 序号 header is an item numbered by its first cell, titled by its second, with the units of
    its 责任单位 cell, under the heading written before the table."""
    table = ["序号", "指标", "2020年\n目标", "责任\n单位", "1", "高新技术企业数(单位:家)", "300", "市科技局",
             "2", "全社会R&D经费支出(单位:亿元)", "12", "市科技局、市经信委"]
    d, data = _draft_text(tmp_path, "慈溪市科学技术局2020年工作计划\n发布时间:2020-01-15\n一、重点任务\n"
                                    "1.建设孵化器。新建孵化器3家。\n附件1\n主要预期指标\n" + "".join(f"{c}\n|\n" for c in table),
                                    year=2020)
    rows = [r for r in d.sheets["measures"].rows if r["section"] == "附件1 主要预期指标"]
    assert [(r["marker"], r["item_no"], r["title_zh"], r["units_as_written"], r["evidence"]) for r in rows] == [
        ("1", "1", "高新技术企业数", "市科技局", "1\n|\n高新技术企业数(单位:家)\n|\n300\n|\n市科技局"),
        ("2", "2", "全社会R&D经费支出", "市科技局、市经信委",
         "2\n|\n全社会R&D经费支出(单位:亿元)\n|\n12\n|\n市科技局、市经信委"),
    ]
    assert [r["responsibility"] for r in rows] == ["stated", "stated"]
    _accept_unedited(d, tmp_path, data)
    # the table's values are observations whose evidence spans the label cell, the | line and the value
    obs = cs.load_observations(data)
    cell = obs[obs["evidence"] == "高新技术企业数(单位:家)\n|\n300"]
    assert list(cell["value"]) == [300]


@pytest.mark.parametrize(("last_cell", "end"), [("市科技局、\n市经信委", "\n|\n"), ("市经信委", "\n")],
                         ids=["a last cell of two lines", "no | after the last cell"])
def test_a_table_s_last_cell_and_its_heading_are_read_whole(tmp_path, last_cell, end):
    """The last cell of a table keeps all its lines, and a text may end with no | after it; the
    heading is the short lines before the table, not the paragraph before them."""
    table = ["序号", "指标", "目标", "责任单位", "1", "高新技术企业数(单位:家)", "300", "市科技局",
             "2", "全社会R&D经费支出(单位:亿元)", "12", last_cell]
    d, data = _draft_text(tmp_path, "慈溪市科学技术局2020年工作计划\n发布时间:2020-01-15\n一、重点任务\n"
                                    "1.建设孵化器。新建孵化器3家。\n各单位要对照下列指标,细化分工,确保全年目标任务顺利完成。\n"
                                    "附件1\n主要预期指标\n" + "\n|\n".join(table) + end, year=2020)
    rows = [r for r in d.sheets["measures"].rows if r["marker"] in {"1", "2"}]
    assert [r["section"] for r in rows] == ["附件1 主要预期指标"] * 2
    assert [r["units_as_written"] for r in rows] == ["市科技局", "".join(last_cell.split())]
    assert rows[-1]["evidence"].endswith("12\n|\n" + last_cell)
    _accept_unedited(d, tmp_path, data)


def test_english_names_left_to_translate_are_counted_by_accept_and_validate(tmp_path, capsys):
    """An unedited draft is valid, but accept and validate say how many English cells still read
    '(to translate) …' and where, so that they are not published as they are."""
    data = copy_data(tmp_path)
    assert main(["validate", "--data", str(data)]) == 0
    # cells the data already leave to translate (none as committed; a report accepted unedited adds some)
    before = re.search(r"note: (\d+) English cells still start", capsys.readouterr().err)
    before = int(before.group(1)) if before else 0
    name, region, year = REPORTS[0]
    d = draft(FOLDER / name, region=region, year=year, data=data)
    drafted = sum(str(v).startswith("(to translate)") for s in d.sheets.values() for r in s.rows
                  for k, v in r.items() if k.endswith("_en"))
    assert drafted
    book = tmp_path / "review.xlsx"
    write_workbook(d, book)
    (note,) = [n for n in accept(book, data=data).notes if "(to translate)" in n]
    assert note.startswith(f"{drafted} English cells still start with '(to translate)' (")  # those it adds
    assert main(["validate", "--data", str(data)]) == 0
    assert f"note: {before + drafted} English cells still start with '(to translate)'" in capsys.readouterr().err


def test_a_new_region_s_issuer_is_the_body_its_short_name_names(tmp_path):
    """市科技局 in a new region's report is its issuer (瓯江市科学技术局), not a second body."""
    table = ["序号", "指标", "目标", "责任单位", "1", "高新技术企业数(单位:家)", "300", "市科技局"]
    d, data = _draft_text(tmp_path, "瓯江市科学技术局2020年工作计划\n发布时间:2020-01-15\n一、重点任务\n"
                                    "1.建设孵化器。新建孵化器3家。责任单位:市科技局、市经信局\n附件1\n主要预期指标\n"
                                    + "\n|\n".join(table) + "\n|\n", region="oujiang", year=2020)
    issuer, other = d.sheets["bodies"].rows
    assert (issuer["name_zh"], other["name_zh"]) == ("瓯江市科学技术局", "市经信局")
    units = [r["responsible_units"] for r in d.sheets["measures"].rows]
    assert units == [f"{issuer['body']};{other['body']}", issuer["body"]]


def test_what_the_drafting_rules_cannot_place_is_settled_as_validate_reads_it(tmp_path):
    """A list that goes on below an item's last part makes that part run on (a warning says so); an
    item validate would refuse for another reason (here the rows of a second table written exactly as
    the first, whose evidence validate finds at the first) is left out, and a warning names it."""
    d, data = _draft_text(tmp_path, _SUMMARY_HEAD + "(一)企业培育\n一是强化引导；二是开展服务。\n一是建设平台；二是引进人才；三是优化环境。\n"
                                    "附表1\n" + _TABLE + "附表2\n" + _TABLE)
    rows = {r["item_id"]: r for r in d.sheets["measures"].rows}
    (ran_on,) = [w for w in d.warnings if "run on to the next item" in w]
    (left_out,) = [w for w in d.warnings if "policy items left out" in w]
    assert "cx19-a01-2" in ran_on and rows["cx19-a01-2"]["evidence"].endswith("三是优化环境。")
    assert [r["section"] for r in rows.values() if r["kind"] == "indicator_target"] == ["附表1", "附表1"]
    assert left_out.count("cx19-it") == 2
    _accept_unedited(d, tmp_path, data)


def test_a_unit_written_in_its_long_form_is_the_body_of_its_short_name(tmp_path):
    """市科学技术局 in a Cixi report is the body whose aliases list 市科技局; written twice, it is listed once."""
    d, data = _draft_text(tmp_path, _SUMMARY_HEAD + "1.建设孵化器。新建孵化器3家。责任单位:市科学技术局\n"
                                    "2.引进人才。引进人才86名。责任单位:市科学技术局、市科技局\n")
    bureau = resolve_bodies("市科技局", "cixi", alias_index(check(data), []), region_search_order(check(data)))[0]
    assert [r["responsible_units"] for r in d.sheets["measures"].rows] == [bureau, bureau]
    assert d.sheets["bodies"].rows == []
    _accept_unedited(d, tmp_path, data)


def test_a_plan_that_repeats_the_summary_s_headings_is_drafted_whole(tmp_path):
    """Validate places an item where its words are first written: a plan item whose heading the summary
    wrote too takes in the line after it (so that it is written nowhere earlier), and the plan's list
    stays whole."""
    d, data = _draft_text(tmp_path, "慈溪市科学技术局2019年工作总结和2020年工作思路\n发布时间:2020-01-15\n一、2019年工作回顾\n"
                                    "(一)企业培育。新增企业30家。\n(二)平台建设。新建孵化器3家。\n二、2020年工作思路\n"
                                    "(一)企业培育\n一是强化引导；二是开展服务。\n(二)平台建设\n1.建设研究院。\n2.建设实验室。\n"
                                    + "".join(f"({n})工作{n}。\n" for n in "三四五六七"))
    tasks = [r for r in d.sheets["measures"].rows if r["kind"] == "task"]
    assert [r["marker"] for r in tasks] == ["(一)", "(二)", "(三)", "(四)", "(五)", "(六)", "(七)"]
    assert tasks[0]["evidence"] == "(一)企业培育\n一是强化引导；二是开展服务。"
    assert not [w for w in d.warnings if "left out" in w]
    _accept_unedited(d, tmp_path, data)


def test_a_traditional_report_s_tables_and_units_are_read_as_a_simplified_one_s(tmp_path):
    """序號, 指標 and 責任單位 head a table, 牽頭單位: names units (kept as written), 發布時間 dates the text."""
    cells = ["序號", "指標名稱", "目標", "責任單位", "1", "高新技術企業數(單位:家)", "60", "市科技局"]
    d, data = _draft_text(tmp_path, "慈溪市科學技術局2020年工作計劃\n發布時間：2020-01-15\n一、重點任務\n"
                                    "1.建設孵化器。新建孵化器3家。牽頭單位：市科技局，配合單位：市財政局\n附件\n主要指標\n"
                                    + "".join(f"{c}\n|\n" for c in cells), year=2020)
    item, row = d.sheets["measures"].rows
    assert (item["responsibility"], item["units_as_written"]) == ("stated", "市科技局")
    assert (row["kind"], row["section"], row["units_as_written"]) == ("indicator_target", "附件 主要指標", "市科技局")
    assert {r["field"]: r["value"] for r in d.sheets["source"].rows}["published"] == "2020-01-15"
    _accept_unedited(d, tmp_path, data)


def test_numbered_lines_left_out_are_named_in_a_warning(tmp_path):
    d, data = _draft_text(tmp_path, _SUMMARY_HEAD + "1.建设孵化器。新建3家。\n2.建设研究院。新建2家。\n5.引进人才。引进86名。\n")
    assert [r["marker"] for r in d.sheets["measures"].rows] == ["1.", "2."]
    (warning,) = [w for w in d.warnings if "not drafted as policy items" in w]
    assert warning.endswith("line 6; add them by hand if they are items")


def test_a_table_whose_first_row_cannot_be_placed_is_left_out_whole(tmp_path):
    """A second table in the same section numbers from 1 again, which validate reads as no new list:
    none of its rows is drafted (its 3 is not taken for the first table's third row)."""
    second = _TABLE.replace("46", "47").replace("12", "13") + "3\n|\n专利授权量(单位:件)\n|\n900\n|\n"
    d, data = _draft_text(tmp_path, _SUMMARY_HEAD + "主要指标如下。\n" + _TABLE + "其中人才指标如下。\n" + second)
    assert [r["title_zh"] for r in d.sheets["measures"].rows] == ["高新技术企业数", "研发机构数"]
    (warning,) = [w for w in d.warnings if "not drafted as policy items" in w]
    assert len(warning.split(": lines ")[1].split(";")[0].split(", ")) == 3  # the three rows of the second table
    _accept_unedited(d, tmp_path, data)


def test_a_table_written_with_tabs_is_accepted_unedited(tmp_path):
    """A table pasted from a web page has its cells separated by tabs: the exclusions drafted for its
    row numbers write the tab as \\t, so the pattern stays one line, their reason is enumeration, a
    value cell is an observation dated by its column, and accept takes the draft."""
    rows = ["序号\t任务\t责任单位", "1\t建设孵化器\t市科技局", "2\t引进人才\t市人社局", "3\t培育企业\t市经信局",
            "序号\t指标\t2019年完成\t2020年目标", "1\t新增孵化器（家）\t4\t5"]
    d, data = _draft_text(tmp_path, _SUMMARY_HEAD + "1.建设孵化器。新建3家。\n附件\n" + "\n".join(rows) + "\n")
    regex_rows = [r for r in d.sheets["exclusions"].rows if r["kind"] == "regex"]
    assert any("\\t" in r["match"] for r in regex_rows) and not any("\t" in r["match"] for r in regex_rows)
    assert {r["reason"] for r in regex_rows} == {"enumeration"}
    _accept_unedited(d, tmp_path, data)
    obs = cs.load_observations(data)
    cells = obs[obs["evidence"].str.contains("\t")]
    assert list(zip(cells["value"], cells["status"], cells["year"], cells["evidence"], strict=True)) == [
        (4, "actual", 2019, "新增孵化器（家）\t4"), (5, "target", 2020, "新增孵化器（家）\t4\t5")]


@pytest.mark.parametrize("gap", ["\t", "  "], ids=["tabs", "two spaces"])
def test_the_rows_of_a_numbered_table_written_a_row_per_line_are_drafted_as_items(tmp_path, gap):
    """A task table pasted a row per line (cells apart by tabs or spaced out): each row under a 序号
    header is an item numbered by its first cell, titled by its second, with the units of its 责任单位
    cell, under the short lines before the table; a second table right after it (of indicators, by its
    指标 header) takes no row of the first for its heading. Validate then reads the rows as a list: with
    the last row's item taken out, it names the row the list goes on with."""
    rows = [["序号", "任务", "责任单位"], ["1", "建设孵化器", "市科技局"], ["2", "引进高层次人才", "市科技局、市财政局"],
            ["3", "培育科技型企业", "市科技局"], ["序号", "指标", "2019年完成", "2020年目标"],
            ["1", "新增孵化器（家）", "4", "5"]]
    d, data = _draft_text(tmp_path, _SUMMARY_HEAD + "1.建设孵化器。新建3家。\n附件\n重点任务分解\n"
                          + "\n".join(gap.join(r) for r in rows) + "\n")
    items = [r for r in d.sheets["measures"].rows if r["marker"] in {"1", "2", "3"}]
    assert [(r["kind"], r["section"], r["item_no"], r["title_zh"], r["units_as_written"], r["evidence"])
            for r in items] == [
        ("area", "附件 重点任务分解", "1", "建设孵化器", "市科技局", gap.join(rows[1])),
        ("area", "附件 重点任务分解", "2", "引进高层次人才", "市科技局、市财政局", gap.join(rows[2])),
        ("area", "附件 重点任务分解", "3", "培育科技型企业", "市科技局", gap.join(rows[3])),
        ("indicator_target", "一、主要工作", "1", "新增孵化器(家)", "", gap.join(rows[5]))]
    assert [r["responsibility"] for r in items] == ["stated", "stated", "stated", "issuer"]
    assert not [w for w in d.warnings if "policy items" in w]
    _accept_unedited(d, tmp_path, data)
    items_csv = data / "policy_items.csv"
    lines = items_csv.read_text(encoding="utf-8").splitlines(keepends=True)
    third = next(k for k, ln in enumerate(lines) if "培育科技型企业" in ln)
    items_csv.write_text("".join(lines[:third] + lines[third + 1:]), encoding="utf-8")
    missing = [p for p in check(data).problems if p.check == "item_missing"]
    assert [(p.value, repr("3" + gap + "培育科技型企业")[:-1] in p.expected) for p in missing] == [("2", True)]


def test_headings_with_prose_only_are_sections_when_a_sibling_heading_has_items(tmp_path):
    """一、 with 一是…二是 under it heads a section; 二、 and 三、 with prose only under them are sections
    too, not items 3 and 4 numbered on from 二是 (nor an item 2 refused with a warning)."""
    d, data = _draft_text(tmp_path, "慈溪市科学技术局2019年工作总结\n发布时间:2020-01-15\n一、创新主体\n"
                                    "一是企业梯队更加完整。新增企业30家。\n二是领军企业加快涌现。新增领军企业8家。\n"
                                    "二、创新平台\n新建研究院3家。\n三、开放合作\n新签合作协议5项。\n")
    assert [(r["marker"], r["section"]) for r in d.sheets["measures"].rows] == [
        ("一是", "一、创新主体"), ("二是", "一、创新主体")]
    assert not [w for w in d.warnings if "not drafted as policy items" in w]
    _accept_unedited(d, tmp_path, data)


def test_headings_with_prose_only_are_items_when_none_has_items(tmp_path):
    d, data = _draft_text(tmp_path, "慈溪市科学技术局2019年工作总结\n发布时间:2020-01-15\n一、创新主体\n"
                                    "新增企业30家。\n二、创新平台\n新建研究院3家。\n")
    assert [r["marker"] for r in d.sheets["measures"].rows] == ["一、", "二、"]
    _accept_unedited(d, tmp_path, data)


def _guide_drafts() -> list[tuple[str, str]]:
    """Each add-report command of docs/adding-a-new-report.md with the output block shown after it."""
    guide = (Path(__file__).resolve().parents[1] / "docs" / "adding-a-new-report.md").read_text(encoding="utf-8")
    return re.findall(r"```bash\n(cityscience add-report .*?)```\s*```\n(.*?)```", guide, re.S)


def test_the_guide_shows_its_three_drafts():
    assert [c.split()[2] for c, _ in _guide_drafts()] == [
        "tests/fixtures/heldout/cixi-2020-summary.txt", "tests/fixtures/heldout/haishu-2019-summary-2020-ideas.txt",
        "tests/fixtures/qingxi-2019-summary-2020-plan.txt"]


@pytest.mark.parametrize("index", range(3))
def test_the_guide_s_add_report_commands_print_what_the_guide_shows(tmp_path, capsys, monkeypatch, index):
    """docs/adding-a-new-report.md shows add-report's output for each example: the same lines come out."""
    import shlex

    command, shown = _guide_drafts()[index]
    args = shlex.split(command.replace("\\\n", " "))
    assert args[:2] == ["cityscience", "add-report"]
    data = shipped_data(tmp_path)  # the data the guide's outputs are of, whatever reports a user added
    repo = Path(__file__).resolve().parents[1]
    monkeypatch.chdir(tmp_path)
    (tmp_path / "tests").symlink_to(repo / "tests")
    (tmp_path / "build").mkdir()
    assert main([*args[1:], "--data", str(data)]) == 0
    captured = capsys.readouterr()
    assert (captured.err + captured.out).strip().splitlines() == shown.strip().splitlines()


def test_the_guide_s_accept_prints_what_the_guide_shows(tmp_path, capsys, monkeypatch):
    """docs/adding-a-new-report.md shows what accept prints for its example once `published` is filled in
    (section 3): drafting the example, filling the date as the guide says and accepting give those lines
    (paths up to the repository shown as …)."""
    import shlex


    repo = Path(__file__).resolve().parents[1]
    guide = (repo / "docs" / "adding-a-new-report.md").read_text(encoding="utf-8")
    draft = guide.split("## 1. Draft the review workbook", 1)[1].split("```")[1].split("\n", 1)[1]
    accept = guide.split("## 3. Accept", 1)[1].split("```")
    commands, shown = accept[1].split("\n", 1)[1], accept[3].split("\n", 1)[1]
    published = re.search(r"fill `published` in the\s+`source` sheet \(for instance `([\d-]+)`\)", guide).group(1)
    data = shipped_data(tmp_path)
    monkeypatch.chdir(tmp_path)
    (tmp_path / "tests").symlink_to(repo / "tests")
    (tmp_path / "build").mkdir()
    assert main([*shlex.split(draft.replace("\\\n", " "))[1:], "--data", str(data)]) == 0
    workbook = shlex.split(commands.splitlines()[-1])[2]
    wb = openpyxl.load_workbook(workbook)
    sheet = wb["source"]
    row = next(r for r in sheet.iter_rows() if r[0].value == "published")
    row[1].value = published
    wb.save(workbook)
    capsys.readouterr()
    assert main([*shlex.split(commands.splitlines()[-1])[1:], "--data", str(data)]) == 0
    captured = capsys.readouterr()
    printed = (captured.err + captured.out).replace(str(tmp_path.resolve()), "…").replace(str(tmp_path), "…")
    assert printed.strip().splitlines() == shown.strip().splitlines(), printed


def test_the_guide_s_python_prints_what_the_guide_says(tmp_path, capsys, monkeypatch):
    """The two Python blocks of the guide's "From Python" (draft and accept; the review edited with
    openpyxl, then accepted) run as written on the data as shipped: each number a comment shows is printed,
    the unedited draft is refused for its empty `published`, the edited one would be accepted."""
    repo = Path(__file__).resolve().parents[1]
    section = (repo / "docs" / "adding-a-new-report.md").read_text(encoding="utf-8").split("## From Python", 1)[1]
    blocks = re.findall(r"```python\n(.*?)```", section, re.S)
    assert len(blocks) == 2
    monkeypatch.setenv("CITYSCIENCE_DATA", str(shipped_data(tmp_path)))
    monkeypatch.chdir(tmp_path)
    (tmp_path / "tests").symlink_to(repo / "tests")
    (tmp_path / "build").mkdir()
    for block in blocks:
        exec(compile(block, "docs/adding-a-new-report.md", "exec"), {})  # noqa: S102
    printed = capsys.readouterr().out.splitlines()
    shown = [m.group(1) for m in re.finditer(r"#[^\n]*?: (\d+)$", "\n".join(blocks), re.M)]
    assert shown and all(n in printed for n in shown), (shown, printed)
    assert "1 problem in the review; nothing was changed:" in printed and "'published'" in "\n".join(printed)
    accepted = eval(printed[-1])  # noqa: S307 (the dict accept's dry run would write: its rows per table)
    assert accepted["observations"] == int(shown[0]) and accepted["sources"] == 1


def test_a_guide_example_accepted_into_the_data_is_recognised(tmp_path):
    """Trying the guide's commands accepts its example into data/; here the example is accepted into a copy
    of the data as shipped."""
    example = FOLDER.parent / "heldout" / "cixi-2020-summary.txt"
    data = shipped_data(tmp_path)
    assert accepted_example(example, data) is None
    d = draft(example, region="cixi", year=2020, data=data)
    d.sheets["source"].rows = [{**r, "value": "2021-01-05"} if r["field"] == "published" else r
                               for r in d.sheets["source"].rows]
    book = tmp_path / "review.xlsx"
    write_workbook(d, book)
    accept(book, data=data)
    assert accepted_example(example, data) == "cixi-2020-summary"
    # drafted again with the codebook of the other documents (as the evaluation leaves a document out), its new
    # indicators take numbers the codebook does not have yet, not the codes the accepted one added
    added = {r["indicator"] for r in d.sheets["new_indicators"].rows}
    assert added and all(code.startswith("new_cx20_") for code in added)
    again = draft(example, region="cixi", year=2020, data=data, source_id="cixi-2020-summary-b",
                  leave_out=frozenset({"cixi-2020-summary"}))
    codes = {r["indicator"] for r in again.sheets["new_indicators"].rows}
    assert codes and not codes & set(cs.load_indicators(data)["indicator"].astype(str)), codes & added


def test_a_half_year_summary_is_drafted_as_part_of_the_year(tmp_path):
    """A mid-year report's actual values cover January to June: drafted with the variant part_year (marked
    for a check), so that no chart sets them beside full years unmarked; its plan for the rest of the year is
    not warned about; the unedited draft is accepted."""
    text = ("慈溪市科学技术局2019年上半年工作总结和下半年工作思路\n发布时间:2019-07-15\n一、上半年工作成效\n"
            "1-6月,新认定省科技型中小企业86家,新增发明专利授权157件。\n三、下半年工作思路\n"
            "力争全年新认定高新技术企业40家以上。\n")
    d, data = _draft_text(tmp_path, text)
    cand = d.sheets["candidates"]
    assert [(r["status"], r["variant"]) for r in cand.rows] == [("actual", "part_year"), ("actual", "part_year"),
                                                                 ("target", "")]
    assert all((i, "variant") in cand.unsure for i in (0, 1))
    assert not any("usually for the year after" in w for w in d.warnings)
    assert [r["reason"] for r in d.sheets["exclusions"].rows if "1-6" in r["context"] or "1-" in r["match"]] == [
        "date_time"]  # the months 1-6月, a date range, not a restatement of a value
    _accept_unedited(d, tmp_path, data)


def test_a_summary_under_a_heading_of_its_own_is_not_warned_about(tmp_path):
    text = ("慈溪市2020年政府工作报告(科技部分)\n发布时间:2020-02-15\n一、2019年工作回顾\n新认定高新技术企业41家。\n"
            "二、2020年主要目标\n新认定高新技术企业50家以上。\n")
    d, data = _draft_text(tmp_path, text, year=2019)
    assert not any("no summary heading" in w for w in d.warnings), d.warnings
    assert not any("numbered lines not drafted" in w for w in d.warnings), d.warnings
    assert d.sheets["measures"].rows == []  # 一、2019年工作回顾 and 二、2020年主要目标 head the parts: not items
    source = {r["field"]: r["value"] for r in d.sheets["source"].rows}
    assert source["issuer_zh"] == "慈溪市人民政府"  # a government work report is the government's
    assert source["issuer_en"].endswith("People's Government"), source["issuer_en"]
    assert source["doc_type"] == "government_work_report" and source["report_year"] == "2019"
    assert source["title_en"].endswith(": 2020 government work report")  # titled by the year it is given in
    _accept_unedited(d, tmp_path, data)


def test_a_decrease_and_a_gap_below_are_drafted_negative_and_accepted(tmp_path):
    """比上年少5人 and 低于…1个百分点: the extractor writes −5 and −1, and the validator reads them in the text."""
    text = ("慈溪市科学技术局2019年工作总结\n发布时间:2020-01-15\n引进人才30人,比上年少5人。\n"
            "研发投入强度为1.9%,低于全省平均水平1个百分点。\n")
    d, data = _draft_text(tmp_path, text)
    assert [(r["value"], r["measure"]) for r in d.sheets["candidates"].rows if r["value"].startswith("-")] == [
        ("-5", "abs_change"), ("-1", "pp_diff")]
    _accept_unedited(d, tmp_path, data)


def test_a_statistical_bulletin_is_drafted_as_one_for_the_year_of_its_title(tmp_path):
    """慈溪市2023年国民经济和社会发展统计公报: a bulletin of the year its title names (no --year needed), every value
    actual, its own doc_type and source id, and accepted unedited once the page names its issuer."""
    text = ("慈溪市2023年国民经济和社会发展统计公报\n发布时间:2024-03-20\n来源:慈溪市统计局\n十、科学技术\n"
            "全年全社会研发经费支出56.8亿元，比上年增长9.4%。年末拥有国家高新技术企业712家。"
            "全年专利授权量8452件，下降6.7%。\n")
    data = copy_data(tmp_path)
    report = tmp_path / "bulletin.txt"
    report.write_text(text, encoding="utf-8")
    d = draft(report, region="cixi", data=data)
    source = {r["field"]: r["value"] for r in d.sheets["source"].rows}
    assert (source["doc_type"], source["report_year"], source["source_id"]) == (
        "statistical_bulletin", "2023", "cixi-2023-bulletin")
    assert source["title_en"].endswith(": 2023 statistical bulletin"), source["title_en"]
    rows = d.sheets["candidates"].rows
    assert {(r["status"], r["year"]) for r in rows} == {("actual", "2023")} and len(rows) == 5
    _accept_unedited(d, tmp_path, data)
