"""The policy checks find each kind of defect, names file, line, column and value, and reports all at once."""

from __future__ import annotations

import csv
import shutil
from pathlib import Path

import pytest

import cityscience as cs
from cityscience.paths import data_dir
from cityscience.problems import ValidationError
from cityscience.validate import check


@pytest.fixture()
def data(tmp_path) -> Path:
    """A private copy of the data folder that a test may damage."""
    root = tmp_path / "data"
    shutil.copytree(data_dir(), root)
    return root


def _rows(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


def _write(path: Path, rows: list[dict[str, str]]) -> None:
    with path.open("w", encoding="utf-8", newline="") as f:
        w = csv.DictWriter(f, fieldnames=list(rows[0]), lineterminator="\n")
        w.writeheader()
        w.writerows(rows)


def _edit(root: Path, table: str, key: str, value: str, **changes) -> None:
    path = root / table
    rows = _rows(path)
    hit = [r for r in rows if r[key] == value]
    assert hit, f"{value} not in {table}"
    hit[0].update(changes)
    _write(path, rows)


def _drop(root: Path, table: str, key: str, value: str) -> None:
    path = root / table
    _write(path, [r for r in _rows(path) if r[key] != value])


def _line_of(path: Path, prefix: str) -> int:
    for n, line in enumerate(path.read_text(encoding="utf-8").split("\n"), 1):
        if line.startswith(prefix + ","):
            return n
    raise AssertionError(prefix)


_POLICY_FILES = ("data/policy_items.csv", "data/bodies.csv", "data/terms.csv", "data/text_parts.csv",
                 "data/stopwords.txt", "data/codebook/columns.csv", "data/codebook/tables.csv")


def _problems(root: Path):
    """All problems `check` reports (the policy checks among them); each must be in a policy file."""
    checked = check(root)
    assert all(p.file.endswith(_POLICY_FILES) for p in checked.problems), [str(p) for p in checked.problems]
    return checked.problems


def _only(problems, check_code):
    found = [p for p in problems if p.check == check_code]
    assert found, f"no {check_code} among {[str(p) for p in problems]}"
    return found


def test_a_clean_copy_has_no_problems(data):
    assert _problems(data) == []


def test_evidence_not_in_the_document_names_file_line_and_column(data):
    _edit(data, "policy_items.csv", "item_id", "nb17-t04", evidence="4.强化知识产权创造和保护。")
    [p] = _only(_problems(data), "evidence_not_found")
    assert p.file.endswith("data/policy_items.csv")
    assert p.line == _line_of(data / "policy_items.csv", "nb17-t04")
    assert (p.column, p.value) == ("evidence", "4.强化知识产权创造和保护。")
    assert "ningbo-2017-plan" in p.expected


def test_unknown_responsible_unit_is_reported_by_name(data):
    _edit(data, "policy_items.csv", "item_id", "nb17-t02", units_as_written="市经信委、市科技部",
          responsible_units="ningbo_eitc")
    problems = _problems(data)
    [p] = _only(problems, "unknown_body")
    assert (p.column, p.value) == ("units_as_written", "市科技部")
    _only(problems, "units_not_in_evidence")


def test_units_in_another_order_than_written_are_a_mismatch(data):
    _edit(data, "policy_items.csv", "item_id", "nb17-t01", responsible_units="ningbo_eitc;ningbo_stb;ningbo_drc")
    [p] = _only(_problems(data), "units_mismatch")
    assert p.value == "ningbo_eitc;ningbo_stb;ningbo_drc"
    assert p.expected.startswith("ningbo_stb;ningbo_eitc;ningbo_drc")


def test_undefined_body_code(data):
    _edit(data, "policy_items.csv", "item_id", "hs17-01", responsible_units="haishu_bureau")
    problems = _problems(data)
    assert any(p.check == "unknown_reference" and p.value == "haishu_bureau" for p in problems)
    _only(problems, "units_mismatch")  # the issuer of the Haishu points is haishu_stb


def test_links_to_missing_or_foreign_observations(data):
    _edit(data, "policy_items.csv", "item_id", "nb17-t12", obs_ids="nb17-019;nb17-999;hs17-001")
    problems = _problems(data)
    assert [p.value for p in _only(problems, "unknown_reference")] == ["nb17-999"]
    assert [p.value for p in _only(problems, "link_other_source")] == ["hs17-001"]


def test_an_observation_inside_an_item_must_be_linked(data):
    _edit(data, "policy_items.csv", "item_id", "nb17-t12", obs_ids="")
    [p] = _only(_problems(data), "unlinked_observation")
    assert "nb17-019" in p.expected and p.line == _line_of(data / "policy_items.csv", "nb17-t12")


def test_a_link_that_neither_lies_inside_nor_states_the_value(data):
    _edit(data, "policy_items.csv", "item_id", "nb17-t12", obs_ids="nb17-019;nb17-001")
    [p] = _only(_problems(data), "link_not_in_evidence")
    assert p.value == "nb17-001"


def test_a_missing_task_breaks_the_numbering(data):
    _drop(data, "policy_items.csv", "item_id", "nb17-t17")
    [p] = _only(_problems(data), "numbering_gap")
    assert (p.column, p.value) == ("item_no", "18") and p.expected.startswith("17")


def test_marker_and_item_number_must_agree_with_the_text(data):
    _edit(data, "policy_items.csv", "item_id", "hs17-05", item_no="6")
    problems = _problems(data)
    assert _only(problems, "item_no_mismatch")[0].expected.startswith("5")
    _edit(data, "policy_items.csv", "item_id", "hs17-05", item_no="5", marker="1.")
    _only(_problems(data), "marker_mismatch")


def test_title_must_be_written_in_the_evidence(data):
    _edit(data, "policy_items.csv", "item_id", "hz16-p2", title_zh="实施创新企业培育工程")
    [p] = _only(_problems(data), "title_not_in_evidence")
    assert p.value == "实施创新企业培育工程"


def test_part_must_match_where_the_evidence_stands(data):
    _edit(data, "policy_items.csv", "item_id", "cx25-p2", part="summary")
    [p] = _only(_problems(data), "part_mismatch")
    assert "plan" in p.expected


def test_codes_outside_the_vocabularies(data):
    _edit(data, "policy_items.csv", "item_id", "hs17-07", theme="parks", kind="item")
    problems = _problems(data)
    assert {p.value for p in _only(problems, "allowed_value")} == {"parks", "item"}


def test_parent_must_exist(data):
    _edit(data, "policy_items.csv", "item_id", "hz15-a1-1", parent="hz15-a9")
    _only(_problems(data), "unknown_reference")


def test_one_name_two_bodies_in_one_region_is_ambiguous(data):
    _edit(data, "bodies.csv", "body", "ningbo_eitc", aliases="市经信委;市科技局")
    [p] = _only(_problems(data), "ambiguous_alias")
    assert p.value == "市科技局" and "ningbo_stb" in p.expected


def test_text_parts_must_find_their_lines(data):
    _edit(data, "text_parts.csv", "line_start", "二、2025年工作計劃", line_start="二、2026年工作計劃")
    problems = _problems(data)
    [p] = _only(problems, "line_not_found")
    assert p.value == "二、2026年工作計劃"


def test_terms_are_simplified_unique_and_not_stopwords(data):
    path = data / "terms.csv"
    rows = _rows(path)
    rows.append({"term": "眾創空間", "name_en": "maker space", "theme": "platforms", "version": "2", "note": ""})
    rows.append({"term": "人才", "name_en": "talent", "theme": "talent", "version": "2", "note": ""})
    rows.append({"term": "推进", "name_en": "promote", "theme": "governance", "version": "2", "note": ""})
    _write(path, rows)
    problems = _problems(data)
    assert _only(problems, "not_simplified")[0].value == "眾創空間"
    assert _only(problems, "duplicate_key")[0].value == "人才"
    assert _only(problems, "term_is_stopword")[0].value == "推进"


def test_missing_codebook_rows_are_reported(data):
    path = data / "codebook" / "columns.csv"
    lines = [ln for ln in path.read_text(encoding="utf-8").split("\n") if not ln.startswith("terms,")]
    path.write_text("\n".join(lines), encoding="utf-8")
    [p] = _only(_problems(data), "missing_spec")
    assert p.value == "terms"


def test_every_problem_in_one_report_and_loaders_refuse_bad_data(data):
    _edit(data, "policy_items.csv", "item_id", "nb17-t04", evidence="不在文中")
    _edit(data, "policy_items.csv", "item_id", "nb17-t05", theme="nonsense")
    _edit(data, "bodies.csv", "body", "ningbo_eitc", region="shanghai")
    problems = _problems(data)
    assert {"evidence_not_found", "allowed_value", "unknown_reference"} <= {p.check for p in problems}
    with pytest.raises(ValidationError) as err:
        cs.load_policy_items(data)
    assert len(err.value.problems) == len(problems)
    report = str(err.value)
    assert "data/policy_items.csv" in report and "data/bodies.csv" in report and "shanghai" in report
    with pytest.raises(ValidationError):
        cs.load_bodies(data)


@pytest.mark.parametrize(("dropped", "kept", "next_no"), [
    (["hs17-23"], "hs17-22", "23"),  # the last of a list: no gap, the text goes on with 23.
    (["nb17-t36"], "nb17-t35", "36"),
    (["nb14-m1-3"], "nb14-m1-2", "三"),  # the last 三是 of a section; the next section starts again at 一是
    (["hz15-a3-4"], "hz15-a3-3", "四"),  # the last part of an area
    (["nb17-sp12"], "nb17-sp11", "12"),  # the last row of an appendix table: a cell holding 12
    (["hz16-p5", "hz16-p5-1", "hz16-p5-2", "hz16-p5-3", "hz16-p5-4"], "hz16-p4", "5"),  # a project and its parts
])
def test_an_item_left_out_at_the_end_of_its_list_is_reported(data, dropped, kept, next_no):
    path = data / "policy_items.csv"
    line = _line_of(path, kept)
    assert all(_line_of(path, d) > line for d in dropped)  # so the kept item's line stays where it is
    _write(path, [r for r in _rows(path) if r["item_id"] not in dropped])
    # (without project 5, the last part of project 4 is also followed by a 四是 nothing starts with)
    [p] = [p for p in _only(_problems(data), "item_missing") if p.line == line]
    assert p.column == "item_no"
    assert f"an item {int(p.value) + 1} after it" in p.expected and f"goes on with '{next_no}" in p.expected


def test_an_item_whose_evidence_is_not_found_is_reported_once(data):
    """Its list's order is unknown then: no numbering gap or missing item follows from it."""
    _edit(data, "policy_items.csv", "item_id", "hs17-02", evidence="2、一段文件里没有的话。")
    problems = _problems(data)
    assert [p.check for p in problems] == ["evidence_not_found"]
