"""Document structure: detected parts, the parts override (``parts=``, ``--parts``) and warnings."""

from __future__ import annotations

import csv
import re
import unicodedata
from pathlib import Path

import pytest

from cityscience.cli import main
from cityscience.extract import PartsError, PartSpec, extract, parse_parts

# A summary followed by a plan; the summary heading holds the plan word 重点工作 (written for
# these tests in the style of a district bureau's report; every number is invented).
SUMMARY_AND_PLAN = (
    "青溪区科技局2021年工作总结及2022年工作思路\n"
    "一、2021年重点工作总结\n"
    "我区新认定国家高新技术企业41家,有效高新技术企业总数达到203家。\n"
    "二、2022年工作思路\n"
    "新认定国家高新技术企业50家以上。\n"
)


def _status_year(df) -> list[tuple]:
    return [(float(r["value"]), r["status"], int(r["year"])) for _, r in df.iterrows()]


def test_summary_words_win_over_plan_words_in_a_heading() -> None:
    df = extract(SUMMARY_AND_PLAN, year=2021)
    assert _status_year(df) == [(41, "actual", 2021), (203, "actual", 2021), (50, "target", 2022)]
    assert [(p["kind"], p["year"], p["line"]) for p in df.attrs["parts"]] == [("summary", 2021, 1),
                                                                              ("plan", 2022, 4)]
    assert df.attrs["structure_warnings"] == []


def test_a_plan_word_alone_still_makes_a_plan_heading() -> None:
    text = SUMMARY_AND_PLAN.replace("一、2021年重点工作总结", "一、2021年工作进展").replace(
        "二、2022年工作思路", "二、2022年重点工作")
    assert _status_year(extract(text, year=2021))[-1] == (50, "target", 2022)


def test_the_year_in_a_heading_decides_the_year_of_its_part() -> None:
    text = SUMMARY_AND_PLAN.replace("二、2022年工作思路", "二、2023年工作思路")
    assert _status_year(extract(text, year=2021))[-1] == (50, "target", 2023)


def test_a_next_step_heading_without_plan_words_starts_a_plan_for_the_next_year() -> None:
    text = ("青溪区科技局2021年工作总结\n新认定国家高新技术企业41家。\n四、下一步工作\n"
            "新认定国家高新技术企业50家。\n")
    df = extract(text)
    assert _status_year(df) == [(41, "actual", 2021), (50, "target", 2022)]
    assert df.attrs["document"].startswith("summary_and_plan report")


def test_parts_string_syntax() -> None:
    specs = parse_parts('summary:0-, plan:"二、2022年工作思路",plan:"a, b: c":2024;chrome:L9\nsummary:12')
    assert specs == [
        PartSpec("summary", 0, None, None, "summary:0-"),
        PartSpec("plan", "二、2022年工作思路", None, None, 'plan:"二、2022年工作思路"'),
        PartSpec("plan", "a, b: c", 2024, None, 'plan:"a, b: c":2024'),
        PartSpec("chrome", None, None, 9, "chrome:L9"),
        PartSpec("summary", 12, None, None, "summary:12"),
    ]
    assert parse_parts(r'plan:"say \"this\""')[0].at == 'say "this"'
    assert parse_parts("plan:二、2022年工作思路")[0].at == "二、2022年工作思路"


def test_parts_lists_of_tuples_and_dicts() -> None:
    assert parse_parts([("summary", 0, None), ("plan", "二、", 2022)]) == [
        PartSpec("summary", 0, None, None, "summary:0"), PartSpec("plan", "二、", 2022, None, "plan:'二、':2022")]
    assert parse_parts([("summary", 0)])[0].year is None
    assert parse_parts([{"kind": "plan", "start": 5, "year": 2020, "why": "x"}])[0] == \
        PartSpec("plan", 5, 2020, None, "plan:5:2020")


@pytest.mark.parametrize(("spec", "message"), [
    ("summry:0", "kind 'summry' is not one of summary, plan, chrome"),
    ("summary:0:20", "year '20' is not a year"),
    ("summary:0-100", "not a range"),
    ('plan:"二、2022', "not closed"),
    ("", "empty"),
    ("plan", "expected KIND:START"),
    ("plan:", "no start"),
    ('plan:"x"y', "after a quoted text"),
    ([("plan", -1, None)], "start must be an offset"),
    ([("plan", 0, "2020")], "year must be an int"),
    ([], "no parts given"),
    ([("plan",)], "expected (kind, start, year)"),
])
def test_malformed_parts_are_refused_with_the_entry(spec, message: str) -> None:
    with pytest.raises(PartsError, match=None) as err:
        parse_parts(spec)
    assert message in str(err.value)


@pytest.mark.parametrize(("spec", "message"), [
    ('summary:0,plan:"三、2022年工作计划"', "part 2 (plan:\"三、2022年工作计划\"): the text '三、2022年工作计划' is not in"),
    ('plan:"二、2022年工作思路",summary:0', "not after part 1"),
    ("summary:L99", "line 99 is past the end"),
    ("summary:99999", "offset 99999 is past the end"),
])
def test_parts_that_do_not_fit_the_text_are_refused(spec: str, message: str) -> None:
    with pytest.raises(PartsError) as err:
        extract(SUMMARY_AND_PLAN, parts=spec)
    assert message in str(err.value)


def test_given_parts_replace_the_detected_ones() -> None:
    # Read the whole report as a summary of 2021 up to the plan heading, then a plan for 2024.
    df = extract(SUMMARY_AND_PLAN, year=2021, parts='summary:0-,plan:"二、2022年工作思路":2024')
    assert _status_year(df) == [(41, "actual", 2021), (203, "actual", 2021), (50, "target", 2024)]
    parts = df.attrs["parts"]
    assert [set(p) for p in parts] == [{"kind", "start", "end", "line", "year", "why"}] * 2
    assert parts[1]["start"] == SUMMARY_AND_PLAN.index("二、2022年工作思路") == parts[0]["end"]
    assert parts[1]["end"] == len(SUMMARY_AND_PLAN)
    assert parts[1]["why"].startswith("given: plan:")
    # Without a year, a part takes the year of its heading line.
    assert _status_year(extract(SUMMARY_AND_PLAN, parts="summary:0,plan:L4"))[-1] == (50, "target", 2022)


def test_a_given_plan_without_a_year_on_its_line_follows_the_summary() -> None:
    text = "青溪区科技局2021年工作总结\n新认定国家高新技术企业41家。\n下步打算\n新认定国家高新技术企业50家。\n"
    df = extract(text, parts="summary:0,plan:下步打算")
    assert _status_year(df) == [(41, "actual", 2021), (50, "target", 2022)]


def test_a_chrome_part_is_not_read() -> None:
    text = "注册即送88元红包\n" + SUMMARY_AND_PLAN
    df = extract(text, year=2021, parts='chrome:0,summary:L2,plan:"二、2022年工作思路"')
    assert [float(v) for v in df["value"]] == [41, 203, 50]
    assert df.attrs["parts"][0] == {"kind": "chrome", "start": 0, "end": text.index("\n") + 1, "line": 1,
                                    "year": None, "why": "given: chrome:0"}


def test_the_attrs_parts_round_trip_as_an_override() -> None:
    df = extract(SUMMARY_AND_PLAN, year=2021)
    again = extract(SUMMARY_AND_PLAN, year=2021, parts=df.attrs["parts"])
    strip = [{k: p[k] for k in ("kind", "start", "end", "year")} for p in df.attrs["parts"]]
    assert [{k: p[k] for k in ("kind", "start", "end", "year")} for p in again.attrs["parts"]] == strip
    assert _status_year(again) == _status_year(df)


def test_parts_text_is_found_in_traditional_and_full_width_forms() -> None:
    text = SUMMARY_AND_PLAN.replace("二、2022年工作思路", "二、２０２２年工作思路")
    df = extract(text, parts='summary:0,plan:"二、2022年工作思路"')
    assert df.attrs["parts"][1]["start"] == text.index("二、２０２２")
    assert df.attrs["parts"][1]["year"] == 2022


def test_implausible_structure_is_warned_about() -> None:
    # A plan heading for the report's own year right after the title: the summary holds nothing.
    text = "青溪区科技局2021年工作总结\n一、2021年工作要点\n新认定国家高新技术企业41家。\n"
    warnings = extract(text).attrs["structure_warnings"]
    assert any("is for 2021, not after the summary before it (2021)" in w for w in warnings)
    assert any("names a summary, but no summary part holds a number" in w for w in warnings)
    given = extract(SUMMARY_AND_PLAN, parts="plan:0").attrs["structure_warnings"]
    assert given == ["the title '青溪区科技局2021年工作总结及2022年工作思路' names a summary, but no part is a summary"]


def test_a_year_given_that_the_title_does_not_write_is_warned_about() -> None:
    assert extract(SUMMARY_AND_PLAN, year=2022).attrs["structure_warnings"] == []  # the plan's year
    (warning,) = extract(SUMMARY_AND_PLAN, year=2012).attrs["structure_warnings"]
    assert warning.startswith("the year given (2012) is not a year the title '青溪区科技局2021年工作总结及"
                              "2022年工作思路' writes (2021 and 2022)")
    undated = SUMMARY_AND_PLAN.replace("2021年工作总结及2022年工作思路", "工作总结")
    assert extract(undated, year=2012).attrs["structure_warnings"] == []  # a title without a year


def test_cli_parts_override_and_its_errors(tmp_path: Path, capsys) -> None:
    path = tmp_path / "report.txt"
    path.write_text(SUMMARY_AND_PLAN, encoding="utf-8")
    out = tmp_path / "c.csv"
    assert main(["extract", str(path), "--year", "2021", "--parts", 'summary:0-,plan:"二、2022年工作思路":2024',
                 "-o", str(out)]) == 0
    assert "plan 2024 from offset" in capsys.readouterr().err
    for command in (["extract", str(path)], ["add-report", str(path), "--region", "qingxi", "-o", "r.xlsx"]):
        with pytest.raises(SystemExit) as stop:  # a usage error, before any file is read
            main([*command, "--parts", "summry:0"])
        assert stop.value.code == 2
        assert "argument --parts: parts entry 'summry:0': kind 'summry'" in capsys.readouterr().err
    assert main(["extract", str(path), "--parts", "summary:0,plan:三、", "-o", str(tmp_path / "d.csv")]) == 1
    err = capsys.readouterr().err
    assert "the text '三、' is not in the report" in err and not (tmp_path / "d.csv").exists()


# A three-year plan (written for this test; the numbers are invented): issued in its first year.
THREE_YEAR_PLAN = (
    "青溪区科技创新三年行动计划(2024—2026年)\n"
    "一、发展基础\n"
    "2023年,全区有效高新技术企业达到210家。\n"
    "二、主要目标\n"
    "有效高新技术企业突破300家;\n"
    "2024年新认定高新技术企业不少于40家。\n"
)


def test_a_plan_over_a_span_of_years_starts_in_its_first_year() -> None:
    """Without a given year, the report year of a 2024—2026 plan is 2024, not 2026: a target written for
    2024 stays a target (a year before the report year would make it an actual value), while targets
    without a year are for the horizon only when the text names one (到2026年)."""
    df = extract(THREE_YEAR_PLAN)
    assert df.attrs["report_year"] == 2024
    assert _status_year(df) == _status_year(extract(THREE_YEAR_PLAN, year=2024))
    assert _status_year(df)[-1] == (40, "target", 2024)
    assert _status_year(df)[0] == (210, "actual", 2023)


@pytest.mark.parametrize("folder", ["heldout", "heldout-2"])
def test_heldout_reports_give_their_year_without_being_told(folder: str) -> None:
    """Each held-out report's year, inferred from its title, is the year its manifest gives a user to pass
    (none for a report whose title writes no year), and the rows are the same as with the year given."""
    base = Path(__file__).parent / "fixtures" / folder
    with open(base / "manifest.csv", encoding="utf-8", newline="") as fh:
        reports = list(csv.DictReader(fh))
    for r in reports:
        given = extract(base / r["file"], region=r["region"], year=int(r["year"]))
        inferred = extract(base / r["file"], region=r["region"])
        if inferred.attrs["title"] is None or not re.search(r"(19|20)\d\d", unicodedata.normalize("NFKC", inferred.attrs["title"])):
            assert inferred.attrs["report_year"] is None, r["file"]  # no year written: the user gives it
            continue
        assert inferred.attrs["report_year"] == int(r["year"]), r["file"]
        assert _status_year(inferred) == _status_year(given), r["file"]


# A mid-year report without year headings (written for this test; the numbers are invented): 争取 in the
# summary says what was won, and the plan starts at its section heading, for the rest of the same year.
MID_YEAR = (
    "兰溪市科学技术局2023年上半年工作总结和下半年工作思路\n"
    "一、上半年工作成效\n"
    "新认定省科技型中小企业86家。\n"
    "争取上级科技项目资金2860万元。\n"
    "二、存在的问题\n"
    "上半年仅引进国家级人才2人。\n"
    "三、下半年工作思路\n"
    "力争全年新认定高新技术企业40家以上。\n"
)


def test_a_plan_section_heading_wins_over_the_first_forward_looking_paragraph() -> None:
    df = extract(MID_YEAR)
    assert [(p["kind"], p["year"], p["line"]) for p in df.attrs["parts"]] == [("summary", 2023, 1), ("plan", 2023, 7)]
    assert _status_year(df) == [(86, "actual", 2023), (2860, "actual", 2023), (2, "actual", 2023),
                                (40, "target", 2023)]
    assert df.attrs["structure_warnings"] == []  # a mid-year report plans the rest of its own year


# The science part of a city's government work report (written for this test; the numbers are invented).
GOVERNMENT_REPORT = (
    "青溪市2024年政府工作报告(科技创新部分)\n"
    "过去一年,新认定高新技术企业712家,技术交易额增长近三成。\n"
    "今年,力争新增高新技术企业600家。\n"
)


def test_a_government_work_report_reviews_the_year_before_and_plans_its_own() -> None:
    df = extract(GOVERNMENT_REPORT)
    assert df.attrs["title"] == "青溪市2024年政府工作报告(科技创新部分)" and df.attrs["report_year"] == 2023
    assert [(p["kind"], p["year"]) for p in df.attrs["parts"]] == [("summary", 2023), ("plan", 2024)]
    assert [(float(r["value"]), r["unit"], r["measure"], r["status"], int(r["year"])) for _, r in df.iterrows()] == [
        (712, "家", "level", "actual", 2023), (3, "成", "yoy_pct", "actual", 2023), (600, "家", "level", "target", 2024)]


def test_a_statistical_bulletin_states_the_year_of_its_title() -> None:
    """…2023年国民经济和社会发展统计公报 is the year's statistics: one summary part of 2023, every value actual."""
    df = extract("青溪市2023年国民经济和社会发展统计公报\n十、科学技术\n全年专利授权量8452件，下降6.7%。"
                 "年末拥有国家高新技术企业712家，当年新认定156家。\n")
    assert df.attrs["title"] == "青溪市2023年国民经济和社会发展统计公报" and df.attrs["report_year"] == 2023
    assert [(p["kind"], p["year"]) for p in df.attrs["parts"]] == [("summary", 2023)]
    assert {(r["status"], int(r["year"])) for _, r in df.iterrows()} == {("actual", 2023)} and len(df) == 4
