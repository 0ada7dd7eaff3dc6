"""A fifth region with one short document, added to a copy of the curated data the way a researcher would.

Nothing in the library, the notebooks or the tests may assume the four regions
the project started with: :func:`add_fifth_region` appends a region (with no
colour, so it takes the next palette colour), a source, its raw text, its
observations, its text parts and the exclusions of its other numbers, and the
copy must validate, load, chart and export like the original.
"""

from __future__ import annotations

import csv
import hashlib
import io
import shutil
from pathlib import Path

from cityscience.paths import data_dir

REGION = "yinzhou"
SOURCE = "yinzhou-2023-summary"
RAW_NAME = "yinzhou-2023-work-summary.txt"
RAW_TEXT = (
    "鄞州区科技局2023年工作总结\n"
    "2023年,全区全社会研发投入达到85.6亿元,同比增长12.4%;发明专利授权量1203件。\n"
    "力争2025年全社会研发投入达到100亿元。\n"
)
OBSERVATIONS = [
    {"obs_id": "yz23-001", "source_id": SOURCE, "region": REGION, "year": "2023", "indicator": "rd_expenditure",
     "label_zh": "全社会研发投入", "measure": "level", "status": "actual", "qualifier": "exact", "value": "85.6",
     "value_high": "", "unit": "亿元", "evidence": "全区全社会研发投入达到85.6亿元", "note": ""},
    {"obs_id": "yz23-002", "source_id": SOURCE, "region": REGION, "year": "2023", "indicator": "rd_expenditure",
     "label_zh": "全社会研发投入", "measure": "yoy_pct", "status": "actual", "qualifier": "exact", "value": "12.4",
     "value_high": "", "unit": "%", "evidence": "全社会研发投入达到85.6亿元,同比增长12.4%", "note": ""},
    {"obs_id": "yz23-003", "source_id": SOURCE, "region": REGION, "year": "2023",
     "indicator": "invention_patent_grants", "label_zh": "发明专利授权量", "measure": "level", "status": "actual",
     "qualifier": "exact", "value": "1203", "value_high": "", "unit": "件", "evidence": "发明专利授权量1203件",
     "note": ""},
    {"obs_id": "yz23-004", "source_id": SOURCE, "region": REGION, "year": "2025", "indicator": "rd_expenditure",
     "label_zh": "全社会研发投入", "measure": "level", "status": "target", "qualifier": "exact", "value": "100",
     "value_high": "", "unit": "亿元", "evidence": "力争2025年全社会研发投入达到100亿元", "note": ""},
]


def _rows(path: Path) -> tuple[list[str], list[dict[str, str]]]:
    with path.open(encoding="utf-8", newline="") as f:
        reader = csv.DictReader(f)
        return list(reader.fieldnames or []), list(reader)


def _append(path: Path, row: dict[str, str]) -> None:
    header, _ = _rows(path)
    out = io.StringIO()
    csv.DictWriter(out, fieldnames=header, lineterminator="\n").writerow({c: row.get(c, "") for c in header})
    text = path.read_text(encoding="utf-8")
    path.write_text(text + ("" if text.endswith("\n") else "\n") + out.getvalue(), encoding="utf-8")


def add_fifth_region(root: Path) -> Path:
    """Copy the curated data to ``root / "data"`` and add the fifth region with its document; return the copy."""
    data = root / "data"
    shutil.copytree(data_dir(), data)
    _append(data / "regions.csv", {"region": REGION, "name_zh": "鄞州区", "name_en": "Yinzhou", "short_zh": "鄞州",
                                   "short_en": "Yinzhou", "admin_level": "district", "parent": "ningbo",
                                   "division_code": "330212", "notes": "Urban district of Ningbo (test fixture)."})
    raw = data / "raw" / RAW_NAME
    raw.write_bytes(RAW_TEXT.encode("utf-8"))
    header, _ = _rows(data / "sources.csv")
    row = dict.fromkeys(header, "") | {
        "source_id": SOURCE, "region": REGION, "issuer_zh": "宁波市鄞州区科学技术局",
        "issuer_en": "Yinzhou District Science and Technology Bureau", "title_zh": "鄞州区科技局2023年工作总结",
        "title_en": "Yinzhou District S&T Bureau: 2023 work summary", "doc_number": "", "doc_type": "work_summary",
        "published": "2024-01-20", "dated": "", "report_year": "2023", "years_covered": "2023;2025", "script": "simplified",
        "encoding": "utf-8", "file_name": RAW_NAME, "original_file_name": RAW_NAME,
        "sha256": hashlib.sha256(raw.read_bytes()).hexdigest(), "defects": "",
    }
    _append(data / "sources.csv", row)
    header, _ = _rows(data / "observations" / "cixi-2024-summary.csv")
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=header, lineterminator="\n")
    writer.writeheader()
    writer.writerows(OBSERVATIONS)
    (data / "observations" / f"{SOURCE}.csv").write_text(out.getvalue(), encoding="utf-8")
    _append(data / "text_parts.csv", {"source_id": SOURCE, "part": "summary", "line_start": "鄞州区科技局",
                                      "note": "The whole summary."})
    return data
