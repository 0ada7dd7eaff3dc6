"""The words the extractor knows: units, qualifiers and the cues of status and relation.

The units come from the codebook, ``data/codebook/units.csv`` (its ``extract``
column says how each is read; see ``data/README.md``), through
:mod:`cityscience.units`: a unit added there is proposed by the next
extraction. Everything else here is general Chinese report language, never a
rule about one document. Words are matched against the normalized text (NFKC,
traditional → simplified), so 億元 and 萬人 are found as 亿元 and 万人 while the
output keeps the characters as written.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from types import MappingProxyType

from ..textnorm import normalize
from ..units import UnitRow, UnitsError, read_units
from .reading import ExtractError

__all__ = [
    "CHINESE_NUMERAL_CHARS",
    "LIST_CLASSIFIERS",
    "OTHER_CLASSIFIERS",
    "Lexicon",
    "Unit",
    "build_lexicon",
    "lexicon",
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


# A word_end unit (分, a score) is read only where no other Chinese word continues it:
# 90分, 90分以上, 90分的; not 分别, 分钟, 分析 (分之 is a fraction, set by a rule).
_WORD_END = r"(?=以上|左右|的|为|[^\u3400-\u9fff]|$)"
# Characters that may stand between a number and its unit (30余家, 1.5万人).
_BEFORE_UNIT = frozenset({"余", "多", "来", "万", "亿"})


@dataclass(frozen=True)
class Lexicon:
    """The units the extractor knows and the pattern that reads one right after a number.

    Attributes:
        units: every unit of the codebook the extractor knows (its ``extract`` column is
            not empty), by its normalized form.
        unit_re: matches a unit read right after a number (``direct`` and ``word_end``
            units; the longest wins, so 万人年 beats 万人).
        start_chars: first characters of the units, and what may come between a number
            and its unit (a fast test before the pattern).
    """

    units: Mapping[str, Unit]
    unit_re: re.Pattern[str]
    start_chars: frozenset[str]

    def unit_info(self, written_normalized: str) -> Unit:
        """The :class:`Unit` for a unit written in simplified characters; std "" when unknown.

        万 or 亿 before a counting unit scales it (万场 = 10,000 场), as in 25万场 or 1.2亿人次.
        """
        units = self.units
        unit = units.get(written_normalized)
        if unit is not None:
            return unit
        scale = {"万": 1e4, "亿": 1e8}.get(written_normalized[:1])
        base = units.get(written_normalized[1:])
        if scale and base is not None and base.std == "count" and base.factor == 1.0:
            return Unit(written_normalized, "count", scale)
        if written_normalized.endswith("/天") and written_normalized[:-2] in units:
            return Unit(written_normalized, units[written_normalized[:-2]].std + "_per_day", 1.0)
        return Unit(written_normalized, "", 1.0)


def build_lexicon(rows: Iterable[UnitRow], shown: str = "codebook/units.csv") -> Lexicon:
    """The :class:`Lexicon` of the units file's rows (see :func:`cityscience.units.read_units`).

    Raises:
        UnitsError: two rows that read the same after normalization (億元, 亿元) differ in
            meaning or in how they are read.
    """
    units: dict[str, Unit] = {}
    modes: dict[str, tuple[str, int]] = {}
    problems = []
    for r in rows:
        if not r.extract:
            continue  # a unit of the curated data the extractor never proposes
        written = normalize(r.unit)
        unit = Unit(written, r.unit_std, r.factor)
        if written in units:
            if (units[written], modes[written][0]) != (unit, r.extract):
                problems.append(f"  {shown}:{r.line}: unit {r.unit!r} reads as {written!r} like the unit on line "
                                f"{modes[written][1]}: expected the same unit_std, factor and extract")
            continue
        units[written] = unit
        modes[written] = (r.extract, r.line)
    if problems:
        raise UnitsError(f"{shown}: units the extractor cannot tell apart:\n" + "\n".join(problems))
    read = sorted((u for u, (mode, _) in modes.items() if mode != "rule"), key=len, reverse=True)
    pattern = "|".join(re.escape(u) + (_WORD_END if modes[u][0] == "word_end" else "") for u in read)
    return Lexicon(MappingProxyType(units), re.compile(pattern or "(?!)"),
                   frozenset(u[0] for u in units) | _BEFORE_UNIT)


_BUILT: dict[int, tuple[tuple[UnitRow, ...], Lexicon]] = {}


def lexicon(root: Path | None = None) -> Lexicon:
    """The lexicon of the data folder's units file (default: :func:`cityscience.paths.data_dir`).

    Built once per version of the file.

    Raises:
        ExtractError: the units file is missing or unusable (the message says what to do).
    """
    try:
        rows = read_units(root)
        hit = _BUILT.get(id(rows))
        if hit is None or hit[0] is not rows:
            if len(_BUILT) > 8:
                _BUILT.clear()
            hit = _BUILT[id(rows)] = (rows, build_lexicon(rows))
    except UnitsError as exc:
        raise ExtractError(str(exc)) from None
    return hit[1]


def unit_info(written_normalized: str) -> Unit:
    """:meth:`Lexicon.unit_info` of the default lexicon (see :func:`lexicon`)."""
    return lexicon().unit_info(written_normalized)


CHINESE_NUMERAL_CHARS = "零〇一二两三四五六七八九十百千万亿"

# A small Chinese numeral with these classifiers announces a list (四个组合拳,
# 两项税收优惠政策, 三种模式) rather than stating a measured quantity.
LIST_CLASSIFIERS = frozenset({"个", "项", "种", "条", "批", "支", "轮", "部", "张", "份", "期", "位", "套"})
# Chinese classifiers (量词) that state a count but are not units of the codebook (its
# direct units are read first): proposed with the unit as written, flagged as unknown.
OTHER_CLASSIFIERS = frozenset("只艘架枚颗株头栋幢笔单例宗册本门位")
