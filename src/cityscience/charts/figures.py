"""Export charts as PNG, SVG and PDF with a source footnote, and keep an index of them.

:func:`save_figure` writes ``NAME.png`` (200 dpi or more), ``NAME.svg`` and
``NAME.pdf``: during ``cityscience build`` into its staging folder, which the
build publishes to ``figures/``; run by hand, into ``build/interactive/figures``
(see :func:`cityscience.paths.figure_output_dir`). All three are rendered in memory first,
so a failure never leaves a broken or half-updated figure, and a file is
replaced only when its bytes change (an unchanged figure keeps its file and
modification time). SVG and PDF carry no timestamps or random ids, and text
is always drawn with the bundled CJK font, so the same data and library give
byte-identical files on every machine.

Every exported chart carries a footnote naming its source documents. Chart
functions record the sources they drew (see :func:`attach_sources`); pass
``sources=`` to name them yourself.

The PNG holds the figure's description (title, notebook, language, regions,
indicators, sources, and what it draws: each marked value with its observation,
each drawn table's cells) as metadata, and ``index.csv`` in the figures folder lists
every figure; :func:`write_figure_index` rebuilds it from the PNGs. The workbook's
figure sheets are read from that description.
"""

from __future__ import annotations

import csv
import io
import json
import math
import os
import re
import unicodedata
import warnings
import weakref
from collections.abc import Iterable, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from xml.sax.saxutils import escape as xml_escape

import matplotlib as mpl
import numpy as np
import pandas as pd
from matplotlib.artist import Artist
from matplotlib.figure import Figure
from matplotlib.text import Text
from matplotlib.transforms import Bbox

from ..atomic import write_if_changed, write_many_if_changed
from ..conventions import FIGURE_FORMATS, LANGUAGES
from ..paths import figure_output_dir, figures_dir, links_relative_to, reader_link
from ..provenance import one_line
from .fonts import substitute_fonts
from .labels import Labels, check_language, format_value
from .style import current_language

__all__ = [
    "FIGURE_FORMATS",
    "INDEX_COLUMNS",
    "INDEX_FILE",
    "MIN_DPI",
    "FigureInfo",
    "MissingGlyphError",
    "SavedFigure",
    "attach_note",
    "attach_sources",
    "attach_table",
    "figure_file_name",
    "figure_info",
    "layout_problems",
    "load_figure_index",
    "mark",
    "read_figure_metadata",
    "save_figure",
    "source_footnote",
    "write_figure_index",
]

MIN_DPI = 200
INDEX_FILE = "index.csv"
INDEX_COLUMNS = ("name", "notebook", "title", "lang", "regions", "indicators", "sources", "files")
_METADATA_KEY = "cityscience"
_NAME = re.compile(r"^(\d{2})-[a-z0-9]+(?:[-_][a-z0-9]+)*$")
_GLYPH_WARNING = re.compile(r"Glyph (\d+) .* missing from font")
_FOOTNOTE_GID = "cityscience-source-footnote"
_FOOTNOTE_SIZE = 7.0


class MissingGlyphError(ValueError):
    """A chart uses characters that no configured font can draw (they would show as boxes)."""


@dataclass
class FigureInfo:
    """What a figure shows, recorded by the chart functions for its footnote and the index."""

    sources: set[str] = field(default_factory=set)
    regions: set[str] = field(default_factory=set)
    indicators: set[str] = field(default_factory=set)
    years: set[int] = field(default_factory=set)
    lang: str | None = None
    title: str | None = None
    notes: list[str] = field(default_factory=list)
    values: list[MarkedValue] = field(default_factory=list)
    tables: list[DrawnTable] = field(default_factory=list)
    #: consistency checks the chart shows itself (a dumbbell annotates each target below its base), so
    #: the footnote does not repeat them
    checks_shown: set[str] = field(default_factory=set)
    #: placements that depend on the size of texts (a legend under the tick labels), redone by
    #: :func:`save_figure` once the texts are in the bundled font, so the files do not depend on the
    #: machine's fonts
    replace_with_export_font: list = field(default_factory=list)


@dataclass
class MarkedValue:
    """A drawn value (its bars, markers or label) and the observation it shows, for its link and tooltip."""

    artists: list
    obs_id: str
    value: str
    source_id: str | None = None
    evidence: str | None = None
    fields: dict = field(default_factory=dict)


@dataclass
class DrawnTable:
    """A table of numbers drawn as cells or bars (a heatmap, counts by status), for the figure's data."""

    ax: object
    table: pd.DataFrame


@dataclass(frozen=True)
class SavedFigure:
    """Paths of one exported figure, and the texts that overlap or leave it as written (``layout``, empty
    when clean: the files' layout, with their font, footnote and frozen size, not the figure's on screen)."""

    name: str
    png: Path
    svg: Path
    pdf: Path
    layout: tuple[str, ...] = ()

    @property
    def paths(self) -> tuple[Path, Path, Path]:
        return (self.png, self.svg, self.pdf)

    def __repr__(self) -> str:
        return f"SavedFigure({self.name!r}: {', '.join(FIGURE_FORMATS)} in {self.png.parent})"


_INFO: weakref.WeakKeyDictionary[Figure, FigureInfo] = weakref.WeakKeyDictionary()


def figure_info(fig: Figure) -> FigureInfo:
    """The :class:`FigureInfo` recorded for a figure (empty if none)."""
    return _INFO.setdefault(fig, FigureInfo())


def attach_sources(fig: Figure, sources: Iterable[object], *, regions: Iterable[object] = (),
                   indicators: Iterable[object] = (), years: Iterable[object] = (), lang: str | None = None,
                   title: str | None = None) -> FigureInfo:
    """Record the source documents (and regions, indicators, years) a figure shows.

    Chart functions call this; call it yourself for a chart drawn with plain
    matplotlib, so that :func:`save_figure` can name its sources. Regions and
    years feed the automatic comparability note of the footnote.
    """
    info = figure_info(fig)
    info.sources |= {str(s) for s in sources if not pd.isna(s)}
    info.regions |= {str(r) for r in regions if not pd.isna(r)}
    info.indicators |= {str(i) for i in indicators if not pd.isna(i)}
    info.years |= {int(y) for y in years if not pd.isna(y)}
    if lang is not None:
        info.lang = check_language(lang)
    if title is not None and info.title is None:
        info.title = title
    return info


def attach_note(fig: Figure, note: str) -> FigureInfo:
    """Record a line the figure's footnote must carry (e.g. why two bars are not alike); each once.

    Chart functions call this when they draw values that differ in basis, scope
    or period; :func:`save_figure` and :func:`source_footnote` print the notes
    above the sources.
    """
    info = figure_info(fig)
    if note and note not in info.notes:
        info.notes.append(note)
    return info


_VALUE_GID = "value"


def _flatten(obj) -> list[Artist]:
    if obj is None:
        return []
    if isinstance(obj, Artist):
        return [obj]
    return [a for item in obj for a in _flatten(item)]


def mark(artists, row: Mapping | pd.Series | str, value: str = "") -> None:
    """Link what was drawn for one value to its sentence: the observation's anchor in its reader page.

    Chart functions call this with the artists of each value they draw (a bar container,
    ``plot``'s lines, an errorbar, the value's label) and its chart-frame row (``obs_id``,
    ``source_id``, ``evidence``; a derived value links to the stated one it comes from) or an
    obs_id. :func:`save_figure` gives every such artist the link
    (:func:`cityscience.paths.reader_link`): SVG and PDF open the sentence when the value is
    clicked; in SVG a tooltip shows the value, the document and the evidence.
    """
    drawn = _flatten(artists)
    if not drawn:
        return
    if isinstance(row, str):
        obs_id, source_id, evidence = row, None, None
    else:
        obs_id, source_id, evidence = (row.get(k) for k in ("obs_id", "source_id", "evidence"))
    fields = {} if isinstance(row, str) else {k: _plain(row.get(k)) for k in _VALUE_FIELDS if k in row}
    figure_info(drawn[0].get_figure(root=True)).values.append(MarkedValue(
        drawn, str(obs_id), value, None if source_id is None or pd.isna(source_id) else str(source_id),
        None if evidence is None or pd.isna(evidence) else str(evidence), fields))


_VALUE_FIELDS = ("region", "year", "indicator", "measure", "status", "qualifier", "value_std", "value_high_std",
                 "unit_std", "derived_from")


def _plain(value):
    """A scalar as JSON holds it: None for missing, int or float for numbers, else text."""
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return None
    if isinstance(value, bool):
        return value
    if isinstance(value, int | float) or hasattr(value, "dtype"):
        number = float(value)
        return int(number) if number.is_integer() and abs(number) < 2**53 else number
    return str(value)


def attach_table(ax, table: pd.DataFrame) -> None:
    """Record a table of numbers drawn in ``ax`` (rows × columns, labelled as shown), for the figure's data.

    Chart functions that draw a table rather than observations (heatmaps, counts by status) call
    this; :func:`save_figure` stores every cell with the panel's title, so the workbook's sheet
    for the figure holds the numbers drawn.
    """
    figure_info(ax.get_figure(root=True)).tables.append(DrawnTable(ax, table.copy()))


def _unwrapped(text: str) -> str:
    """A label drawn over lines as one line: lines joined by a space, or directly between two wide
    (CJK) characters, where a wrap broke a word.

    >>> _unwrapped("Ningbo\\n2014"), _unwrapped("高新技术\\n企业"), _unwrapped("宁波\\n2014")
    ('Ningbo 2014', '高新技术企业', '宁波 2014')
    """
    def join(m: re.Match) -> str:
        wide = all(unicodedata.east_asian_width(ch) in "WF" for ch in (m.group(1), m.group(2)))
        return m.group(1) + ("" if wide else " ")

    return re.sub(r"(\S)[ \t]*\n\s*(?=(\S))", join, str(text).strip())


def _panel(ax) -> str:
    """The title of the axes a value was drawn in ('' without one)."""
    if ax is None:
        return ""
    return next((t for t in (ax.get_title(loc) for loc in ("left", "center", "right")) if t and t.strip()), "")


def _plotted(fig: Figure) -> tuple[list[dict], list[dict]]:
    """What a figure draws, for its PNG's description: each marked value (its observation, the codes it
    is drawn for and the text shown) and each drawn table's cells."""
    info = figure_info(fig)
    values = [{"obs_id": v.obs_id, "shown": _unwrapped(v.value), "panel": _unwrapped(_panel(v.artists[0].axes)),
               **v.fields} for v in info.values]
    cells = []
    for drawn in info.tables:
        panel = _unwrapped(_panel(drawn.ax))
        for row, series in drawn.table.iterrows():
            for column, value in series.items():
                cells.append({"panel": panel, "row": _unwrapped(row), "column": _unwrapped(column),
                              "value": _plain(value)})
    return values, cells


def _stated_id(obs_id: str) -> str:
    """The stated observation a value links to: itself, or the one a derived value comes from."""
    return obs_id.removeprefix("derived:")


def _link_values(fig: Figure, lang: str, labels: Labels | None, folder: Path | None = None) -> dict[str, str]:
    """Give every marked artist its reader-page link (relative to ``folder``, default the published
    ``figures/``) and a gid; return each gid's SVG tooltip."""
    values = figure_info(fig).values
    if not values:
        return {}
    missing = {_stated_id(v.obs_id) for v in values if v.source_id is None or v.evidence is None}
    missing |= {i for v in values for i in _derived_with(v)}
    known: dict[str, tuple[str, str]] = {}
    if missing:
        from ..load import load_observations

        obs = load_observations()
        obs = obs[obs["obs_id"].astype(str).isin(missing)]
        known = {str(o): (str(s), str(e)) for o, s, e in zip(obs["obs_id"], obs["source_id"], obs["evidence"],
                                                              strict=True)}
    labels = labels if labels is not None and labels.lang == lang else Labels.load(lang)
    tips = {}
    for n, v in enumerate(values, start=1):
        anchor = _stated_id(v.obs_id)
        source_id, evidence = v.source_id, v.evidence
        if source_id is None or evidence is None:
            source_id, evidence = (source_id or known.get(anchor, (None, None))[0],
                                   evidence or known.get(anchor, (None, None))[1])
        if source_id is None:
            continue  # an observation of no known document: nothing to link to
        gid = f"{_VALUE_GID}{n:03d}"
        for k, artist in enumerate(v.artists):
            artist.set_gid(gid if k == 0 else f"{gid}.{k}")
            artist.set_url(reader_link(source_id, anchor, folder=folder))
        document = f"{labels.source(source_id)} ({source_id})"
        # a derived value: the stated change it was computed with, beside the stated level it links to
        also = [labels.template("derived_with", obs_id=i, evidence=one_line(known[i][1]))
                for i in _derived_with(v) if i in known]
        tips[gid] = "\n".join(x for x in (v.value, document, f"“{one_line(evidence)}”" if evidence else "", *also,
                                          anchor) if x)
    return tips


def _derived_with(value: MarkedValue) -> list[str]:
    """The stated observations a derived value was computed with, besides the one it links to."""
    ids = str(value.fields.get("derived_from") or "").split("+")
    return [i for i in ids if i and i != _stated_id(value.obs_id)]


_VALUE_GROUP = re.compile(r'(<g id="(' + _VALUE_GID + r'\d{3}(?:\.\d+)?)">)')


# a marked text: its glyphs follow a comment; a label drawn on a box (the chart functions' white
# background) has the box's patch between its tooltip and its link
_VALUE_TEXT_LINK = re.compile(r'(<g id="(' + _VALUE_GID + r'\d{3}(?:\.\d+)?)">\n(?:\s*<title>[^<]*</title>\n)?'
                              r'(?:\s*<g id="patch_\d+">\n(?:\s*<path [^>]*/>\n)+\s*</g>\n)?'
                              r'(\s*)<a [^>]*>\n)(?=\s*<!--)')


def _svg_tooltips(svg: bytes, tips: Mapping[str, str],
                  text_boxes: Mapping[str, tuple[float, float, float, float]] | None = None) -> bytes:
    """Put a ``<title>`` (the value's tooltip) first in the group of each marked artist, and into the
    link of each marked text a transparent rectangle over the whole text (``text_boxes``: gid → box in
    SVG coordinates), so that a click between its glyphs' strokes follows the link too."""
    if not tips:
        return svg

    def add(m: re.Match) -> str:
        tip = tips.get(m.group(2).split(".")[0])
        return m.group(1) + (f"\n   <title>{xml_escape(tip)}</title>" if tip else "")

    def cover(m: re.Match) -> str:
        box = (text_boxes or {}).get(m.group(2))
        if box is None:
            return m.group(1)
        x0, y0, x1, y1 = box
        return (m.group(1) + f'{m.group(3)} <rect x="{x0:g}" y="{y0:g}" width="{x1 - x0:g}" height="{y1 - y0:g}" '
                'style="fill: none" pointer-events="all"/>\n')

    return _VALUE_TEXT_LINK.sub(cover, _VALUE_GROUP.sub(add, svg.decode("utf-8"))).encode("utf-8")


def _text_boxes(fig: Figure, renderer) -> dict[str, tuple[float, float, float, float]]:
    """gid → box of every drawn text with a link, in SVG coordinates (points, y downwards), measured on
    the SVG's own draw."""
    height = renderer.height
    out = {}
    for text in fig.findobj(lambda a: isinstance(a, Text) and a.get_url() is not None and a.get_gid()):
        if text.get_visible() and text.get_text():
            x0, y0, x1, y1 = text.get_window_extent(renderer).extents
            if all(map(math.isfinite, (x0, y0, x1, y1))):
                out[text.get_gid()] = (round(x0, 2), round(height - y1, 2), round(x1, 2), round(height - y0, 2))
    return out


def _link_boxes(fig: Figure, renderer) -> list[tuple[str, tuple[float, float, float, float]]]:
    """(url, box) of every drawn artist with a link except texts, in the renderer's coordinates.

    Matplotlib's PDF backend makes link annotations only for texts with a url; bars, markers and
    lines are paths, so :func:`_add_pdf_links` adds theirs: a box per line and per marker, else the
    artist's window extent, measured on the PDF's own draw, where display coordinates are PDF points.
    """
    from matplotlib.lines import Line2D
    from matplotlib.markers import MarkerStyle
    from matplotlib.transforms import Affine2D

    boxes = []
    for artist in fig.findobj(lambda a: a.get_url() is not None and not isinstance(a, Text)):
        if not artist.get_visible():
            continue
        if isinstance(artist, Line2D):  # the line, and each marker with its own shape (a diamond is wider)
            shapes = []
            if artist.get_linestyle() not in ("None", "none", " ", ""):
                shapes.append(artist.get_path().get_extents(artist.get_transform()))
            if artist.get_marker() not in (None, "None", "none", " ", ""):
                style = MarkerStyle(artist.get_marker(), artist.get_fillstyle())
                size = renderer.points_to_pixels(artist.get_markersize())
                shape = style.get_path().get_extents(style.get_transform() + Affine2D().scale(size))
                shapes += [shape.translated(x, y) for x, y in artist.get_transform().transform(artist.get_xydata())]
        else:
            shapes = [artist.get_window_extent(renderer)]
        boxes += [(artist.get_url(), tuple(round(x, 3) for x in box.extents)) for box in shapes
                  if all(map(math.isfinite, box.extents))]
    return boxes


_PDF_ANNOTS = re.compile(rb"/Annots (\d+) 0 R")
_PDF_TRAILER = re.compile(rb"trailer\n<< /Size (\d+) /Root (\d+ 0 R) /Info (\d+ 0 R) >>\nstartxref\n(\d+)\n%%EOF\n?\Z")


def _add_pdf_links(pdf: bytes, boxes: list[tuple[str, tuple[float, float, float, float]]]) -> bytes:
    """The one-page PDF matplotlib wrote, with a link annotation over each box, as an incremental
    update (PDF 32000-1, 7.5.6): the page's annotation array written again, the new links after
    matplotlib's own, and a cross-reference section for it. Any other layout is refused loudly."""
    if not boxes:
        return pdf
    from matplotlib.backends.backend_pdf import Name, pdfRepr

    pages, trailer = _PDF_ANNOTS.findall(pdf), _PDF_TRAILER.search(pdf)
    array = re.search(rb"\n" + pages[0] + rb" 0 obj\n\[(.*?)\]\nendobj\n", pdf, re.S) if len(pages) == 1 else None
    if trailer is None or array is None:
        raise RuntimeError("the PDF matplotlib wrote is not laid out as expected (one page, an annotation "
                           "array, a classic cross-reference table): its value links cannot be added")
    links = b"".join(pdfRepr({"Type": Name("Annot"), "Subtype": Name("Link"), "Rect": list(box),
                              "Border": [0, 0, 0], "A": {"S": Name("URI"), "URI": url}}) + b"\n"
                     for url, box in boxes)
    size, root, info, previous = trailer.groups()
    body = b"%s 0 obj\n[%s%s]\nendobj\n" % (pages[0], array.group(1), links)
    # (the free-list head first, as a full table starts: readers check that a section starts at 0)
    xref = b"xref\n0 1\n0000000000 65535 f \n%s 1\n%010d 00000 n \n" % (pages[0], len(pdf))
    tail = b"trailer\n<< /Size %s /Root %s /Info %s /Prev %s >>\nstartxref\n%d\n%%%%EOF\n" % (
        size, root, info, previous, len(pdf) + len(body))
    return pdf + body + xref + tail


def _text_width(text: str) -> float:
    """Width of text in ems: wide (CJK) characters count 1, others about 0.55."""
    return sum(1.0 if unicodedata.east_asian_width(ch) in "WF" else 0.55 for ch in text)


_WIDE = "\u2e80-\u9fff\uf900-\ufaff\uff00-\uffef"
_WIDE_CHAR = re.compile(f"[{_WIDE}]")
#: Chinese punctuation a line may end after, and opening brackets a line may start with.
_CLOSE = "，。；：、！？）》」』】〕〉”’"
_OPEN = "（《「『【〔〈“‘("
# A document number (甬政办发〔2017〕5号) is one piece: a line never breaks inside it.
_DOC_NUMBER = re.compile(r"[\u4e00-\u9fff]{1,10}[〔［\[][0-9]{4}[〕］\]][0-9]{1,4}号")
_TOKEN = re.compile(rf"{_DOC_NUMBER.pattern}[^\s{_WIDE}]*\s*|[{_WIDE}]+?(?={_DOC_NUMBER.pattern})|[^\s{_WIDE}]+\s*"
                    rf"|[{_WIDE}]+|\s+")  # a Chinese run stops where a document number starts: （甬政办发〔2017〕5号
_CLAUSE = re.compile(rf"[{_OPEN}]*[^{_CLOSE}{_OPEN}]*[{_CLOSE}]*")


def _words(run: str) -> list[str]:
    """A run of Chinese cut into words (jieba, through :func:`cityscience.policy.segment`), as written."""
    from ..policy.terms import segment

    out, at = [], 0
    for word in segment(run):  # the normalizer keeps lengths, so the cut applies to the text as written
        out.append(run[at:at + len(word)])
        at += len(word)
    return out


def _tokens(text: str, width_em: float) -> list[str]:
    """Pieces a line may break between: English words, Chinese clauses (ending after punctuation), and the
    words of a clause too long for a line of its own."""
    tokens = []
    for match in _TOKEN.finditer(text):
        token = match.group()
        if not re.match(rf"[{_WIDE}]", token) or _DOC_NUMBER.match(token):
            tokens.append(token)
            continue
        for clause in (c for c in _CLAUSE.findall(token) if c):
            tokens += _words(clause) if _text_width(clause) > width_em else [clause]
    glued: list[str] = []
    for token in tokens:  # no line starts with closing punctuation or ends with an opening bracket
        close = len(token) - len(token.lstrip(_CLOSE))
        if glued and close:
            glued[-1] += token[:close]
            token = token[close:]
        if glued and glued[-1].strip() and set(glued[-1]) <= set(_OPEN):
            glued[-1] += token
        elif glued and token and glued[-1][-1:].isdigit() and re.match(rf"[{_WIDE}]", token) and token[0] not in _OPEN:
            glued[-1] += token  # a number keeps the word it counts: 2016年, 5个
        elif token:
            glued.append(token)
    return _short_asides(glued, width_em)


def _short_asides(tokens: list[str], width_em: float) -> list[str]:
    """A short parenthesis of English words kept on one line: "(CNY bn, log scale)", never "(CNY" | "bn".

    >>> _short_asides(["R&D ", "(CNY ", "bn, ", "log ", "scale) ", "by year"], 40)
    ['R&D ', '(CNY bn, log scale) ', 'by year']
    """
    out, i = [], 0
    while i < len(tokens):
        end = _aside_end(tokens, i, width_em)
        out.append("".join(tokens[i:end + 1]))
        i = end + 1
    return out


def _aside_end(tokens: list[str], i: int, width_em: float) -> int:
    """The index of the token that closes a short English parenthesis opened by ``tokens[i]``, else ``i``."""
    wide = _WIDE_CHAR
    if not tokens[i].startswith("(") or ")" in tokens[i] or wide.search(tokens[i]):
        return i
    for j in range(i + 1, min(i + 5, len(tokens))):
        if wide.search(tokens[j]) or _text_width("".join(tokens[i:j + 1]).rstrip()) > min(width_em / 2, 24):
            return i
        if ")" in tokens[j]:
            return j
    return i


def _wrap(text: str, width_em: float) -> str:
    """Wrap a footnote to a width in ems: at spaces in English, after punctuation or between words in Chinese.

    >>> _wrap("差异未必反映绩效。数据来源：宁波市科技局", 12).split("\\n")
    ['差异未必反映绩效。', '数据来源：宁波市科技局']
    >>> _wrap("Implementation plan for the zone (甬政办发〔2017〕5号, posted 2017-01-09)", 28).split("\\n")
    ['Implementation plan for the zone', '(甬政办发〔2017〕5号, posted 2017-01-09)']

    A last line of one or two words, or shorter than a quarter of the width, takes words from the line
    before it, so that no word or date stands alone under a paragraph:

    >>> _wrap("Sources: Ningbo S&T Bureau, “2014 work summary” (posted 2015-04-14)", 33).split("\\n")
    ['Sources: Ningbo S&T Bureau, “2014', 'work summary” (posted 2015-04-14)']
    >>> _wrap("宁波市人民政府办公厅《实施方案的通知》（甬政办发〔2017〕5号，2017-01-09网上发布）", 24).split("\\n")
    ['宁波市人民政府办公厅《实施方案的通知》', '（甬政办发〔2017〕5号，2017-01-09网上发布）']

    A short parenthesis of English words stays on one line:

    >>> _wrap("R&D expenditure of industrial enterprises (CNY bn, log scale)", 26).split("\\n")
    ['R&D expenditure of', 'industrial enterprises (CNY bn, log scale)']

    A line never starts with a closing quote or bracket (the quote ends the line before):

    >>> _wrap("宁波市2014年“吸纳技术的技术交易额”（nb14-087）是不同指标", 13).split("\\n")
    ['宁波市2014年', '“吸纳技术的技术交易额”', '（nb14-087）是不同指标']

    A number stays with the character after it (2016年, never 2016 | 年):

    >>> _wrap("杭州市科学技术委员会《2015年工作总结和2016年工作思路》", 14).split("\\n")
    ['杭州市科学技术委员会', '《2015年工作总结和', '2016年工作思路》']
    """
    lines: list[list[str]] = []  # the tokens of each line
    for token in _tokens(text, width_em):
        if lines and _text_width("".join(lines[-1]) + token.rstrip()) > width_em:
            lines.append([token.lstrip()])
        elif lines:
            lines[-1].append(token)
        else:
            lines.append([token.lstrip()])
    _no_widow(lines, width_em)
    return "\n".join(out for out in ("".join(line).rstrip() for line in lines) if out.strip())


def _no_widow(lines: list[list[str]], width_em: float) -> None:
    """Move words from the line before the last down while the last has one or two words ("(posted
    2015-04-14)") or is under a quarter of the width, keeping a word on the line before."""
    if len(lines) < 2:
        return
    before, last = lines[-2], lines[-1]

    def width(tokens):
        return _text_width("".join(tokens).strip())

    while len(before) > 1 and (len(last) <= 2 or width(last) < width_em / 4):
        moved = [before[-1].lstrip(), *last]
        if width(moved) > width_em:
            break
        before.pop()
        last[:] = moved


def source_footnote(fig: Figure, sources: Iterable[object] | None = None, *, lang: str | None = None,
                    labels: Labels | None = None, note: str | None = None, caveat: bool | str = True) -> Text:
    """Add (or replace) the footnote naming the figure's source documents; return it.

    The footnote sits below everything else in the figure, wrapped to its
    width. With ``caveat`` it starts with a comparability note when the
    figure mixes kinds of places or years (``caveat="documents"`` for a chart of
    the documents themselves; see
    :meth:`~cityscience.charts.labels.Labels.comparability_note`), then
    ``note``, then the sources. :func:`save_figure` calls this; call it
    yourself to see the footnote on a figure you only display.

    Raises:
        ValueError: no source is known for the figure.
    """
    text = _footnote_text(fig, sources, lang=lang, labels=labels, note=note, caveat=caveat)
    _remove_footnote(fig)
    fig.draw_without_rendering()  # runs the layout engine, so the extents below are final
    return _place_footnote(fig, text, fig.get_tightbbox(fig.canvas.get_renderer()))


def _marked(info: FigureInfo, key: str) -> set[str]:
    """What :func:`mark` recorded of the values drawn (a plain matplotlib chart has nothing else): their
    source ids, regions or indicators."""
    got = (v.source_id if key == "source_id" else v.fields.get(key) for v in info.values)
    return {str(x) for x in got if x is not None and not pd.isna(x) and str(x)}


def _footnote_text(fig: Figure, sources: Iterable[object] | None, *, lang: str | None, labels: Labels | None,
                   note: str | None, caveat: bool | str) -> str:
    """The footnote's lines (comparability note, ``note``, sources), not yet wrapped."""
    info = figure_info(fig)
    ids = set(info.sources) if sources is None else {str(s) for s in sources}
    lang = check_language(lang or info.lang or current_language())
    labels = labels if labels is not None and labels.lang == lang else Labels.load(lang)
    lines = []
    if caveat:
        about = caveat if isinstance(caveat, str) else "values"
        lines.append(labels.comparability_note(regions=info.regions, years=info.years, about=about))
    curated = _curated_shown(info)
    lines += [*info.notes, *_unit_notes(curated, labels), *_check_notes(curated, info, labels), note or "",
              labels.source_note(ids)]
    return "\n".join(line for line in lines if line)


#: Checks a chart answers itself: values of another basis, scope or period are drawn apart and marked (†).
_CHECKS_DRAWN = frozenset({"incomparable_pair"})


def _curated_shown(info: FigureInfo) -> pd.DataFrame | None:
    """The curated observations the marked values show: the same obs_id, standard value and (when the
    chart knew it) evidence, so a figure of other data (another data folder, an edited frame) gets no
    note about the project's; a derived value shows the stated one it comes from (column ``plotted``
    False unless that one is plotted too). None when nothing matches or the project's data cannot be
    loaded (the chart is then of other data)."""
    wanted: dict[str, tuple[object, object]] = {}
    for v in info.values:
        if v.obs_id.startswith("derived:"):
            wanted.setdefault(_stated_id(v.obs_id), (None, None))
        else:
            wanted[v.obs_id] = (v.fields.get("value_std"), v.evidence)
    plotted = {v.obs_id for v in info.values}
    if not wanted:
        return None
    from ..load import load_observations
    from ..problems import ValidationError

    try:
        obs = load_observations()
    except (ValidationError, OSError):
        return None
    obs = obs[obs["obs_id"].astype(str).isin(wanted)]

    def same(oid, value_std, evidence) -> bool:
        value, said = wanted[str(oid)]
        return ((said is None or str(said) == str(evidence))
                and (value is None or pd.isna(value) or math.isclose(float(value), float(value_std), rel_tol=1e-9)))

    keep = np.array([same(o, v, e) for o, v, e in zip(obs["obs_id"], obs["value_std"], obs["evidence"], strict=True)],
                    dtype=bool)  # (a plain empty list would select columns)
    obs = obs[keep].assign(plotted=lambda d: d["obs_id"].astype(str).isin(plotted))
    return obs if len(obs) else None


def _check_notes(curated: pd.DataFrame | None, info: FigureInfo, labels: Labels) -> list[str]:
    """A footnote line for each consistency flag (:func:`cityscience.consistency_flags`) among the plotted
    values (of :func:`_curated_shown`): a target below the actual before it, two values of one fact that
    disagree, a growth rate or share its levels contradict, so a reader knows the chart shows the
    document as written."""
    shown = None if curated is None else curated[curated["plotted"]].drop(columns="plotted")
    if shown is None or len(shown) < 2:
        return []
    from ..consistency import consistency_flags

    flags = consistency_flags(shown, lang=labels.lang)
    flags = flags[~flags["check"].isin(_CHECKS_DRAWN | info.checks_shown)]
    return [labels.template("check_note", check=labels.term("consistency_check", f.check),
                            place=labels.region(f.region), indicator=labels.indicator(f.indicator), values=f.values)
            for f in flags.itertuples()]


def _unit_notes(obs: pd.DataFrame | None, labels: Labels) -> list[str]:
    """A footnote line for each plotted value (of :func:`_curated_shown`) whose sentence writes no unit (the
    curator inferred it and says why in the observation's note), so a reader knows the unit is not the
    document's."""
    if obs is None:
        return []
    from ..validate.core import unit_unwritten

    obs = obs[obs["value"].notna()].sort_values("obs_id")
    return [labels.template("unit_inferred", place=labels.region(r.region), year=r.year, obs_id=r.obs_id,
                            indicator=labels.indicator(r.indicator),
                            value=format_value(r.value_std, r.unit_std, labels.lang, qualifier=r.qualifier),
                            evidence=one_line(r.evidence))
            for r in obs.itertuples() if unit_unwritten(r.evidence, float(r.value), str(r.unit))]


def _remove_footnote(fig: Figure) -> None:
    for old in [t for t in fig.texts if t.get_gid() == _FOOTNOTE_GID]:
        old.remove()


def _place_footnote(fig: Figure, text: str, content: Bbox) -> Text:
    """Put the footnote below ``content`` (the laid-out figure's extent, inches), wrapped to its width."""
    width_em = max(20.0, content.width * 72.0 / _FOOTNOTE_SIZE - 2)
    wrapped = "\n".join(_wrap(part, width_em) for part in text.split("\n"))
    fig_w, fig_h = fig.get_size_inches()
    return fig.text(content.x0 / fig_w, (content.y0 - 0.08) / fig_h, wrapped, ha="left", va="top",
                    fontsize=_FOOTNOTE_SIZE, color="#444444", gid=_FOOTNOTE_GID, wrap=False)


def _rounded(box: Bbox, step: float = 1e-4) -> Bbox:
    """A bounding box (inches) on a grid of ``step``.

    The layout engine's result carries float noise of the layout before it (a figure first drawn
    with a system font, then laid out again with the bundled one, ends a millionth of a point
    apart), which would move the footnote in the SVG's six-decimal coordinates.
    """
    return Bbox([[round(v / step) * step for v in point] for point in box.get_points()])


@contextmanager
def _frozen_layout(fig: Figure, content: Bbox, footnote: Text, pad: float = 0.15):
    """Yield the padded bounding box (inches) of the laid-out figure (``content``) and its footnote.

    The figure has no layout engine meanwhile, so the three formats are saved
    with the layout computed before the footnote was placed and each is drawn
    once: with an engine, even a placeholder one, ``savefig`` first draws the
    figure once more to run it.
    """
    note = footnote.get_window_extent(fig.canvas.get_renderer()).transformed(fig.dpi_scale_trans.inverted())
    bbox = Bbox.union([content, note]).padded(pad)
    engine = fig.get_layout_engine()
    try:
        # None means no engine only while both settings are off; savefig sets the engine back to
        # None after each file, which must not make a new one from the theme's settings either
        with mpl.rc_context({"figure.autolayout": False, "figure.constrained_layout.use": False}):
            fig.set_layout_engine(None)
            yield bbox
    finally:
        if engine is not None:
            fig.set_layout_engine(engine)


@contextmanager
def _bundled_font(fig: Figure):
    """Draw the figure's text with the bundled CJK font while it is saved, whatever font it was drawn with.

    On a machine with a CJK font of its own (Debian's fonts-noto-cjk, say),
    ``set_theme()`` draws with that font; its metrics differ slightly, so the
    published files would differ from machine to machine. Texts of such fonts
    (see :func:`~cityscience.charts.fonts.substitute_fonts`) switch to the
    bundled font for the export and back afterwards; texts made during the
    export (the footnote, new ticks) get it from the rcParams.
    """
    swap = substitute_fonts()
    if not swap:
        yield
        return
    changed = []
    for text in fig.findobj(Text):
        families = list(text.get_fontfamily())
        if any(f in swap for f in families):
            changed.append((text, families))
            text.set_fontfamily([swap.get(f, f) for f in families])
    rc = {key: [swap.get(f, f) for f in mpl.rcParams[key]] for key in ("font.family", "font.sans-serif")}
    try:
        with mpl.rc_context(rc):
            yield
    finally:
        for text, families in changed:
            text.set_fontfamily(families)


_SVG_ID = re.compile(r'id="([A-Za-z]{1,8})([0-9a-f]{10})"')


def _renumber_svg_ids(svg: bytes) -> bytes:
    """Replace matplotlib's hashed SVG ids by numbers in order of appearance.

    Matplotlib derives clip-path and marker ids from coordinates at full float
    precision, so re-running the layout of the same figure can change an id
    without changing the drawing. Numbering them keeps the file identical.
    """
    text = svg.decode("utf-8")
    mapping: dict[str, str] = {}
    for match in _SVG_ID.finditer(text):
        old = match.group(1) + match.group(2)
        mapping.setdefault(old, f"{match.group(1)}{len(mapping) + 1:04d}")
    if mapping:
        pattern = re.compile(r"(?<![0-9A-Za-z])(" + "|".join(map(re.escape, mapping)) + r")(?![0-9A-Za-z])")
        text = pattern.sub(lambda m: mapping[m.group(1)], text)
    return text.encode("utf-8")


def _notebook_of(name: str) -> str:
    match = _NAME.match(name)
    stem, dot, ext = name.rpartition(".")
    if not match and dot and ext.lower() in FIGURE_FORMATS and _NAME.match(stem):
        raise ValueError(f"figure name {name!r}: save_figure writes every format ({', '.join(FIGURE_FORMATS)}) "
                         f"itself; pass the name without '.{ext}' ({stem!r})")
    if not match:
        raise ValueError(f"figure name {name!r}: expected the notebook number and a slug, "
                         "e.g. '02-hte-stock' (lowercase letters, digits, '-' or '_')")
    for lang in LANGUAGES:
        if name.endswith(f"-{lang}"):
            raise ValueError(f"figure name {name!r}: save_figure adds the language itself "
                             f"({name[:-len(lang) - 1]}-{lang}); pass the name without '-{lang}'")
    return match.group(1)


def figure_file_name(name: str, lang: str) -> str:
    """The file stem of figure ``name`` in ``lang``: ``02-hte-stock`` in English is ``02-hte-stock-en``."""
    _notebook_of(name)
    return f"{name}-{check_language(lang)}"


def _axes_titles(fig: Figure) -> list[str]:
    """The axes' titles, unwrapped (a long title is drawn in lines)."""
    return [" ".join(ax.get_title(loc).split()) for ax in fig.axes for loc in ("left", "center", "right")]


def _shown_title(fig: Figure) -> str | None:
    """The title the figure shows: its suptitle, else the first axes title (None without either)."""
    return next((t for t in [fig.get_suptitle(), *_axes_titles(fig)] if t and t.strip()), None)


def save_figure(fig: Figure, name: str, *, sources: Iterable[object] | None = None, title: str | None = None,
                lang: str | None = None, note: str | None = None, caveat: bool | str = True,
                folder: str | os.PathLike | None = None,
                dpi: int = MIN_DPI, labels: Labels | None = None, regions: Iterable[object] | None = None,
                indicators: Iterable[object] | None = None, update_index: bool = True,
                show: bool | None = None) -> SavedFigure:
    """Write ``NAME-LANG.png``, ``NAME-LANG.svg`` and ``NAME-LANG.pdf`` with a source footnote, atomically.

    Args:
        fig: the figure (e.g. from a chart function).
        name: ``NN-slug``: the notebook's number and a short lowercase name (``02-hte-stock``); the files
            carry the language as well (``02-hte-stock-zh.png``, ``02-hte-stock-en.png``).
        sources: source_ids of the documents shown (default: those the chart functions recorded).
        title: title for the index and the file metadata (default: the chart's title, else the figure's
            suptitle or first axes title; a figure without any is refused). A figure of several panels
            without a suptitle shows a title given here above them, so an exported file says what it is.
        lang: language of the figure and its footnote (default: the chart's language).
        note: an extra line above the sources in the footnote (e.g. what a value includes).
        caveat: start the footnote with a comparability note when the figure mixes kinds of
            places or years (computed from the regions and years the chart functions recorded):
            ``True`` for a chart of values ("…, so a difference need not reflect performance"),
            ``"documents"`` for a chart of the documents themselves (what they state, their words:
            "compares documents of …"), ``False`` for none.
        folder: where to write (default: :func:`cityscience.paths.figure_output_dir`: the build's
            staging folder during ``cityscience build``, else ``build/interactive/figures``, so a
            notebook run by hand never changes the committed ``figures/``).
        dpi: PNG resolution, at least 200.
        labels: source titles to use (default: the curated ``sources.csv``).
        regions, indicators: what the figure shows, for the index (default: as recorded).
        update_index: rebuild ``index.csv`` in the folder afterwards.
        show: display the exported PNG (with its footnote) and close the figure, so a notebook
            shows exactly what was exported, once, without drawing it again. Default: only in a
            Jupyter kernel with the inline backend; scripts keep the figure open.

    The figure is laid out once and rendered in the three formats with that
    layout, in memory; texts that overlap or leave the figure (:func:`layout_problems`)
    are warned about and recorded in the PNG's description (``layout``); a file whose bytes did not change is not written again.
    Text is drawn with the bundled CJK font (see :func:`_bundled_font`).

    Raises:
        ValueError: a bad name, dpi below 200, no sources or no title.
        MissingGlyphError: some text has characters no font can draw; nothing is written.
    """
    notebook = _notebook_of(name)
    if dpi < MIN_DPI:
        raise ValueError(f"dpi {dpi}: expected at least {MIN_DPI} for print-quality PNGs")
    info = figure_info(fig)
    marked = {key: _marked(info, key) for key in ("source_id", "region", "indicator")}
    ids = sorted(set(info.sources) | marked["source_id"] if sources is None else {str(s) for s in sources})
    if not ids:
        raise ValueError(f"figure {name!r} has no sources: draw it with the cityscience chart functions or "
                         "pass sources=[source_id, …] so its footnote can name the documents")
    if lang is not None and info.lang is not None and check_language(lang) != info.lang:
        raise ValueError(f"figure {name!r} was drawn in {info.lang!r} (its title, axes and labels), but lang={lang!r}: "
                         f"draw it again with lang={lang!r}, or leave lang out to save it in {info.lang!r}")
    lang = check_language(lang or info.lang or current_language())
    _check_sources(ids, labels if labels is not None and labels.lang == lang else Labels.load(lang))
    base, name = name, figure_file_name(name, lang)
    if title and len(fig.axes) > 1 and not fig.get_suptitle() and " ".join(title.split()) not in _axes_titles(fig):
        fig.suptitle(title, x=0.01, ha="left", fontsize="large")
    title = title or info.title or _shown_title(fig)
    if not title:
        raise ValueError(f"figure {base!r} has no title: give the chart one or pass title=, "
                         "so the figure index says what it shows")
    meta = {
        "name": name, "notebook": notebook, "title": title, "lang": lang,
        "regions": sorted(set(info.regions) | marked["region"] if regions is None else {str(r) for r in regions}),
        "indicators": sorted(set(info.indicators) | marked["indicator"] if indicators is None
                             else {str(i) for i in indicators}),
        "sources": ids,
    }
    folder = Path(folder) if folder is not None else figure_output_dir()
    targets = {fmt: folder / f"{name}.{fmt}" for fmt in FIGURE_FORMATS}
    metadata = {
        "png": {"Title": title, "Software": None, _METADATA_KEY: json.dumps(meta, ensure_ascii=True)},
        "svg": {"Title": title, "Date": None, "Creator": "cityscience", "Description": "; ".join(ids)},
        "pdf": {"Title": title, "Creator": "cityscience", "Subject": "; ".join(ids),
                "CreationDate": None, "ModDate": None},
    }
    rendered: dict[str, bytes] = {}
    with warnings.catch_warnings(record=True) as caught, _bundled_font(fig):
        warnings.simplefilter("always")
        _remove_footnote(fig)
        for place in info.replace_with_export_font:
            place()
        text = _footnote_text(fig, ids, lang=lang, labels=labels, note=note, caveat=caveat)
        meta["footnote"] = text  # its lines unwrapped, so the workbook's figure sheet can explain † and cite
        engine = fig.get_layout_engine()
        if fig.axes and engine is not None:
            engine.execute(fig)  # the layout drawing would make, so the extents below are final
            _fit_titles(fig, engine)
            _widen_until_apart(fig, engine)
        content = _rounded(fig.get_tightbbox(fig.canvas.get_renderer()))
        footnote = _place_footnote(fig, text, content)
        tips = _link_values(fig, lang, labels, links_relative_to(folder))
        meta["values"], meta["cells"] = _plotted(fig)  # what was drawn, for the workbook's figure sheet
        with _frozen_layout(fig, content, footnote) as bbox:
            def check(event):  # on the PNG's own draw (legends placed), before its metadata is written
                meta["layout"] = layout_problems(fig, renderer=event.renderer)
                metadata["png"][_METADATA_KEY] = json.dumps(meta, ensure_ascii=True)

            boxes: list | None = None
            text_boxes: dict = {}

            def measure(event):  # on the PDF's own draw, where display coordinates are PDF points
                nonlocal boxes
                boxes = _link_boxes(fig, event.renderer)

            def measure_texts(event):  # on the SVG's own draw, where display coordinates are SVG points
                text_boxes.update(_text_boxes(fig, event.renderer))

            for fmt in FIGURE_FORMATS:
                buffer = io.BytesIO()
                callback = {"png": check, "svg": measure_texts, "pdf": measure}.get(fmt)
                hook = fig.canvas.mpl_connect("draw_event", callback) if callback else None
                try:
                    fig.savefig(buffer, format=fmt, dpi=dpi, metadata=metadata[fmt], bbox_inches=bbox)
                finally:
                    if hook is not None:
                        fig.canvas.mpl_disconnect(hook)
                rendered[fmt] = buffer.getvalue()
                if fmt == "pdf":
                    if boxes is None:  # (matplotlib sends draw_event at the end of every figure draw)
                        raise RuntimeError(f"figure {name!r}: no draw event came while the PDF was drawn, so "
                                           "its values could not be linked")
                    rendered[fmt] = _add_pdf_links(rendered[fmt], boxes)
            if "layout" not in meta:  # no draw event came: check with a draw of its own, then the PNG again
                fig.draw_without_rendering()
                meta["layout"] = layout_problems(fig, bbox)
                metadata["png"][_METADATA_KEY] = json.dumps(meta, ensure_ascii=True)
                buffer = io.BytesIO()
                fig.savefig(buffer, format="png", dpi=dpi, metadata=metadata["png"], bbox_inches=bbox)
                rendered["png"] = buffer.getvalue()
    if meta["layout"]:
        warnings.warn(f"figure {name!r}: texts overlap or leave the figure: " + "; ".join(meta["layout"]),
                      stacklevel=2)
    glyphs = sorted({str(w.message) for w in caught if _GLYPH_WARNING.search(str(w.message))})
    for w in caught:
        if not _GLYPH_WARNING.search(str(w.message)):
            warnings.warn_explicit(w.message, w.category, w.filename, w.lineno)
    if glyphs:
        raise MissingGlyphError(_missing_glyphs(name, glyphs))
    rendered["svg"] = _svg_tooltips(_renumber_svg_ids(rendered["svg"]), tips, text_boxes)
    write_many_if_changed({targets[fmt]: rendered[fmt] for fmt in FIGURE_FORMATS})  # all three or none
    if update_index:
        write_figure_index(folder)
    if show is None:
        show = _inline_session()
    if show:
        _show_png(rendered["png"], dpi)
        import matplotlib.pyplot as plt

        plt.close(fig)
    return SavedFigure(name=name, png=targets["png"], svg=targets["svg"], pdf=targets["pdf"],
                       layout=tuple(meta["layout"]))


def _check_sources(ids: Iterable[str], labels: Labels) -> None:
    """Refuse source ids the labels do not cite (a footnote would print the bare id), with the nearest ids."""
    from ..select import nearest_codes

    known = sorted(labels.sources)
    if not known:  # labels made without a sources table: nothing to check against
        return
    unknown = [s for s in ids if s not in labels.sources]
    if unknown:
        hints = []
        for s in unknown:
            near = nearest_codes(s, known)
            hints.append(f"{s!r}" + (f" (did you mean {', '.join(map(repr, near))}?)" if near else ""))
        raise ValueError(f"sources: {', '.join(hints)} not source_ids of sources.csv, so the footnote could not cite "
                         f"them; expected one of {', '.join(known)}")


_WIDEN_STEPS, _WIDEN_FACTOR = 5, 1.15


def _unwrap(text: str) -> str:
    """Lines joined again as one: with a space between English words, without one between Chinese.

    >>> _unwrap("Ningbo: Invention\\npatent applications"), _unwrap("宁波市：研发\\n加计扣除")
    ('Ningbo: Invention patent applications', '宁波市：研发加计扣除')
    """
    lines = text.split("\n")
    out = lines[0]
    for line in lines[1:]:
        wide = re.match(rf"[{_WIDE}]", out[-1:] or " ") and re.match(rf"[{_WIDE}]", line[:1] or " ")
        out += ("" if wide else " ") + line
    return out


def _fit_titles(fig: Figure, engine) -> None:
    """Wrap again, to the width its axes were laid out with, an axes title wider than its axes (a chart wraps
    its title to a width estimated before the layout: panels lose some of it to their tick labels), and lay
    the figure out again; a title that fits is left as it is."""
    renderer = fig.canvas.get_renderer()
    changed = False
    for ax in fig.axes:
        width = ax.get_window_extent(renderer).width
        shown = {ax.get_title(loc) for loc in ("left", "center", "right")} - {""}
        for title in [t for t in ax.get_children() if isinstance(t, Text) and t.get_text() in shown]:
            if not title.get_visible() or title.get_window_extent(renderer).width <= width + 1:
                continue
            flat, em = _unwrap(title.get_text()), width / (title.get_fontsize() * fig.dpi / 72)
            for share in (1.0, 0.92, 0.84, 0.76, 0.68):  # the wrap's widths are estimates: narrower until it fits
                title.set_text(_wrap(flat, em * share))
                if title.get_window_extent(renderer).width <= width + 1:
                    break
            changed = True
    if changed:
        engine.execute(fig)


def _widen_until_apart(fig: Figure, engine) -> None:
    """Widen a figure whose texts overlap, a step at a time, laying it out again after each, until they
    are apart (at most 1.15⁵ ≈ 2 × as wide). The data decide how many bars, panels and names a chart
    holds, so a size chosen for today's data can be too narrow for tomorrow's; a figure whose texts are
    apart is left exactly as it is, and one that widening does not help goes back to its size."""
    def overlaps() -> int:
        return sum(" overlaps " in problem for problem in layout_problems(fig, legends=False))

    width, first = fig.get_figwidth(), overlaps()
    found = first
    for _ in range(_WIDEN_STEPS):
        if not found:
            return
        fig.set_figwidth(fig.get_figwidth() * _WIDEN_FACTOR)
        engine.execute(fig)
        found = overlaps()
    if found >= first:  # wider did not help (rows stacked too close, say): back to the size it was made
        fig.set_figwidth(width)
        engine.execute(fig)


def _layout_texts(fig: Figure) -> list[tuple[str, Text]]:
    """The texts a reader must be able to read, each with what it is: tick labels, legend entries,
    annotations and other texts of every axes (child axes too), axis labels, titles and figure texts."""
    out: list[tuple[str, Text]] = []
    axes = list(fig.axes)
    axes += [child for ax in fig.axes for child in ax.child_axes]
    for i, ax in enumerate(axes):
        if not ax.get_visible():
            continue
        where = f"axes {i}"
        for axis, name in ((ax.xaxis, "x"), (ax.yaxis, "y")):
            if not (ax.axison and axis.get_visible()):  # set_axis_off hides both axes
                continue
            low, high = sorted(axis.get_view_interval())
            span = (high - low) * 1e-9
            for tick in axis.get_major_ticks() + axis.get_minor_ticks():
                if low - span <= tick.get_loc() <= high + span:  # ticks outside the view are not drawn
                    out += [(f"{where} {name} tick {t.get_text()!r}", t) for t in (tick.label1, tick.label2)]
            out.append((f"{where} {name} label", axis.label))
        # the axes' own texts: annotations, ax.text and the three titles
        out += [(f"{where} text {t.get_text()!r}", t) for t in ax.get_children() if isinstance(t, Text)]
        legend = ax.get_legend()
        if legend is not None and legend.get_visible():
            out += [(f"{where} legend {t.get_text()!r}", t) for t in legend.get_texts()]
    out += [(f"figure text {t.get_text()[:30]!r}", t) for t in fig.texts]
    return [(what, t) for what, t in out if t.get_visible() and t.get_text().strip()]


def layout_problems(fig: Figure, bbox: Bbox | None = None, tolerance: float = 1.0, *,
                    renderer=None, legends: bool = True) -> list[str]:
    """Texts that overlap each other or leave the figure (or ``bbox``, in inches), as readable lines.

    Checks every tick label, legend entry, annotation, axis label, title and figure
    text with its drawn extent (``get_window_extent`` after a draw without
    rendering); two texts overlap when their extents share more than ``tolerance``
    pixels both ways. Texts of one legend are laid out by matplotlib and only checked
    against the other texts. An annotation of a point inside framed axes must also stay inside that
    frame. Empty when the layout is clean. ``renderer``: that of a
    draw in progress (``draw_event``), whose extents are final. ``legends=False`` leaves legend
    entries out (before a draw, a legend placed where it fits best has not been placed yet).

    This checks the figure as it is now. :func:`save_figure` lays a figure out again for its files (the
    export font, the footnote, legends under the axes, the size frozen around them) and checks that layout
    itself: for a figure it wrote, read ``SavedFigure.layout`` instead.
    """
    renderer = renderer if renderer is not None else fig.canvas.get_renderer()
    area = (bbox.transformed(fig.dpi_scale_trans) if bbox is not None else fig.bbox)
    texts = [(what, t.get_window_extent(renderer)) for what, t in _layout_texts(fig)
             if legends or " legend " not in what]
    names = [what for what, _ in texts]
    x0, y0, x1, y1 = np.array([box.extents for _, box in texts], dtype=float).reshape(-1, 4).T
    outside = ((x0 < area.x0 - tolerance) | (x1 > area.x1 + tolerance) | (y0 < area.y0 - tolerance)
               | (y1 > area.y1 + tolerance))
    problems = [f"{names[i]} leaves the figure" for i in np.flatnonzero(outside)]
    # every pair at once (a figure has a few hundred texts): shared extent both ways, in pixels
    dx = np.minimum.outer(x1, x1) - np.maximum.outer(x0, x0)
    dy = np.minimum.outer(y1, y1) - np.maximum.outer(y0, y0)
    legend = np.array([what.partition(" legend ")[0] if " legend " in what else "" for what in names], dtype=object)
    one_legend = (legend[:, None] == legend[None, :]) & (legend[:, None] != "")  # laid out by matplotlib
    hits = np.triu((dx > tolerance) & (dy > tolerance) & ~one_legend, k=1)
    problems += [f"{names[i]} overlaps {names[j]}" for i, j in zip(*np.nonzero(hits), strict=True)]
    return problems + _frame_crossings(fig, renderer, tolerance)


def _frame_crossings(fig: Figure, renderer, tolerance: float) -> list[str]:
    """Annotations of a framed axes whose point is inside the axes but whose text runs across its frame
    (a value label over the spine, half in the plot and half out)."""
    from matplotlib.text import Annotation

    problems = []
    for i, ax in enumerate(fig.axes):
        if not (ax.get_visible() and ax.axison and ax.get_frame_on()):
            continue
        frame = ax.get_window_extent(renderer)
        for t in ax.get_children():
            if not (isinstance(t, Annotation) and t.get_visible() and t.get_text().strip()
                    and t.xycoords == "data"):
                continue
            x, y = ax.transData.transform(t.xy)
            if not (frame.x0 <= x <= frame.x1 and frame.y0 <= y <= frame.y1):
                continue
            box = t.get_window_extent(renderer)
            if (box.x0 < frame.x0 - tolerance or box.x1 > frame.x1 + tolerance or box.y0 < frame.y0 - tolerance
                    or box.y1 > frame.y1 + tolerance):
                problems.append(f"axes {i} text {t.get_text()!r} crosses the frame of its axes")
    return problems


def _missing_glyphs(name: str, warnings_seen: list[str], shown: int = 8) -> str:
    """Why a figure was not written, what to do first, then the characters (a chart drawn without the
    theme's CJK font misses every Chinese character: a hundred warnings would bury the remedy)."""
    codes = sorted({int(m.group(1)) for w in warnings_seen if (m := _GLYPH_WARNING.search(w))})
    listed = ", ".join(f"{chr(c)} ({c}, {unicodedata.name(chr(c), 'unnamed')})" for c in codes[:shown])
    more = f", and {len(codes) - shown} more" if len(codes) > shown else ""
    counted = "1 character of its text has" if len(codes) == 1 else f"{len(codes)} characters of its text have"
    return (f"figure {name!r} not written: {counted} no glyph in the fonts it was drawn with. Call "
            "charts.set_theme() before drawing (it sets the CJK font), or use characters the CJK font has: "
            f"{listed}{more}")


def _inline_session() -> bool:
    """True inside a Jupyter kernel whose figures are shown by the inline backend."""
    import sys

    import matplotlib

    if "IPython" not in sys.modules or "inline" not in matplotlib.get_backend():
        return False
    from IPython import get_ipython

    shell = get_ipython()
    return shell is not None and getattr(shell, "kernel", None) is not None


def _show_png(png: bytes, dpi: int) -> None:
    from IPython.display import Image, display
    from PIL import Image as PILImage

    with PILImage.open(io.BytesIO(png)) as image:
        width = image.width
    display(Image(data=png, format="png", width=round(width * 100 / dpi)))


def read_figure_metadata(png: str | os.PathLike) -> dict | None:
    """The description :func:`save_figure` stored in a PNG, or None for other PNGs."""
    from PIL import Image, UnidentifiedImageError

    try:
        with Image.open(png) as image:
            raw = image.info.get(_METADATA_KEY)
    except (UnidentifiedImageError, OSError):  # not a PNG image at all: not one of ours
        return None
    return json.loads(raw) if raw else None


def write_figure_index(folder: str | os.PathLike | None = None) -> Path:
    """Rebuild ``index.csv`` from the PNGs in a figures folder; return its path.

    One row per figure with all three files present: ``name, notebook, title,
    lang, regions, indicators, sources, files`` (lists ';'-separated).
    """
    folder = Path(folder) if folder is not None else figures_dir()
    rows = []
    for png in sorted(folder.glob("*.png")):
        meta = read_figure_metadata(png)
        if meta is None:
            continue
        name = png.stem
        if not all((folder / f"{name}.{fmt}").is_file() for fmt in FIGURE_FORMATS):
            continue
        rows.append({
            "name": name, "notebook": meta.get("notebook", ""), "title": meta.get("title", ""),
            "lang": meta.get("lang", ""), "regions": ";".join(meta.get("regions", [])),
            "indicators": ";".join(meta.get("indicators", [])), "sources": ";".join(meta.get("sources", [])),
            "files": ";".join(f"{name}.{fmt}" for fmt in FIGURE_FORMATS),
        })
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=INDEX_COLUMNS, lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    path = folder / INDEX_FILE
    write_if_changed(path, buffer.getvalue().encode("utf-8"))
    return path


def load_figure_index(folder: str | os.PathLike | None = None, *, missing_ok: bool = False) -> pd.DataFrame:
    """The figure index as a DataFrame (list columns stay ';'-separated strings).

    Read with the project's CSV reader, so a damaged index is reported (file, line, what was expected)
    instead of failing inside a parser.

    Args:
        folder: the figures folder (default: :func:`cityscience.paths.figures_dir`).
        missing_ok: return an empty index (with its columns) when the folder has none yet.

    Raises:
        FileNotFoundError: there is no index (unless ``missing_ok``).
        ValidationError: the index cannot be read or lacks a column.
    """
    from ..problems import ValidationError
    from ..tables import read_csv_table

    folder = Path(folder) if folder is not None else figures_dir()
    path = folder / INDEX_FILE
    if not path.is_file():
        if missing_ok:
            return pd.DataFrame(columns=list(INDEX_COLUMNS), dtype="string")
        raise FileNotFoundError(f"{path}: no figure index; run `cityscience build` or save a figure first")
    table, problems = read_csv_table(path, str(path), list(INDEX_COLUMNS), set(INDEX_COLUMNS))
    if problems:
        raise ValidationError(problems)
    return pd.DataFrame([{c: r[c] for c in INDEX_COLUMNS} for r in table.rows], columns=list(INDEX_COLUMNS),
                        dtype="string")
