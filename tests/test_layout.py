"""Layout and words of the charts: texts never overlap or leave a figure, footnotes wrap where a reader
breaks a line, sentences come from one template per language, and ``cs.select`` picks rows by code."""

from __future__ import annotations

import warnings

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import pandas as pd
import pytest
from matplotlib.transforms import IdentityTransform

import cityscience as cs
from cityscience import charts
from cityscience.charts.figures import _wrap, read_figure_metadata


@pytest.fixture(autouse=True)
def _close():
    yield
    plt.close("all")


# -- the overlap check -------------------------------------------------------------------------

def _drawn(fig):
    fig.draw_without_rendering()
    return charts.layout_problems(fig)


def test_a_clean_figure_has_no_layout_problem():
    fig, ax = plt.subplots(figsize=(4, 3))
    ax.bar(["a", "b"], [1, 2])
    ax.set_title("clean")
    assert _drawn(fig) == []


def test_overlapping_tick_labels_are_found():
    fig, ax = plt.subplots(figsize=(3, 3))
    ax.bar(range(6), range(6))
    ax.set_xticks(range(6), [f"a rather long tick label {i}" for i in range(6)])
    overlaps = [p for p in _drawn(fig) if "overlaps" in p]
    assert overlaps and all(p.count(" x tick ") == 2 for p in overlaps)


def test_an_annotation_over_a_legend_entry_is_found():
    fig, ax = plt.subplots(figsize=(4, 3))
    ax.plot([0, 1], [0, 1], label="the line")
    legend = ax.legend(loc="upper left")
    fig.draw_without_rendering()
    where = legend.get_texts()[0].get_window_extent(fig.canvas.get_renderer())
    ax.annotate("on top of it", xy=(where.x0, where.y0), xycoords="figure pixels")
    assert any("legend" in p and "overlaps" in p for p in _drawn(fig))


def test_entries_of_one_legend_are_not_checked_against_each_other():
    """matplotlib lays a legend's entries out itself; two legends, or a legend and a label, are checked."""
    fig, ax = plt.subplots(figsize=(4, 3))
    for i in range(2):
        ax.plot([0, 1], [i, i + 1], label=f"line {i}")
    legend = ax.legend(loc="upper left", ncols=2, columnspacing=-6.0)  # its two entries drawn over each other
    fig.draw_without_rendering()
    first, second = (t.get_window_extent(fig.canvas.get_renderer()) for t in legend.get_texts())
    assert first.overlaps(second)
    assert not [p for p in charts.layout_problems(fig) if "overlaps" in p]
    fig.text(first.x0, first.y0, "line 0 again", transform=IdentityTransform())  # a figure text over it, in pixels
    assert any(p.startswith("axes 0 legend 'line 0'") and "overlaps figure text" in p for p in _drawn(fig))


def test_a_text_leaving_the_figure_is_found():
    fig, ax = plt.subplots(figsize=(3, 3))
    ax.text(1.6, 0.5, "outside", transform=ax.transAxes)
    assert any("'outside' leaves the figure" in p for p in _drawn(fig))


def test_an_annotation_running_across_its_axes_frame_is_found():
    fig, ax = plt.subplots(figsize=(4, 3))
    ax.set_xlim(0, 10)
    ax.annotate("a value label far too long for the room", (8, 0.5), xytext=(4, 0), textcoords="offset points")
    ax.annotate("inside", (2, 0.5))
    assert [p for p in _drawn(fig) if "crosses the frame" in p] == [
        "axes 0 text 'a value label far too long for the room' crosses the frame of its axes"]


def test_target_annotations_end_inside_the_frame_in_both_languages():
    """The dumbbell's 'base → target; needs …' notes are long in English: the x axis makes room for them."""
    obs = cs.load_observations()
    gaps = charts.target_gaps(obs)
    gaps = gaps[gaps["base_value_std"].notna()]
    region = gaps["region"].value_counts().index[0]  # the region with most target pairs
    for lang in ("zh", "en"):
        charts.set_theme(lang)
        fig, ax = charts.dumbbell(gaps[gaps["region"] == region], title="targets")
        assert [p for p in _drawn(fig) if "crosses the frame" in p] == [], lang
        assert ax.get_xlim()[1] > 100


def test_save_figure_records_and_warns_about_a_bad_layout(tmp_path):
    charts.set_theme("zh")
    labels = charts.Labels.load("zh")
    fig, ax = plt.subplots(figsize=(3, 3))
    ax.bar(range(6), range(6))
    ax.set_xticks(range(6), [f"一个相当长的刻度标签{i}" for i in range(6)])
    ax.set_title("重叠")
    source = str(cs.load_sources()["source_id"].iloc[0])
    with pytest.warns(UserWarning, match="overlap"):
        saved = charts.save_figure(fig, "02-crowded", sources=[source], folder=tmp_path, labels=labels)
    assert saved.name == "02-crowded-zh"
    assert read_figure_metadata(saved.png)["layout"] == list(saved.layout) and saved.layout
    obs = cs.load_observations()
    fig, _ = charts.bar_by_region(cs.select(obs, indicator="hte_new"), "hte_new", labels=labels)
    assert charts.save_figure(fig, "02-clean", folder=tmp_path, labels=labels).layout == ()


def test_long_heatmap_column_labels_wrap_level_or_stand_upright_instead_of_running_into_each_other():
    charts.set_theme("en")  # the project's theme, whatever ran before
    columns = ["international and regional cooperation", "technology transfer and markets", "total"]
    table = pd.DataFrame([[1, 2, 3]], columns=columns, index=["a body"])
    fig, ax = charts.heatmap(table, sources=["x"], lang="en", title="t")
    shown = [t.get_text() for t in ax.get_xticklabels()]
    assert {t.get_rotation() for t in ax.get_xticklabels()} == {0}  # level, wrapped at spaces
    assert [s.replace("\n", " ") for s in shown] == columns and "\n" in shown[0]
    assert max(len(s.split("\n")) for s in shown) <= 3
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # "constrained_layout not applied": the labels left no room for the cells
        assert [p for p in _drawn(fig) if "overlaps" in p] == []
    zh = pd.DataFrame([[1, 2]], columns=["成果转化与技术市场", "国际与区域合作"], index=["市科技局"])
    fig, ax = charts.heatmap(zh, sources=["x"], lang="zh", title="t")
    assert {t.get_rotation() for t in ax.get_xticklabels()} == {0}
    assert all("\n" not in t.get_text() or len(t.get_text().split("\n")) <= 3 for t in ax.get_xticklabels())
    assert [p for p in _drawn(fig) if "overlaps" in p] == []
    # a word wider than a column may grow to, or a chart drawn into the caller's axes: upright
    long = ["interdisciplinaryresearchprogrammes", "technology transfer", "total"]
    for drawn, ax in [(pd.DataFrame([[1, 2, 3]], columns=long, index=["a body"]), None),
                      (table, plt.subplots(figsize=(2.2, 5), layout="constrained")[1])]:
        fig, ax = charts.heatmap(drawn, sources=["x"], lang="en", title="t", ax=ax)
        assert {t.get_rotation() for t in ax.get_xticklabels()} == {90}
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            assert [p for p in _drawn(fig) if "overlaps" in p] == []
        assert ax.get_position().height * fig.get_figheight() >= 0.3  # the one row keeps its height
    fig, ax = charts.heatmap(pd.DataFrame([[1, 2]], columns=["a", "b"]), sources=["x"], lang="en", title="t")
    assert {t.get_rotation() for t in ax.get_xticklabels()} == {0}


def test_heatmap_totals_are_drawn_apart_on_a_grey_scale_of_their_own():
    charts.set_theme("en")
    table = pd.DataFrame({"total": [30, 2], "a": [4, 1], "b": [0, 1]}, index=["x", "y"])
    fig, ax = charts.heatmap(table, sources=["x"], lang="en", title="t", cmap="Greens", totals=["total"])
    assert [t.get_text() for t in ax.get_xticklabels()] == ["a", "b", "total"]  # totals last
    meshes = ax.collections
    assert len(meshes) == 2 and meshes[0].get_cmap().name == "Greens" and meshes[1].get_cmap().name == "Greys"
    assert meshes[0].norm.vmax == 4  # the other cells keep their own scale, not one up to 30
    assert [line.get_xdata()[0] for line in ax.lines] == [2]  # the gap before the totals
    with pytest.raises(ValueError, match="not columns of the table"):
        charts.heatmap(table, sources=["x"], lang="en", title="t", totals=["sum"])
    odd = [(pd.DataFrame([[1, 2, 3]], columns=["a", "a", "b"], index=["x"]), (), ["a", "a", "b"], 1),
           (pd.DataFrame({"a": [1, 2], "total": [-3, -1]}, index=["x", "y"]), "total", ["a", "total"], 2),
           (pd.DataFrame({"a": [1, 2], "total": [float("nan")] * 2}, index=["x", "y"]), "total", ["a", "total"], 2),
           (pd.DataFrame({"total": [1, 2]}, index=["x", "y"]), ["total"], ["total"], 1)]
    for frame, totals, columns, layers in odd:  # repeated names, negative, empty or only totals: drawn, no warning
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            fig, ax = charts.heatmap(frame, sources=["x"], lang="en", title="t", totals=totals)
        assert [t.get_text() for t in ax.get_xticklabels()] == columns and len(ax.collections) == layers
        assert len(ax.lines) == (1 if 0 < len(columns) - columns.count("total") < len(columns) else 0)


# -- footnote wrapping -------------------------------------------------------------------------

def test_english_footnotes_wrap_at_word_boundaries():
    text = "Note: compares different kinds of places and different years; a difference is not performance."
    lines = _wrap(text, 24).split("\n")
    assert len(lines) > 1 and " ".join(lines) == text


@pytest.mark.parametrize("width", [8, 10, 12, 14, 16, 20])
def test_chinese_footnotes_break_between_words_or_after_punctuation(width):
    text = "注意：图中比较不同层级的地区（副省级城市：宁波市、杭州市）及不同年份，差异未必反映绩效。数据来源：宁波市科学技术局工作总结"
    lines = _wrap(text, width).split("\n")
    assert "".join(lines) == text
    joins = ["".join(lines[:i + 1]) for i in range(len(lines) - 1)]
    for i, head in enumerate(joins):
        assert not head.endswith(("绩", "反", "宁", "科学")), lines  # never inside 绩效, 反映, 宁波, 科学技术
        assert not lines[i + 1].startswith(("，", "。", "）", "、", "：")), lines
        assert not head.endswith(("（", "《")), lines


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_no_footnote_leaves_a_word_alone_on_its_last_line_or_breaks_a_document_number(lang):
    """Every source note of the curated documents, wrapped to widths from narrow to wide: the last line
    is never a lone word or date when the line above could spare one, and 甬政办发〔2017〕5号 stays whole."""
    import cityscience as cs
    from cityscience.charts.figures import _DOC_NUMBER, _text_width, _tokens

    labels = charts.Labels.load(lang)
    sources = cs.load_sources()["source_id"].astype(str).tolist()
    notes = [labels.source_note(sources), *(labels.source_note([s]) for s in sources)]
    numbers = [m.group() for note in notes for m in _DOC_NUMBER.finditer(note)]
    assert numbers, "the sources cite no document number: this test checks nothing of them"
    for note in notes:
        for width in range(24, 160, 3):
            lines = _wrap(note, width).split("\n")
            assert "".join(lines).replace(" ", "") == note.replace(" ", "")
            for number in numbers:
                if number in note:
                    assert any(number in line for line in lines), (width, lines)
            if len(lines) > 1:
                last, before = _tokens(lines[-1], width), _tokens(lines[-2], width)
                alone = len(last) <= 2 or _text_width(lines[-1]) < width / 4  # "(posted 2015-04-14)"
                spare = len(before) > 1 and _text_width(before[-1] + lines[-1]) <= width
                assert not (alone and spare), (width, lines)


# -- sentence templates ------------------------------------------------------------------------

def test_one_template_per_sentence_in_both_languages():
    table = {"values": {"zh": "{n} 个数值", "en": "{n} values"}}
    assert charts.Labels.load("zh").template("values", table, n=3) == "3 个数值"
    assert charts.Labels.load("en").template("values", table, n=3) == "3 values"
    assert charts.Labels.load("en").template("with_region", name="R&D", region="Ningbo") == "R&D (Ningbo)"
    with pytest.raises(KeyError, match="no sentence 'value'.*values"):
        charts.Labels.load("en").template("value", table)
    with pytest.raises(KeyError, match="no 'en' wording"):
        charts.Labels.load("en").template("only_zh", {"only_zh": {"zh": "中文"}})


def test_every_chart_phrase_has_both_languages():
    from cityscience.charts.labels import TEXT

    assert all(set(wording) == {"zh", "en"} for wording in TEXT.values())


# -- select ------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def obs():
    return cs.load_observations()


def test_select_takes_a_code_or_a_list_of_codes(obs):
    indicator = str(obs.loc[obs["measure"] == "level", "indicator"].iloc[0])
    regions = sorted(obs["region"].astype(str).unique())[:2]
    one = cs.select(obs, indicator=indicator, measure="level")
    assert len(one) == int(((obs["indicator"] == indicator) & (obs["measure"] == "level")).sum()) > 0
    many = cs.select(obs, region=regions, status=["actual", "target"])
    expected = obs["region"].astype(str).isin(regions) & obs["status"].isin(["actual", "target"])
    assert many.index.equals(obs.index[expected])
    assert cs.select(obs).index.equals(obs.index)


def test_select_takes_standard_units_and_qualifiers(obs):
    row = obs[obs["qualifier"] != "exact"].iloc[0]
    unit, qualifier = str(row["unit_std"]), str(row["qualifier"])
    picked = cs.select(obs, unit_std=unit, qualifier=qualifier)
    assert len(picked) and picked.index.equals(obs.index[(obs["unit_std"] == unit) & (obs["qualifier"] == qualifier)])
    with pytest.raises(ValueError, match="unit_std: 'yuan' not known; expected one of .*CNY"):
        cs.select(obs, unit_std="yuan")


def test_select_accepts_a_codebook_code_the_table_does_not_hold(obs):
    codes = set(cs.load_indicators()["indicator"].astype(str))
    part = obs[obs["indicator"] == obs["indicator"].iloc[0]].copy()
    part["indicator"] = part["indicator"].astype(str).astype("category")  # only its own category
    other = sorted(codes - set(part["indicator"].astype(str)))[0]
    assert cs.select(part, indicator=other).empty


def test_select_names_the_allowed_values_of_every_unknown_code(obs):
    with pytest.raises(ValueError) as err:
        cs.select(obs, indicator="no_such_indicator", status=["actual", "guess"])
    message = str(err.value)
    assert "indicator: 'no_such_indicator' not known" in message and "hte_stock" in message
    assert "status: 'guess' not known; expected one of" in message and "target" in message
    with pytest.raises(KeyError, match="no column 'measure'"):
        cs.select(obs[["obs_id", "region"]], measure="level")


def test_select_takes_years_and_says_what_an_unknown_code_may_have_meant(obs):
    """A year or a list of years; a display name gets its code named, a near miss the nearest codes, and a
    long list of allowed codes is cut short with the table that has them all."""
    years = sorted(obs["year"].dropna().unique())[:2]
    assert cs.select(obs, year=int(years[0])).index.equals(obs.index[obs["year"] == years[0]])
    assert cs.select(obs, year=[int(y) for y in years]).index.equals(obs.index[obs["year"].isin(years)])
    with pytest.raises(ValueError, match="year: '2014a' not a year"):
        cs.select(obs, year="2014a")
    region = cs.load_regions().iloc[0]
    indicators = cs.load_indicators()["indicator"].astype(str)
    stem = indicators.iloc[0].split("_")[0]
    for name in (region["name_zh"], region["name_en"]):
        with pytest.raises(ValueError, match=f"did you mean '{region['region']}'\\? codes, not names"):
            cs.select(obs, region=name)
    with pytest.raises(ValueError) as err:
        cs.select(obs, indicator=stem)
    message = str(err.value)
    assert f"did you mean {', '.join(repr(c) for c in indicators[indicators.str.startswith(stem)][:3])}?" in message
    assert f"({len(indicators)} in all: see cs.load_indicators())" in message and len(message) < 1200


def test_select_hints_for_labels_spaces_parts_of_names_and_years_beyond_the_table(obs):
    vocab = cs.load_vocabularies()
    for vocabulary in ("status", "measure"):
        row = vocab[vocab["vocabulary"] == vocabulary].iloc[0]
        with pytest.raises(ValueError, match=f"did you mean '{row['code']}'\\? codes, not names"):
            cs.select(obs, **{vocabulary: row["label_zh"]})
    region = str(cs.load_regions()["region"].iloc[0])
    with pytest.raises(ValueError, match=f"did you mean '{region}'\\? without the spaces"):
        cs.select(obs, region=f" {region}")
    indicators = cs.load_indicators()
    name = str(indicators["name_zh"].iloc[0])
    part = name[:4]
    named = [str(c) for c, n in zip(indicators["indicator"], indicators["name_zh"], strict=True) if part in str(n)]
    with pytest.raises(ValueError, match=f"named with it: '{named[0]}'"):
        cs.select(obs, indicator=part)
    years = obs["year"].dropna().astype(int)
    beyond = int(years.max()) + 80
    with pytest.raises(ValueError, match=f"year: {beyond} outside the table's years; "
                                         f"expected {years.min()}–{years.max()}"):
        cs.select(obs, year=beyond)
    gaps = sorted(set(range(int(years.min()), int(years.max()))) - set(years))
    if gaps:  # a year between the table's years selects nothing, quietly
        assert cs.select(obs, year=gaps[0]).empty


def test_a_chart_function_asked_for_at_the_top_names_cs_charts():
    import subprocess
    import sys

    code = ("import sys, cityscience as cs\n"
            "assert 'matplotlib' not in sys.modules\n"
            "try:\n    cs.save_figure\nexcept AttributeError as e:\n    print(e)\n"
            "print(cs.charts.save_figure.__name__)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert "the chart functions are in cityscience.charts (cs.charts.save_figure" in out
    assert out.strip().endswith("save_figure")  # cs.charts itself works without importing it first
