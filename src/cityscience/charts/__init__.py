"""Charts of the curated data that read right in Chinese and English and name their sources.

Typical use in a notebook::

    import cityscience as cs
    from cityscience import charts

    charts.set_theme("zh")                      # fonts, colours, reproducible export settings
    obs = cs.load_observations()
    fig, ax = charts.bar_by_region(obs, "hte_stock")
    charts.save_figure(fig, "02-hte-stock")     # 02-hte-stock-LANG.png/.svg/.pdf + index.csv: figures/ in a build, else build/interactive/figures/

Chart functions return ``(fig, ax)``; region colours, status styles and
qualifier symbols are fixed here so every chart of the project agrees.
"""

from .figures import (
    FIGURE_FORMATS,
    INDEX_COLUMNS,
    MIN_DPI,
    FigureInfo,
    MissingGlyphError,
    SavedFigure,
    attach_note,
    attach_sources,
    attach_table,
    figure_file_name,
    figure_info,
    layout_problems,
    load_figure_index,
    mark,
    read_figure_metadata,
    save_figure,
    source_footnote,
    write_figure_index,
)
from .fonts import CJKFont, find_cjk_font, has_glyphs, use_cjk_font
from .labels import LANGUAGES, QUALIFIER_SYMBOLS, Labels, display_unit, format_number, format_value
from .plots import (
    bar_by_region,
    coverage_heatmap,
    dumbbell,
    fact_table,
    grouped_hbar,
    hbar,
    heatmap,
    lines_over_years,
    region_profile,
    status_bars,
    style_legend,
)
from .prepare import APART_MARKS, chart_frame, target_gaps, with_derived
from .style import (
    DERIVED_STYLE,
    PALETTE,
    STATUS_STYLES,
    current_language,
    region_color,
    region_colors,
    region_order,
    series_colors,
    set_theme,
    status_style,
)

__all__ = [
    "APART_MARKS",
    "DERIVED_STYLE",
    "FIGURE_FORMATS",
    "INDEX_COLUMNS",
    "LANGUAGES",
    "MIN_DPI",
    "QUALIFIER_SYMBOLS",
    "PALETTE",
    "STATUS_STYLES",
    "CJKFont",
    "FigureInfo",
    "Labels",
    "MissingGlyphError",
    "SavedFigure",
    "attach_note",
    "attach_sources",
    "attach_table",
    "bar_by_region",
    "chart_frame",
    "coverage_heatmap",
    "current_language",
    "display_unit",
    "dumbbell",
    "fact_table",
    "figure_file_name",
    "figure_info",
    "find_cjk_font",
    "format_number",
    "format_value",
    "grouped_hbar",
    "has_glyphs",
    "hbar",
    "heatmap",
    "layout_problems",
    "lines_over_years",
    "load_figure_index",
    "mark",
    "read_figure_metadata",
    "region_color",
    "region_colors",
    "region_order",
    "series_colors",
    "region_profile",
    "save_figure",
    "set_theme",
    "source_footnote",
    "status_bars",
    "status_style",
    "style_legend",
    "target_gaps",
    "use_cjk_font",
    "with_derived",
    "write_figure_index",
]
