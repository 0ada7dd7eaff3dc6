"""Bad inputs across the project: each gives a clear error and a non-zero exit, and leaves earlier outputs intact.

Every case starts from a small valid data folder (``tests/exportdata.py``) and
a workbook exported from it earlier, breaks one thing, runs the command line
and checks three things:

* the exit code is non-zero;
* the report names the place (file and line, or sheet, row and column), the
  value and what was expected;
* every earlier output is byte-for-byte as it was, with no temporary file left
  behind (the earlier workbook for data cases, the CSV files for workbook cases).

The cases are listed in ``README.md`` next to this file; a test keeps the count
stated there equal to the number of cases here.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import openpyxl
import pytest

from cityscience.cli import main
from cityscience.export.workbook import workbook_bytes
from exportdata import make_export_data, refresh_checksum
from minidata import REAL_DATA, read_rows, set_cell, write_csv

OBS = "observations/demo.csv"
SHOWN = "data/observations/demo.csv"
HERE = Path(__file__).parent


# --- helpers that break one thing ------------------------------------------------------------------


def cell(rel: str, line: int, column: str, value: str) -> Callable[[Path], None]:
    return lambda data: set_cell(data / rel, line, column, value)


def cells(*changes: tuple[str, int, str, str]) -> Callable[[Path], None]:
    def apply(data: Path) -> None:
        for rel, line, column, value in changes:
            set_cell(data / rel, line, column, value)
    return apply


def text(rel: str, change: Callable[[str], str]) -> Callable[[Path], None]:
    def apply(data: Path) -> None:
        path = data / rel
        path.write_text(change(path.read_text(encoding="utf-8")), encoding="utf-8", newline="")
    return apply


def raw_bytes(rel: str, change: Callable[[bytes], bytes]) -> Callable[[Path], None]:
    def apply(data: Path) -> None:
        path = data / rel
        path.write_bytes(change(path.read_bytes()))
    return apply


def header(rel: str, change: Callable[[list[list[str]]], list[list[str]]]) -> Callable[[Path], None]:
    def apply(data: Path) -> None:
        write_csv(data / rel, change(read_rows(data / rel)))
    return apply


def drop_column(name: str):
    def change(rows):
        i = rows[0].index(name)
        return [r[:i] + r[i + 1:] for r in rows]
    return change


def then(*steps: Callable[[Path], None]) -> Callable[[Path], None]:
    def apply(data: Path) -> None:
        for step in steps:
            step(data)
    return apply


def raw_text(change: Callable[[str], str]) -> Callable[[Path], None]:
    """Change the raw document's text and store its new checksum (so only the text itself is wrong)."""
    return then(text("raw/demo.txt", change), refresh_checksum)


# Text in other languages, for bytes mistaken for Chinese in another encoding.
JAPANESE = ("東京都は本年度、科学技術分野の研究開発予算を前年度に比べて大幅に増やし、先端産業の育成と人材の確保に"
            "向けた様々な政策を推進しました。特に大学と企業の連携を強化し、新しい技術の実用化を促進しています。\n") * 3
KOREAN = ("서울특별시는 올해 과학기술 분야 연구개발 예산을 전년 대비 크게 늘리고, 첨단산업 육성과 인재 양성을 위한 "
          "다양한 정책을 추진하였습니다. 특히 대학과 기업의 협력을 강화하여 새로운 기술의 상용화를 촉진하고 "
          "있습니다.\n") * 3
TRADITIONAL = ("示例市科技局2014年工作總結\n一是創新能力提升。預計全社會研發投入可達185億元,佔GDP比例達2.35%;"
               "發明專利申請量達12957件,同比增長32.1%。組織兩場科技成果拍賣會。\n") * 3


def rename_source(data: Path) -> None:
    """An observations file for a source that sources.csv does not define."""
    rows = read_rows(data / OBS)
    for r in rows[1:]:
        r[1] = "other"
    write_csv(data / "observations" / "other.csv", rows)
    (data / OBS).unlink()


# --- malformed CSVs, unknown references, impossible values, tampered documents ----------------------


@dataclass(frozen=True)
class DataCase:
    """A broken data folder: ``validate`` and ``export xlsx`` must both refuse it."""

    name: str
    breaks: Callable[[Path], None]
    expect: tuple[str, ...]
    commands: tuple[str, ...] = ("validate", "export")


DATA_CASES = [
    DataCase("csv-delimiter-semicolon", text(OBS, lambda t: t.replace(",", ";")),
             (f"{SHOWN}:1", "expected comma-separated columns, but the header is separated by ';'")),
    DataCase("csv-delimiter-tab", text(OBS, lambda t: t.replace(",", "\t")),
             (f"{SHOWN}:1", "separated by '\\t'")),
    DataCase("csv-missing-column", header(OBS, drop_column("unit")),
             (f"{SHOWN}:1: column 'unit': expected a column 'unit' in the header [missing_column]",)),
    DataCase("csv-optional-column-missing", header(OBS, drop_column("note")),
             (f"{SHOWN}:1: column 'note': expected a column 'note' in the header [missing_column]",)),
    DataCase("csv-extra-column", header(OBS, lambda rows: [r + ["x"] for r in rows[:1]] + [r + [""] for r in rows[1:]]),
             (f"{SHOWN}:1: column 'x': value 'x': expected only the columns obs_id,", "[extra_column]")),
    DataCase("csv-duplicated-column", header(OBS, lambda rows: [r + [r[3]] for r in rows]),
             (f"{SHOWN}:1: column 'year': value 'year': expected each column once [duplicate_column]",)),
    DataCase("csv-bom", raw_bytes(OBS, lambda b: b"\xef\xbb\xbf" + b),
             (f"{SHOWN}: expected UTF-8 without a byte-order mark, but found UTF-8 with BOM [bom]",)),
    DataCase("csv-bom-and-crlf", raw_bytes(OBS, lambda b: b"\xef\xbb\xbf" + b.replace(b"\n", b"\r\n")),
             (f"{SHOWN}: expected UTF-8 without a byte-order mark, but found UTF-8 with BOM [bom]",
              f"{SHOWN}:1: expected LF line ends, but found CR (Windows CRLF or old Mac) [line_ends]")),
    DataCase("csv-gbk-encoding", raw_bytes(OBS, lambda b: b.decode("utf-8").encode("gbk")),
             (f"{SHOWN}:2: value", "expected UTF-8 text, but the bytes look like GB18030 [encoding]")),
    DataCase("csv-crlf", raw_bytes(OBS, lambda b: b.replace(b"\n", b"\r\n")),
             (f"{SHOWN}:1: expected LF line ends, but found CR (Windows CRLF or old Mac) [line_ends]",)),
    DataCase("csv-empty-file", raw_bytes(OBS, lambda b: b""),
             (f"{SHOWN}: expected a header row (obs_id,source_id,", "[empty_file]")),
    DataCase("csv-blank-lines-only", raw_bytes(OBS, lambda b: b"\n\n"),
             (f"{SHOWN}: expected a header row", "[empty_file]")),
    DataCase("csv-short-row", text(OBS, lambda t: t + "t-010,demo,ningbo\n"),
             (f"{SHOWN}:11: value 't-010,demo,ningbo': expected 15 fields like the header, found 3 [field_count]",)),
    DataCase("csv-unterminated-quote", text(OBS, lambda t: t + 't-010,demo,"ningbo\n'),
             (f"{SHOWN}:11: expected well-formed CSV (unexpected end of data) [csv_syntax]",)),
    DataCase("value-not-a-number", cell(OBS, 2, "value", "18五"),
             (f"{SHOWN}:2: column 'value': value '18五': expected a decimal number written with ASCII digits",)),
    DataCase("value-nan", cell(OBS, 3, "value", "NaN"),
             (f"{SHOWN}:3: column 'value': value 'NaN': expected a decimal number written with ASCII digits",)),
    DataCase("value-infinite", cell(OBS, 3, "value", "inf"),
             (f"{SHOWN}:3: column 'value': value 'inf': expected a decimal number written with ASCII digits",)),
    DataCase("value-thousands-separator", cell(OBS, 4, "value", "12,957"),
             (f"{SHOWN}:4: column 'value': value '12,957': expected a decimal number written with ASCII digits",)),
    DataCase("value-empty", cell(OBS, 4, "value", ""),
             (f"{SHOWN}:4: column 'value': value '': expected a value (the column is required) [required]",)),
    DataCase("unknown-unit", cell(OBS, 4, "unit", "箱"),
             (f"{SHOWN}:4: column 'unit': value '箱': expected a unit defined in codebook/units.csv",)),
    DataCase("unknown-region", cell(OBS, 2, "region", "shanghai"),
             (f"{SHOWN}:2: column 'region': value 'shanghai': expected one of cixi, haishu, hangzhou, ningbo",)),
    DataCase("unknown-indicator", cell(OBS, 3, "indicator", "rd_magic"),
             (f"{SHOWN}:3: column 'indicator': value 'rd_magic': expected one of", "(indicators.indicator)")),
    DataCase("unknown-source", rename_source,
             ("data/observations/other.csv: value 'other.csv': expected a file named after a source_id of sources.csv "
              "(<source_id>.csv): no source is called 'other': add its row to sources.csv, or remove the file if it "
              "is a copy (its rows are not read) [stray_file]",)),
    DataCase("source-id-not-the-file-name", cell(OBS, 5, "source_id", "elsewhere"),
             (f"{SHOWN}:5: column 'source_id': value 'elsewhere': expected 'demo', the name of the file it is in",)),
    DataCase("negative-count", cell(OBS, 6, "value", "-2"),
             (f"{SHOWN}:6: column 'value': value '-2': expected a non-negative count amount [negative_value]",)),
    DataCase("year-too-early", cell(OBS, 2, "year", "1850"),
             (f"{SHOWN}:2: column 'year': value '1850': expected a year between 1949 and 2100 [year_range]",)),
    DataCase("year-too-late", cell(OBS, 10, "year", "2101"),
             (f"{SHOWN}:10: column 'year': value '2101': expected a year between 1949 and 2100 [year_range]",)),
    DataCase("year-not-whole", cell(OBS, 2, "year", "2014.0"),
             (f"{SHOWN}:2: column 'year': value '2014.0': expected a whole number written with ASCII digits [dtype]",)),
    DataCase("evidence-not-in-source", cell(OBS, 2, "evidence", "预计全社会研发投入可达186亿元"),
             (f"{SHOWN}:2: column 'evidence': value '预计全社会研发投入可达186亿元': expected an exact substring "
              "of the raw document of demo [evidence_not_found]",)),
    DataCase("evidence-in-traditional-characters", cell(OBS, 2, "evidence", "預計全社會研發投入可達185億元"),
             (f"{SHOWN}:2: column 'evidence'", "it matches only after normalization",
              "store '预计全社会研发投入可达185亿元'")),
    DataCase("value-not-in-evidence", cell(OBS, 4, "value", "12958"),
             (f"{SHOWN}:4: column 'value': value '12958': expected a number stated in the evidence "
              "(it states 12957)",)),
    DataCase("value-of-another-quantity", cell(OBS, 5, "value", "12957"),
             (f"{SHOWN}:5: column 'value': value '12957': expected a value in % (the unit of the row); the evidence "
              "writes 12957件, which is in count: another quantity of the sentence? [unit_not_written]",)),
    DataCase("unit-of-wrong-kind", cell(OBS, 3, "unit", "件"),
             (f"{SHOWN}:3: column 'unit': value '件': expected a unit in percent (indicator rd_intensity_gdp is "
              "in percent); 件 is in count [unit_mismatch]",)),
    DataCase("share-above-100", cells((OBS, 3, "value", "235"), (OBS, 3, "evidence", "占GDP比例达2.35%")),
             (f"{SHOWN}:3: column 'value': value '235': expected a share between 0 and 100 percent",)),
    DataCase("year-not-covered-by-its-document", cell(OBS, 2, "year", "2041"),
             (f"{SHOWN}:2: column 'year': value '2041': expected one of the years demo covers (2014, 2015, 2020), "
              "or the year added to its years_covered in sources.csv [year_range]",)),
    DataCase("years-covered-malformed", cell("sources.csv", 2, "years_covered", "2014,2015"),
             ("data/sources.csv:2: column 'years_covered': value '2014,2015': expected text matching the pattern "
              "\\d{4}(;\\d{4})* [pattern]",)),
    DataCase("sha256-malformed", cell("sources.csv", 2, "sha256", "see file"),
             ("data/sources.csv:2: column 'sha256': value 'see file': expected text matching the pattern "
              "[0-9a-f]{64} [pattern]",)),
    DataCase("region-colour-taken", cell("regions.csv", 3, "color", "#0072b2"),
             ("data/regions.csv:3: column 'color': value '#0072b2': expected a colour no other region has "
              "(also on line 2) [duplicate_key]",)),
    DataCase("raw-document-no-source-names", lambda data: (data / "raw" / "new-report.txt").write_text("x\n"),
             ("data/raw/new-report.txt: value 'new-report.txt': expected a file named in the file_name column of "
              "data/sources.csv (no source names this one, so nothing checks or reads it) [stray_file]",)),
    DataCase("codebook-pattern-broken", text("codebook/columns.csv", lambda t: t.replace(
                 "re:[a-z0-9][a-z0-9_-]{0,63}", "re:[a-z0-9][a-z0-9_-{0,63}", 1)),
             ("data/codebook/columns.csv:2: column 'allowed': value 're:[a-z0-9][a-z0-9_-{0,63}': expected a valid "
              "regular expression after 're:' (",)),
    DataCase("observations-file-copied", lambda data: (data / "observations" / "demo (1).csv").write_bytes(
                 (data / OBS).read_bytes()),
             ("data/observations/demo (1).csv: value 'demo (1).csv': expected a file named after a source_id of "
              "sources.csv (<source_id>.csv): no source is called 'demo (1)': add its row to sources.csv, or remove the file if it is a copy (its rows are not read) "
              "[stray_file]",)),
    DataCase("codebook-file-with-bom", raw_bytes("codebook/columns.csv", lambda b: b"\xef\xbb\xbf" + b),
             ("data/codebook/columns.csv: expected UTF-8 without a byte-order mark, but found UTF-8 with BOM "
              "[bom]\n1 problem ",)),
    DataCase("vocabularies-with-bom", raw_bytes("codebook/vocabularies.csv", lambda b: b"\xef\xbb\xbf" + b),
             ("data/codebook/vocabularies.csv: expected UTF-8 without a byte-order mark, but found UTF-8 with BOM "
              "[bom]\n1 problem ",), ("validate",)),
    DataCase("vocabularies-in-gbk", raw_bytes("codebook/vocabularies.csv", lambda b: b.decode("utf-8").encode("gbk")),
             ("data/codebook/vocabularies.csv:", "expected UTF-8 text, but the bytes look like GB18030 [encoding]",
              "note: the checks across tables (units, observations against their evidence and "
              "indicators, policy items, the accounting of every number) were not run: they read vocabularies"),
             ("validate",)),
    DataCase("duplicate-obs-id", cell(OBS, 3, "obs_id", "t-001"),
             (f"{SHOWN}:3: column 'obs_id': value 't-001': expected a unique obs_id (also on line 2)",)),
    DataCase("status-not-in-vocabulary", cell(OBS, 2, "status", "guess"),
             (f"{SHOWN}:2: column 'status': value 'guess': expected one of actual, estimate, target",)),
    DataCase("leading-space", cell(OBS, 5, "label_zh", " 发明专利申请量"),
             (f"{SHOWN}:5: column 'label_zh': value ' 发明专利申请量': expected no leading or trailing spaces",)),
    DataCase("range-without-upper-end", cell(OBS, 9, "value_high", ""),
             (f"{SHOWN}:9: column 'value_high': value '': expected the upper end of the range",)),
    DataCase("range-upper-below-lower", cells((OBS, 9, "value", "10"), (OBS, 9, "value_high", "5")),
             (f"{SHOWN}:9: column 'value_high': value '5': expected a number above value 10 [range]",)),
    DataCase("source-date-malformed", cell("sources.csv", 2, "published", "2015/04/14"),
             ("data/sources.csv:2: column 'published': value '2015/04/14': expected a real calendar date written "
              "YYYY-MM-DD [dtype]",)),
    DataCase("source-date-impossible", cell("sources.csv", 2, "published", "2015-02-30"),
             ("data/sources.csv:2: column 'published': value '2015-02-30': expected a real calendar date written "
              "YYYY-MM-DD [dtype]",)),
    DataCase("control-character-in-a-cell", cell(OBS, 7, "note", "bad\x01char"),
             (f"{SHOWN}:7: column 'note': value 'bad\\x01char': expected one line of text without tabs or line "
              "breaks: no control characters (found U+0001 at character 4) [control_character]",)),
    DataCase("division-code-not-six-digits", cell("regions.csv", 4, "division_code", "33028"),
             ("data/regions.csv:4: column 'division_code': value '33028': expected text matching the pattern "
              "\\d{6} [pattern]",)),
    DataCase("region-duplicated", text("regions.csv", lambda t: t + t.splitlines(keepends=True)[1]),
             (f"data/regions.csv:{len(read_rows(REAL_DATA / 'regions.csv')) + 1}: column 'region': value "
              "'ningbo': expected a unique region (also on line 2)",)),
    DataCase("indicator-category-unknown", cell("indicators.csv", 2, "category", "magic"),
             ("data/indicators.csv:2: column 'category': value 'magic': expected one of", "(vocab:category)")),
    DataCase("indicator-group-unknown", cell("indicators.csv", 2, "group", "loans"),
             ("data/indicators.csv:2: column 'group': value 'loans': expected one of", "(vocab:group)")),
    DataCase("finance-indicator-without-group", cell("indicators.csv", 5, "category", "finance"),
             ("data/indicators.csv:5: column 'group': value '': expected a group of category finance (",
              "every indicator of a category with groups has one [group_category]")),
    DataCase("unit-factor-negative", cell("codebook/units.csv", 2, "factor", "-1"),
             ("data/codebook/units.csv:2: column 'factor': value '-1': expected a positive factor",)),
    DataCase("exclusion-regex-broken", text("exclusions.csv", lambda t: t + "demo,regex,([,date_time,\n"),
             ("data/exclusions.csv:5: column 'match': value '([': expected a valid regular expression",)),
    DataCase("exclusion-stale", text("exclusions.csv", lambda t: t + "demo,literal,不存在的文字,date_time,\n"),
             ("data/exclusions.csv:5: column 'match': value '不存在的文字': expected a text or pattern that covers "
              "a number in its document(s) (stale exclusion)",)),
    DataCase("table-file-missing", lambda data: (data / "regions.csv").unlink(),
             ("data/regions.csv: expected the file to exist [missing_file]",)),
    DataCase("raw-document-tampered", text("raw/demo.txt", lambda t: t.replace("12957", "12958")),
             ("data/raw/demo.txt: column 'sha256': value", "from data/sources.csv:2 (the raw file was altered, or that digest was edited) [checksum]")),
    DataCase("raw-document-tampered-checksum-updated",
             then(text("raw/demo.txt", lambda t: t.replace("12957", "12958")), refresh_checksum),
             (f"{SHOWN}:4: column 'evidence': value '发明专利申请量达12957件': expected an exact substring of the raw "
              "document of demo [evidence_not_found]",)),
    DataCase("raw-document-missing", lambda data: (data / "raw" / "demo.txt").unlink(),
             ("data/sources.csv:2: column 'file_name': value 'demo.txt': expected a file of that name in "
              "data/raw/ [missing_file]",)),
    DataCase("raw-document-gbk", raw_bytes("raw/demo.txt", lambda b: b.decode("utf-8").encode("gbk")),
             ("data/raw/demo.txt:1: value", "expected UTF-8 text, but the bytes look like GB18030 [encoding]")),
    DataCase("raw-document-bom", then(raw_bytes("raw/demo.txt", lambda b: b"\xef\xbb\xbf" + b), refresh_checksum),
             ("data/raw/demo.txt: expected UTF-8 without a byte-order mark, but found UTF-8 with BOM",)),
    DataCase("raw-document-new-number", then(text("raw/demo.txt", lambda t: t + "新建实验室8家。\n"),
                                             refresh_checksum),
             ("data/raw/demo.txt:5: value '8': expected an observation or an exclusion for this number (…",
              "in demo [unaccounted_number]"),
             commands=("validate",)),
    # numbers that are not written as the tables write numbers (ASCII, no exponent, no leading zero)
    DataCase("value-full-width-digits", cell(OBS, 2, "value", "１８５"),
             (f"{SHOWN}:2: column 'value': value '１８５': expected a decimal number written with ASCII digits",
              "(it holds non-ASCII digits: write 185) [dtype]")),
    DataCase("value-arabic-indic-digits", cell(OBS, 2, "value", "١٨٥"),
             (f"{SHOWN}:2: column 'value': value '١٨٥'", "write 185")),
    DataCase("value-exponent", cell(OBS, 2, "value", "1.85e2"),
             (f"{SHOWN}:2: column 'value': value '1.85e2'", "(no exponent: write the number out) [dtype]")),
    DataCase("value-leading-zero", cell(OBS, 2, "value", "0185"),
             (f"{SHOWN}:2: column 'value': value '0185'", "(no leading zero) [dtype]")),
    DataCase("value-trailing-point", cell(OBS, 2, "value", "185."),
             (f"{SHOWN}:2: column 'value': value '185.'", "(no trailing decimal point) [dtype]")),
    DataCase("value-almost-stated", cell(OBS, 2, "value", "185.0000000001"),
             (f"{SHOWN}:2: column 'value': value '185.0000000001': expected a number stated in the evidence",
              "[value_not_in_evidence]")),
    DataCase("year-full-width", cell(OBS, 2, "year", "２０１４"),
             (f"{SHOWN}:2: column 'year': value '２０１４': expected a whole number written with ASCII digits",
              "write 2014")),
    # cells a workbook cannot hold, and control characters
    DataCase("cell-too-long", cell(OBS, 7, "note", "长" * 40_000),
             (f"{SHOWN}:7: column 'note'", "expected at most 32,767 characters (what a spreadsheet cell holds), "
              "found 40,000 [too_long]")),
    DataCase("line-feed-in-a-cell", cell(OBS, 7, "note", "two\nlines"),
             (f"{SHOWN}:7: column 'note'", "(found U+000A at character 4) [control_character]")),
    DataCase("tab-in-a-cell", cell(OBS, 7, "label_zh", "全社会\t研发投入"),
             (f"{SHOWN}:7: column 'label_zh'", "(found U+0009 at character 4) [control_character]")),
    DataCase("carriage-return-in-a-cell", cell(OBS, 7, "note", "x\ry"),
             (f"{SHOWN}:7: expected LF line ends, but found CR (Windows CRLF or old Mac) [line_ends]",)),
    # names that could become paths
    DataCase("raw-file-name-escapes", cell("sources.csv", 2, "file_name", "../regions.csv"),
             ("data/sources.csv:2: column 'file_name': value '../regions.csv': expected text matching the pattern",
              "[pattern]")),
    DataCase("raw-file-name-absolute", cell("sources.csv", 2, "file_name", "/etc/passwd"),
             ("data/sources.csv:2: column 'file_name': value '/etc/passwd': expected text matching the pattern",)),
    DataCase("raw-file-is-a-link-out", then(lambda data: (data / "raw" / "out.txt").symlink_to("/etc/hostname"),
                                             cell("sources.csv", 2, "file_name", "out.txt")),
             ("data/sources.csv:2: column 'file_name': value 'out.txt': expected a file inside data/raw/ (the name "
              "leads outside it) [path_escape]",)),
    DataCase("raw-file-is-a-device", then(lambda data: (data / "raw" / "zero.txt").symlink_to("/dev/zero"),
                                           cell("sources.csv", 2, "file_name", "zero.txt")),
             ("[path_escape]",)),
    DataCase("source-id-with-a-slash", cell("sources.csv", 2, "source_id", "demo/../x"),
             ("data/sources.csv:2: column 'source_id': value 'demo/../x': expected text matching the pattern",)),
    DataCase("region-code-with-a-slash", cells(("regions.csv", 2, "region", "a/../b")),
             ("data/regions.csv:2: column 'region': value 'a/../b': expected text matching the pattern",)),
    DataCase("a-folder-where-a-table-should-be", lambda data: ((data / "regions.csv").unlink(),
                                                               (data / "regions.csv").mkdir()),
             ("data/regions.csv: expected a file, but found a folder [not_a_file]",)),
    DataCase("a-folder-where-a-raw-document-should-be", lambda data: ((data / "raw" / "demo.txt").unlink(),
                                                                      (data / "raw" / "demo.txt").mkdir()),
             ("data/raw/demo.txt: expected a raw document, but found a folder [not_a_file]",)),
    DataCase("table-too-large", raw_bytes(OBS, lambda b: b + b"x" * 20_000_001),
             (f"{SHOWN}: expected a file of at most 20,000,000 bytes (it is larger) [too_large]",)),
    # curated patterns that would hang validation
    DataCase("exclusion-regex-nested-quantifiers",
             then(text("raw/demo.txt", lambda t: t + "a" * 40 + "!\n"), refresh_checksum,
                  text("exclusions.csv", lambda t: t + "demo,regex,(a|aa)+$,date_time,\n")),
             ("data/exclusions.csv:5: column 'match': value '(a|aa)+$': expected a pattern that searches a document "
              "in under 2 s", "[regex_too_slow]")),
    # raw documents that are not plausible Chinese text, or hold control characters (each with line and column)
    DataCase("raw-document-nul", raw_text(lambda t: t.replace("二是", "二是\0", 1)),
             ("data/raw/demo.txt:3: expected text without control characters, but found U+0000 at column 3 "
              "[control_character]",)),
    DataCase("raw-document-escape-character", raw_text(lambda t: t.replace("一是", "\x1b一是", 1)),
             ("data/raw/demo.txt:2: expected text without control characters, but found U+001B at column 1",)),
    DataCase("raw-document-form-feed", raw_text(lambda t: t.replace("\n", "\x0c\n", 1)),
             ("data/raw/demo.txt:1: expected text without control characters, but found U+000C at column 16",)),
    DataCase("raw-document-private-use", raw_text(lambda t: t.replace("二是", "\ue000二是", 1)),
             ("data/raw/demo.txt: expected Chinese text, but decoded as UTF-8 it holds 1 private-use, unassigned or "
              "replacement character (the first at line 3, column 1: U+E000)", "[implausible_text]")),
    DataCase("raw-document-gbk-read-as-latin-1",
             raw_text(lambda t: t.encode("gb18030").decode("latin-1")),
             ("data/raw/demo.txt: expected Chinese text, but decoded as UTF-8 only 0% of its", "letters are Chinese "
              "characters (expected at least 50%)", "[implausible_text]")),
    DataCase("raw-document-utf8-read-as-cp1252",
             raw_text(lambda t: t.encode("utf-8").decode("cp1252", errors="replace")),
             ("data/raw/demo.txt: expected Chinese text, but decoded as UTF-8 it holds", "replacement character",
              "[implausible_text]")),
    DataCase("raw-document-shift-jis-read-as-gb18030",
             raw_text(lambda t: JAPANESE.encode("shift_jis").decode("gb18030")),
             ("data/raw/demo.txt: expected Chinese text, but decoded as UTF-8 only 26% of its 297 Chinese "
              "characters are common ones (expected at least 80%)",)),
    DataCase("raw-document-euc-kr-read-as-gb18030",
             raw_text(lambda t: KOREAN.encode("euc_kr").decode("gb18030")),
             ("data/raw/demo.txt: expected Chinese text, but decoded as UTF-8 only 1.1% of its 270 Chinese "
              "characters are among the 100 most frequent (expected at least 5%",)),
    DataCase("raw-document-big5-read-as-gb18030",
             raw_text(lambda t: TRADITIONAL.encode("big5").decode("gb18030")),
             ("data/raw/demo.txt: expected Chinese text, but decoded as UTF-8 it holds", "private-use",)),
    # one broken table: its real problem, then one line for what follows from it
    DataCase("follow-on-problems-summarized", raw_bytes("sources.csv", lambda b: b.replace(b",", b";")),
             ("data/sources.csv:1", "separated by ';'",
              "references into sources that can be checked once data/sources.csv can be read", "[follow_on]")),
]


@pytest.fixture(scope="module")
def earlier_book(tmp_path_factory) -> bytes:
    """The workbook a policy writer exported before the data broke (same for every case)."""
    data = make_export_data(tmp_path_factory.mktemp("earlier"))
    return workbook_bytes(data, "zh")


def _folder_state(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


@pytest.mark.parametrize("case", DATA_CASES, ids=[c.name for c in DATA_CASES])
def test_bad_data(case: DataCase, tmp_path, earlier_book, capsys):
    data = make_export_data(tmp_path)
    out = tmp_path / "exports" / "cityscience-zh.xlsx"
    out.parent.mkdir()
    out.write_bytes(earlier_book)
    case.breaks(data)
    runs = {"validate": ["validate", "--data", str(data)],
            "export": ["export", "xlsx", "--data", str(data), "-o", str(out), "--no-figures"]}
    for command in case.commands:
        code = main(runs[command])
        err = capsys.readouterr().err
        assert code == 1, f"{command}: exit {code}\n{err}"
        for fragment in case.expect:
            assert fragment in err, f"{command}: {fragment!r} not in:\n{err}"
    assert _folder_state(out.parent) == {"cityscience-zh.xlsx": earlier_book}


# --- malformed workbooks given to import-xlsx -------------------------------------------------------


def _ws(wb, *names):
    return wb[next(n for n in names if n in wb.sheetnames)]


def _col(ws, label):
    return next(c.column for c in ws[1] if c.value == label)


def _row(ws, obs_id):
    return next(r for r in range(2, ws.max_row + 1) if ws.cell(r, 1).value == obs_id)


def edit(change: Callable[[openpyxl.Workbook], None]) -> Callable[[Path], None]:
    def apply(path: Path) -> None:
        wb = openpyxl.load_workbook(path)
        change(wb)
        wb.save(path)
    return apply


def set_obs(obs_id: str, label: str, value, data_type: str | None = None):
    def change(wb):
        ws = wb["观测值"]
        c = ws.cell(_row(ws, obs_id), _col(ws, label))
        c.value = value
        if data_type:
            c.data_type = data_type
    return change


def new_obs(**values):
    from cityscience.export.labels import column_label

    labels = {c: column_label(c, "zh", "observations") for c in values}  # the headers the export writes

    def change(wb):
        ws = wb["观测值"]
        r = ws.max_row + 1
        for key, value in values.items():
            ws.cell(r, _col(ws, labels[key])).value = value
    return change


_GOOD_NEW = dict(obs_id="t-010", source_id="demo", region="ningbo", year=2015, indicator="tech_auctions",
                 label_zh="科技成果拍卖会", measure="level", status="target", qualifier="exact", value=2, unit="场",
                 evidence="组织两场科技成果拍卖会")


@dataclass(frozen=True)
class BookCase:
    """A broken workbook: ``import-xlsx`` must refuse it and change no CSV file."""

    name: str
    breaks: Callable[[Path], None]
    expect: tuple[str, ...]


def _delete_sheet(wb):
    del wb["来源"]


def _rename_header(wb):
    ws = wb["观测值"]
    ws.cell(1, _col(ws, "数值")).value = "数值(亿元)"


def _merge(wb):
    wb["观测值"].merge_cells("S3:S4")


def _drop_column(wb):
    wb["观测值"].delete_cols(_col(wb["观测值"], "备注"))


def _duplicate_header(wb):
    ws = wb["观测值"]
    ws.cell(1, ws.max_column + 1).value = "年份"


def _duplicate_row(wb):
    ws = wb["观测值"]
    r = ws.max_row + 1
    for c in range(1, ws.max_column + 1):
        ws.cell(r, c).value = ws.cell(3, c).value


def _typed_code(wb):
    ws = wb["地区"]
    ws.cell(next(r for r in range(2, 6) if ws.cell(r, 1).value == "cixi"), _col(ws, "行政区划代码")).value = 330282


def _value_without_header(wb):
    ws = wb["观测值"]
    ws.cell(4, ws.max_column + 2).value = "an orphan note"


def _region_sheet_edited(wb):
    ws = wb["宁波市"]
    cell = next(c for row in ws.iter_rows(min_row=2) for c in row if isinstance(c.value, int | float))
    cell.value = cell.value + 1


def _second_observations_sheet(wb):
    ws = wb.copy_worksheet(wb["观测值"])
    ws.title = "观测值 (2)"
    ws.cell(2, _col(ws, "备注")).value = "an edit made on the copy"


def _rewrite_zip(path: Path, change: Callable[[str, bytes], bytes]) -> None:
    with zipfile.ZipFile(path) as z:
        entries = [(i.filename, change(i.filename, z.read(i))) for i in z.infolist()]
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in entries:
            z.writestr(name, data)


def _expands_too_far(path: Path) -> None:
    """A small zip whose sheet expands to more than the import reads (padding compresses to almost nothing)."""
    _rewrite_zip(path, lambda name, data: data + b" " * 60_000_000 if name == "xl/worksheets/sheet2.xml" else data)


def _too_many_rows(path: Path) -> None:
    rows = b"".join(b'<row r="%d"></row>' % (100_000 + i) for i in range(50_001))
    _rewrite_zip(path, lambda name, data: data.replace(b"</sheetData>", rows + b"</sheetData>")
                 if name == "xl/worksheets/sheet2.xml" else data)


def _not_a_zip(path: Path) -> None:
    path.write_bytes(b"obs_id,source_id\nt-001,demo\n")


def _truncated(path: Path) -> None:
    path.write_bytes(path.read_bytes()[:5000])


def _not_a_workbook(path: Path) -> None:
    with zipfile.ZipFile(path, "w") as z:
        z.writestr("hello.txt", "not a workbook")


BOOK_CASES = [
    BookCase("xlsx-missing-sheet", edit(_delete_sheet),
             ("book.xlsx: expected a sheet named '来源' or 'Sources' (the export's layout)", "[missing_sheet]")),
    BookCase("xlsx-renamed-header", edit(_rename_header),
             ("book.xlsx, sheet '观测值', row 1, column L, value '数值(亿元)': expected one of the export's headers "
              "for this sheet ('观测编号', '来源编号',", "[renamed_header]")),
    BookCase("xlsx-missing-column", edit(_drop_column),
             ("sheet '观测值', row 1: expected a column headed '备注' or 'Note' (note); without it the import would "
              "erase the column [missing_column]",)),
    BookCase("xlsx-duplicate-header", edit(_duplicate_header),
             ("sheet '观测值', row 1, column U, value '年份': expected each column once (also in column E)",)),
    BookCase("xlsx-formula-cell", edit(set_obs("t-003", "数值", "=12900+57")),
             ("sheet '观测值', row 4, column L '数值' (value), value '=12900+57': expected a value, found the formula "
              "=12900+57: formulas are not imported", "[formula]")),
    BookCase("xlsx-merged-cells", edit(_merge),
             ("sheet '观测值', row 3, column S, value 'S3:S4': expected no merged cells", "[merged_cells]")),
    BookCase("xlsx-error-cell", edit(set_obs("t-002", "数值", "#DIV/0!")),
             ("sheet '观测值', row 3, column L '数值' (value), value '#DIV/0!': expected a value, found the error "
              "#DIV/0!",)),
    BookCase("xlsx-boolean-cell", edit(set_obs("t-005", "备注", True)),
             ("sheet '观测值', row 6, column S '备注' (note), value 'True': expected text or a number, found a "
              "TRUE/FALSE cell",)),
    BookCase("xlsx-date-in-text-column", edit(set_obs("t-006", "原文表述", __import__("datetime").datetime(2014, 3, 1))),
             ("sheet '观测值', row 7, column H '原文表述' (label_zh), value '2014-03-01 00:00:00': expected text or a "
              "number, found a date or time",)),
    BookCase("xlsx-code-typed-as-number", edit(_typed_code),
             ("sheet '地区', row 4, column H '行政区划代码' (division_code), value '330282': expected text, found a "
              "number (a code typed as a number loses leading zeros",)),
    BookCase("xlsx-duplicate-row", edit(_duplicate_row),
             ("sheet '观测值', row 11, column A '观测编号' (obs_id), value 't-002': expected a unique obs_id "
              "(also on row 3) [duplicate_key]",)),
    BookCase("xlsx-row-without-key", edit(set_obs("t-004", "观测编号", None)),
             ("sheet '观测值', row 5, column A '观测编号' (obs_id), value '': expected a value: obs_id identifies "
              "the row [required]",)),
    BookCase("xlsx-edited-value-not-in-evidence", edit(set_obs("t-003", "数值", 12958)),
             ("sheet '观测值', row 4, column L '数值' (value), value '12958': expected a number stated in the "
              "evidence (it states 12957) [value_not_in_evidence]",)),
    BookCase("xlsx-new-row-unknown-region", edit(new_obs(**(_GOOD_NEW | {"region": "shanghai"}))),
             ("sheet '观测值', row 11, column C '地区代码' (region), value 'shanghai': expected one of cixi, haishu, "
              "hangzhou, ningbo",)),
    BookCase("xlsx-new-row-evidence-not-in-source", edit(new_obs(**(_GOOD_NEW | {"evidence": "组织三场拍卖会"}))),
             ("sheet '观测值', row 11, column R '原文证据' (evidence), value '组织三场拍卖会': expected an exact "
              "substring of the raw document of demo",)),
    BookCase("xlsx-new-row-bad-source-id", edit(new_obs(**(_GOOD_NEW | {"source_id": "../../etc/x"}))),
             ("sheet '观测值', row 11, column B '来源编号' (source_id), value '../../etc/x': expected a source_id "
              "defined in sources.csv",)),
    BookCase("xlsx-computed-column-edited", edit(set_obs("t-001", "标准单位数值", 1.9e10)),
             ("sheet '观测值', row 2, column O '标准单位数值' (value_std), value '19000000000': expected "
              "18500000000: this column is computed by the library, not stored",)),
    BookCase("xlsx-formula-in-computed-column", edit(set_obs("t-001", "标准单位数值", "=L2*100000000")),
             ("sheet '观测值', row 2, column O '标准单位数值' (value_std), value '=L2*100000000': expected a value, "
              "found a formula: formulas are not imported", "[formula]")),
    BookCase("xlsx-value-without-header", edit(_value_without_header),
             ("sheet '观测值', row 4, column V, value 'an orphan note': expected no value in a column without a "
              "header (it would not be imported)", "[unlabelled_column]")),
    BookCase("xlsx-not-a-zip", _not_a_zip,
             ("book.xlsx: expected an Excel workbook (.xlsx) in the export's layout; it cannot be opened",
              "[not_xlsx]")),
    BookCase("xlsx-truncated", _truncated, ("book.xlsx: expected an Excel workbook (.xlsx)", "[not_xlsx]")),
    BookCase("xlsx-zip-without-workbook", _not_a_workbook,
             ("book.xlsx: expected an Excel workbook (.xlsx)", "[not_xlsx]")),
    # edits the import cannot take are refused, never reported as "nothing to import"
    BookCase("xlsx-region-sheet-edited", edit(_region_sheet_edited),
             ("book.xlsx, sheet '宁波市', row", "as the export wrote it: this sheet is computed from the tables, so "
              "an edit here is never imported", "[computed_sheet_edited]")),
    BookCase("xlsx-second-observations-sheet", edit(_second_observations_sheet),
             ("book.xlsx, sheet '观测值 (2)': expected only the sheets of the export's layout", "[unknown_sheet]")),
    BookCase("xlsx-carriage-return-escape", edit(set_obs("t-003", "备注", "first_x000D_second")),
             ("book.xlsx, sheet '观测值', row 4: expected LF line ends, but found CR", "[line_ends]")),
    BookCase("xlsx-full-width-digits", edit(set_obs("t-003", "数值", "１２９５７")),
             ("sheet '观测值', row 4, column L '数值' (value), value '１２９５７'", "write 12957) [dtype]")),
    BookCase("xlsx-value-close-but-not-stated", edit(set_obs("t-003", "数值", 12957.0000001)),
             ("sheet '观测值', row 4, column L '数值' (value), value '12957.0000001': expected a number stated in "
              "the evidence",)),
    # bounds checked before the workbook is parsed
    BookCase("xlsx-expands-too-far", _expands_too_far,
             ("book.xlsx: expected a workbook of at most 50,000,000 bytes uncompressed; this one expands to",
              "[too_large]")),
    BookCase("xlsx-too-many-rows", _too_many_rows,
             ("book.xlsx: expected sheets of at most 50,000 rows; xl/worksheets/sheet2.xml has", "[too_large]")),
]


@pytest.mark.parametrize("case", BOOK_CASES, ids=[c.name for c in BOOK_CASES])
def test_bad_workbook(case: BookCase, tmp_path, earlier_book, capsys):
    data = make_export_data(tmp_path)
    book = tmp_path / "book.xlsx"
    book.write_bytes(earlier_book)
    case.breaks(book)
    before = _folder_state(data)
    assert main(["import-xlsx", str(book), "--data", str(data)]) == 1
    err = capsys.readouterr().err
    for fragment in case.expect:
        assert fragment in err, f"{fragment!r} not in:\n{err}"
    assert "no CSV file was changed" in err
    assert _folder_state(data) == before


def test_good_new_row_is_accepted(tmp_path, earlier_book):
    """The baseline the workbook cases break: a valid new row imports, so each failure above is the break's."""
    data = make_export_data(tmp_path)
    book = tmp_path / "book.xlsx"
    book.write_bytes(earlier_book)
    edit(new_obs(**_GOOD_NEW))(book)
    assert main(["import-xlsx", str(book), "--data", str(data)]) == 0
    assert read_rows(data / OBS)[-1][:4] == ["t-010", "demo", "ningbo", "2015"]


# --- reports given to cityscience extract that are not Chinese text in a supported encoding -------------

REPORT = (HERE.parent / "fixtures" / "qingxi-2019-summary-2020-plan.txt").read_text(encoding="utf-8")


def _with_nul(text: str) -> str:
    lines = text.split("\n")
    return "\n".join([*lines[:2], lines[2][:3] + "\0" + lines[2][3:], *lines[3:]])


@dataclass(frozen=True)
class ReportCase:
    """A report ``cityscience extract`` must refuse, writing no review sheet; ``{path}`` stands for its path."""

    name: str
    data: Callable[[], bytes]
    expect: tuple[str, ...]
    encoding: str | None = None


REPORT_CASES = [
    ReportCase("report-shift-jis", lambda: JAPANESE.encode("shift_jis"),
               ("{path}: expected UTF-8 (with or without BOM), GB18030/GBK or Big5 Chinese text",
                "decoded as gb18030 only 26% of its 297 Chinese characters are common ones")),
    ReportCase("report-euc-kr", lambda: KOREAN.encode("euc_kr"), ("{path}: expected UTF-8", "look like CP949")),
    ReportCase("report-euc-jp", lambda: JAPANESE.encode("euc_jp"),
               ("{path}: expected Chinese text, but decoded as gb18030 only 1.7% of its 174 Chinese characters are "
                "among the 100 most frequent",)),
    ReportCase("report-big5-forced-as-gb18030", lambda: TRADITIONAL.encode("big5"),
               ("{path}: expected Chinese text, but decoded as gb18030 it holds", "private-use",
                "{path}: nothing was extracted"), encoding="gb18030"),
    ReportCase("report-utf8-forced-as-latin-1", lambda: REPORT.encode("utf-8"),
               ("{path}:1: expected text without control characters, but found U+0096 at column 3",
                "decoded as latin-1 only 0% of its"), encoding="latin-1"),
    ReportCase("report-gbk-read-as-latin-1", lambda: REPORT.encode("gb18030").decode("latin-1").encode("utf-8"),
               ("{path}: expected Chinese text, but decoded as utf-8 only 0% of its", "are Chinese characters "
                "(expected at least 50%); found ª µ º")),
    ReportCase("report-utf16-le-without-bom", lambda: REPORT.encode("utf-16-le"),
               ("{path}: expected UTF-8", "look like UTF-16-LE; convert it to UTF-8")),
    ReportCase("report-utf16-be-without-bom", lambda: REPORT.encode("utf-16-be"),
               ("{path}: expected UTF-8", "look like UTF-16-BE")),
    ReportCase("report-utf16-ascii-without-bom", lambda: ("R&D 2019: 12.6, 15.3%\n" * 40).encode("utf-16-le"),
               ("{path}:1: expected text without control characters, but found U+0000 at column 2",
                "every other character is NUL: this looks like UTF-16 without a byte-order mark")),
    ReportCase("report-binary", lambda: bytes(range(256)) * 64,
               ("{path}: expected UTF-8", "look like binary data (not text)")),
    ReportCase("report-nul", lambda: _with_nul(REPORT).encode("utf-8"),
               ("{path}:3: expected text without control characters, but found U+0000 at column 4",
                "{path}: nothing was extracted")),
    ReportCase("report-escape-characters", lambda: REPORT.replace("。", "。\x1b").encode("utf-8"),
               ("{path}:6: expected text without control characters, but found U+001B at column 63",
                "more [control_character]")),
    ReportCase("report-private-use", lambda: REPORT.replace(",", "\ue000", 1).encode("utf-8"),
               ("{path}: expected Chinese text, but decoded as utf-8 it holds 1 private-use",)),
]


@pytest.mark.parametrize("case", REPORT_CASES, ids=[c.name for c in REPORT_CASES])
def test_bad_report(case: ReportCase, tmp_path, capsys):
    path = tmp_path / "report.txt"
    path.write_bytes(case.data())
    out = tmp_path / "review.xlsx"
    code = main(["extract", str(path), "--region", "ningbo", "-o", str(out),
                 *(["--encoding", case.encoding] if case.encoding else [])])
    err = capsys.readouterr().err
    assert code == 1, err
    for fragment in case.expect:
        assert fragment.format(path=path) in err, f"{fragment!r} not in:\n{err}"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["report.txt"]


# --- outputs that cannot be written, and failures half-way ----------------------------------------


def _out_parent_is_a_file(tmp_path: Path):
    blocker = tmp_path / "exports"
    blocker.write_text("a file where the output folder should be")
    return (["-o", str(blocker / "book.xlsx")], blocker,
            (f"{blocker}: cannot create the output folder {blocker}: {blocker} is a file; expected a writable "
             "folder",))


def _out_is_a_folder(tmp_path: Path):
    folder = tmp_path / "exports" / "book.xlsx"
    folder.mkdir(parents=True)
    return (["-o", str(folder)], tmp_path / "exports",
            (f"{folder}: expected a file name to write, but it is a folder",))


def _out_folder_read_only(tmp_path: Path):
    folder = tmp_path / "exports"
    folder.mkdir()
    (folder / "book.xlsx").write_bytes(b"earlier")
    _lock(folder)
    return (["-o", str(folder / "book.xlsx")], folder,
            (f"{folder}: cannot write into the output folder (", "expected a writable folder"))


def _lock(folder: Path) -> None:
    """Make ``folder`` unwritable: chmod for a normal user; for root (who ignores modes), the immutable flag."""
    if os.geteuid() != 0:
        folder.chmod(0o555)
        return
    done = subprocess.run(["chattr", "+i", str(folder)], capture_output=True, check=False)
    if done.returncode != 0:
        pytest.skip("running as root where chattr +i is not available: no way to make a folder unwritable")


def _unlock(folder: Path) -> None:
    if os.geteuid() == 0:
        subprocess.run(["chattr", "-i", str(folder)], capture_output=True, check=False)
    else:
        folder.chmod(0o755)


OUTPUT_CASES = {
    "output-parent-is-a-file": _out_parent_is_a_file,
    "output-is-a-folder": _out_is_a_folder,
    "output-folder-read-only": _out_folder_read_only,
}


@pytest.mark.parametrize("name", list(OUTPUT_CASES))
@pytest.mark.parametrize("what", ["xlsx", "figures"])
def test_unwritable_output(name, what, tmp_path, capsys):
    data = make_export_data(tmp_path)
    args, folder, expect = OUTPUT_CASES[name](tmp_path)
    try:
        before = _folder_state(folder) if folder.is_dir() else folder.read_bytes()
        code = main(["export", what, "--data", str(data), *args])
        after = _folder_state(folder) if folder.is_dir() else folder.read_bytes()
    finally:
        if name == "output-folder-read-only":
            _unlock(folder)
    err = capsys.readouterr().err
    assert code == 1
    for fragment in expect:
        assert fragment in err, f"{fragment!r} not in:\n{err}"
    assert "nothing was exported; any earlier output is unchanged" in err
    assert after == before


def test_disk_full_while_exporting_keeps_the_earlier_workbook(tmp_path, earlier_book, monkeypatch, capsys):
    data = make_export_data(tmp_path)
    out = tmp_path / "exports" / "book.xlsx"
    out.parent.mkdir()
    out.write_bytes(earlier_book)
    set_cell(data / OBS, 7, "note", "changed since the earlier export")

    def full(src, dst):
        raise OSError(28, "No space left on device", str(dst))

    monkeypatch.setattr(os, "replace", full)
    assert main(["export", "xlsx", "--data", str(data), "-o", str(out), "--no-figures"]) == 1
    err = capsys.readouterr().err
    assert f"{out}: No space left on device" in err and "any earlier output is unchanged" in err
    assert _folder_state(out.parent) == {"book.xlsx": earlier_book}


def test_disk_full_while_importing_changes_no_csv(tmp_path, earlier_book, monkeypatch, capsys):
    """Two CSV files change; the second move fails: the first is rolled back."""
    data = make_export_data(tmp_path)
    book = tmp_path / "book.xlsx"
    book.write_bytes(earlier_book)

    def change(wb):
        set_obs("t-006", "备注", "edited")(wb)
        ws = wb["指标"]
        ws.cell(2, _col(ws, "定义")).value = "edited"

    edit(change)(book)
    before = _folder_state(data)
    real_replace = os.replace
    calls = []

    def fail_second(src, dst):
        calls.append(dst)
        if len(calls) == 2:
            raise OSError(28, "No space left on device", str(dst))
        return real_replace(src, dst)

    monkeypatch.setattr(os, "replace", fail_second)
    assert main(["import-xlsx", str(book), "--data", str(data)]) == 1
    assert "no CSV file was changed" in capsys.readouterr().err
    monkeypatch.setattr(os, "replace", real_replace)
    assert _folder_state(data) == before


# --- a notebook that fails mid-build --------------------------------------------------------------


def test_notebook_fails_mid_build(tmp_path, capsys):
    """``cityscience build`` on a notebook that fails after writing a figure: nothing is published."""
    import nbformat

    notebooks = tmp_path / "notebooks"
    notebooks.mkdir()
    nb = nbformat.v4.new_notebook()
    nb.cells = [
        nbformat.v4.new_markdown_cell("# A notebook that fails half-way"),
        nbformat.v4.new_code_cell("import os, pathlib\n"
                                  "folder = pathlib.Path(os.environ['CITYSCIENCE_FIGURES'])\n"
                                  "(folder / '01-fails-chart.png').write_bytes(b'half-made')"),
        nbformat.v4.new_code_cell("raise ValueError('deliberate failure after a figure was written')"),
    ]
    nbformat.write(nb, str(notebooks / "01-fails.ipynb"))
    figures = tmp_path / "figures"
    figures.mkdir()
    for name, content in {"01-fails-chart.png": b"last good build", "index.csv": b"name\n"}.items():
        (figures / name).write_bytes(content)
    before = _folder_state(figures)
    code = main(["build", "--notebooks", str(notebooks), "--figures", str(figures), "--build-dir",
                 str(tmp_path / "build"), "--no-validate", "--no-html", "--no-progress", "-j", "1"])
    err = capsys.readouterr().err
    assert code == 1
    for fragment in ("build failed: 1 notebook failed:", "01-fails.ipynb, cell 2 (In [2]): ValueError: deliberate "
                     "failure after a figure was written", "full traceback in", "figures/ was left unchanged."):
        assert fragment in err, f"{fragment!r} not in:\n{err}"
    assert _folder_state(figures) == before


# --- the suite's own bookkeeping, and a real process -----------------------------------------------


# Bad inputs tried by a test of their own (below and above), named as in README.md.
BUILD_CASES = ("notebook-fails-mid-build",)
BUILD_DESCRIPTIONS = {
    "notebook-fails-mid-build": "a notebook writes a figure, then its next cell raises: `build failed: 1 notebook "
                                "failed: 01-fails.ipynb, cell 2 (In [2]): ValueError: deliberate failure after a "
                                "figure was written`; the half-made figure is not published and `figures/` keeps "
                                "the last good build",
}
OTHER_CASES = ("disk-full-while-exporting", "disk-full-while-importing")


def _names() -> list[str]:
    return ([c.name for c in DATA_CASES] + [c.name for c in BOOK_CASES] + [c.name for c in REPORT_CASES]
            + list(OUTPUT_CASES)
            + list(BUILD_CASES) + list(OTHER_CASES))


def test_readme_states_the_case_count():
    readme = (HERE / "README.md").read_text(encoding="utf-8")
    stated = re.search(r"tries (\d+) bad inputs", readme)
    assert stated, "README.md must say 'tries N bad inputs'"
    names = _names()
    assert len(set(names)) == len(names)
    assert int(stated.group(1)) == len(names)
    listed = re.findall(r"^\| `([a-z0-9-]+)` \|", readme, flags=re.MULTILINE)
    assert sorted(listed) == sorted(names), "README.md must list exactly the cases of this suite"


def test_exit_code_of_a_real_process(tmp_path):
    """The console script exits non-zero (not only ``main()`` returning 1)."""
    data = make_export_data(tmp_path)
    set_cell(data / OBS, 2, "status", "guess")
    exe = Path(sys.executable).with_name("cityscience")
    cmd = [str(exe)] if exe.exists() else [sys.executable, "-m", "cityscience.cli"]
    done = subprocess.run([*cmd, "validate", "--data", str(data)], capture_output=True, text=True, check=False)
    assert done.returncode == 1
    assert f"{SHOWN}:2: column 'status': value 'guess'" in done.stderr
