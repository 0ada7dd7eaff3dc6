"""Sheet names and column headers of the exported workbook, in Chinese and English.

The import recognises a sheet or a header in either language (or the column's
code), so a workbook exported in one language can be edited and imported
back whatever the contributor's settings.
"""

from __future__ import annotations

from ..conventions import LANGUAGES

__all__ = ["COMPUTED_COLUMNS", "column_label", "header_aliases", "sheet_aliases", "sheet_desc", "sheet_name",
           "text"]

_SHEETS = {
    "readme": ("说明", "README"),
    "observations": ("观测值", "Observations"),
    "indicators": ("指标", "Indicators"),
    "units": ("单位", "Units"),
    "vocabularies": ("代码表", "Code lists"),
    "regions": ("地区", "Regions"),
    "sources": ("来源", "Sources"),
    "flags": ("一致性检查", "Consistency flags"),
    "figure": ("图数据 ", "Fig "),
}

# Columns of the observations sheet that the library computes; the import checks them, never stores them.
COMPUTED_COLUMNS = ("region_name", "indicator_name", "value_std", "value_high_std", "unit_std")

_COLUMNS = {
    # observations
    "obs_id": ("观测编号", "Observation ID"),
    "source_id": ("来源编号", "Source ID"),
    "region": ("地区代码", "Region code"),
    "region_name": ("地区", "Region name"),
    "year": ("年份", "Year"),
    "indicator": ("指标代码", "Indicator code"),
    "indicator_name": ("指标", "Indicator name"),
    "label_zh": ("原文表述", "Label as written (zh)"),
    "measure": ("度量", "Measure"),
    "status": ("状态", "Status"),
    "qualifier": ("限定", "Qualifier"),
    "value": ("数值", "Value"),
    "value_high": ("上限值", "Upper value"),
    "unit": ("单位", "Unit"),
    "value_std": ("标准单位数值", "Value in standard unit"),
    "value_high_std": ("标准单位上限值", "Upper value in standard unit"),
    "unit_std": ("标准单位", "Standard unit"),
    "evidence": ("原文证据", "Evidence (verbatim)"),
    "note": ("备注", "Note"),
    "variant": ("可比性变体", "Comparability variant"),
    # indicators
    "name_zh": ("中文名称", "Name (zh)"),
    "name_en": ("英文名称", "Name (en)"),
    "category": ("类别", "Category"),
    "kind": ("类型", "Kind"),
    "basis": ("计数口径", "Basis"),
    "scope": ("范围", "Scope"),
    "period": ("时段", "Period"),
    "definition": ("定义", "Definition"),
    "comparability": ("可比性说明", "Comparability"),
    "numerator": ("分子指标", "Numerator"),
    "denominator": ("分母指标", "Denominator"),
    "headline": ("概况排序", "Headline rank"),
    "group": ("分组", "Group"),
    # units
    "factor": ("换算系数", "Factor"),
    "description": ("说明", "Description"),
    "extract": ("抽取方式", "Extraction"),
    "display": ("图表单位", "Display unit"),
    "display_zh": ("中文图表单位名", "Chart unit label (zh)"),
    "display_en": ("英文图表单位名", "Chart unit label (en)"),
    "display_factor_en": ("英文图表换算系数", "Chart factor (en)"),
    "format_zh": ("中文数值格式", "Value format (zh)"),
    "format_en": ("英文数值格式", "Value format (en)"),
    "nonnegative": ("不为负", "Never negative"),
    # vocabularies
    "vocabulary": ("代码表", "Vocabulary"),
    "code": ("代码", "Code"),
    "label_en": ("英文标签", "Label (en)"),
    "kinds": ("适用指标类型", "Indicator kinds"),
    "body_level": ("本级机构级别", "Level of its bodies"),
    "cues": ("提示词", "Cue words"),
    "table_words": ("表头词", "Table header words"),
    "several": ("一文可有多值", "Several per document"),
    # regions
    "admin_level": ("行政级别", "Administrative level"),
    "parent": ("上级地区", "Parent region"),
    "division_code": ("行政区划代码", "Division code (GB/T 2260)"),
    "notes": ("说明", "Notes"),
    "short_zh": ("简称", "Short name (zh)"),
    "short_en": ("英文简称", "Short name (en)"),
    "color": ("图表颜色", "Chart colour"),
    # sources
    "issuer_zh": ("发文机关", "Issuer (zh)"),
    "issuer_en": ("发文机关(英文)", "Issuer (en)"),
    "title_zh": ("标题", "Title (zh)"),
    "title_en": ("标题(英文)", "Title (en)"),
    "doc_number": ("文号", "Document number"),
    "doc_type": ("文件类型", "Document type"),
    "published": ("发布日期", "Published"),
    "dated": ("成文日期", "Dated"),
    "report_year": ("报告年份", "Report year"),
    "years_covered": ("涉及年份", "Years covered"),
    "script": ("字体", "Script"),
    "encoding": ("编码", "Encoding"),
    "file_name": ("文件名", "File name"),
    "original_file_name": ("原始文件名", "Original file name"),
    "sha256": ("SHA-256 校验值", "SHA-256"),
    "defects": ("已知缺陷", "Known defects"),
    "url": ("网址", "URL"),
    "retrieved": ("获取日期", "Retrieved"),
    # consistency flags and region sheets
    "check": ("检查", "Check"),
    "obs_ids": ("观测编号", "Observation IDs"),
    "values": ("数值", "Values"),
    "explanation": ("说明", "Explanation"),
    # figure sheets
    "panel": ("分图", "Panel"),
    "shown": ("图中显示", "As shown"),
    "row": ("行", "Row"),
    "column": ("列", "Column"),
}
# vocabularies.label_zh is a label, not the observations' label_zh phrase
_TABLE_COLUMNS = {("vocabularies", "label_zh"): ("中文标签", "Label (zh)"),
                  # on group rows: the category the group divides, not the row's own subject area
                  ("vocabularies", "category"): ("所分类别", "Category divided"),
                  # the unit as the document writes it (万元, 位次), beside the computed standard unit
                  ("observations", "unit"): ("原文单位", "Unit as written (zh)")}
# Headers of earlier exports, still read by the import: a workbook edited before a header was renamed
# (the English "Unit" needs none: the import reads a column's code, "unit", whatever its case)
_FORMER_HEADERS = {("observations", "unit"): ("单位",)}

_TEXT = {
    "title": ("{regions}科技指标数据", "Science and technology indicators of {regions}"),
    "what": ("本工作簿收录从 {src} 份政府文件中整理的科技指标数值。每个数值对应一行观测值,附有原文证据(文件中的原句),"
             "可追溯到来源文件。",
             "This workbook holds the science-and-technology indicators curated from {src} government documents. "
             "Each value is one row of the Observations sheet, with the exact words of the document that state it, "
             "so every number can be traced to its sentence."),
    "cite_head": ("引用方式", "How to cite"),
    "cite": ("cityscience 数据(版本 {version}):{regions}科技指标,整理自 {src} 份政府文件。"
             "引用具体数值时请同时注明来源文件(见“来源”表)及观测编号。",
             "cityscience data, version {version}: science-and-technology indicators of {regions}, curated from "
             "{src} government documents. When citing a value, also cite its source "
             "document (sheet Sources) and its observation ID."),
    "version": ("数据版本", "Data version"),
    "as_of": ("数据日期(最新来源的发布日期)", "Data as of (newest source publication date)"),
    "digest": ("数据文件校验值(SHA-256 前 12 位)", "Data files checksum (first 12 hex digits of SHA-256)"),
    "library": ("cityscience 版本", "cityscience version"),
    "counts": ("规模", "Size"),
    "counts_value": ("{obs} 条观测值,{ind} 个指标,{src} 份来源文件,{reg} 个地区",
                     "{obs} observations, {ind} indicators, {src} source documents, {reg} regions"),
    "sheets": ("工作表", "Sheets"),
    "qualifiers": ("数值限定符号(地区表中)", "Qualifier marks (region sheets)"),
    "qualifier_marks": ("≈ 约数;≥ 下限(以上、超过);≤ 上限(以内);a–b 区间;无符号为确数",
                        "≈ approximate; ≥ at least; ≤ at most; a–b range; no mark: exact"),
    "import": ("修改与导入", "Editing and importing"),
    "import_text": ("可在“观测值”“指标”“单位”“代码表”“地区”“来源”表中修改或新增行,然后运行 "
                    "cityscience import-xlsx 文件名 导入:全部通过校验后才会写入 CSV。灰色表头的列由程序计算,导入时只核对不保存。"
                    "公式不会被导入。",
                    "Rows may be edited or added in the sheets Observations, Indicators, Units, Code lists, "
                    "Regions and Sources, then merged back with `cityscience import-xlsx FILE`: nothing is written "
                    "to the CSV files unless every row is valid. Columns with a grey header are computed by the "
                    "library; the import checks them but never stores them. Formulas are not imported."),
    "region_sheet": ("{name}:按指标与年份排列的数值(宽表),含状态与限定;口径、范围或时段不同的数值单列一行",
                     "{name}: values by indicator and year (wide form), with status and qualifier; a value of "
                     "another basis, scope or period on a row of its own"),
    "figure_sheet": ("{name}:图 {figure} 的数据", "{name}: the data behind figure {figure}"),
    "figure_title": ("标题", "Title"),
    "figure_notebook": ("笔记本", "Notebook"),
    "figure_sources": ("来源", "Sources"),
    "figure_footnote": ("图注", "Footnote"),
    "figure_values": ("图中数值:每个数值所示的观测值及其原文证据",
                      "Values plotted: the observation each shows, with its evidence"),
    "figure_cells": ("图中表格的数值(由数据计数或计算得出)", "Numbers of the tables drawn (counted or computed from the data)"),
    "figure_observations": ("图所涉及的观测值(该图未记录所绘数值)",
                            "Observations the figure names (it did not record the values it plots)"),
    "no_data": ("该地区暂无观测值。", "No observations for this region yet."),
    "count_unit": ("个数", "number"),
    "sheet_desc": {
        "observations": ("每个数值一行(整洁格式),含原文证据", "one row per value (tidy form), with its evidence"),
        "indicators": ("指标代码表:名称、定义、标准单位、可比性", "the codebook: names, definitions, standard units, "
                       "comparability"),
        "units": ("单位及其换算为标准单位的系数", "units as written and their factor to the standard unit"),
        "vocabularies": ("各代码列的取值及中英文标签", "allowed codes of every coded column, with labels"),
        "regions": ("各地区及其行政区划代码与图表颜色", "the regions, their division codes and chart colours"),
        "sources": ("来源文件:标题、文号、日期、SHA-256 校验值", "the source documents: titles, document numbers, dates, "
                    "SHA-256 checksums"),
        "flags": ("数值之间的一致性提示(供研究者参考,不是错误)", "consistency flags between values (warnings for "
                  "researchers, not errors)"),
    },
}


def text(key: str, lang: str, **fields: object) -> str:
    """A README phrase in ``lang`` with ``fields`` filled in."""
    pair = _TEXT[key]
    return pair[LANGUAGES.index(lang)].format(**fields)


def sheet_desc(key: str, lang: str) -> str:
    """The one-line description of sheet ``key`` in ``lang``, as the workbook's README lists it."""
    return _TEXT["sheet_desc"][key][LANGUAGES.index(lang)]


def sheet_name(key: str, lang: str) -> str:
    """Name of a fixed sheet (``readme``, ``observations``, …) in ``lang``."""
    return _SHEETS[key][LANGUAGES.index(lang)]


def sheet_aliases(key: str) -> tuple[str, ...]:
    """Every name a fixed sheet may have (both languages)."""
    return _SHEETS[key]


def column_label(column: str, lang: str, table: str | None = None) -> str:
    """Header of ``column`` in ``lang`` (the code itself for a column without a label)."""
    pair = _TABLE_COLUMNS.get((table, column)) or _COLUMNS.get(column)
    return pair[LANGUAGES.index(lang)] if pair else column


def header_aliases(column: str, table: str | None = None) -> tuple[str, ...]:
    """Headers the import accepts for ``column``: its code, its label in each language and any header an
    earlier export gave it."""
    pair = _TABLE_COLUMNS.get((table, column)) or _COLUMNS.get(column) or ()
    return (column, *pair, *_FORMER_HEADERS.get((table, column), ()))
