"""Chart functions on tiny inline fixtures: colours, status styles, qualifiers, derived values, languages."""

from __future__ import annotations

import os
import subprocess
import sys
import warnings

import matplotlib.colors as mcolors
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest
from matplotlib.patches import Rectangle
from matplotlib.text import Text

from cityscience import charts
from cityscience.charts import labels as labels_mod
from cityscience.charts import plots
from cityscience.provenance import one_line

REGIONS = pd.DataFrame({
    "region": ["ningbo", "hangzhou", "cixi", "haishu"],
    "name_zh": ["宁波市", "杭州市", "慈溪市", "海曙区"],
    "name_en": ["Ningbo", "Hangzhou", "Cixi", "Haishu"],
    "admin_level": ["sub_provincial_city", "sub_provincial_city", "county_level_city", "district"],
    "parent": [pd.NA, pd.NA, "ningbo", "ningbo"],
})
INDICATORS = pd.DataFrame({
    "indicator": ["hte_stock", "rd_intensity_gdp", "overseas_rd_institutions", "patent_grants", "fund_size"],
    "name_zh": ["高新技术企业数(存量)", "研发经费占GDP比重", "海外研发机构", "专利授权总量", "基金规模"],
    "name_en": ["High-tech enterprises (stock)", "R&D as a share of GDP", "Overseas R&D institutions",
                "Patents granted", "Fund size"],
    "category": ["enterprises", "rd", "cooperation", "patents", "finance"],
})
VOCAB = pd.DataFrame([
    ("status", "actual", "实际", "actual"), ("status", "estimate", "预计", "estimate"),
    ("status", "target", "目标", "target"), ("qualifier", "exact", "确数", "exact"),
    ("qualifier", "at_least", "下限", "at least"), ("qualifier", "range", "区间", "range"),
    ("admin_level", "sub_provincial_city", "副省级城市", "sub-provincial city"),
    ("admin_level", "county_level_city", "县级市", "county-level city"),
    ("admin_level", "district", "市辖区", "district"),
    ("category", "enterprises", "企业培育", "enterprises"), ("category", "rd", "研发投入", "R&D"),
    ("measure", "level", "水平", "level"), ("measure", "yoy_pct", "同比增速", "year-on-year growth (%)"),
], columns=["vocabulary", "code", "label_zh", "label_en"])
SOURCES = pd.DataFrame({
    "source_id": ["nb-sum", "nb-plan", "hz-sum", "cx-sum"],
    "issuer_zh": ["宁波市科学技术局", "宁波市人民政府办公厅", "杭州市科学技术委员会", "慈溪市科学技术局"],
    "issuer_en": ["Ningbo S&T Bureau", "Ningbo Government Office", "Hangzhou S&T Commission", "Cixi S&T Bureau"],
    "title_zh": ["宁波市科技局2014年工作总结", "宁波市人民政府办公厅关于印发实施方案的通知", "杭州市2015年工作总结",
                 "市科技局2024年工作总结"],
    "title_en": ["2014 work summary", "Ningbo Government Office: implementation plan", "2015 summary",
                 "2024 summary"],
    "doc_number": [pd.NA, "甬政办发〔2017〕5号", pd.NA, pd.NA],
    "published": pd.to_datetime(["2015-04-14", "2017-01-09", "2017-10-12", "2025-02-20"]),
})


def _obs(rows):
    cols = ["obs_id", "source_id", "region", "year", "indicator", "measure", "status", "qualifier",
            "value", "value_high", "unit", "value_std", "value_high_std", "unit_std"]
    df = pd.DataFrame(rows, columns=cols)
    for c in ("year",):
        df[c] = df[c].astype("Int64")
    for c in ("value", "value_high", "value_std", "value_high_std"):
        df[c] = df[c].astype("Float64")
    for c in ("source_id", "region", "indicator", "measure", "status", "qualifier", "unit", "unit_std"):
        df[c] = df[c].astype("category")
    return df


OBS = _obs([
    ("o1", "nb-sum", "ningbo", 2014, "hte_stock", "level", "actual", "exact", 1167, None, "家", 1167, None, "count"),
    ("o2", "nb-plan", "ningbo", 2020, "hte_stock", "level", "target", "exact", 2600, None, "家", 2600, None, "count"),
    ("o3", "hz-sum", "hangzhou", 2015, "hte_stock", "level", "actual", "exact", 1979, None, "家", 1979, None, "count"),
    ("o4", "cx-sum", "cixi", 2024, "hte_stock", "level", "actual", "at_least", 1000, None, "家", 1000, None, "count"),
    ("o5", "cx-sum", "cixi", 2024, "hte_stock", "level", "estimate", "at_least", 1000, None, "家", 1000, None,
     "count"),
    ("o6", "nb-sum", "ningbo", 2014, "rd_intensity_gdp", "level", "estimate", "exact", 2.35, None, "%", 2.35, None,
     "percent"),
    ("o7", "nb-plan", "ningbo", 2020, "rd_intensity_gdp", "level", "target", "exact", 3.2, None, "%", 3.2, None,
     "percent"),
    ("o8", "nb-plan", "ningbo", 2020, "overseas_rd_institutions", "level", "target", "range", 5, 10, "家", 5, 10,
     "count"),
    ("o9", "hz-sum", "hangzhou", 2015, "patent_grants", "level", "actual", "exact", 46254, None, "件", 46254, None,
     "count"),
    ("o10", "hz-sum", "hangzhou", 2015, "patent_grants", "yoy_pct", "actual", "exact", 37.85, None, "%", 37.85, None,
     "percent"),
    ("o11", "hz-sum", "hangzhou", 2015, "fund_size", "level", "actual", "exact", 46.5, None, "亿元", 4.65e9, None,
     "CNY"),
    ("o12", "hz-sum", "hangzhou", 2016, "fund_size", "level", "target", "exact", 60, None, "亿元", 6.0e9, None, "CNY"),
])


@pytest.fixture(scope="module")
def zh():
    return charts.Labels.from_frames("zh", regions=REGIONS, indicators=INDICATORS, vocabularies=VOCAB, sources=SOURCES)


@pytest.fixture(scope="module")
def en():
    return charts.Labels.from_frames("en", regions=REGIONS, indicators=INDICATORS, vocabularies=VOCAB, sources=SOURCES)


@pytest.fixture(autouse=True, scope="module")
def theme():
    charts.set_theme("zh")


def _derived(obs):
    """What cs.derive_previous_levels adds: a previous-year level marked derived."""
    row = obs[obs["obs_id"] == "o9"].copy()
    row["obs_id"] = "derived:o9"
    row["year"] = pd.array([2014], dtype="Int64")
    row["qualifier"] = pd.Categorical(["approx"], categories=[*obs["qualifier"].cat.categories, "approx"])
    row["value_std"] = pd.array([46254 / 1.3785], dtype="Float64")
    out = pd.concat([obs.assign(derived=False), row.assign(derived=True)], ignore_index=True)
    return out


def _bars(ax):
    return [p for p in ax.patches if isinstance(p, Rectangle) and p.get_width() > 0 and p.get_height() > 0]


def _texts(ax):
    return [t.get_text() for t in ax.texts]


def test_bar_by_region_colours_statuses_and_qualifiers(zh):
    fig, ax = charts.bar_by_region(OBS, "hte_stock", labels=zh)
    bars = _bars(ax)
    assert len(bars) == 5  # one bar per region, year and status
    rows = OBS[OBS["indicator"] == "hte_stock"].sort_values(["region", "year"])
    by_height = {}
    for bar in bars:
        by_height.setdefault(round(bar.get_height()), []).append(bar)
    ningbo_actual, = by_height[1167]
    ningbo_target, = by_height[2600]
    assert mcolors.to_hex(ningbo_actual.get_facecolor()) == charts.region_colors()["ningbo"].lower()
    assert mcolors.to_hex(ningbo_target.get_facecolor()) == "#ffffff"  # hollow
    assert mcolors.to_hex(ningbo_target.get_edgecolor()) == charts.region_colors()["ningbo"].lower()
    assert ningbo_target.get_hatch() == charts.STATUS_STYLES["target"].hatch
    assert ningbo_actual.get_hatch() in (None, "")
    cixi = by_height[1000]
    assert {b.get_hatch() or "" for b in cixi} == {"", charts.STATUS_STYLES["estimate"].hatch}
    assert {mcolors.to_hex(b.get_edgecolor()) for b in cixi} == {charts.region_colors()["cixi"].lower()}
    assert _texts(ax).count("≥1,000") == 2
    assert "2,600" in _texts(ax)
    ticks = [t.get_text() for t in ax.get_xticklabels()]
    assert "2020\n目标" in ticks and "2024\n预计" in ticks
    assert ax.get_title(loc="left") == "高新技术企业数(存量)"
    assert len(rows) == len(bars)
    info = charts.figure_info(fig)
    assert info.sources == {"nb-sum", "nb-plan", "hz-sum", "cx-sum"}
    assert info.regions == {"ningbo", "hangzhou", "cixi"}
    assert info.indicators == {"hte_stock"} and info.lang == "zh"


def test_same_chart_in_english(zh, en):
    fig_zh, ax_zh = charts.bar_by_region(OBS, "hte_stock", labels=zh)
    fig_en, ax_en = charts.bar_by_region(OBS, "hte_stock", labels=en, lang="en")
    assert [b.get_height() for b in _bars(ax_zh)] == [b.get_height() for b in _bars(ax_en)]
    assert ax_en.get_title(loc="left") == "High-tech enterprises (stock)"
    ticks = [t.get_text() for t in ax_en.get_xticklabels()]
    assert "2020\ntarget" in ticks
    legend = [t.get_text() for t in ax_en.get_legend().get_texts()]
    assert legend == ["actual", "estimate", "target", "at least the value shown"]  # Cixi's ≥1,000
    assert charts.figure_info(fig_en).lang == "en"


def test_region_keeps_its_colour_in_every_chart(zh):
    _, ax_bar = charts.bar_by_region(OBS, "hte_stock", labels=zh)
    _, ax_line = charts.lines_over_years(OBS, "hte_stock", labels=zh)
    _, ax_h = charts.hbar(OBS[OBS["indicator"] == "hte_stock"], labels=zh)
    colours = charts.region_colors()
    for region in ("ningbo", "hangzhou", "cixi"):
        colour = colours[region].lower()
        assert colour in {mcolors.to_hex(b.get_edgecolor()) for b in _bars(ax_bar)}
        assert colour in {mcolors.to_hex(line.get_color()) for line in ax_line.get_lines()}
        assert colour in {mcolors.to_hex(b.get_edgecolor()) for b in _bars(ax_h)}
    assert len(set(colours.values())) == len(colours)


def test_region_colours_come_from_the_regions_table_and_fill_in_from_the_palette():
    regions = pd.DataFrame({"region": ["a", "b", "c", "d"], "color": ["#E69F00", pd.NA, "#0072b2", pd.NA]})
    colours = charts.region_colors(regions)
    assert colours == {"a": "#E69F00", "b": "#009E73", "c": "#0072b2", "d": "#CC79A7"}
    nine = pd.DataFrame({"region": [f"r{i}" for i in range(9)], "color": [pd.NA] * 9})
    assert list(charts.region_colors(nine).values())[:8] == list(charts.PALETTE)  # then the palette repeats


def test_unknown_region_gets_a_stable_extra_colour():
    """The same colour in every process (figures from different kernels must agree), not a hash-seeded one."""
    script = "from cityscience import charts; print(charts.region_color('wenzhou'))"
    colours = {subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True,
                              env={**os.environ, "PYTHONHASHSEED": seed}).stdout.strip() for seed in ("1", "2")}
    assert colours == {charts.region_color("wenzhou")}
    assert charts.region_color("wenzhou") in charts.PALETTE
    assert charts.region_order(["haishu", "wenzhou", "ningbo"]) == ["ningbo", "haishu", "wenzhou"]


def test_a_chart_drawn_before_set_theme_has_its_chinese_font():
    """A student who forgets charts.set_theme() gets the theme of the chart's language, not boxes for 汉字."""
    script = ("import warnings; warnings.simplefilter('error', UserWarning)\n"
              "import matplotlib; matplotlib.use('Agg')\n"
              "import cityscience as cs; from cityscience import charts\n"
              "obs = cs.load_observations()\n"
              "fig, ax = charts.bar_by_region(cs.select(obs, indicator='hte_new'), 'hte_new')\n"
              "fig.canvas.draw(); print(charts.current_language())")
    run = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True)
    assert run.returncode == 0 and run.stdout.strip() == "zh", run.stderr[-2000:]


def test_range_is_drawn_as_an_interval(zh):
    fig, ax = charts.bar_by_region(OBS, "overseas_rd_institutions", labels=zh)
    assert "5–10" in _texts(ax)
    segments = [seg for coll in ax.collections for seg in coll.get_segments()]
    assert any(np.allclose(sorted(seg[:, 1]), [5, 10]) for seg in segments)


def test_derived_values_are_marked(zh):
    data = _derived(OBS)
    fig, ax = charts.bar_by_region(data, "patent_grants", labels=zh)
    hatches = {b.get_hatch() for b in _bars(ax)}
    assert charts.DERIVED_STYLE.hatch in hatches
    assert any("推算值" in t and t.startswith("≈") for t in _texts(ax))
    assert "推算值" in [t.get_text() for t in ax.get_legend().get_texts()]
    _, ax_line = charts.lines_over_years(data, "patent_grants", labels=zh)
    markers = {line.get_marker() for line in ax_line.get_lines()}
    assert charts.DERIVED_STYLE.marker in markers


def test_lines_over_years_breaks_lines_towards_targets(zh):
    _, ax = charts.lines_over_years(OBS, "hte_stock", labels=zh)
    styles = {(mcolors.to_hex(line.get_color()), line.get_linestyle()) for line in ax.get_lines()
              if len(line.get_xdata()) == 2}
    assert (charts.region_colors()["ningbo"].lower(), ":") in styles  # 2014 actual → 2020 target: dotted
    hollow = [line for line in ax.get_lines() if line.get_marker() == "D"]
    assert hollow and all(mcolors.to_hex(line.get_markerfacecolor()) == "#ffffff" for line in hollow)


def test_hbar_single_unit_and_log_scale(zh):
    fig, ax = charts.hbar(OBS[OBS["indicator"] == "fund_size"], labels=zh, log=True)
    assert ax.get_xscale() == "log"
    assert ax.get_xlabel() == "亿元"
    labels = [t.get_text() for t in ax.get_yticklabels()]
    assert labels == ["基金规模，2015", "基金规模，2016，目标"]
    assert "60亿元" in _texts(ax) and "46.5亿元" in _texts(ax)  # on a log axis, each value with its unit
    # a dot per value, no bars (a bar's length means nothing on a log axis); the target's dot is hollow
    assert not ax.patches
    dots = {line.get_marker(): line for line in ax.get_lines() if len(line.get_xdata()) == 1}
    assert sorted(dots) == ["D", "o"] and mcolors.to_hex(dots["D"].get_markerfacecolor()) == "#ffffff"
    assert {float(line.get_xdata()[0]) for line in dots.values()} == {60.0, 46.5}
    legend = ax.get_legend()
    assert legend is not None and all(h.get_linestyle() == "None" for h in legend.legend_handles)
    # a value not alike with the others keeps its region's colour and gets a dark ring
    import cityscience as cs

    own = cs.load_indicators().set_index("indicator").loc["vc_guidance_fund_size", "scope"]
    scopes = cs.load_vocabularies().query("vocabulary == 'scope'")["code"]
    other = scopes[scopes != own].iloc[0]
    rows = cs.select(cs.load_observations(), indicator="vc_guidance_fund_size", measure="level").copy()
    rows["variant"] = [other] + [""] * (len(rows) - 1)  # the first drawn apart: another scope
    assert len(rows) > 1 and charts.chart_frame(rows)["apart"].sum() == 1
    fig, ax = charts.hbar(rows, labels=zh, log=True)
    dots = [line for line in ax.get_lines() if len(line.get_xdata()) == 1]
    assert len(dots) == len(rows) + 1  # one more: the ring around the value drawn apart
    ring = [d for d in dots if mcolors.to_hex(d.get_markeredgecolor()) == "#222222"]
    assert len(ring) == 1 and ring[0].get_markerfacecolor() == "none"
    colour = charts.region_color(str(rows["region"].iloc[0])).lower()
    assert sum(mcolors.to_hex(d.get_markeredgecolor()) == colour for d in dots) >= 1  # the dot keeps its colour
    fig, ax = charts.hbar(OBS[OBS["indicator"] == "fund_size"], labels=zh)
    assert len(ax.patches) == 2  # on a linear axis, bars


def test_a_chart_of_small_amounts_is_drawn_in_the_smaller_unit(zh):
    """Amounts all below 1 亿元 (CNY 1 bn) are drawn in 万元 (CNY m): the axis and the bare labels agree."""
    small = OBS[OBS["indicator"] == "fund_size"].assign(value_std=lambda d: d["value_std"] / 1000)
    fig, ax = charts.bar_by_region(small, labels=zh)
    assert ax.get_ylabel() == "万元"
    assert "600" in _texts(ax) and "465" in _texts(ax)
    fig, ax = charts.bar_by_region(small, lang="en")
    assert ax.get_ylabel() == "CNY m" and "6" in _texts(ax) and "4.65" in _texts(ax)


def test_chart_frame_refuses_mixed_units_and_empty_selections():
    with pytest.raises(ValueError, match="one chart, one unit"):
        charts.chart_frame(OBS)
    with pytest.raises(ValueError, match="nothing to draw: none of the .* observations passed has indicator "
                       "'hte_new', measure 'level' \\(they have indicator "):
        charts.chart_frame(OBS, indicator="hte_new")  # a code of the codebook these rows do not have
    with pytest.raises(ValueError, match="nothing to draw: the observations passed have no rows"):
        charts.chart_frame(OBS.iloc[:0], indicator="hte_stock")  # a filter left nothing
    with pytest.raises(ValueError, match="'hte_stok' not known \\(did you mean 'hte_stock'\\?\\)"):
        charts.chart_frame(OBS, indicator="hte_stok")
    with pytest.raises(ValueError, match="'yoy' not known \\(did you mean 'yoy_pct'\\?\\)"):
        charts.chart_frame(OBS, indicator="hte_stock", measure="yoy")
    with pytest.raises(ValueError, match="lack the column"):
        charts.chart_frame(OBS.drop(columns=["unit_std"]))
    frame = charts.chart_frame(OBS, indicator="hte_stock")
    assert frame["derived"].eq(False).all() and frame["year"].dtype.kind == "i"


def test_bar_by_region_needs_one_indicator(zh):
    with pytest.raises(ValueError, match="one indicator"):
        charts.bar_by_region(OBS[OBS["unit_std"] == "count"], labels=zh)


def test_target_gaps_pairs_targets_with_the_latest_earlier_level():
    gaps = charts.target_gaps(OBS).set_index("target_obs_id")
    hte = gaps.loc["o2"]
    assert hte["base_obs_id"] == "o1" and hte["base_year"] == 2014 and hte["years"] == 6
    assert hte["required_growth_pct"] == pytest.approx(((2600 / 1167) ** (1 / 6) - 1) * 100)
    assert hte["progress_pct"] == pytest.approx(1167 / 2600 * 100)
    assert hte["sources"] == "nb-plan;nb-sum"
    rd = gaps.loc["o7"]
    assert rd["base_status"] == "estimate"  # no actual: the estimate is the base
    assert pd.isna(gaps.loc["o8", "base_obs_id"])  # a target with nothing before it
    assert not gaps.loc["o12", "target_below_base"]
    lower = charts.target_gaps(_obs([
        ("a", "s", "hangzhou", 2015, "x", "level", "actual", "exact", 30280, None, "件", 30280, None, "count"),
        ("t", "s", "hangzhou", 2016, "x", "level", "target", "exact", 28500, None, "件", 28500, None, "count"),
    ]))
    assert lower["target_below_base"].iloc[0]
    assert lower["required_growth_pct"].iloc[0] == pytest.approx((28500 / 30280 - 1) * 100)
    # needs_growth: a growth that shows as more than 0.0 % a year; not below, at or a hair above the base
    assert hte["needs_growth"] and not lower["needs_growth"].iloc[0]
    close = charts.target_gaps(_obs([
        ("a", "s", "hangzhou", 2015, "x", "level", "actual", "exact", 10000, None, "件", 10000, None, "count"),
        ("t", "s", "hangzhou", 2016, "x", "level", "target", "exact", 10004, None, "件", 10004, None, "count"),
        ("b", "s", "hangzhou", 2015, "y", "level", "actual", "exact", 10000, None, "件", 10000, None, "count"),
        ("u", "s", "hangzhou", 2016, "y", "level", "target", "exact", 10006, None, "件", 10006, None, "count"),
    ])).set_index("indicator")
    assert close.loc["x", "required_growth_pct"] > 0 and not close.loc["x", "needs_growth"]  # 0.04 % shows as 0.0
    assert close.loc["y", "needs_growth"]  # 0.06 % shows as 0.1
    assert not gaps.loc["o8", "needs_growth"]  # nothing before it, no growth


def test_dumbbell_puts_targets_at_100(zh):
    gaps = charts.target_gaps(OBS)
    fig, ax = charts.dumbbell(gaps, labels=zh)
    paired = gaps[gaps["base_value_std"].notna()]
    assert len(ax.get_yticklabels()) == len(paired)
    diamonds = [line for line in ax.get_lines() if line.get_marker() == "D"]
    assert {float(line.get_xdata()[0]) for line in diamonds} == {100.0}
    bases = {round(float(line.get_xdata()[0]), 3) for line in ax.get_lines() if line.get_marker() in ("o", "s")}
    assert round(1167 / 2600 * 100, 3) in bases
    assert any("需年均增长 14.3%" in t for t in _texts(ax))
    # a target below its base, or at it, needs no growth: the label says so instead of a negative "need"
    pairs = _obs([
        ("a", "s", "hangzhou", 2015, "x", "level", "actual", "exact", 30280, None, "件", 30280, None, "count"),
        ("t", "s", "hangzhou", 2016, "x", "level", "target", "exact", 28500, None, "件", 28500, None, "count"),
        ("b", "s", "hangzhou", 2015, "y", "level", "actual", "exact", 10, None, "件", 10, None, "count"),
        ("u", "s", "hangzhou", 2016, "y", "level", "target", "exact", 10, None, "件", 10, None, "count"),
        ("c", "s", "hangzhou", 2015, "z", "level", "actual", "exact", 1500, None, "件", 1500, None, "count"),
        ("v", "s", "hangzhou", 2016, "z", "level", "target", "exact", 100, None, "件", 100, None, "count"),
    ])
    for lang, below, level in (("en", "; target below the 2015 level", "; target at the 2015 level"),
                               ("zh", "；目标低于2015年水平", "；目标与2015年持平")):
        fig, ax = charts.dumbbell(charts.target_gaps(pairs), labels=charts.Labels.load(lang), lang=lang)
        texts = _texts(ax)
        assert any(t.endswith(below) and "28,500" in t for t in texts), texts
        assert any(t.endswith(level) and "10" in t for t in texts), texts
        assert not any("-" in t.split("→")[-1] for t in texts if "→" in t)  # no negative growth shown
        fig.canvas.draw()
        ticks = [t.get_text() for t in ax.get_xticklabels()]
        assert "1,000" in ticks and "1000" not in ticks, ticks  # grouped as the labels' values are
    with pytest.raises(ValueError, match="nothing to draw"):
        charts.dumbbell(gaps[gaps["base_value_std"].isna()], labels=zh)


def test_room_made_for_value_labels_carries_no_ticks_beyond_the_values(zh):
    # the value axis is widened for the labels written right of the points; the scale ends at the first
    # tick at or past the largest value, so the blank room does not read as part of the scale
    gaps = charts.target_gaps(OBS)
    fig, ax = charts.dumbbell(gaps, labels=zh)
    fig.canvas.draw()
    largest = max(100.0, float(gaps["progress_pct"].max()))
    ticks = list(ax.get_xticks())
    assert ax.get_xlim()[1] > largest * 1.2, "the labels need room beyond the points"
    assert len([t for t in ticks if t >= largest - 1e-9]) == 1  # one tick at or past the largest point, no more
    grid = [line for line in ax.get_xgridlines() if line.get_visible()]
    assert len(grid) == len(ticks)
    fig, ax = charts.hbar(OBS[OBS["indicator"] == "hte_stock"], labels=zh)
    values = OBS.loc[OBS["indicator"] == "hte_stock", "value_std"]
    top = float(values.max())
    assert ax.get_xlim()[1] > top and max(ax.get_xticks()) < ax.get_xlim()[1]
    assert len([t for t in ax.get_xticks() if t >= top - 1e-9]) == 1


def test_heatmap_cells_round_halves_up_as_a_reader_does(zh):
    table = pd.DataFrame([[12.5, 4.25], [0.5, None]], columns=["a", "b"], index=["x", "y"])
    _, ax = charts.heatmap(table, sources=["x"], labels=zh, title="t")
    assert [t.get_text() for t in ax.texts] == ["13", "4", "1"]  # not 12 and 0 (to even); no text for NaN
    _, ax = charts.heatmap(table, sources=["x"], labels=zh, title="t", fmt=".1f")
    assert [t.get_text() for t in ax.texts] == ["12.5", "4.3", "0.5"]


def test_heatmap_and_coverage(zh):
    categories = INDICATORS[["indicator", "category"]]
    fig, ax = charts.coverage_heatmap(OBS, rows="category", labels=zh, categories=categories)
    per_category = OBS["indicator"].astype(str).map(dict(zip(categories["indicator"], categories["category"],
                                                             strict=True))).value_counts()
    count_of = {zh.term("category", c): n for c, n in per_category.items()}
    shown = [t.get_text() for t in ax.get_yticklabels()]
    assert sorted(shown) == sorted(count_of)  # one row per category present, named from the vocabulary
    assert [count_of[s] for s in shown] == sorted(count_of.values(), reverse=True)  # most values first
    assert "宁波市\n2014" in [t.get_text() for t in ax.get_xticklabels()]
    assert charts.figure_info(fig).sources == set(OBS["source_id"].astype(str))
    with pytest.raises(ValueError, match="rows"):
        charts.coverage_heatmap(OBS, rows="nonsense", labels=zh)
    # an empty (NaN) cell shows the background, not grid lines drawn through it
    table = pd.DataFrame({"a": [1.0, np.nan], "b": [np.nan, 2.0]}, index=["x", "y"])
    fig, ax = charts.heatmap(table, sources=["nb-sum"], labels=zh)
    fig.canvas.draw()
    assert not any(line.get_visible() for line in ax.get_xgridlines() + ax.get_ygridlines())
    with pytest.raises(ValueError, match="empty"):
        charts.heatmap(pd.DataFrame(), sources=["nb-sum"], labels=zh)


def test_subject_areas_standing_alone_are_in_sentence_case_in_english(en):
    """A row of the coverage heatmap or of a profile's subject areas is a name on its own: Finance, Patents and IP,
    R&D (the vocabulary's labels are lowercase, for use inside a sentence)."""
    categories = INDICATORS[["indicator", "category"]]
    fig, ax = charts.coverage_heatmap(OBS, rows="category", labels=en, lang="en", categories=categories)
    shown = [t.get_text() for t in ax.get_yticklabels()]
    lowered = {en.term("category", c) for c in categories["category"]}
    assert shown and all(s[:1].isupper() for s in shown), shown
    assert all(s in lowered or s[:1].lower() + s[1:] in lowered for s in shown), (shown, lowered)
    assert "R&D" in shown and any(s != s.lower() and s[1:] == s[1:].lower() for s in shown)
    plt.close("all")


def test_fact_table_writes_qualified_values_with_units(zh, en):
    facts = OBS[OBS["region"] == "ningbo"]
    fig, ax = charts.fact_table(facts, labels=zh)
    texts = _texts(ax)
    assert "5–10家" in texts and "3.2%" in texts and "2.35%" in texts
    hollow = [line for line in ax.get_lines() if line.get_marker() in ("D", "s")]
    assert hollow and all(mcolors.to_hex(line.get_markerfacecolor()) == "#ffffff" for line in hollow)
    fig, ax = charts.fact_table(facts, labels=en, lang="en")
    assert "Indicator" in _texts(ax) and "target" in _texts(ax)


def test_a_fact_table_leaves_out_the_unit_its_indicator_name_already_says():
    """06-profile-ningbo: "Invention patents in force per 10,000 residents … 38 per 10,000 residents" crowded
    the status column; the value reads 38 there, and values of other units keep theirs."""
    import cityscience as cs

    obs, en = cs.load_observations(), charts.Labels.load("en")
    per = obs[obs["unit_std"] == "per_10k_people"]
    assert len(per), "no value per 10,000 residents in the data: this test checks nothing"
    facts = pd.concat([per.head(1), obs[obs["unit_std"] == "CNY"].head(1)])
    _, ax = charts.fact_table(facts, labels=en, lang="en")
    values = [t.get_text() for t in ax.texts if t.get_position()[0] == 0.99][1:]  # the value column
    unit = charts.format_value(1, "per_10k_people", "en").replace("1", "", 1).strip()
    assert unit in en.indicator(per["indicator"].iloc[0])
    assert values[0] == charts.format_value(per["value_std"].iloc[0], "per_10k_people", "en", bare=True)
    assert values[1].startswith("CNY ")
    plt.close("all")


def test_a_fact_table_of_several_regions_names_each_rows_region(en):
    """Only the marker's colour said whose value a row was (03-plans: Cixi and Haishu)."""
    several = OBS[OBS["indicator"] == "hte_stock"]
    assert several["region"].nunique() > 1
    fig, ax = charts.fact_table(several, labels=en, lang="en")
    names = [t.get_text() for t in ax.texts if t.get_position()[0] == 0.0][1:]  # the indicator column
    assert len(names) == len(several)
    assert sorted(names) == sorted(f"{en.indicator('hte_stock')} ({en.region(r)})" for r in several["region"])
    fig, ax = charts.fact_table(several[several["region"] == "ningbo"], labels=en, lang="en")
    assert en.indicator("hte_stock") in _texts(ax) and "(Ningbo)" not in " ".join(_texts(ax))
    plt.close("all")


def test_a_legend_hidden_before_saving_stays_hidden(tmp_path):
    """A legend under the axes is placed again when the figure is saved; one the user hid stays hidden."""
    from matplotlib.legend import Legend

    import cityscience as cs

    obs = cs.load_observations()
    fig, ax = charts.bar_by_region(obs[(obs["indicator"] == "hte_new") & (obs["measure"] == "level")], lang="en")
    assert ax.get_legend() is not None
    ax.get_legend().set_visible(False)
    charts.save_figure(fig, "02-hidden-legend", folder=tmp_path, update_index=False, show=False)
    assert all(not legend.get_visible() for legend in fig.findobj(Legend))
    plt.close(fig)


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_panel_titles_are_wrapped_to_their_panels_when_saved(tmp_path, lang):
    """07-derived-levels: a panel's title, wrapped to a width estimated before the layout, ran past its
    panel (its tick labels take part of the width); saved, every title fits its axes."""
    import cityscience as cs

    obs = cs.load_observations()
    rows = obs[(obs["indicator"] == "hte_new") & (obs["measure"] == "level")]
    long = {"en": "Ningbo: Income tax relief from the R&D super-deduction and the high-tech enterprise preference",
            "zh": "宁波市：研发费用加计扣除和高新技术企业所得税优惠减免税额"}[lang]
    fig, axes = plt.subplots(1, 4, figsize=(13, 3.6), squeeze=False)
    for ax in axes.flat:
        charts.bar_by_region(rows, "hte_new", ax=ax, lang=lang, title=long, show_level=False)
        ax.get_legend().remove()
    charts.save_figure(fig, "07-panels", folder=tmp_path, update_index=False, show=False, title="panels")
    renderer = fig.canvas.get_renderer()
    for ax in axes.flat:
        title = [t for t in ax.get_children() if isinstance(t, Text) and t.get_text() == ax.get_title("left")][0]
        assert title.get_window_extent(renderer).width <= ax.get_window_extent(renderer).width + 1, title.get_text()
        assert " ".join(title.get_text().split()) == long if lang == "en" else title.get_text().replace("\n", "") == long
    plt.close(fig)


def test_status_bars_keep_the_longest_bar_clear_of_the_frame(en):
    counts = pd.DataFrame({"actual": [12, 6], "target": [0, 2]}, index=["R&D", "talent"])
    fig, ax = charts.status_bars(counts, color="#0072b2", labels=en, lang="en")
    assert ax.get_xlim()[1] > 12
    plt.close(fig)


def test_format_value_and_units():
    assert charts.format_value(1000, qualifier="at_least") == "≥1,000"
    assert charts.format_value(70, "家", "zh", qualifier="approx") == "≈70家"
    assert charts.format_value(5, "家", "zh", qualifier="range", value_high=10) == "5–10家"
    assert charts.format_value(3, "%", "zh", qualifier="at_most") == "≤3%"
    assert charts.format_value(31.97, "no-such-unit", "en") == "31.97 no-such-unit"  # a label, not a unit
    assert charts.format_number(2.35) == "2.35" and charts.format_number(1212.6) == "1,212.6"
    assert charts.format_number(0.0123) == "0.0123" and charts.format_number(float("nan")) == "–"
    with pytest.raises(ValueError, match="qualifier"):
        charts.format_value(1, qualifier="roughly")
    assert charts.display_unit("CNY", "zh") == (1e8, "亿元")
    assert charts.display_unit("CNY", "en") == (1e9, "CNY bn")
    with pytest.raises(ValueError, match="language"):
        charts.display_unit("CNY", "fr")
    with pytest.raises(ValueError, match="language"):
        charts.format_value(1, "亿元", "fr")


@pytest.mark.parametrize("value, unit, lang, expected", [
    (185, "亿元", "zh", "185亿元"),                 # Chinese keeps 亿元
    (185, "亿元", "en", "CNY 18.5 bn"),             # English: billions, currency first
    (1.85e10, "CNY", "en", "CNY 18.5 bn"),          # a standard unit converts the same way
    (1.85e10, "CNY", "zh", "185亿元"),
    (2832, "件", "zh", "2,832件"),                   # counts keep the unit as written in Chinese
    (2832, "件", "en", "2,832"),                     # and are plain numbers in English
    (1167, "count", "zh", "1,167"),                 # a count without its written unit
    (12.5, "%", "en", "12.5%"),
    (3, "个百分点", "zh", "3个百分点"),
    (3, "个百分点", "en", "3 pp"),
    (2, "倍", "en", "2×"),
    (31.97, "万平方米", "en", "319,700 m²"),         # no "10,000 m²" calque
    (31.97, "万平方米", "zh", "31.97万平方米"),
    (1.2, "万家", "zh", "12,000家"),                 # shown in 家: the written 万家 would misstate the number
    (150, "万人", "zh", "1,500,000人"),              # and 万人 in 人, the unit it scales
    (150, "万人", "en", "1,500,000"),
])
def test_one_formatter_for_both_languages(value, unit, lang, expected):
    assert charts.format_value(value, unit, lang) == expected


def test_the_formatter_follows_the_units_codebook():
    """Every display row's pattern is used as written: the formatter has no unit of its own."""
    from cityscience.units import display_units

    for std, shown in display_units().items():
        for lang in ("zh", "en"):
            text = charts.format_value(shown.factors[lang] * 1234, std, lang)
            assert text == shown.formats[lang].format(value="1,234", written=""), (std, lang)


def test_the_formatter_takes_the_theme_language():
    charts.set_theme("en")
    try:
        assert charts.format_value(185, "亿元") == "CNY 18.5 bn"
    finally:
        charts.set_theme("zh")
    assert charts.format_value(185, "亿元") == "185亿元"


def test_labels_fall_back_to_codes_and_name_sources(zh, en):
    assert zh.region("ningbo") == "宁波市" and en.region("ningbo") == "Ningbo"
    assert zh.indicator("unknown_code") == "unknown_code"
    assert zh.region_with_level("cixi") == "慈溪市\n县级市"
    note = zh.source_note(["nb-plan", "nb-sum", "nb-plan"])
    assert note.startswith("数据来源：")
    assert note.count("《") == 2 and "甬政办发〔2017〕5号" in note
    assert "宁波市人民政府办公厅《宁波市" not in note  # the issuer is not repeated before a title that has it
    assert en.source_note(["nb-sum"]) == "Source: Ningbo S&T Bureau, “2014 work summary” (posted 2015-04-14)"
    assert en.source_note(["nb-sum", "nb-plan"]).startswith("Sources: ")  # one document, or several
    with pytest.raises(ValueError, match="source"):
        zh.source_note([])


def test_footnote_cites_each_source_as_cite_source_does():
    """The charts' footnote and cs.cite cite a document the same way (one citation format)."""
    import cityscience as cs
    from cityscience.provenance import cite_source

    sources = cs.load_sources()
    ids = sorted(sources["source_id"].astype(str))
    for lang in ("zh", "en"):
        labels = charts.Labels.load(lang)
        sep = labels.text("source_sep")
        assert labels.source_note(ids) == labels.text("sources") + sep.join(cite_source(s, lang) for s in ids)
        for _, row in sources.iterrows():
            assert labels.source(row["source_id"]) == cite_source(row, lang)


def test_comparability_note_names_levels_and_years(zh, en):
    assert en.comparability_note(OBS[OBS["indicator"] == "hte_stock"]) == (
        "Note: compares different kinds of places (sub-provincial city: Ningbo, Hangzhou; county-level city: "
        "Cixi, part of Ningbo) and different years (2014, 2015, 2020, 2024), so a difference need not reflect "
        "performance.")
    assert zh.comparability_note(regions=["ningbo"], years=[2014]) == ""
    assert "不同年份（2014、2020）" in zh.comparability_note(regions=["ningbo"], years=[2014, 2020])


def test_a_value_whose_sentence_writes_no_unit_is_footnoted_as_inferred():
    """The curated data's values whose unit the curator inferred (damaged text): each chart of their
    indicator says so, naming the observation; a chart of values with written units says nothing."""
    import cityscience as cs
    from cityscience.validate.core import unit_unwritten

    obs = cs.load_observations()
    inferred = obs[[not pd.isna(v) and unit_unwritten(e, float(v), str(u))
                    for e, v, u in zip(obs["evidence"], obs["value"], obs["unit"], strict=True)]]
    assert len(inferred), "no curated value has an unwritten unit: this test checks nothing; give it one"
    for lang, phrase in (("en", "the unit is inferred"), ("zh", "单位系推定")):
        for row in inferred.itertuples():
            same = obs[(obs["indicator"] == row.indicator) & (obs["measure"] == row.measure)]
            fig, _ = charts.bar_by_region(same, lang=lang)
            text = charts.source_footnote(fig).get_text().replace("\n", "")
            assert f"{row.obs_id}" in text and phrase in text and one_line(row.evidence) in text
            # the note names the value it is about, as the chart writes it, and its indicator
            assert charts.format_value(row.value_std, row.unit_std, lang, qualifier=row.qualifier) in text
            name = charts.Labels.load(lang).indicator(row.indicator)
            assert name in text or name in " ".join(charts.source_footnote(fig).get_text().split())
            plt.close(fig)
        edited = same.assign(evidence=same["evidence"].where(same["obs_id"] != row.obs_id, row.evidence + "亿元"))
        fig, _ = charts.bar_by_region(edited, lang=lang)  # not the curated value any more: no note about it
        assert row.obs_id not in charts.source_footnote(fig).get_text().replace("\n", "")
        plt.close(fig)
    written = obs[(obs["indicator"] == "hte_new") & (obs["measure"] == "level")]
    fig, _ = charts.bar_by_region(written, lang="en")
    assert "inferred" not in charts.source_footnote(fig).get_text()
    plt.close(fig)


def test_a_consistency_flag_among_the_plotted_values_is_footnoted_unless_the_chart_says_it():
    """A target below the actual before it (Hangzhou's 28,500 patents in force after 30,280) is footnoted on a
    bar chart of both; a dumbbell, which annotates every such target, does not repeat it."""
    import cityscience as cs

    obs = cs.load_observations()
    flags = cs.consistency_flags(obs, lang="en")
    below = flags[flags["check"] == "target_below_actual"]
    assert len(below), "no target below an earlier actual in the curated data: this test checks nothing"
    for f in below.itertuples():
        pair = obs[obs["obs_id"].isin(f.obs_ids.split(";"))]
        fig, _ = charts.bar_by_region(pair, lang="en")
        text = charts.source_footnote(fig).get_text().replace("\n", " ")
        assert f"Consistency check: target below an earlier actual ({charts.Labels.load('en').region(f.region)}" \
            in text and f.values in text, text
        plt.close(fig)
    region = below["region"].iloc[0]
    fig, _ = charts.dumbbell(charts.target_gaps(obs[obs["region"] == region]), lang="en")
    assert "Consistency check: target below" not in charts.source_footnote(fig).get_text()
    plt.close(fig)
    alike = obs[(obs["indicator"] == "hte_new") & (obs["measure"] == "level")]
    fig, _ = charts.bar_by_region(alike, lang="en")
    assert "Consistency check" not in charts.source_footnote(fig).get_text()
    plt.close(fig)


def test_a_chart_of_the_documents_says_it_compares_documents_not_performance(zh, en):
    """Coverage and policy-term charts compare what the texts state, so 'need not reflect performance' is wrong."""
    several = {"regions": ["ningbo", "cixi"], "years": [2014, 2024]}
    assert en.comparability_note(**several, about="documents") == (
        "Note: compares documents of different kinds of places (sub-provincial city: Ningbo; county-level city: "
        "Cixi, part of Ningbo) and different years (2014, 2024).")
    assert zh.comparability_note(**several, about="documents").endswith("（2014、2024）的文件。")
    assert zh.comparability_note(regions=["ningbo"], years=[2014], about="documents") == ""
    with pytest.raises(ValueError, match="'documents'"):
        en.comparability_note(**several, about="texts")
    fig, ax = plt.subplots()
    ax.bar(["a", "b"], [1, 2])
    charts.attach_sources(fig, ["ningbo-2014-summary", "cixi-2024-summary"], **several, lang="en")
    of_values = charts.source_footnote(fig).get_text().replace("\n", " ")
    of_documents = charts.source_footnote(fig, caveat="documents").get_text().replace("\n", " ")
    assert "need not reflect performance" in of_values and "compares documents of" not in of_values
    assert "compares documents of" in of_documents and "performance" not in of_documents
    plt.close(fig)


def test_every_chart_draws_without_missing_glyphs(zh, en, tmp_path, caplog):
    """The project's charts in both languages must not fall back to boxes for any character."""
    data = _derived(OBS)
    caplog.set_level("WARNING", logger="matplotlib")
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        for words, lang in ((zh, "zh"), (en, "en")):
            charts.set_theme(lang)
            drawn = [
                charts.bar_by_region(data, "hte_stock", labels=words, lang=lang),
                charts.lines_over_years(data, "patent_grants", labels=words, lang=lang),
                charts.hbar(data[data["indicator"] == "fund_size"], labels=words, lang=lang, log=True),
                charts.dumbbell(charts.target_gaps(OBS), labels=words, lang=lang),
                charts.coverage_heatmap(OBS, labels=words, lang=lang, categories=INDICATORS),
                charts.fact_table(data, labels=words, lang=lang),
            ]
            for i, (fig, _) in enumerate(drawn):
                charts.save_figure(fig, f"99-glyphs-{lang}-{i}", folder=tmp_path, labels=words,
                                   update_index=False, title=f"chart {i}")
    charts.set_theme("zh")
    glyph_warnings = [str(w.message) for w in caught if "missing from font" in str(w.message)]
    assert glyph_warnings == []
    assert [str(w.message) for w in caught if "texts overlap" in str(w.message)] == []
    assert not [r for r in caplog.records if "glyph" in r.getMessage().lower()]


def test_the_glyph_check_does_catch_missing_glyphs(zh, tmp_path):
    fig, ax = charts.bar_by_region(OBS, "hte_stock", labels=zh)
    ax.set_title("宁波 \U0001F9FF")  # a character no chart font has
    with pytest.raises(charts.MissingGlyphError, match="NAZAR AMULET"):
        charts.save_figure(fig, "99-missing", folder=tmp_path, labels=zh)
    assert list(tmp_path.iterdir()) == []  # nothing written


def test_set_theme_configures_reproducible_export():
    import matplotlib as mpl

    font = charts.set_theme("en")
    try:
        assert mpl.rcParams["font.family"][0] == "DejaVu Sans" and font.family in mpl.rcParams["font.family"]
        assert charts.current_language() == "en"
    finally:
        font = charts.set_theme("zh")
    assert mpl.rcParams["font.family"][0] == font.family
    assert mpl.rcParams["pdf.fonttype"] == 42
    assert mpl.rcParams["svg.hashsalt"] == "cityscience"
    assert mpl.rcParams["savefig.dpi"] >= 200
    with pytest.raises(ValueError, match="language"):
        charts.set_theme("fr")


def test_quiet_seaborn_silences_only_its_copy_warning():
    from pandas.errors import Pandas4Warning

    from cityscience.charts.style import quiet_seaborn

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        with quiet_seaborn():
            warnings.warn("The copy keyword is deprecated and will be removed in a future version. Use …",
                          Pandas4Warning, stacklevel=1)
            warnings.warn("something else", UserWarning, stacklevel=1)
    assert [str(w.message) for w in caught] == ["something else"]


def test_labels_module_has_both_languages_for_every_phrase():
    for key, texts in labels_mod.TEXT.items():
        assert set(texts) == set(charts.LANGUAGES), key


def test_a_profile_of_an_unknown_region_names_the_known_ones():
    import cityscience as cs

    obs = cs.load_observations()
    known = ", ".join(cs.load_regions()["region"].astype(str))
    with pytest.raises(ValueError, match=f"'ningpo' not known( \\(did you mean '[a-z_]+'\\?\\))?; expected one of {known}"):
        charts.region_profile(obs, "ningpo")


def test_a_legend_of_regions_and_statuses_under_a_chart_puts_each_on_its_own_row():
    """More than five entries under a chart: the region colours on one row, the kinds of value on the next
    (a legend fills by column, so a single run of entries left one region alone on a second row)."""
    rows = [(f"o{i}", "s", region, 2015, "fund_size", "level", status, "exact", v, None, "亿元", v * 1e8, None,
             "CNY") for i, (region, status, v) in enumerate([
                 ("ningbo", "actual", 10), ("hangzhou", "estimate", 20), ("cixi", "target", 30),
                 ("ningbo", "target", 40)])]
    fig, ax = charts.hbar(_obs(rows), labels=charts.Labels.load("en"), lang="en", log=True)
    fig.canvas.draw()
    shown = {t.get_text(): t.get_window_extent().y0 for t in ax.get_legend().get_texts() if t.get_text()}
    regions = [charts.Labels.load("en").region(r) for r in ("ningbo", "hangzhou", "cixi")]
    statuses = ["actual", "estimate", "target"]
    top, bottom = [shown[r] for r in regions], [shown[s] for s in statuses]
    assert max(top) - min(top) < 3 and max(bottom) - min(bottom) < 3, shown  # one row each (descenders aside)
    assert min(top) > max(bottom) + 8, shown  # the regions' row first


def test_a_profile_draws_the_subject_areas_only_when_there_are_several():
    """The right-hand panel counts values per subject area: for a region whose values are all of one area it
    would be a single bar, so the profile is the table alone. Which regions those are comes from the data."""
    import cityscience as cs

    obs = cs.load_observations()
    category = cs.load_indicators().set_index("indicator")["category"].astype(str)
    areas = obs.assign(area=obs["indicator"].astype(str).map(category)).groupby("region", observed=True)["area"]
    for region, n in areas.nunique().items():
        fig, (facts, counts) = charts.region_profile(obs, str(region), lang="en")
        assert (counts is not None) == (n > 1) and len(fig.axes) == (2 if n > 1 else 1), (region, n)
        assert charts.Labels.load("en").text("profile_facts") in [facts.get_title(loc=s) for s in ("left", "center")]
        words = charts.Labels.load("en")  # the heading says what the figure is, and what kind of place
        level = words.term("admin_level", words.region_levels[str(region)])
        assert fig.get_suptitle() == f"{words.region(region)} ({level}): S&T profile"
        assert charts.figure_info(fig).title == fig.get_suptitle()  # figures/index.csv says the same
    region, n = max(areas.nunique().items(), key=lambda kv: kv[1])  # a region of several areas, cut to one
    mine = obs[obs["region"] == region]
    one = mine[mine["indicator"] == mine["indicator"].iloc[0]]  # one indicator: one subject area
    fig, (_, counts) = charts.region_profile(one, str(region), lang="en")
    assert n > 1 and counts is None and len(fig.axes) == 1


def test_a_value_label_wider_than_its_bar_stays_inside_the_frame():
    """The first bar's label, wider than the bar (a derived value: ≈2,250 (derived)), would cross the frame of a
    column chart: the category axis makes room for it sideways; labels already inside are left as they were."""
    rows = [(f"o{i}", "s", region, year, "x", "level", "actual", "approx", v, None, "件", v, None, "count")
            for i, (region, year, v) in enumerate([("ningbo", 2013, 2250.5), ("ningbo", 2014, 2832),
                                                   ("hangzhou", 2015, 8296), ("cixi", 2020, 1021)])]
    en = charts.Labels.load("en")
    fig, ax = charts.bar_by_region(_obs(rows), labels=en, lang="en")
    ax.texts[0].set_text("≈2,250.5 (a long note)")  # as a derived value's label reads, wider than its bar
    ax.set_xlim(-0.5, ax.get_xlim()[1])  # the first bar near the frame, as in a crowded chart
    plots._room_across(ax, ax.texts)
    fig.canvas.draw()
    frame = ax.get_window_extent()
    assert all(frame.x0 <= t.get_window_extent().x0 and t.get_window_extent().x1 <= frame.x1 for t in ax.texts)
    before = ax.get_xlim()
    plots._room_across(ax, ax.texts)  # inside already: unchanged
    assert ax.get_xlim() == before


def test_a_column_chart_whose_labels_are_far_from_the_frame_is_not_laid_out_for_them(monkeypatch):
    """Laying a figure out to measure its value labels costs more than drawing the bars: a chart whose labels
    cannot reach the frame skips it (most charts), one whose label can is measured."""
    rows = [(f"o{i}", "s", region, year, "x", "level", "actual", "exact", v, None, "件", v, None, "count")
            for i, (region, year, v) in enumerate([("ningbo", 2013, 25), ("ningbo", 2014, 28),
                                                   ("hangzhou", 2015, 82), ("cixi", 2020, 10)])]
    laid_out = []
    monkeypatch.setattr(plots, "_laid_out", lambda ax, notes: laid_out.append(ax) or pytest.fail("laid out"))
    fig, ax = charts.bar_by_region(_obs(rows), lang="en")
    assert laid_out == [] and not plots._may_cross(ax, ax.texts, 1.0)
    ax.texts[0].set_text("≈25 (a note far wider than its bar)")
    assert plots._may_cross(ax, ax.texts, 1.0)


def test_bars_by_region_of_several_indicators_name_each_indicator():
    """hbar(label="region") over two indicators of one region: two bars of one year would read alike."""
    import cityscience as cs

    obs = cs.load_observations()
    level = obs[(obs["measure"] == "level") & (obs["unit_std"] == "percent")]
    region, rows = max(level.groupby("region", observed=True), key=lambda kv: kv[1]["indicator"].nunique())
    pair = rows[rows["indicator"].isin(rows["indicator"].unique()[:2])]
    en = charts.Labels.load("en")
    _, ax = charts.hbar(pair, label="region", labels=en, lang="en")
    ticks = [" ".join(t.get_text().split()) for t in ax.get_yticklabels()]
    assert len(set(ticks)) == len(ticks) == len(pair)
    assert all(t.startswith(f"{en.region(region)}, ") for t in ticks)
    assert {any(en.indicator(i)[:20] in t for t in ticks) for i in pair["indicator"].unique()} == {True}


def test_a_long_row_name_is_cut_short_but_never_its_year_status_or_mark():
    long = INDICATORS.copy()
    long.loc[long["indicator"] == "fund_size", "name_en"] = (
        "Income tax relief from the R&D super-deduction and the high-tech enterprise preferential tax rate, "
        "together with the other tax measures for enterprises that the province and the city took in the year")
    labels = charts.Labels.from_frames("en", regions=REGIONS, indicators=long, vocabularies=VOCAB, sources=SOURCES)
    fig, ax = charts.hbar(OBS[OBS["indicator"] == "fund_size"], labels=labels, lang="en", log=True)
    names = [t.get_text() for t in ax.get_yticklabels()]
    assert any("…" in n for n in names), names  # long enough to be cut, even on three lines
    assert max(n.count("\n") for n in names) == 2
    assert names[0].endswith(", 2015") and names[1].endswith(", 2016, target"), names
    assert all(n.startswith("Income tax relief") for n in names)
    # a dumbbell's mark (a base not alike with its target) stays at the end of a cut name
    assert plots._fit("a very long indicator name indeed", 10, 1, after="†").endswith("…†")


def test_values_written_on_charts_sit_on_white_so_grid_lines_do_not_strike_through_them(en):
    """Every value a chart writes (bar tops, dot labels, line points, a dumbbell's arrow) has a white box
    behind it, drawn above the grid."""
    from matplotlib.colors import to_rgba

    fund = OBS[OBS["indicator"] == "fund_size"]
    drawn = [charts.bar_by_region(OBS, "hte_stock", labels=en, lang="en"),
             charts.hbar(fund, labels=en, lang="en", log=True), charts.hbar(fund, labels=en, lang="en"),
             charts.lines_over_years(OBS, "hte_stock", labels=en, lang="en"),
             charts.dumbbell(charts.target_gaps(fund), labels=en, lang="en")]
    for fig, ax in drawn:
        values = [t for t in ax.texts if t.get_gid() is None or "value" in str(t.get_gid())]
        assert values, "the chart wrote no value"
        for text in values:
            box = text.get_bbox_patch()
            assert box is not None and box.get_facecolor() == to_rgba("white"), text.get_text()
            assert text.get_zorder() > min(line.get_zorder() for line in ax.get_xgridlines() + ax.get_ygridlines())
        plt.close(fig)


@pytest.mark.parametrize("chart", ["hbar", "dumbbell"])
def test_a_name_of_three_lines_is_not_cut_and_its_rows_make_room(chart):
    name = "Income tax relief from the R&D super-deduction and the high-tech enterprise preferential tax rate"
    long = INDICATORS.assign(name_en=name, unit_std="CNY")  # every indicator's name takes three lines
    labels = charts.Labels.from_frames("en", regions=REGIONS, indicators=long, vocabularies=VOCAB, sources=SOURCES)
    fund = OBS[OBS["indicator"] == "fund_size"]
    rows = pd.concat([fund.assign(indicator=code, obs_id=fund["obs_id"] + code) for code in long["indicator"]],
                     ignore_index=True)  # five indicators, each with an actual and a target
    if chart == "hbar":
        fig, ax = charts.hbar(rows, labels=labels, lang="en", log=True)
        height = 0.42 * len(rows) + 1.2  # the height of rows with labels of two lines or fewer
    else:
        fig, ax = charts.dumbbell(charts.target_gaps(rows), labels=labels, lang="en")
        height = 0.5 * len(ax.get_yticklabels()) + 1.3
    names = [t.get_text() for t in ax.get_yticklabels()]
    assert any(n.count("\n") == 2 for n in names), names
    assert all("…" not in n and " ".join(n.split()).startswith(name) for n in names), names
    assert fig.get_figheight() > max(2.5, height)  # the rows grew to hold three lines
    fig.draw_without_rendering()
    assert not [p for p in charts.layout_problems(fig) if "tick" in p], charts.layout_problems(fig)
    plt.close(fig)


def test_a_target_a_year_after_its_base_needs_a_growth_not_a_growth_a_year():
    """Hangzhou's 2016 targets against 2015 actuals: "needs 5.2% growth", not "5.2% growth a year"."""
    pairs = _obs([
        ("a", "s", "hangzhou", 2015, "z", "level", "actual", "exact", 2850, None, "万元", 2.85e7, None, "CNY"),
        ("t", "s", "hangzhou", 2016, "z", "level", "target", "exact", 3000, None, "万元", 3.0e7, None, "CNY"),
        ("b", "s", "hangzhou", 2015, "y", "level", "actual", "exact", 2.0, None, "%", 2.0, None, "percent"),
        ("u", "s", "hangzhou", 2016, "y", "level", "target", "exact", 2.5, None, "%", 2.5, None, "percent"),
    ])
    for lang, growth, pp in (("en", "; needs 5.3% growth", "; needs +0.5 pp"), ("zh", "；需增长 5.3%", "；需提高 0.5 个百分点")):
        fig, ax = charts.dumbbell(charts.target_gaps(pairs), labels=charts.Labels.load(lang), lang=lang)
        texts = _texts(ax)
        assert any(t.endswith(growth) for t in texts) and any(t.endswith(pp) for t in texts), texts
        plt.close(fig)


def test_a_share_target_needs_percentage_points_a_year_not_a_growth_rate():
    # 34.7% → 43% in six years: +1.4 pp a year (a relative "3.6% growth" reads as if the share grew 3.6 points)
    pairs = _obs([
        ("a", "s", "ningbo", 2014, "x", "level", "actual", "exact", 34.7, None, "%", 34.7, None, "percent"),
        ("t", "s", "ningbo", 2020, "x", "level", "target", "exact", 43, None, "%", 43, None, "percent"),
        ("b", "s", "ningbo", 2014, "y", "level", "actual", "exact", 2.35, None, "%", 2.35, None, "percent"),
        ("u", "s", "ningbo", 2020, "y", "level", "target", "exact", 3.2, None, "%", 3.2, None, "percent"),
        ("c", "s", "ningbo", 2014, "z", "level", "actual", "exact", 972, None, "家", 972, None, "count"),
        ("v", "s", "ningbo", 2020, "z", "level", "target", "exact", 1500, None, "家", 1500, None, "count"),
    ])
    gaps = charts.target_gaps(pairs).set_index("target_obs_id")
    assert gaps.loc["t", "required_pp_per_year"] == pytest.approx((43 - 34.7) / 6)
    assert pd.isna(gaps.loc["v", "required_pp_per_year"])  # a count keeps its growth rate
    for lang, share, small, count in (("en", "; needs +1.4 pp a year", "; needs +0.14 pp a year",
                                       "; needs 7.5% growth a year"),
                                      ("zh", "；需年均提高 1.4 个百分点", "；需年均提高 0.14 个百分点", "；需年均增长 7.5%")):
        fig, ax = charts.dumbbell(charts.target_gaps(pairs), labels=charts.Labels.load(lang), lang=lang)
        texts = _texts(ax)
        assert any(t.endswith(share) for t in texts) and any(t.endswith(small) for t in texts), texts
        assert any(t.endswith(count) for t in texts), texts


def test_grouped_bars_take_a_colour_per_series_from_the_regions_they_show():
    """A period of Cixi's documents is drawn in Cixi's colour, not in a shade of Ningbo's."""
    table = pd.DataFrame({"2014": [1.0, 2.0], "2017": [2.0, 1.0], "2024": [3.0, 0.5]}, index=["a", "b"])
    colors = charts.series_colors(["ningbo", "ningbo", "cixi"])
    assert colors[1:] == [charts.region_color("ningbo"), charts.region_color("cixi")]
    assert colors[0] != colors[1] and mcolors.to_rgb(colors[0]) > mcolors.to_rgb(colors[1])  # paler, same hue
    fig, ax = charts.grouped_hbar(table, lang="en", colors=colors)
    drawn = {mcolors.to_hex(p.get_facecolor()).lower() for p in ax.patches if isinstance(p, Rectangle)}
    assert drawn == {c.lower() for c in colors}
    with pytest.raises(ValueError, match="one colour per column"):
        charts.grouped_hbar(table, lang="en", colors=colors[:2])


def _carets(ax):
    """The carets a chart drew at the end of bounds (≥, ≤), as (marker, x, y) in data coordinates."""
    kinds = set(plots._BOUND_CARETS.values())
    return sorted((a.get_marker(), float(a.get_xdata()[0]), float(a.get_ydata()[0])) for a in ax.get_children()
                  if isinstance(a, plt.Line2D) and a.get_marker() in kinds)


def _legend_texts(ax):
    return [t.get_text() for t in ax.get_legend().get_texts()] if ax.get_legend() else []


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_a_bound_is_drawn_open_and_the_legend_says_so(lang):
    labels = charts.Labels.from_frames(lang, regions=REGIONS, indicators=INDICATORS, vocabularies=VOCAB,
                                       sources=SOURCES)
    at_least, at_most = (labels_mod.TEXT[f"{q}_legend"][lang] for q in plots.BOUNDS)
    bounds = OBS[OBS["qualifier"] == "at_least"]  # Cixi's ≥1,000 actual and estimate
    fig, ax = charts.bar_by_region(OBS, "hte_stock", labels=labels, lang=lang)
    carets = _carets(ax)
    assert [(m, y) for m, _, y in carets] == [(10, 1000.0)] * len(bounds)  # pointing up from each bar's top
    assert at_least in _legend_texts(ax) and at_most not in _legend_texts(ax)
    linked = {v.obs_id for v in charts.figure_info(fig).values for a in v.artists
              if isinstance(a, plt.Line2D) and a.get_marker() == 10}
    assert linked == set(bounds["obs_id"])  # a click on the caret opens the value's sentence too
    # an exact value gets none, and neither does its legend
    fig, ax = charts.bar_by_region(OBS, "rd_intensity_gdp", labels=labels, lang=lang)
    assert _carets(ax) == [] and at_least not in _legend_texts(ax)
    # across: pointing right from the bar's end (≥) or back toward it (≤); a line chart's point points up
    capped = OBS.assign(qualifier=OBS["qualifier"].cat.add_categories("at_most"))
    capped.loc[capped["obs_id"] == "o1", "qualifier"] = "at_most"
    stock = capped[capped["indicator"] == "hte_stock"]
    fig, ax = charts.hbar(stock, labels=labels, lang=lang)
    assert {(m, x) for m, x, _ in _carets(ax)} == {(9, 1000.0), (4, 1167.0)}
    assert at_least in _legend_texts(ax) and at_most in _legend_texts(ax)
    fig, ax = charts.hbar(stock, labels=labels, lang=lang, log=True)
    assert {(m, x) for m, x, _ in _carets(ax)} == {(9, 1000.0), (4, 1167.0)}
    fig, ax = charts.lines_over_years(capped, "hte_stock", labels=labels, lang=lang)
    assert {(m, x, y) for m, x, y in _carets(ax)} == {(10, 2024.0, 1000.0), (7, 2014.0, 1167.0)}
    # a target of at least: the caret points on from the target (at 100 %), and the label starts past it
    pair = _obs([("a", "s", "hangzhou", 2015, "x", "level", "actual", "exact", 10, None, "家", 10, None, "count"),
                 ("t", "s", "hangzhou", 2016, "x", "level", "target", "at_least", 20, None, "家", 20, None, "count")])
    fig, ax = charts.dumbbell(charts.target_gaps(pair), labels=labels, lang=lang)
    assert [(m, x) for m, x, _ in _carets(ax)] == [(9, 100.0)]
    assert at_least in _legend_texts(ax)
    assert ax.texts[0].xyann[0] == 8 + plots._CARET_SIZE
    plt.close("all")
