"""Figure export: three formats, source footnote, reproducible bytes, atomic writes, the figure index."""

from __future__ import annotations

import re
import zlib

import matplotlib.pyplot as plt
import pandas as pd
import pytest
from matplotlib.figure import Figure
from PIL import Image

import cityscience as cs
from cityscience import charts

SOURCES = pd.DataFrame({
    "source_id": ["nb-sum", "hz-sum"],
    "issuer_zh": ["宁波市科学技术局", "杭州市科学技术委员会"],
    "issuer_en": ["Ningbo S&T Bureau", "Hangzhou S&T Commission"],
    "title_zh": ["宁波市科技局2014年工作总结", "杭州市科学技术委员会2015年工作总结"],
    "title_en": ["2014 work summary", "2015 work summary"],
    "doc_number": [pd.NA, pd.NA],
    "published": pd.to_datetime(["2015-04-14", "2017-10-12"]),
})
REGIONS = pd.DataFrame({"region": ["ningbo", "hangzhou"], "name_zh": ["宁波市", "杭州市"],
                        "name_en": ["Ningbo", "Hangzhou"],
                        "admin_level": ["sub_provincial_city", "sub_provincial_city"], "parent": [pd.NA, pd.NA]})


@pytest.fixture(scope="module")
def zh():
    charts.set_theme("zh")
    return charts.Labels.from_frames("zh", sources=SOURCES, regions=REGIONS)


def _figure(sources=("nb-sum", "hz-sum")) -> Figure:
    fig, ax = plt.subplots(figsize=(4, 3))
    ax.bar(["宁波市", "杭州市"], [1167, 1979], color=[charts.region_color("ningbo"), charts.region_color("hangzhou")])
    ax.set_title("高新技术企业数(存量)")
    charts.attach_sources(fig, sources, regions=["ningbo", "hangzhou"], years=[2014, 2015], lang="zh",
                          title="高新技术企业数(存量)")
    return fig


def _embedded_fonts(pdf: bytes) -> list[bytes]:
    fonts = []
    for match in re.finditer(rb"/FontFile2 (\d+) 0 R", pdf):
        obj = re.search(rb"\n" + match.group(1) + rb" 0 obj\n(.*?)stream\n", pdf, re.S)
        start = obj.end()
        data = pdf[start:pdf.index(b"endstream", start)]
        fonts.append(zlib.decompress(data) if b"/FlateDecode" in obj.group(1) else data)
    return fonts


def test_save_figure_writes_png_svg_pdf_with_metadata(zh, tmp_path):
    saved = charts.save_figure(_figure(), "02-test-chart", folder=tmp_path, labels=zh)
    assert saved.paths == tuple(tmp_path / f"02-test-chart-zh.{ext}" for ext in ("png", "svg", "pdf"))
    assert all(p.stat().st_size > 0 for p in saved.paths)
    with Image.open(saved.png) as image:
        assert image.info["dpi"][0] >= 200 - 0.5
        assert image.width >= 4 * 200 * 0.9  # a 4-inch figure at 200 dpi
    meta = charts.read_figure_metadata(saved.png)
    assert meta == {"name": "02-test-chart-zh", "notebook": "02", "title": "高新技术企业数(存量)", "lang": "zh",
                    "regions": ["hangzhou", "ningbo"], "indicators": [], "sources": ["hz-sum", "nb-sum"],
                    "layout": [], "values": [], "cells": [],  # drawn by hand: no marked value, no table
                    "footnote": "注意：图中比较不同年份（2014、2015），差异未必反映绩效。\n数据来源：" + "；".join(
                        zh.source(s) for s in ("hz-sum", "nb-sum"))}  # as printed, unwrapped
    assert "02-test-chart-zh" in repr(saved)


def test_a_title_given_for_a_figure_of_several_panels_is_shown_above_them(zh, tmp_path):
    """Two panels titled by indicator and a title for the whole given to save_figure: the exported file shows
    it (a policy writer's PNG says what it is); a single chart, or one whose panel already shows it, does not
    get a second copy."""
    fig, axes = plt.subplots(1, 2, figsize=(6, 3), layout="constrained")
    for ax, name in zip(axes, ("发放", "使用"), strict=True):
        ax.bar(["宁波市"], [1], color=charts.region_color("ningbo"))
        ax.set_title(name)
    charts.attach_sources(fig, ["nb-sum"], regions=["ningbo"], years=[2014], lang="zh")
    charts.save_figure(fig, "05-two-panels", title="创新券发放与使用", folder=tmp_path, labels=zh, show=False)
    assert fig.get_suptitle() == "创新券发放与使用"
    one = _figure()
    charts.save_figure(one, "02-one-panel", title="另一个标题", folder=tmp_path, labels=zh, show=False)
    assert one.get_suptitle() == ""
    fig, axes = plt.subplots(1, 2, figsize=(6, 3))
    axes[0].set_title("高新技术企业数\n(存量)")  # wrapped as a long title is
    axes[0].bar(["宁波市"], [1])
    charts.attach_sources(fig, ["nb-sum"], regions=["ningbo"], years=[2014], lang="zh")
    charts.save_figure(fig, "02-titled-panel", title="高新技术企业数 (存量)", folder=tmp_path, labels=zh, show=False)
    assert fig.get_suptitle() == ""


def test_a_figure_too_narrow_for_its_labels_is_widened_until_they_are_apart(zh, tmp_path):
    """More bars than a chart's size was made for (a report added): the tick labels would overlap, so
    save_figure widens the figure until they are apart; a figure whose labels fit keeps its size."""
    def crowded(n: int) -> Figure:
        fig, ax = plt.subplots(figsize=(4, 3), layout="constrained")
        ax.bar(range(n), range(1, n + 1))
        ax.set_xticks(range(n), [f"{2010 + i}\n高新技术企业" for i in range(n)])
        ax.set_title("高新技术企业数(存量)")
        charts.attach_sources(fig, ["nb-sum"], regions=["ningbo"], years=[2014], lang="zh", title="高新技术企业数")
        return fig

    fig = crowded(3)
    charts.save_figure(fig, "02-fits", folder=tmp_path, labels=zh, show=False)
    assert fig.get_figwidth() == 4
    fig = crowded(9)
    saved = charts.save_figure(fig, "02-crowded", folder=tmp_path, labels=zh, show=False)
    assert fig.get_figwidth() > 4
    assert charts.read_figure_metadata(saved.png)["layout"] == []
    # rows stacked too close: a wider figure does not part them, so it keeps its size (and the warning)
    fig, ax = plt.subplots(figsize=(4, 2), layout="constrained")
    ax.barh(range(40), range(40))
    ax.set_yticks(range(40), [f"第{i}行" for i in range(40)])
    ax.set_title("高新技术企业数")
    charts.attach_sources(fig, ["nb-sum"], regions=["ningbo"], years=[2014], lang="zh", title="高新技术企业数")
    with pytest.warns(UserWarning, match="overlap"):
        saved = charts.save_figure(fig, "02-stacked", folder=tmp_path, labels=zh, show=False)
    assert fig.get_figwidth() == 4


def test_every_exported_chart_carries_a_source_footnote(zh, tmp_path):
    fig = _figure()
    charts.save_figure(fig, "02-footnote", folder=tmp_path, labels=zh, note="含技术先进型服务企业")
    charts.save_figure(fig, "02-footnote", folder=tmp_path, labels=zh)  # saving again replaces the footnote
    notes = [t for t in fig.texts if t.get_gid() == "cityscience-source-footnote"]
    assert len(notes) == 1
    text = notes[0].get_text().replace("\n", "")
    assert "数据来源：" in text
    assert "《宁波市科技局2014年工作总结》" in text and "《杭州市科学技术委员会2015年工作总结》" in text
    assert "不同年份（2014、2015）" in text  # the comparability caveat
    assert "含技术先进型服务企业" not in text
    uncaveated = _figure()
    charts.save_figure(uncaveated, "02-no-caveat", folder=tmp_path, labels=zh, caveat=False, note="附注")
    text = next(t.get_text() for t in uncaveated.texts if t.get_gid() == "cityscience-source-footnote")
    assert text.startswith("附注\n数据来源：") and "不同年份" not in text


def test_pdf_embeds_truetype_fonts_with_selectable_text_and_no_dates(zh, tmp_path):
    saved = charts.save_figure(_figure(), "02-pdf", folder=tmp_path, labels=zh)
    pdf = saved.pdf.read_bytes()
    fonts = _embedded_fonts(pdf)
    assert fonts, "no embedded TrueType font"
    assert all(f[:4] == b"\x00\x01\x00\x00" for f in fonts)  # TrueType outlines, not CFF ('OTTO')
    assert b"/ToUnicode" in pdf  # text can be selected and searched
    assert b"/CreationDate" not in pdf and b"/ModDate" not in pdf
    assert b"/Subject (hz-sum; nb-sum)" in pdf
    svg = saved.svg.read_text(encoding="utf-8")
    assert "<dc:date>" not in svg


def test_svg_pdf_and_png_are_byte_identical_when_saved_again(zh, tmp_path):
    first, second = tmp_path / "a", tmp_path / "b"
    charts.save_figure(_figure(), "02-same", folder=first, labels=zh)
    plt.close("all")
    charts.save_figure(_figure(), "02-same", folder=second, labels=zh)  # drawn again from scratch
    for ext in ("svg", "pdf", "png"):
        assert (first / f"02-same-zh.{ext}").read_bytes() == (second / f"02-same-zh.{ext}").read_bytes(), ext
    fig = _figure()  # the same figure saved twice (laid out again in between) into separate folders
    charts.save_figure(fig, "02-twice", folder=first, labels=zh)
    charts.save_figure(fig, "02-twice", folder=second, labels=zh)
    for ext in ("svg", "pdf"):
        assert (first / f"02-twice-zh.{ext}").read_bytes() == (second / f"02-twice-zh.{ext}").read_bytes(), ext


def test_an_unchanged_figure_keeps_its_files_and_a_changed_one_is_replaced(zh, tmp_path):
    saved = charts.save_figure(_figure(), "02-keep", folder=tmp_path, labels=zh)
    before = {p.name: p.stat().st_mtime_ns for p in tmp_path.iterdir()}
    plt.close("all")
    charts.save_figure(_figure(), "02-keep", folder=tmp_path, labels=zh)  # the same figure, drawn again
    assert {p.name: p.stat().st_mtime_ns for p in tmp_path.iterdir()} == before  # index.csv included
    old = {p.name: p.read_bytes() for p in saved.paths}
    changed = _figure()
    changed.axes[0].patches[0].set_height(1168)
    charts.save_figure(changed, "02-keep", folder=tmp_path, labels=zh)
    assert all(p.read_bytes() != old[p.name] for p in saved.paths)


def test_a_failed_save_leaves_the_previous_files_intact(zh, tmp_path, monkeypatch):
    fig = _figure()
    saved = charts.save_figure(fig, "02-atomic", folder=tmp_path, labels=zh)
    before = {p.name: p.read_bytes() for p in saved.paths}
    original = Figure.savefig

    def failing(self, fname, *args, **kwargs):
        if kwargs.get("format") == "pdf":
            raise OSError("disk full")
        return original(self, fname, *args, **kwargs)

    monkeypatch.setattr(Figure, "savefig", failing)
    fig.axes[0].set_title("changed")
    with pytest.raises(OSError, match="disk full"):
        charts.save_figure(fig, "02-atomic", folder=tmp_path, labels=zh)
    assert {p.name: p.read_bytes() for p in saved.paths} == before
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted([*before, "index.csv"])  # no temporary files


def test_a_file_that_cannot_be_written_leaves_every_format_as_it_was(zh, tmp_path):
    """The three files are one change: a PDF that cannot be replaced keeps the old PNG and SVG too."""
    fig = _figure()
    saved = charts.save_figure(fig, "02-together", folder=tmp_path, labels=zh)
    before = {p.name: p.read_bytes() for p in saved.paths}
    saved.pdf.unlink()
    saved.pdf.mkdir()  # a folder where the PDF goes: it cannot be written
    fig.axes[0].set_title("changed")
    with pytest.raises(Exception, match="folder"):
        charts.save_figure(fig, "02-together", folder=tmp_path, labels=zh)
    assert saved.png.read_bytes() == before[saved.png.name] and saved.svg.read_bytes() == before[saved.svg.name]
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted([*before, "index.csv"])  # no temporary files


def test_save_figure_refuses_bad_names_low_dpi_and_missing_sources(zh, tmp_path):
    with pytest.raises(ValueError, match="notebook number"):
        charts.save_figure(_figure(), "hte stock", folder=tmp_path, labels=zh)
    with pytest.raises(ValueError, match="notebook number"):
        charts.save_figure(_figure(), "2-hte", folder=tmp_path, labels=zh)
    with pytest.raises(ValueError, match="at least 200"):
        charts.save_figure(_figure(), "02-low", folder=tmp_path, labels=zh, dpi=100)
    fig, _ = plt.subplots()
    with pytest.raises(ValueError, match="no sources"):
        charts.save_figure(fig, "02-nosource", folder=tmp_path, labels=zh)
    with pytest.raises(ValueError, match="no title"):
        charts.save_figure(fig, "02-untitled", sources=["nb-sum"], folder=tmp_path, labels=zh)
    with pytest.raises(ValueError, match="adds the language itself"):
        charts.save_figure(_figure(), "02-hte-zh", folder=tmp_path, labels=zh)
    with pytest.raises(ValueError, match=r"writes every format .*; pass the name without '\.png' \('02-hte'\)"):
        charts.save_figure(_figure(), "02-hte.png", folder=tmp_path, labels=zh)
    # a source id the footnote could not cite: refused with the nearest ids, not printed bare
    with pytest.raises(ValueError, match=r"'nb' \(did you mean 'nb-sum'\?\) not source_ids of sources.csv"):
        charts.save_figure(_figure(), "02-unknown-source", sources=["nb"], folder=tmp_path, labels=zh)
    # a chart drawn in one language saved as another would mix them in one file: refused
    drawn = charts.bar_by_region(cs.select(cs.load_observations(), indicator="hte_new"), "hte_new", lang="zh")[0]
    with pytest.raises(ValueError, match="drawn in 'zh'.*lang='en'"):
        charts.save_figure(drawn, "02-mixed", lang="en", folder=tmp_path)
    plt.close(drawn)
    assert list(tmp_path.iterdir()) == []


def test_figure_index_lists_every_exported_figure(zh, tmp_path):
    charts.save_figure(_figure(), "01-first", folder=tmp_path, labels=zh)
    charts.save_figure(_figure(["nb-sum"]), "02-second", folder=tmp_path, labels=zh, title="第二张")
    Image.new("RGB", (2, 2)).save(tmp_path / "99-not-ours.png")  # a PNG without our metadata is ignored
    index = charts.load_figure_index(tmp_path)
    assert list(index.columns) == list(charts.INDEX_COLUMNS)
    assert index["name"].tolist() == ["01-first-zh", "02-second-zh"]
    second = index.set_index("name").loc["02-second-zh"]
    assert second["title"] == "第二张" and second["sources"] == "nb-sum" and second["notebook"] == "02"
    assert second["files"] == "02-second-zh.png;02-second-zh.svg;02-second-zh.pdf"
    (tmp_path / "01-first-zh.pdf").unlink()  # an incomplete figure drops out of the rebuilt index
    charts.write_figure_index(tmp_path)
    assert charts.load_figure_index(tmp_path)["name"].tolist() == ["02-second-zh"]
    with pytest.raises(FileNotFoundError, match="no figure index"):
        charts.load_figure_index(tmp_path / "nowhere")


def test_figures_go_to_the_configured_folder(zh, tmp_path, monkeypatch):
    monkeypatch.setenv("CITYSCIENCE_FIGURES", str(tmp_path / "staging"))
    saved = charts.save_figure(_figure(), "05-env", labels=zh)
    assert saved.png.parent == (tmp_path / "staging").resolve()


def test_a_character_the_font_lacks_fails_loudly_and_writes_nothing(zh, tmp_path):
    fig = _figure()
    fig.axes[0].set_title("高新技术企业数㐀")  # U+3400, outside the font's character set (charts.fonts)
    with pytest.raises(charts.MissingGlyphError) as err:
        charts.save_figure(fig, "02-glyph", folder=tmp_path, labels=zh)
    assert list(tmp_path.iterdir()) == []
    assert str(err.value) == ("figure '02-glyph-zh' not written: 1 character of its text has no glyph in the fonts "
                              "it was drawn with. Call charts.set_theme() before drawing (it sets the CJK font), or "
                              "use characters the CJK font has: 㐀 (13312, CJK UNIFIED IDEOGRAPH-3400)")


_DRAW_AND_SAVE = """
import sys
from pathlib import Path
import matplotlib
matplotlib.use("Agg")
import matplotlib.pyplot as plt
import pandas as pd
from matplotlib import font_manager
from cityscience import charts

fake, folder = sys.argv[1], Path(sys.argv[2])
if fake:
    font_manager.fontManager.addfont(fake)  # as if the system had its own Noto Sans CJK SC
font = charts.set_theme("zh")
print(font.origin, font.path.name)
labels = charts.Labels.from_frames("zh", sources=pd.DataFrame({
    "source_id": ["nb-sum"], "issuer_zh": ["宁波市科学技术局"], "issuer_en": ["Ningbo S&T Bureau"],
    "title_zh": ["宁波市科技局2014年工作总结"], "title_en": ["2014 work summary"], "doc_number": [pd.NA],
    "published": pd.to_datetime(["2015-04-14"])}))
fig, ax = plt.subplots(figsize=(4, 3))
ax.bar(["宁波市", "杭州市"], [1167, 1979])
ax.set_title("高新技术企业数（存量）")
ax.set_ylabel("家")
fig.savefig(folder / "as-drawn.png", dpi=200)  # what the machine's font gives
charts.save_figure(fig, "02-fonts", sources=["nb-sum"], lang="zh", folder=folder, labels=labels)
"""


def _fake_system_font(path):
    """A TrueType 'Noto Sans CJK SC' whose glyphs are a tenth wider than the bundled font's."""
    from fontTools.ttLib import TTFont

    font = TTFont(str(charts.use_cjk_font(system=False).path))
    font["hmtx"].metrics = {g: (round(w * 1.1), lsb) for g, (w, lsb) in font["hmtx"].metrics.items()}
    for record in font["name"].names:
        if record.nameID in (1, 16):
            record.string = "Noto Sans CJK SC"
        elif record.nameID in (4, 6):
            record.string = "Noto Sans CJK SC Regular" if record.nameID == 4 else "NotoSansCJKsc-Regular"
    font.save(str(path))
    return path


def test_published_figures_do_not_depend_on_the_cjk_fonts_of_the_machine(tmp_path):
    import subprocess
    import sys

    fake = _fake_system_font(tmp_path / "NotoSansCJK-Regular.ttf")
    script = tmp_path / "draw.py"
    script.write_text(_DRAW_AND_SAVE, encoding="utf-8")
    out = {}
    for tag, font in (("system", str(fake)), ("bundled", "")):
        folder = tmp_path / tag
        folder.mkdir()
        done = subprocess.run([sys.executable, str(script), font, str(folder)], capture_output=True, text=True)
        assert done.returncode == 0, done.stderr
        out[tag] = (done.stdout.split(), folder)
    assert out["system"][0] == ["system", fake.name]  # the theme did pick the machine's font
    assert out["bundled"][0][0] == "bundled"
    system, bundled = out["system"][1], out["bundled"][1]
    assert (system / "as-drawn.png").read_bytes() != (bundled / "as-drawn.png").read_bytes()  # fonts differ
    for ext in ("png", "svg", "pdf"):
        assert (system / f"02-fonts-zh.{ext}").read_bytes() == (bundled / f"02-fonts-zh.{ext}").read_bytes(), ext


def test_a_plain_matplotlib_chart_marked_value_by_value_names_its_sources_and_places(zh, tmp_path):
    """charts.mark is all a chart drawn with plain matplotlib needs: the marked rows give the footnote's
    documents and the index's regions and indicators, and each value its link."""
    import cityscience as cs

    obs = cs.load_observations()
    rows = obs[obs["measure"] == "level"].drop_duplicates("source_id").head(2)
    fig, ax = plt.subplots(figsize=(4, 3))
    for i, (_, row) in enumerate(rows.iterrows()):
        charts.mark(ax.bar([i], [float(row["value"])]), row, str(row["value"]))
    saved = charts.save_figure(fig, "09-plain", folder=tmp_path, title="plain", update_index=False, lang="zh")
    meta = charts.read_figure_metadata(saved.png)
    assert meta["sources"] == sorted(rows["source_id"].astype(str)) and len(meta["values"]) == len(rows)
    assert meta["regions"] == sorted(set(rows["region"].astype(str)))
    assert meta["indicators"] == sorted(set(rows["indicator"].astype(str)))
    svg = saved.svg.read_text(encoding="utf-8")
    assert all(f"#{obs_id}" in svg for obs_id in rows["obs_id"])
