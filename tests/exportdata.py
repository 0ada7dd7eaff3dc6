"""A small valid data folder for the export, import and bad-input tests.

Built on ``minidata`` (the project's real codebook and regions), with one raw
document whose statements exercise every qualifier (exact, approx, at_least,
range), an estimate, a target below an earlier actual (a consistency flag),
notes that start with ``=``, ``+``, ``-`` and ``@`` (which a spreadsheet would
take for formulas), a hand-quoted CSV row, and every number accounted for.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

from minidata import EXCLUSIONS, INDICATORS, make_data, write_csv

RAW_TEXT = (
    "示例市科技局2014年工作总结\n"
    "一是创新能力提升。预计全社会研发投入可达185亿元,占GDP比例达2.35%;"
    "发明专利申请量达12957件,同比增长32.1%。组织两场科技成果拍卖会。\n"
    "二是载体建设。新增孵化器近百家,科技型企业超过3000家,引进创新团队5~10个。\n"
    "到2020年,发明专利申请量达到10000件。\n"
)

OBS_ROWS = [
    ["t-001", "demo", "ningbo", "2014", "rd_expenditure", "全社会研发投入", "level", "estimate", "exact",
     "185", "", "亿元", "预计全社会研发投入可达185亿元", "=1+1 must stay text", ""],
    ["t-002", "demo", "ningbo", "2014", "rd_intensity_gdp", "占GDP比例", "level", "estimate", "exact",
     "2.35", "", "%", "占GDP比例达2.35%", "+86 574 stays text", ""],
    ["t-003", "demo", "ningbo", "2014", "invention_patent_applications", "发明专利申请量", "level", "actual",
     "exact", "12957", "", "件", "发明专利申请量达12957件", "-5% is not a formula", ""],
    ["t-004", "demo", "ningbo", "2014", "invention_patent_applications", "发明专利申请量", "yoy_pct",
     "actual", "exact", "32.1", "", "%", "发明专利申请量达12957件,同比增长32.1%", "@home stays text", ""],
    ["t-005", "demo", "ningbo", "2014", "tech_auctions", "科技成果拍卖会", "level", "actual", "exact",
     "2", "", "场", "组织两场科技成果拍卖会", "", ""],
    ["t-006", "demo", "ningbo", "2014", "incubators_new", "新增孵化器", "level", "actual", "approx",
     "100", "", "家", "新增孵化器近百家", "", ""],
    ["t-007", "demo", "ningbo", "2014", "st_enterprises", "科技型企业", "level", "actual", "at_least",
     "3000", "", "家", "科技型企业超过3000家", "", ""],
    ["t-008", "demo", "ningbo", "2014", "innovation_teams", "引进创新团队", "level", "actual", "range",
     "5", "10", "个", "引进创新团队5~10个", "", ""],
    ["t-009", "demo", "ningbo", "2020", "invention_patent_applications", "发明专利申请量", "level", "target",
     "exact", "10000", "", "件", "到2020年,发明专利申请量达到10000件", "a target below the 2014 actual", ""],
]

EXTRA_INDICATORS = [
    ["incubators_new", "新增孵化器", "New incubators", "platforms", "flow", "new", "jurisdiction", "year", "count",
     "Incubators added.", "", "", "", "", ""],
    ["st_enterprises", "科技型企业", "S&T enterprises", "enterprises", "stock", "existing", "jurisdiction", "year",
     "count", "Enterprises.", "", "", "", "", ""],
    ["innovation_teams", "引进创新团队", "Innovation teams introduced", "talent", "flow", "new", "jurisdiction",
     "year", "count", "Teams introduced.", "", "", "", "", ""],
]

# A hand-quoted row, as curators sometimes write them: the import must keep its exact bytes.
QUOTED_EXCLUSION = '"*","regex","到(?:19|20)\\d{2}年","date_time","target years"\n'


def make_export_data(root: Path) -> Path:
    """Write the valid data folder under ``root`` and return its path (``root/data``)."""
    data = make_data(root, raw_text=RAW_TEXT, obs_rows=OBS_ROWS)
    write_csv(data / "indicators.csv", [*INDICATORS, *EXTRA_INDICATORS])
    write_csv(data / "exclusions.csv", EXCLUSIONS)
    with open(data / "exclusions.csv", "a", encoding="utf-8", newline="") as f:
        f.write(QUOTED_EXCLUSION)
    return data


def refresh_checksum(data: Path) -> None:
    """Store the raw document's current SHA-256 in sources.csv (after deliberately changing it)."""
    import csv

    raw = data / "raw" / "demo.txt"
    sha = hashlib.sha256(raw.read_bytes()).hexdigest()
    with open(data / "sources.csv", newline="", encoding="utf-8") as f:
        rows = list(csv.reader(f))
    rows[1][rows[0].index("sha256")] = sha
    write_csv(data / "sources.csv", rows)
