"""Words on the charts: names from the codebook in Chinese or English, units, qualified values.

Every label a chart shows comes from here, so the same chart reads the same in
both languages: region and indicator names from ``regions.csv`` and
``indicators.csv``, status and qualifier labels from the vocabularies, units
from ``codebook/units.csv``, source citations from
:func:`cityscience.provenance.cite_source`. Qualifiers become symbols (≥ at
least, ≈ about, ≤ at most, a range as ``low–high``).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

import pandas as pd

from ..conventions import LANGUAGES, QUALIFIER_MARKS, check_language
from ..provenance import cite_source
from ..units import display_unit, format_number, significant
from ..units import format_value as _format_value

__all__ = [
    "LANGUAGES",
    "QUALIFIER_SYMBOLS",
    "TEXT",
    "Labels",
    "check_language",
    "display_unit",
    "format_number",
    "format_value",
]

#: Prefix shown before a value for each qualifier (the project's one table, :data:`~cityscience.conventions.QUALIFIER_MARKS`).
QUALIFIER_SYMBOLS = QUALIFIER_MARKS

#: Fixed chart phrases in both languages.
TEXT: dict[str, dict[str, str]] = {
    "sources": {"zh": "数据来源：", "en": "Sources: "},
    "source": {"zh": "数据来源：", "en": "Source: "},
    "source_sep": {"zh": "；", "en": "; "},
    "derived": {"zh": "推算值", "en": "derived"},
    "apart_legend": {"zh": "口径不同（见注）", "en": "not comparable (see note)"},
    "at_least_legend": {"zh": "下限：实际不少于所示值", "en": "at least the value shown"},
    "at_most_legend": {"zh": "上限：实际不多于所示值", "en": "at most the value shown"},
    "derived_note": {"zh": "推算值由所述水平与同比增速反推，非文件所述", "en": "derived: computed from a stated level "
                     "and its stated growth rate, not stated in the documents"},
    "year": {"zh": "年份", "en": "Year"},
    "value": {"zh": "数值", "en": "Value"},
    "number": {"zh": "数量", "en": "Number"},
    "region": {"zh": "地区", "en": "Region"},
    "count": {"zh": "条数", "en": "Number of values"},
    "target_pct": {"zh": "相对目标（目标 = 100%）", "en": "Relative to target (target = 100%)"},
    "required_growth": {"zh": "；需年均增长 {growth}", "en": "; needs {growth} growth a year"},
    "required_pp": {"zh": "；需年均提高 {change} 个百分点", "en": "; needs +{change} pp a year"},
    "required_growth_1y": {"zh": "；需增长 {growth}", "en": "; needs {growth} growth"},
    "required_pp_1y": {"zh": "；需提高 {change} 个百分点", "en": "; needs +{change} pp"},
    "target_below": {"zh": "；目标低于{year}年水平", "en": "; target below the {year} level"},
    "target_level": {"zh": "；目标与{year}年持平", "en": "; target at the {year} level"},
    "derived_value": {"zh": "{value}（推算值）", "en": "{value} (derived)"},
    "derived_with": {"zh": "推算自上句与 {obs_id}：“{evidence}”", "en": "derived from it and {obs_id}: “{evidence}”"},
    "with_measure": {"zh": "{name}（{measure}）", "en": "{name} ({measure})"},
    "with_region": {"zh": "{name}（{region}）", "en": "{name} ({region})"},
    "with_level": {"zh": "{name}（{level}）", "en": "{name} ({level})"},
    "number_of": {"zh": "数量（{unit}）", "en": "Number"},
    "base_of": {"zh": "{year}年基数{obs_id}", "en": "the {year} base {obs_id}"},
    "pair_not_alike": {"zh": "基数与目标不可直接比较：", "en": "base and target not directly comparable: "},
    "list_sep": {"zh": "，", "en": ", "},
    "head_indicator": {"zh": "指标", "en": "Indicator"},
    "head_year": {"zh": "年份", "en": "Year"},
    "head_status": {"zh": "状态", "en": "Status"},
    "head_value": {"zh": "数值", "en": "Value"},
    "profile_facts": {"zh": "主要数值", "en": "Headline values"},
    "part_of_region": {"zh": "{name}（属{parent}）", "en": "{name}, part of {parent}"},
    "level_group": {"zh": "{level}：{names}", "en": "{level}: {names}"},
    "names_sep": {"zh": "、", "en": ", "},
    "groups_sep": {"zh": "；", "en": "; "},
    "parts_sep": {"zh": "及", "en": " and "},
    "kinds_of_places": {"zh": "不同层级的地区（{groups}）", "en": "different kinds of places ({groups})"},
    "different_years": {"zh": "不同年份（{years}）", "en": "different years ({years})"},
    "comparability_note": {"zh": "注意：图中比较{parts}，差异未必反映绩效。",
                           "en": "Note: compares {parts}, so a difference need not reflect performance."},
    "check_note": {"zh": "一致性检查：{check}（{place}，{indicator}）：{values}",
                   "en": "Consistency check: {check} ({place}, {indicator}): {values}"},
    "unit_inferred": {"zh": "{place} {year}年{indicator} {value}（{obs_id}）：原文未写单位（“{evidence}”），单位系推定，理由见该观测值备注。",
                      "en": "{place} {year}, {indicator}, {value} ({obs_id}): the document writes no unit "
                            "(“{evidence}”); the unit is inferred, as the observation's note explains."},
    "comparability_note_documents": {"zh": "注意：图中比较{parts}的文件。", "en": "Note: compares documents of {parts}."},
    "profile_counts": {"zh": "各类别数值个数", "en": "Number of values by subject area"},
    "profile_title": {"zh": "{region}：科技指标概览", "en": "{region}: S&T profile"},
    "interval": {"zh": "区间", "en": "range"},
    "no_data": {"zh": "无数据", "en": "no data"},
    "rows_category": {"zh": "类别", "en": "Subject area"},
    "rows_status": {"zh": "状态", "en": "Status"},
    "rows_measure": {"zh": "测度", "en": "Measure"},
    "rows_source_id": {"zh": "文件", "en": "Document"},
}


class _ReadOnlyDict(dict):
    """A dict that refuses changes (but still pickles, copies and converts like one)."""

    def _refuse(self, *args, **kwargs):
        raise TypeError("chart labels are shared by every chart and cannot be changed; build new Labels")

    __setitem__ = __delitem__ = __ior__ = clear = pop = popitem = setdefault = update = _refuse

    def __reduce__(self):
        return (type(self), (dict(self),))


#: Labels.load's results per language, with the validated data they were made from.
_LOADED: dict[str, tuple[object, type, Labels]] = {}


def format_value(value: float, unit: str = "", language: str | None = None, **options) -> str:
    """:func:`cityscience.units.format_value` (the one number formatter), in the theme's language
    when ``language`` is not given.

    >>> format_value(185, "亿元", "en")
    'CNY 18.5 bn'
    """
    from .style import current_language

    return _format_value(value, unit, check_language(language or current_language()), **options)


def _column_map(frame: pd.DataFrame | None, key: str, value: str) -> dict[str, str]:
    if frame is None or frame.empty:
        return {}
    return {str(k): str(v) for k, v in zip(frame[key], frame[value], strict=True) if not pd.isna(v)}


@dataclass(frozen=True)
class Labels:
    """Names for codes in one language, built from the codebook tables.

    Unknown codes are shown as the code itself, so a chart of new data never
    fails for want of a label. Build one with :meth:`load` (the curated
    codebook) or :meth:`from_frames` (any tables with the same columns, e.g.
    test fixtures).
    """

    lang: str = "zh"
    regions: Mapping[str, str] = field(default_factory=dict)
    region_levels: Mapping[str, str] = field(default_factory=dict)
    region_parents: Mapping[str, str] = field(default_factory=dict)
    indicators: Mapping[str, str] = field(default_factory=dict)
    vocab: Mapping[tuple[str, str], str] = field(default_factory=dict)
    sources: Mapping[str, str] = field(default_factory=dict)
    region_rank: Mapping[str, int] = field(default_factory=dict)

    def __post_init__(self) -> None:
        check_language(self.lang)
        for name in ("regions", "region_levels", "region_parents", "indicators", "vocab", "sources", "region_rank"):
            # read-only: Labels.load hands the same instance to every chart
            object.__setattr__(self, name, _ReadOnlyDict(getattr(self, name)))

    @classmethod
    def from_frames(cls, lang: str = "zh", *, regions: pd.DataFrame | None = None,
                    indicators: pd.DataFrame | None = None, vocabularies: pd.DataFrame | None = None,
                    sources: pd.DataFrame | None = None) -> Labels:
        """Labels from codebook-shaped tables (columns as in ``regions.csv``, ``indicators.csv``, …)."""
        check_language(lang)
        vocab: dict[tuple[str, str], str] = {}
        if vocabularies is not None:
            col = "label_zh" if lang == "zh" else "label_en"
            for voc, code, zh, en in zip(vocabularies["vocabulary"], vocabularies["code"],
                                         vocabularies[col], vocabularies["label_en"], strict=True):
                label = zh if not pd.isna(zh) else en
                vocab[(str(voc), str(code))] = str(label)
        names = "name_zh" if lang == "zh" else "name_en"
        src: dict[str, str] = {}
        if sources is not None:
            for _, row in sources.iterrows():
                src[str(row["source_id"])] = cite_source(row, lang)
        levels = _column_map(regions, "region", "admin_level")
        parents = _column_map(regions, "region", "parent") if regions is not None and "parent" in regions else {}
        rank = {str(r): i for i, r in enumerate(regions["region"])} if regions is not None else {}
        return cls(lang=lang, regions=_column_map(regions, "region", names), region_levels=levels,
                   region_parents=parents, region_rank=rank,
                   indicators=_column_map(indicators, "indicator", names), vocab=vocab, sources=src)

    @classmethod
    def load(cls, lang: str = "zh") -> Labels:
        """Labels from the curated codebook (validated by the loaders); made once per data version."""
        from ..load import load_indicators, load_regions, load_sources, load_vocabularies, validated

        check_language(lang)
        checked = validated()
        hit = _LOADED.get(lang)
        if hit is None or hit[0] is not checked or hit[1] is not cls:
            labels = cls.from_frames(lang, regions=load_regions(), indicators=load_indicators(),
                                     vocabularies=load_vocabularies(), sources=load_sources())
            hit = _LOADED[lang] = (checked, cls, labels)
        return hit[2]

    def region(self, code: object) -> str:
        """Name of a region (宁波市 / Ningbo)."""
        return self.regions.get(str(code), str(code))

    def region_with_level(self, code: object) -> str:
        """Region name with its administrative level on a second line (for comparisons across levels)."""
        level = self.region_levels.get(str(code))
        if not level:
            return self.region(code)
        return f"{self.region(code)}\n{self.term('admin_level', level)}"

    def indicator(self, code: object) -> str:
        """Name of an indicator from the codebook."""
        return self.indicators.get(str(code), str(code))

    def term(self, vocabulary: str, code: object) -> str:
        """Label of a vocabulary code (status, qualifier, measure, category, admin_level, …)."""
        return self.vocab.get((vocabulary, str(code)), str(code))

    def name(self, vocabulary: str, code: object) -> str:
        """A vocabulary label standing alone, as a row or column of a chart or a heading: sentence case in English
        (finance → Finance; R&D stays), the label as it is in Chinese.

        >>> Labels(lang="en", vocab={("category", "finance"): "finance"}).name("category", "finance")
        'Finance'
        """
        label = self.term(vocabulary, code)
        return label[:1].upper() + label[1:] if self.lang == "en" else label

    def source(self, source_id: object) -> str:
        """The citation of a source (:func:`~cityscience.provenance.cite_source`), for footnotes."""
        return self.sources.get(str(source_id), str(source_id))

    def text(self, key: str) -> str:
        """A fixed chart phrase (see :data:`TEXT`) in this language."""
        return TEXT[key][self.lang]

    def value(self, row: Mapping) -> str:
        """An observation's value as its document states it (number, unit, qualifier, a range's upper end),
        written as this language writes it, through the one formatter; a derived value (``derived`` true:
        computed, not stated) to :data:`~cityscience.units.DERIVED_DIGITS` significant digits, as charts show it.

        >>> Labels(lang="en").value({"value": 1000, "unit": "家", "qualifier": "at_least", "value_high": None})
        '≥1,000'
        >>> Labels(lang="en").value({"value": 185, "unit": "亿元", "qualifier": "exact", "value_high": None})
        'CNY 18.5 bn'
        >>> Labels(lang="en").value({"value": 9808.46, "unit": "件", "qualifier": "approx", "derived": True})
        '≈9,810'
        """
        value, high = row["value"], row.get("value_high")
        derived = row.get("derived")
        if derived is not None and not pd.isna(derived) and bool(derived):
            value, high = significant(value), significant(high)
        return _format_value(value, row["unit"], self.lang, qualifier=row.get("qualifier", "exact"), value_high=high)

    def money(self, amount: float) -> str:
        """An amount in yuan (a ``value_std`` in CNY) as this language writes it: CNY 28.5 m, 2,850万元.

        >>> Labels(lang="en").money(2.851e7), Labels(lang="zh").money(1.85e10)
        ('CNY 28.51 m', '185亿元')
        """
        return _format_value(amount, "CNY", self.lang)

    def listing(self, items: Iterable[object]) -> str:
        """Items as a sentence lists them: 慈溪市、海曙区; Cixi and Haishu; Ningbo, Cixi and Haishu.

        >>> Labels(lang="en").listing(["Ningbo", "Cixi", "Haishu"]), Labels(lang="zh").listing(["慈溪市", "海曙区"])
        ('Ningbo, Cixi and Haishu', '慈溪市、海曙区')
        """
        items = [str(i) for i in items]
        if self.lang == "zh" or len(items) < 2:
            return self.text("names_sep").join(items)
        return self.text("names_sep").join(items[:-1]) + self.text("parts_sep") + items[-1]

    def template(self, key: str, table: Mapping[str, Mapping[str, str]] | None = None, /, **fields) -> str:
        """One sentence in this language from its template: ``table[key][lang]`` filled with ``fields``.

        ``table`` (default :data:`TEXT`) maps a sentence id to its ``zh`` and ``en``
        wording, so each sentence is written once per language instead of in
        ``if zh … else …`` branches; an unknown id or a missing language raises a
        KeyError naming what there is.
        """
        table = TEXT if table is None else table
        if key not in table:
            raise KeyError(f"no sentence {key!r}; expected one of {', '.join(sorted(table))}")
        if self.lang not in table[key]:
            raise KeyError(f"sentence {key!r} has no {self.lang!r} wording (has {', '.join(table[key])})")
        return table[key][self.lang].format(**fields)

    def comparability_note(self, obs: pd.DataFrame | None = None, *, regions: Iterable[object] = (),
                           years: Iterable[object] = (), about: str = "values") -> str:
        """A caveat for a chart that mixes kinds of places or years ("" when it does not).

        Names the administrative levels of the regions (with the region each
        belongs to) and the years, of ``obs`` or of ``regions`` and ``years``,
        e.g. "Note: compares different kinds of places (sub-provincial city:
        Ningbo, Hangzhou; county-level city: Cixi, part of Ningbo) and
        different years (2014, 2015, 2024); …". ``about="values"`` ends it
        with "so a difference need not reflect performance"; a chart of the
        documents themselves (what they state, which words they use) says
        ``about="documents"``: "Note: compares documents of …".
        """
        if about not in ("values", "documents"):
            raise ValueError(f"about={about!r}: expected 'values' or 'documents'")
        if obs is not None:
            regions, years = obs["region"], obs["year"]
        last = len(self.region_rank)
        regions = sorted({str(r) for r in regions if not pd.isna(r)}, key=lambda r: (self.region_rank.get(r, last), r))
        years = sorted({int(y) for y in years if not pd.isna(y)})
        say = self.template
        parts = []
        levels: dict[str, list[str]] = {}
        for r in regions:
            level = self.region_levels.get(r, "")
            name = self.region(r)
            parent = self.region_parents.get(r)
            if parent:
                name = say("part_of_region", name=name, parent=self.region(parent))
            levels.setdefault(level, []).append(name)
        nested = any(self.region_parents.get(r) in regions for r in regions)
        if len(levels) > 1 or nested:
            groups = self.text("groups_sep").join(
                say("level_group", level=self.term("admin_level", lvl), names=self.text("names_sep").join(names))
                for lvl, names in levels.items())
            parts.append(say("kinds_of_places", groups=groups))
        if len(years) > 1:
            parts.append(say("different_years", years=self.text("names_sep").join(str(y) for y in years)))
        if not parts:
            return ""
        key = "comparability_note" if about == "values" else "comparability_note_documents"
        return say(key, parts=self.text("parts_sep").join(parts))

    def source_note(self, source_ids: Iterable[object]) -> str:
        """The footnote naming every document in ``source_ids`` (sorted, each once)."""
        ids = sorted({str(s) for s in source_ids if not pd.isna(s)})
        if not ids:
            raise ValueError("a chart needs at least one source document for its footnote")
        return self.text("sources" if len(ids) > 1 else "source") + self.text("source_sep").join(self.source(s) for s in ids)
