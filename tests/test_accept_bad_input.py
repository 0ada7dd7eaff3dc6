"""Bad input: a broken review workbook gets one report of every problem and changes nothing; a report
file that is not text, is empty or in an undetectable encoding is refused with what was found."""

from __future__ import annotations

import csv
import re

import openpyxl
import pytest

from cityscience.cli import main
from cityscience.paths import folder_digest
from cityscience.report import AcceptError, accept, draft, read_review, write_workbook
from cityscience.report.sheets import column_types
from cityscience.validate import check
from reports import FOLDER, REPORTS, copy_data


@pytest.fixture
def drafted(tmp_path):
    data = copy_data(tmp_path)
    name, region, year = REPORTS[0]
    book = tmp_path / "review.xlsx"
    write_workbook(draft(FOLDER / name, region=region, year=year, data=data), book)
    return data, book


def _refused(data, book) -> str:
    """accept's report on a review it refuses; nothing in the data folder may have changed."""
    before = folder_digest(data)
    with pytest.raises(AcceptError) as err:
        accept(book, data=data)
    assert folder_digest(data) == before
    return str(err.value)


def _cell(ws, header_row: int, row: int, column: str):
    names = [c.value for c in ws[header_row]]
    return ws.cell(row=row, column=names.index(column) + 1)


def test_every_problem_of_a_broken_review_is_reported_at_once_and_nothing_changes(drafted):
    data, book = drafted
    review = read_review(book)
    wb = openpyxl.load_workbook(book)
    del wb["bodies"]                                             # a missing sheet
    cand, h = wb["candidates"], review.header_rows["candidates"]
    first, second, third = h + 1, h + 2, h + 3
    _cell(cand, h, first, "indicator").value = "no_such_code"    # an unknown code
    _cell(cand, h, third, "obs_id").value = _cell(cand, h, second, "obs_id").value  # a duplicate obs_id
    _cell(cand, h, second, "evidence").value = "这句话不在原文里"   # evidence not in the raw text
    _cell(cand, h, h, "label_zh").value = "label"               # a renamed column
    src, hs = wb["source"], review.header_rows["source"]
    for r in range(hs + 1, src.max_row + 1):
        if src.cell(row=r, column=1).value == "sha256":
            src.cell(row=r, column=2).value = "0" * 64           # an edited SHA-256
    exc, he = wb["exclusions"], review.header_rows["exclusions"]
    match = _cell(exc, he, he + 1, "match").value
    new = exc.max_row + 1                                        # the same number excluded twice
    for col, value in {"source_id": _cell(exc, he, he + 1, "source_id").value, "kind": "literal",
                       "match": match[:-1] if len(match) > 1 else match, "reason": "enumeration"}.items():
        _cell(exc, he, new, col).value = value
    wb.save(book)
    before = folder_digest(data)
    with pytest.raises(AcceptError) as err:
        accept(book, data=data)
    text = str(err.value)
    assert "sheet 'bodies' is missing" in text
    assert "column 'label_zh'" in text and "'label'" in text
    assert "no_such_code" in text
    assert "[duplicate_key]" in text
    # the other row of a duplicate is named in the review, not in the staged copy accept checks
    assert f"sheet 'candidates', row {third}, column 'obs_id'" in text and f"(also sheet 'candidates', row {second})" in text
    assert "sheet 'source'" in text and "0" * 64 in text
    assert "这句话不在原文里" in text and "[evidence_not_found]" in text
    assert "excluded once" in text
    assert folder_digest(data) == before  # nothing was changed


def test_values_in_a_column_accept_does_not_read_are_reported_not_lost(drafted):
    data, book = drafted
    review = read_review(book)
    wb = openpyxl.load_workbook(book)
    cand, h = wb["candidates"], review.header_rows["candidates"]
    width = cand.max_column
    cand.cell(row=h, column=width + 1).value = "notes"            # a column of the reviewer's own
    cand.cell(row=h + 1, column=width + 1).value = "checked twice"
    cand.cell(row=h + 2, column=width + 3).value = "see p. 3"     # a value right of the header
    wb.save(book)
    text = _refused(data, book)
    assert f"sheet 'candidates', row {h + 1}, column 'notes': value 'checked twice'" in text
    letter = openpyxl.utils.get_column_letter(width + 3)
    assert f"sheet 'candidates', row {h + 2}, column {letter}: value 'see p. 3'" in text


def test_a_fact_drafted_twice_names_both_rows_of_the_review(drafted):
    """The duplicate's other row is where the user wrote it, not a line of the staged copy accept checks."""
    data, book = drafted
    review = read_review(book)
    wb = openpyxl.load_workbook(book)
    cand, h = wb["candidates"], review.header_rows["candidates"]
    second, last = h + 2, cand.max_row + 1
    for col in range(1, cand.max_column + 1):
        cand.cell(row=last, column=col).value = cand.cell(row=second, column=col).value
    _cell(cand, h, last, "obs_id").value = _cell(cand, h, second, "obs_id").value + "b"
    wb.save(book)
    with pytest.raises(AcceptError) as err:
        accept(book, data=data)
    [line] = [x for x in str(err.value).splitlines() if "each fact once" in x]
    assert line.strip().startswith(f"sheet 'candidates', row {last}, column 'indicator'")
    assert line.endswith(f"expected each fact once (also sheet 'candidates', row {second}) [duplicate_key]")


def test_the_cli_reports_by_sheet_and_exits_1(drafted, capsys):
    data, book = drafted
    wb = openpyxl.load_workbook(book)
    review = read_review(book)
    cand, h = wb["candidates"], review.header_rows["candidates"]
    _cell(cand, h, h + 1, "indicator").value = "no_such_code"
    wb.save(book)
    assert main(["accept", str(book), "--data", str(data)]) == 1
    err = capsys.readouterr().err
    assert f"sheet 'candidates', row {h + 1}, column 'indicator': value 'no_such_code'" in err
    assert "nothing was changed" in err


@pytest.mark.parametrize(("content", "found"), [
    (b"", "empty"),
    (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x01\x00" * 20, "not text"),
    ("Caf\u00e9 cr\u00e8me br\u00fbl\u00e9e, na\u00efve fa\u00e7ade \u00e0 la carte 12".encode("cp1252") * 5, "look like"),
])
def test_a_report_that_is_not_text_is_refused_with_what_was_found(tmp_path, capsys, content, found):
    data = copy_data(tmp_path)
    report = tmp_path / "report.txt"
    report.write_bytes(content)
    before = folder_digest(data)
    code = main(["add-report", str(report), "--region", "haishu", "--year", "2020", "--data", str(data),
                 "-o", str(tmp_path / "r.xlsx")])
    err = capsys.readouterr().err
    assert code == 1 and "refused" in err and found in err and str(report) in err
    assert not (tmp_path / "r.xlsx").exists() and folder_digest(data) == before


def test_a_drafted_indicator_no_candidate_keeps_is_reported(drafted):
    """The reviewer gave a new indicator's candidates an existing code but left its drafted row: accept says
    to delete it instead of adding a codebook row nothing uses (later drafts would suggest it)."""
    data, book = drafted
    review = read_review(book)
    wb = openpyxl.load_workbook(book)
    new, hn = wb["new_indicators"], review.header_rows["new_indicators"]
    code = _cell(new, hn, hn + 1, "indicator").value
    unit = _cell(new, hn, hn + 1, "unit_std").value
    cand, h = wb["candidates"], review.header_rows["candidates"]
    known = next(r["indicator"] for r in csv.DictReader(open(data / "indicators.csv", encoding="utf-8"))
                 if r["unit_std"] == unit)
    moved = [r for r in range(h + 1, cand.max_row + 1) if _cell(cand, h, r, "indicator").value == code]
    assert moved
    for r in moved:
        _cell(cand, h, r, "indicator").value = known
    wb.save(book)
    before = folder_digest(data)
    with pytest.raises(AcceptError) as err:
        accept(book, data=data)
    assert str(err.value).count("no candidate row has it") == 1
    assert f"sheet 'new_indicators', row {hn + 1}, column 'indicator': value {code!r}" in str(err.value)
    assert folder_digest(data) == before


def test_cells_a_spreadsheet_changed_are_reported_as_import_xlsx_reports_them(drafted):
    """A formula, a date where text was typed (Excel turns 3-1 into a date), a code typed as a number and a
    date with a time of day are refused, as import-xlsx refuses them, instead of being stored converted."""
    import datetime as dt

    data, book = drafted
    review = read_review(book)
    wb = openpyxl.load_workbook(book)
    cand, h = wb["candidates"], review.header_rows["candidates"]
    _cell(cand, h, h + 1, "value").value = "=2*3"
    _cell(cand, h, h + 2, "note").value = dt.datetime(2026, 3, 1)
    src, hs = wb["source"], review.header_rows["source"]
    fields = {src.cell(row=r, column=1).value: r for r in range(hs + 1, src.max_row + 1)}
    src.cell(row=fields["published"], column=2).value = dt.datetime(2020, 2, 3, 9, 30)
    src.cell(row=fields["issuer_zh"], column=2).value = 330282
    wb.save(book)
    text = _refused(data, book)
    assert f"sheet 'candidates', row {h + 1}, column 'value': value '=2*3': expected a value, found the formula" in text
    assert f"sheet 'candidates', row {h + 2}, column 'note': value '2026-03-01': expected text or a number, found a date" in text
    assert f"sheet 'source', row {fields['published']}, column 'value': value '2020-02-03': expected a date without a time" in text
    assert f"sheet 'source', row {fields['issuer_zh']}, column 'value': value '330282': expected text, found a number" in text
    assert text.count(f"row {fields['issuer_zh']},") == 1 and text.count(f"row {h + 1},") == 1  # once, as read


def test_the_draft_writes_text_columns_as_text(drafted):
    """What the reviewer types into a text column stays text: the columns are formatted as Text, and a code
    drafted as a number is written as text (read back, an unedited draft has no cell problem)."""
    data, book = drafted
    review = read_review(book, column_types(check(data, accounting=False).registry))
    assert review.problems == []
    wb = openpyxl.load_workbook(book)
    cand, h = wb["candidates"], review.header_rows["candidates"]
    names = [c.value for c in cand[h]]
    assert cand.column_dimensions[openpyxl.utils.get_column_letter(names.index("note") + 1)].number_format == "@"
    assert cand.column_dimensions[openpyxl.utils.get_column_letter(names.index("value") + 1)].number_format != "@"


def test_a_sheet_whose_help_lines_were_deleted_is_read_by_its_header(drafted):
    """The header is found by its column names, so deleting a sheet's help lines (or the blank row under
    them) changes nothing: the review is read as the unedited one is."""
    data, book = drafted

    def outcome(path):
        try:
            return accept(path, data=data, dry_run=True).rows
        except AcceptError as err:
            return str(err)

    want = outcome(book)
    wb = openpyxl.load_workbook(book)
    header = read_review(book).header_rows
    wb["candidates"].delete_rows(1, header["candidates"] - 1)  # the help lines and the blank row
    wb["exclusions"].delete_rows(header["exclusions"] - 1)  # the blank row only
    edited = book.with_name("edited.xlsx")
    wb.save(edited)
    assert outcome(edited) == want


def test_an_unaccounted_number_comes_in_the_same_report_as_other_problems(drafted):
    """A candidate deleted (its number now unaccounted for) and another's status mistyped: both at once, in
    the workbook's order; with a value mistyped too, the accounting waits, and the report says so."""
    data, book = drafted
    review = read_review(book)
    wb = openpyxl.load_workbook(book)
    cand, h = wb["candidates"], review.header_rows["candidates"]
    _cell(cand, h, h + 3, "status").value = "maybe"
    cand.delete_rows(h + 1)
    wb.save(book)
    with pytest.raises(AcceptError) as err:
        accept(book, data=data)
    lines = err.value.problems
    assert any("[unaccounted_number]" in x for x in lines) and any("'maybe'" in x for x in lines)
    sheets = [re.match(r"sheet '(\w+)'", x).group(1) for x in lines]
    assert sheets == sorted(sheets, key=["candidates", "exclusions"].index)  # the workbook's order
    assert err.value.notes == []
    _cell(cand, h, h + 1, "value").value = 123456789
    wb.save(book)
    with pytest.raises(AcceptError) as err:
        accept(book, data=data)
    assert not any("[unaccounted_number]" in x for x in err.value.problems)
    assert "the accounting of every number" in str(err.value) and "sheet candidates" in str(err.value)


def test_a_new_code_renamed_on_its_sheet_only_is_pointed_out(drafted):
    """Renaming a drafted code on the new_indicators sheet but not on its candidates: the unused row's
    problem names the candidate rows that still have the old code."""
    data, book = drafted
    review = read_review(book)
    wb = openpyxl.load_workbook(book)
    new, hn = wb["new_indicators"], review.header_rows["new_indicators"]
    old = _cell(new, hn, hn + 1, "indicator").value
    _cell(new, hn, hn + 1, "indicator").value = "my_better_code"
    cand, h = wb["candidates"], review.header_rows["candidates"]
    rows = [r for r in range(h + 1, cand.max_row + 1) if _cell(cand, h, r, "indicator").value == old]
    wb.save(book)
    text = _refused(data, book)
    assert "value 'my_better_code'" in text and f"still have {old!r}" in text
    assert f"row{'s' * (len(rows) > 1)} {', '.join(map(str, rows))} still have" in text


def test_a_different_file_of_the_drafted_name_in_raw_is_not_written_over(tmp_path):
    """A researcher keeps the report in data/raw/ and corrects it after drafting: accept refuses the workbook
    (whose text is the one drafted) instead of writing the drafted bytes over the corrected file; the file
    as drafted is accepted."""
    data = copy_data(tmp_path)
    name, region, year = REPORTS[0]
    kept = data / "raw" / name
    kept.write_bytes((FOLDER / name).read_bytes())
    book = tmp_path / "review.xlsx"
    d = draft(kept, region=region, year=year, data=data)
    assert not any("problem" in w for w in d.warnings)  # the report itself is not one of the data's problems
    assert any(w.startswith(f"{name} is in data/raw/ already") for w in d.warnings)
    write_workbook(d, book)
    kept.write_bytes(kept.read_bytes() + b"\n")  # corrected after drafting
    text = _refused(data, book)
    assert f"(field 'file_name'): value {name!r}" in text and "draft it again with add-report" in text
    kept.write_bytes((FOLDER / name).read_bytes())  # as drafted: accepted
    accept(book, data=data)
    assert kept.read_bytes() == (FOLDER / name).read_bytes() and check(data).problems == []
