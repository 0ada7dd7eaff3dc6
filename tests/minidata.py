"""Build a tiny, valid data folder for tests, then break one thing at a time.

The folder has the project's real codebook (columns, units, vocabularies) and
one short raw document with two observations, so each test can change a
single cell and check the exact problem reported.
"""

from __future__ import annotations

import csv
import hashlib
import shutil
from pathlib import Path

REAL_DATA = Path(__file__).resolve().parents[1] / "data"

RAW_TEXT = (
    "示例市科技局2014年工作总结\n"
    "一是创新能力提升。预计全社会研发投入可达185亿元,占GDP比例达2.35%;"
    "发明专利申请量达12957件,同比增长32.1%。组织两场科技成果拍卖会。\n"
)

OBS_HEADER = ["obs_id", "source_id", "region", "year", "indicator", "label_zh", "measure", "status",
              "qualifier", "value", "value_high", "unit", "evidence", "note", "variant"]

OBS_ROWS = [
    ["t-001", "demo", "ningbo", "2014", "rd_expenditure", "全社会研发投入", "level", "estimate", "exact",
     "185", "", "亿元", "预计全社会研发投入可达185亿元", "", ""],
    ["t-002", "demo", "ningbo", "2014", "rd_intensity_gdp", "占GDP比例", "level", "estimate", "exact",
     "2.35", "", "%", "占GDP比例达2.35%", "", ""],
    ["t-003", "demo", "ningbo", "2014", "invention_patent_applications", "发明专利申请量", "level", "actual",
     "exact", "12957", "", "件", "发明专利申请量达12957件", "", ""],
    ["t-004", "demo", "ningbo", "2014", "invention_patent_applications", "发明专利申请量", "yoy_pct",
     "actual", "exact", "32.1", "", "%", "发明专利申请量达12957件,同比增长32.1%", "", ""],
    ["t-005", "demo", "ningbo", "2014", "tech_auctions", "科技成果拍卖会", "level", "actual", "exact",
     "2", "", "场", "组织两场科技成果拍卖会", "", ""],
]

INDICATORS = [
    ["indicator", "name_zh", "name_en", "category", "kind", "basis", "scope", "period", "unit_std", "definition",
     "comparability", "numerator", "denominator", "headline", "group"],
    ["rd_expenditure", "全社会研发投入", "Gross R&D expenditure", "rd", "flow", "activity", "jurisdiction", "year",
     "CNY", "R&D spending.", "", "", "", "1", ""],
    ["rd_intensity_gdp", "研发经费占GDP比重", "R&D share of GDP", "rd", "ratio", "ratio", "jurisdiction", "year",
     "percent", "R&D / GDP.", "", "rd_expenditure", "", "2", ""],
    ["invention_patent_applications", "发明专利申请量", "Invention patent applications", "patents", "flow",
     "activity", "jurisdiction", "year", "count", "Applications.", "", "", "", "", ""],
    ["tech_auctions", "科技成果拍卖会", "Technology auctions", "tech_market", "flow", "activity", "jurisdiction",
     "year", "count", "Auctions held.", "", "", "", "", ""],
]

EXCLUSIONS = [
    ["source_id", "kind", "match", "reason", "note"],
    ["*", "regex", r"(?:19|20)\d{2}(?=年)", "date_time", "years"],
    ["*", "regex", r"[一二三四五六七八九十]+是", "enumeration", "一是"],
]


def write_csv(path: Path, rows: list[list[str]]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "w", newline="", encoding="utf-8") as f:
        csv.writer(f, lineterminator="\n").writerows(rows)


def read_rows(path: Path) -> list[list[str]]:
    with open(path, newline="", encoding="utf-8") as f:
        return list(csv.reader(f))


def make_data(root: Path, raw_text: str = RAW_TEXT, obs_rows: list[list[str]] | None = None) -> Path:
    """Write a valid mini data folder under ``root`` and return its path."""
    data = root / "data"
    shutil.copytree(REAL_DATA / "codebook", data / "codebook")
    shutil.copy(REAL_DATA / "regions.csv", data / "regions.csv")
    raw = data / "raw" / "demo.txt"
    raw.parent.mkdir(parents=True)
    raw.write_bytes(raw_text.encode("utf-8"))
    sha = hashlib.sha256(raw.read_bytes()).hexdigest()
    write_csv(data / "sources.csv", [
        ["source_id", "region", "issuer_zh", "issuer_en", "title_zh", "title_en", "doc_number", "doc_type",
         "published", "dated", "report_year", "years_covered", "script", "encoding", "file_name",
         "original_file_name", "sha256", "defects", "url", "retrieved"],
        ["demo", "ningbo", "示例局", "Demo bureau", "示例", "Demo", "", "work_summary", "2015-04-14", "", "2014",
         "2014;2015;2020", "simplified", "utf-8", "demo.txt", "demo.txt", sha, "", "", ""],
    ])
    write_csv(data / "indicators.csv", INDICATORS)
    write_csv(data / "exclusions.csv", EXCLUSIONS)
    # rows written before an optional column was added (variant) get it empty
    rows = [[*r, *[""] * (len(OBS_HEADER) - len(r))] for r in (obs_rows or OBS_ROWS)]
    write_csv(data / "observations" / "demo.csv", [OBS_HEADER, *rows])
    return data


def set_cell(path: Path, line: int, column: str, value: str) -> None:
    """Change one cell of a CSV file (``line`` is the file line, header = 1)."""
    rows = read_rows(path)
    rows[line - 1][rows[0].index(column)] = value
    write_csv(path, rows)
