"""`cityscience extract` as a new user runs it, the review sheet it writes, and --evaluate."""

from __future__ import annotations

import zipfile
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
from openpyxl.cell.rich_text import CellRichText, TextBlock

from cityscience.cli import main
from cityscience.extract import CANDIDATE_COLUMNS, ExtractError, extract, extract_many
from cityscience.extract import review as review_module
from cityscience.extract.evaluate import evaluate
from cityscience.extract.review import write_review
from minidata import OBS_ROWS, make_data

FIXTURE = Path(__file__).parent / "fixtures" / "qingxi-2019-summary-2020-plan.txt"


def _sheet(path: Path) -> tuple[list[str], list[dict]]:
    wb = openpyxl.load_workbook(path, rich_text=True)
    rows = list(wb["candidates"].iter_rows(values_only=True))
    header = list(rows[0])
    return header, [dict(zip(header, r, strict=True)) for r in rows[1:]]


def test_xlsx_review_sheet_highlights_the_value_and_keeps_offsets(tmp_path: Path, capsys) -> None:
    out = tmp_path / "candidates.xlsx"
    expected = len(extract(FIXTURE, region="qingxi"))
    assert expected > 0
    assert main(["extract", str(FIXTURE), "--region", "qingxi", "-o", str(out)]) == 0
    assert f"wrote {expected} candidates" in capsys.readouterr().err
    header, rows = _sheet(out)
    assert len(rows) == expected
    for col in ["value", "unit", "evidence", "evidence_start", "evidence_end", "value_start", "value_end", "line"]:
        assert col in header
    text = FIXTURE.read_text(encoding="utf-8")
    for row in rows:
        ev = row["evidence"]
        assert isinstance(ev, CellRichText)
        highlighted = [block for block in ev if isinstance(block, TextBlock)]
        assert len(highlighted) == 1 and highlighted[0].font.b
        assert highlighted[0].text == text[row["value_start"]:row["value_end"]]
        assert str(ev) == text[row["evidence_start"]:row["evidence_end"]]
    about = dict(openpyxl.load_workbook(out)["about"].iter_rows(min_row=2, max_row=6, values_only=True))
    assert "summary_and_plan" in about["documents"] and about["region"] == "qingxi"


def test_csv_review_sheet_round_trips(tmp_path: Path) -> None:
    out = tmp_path / "candidates.csv"
    assert main(["extract", str(FIXTURE), "--year", "2019", "-o", str(out)]) == 0
    back = pd.read_csv(out)
    df = extract(FIXTURE, year=2019)
    assert list(back.columns) == list(df.columns)
    assert back["value"].tolist() == df["value"].astype(float).tolist()
    assert back["evidence"].tolist() == df["evidence"].tolist()
    assert not out.read_bytes().startswith(b"\xef\xbb\xbf")


def test_text_that_looks_like_a_formula_is_stored_as_text(tmp_path: Path) -> None:
    report = tmp_path / "inject.txt"
    report.write_text("=HYPERLINK(\"http://x\")新认定企业46家。\n+1新增项目12项。\n-2累计建成平台5家。\n"
                      "@SUM(A1)建成平台3个。\n", encoding="utf-8")
    out = tmp_path / "inject.xlsx"
    assert main(["extract", str(report), "-o", str(out)]) == 0
    with zipfile.ZipFile(out) as z:
        sheet = z.read("xl/worksheets/sheet1.xml").decode("utf-8")
    assert "<f>" not in sheet and "<f " not in sheet
    wb = openpyxl.load_workbook(out)
    labels = [c for c in wb["candidates"]["F"][1:]]
    assert [c.value[:1] for c in labels] == ["=", "+", "-", "@"]
    assert all(c.data_type == "s" and c.quotePrefix for c in labels)
    evidence = wb["candidates"].cell(row=1, column=1 + CANDIDATE_COLUMNS.index("evidence")).column_letter
    assert all(c.quotePrefix for c in wb["candidates"][evidence][1:])  # highlighted text, still not formulas


def test_review_sheet_cells_are_written_by_the_shared_cell_writer(tmp_path: Path) -> None:
    """One formula-safe writer (cityscience.cells.put); text a workbook cannot hold is shown as U+FFFD."""
    from cityscience import cells

    assert review_module.put is cells.put
    df = extract("新认定\x01企业46家,同比增长12.5%。")
    out = write_review(df, tmp_path / "r.xlsx", about={"note": "=1+1", "odd": "a\x02b\ud800c"})
    wb = openpyxl.load_workbook(out)
    about = {r[0].value: r[1] for r in wb["about"].iter_rows(min_row=2, max_row=3)}
    assert about["note"].value == "=1+1" and about["note"].data_type == "s" and about["note"].quotePrefix
    assert about["odd"].value == "a\ufffdb\ufffdc"
    assert [c.value for c in wb["candidates"]["F"][1:]] == ["新认定\ufffd企业"] * 2


def test_unreadable_input_fails_loudly_and_writes_nothing(tmp_path: Path, capsys) -> None:
    bad = tmp_path / "sjis.txt"
    bad.write_bytes("東京都の科学技術予算は前年比で増加しました。".encode("shift_jis") * 5)
    missing = tmp_path / "missing.txt"
    out = tmp_path / "out.xlsx"
    assert main(["extract", str(FIXTURE), str(bad), str(missing), "-o", str(out)]) == 1
    err = capsys.readouterr().err
    assert "CP932" in err and str(bad) in err and str(missing) in err and "2 of 3 files" in err
    assert not out.exists()


def test_several_files_in_parallel_make_one_sheet(tmp_path: Path) -> None:
    second = tmp_path / "second-report.txt"
    second.write_text("某县科技局2021年工作总结\n新认定高新技术企业58家,同比增长12.5%。\n", encoding="utf-8")
    out = tmp_path / "both.csv"
    assert main(["extract", str(FIXTURE), str(second), "--jobs", "2", "-o", str(out)]) == 0
    back = pd.read_csv(out)
    assert back["source_id"].value_counts().to_dict() == {"qingxi-2019-summary-2020-plan": 46, "second-report": 2}


def test_usage_errors(tmp_path: Path, capsys) -> None:
    assert main(["extract"]) == 2
    assert main(["extract", str(FIXTURE), "-o", str(tmp_path / "x.json")]) == 2
    assert main(["extract", "--evaluate", str(FIXTURE)]) == 2
    assert "give at least one FILE" in capsys.readouterr().err


def test_without_output_prints_a_table(capsys) -> None:
    assert main(["extract", str(FIXTURE)]) == 0
    out = capsys.readouterr()
    assert "12.6" in out.out and "亿元" in out.out and "-o candidates.xlsx" in out.err


def test_failed_write_leaves_no_partial_file(tmp_path: Path, monkeypatch) -> None:
    out = tmp_path / "c.xlsx"
    out.write_bytes(b"previous")

    def boom(*args, **kwargs):
        raise OSError("disk full")

    monkeypatch.setattr(review_module, "_write_xlsx", boom)
    with pytest.raises(OSError):
        write_review(extract(FIXTURE), out)
    assert out.read_bytes() == b"previous"
    assert [p.name for p in tmp_path.iterdir()] == ["c.xlsx"]


# -- evaluation ---------------------------------------------------------------------------------------

def test_evaluate_on_a_mini_data_folder(tmp_path: Path) -> None:
    data = make_data(tmp_path)
    ev = evaluate(data)
    row = ev.per_document.set_index("source_id").loc["demo"]
    assert (row["curated"], row["candidates"], row["matched"]) == (5, 5, 5)
    assert ev.precision == 1.0 and ev.recall == 1.0 and ev.warnings == []


def test_evaluate_with_the_year_inferred_from_the_title(tmp_path: Path, capsys) -> None:
    data = make_data(tmp_path)
    assert evaluate(data, give_year=False).recall == 1.0
    assert main(["extract", "--evaluate", "--infer-year", "--data", str(data)]) == 0
    assert "year agrees on 100.0%" in capsys.readouterr().out


def test_evaluate_counts_misses_and_spurious_rows(tmp_path: Path) -> None:
    rows = [r[:] for r in OBS_ROWS[:4]]
    wrong = rows[0][:]
    wrong[0], wrong[9] = "t-009", "186"  # a value the text does not state for this evidence
    data = make_data(tmp_path, obs_rows=[*rows, wrong])
    ev = evaluate(data)
    assert ev.recall == pytest.approx(4 / 5) and ev.precision == pytest.approx(4 / 5)
    assert ev.missed["obs_id"].tolist() == ["t-009"]
    assert ev.spurious["unit"].tolist() == ["场"]


def test_evaluate_requires_the_value_inside_the_curated_evidence(tmp_path: Path) -> None:
    raw = "示例市科技局2014年工作总结\n新认定企业12家。\n累计培育企业12家。\n"
    row = ["t-001", "demo", "ningbo", "2014", "rd_expenditure", "企业", "level", "actual", "exact", "12", "", "家",
           "累计培育企业12家", ""]
    data = make_data(tmp_path, raw_text=raw, obs_rows=[row])
    ev = evaluate(data)
    assert ev.matched["value_start"].tolist() == [raw.index("12家", raw.index("累计"))]
    assert ev.precision == pytest.approx(1 / 2) and ev.recall == 1.0


def test_evaluate_command_reports_and_fails_below_the_goal(tmp_path: Path, capsys) -> None:
    data = make_data(tmp_path)
    assert main(["extract", "--evaluate", "--data", str(data)]) == 0
    out = capsys.readouterr().out
    assert "overall" in out and "1.000" in out and "met" in out
    extra = [r[:] for r in OBS_ROWS]
    extra.append(["t-006", "demo", "ningbo", "2014", "tech_auctions", "拍卖会", "level", "actual", "exact", "3", "",
                  "场", "组织两场科技成果拍卖会", ""])
    data2 = make_data(tmp_path / "b", obs_rows=extra)
    assert main(["extract", "--evaluate", "--data", str(data2), "--details"]) == 1
    out = capsys.readouterr().out
    assert "NOT met" in out and "t-006" in out


def test_extract_many_runs_in_parallel_and_reports_every_failure(tmp_path: Path) -> None:
    good = FIXTURE.read_bytes()
    frames = extract_many([good, "全年新认定企业46家。"], year=2019, jobs=2)
    assert [len(f) for f in frames] == [46, 1]
    bad = tmp_path / "sjis.txt"
    bad.write_bytes("東京都の科学技術予算は前年比で増加しました。".encode("shift_jis") * 5)
    with pytest.raises(ExtractError) as err:
        extract_many([FIXTURE, bad, tmp_path / "missing.txt"], jobs=2)
    assert "2 of 3 inputs" in str(err.value) and "CP932" in str(err.value) and "no such file" in str(err.value)


# -- the held-out score next to the in-sample one --------------------------------------------------

def _heldout_folder(tmp: Path, facts: list[str]) -> Path:
    folder = tmp / "heldout"
    folder.mkdir()
    (folder / "r.txt").write_text("示例区科技局2021年工作总结\n新认定企业12家,增长百分之二十。\n", encoding="utf-8")
    (folder / "manifest.csv").write_text("file,region,year,encoding,kind\nr.txt,demo,2021,utf-8,summary\n",
                                         encoding="utf-8")
    head = "file,line,value,value_high,unit,status,measure,qualifier,year,label_zh,evidence,note\n"
    (folder / "facts.csv").write_text(head + "".join(f + "\n" for f in facts), encoding="utf-8")
    (folder / "traps.csv").write_text("file,line,text,reason,note\n", encoding="utf-8")
    return folder


def test_evaluate_prints_the_heldout_score_per_report(tmp_path: Path, capsys) -> None:
    data = make_data(tmp_path)
    assert main(["extract", "--evaluate", "--data", str(data)]) == 0
    out = capsys.readouterr().out
    assert "held-out reports" in out and "donghu-2022-summary.txt" in out and "held-out goal" in out
    good = _heldout_folder(tmp_path, ["r.txt,2,12,,家,actual,level,exact,2021,新认定企业,新认定企业12家,",
                                      "r.txt,2,20,,%,actual,yoy_pct,exact,2021,企业,增长百分之二十,"])
    assert main(["extract", "--evaluate", "--data", str(data), "--heldout", str(good)]) == 0
    out = capsys.readouterr().out
    assert "r.txt" in out and "1.000     1.000     1.000" in out and "held-out goal" in out and "NOT met" not in out


def test_evaluate_fails_when_the_heldout_goal_is_not_met(tmp_path: Path, capsys) -> None:
    data = make_data(tmp_path)
    wrong = _heldout_folder(tmp_path, ["r.txt,2,12,,家,target,level,exact,2021,新认定企业,新认定企业12家,",
                                       "r.txt,2,20,,%,actual,yoy_pct,exact,2021,企业,增长百分之二十,"])
    assert main(["extract", "--evaluate", "--data", str(data), "--heldout", str(wrong), "--details"]) == 1
    out = capsys.readouterr().out
    assert "held-out goal" in out and "NOT met" in out and "status 'actual' (want 'target')" in out
    assert main(["extract", "--evaluate", "--data", str(data), "--heldout", str(tmp_path / "none")]) == 1
    assert "no manifest.csv" in capsys.readouterr().err
