"""One click from a plotted value to its sentence: every value in every SVG and PDF links to its evidence.

Each value a chart function draws (bar, marker, interval, its label, a fact-table row)
links to the anchor of its observation in its document's reader page, and in SVG
carries a tooltip with the value, the document and the evidence. Checked on each
chart function here and on every figure the notebooks publish (the test session's
build, shared with tests/test_notebooks.py).
"""

from __future__ import annotations

import re
from pathlib import Path

import matplotlib.pyplot as plt
import pytest
from pypdf import PdfReader

import cityscience as cs
from cityscience import charts
from cityscience.export.readers import reader_pages
from readerpage import ReaderPage, link_problems
from test_notebooks import executed  # noqa: F401  (the session's build of every notebook)

_SVG_LINK = re.compile(r'<a xlink:href="([^"#]*\.html#[^"]*)"')
_SVG_VALUE = re.compile(r'<g id="(value\d{3})">\s*<title>([^<]*)</title>')


@pytest.fixture(scope="module")
def obs():
    return charts.with_derived(cs.load_observations())


@pytest.fixture(scope="module")
def pages():
    return {sid: ReaderPage(text) for sid, text in reader_pages().items()}


@pytest.fixture(scope="module")
def evidence(obs):
    stated = obs[~obs["derived"].fillna(False).astype(bool)]
    return dict(zip(stated["obs_id"].astype(str), stated["evidence"].astype(str), strict=True))


def svg_links(path: Path) -> list[str]:
    return [u.replace("&amp;", "&") for u in _SVG_LINK.findall(path.read_text(encoding="utf-8"))]


def pdf_links(path: Path) -> list[str]:
    return [str(a.get_object()["/A"]["/URI"]) for page in PdfReader(path).pages
            for a in page.get("/Annots", []) if a.get_object().get("/Subtype") == "/Link"]


def _anchors(urls) -> set[str]:
    return {u.rpartition("#")[2] for u in urls}


def _stated(ids) -> set[str]:
    return {str(i).removeprefix("derived:") for i in ids}


def _draw(kind: str, obs):
    """A chart of each kind from the curated data, and the obs_ids it draws (derived ones as stated)."""
    if kind == "bar_by_region":
        code = obs.groupby("indicator")["region"].nunique().idxmax()
        fig, _ = charts.bar_by_region(obs, code)
        return fig, charts.chart_frame(obs, indicator=code)["obs_id"]
    if kind == "lines_over_years":
        code = obs[obs["measure"] == "level"].groupby("indicator")["year"].nunique().idxmax()
        fig, _ = charts.lines_over_years(obs, code)
        return fig, charts.chart_frame(obs, indicator=code)["obs_id"]
    if kind == "hbar":
        unit = obs[obs["unit_std"] == "CNY"]
        some = unit[unit["measure"] == "level"].sort_values("obs_id").head(6)
        fig, _ = charts.hbar(some)
        return fig, some["obs_id"]
    if kind == "dumbbell":
        gaps = charts.target_gaps(obs)
        gaps = gaps[gaps["base_value_std"].notna()]
        fig, _ = charts.dumbbell(gaps)
        return fig, list(gaps["target_obs_id"]) + list(gaps["base_obs_id"])
    region = obs["region"].value_counts().idxmax()
    some = obs[(obs["region"] == region) & (obs["status"] == "actual")].sort_values("obs_id").head(8)
    fig, _ = charts.fact_table(some)
    return fig, some["obs_id"]


@pytest.mark.parametrize("kind", ["bar_by_region", "lines_over_years", "hbar", "dumbbell", "fact_table"])
def test_every_value_a_chart_draws_links_to_its_sentence(kind, obs, pages, evidence, tmp_path):
    charts.set_theme("zh")
    fig, drawn = _draw(kind, obs)
    saved = charts.save_figure(fig, "02-links", title="Links", folder=tmp_path, update_index=False, show=False)
    plt.close(fig)
    svg, pdf = svg_links(saved.svg), pdf_links(saved.pdf)
    assert _anchors(svg) == _stated(drawn), "a drawn value without its link, or a link to no drawn value"
    assert _anchors(pdf) == _stated(drawn)
    assert link_problems(sorted(set(svg) | set(pdf)), pages, evidence) == []
    tips = _SVG_VALUE.findall(saved.svg.read_text(encoding="utf-8"))
    assert len(tips) == len(list(drawn))
    for _, tip in tips:
        anchor = tip.rsplit("\n", 1)[-1]
        assert evidence[anchor].replace("&", "&amp;") in tip and "(" in tip, tip


def test_linked_figures_keep_their_bytes(obs, tmp_path):
    charts.set_theme("zh")
    files = []
    for folder in ("a", "b"):
        fig, _ = _draw("bar_by_region", obs)
        saved = charts.save_figure(fig, "02-links", title="Links", folder=tmp_path / folder, update_index=False, show=False)
        plt.close(fig)
        files.append((saved.svg.read_bytes(), saved.pdf.read_bytes()))
    assert files[0] == files[1]


def test_pdf_links_cover_each_bar_line_and_marker_as_drawn(obs, tmp_path):
    import math

    from cityscience.charts.figures import mark

    charts.set_theme("en")
    a, b = (obs.sort_values("obs_id").iloc[i] for i in (0, 1))
    fig, ax = plt.subplots(figsize=(4, 3))
    bars = ax.bar([0, 1], [1, 2])
    mark(bars[0], a)
    mark(bars[1], b)
    (line,) = ax.plot([0, 1, 2], [1.5, 1.0, 0.5], marker="D", markersize=6)
    mark(line, a)
    ax.set_title("t")
    saved = charts.save_figure(fig, "02-links", sources=[a["source_id"]], folder=tmp_path, update_index=False,
                               show=False)
    plt.close(fig)
    page = PdfReader(saved.pdf).pages[0]
    width, height = float(page.mediabox.width), float(page.mediabox.height)
    rects: dict[str, list[list[float]]] = {}
    for annot in page["/Annots"]:
        annot = annot.get_object()
        rects.setdefault(str(annot["/A"]["/URI"]).rpartition("#")[2], []).append([float(x) for x in annot["/Rect"]])
    assert all(0 <= x0 < x1 <= width and 0 <= y0 < y1 <= height for rs in rects.values() for x0, y0, x1, y1 in rs)
    (bar_b,) = rects[str(b["obs_id"])]
    boxes_a = rects[str(a["obs_id"])]  # the first bar, the line and its three diamonds
    assert len(boxes_a) == 5
    bar_a = min(boxes_a, key=lambda r: r[1])  # the bar starts at the axis
    assert math.isclose(bar_b[3] - bar_b[1], 2 * (bar_a[3] - bar_a[1]), rel_tol=1e-3)  # bars of 1 and 2
    diamonds = [r for r in boxes_a if math.isclose(r[2] - r[0], 6 * math.sqrt(2), rel_tol=1e-3)]
    assert len(diamonds) == 3 and all(math.isclose(r[3] - r[1], 6 * math.sqrt(2), rel_tol=1e-3) for r in diamonds)


def test_a_pdf_not_laid_out_as_matplotlib_writes_it_is_refused():
    from cityscience.charts.figures import _add_pdf_links

    assert _add_pdf_links(b"%PDF-1.4 anything", []) == b"%PDF-1.4 anything"  # nothing to add
    with pytest.raises(RuntimeError, match="not laid out as expected"):
        _add_pdf_links(b"%PDF-1.4\n1 0 obj\n<< >>\nendobj\n", [("x.html#a", (0, 0, 1, 1))])


def test_every_link_of_every_published_figure_opens_its_evidence(executed, pages, evidence):  # noqa: F811
    out, result = executed
    assert result["ok"], f"the build stopped:\n{result['error']}"
    figures = sorted((out / "figures").glob("*.svg"))
    assert figures
    problems, linked = [], set()
    for svg in figures:
        urls = svg_links(svg) + pdf_links(svg.with_suffix(".pdf"))
        problems += [f"{svg.stem}: {p}" for p in link_problems(sorted(set(urls)), pages, evidence)]
        if urls:
            linked.add(svg.stem)
            assert _anchors(svg_links(svg)) == _anchors(pdf_links(svg.with_suffix(".pdf"))), svg.stem
    assert problems == []
    assert linked, "no published figure links a value to its sentence"


def test_a_figure_saved_by_hand_links_to_the_pages_from_where_it_is(obs, tmp_path, monkeypatch):
    from urllib.parse import unquote

    from cityscience.export.readers import write_reader_pages

    monkeypatch.setenv("CITYSCIENCE_BUILD", str(tmp_path / "build"))
    monkeypatch.delenv("CITYSCIENCE_FIGURES", raising=False)
    write_reader_pages()
    charts.set_theme("zh")
    fig, _ = _draw("bar_by_region", obs)
    saved = charts.save_figure(fig, "02-links", title="Links", update_index=False, show=False)
    plt.close(fig)
    assert saved.svg.parent == tmp_path / "build" / "interactive" / "figures"
    urls = svg_links(saved.svg)
    assert urls
    for url in urls:
        page = (saved.svg.parent / unquote(url.partition("#")[0])).resolve()
        assert page.is_file(), url
        assert f'id="{unquote(url.partition("#")[2])}"' in page.read_text(encoding="utf-8")


def test_a_linked_text_in_svg_is_clickable_over_its_whole_box(obs, tmp_path):
    """A value label's link holds a transparent rectangle over the whole label (glyphs are paths, so
    without it only a click on a stroke follows the link): inside the picture, around where its glyphs
    are drawn, and the size of the text."""
    from cityscience.charts.figures import mark

    charts.set_theme("en")
    a = obs.sort_values("obs_id").iloc[0]
    fig, ax = plt.subplots(figsize=(4, 3))
    (bar,) = ax.bar([0], [1])
    mark(bar, a)
    label = ax.text(0, 1.02, "1,234 items", ha="center", fontsize=12)
    mark(label, a)
    ax.set_ylim(0, 1.3)
    ax.set_title("t")
    saved = charts.save_figure(fig, "02-links", sources=[a["source_id"]], folder=tmp_path, update_index=False,
                               show=False)
    plt.close(fig)
    svg = saved.svg.read_text(encoding="utf-8")
    width, height = (float(x) for x in re.search(r'viewBox="0 0 ([\d.]+) ([\d.]+)"', svg).groups())
    rects = re.findall(r'<a xlink:href="[^"]*"[^>]*>\s*<rect x="([\d.]+)" y="([\d.]+)" width="([\d.]+)" '
                       r'height="([\d.]+)" style="fill: none" pointer-events="all"/>\s*<!-- 1,234 items -->\s*'
                       r'<g style="[^"]*" transform="translate\(([\d.]+) ([\d.]+)\)', svg)
    assert len(rects) == 1, "the label's link has no rectangle over it"
    x, y, w, h, gx, gy = map(float, rects[0])
    assert 0 <= x and x + w <= width and 0 <= y and y + h <= height
    assert x - 0.5 <= gx <= x + w and y <= gy <= y + h + 0.5  # the glyphs start inside the box
    assert 40 < w < 120 and 8 < h < 20  # about the size of twelve-point text
    assert svg.count('pointer-events="all"') == 1  # the bar needs none: it is clickable over its area


def test_a_value_label_on_a_background_box_is_clickable_over_its_whole_box(obs, tmp_path):
    """The chart functions draw value labels on a white box (plots._VALUE_BOX), which the SVG writes as
    a patch between the label's tooltip and its link: the link still gets its rectangle, so a click
    between the glyphs (inside a 0, between two digits) opens the sentence, as on a label without a box."""
    from cityscience.charts.figures import mark
    from cityscience.charts.plots import _VALUE_BOX

    charts.set_theme("en")
    a = obs.sort_values("obs_id").iloc[0]
    fig, ax = plt.subplots(figsize=(4, 3))
    (bar,) = ax.bar([0], [1])
    mark(bar, a)
    label = ax.text(0, 1.02, "≈9,810 (derived)", ha="center", fontsize=12, bbox=_VALUE_BOX)
    mark(label, a)
    ax.set_ylim(0, 1.3)
    ax.set_title("t")
    saved = charts.save_figure(fig, "02-links-boxed", sources=[a["source_id"]], folder=tmp_path,
                               update_index=False, show=False)
    plt.close(fig)
    svg = saved.svg.read_text(encoding="utf-8")
    assert re.search(r'<g id="patch_\d+">\s*<path [^>]*style="fill: #ffffff"/>\s*</g>\s*<a ', svg), \
        "the label is not drawn on its box (the case this test is about)"
    rects = re.findall(r'<a xlink:href="[^"]*"[^>]*>\s*<rect x="([\d.]+)" y="([\d.]+)" width="([\d.]+)" '
                       r'height="([\d.]+)" style="fill: none" pointer-events="all"/>\s*<!-- ≈9,810 \(derived\) -->',
                       svg)
    assert len(rects) == 1, "the boxed label's link has no rectangle over it"
    x, y, w, h = map(float, rects[0])
    assert 60 < w < 160 and 8 < h < 20


def test_a_derived_value_s_tooltip_names_the_stated_change_it_was_computed_with(obs, tmp_path):
    from xml.sax.saxutils import unescape

    derived = obs[obs["derived"].fillna(False).astype(bool)]
    assert len(derived), "the curated data imply a previous level somewhere"
    row = derived.iloc[0]
    level, change = str(row["derived_from"]).split("+")
    fig, _ = charts.bar_by_region(obs[obs["region"] == row["region"]], str(row["indicator"]), lang="en")
    saved = charts.save_figure(fig, "02-derived", folder=tmp_path, lang="en", update_index=False, show=False)
    tips = [unescape(t) for _, t in _SVG_VALUE.findall(saved.svg.read_text(encoding="utf-8"))]
    (tip,) = [t for t in tips if t.endswith(f"\n{level}") and "(derived)" in t]
    stated = obs.set_index(obs["obs_id"].astype(str))
    assert f"derived from it and {change}: “{stated.loc[change, 'evidence']}”" in tip, tip
    assert not [t for t in tips if "derived from it" in t and "(derived)" not in t]  # stated values say nothing
