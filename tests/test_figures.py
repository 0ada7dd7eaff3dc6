"""Figure export: three formats, source footnote, reproducible bytes, atomic writes, the figure index."""

from __future__ import annotations

import re
import zlib

import matplotlib.pyplot as plt
import pandas as pd
import pytest
from matplotlib.figure import Figure
from PIL import Image

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
    assert saved.paths == tuple(tmp_path / f"02-test-chart.{ext}" for ext in ("png", "svg", "pdf"))
    assert all(p.stat().st_size > 0 for p in saved.paths)
    with Image.open(saved.png) as image:
        assert image.info["dpi"][0] >= 200 - 0.5
        assert image.width >= 4 * 200 * 0.9  # a 4-inch figure at 200 dpi
    meta = charts.read_figure_metadata(saved.png)
    env = meta.pop("env")
    assert re.fullmatch(r"[0-9a-f]{64}", meta.pop("key"))  # the export key (see the reuse tests below)
    assert meta == {"name": "02-test-chart", "notebook": "02", "title": "高新技术企业数(存量)", "lang": "zh",
                    "regions": ["hangzhou", "ningbo"], "indicators": [], "sources": ["hz-sum", "nb-sum"]}
    assert "matplotlib/" in env and "font/" in env
    assert "02-test-chart" in repr(saved)


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
        assert (first / f"02-same.{ext}").read_bytes() == (second / f"02-same.{ext}").read_bytes(), ext
    fig = _figure()  # the same figure saved twice (laid out again in between) into separate folders
    charts.save_figure(fig, "02-twice", folder=first, labels=zh)
    charts.save_figure(fig, "02-twice", folder=second, labels=zh)
    for ext in ("svg", "pdf"):
        assert (first / f"02-twice.{ext}").read_bytes() == (second / f"02-twice.{ext}").read_bytes(), ext


def _count_renders(monkeypatch) -> list:
    drawn = []
    original = Figure.savefig

    def counting(self, fname, *args, **kwargs):
        drawn.append(kwargs.get("format"))
        return original(self, fname, *args, **kwargs)

    monkeypatch.setattr(Figure, "savefig", counting)
    return drawn


def test_unchanged_figures_are_copied_not_rendered_again(zh, tmp_path, monkeypatch):
    drawn = _count_renders(monkeypatch)
    published, staging = tmp_path / "published", tmp_path / "staging"
    charts.save_figure(_figure(), "02-reuse", folder=published, labels=zh)
    assert drawn == ["png", "svg", "pdf"]
    monkeypatch.setenv("CITYSCIENCE_FIGURE_REUSE", str(published))
    drawn.clear()
    saved = charts.save_figure(_figure(), "02-reuse", folder=staging, labels=zh)  # same figure: copied
    assert drawn == []
    for ext in ("png", "svg", "pdf"):
        assert (published / f"02-reuse.{ext}").read_bytes() == getattr(saved, ext).read_bytes()
    changed = _figure()
    changed.axes[0].set_title("高新技术企业数（存量，改）")
    charts.save_figure(changed, "02-reuse", folder=staging, labels=zh)  # changed: rendered again
    assert drawn == ["png", "svg", "pdf"]
    assert (staging / "02-reuse.svg").read_bytes() != (published / "02-reuse.svg").read_bytes()


@pytest.mark.parametrize("change", [
    lambda fig: fig.axes[0].patches[0].set_height(1168),       # one value
    lambda fig: fig.axes[0].patches[1].set_facecolor("#000000"),  # a colour
    lambda fig: fig.axes[0].patches[0].set_hatch("//"),         # a hatch (how targets are drawn)
    lambda fig: fig.axes[0].patches[0].set_linestyle("--"),     # a dash pattern
    lambda fig: fig.axes[0].set_ylim(0, 3000),                  # the axis range
    lambda fig: fig.set_size_inches(5, 3),                      # the size
    lambda fig: fig.axes[0].patches[0].set_rasterized(True),    # rasterized in SVG/PDF only
    lambda fig: charts.attach_sources(fig, ["extra"]),          # the footnote's sources
], ids=["value", "colour", "hatch", "dashes", "ylim", "size", "rasterized", "sources"])
def test_any_visible_change_renders_the_figure_again(zh, tmp_path, monkeypatch, change):
    drawn = _count_renders(monkeypatch)
    charts.save_figure(_figure(), "02-change", folder=tmp_path, labels=zh)
    fig = _figure()
    change(fig)
    drawn.clear()
    charts.save_figure(fig, "02-change", folder=tmp_path, labels=zh)
    assert drawn == ["png", "svg", "pdf"]


def test_a_changed_setting_renders_the_figure_again(zh, tmp_path, monkeypatch):
    drawn = _count_renders(monkeypatch)
    charts.save_figure(_figure(), "02-setting", folder=tmp_path, labels=zh)
    drawn.clear()
    charts.save_figure(_figure(), "02-setting", folder=tmp_path, labels=zh, note="附注")  # footnote text
    assert drawn == ["png", "svg", "pdf"]
    drawn.clear()
    charts.save_figure(_figure(), "02-setting", folder=tmp_path, labels=zh, note="附注", dpi=300)
    assert drawn == ["png", "svg", "pdf"]
    drawn.clear()
    with plt.rc_context({"svg.fonttype": "none"}):  # read by the SVG writer, not by the drawing calls
        charts.save_figure(_figure(), "02-setting", folder=tmp_path, labels=zh, note="附注", dpi=300)
    assert drawn == ["png", "svg", "pdf"]
    drawn.clear()
    charts.save_figure(_figure(), "02-setting", folder=tmp_path, labels=zh, note="附注", dpi=300)
    assert drawn == ["png", "svg", "pdf"]  # back to the theme's setting: the files differ again


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
    assert list(tmp_path.iterdir()) == []


def test_figure_index_lists_every_exported_figure(zh, tmp_path):
    charts.save_figure(_figure(), "01-first", folder=tmp_path, labels=zh)
    charts.save_figure(_figure(["nb-sum"]), "02-second", folder=tmp_path, labels=zh, title="第二张")
    Image.new("RGB", (2, 2)).save(tmp_path / "99-not-ours.png")  # a PNG without our metadata is ignored
    index = charts.load_figure_index(tmp_path)
    assert list(index.columns) == list(charts.INDEX_COLUMNS)
    assert index["name"].tolist() == ["01-first", "02-second"]
    second = index.set_index("name").loc["02-second"]
    assert second["title"] == "第二张" and second["sources"] == "nb-sum" and second["notebook"] == "02"
    assert second["files"] == "02-second.png;02-second.svg;02-second.pdf"
    (tmp_path / "01-first.pdf").unlink()  # an incomplete figure drops out of the rebuilt index
    charts.write_figure_index(tmp_path)
    assert charts.load_figure_index(tmp_path)["name"].tolist() == ["02-second"]
    with pytest.raises(FileNotFoundError, match="no figure index"):
        charts.load_figure_index(tmp_path / "nowhere")


def test_figures_go_to_the_configured_folder(zh, tmp_path, monkeypatch):
    monkeypatch.setenv("CITYSCIENCE_FIGURES", str(tmp_path / "staging"))
    saved = charts.save_figure(_figure(), "05-env", labels=zh)
    assert saved.png.parent == (tmp_path / "staging").resolve()


def test_an_opaque_figure_is_rendered_every_time(zh, tmp_path, monkeypatch):
    """A figure the digest cannot describe (here: a filter function) gets no export key and is never copied."""
    drawn = _count_renders(monkeypatch)
    for _ in range(2):
        fig = _figure()
        fig.axes[0].patches[0].set_agg_filter(lambda image, dpi: (image, 0, 0))
        saved = charts.save_figure(fig, "02-opaque", folder=tmp_path, labels=zh)
        assert charts.read_figure_metadata(saved.png)["key"] is None
    assert drawn == ["png", "svg", "pdf"] * 2
