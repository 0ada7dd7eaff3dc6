"""The words the extractor knows: units, qualifiers and the cues of status and relation.

Everything here is general Chinese report language, never a rule about one
document. Words are listed in simplified characters: the extractor matches
them against the normalized text (NFKC, traditional → simplified), so 億元 and
萬人 are found as 亿元 and 万人 while the output keeps the characters as written.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

__all__ = [
    "CHINESE_NUMERAL_CHARS",
    "LIST_CLASSIFIERS",
    "UNITS",
    "UNIT_RE",
    "UNIT_START_CHARS",
    "Unit",
    "unit_info",
]


@dataclass(frozen=True)
class Unit:
    """A unit as written and what it means.

    Attributes:
        written: the unit in simplified characters (亿元, 家, 个百分点).
        std: the standard unit (CNY, count, percent, pp, …) or "" when unknown.
        factor: how many standard units one written unit is (亿元 → 1e8).
    """

    written: str
    std: str
    factor: float


# Units the codebook of this project uses (data/codebook/units.csv), plus the
# common units of Chinese statistical reports a new document may use. A test
# checks that every unit shared with the codebook has the same meaning.
_UNIT_ROWS: list[tuple[str, str, float]] = [
    # money
    ("亿元", "CNY", 1e8), ("万元", "CNY", 1e4), ("千元", "CNY", 1e3), ("元", "CNY", 1.0),
    ("亿美元", "USD", 1e8), ("万美元", "USD", 1e4), ("美元", "USD", 1.0),
    # counts
    ("家(人)", "count", 1.0), ("家(次)", "count", 1.0), ("家次", "count", 1.0), ("家", "count", 1.0),
    ("个", "count", 1.0), ("项次", "count", 1.0), ("项", "count", 1.0), ("件次", "count", 1.0),
    ("件", "count", 1.0), ("名", "count", 1.0), ("人次", "count", 1.0), ("人", "count", 1.0),
    ("次", "count", 1.0), ("场次", "count", 1.0), ("场", "count", 1.0), ("起", "count", 1.0),
    ("篇", "count", 1.0), ("所", "count", 1.0), ("座", "count", 1.0), ("台", "count", 1.0),
    ("套", "count", 1.0), ("户", "count", 1.0), ("位", "count", 1.0), ("支", "count", 1.0),
    ("批", "count", 1.0), ("条", "count", 1.0), ("款", "count", 1.0), ("种", "count", 1.0),
    ("部", "count", 1.0), ("张", "count", 1.0), ("份", "count", 1.0), ("辆", "count", 1.0),
    ("期", "count", 1.0), ("轮", "count", 1.0),
    ("万人次", "count", 1e4), ("万人", "count", 1e4), ("万家", "count", 1e4), ("万件", "count", 1e4),
    ("万项", "count", 1e4), ("万个", "count", 1e4), ("万户", "count", 1e4), ("万台", "count", 1e4),
    ("万套", "count", 1e4), ("万名", "count", 1e4), ("万篇", "count", 1e4), ("万次", "count", 1e4),
    # areas and physical quantities
    ("万平方米", "m2", 1e4), ("平方米", "m2", 1.0), ("平方公里", "km2", 1.0), ("万亩", "mu", 1e4),
    ("亩", "mu", 1.0), ("公顷", "ha", 1.0), ("万吨", "t", 1e4), ("吨", "t", 1.0),
    ("万千瓦", "kW", 1e4), ("千瓦", "kW", 1.0), ("公里", "km", 1.0),
    # labour
    ("万人年", "person_year", 1e4), ("人年", "person_year", 1.0),
    # ratios, indices, scores
    ("件/万人", "per_10k_people", 1.0), ("%", "percent", 1.0), ("个百分点", "pp", 1.0),
    ("百分点", "pp", 1.0), ("倍", "times", 1.0), ("分", "score", 1.0),
    # placeholders and units set by a rule, never matched after a number directly
    ("成", "percent", 10.0), ("年", "year", 1.0), ("分之", "percent", 100.0), ("位次", "rank", 1.0),
    ("指数", "index", 1.0), ("篇/天", "count_per_day", 1.0),
]

UNITS: dict[str, Unit] = {w: Unit(w, s, f) for w, s, f in _UNIT_ROWS}

# Units matched directly after a number (longest first, so 万人年 wins over 万人).
_RULE_ONLY = {"成", "年", "分之", "位次", "指数", "篇/天", "分"}
_DIRECT = sorted((u for u in UNITS if u not in _RULE_ONLY), key=len, reverse=True)
# 分 (score) only when no Chinese word continues it (分别, 分之, 分钟, 分析 are not scores).
UNIT_RE = re.compile(
    "(?:" + "|".join(re.escape(u) for u in _DIRECT) + r")|分(?=以上|左右|的|为|[^\u3400-\u9fff]|$)"
)
UNIT_START_CHARS = frozenset(u[0] for u in UNITS) | {"余", "多", "来", "万", "亿"}

CHINESE_NUMERAL_CHARS = "零〇一二两三四五六七八九十百千万亿"

# A small Chinese numeral with these classifiers announces a list (四个组合拳,
# 两项税收优惠政策, 三种模式) rather than stating a measured quantity.
LIST_CLASSIFIERS = frozenset({"个", "项", "种", "条", "批", "支", "轮", "部", "张", "份", "期", "位", "套"})


def unit_info(written_normalized: str) -> Unit:
    """The :class:`Unit` for a unit written in simplified characters; std "" when unknown.

    万 or 亿 before a counting unit scales it (万场 = 10,000 场), as in 25万场 or 1.2亿人次.
    """
    unit = UNITS.get(written_normalized)
    if unit is not None:
        return unit
    scale = {"万": 1e4, "亿": 1e8}.get(written_normalized[:1])
    base = UNITS.get(written_normalized[1:])
    if scale and base is not None and base.std == "count" and base.factor == 1.0:
        return Unit(written_normalized, "count", scale)
    if written_normalized.endswith("/天") and written_normalized[:-2] in UNITS:
        return Unit(written_normalized, UNITS[written_normalized[:-2]].std + "_per_day", 1.0)
    return Unit(written_normalized, "", 1.0)
