"""Chart packs: the figures in one language and format, zipped with an index that cites their sources.

The notebooks save every figure into the figures folder as PNG, SVG and PDF
and list it in ``index.csv`` (name, notebook, title, language, regions,
indicators, sources; see :mod:`cityscience.charts.figures`). A chart pack
takes the figures in the requested language (all, or those about one region),
in the requested format, and writes them to one zip with:

* ``index.csv``: file, title, notebook, regions, indicators, source ids and
  full source citations, and the data version;
* ``README.txt``: what the pack is and how to cite it.

A pack only packs what ``cityscience build`` published: when the figures
folder has no figure in the requested language, or its index and its files
disagree (a listed file is missing, a figure is not listed), it refuses and
says to run ``cityscience build``. The zip is written atomically and, for the
same figures, byte for byte the same.
"""

from __future__ import annotations

import csv
import io
import os
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from ..atomic import atomic_write_bytes, check_writable, zip_bytes
from ..charts.figures import load_figure_index, read_figure_metadata
from ..conventions import FIGURE_FORMATS
from ..load import load_observations, load_regions, load_sources, validated
from ..paths import data_dir, figures_dir, links_relative_to, project_root, readers_dir
from .version import data_version
from .workbook import FigureData

__all__ = ["PACK_INDEX_COLUMNS", "ChartPack", "ChartPackError", "check_pack_region", "figure_data", "figure_index",
           "write_chart_pack"]

PACK_INDEX_COLUMNS = ("file", "name", "title", "notebook", "lang", "regions", "indicators", "sources",
                      "source_citations", "data_version")
_DATA_COLUMNS = ["obs_id", "source_id", "region", "year", "indicator", "measure", "status", "qualifier", "value",
                 "value_high", "unit", "value_std", "value_high_std", "unit_std", "evidence"]
_README = {
    "zh": ("cityscience 图表包\n\n"
           "本压缩包收录 {count} 张图({fmt} 格式,{what}),均由 cityscience 笔记本根据整理自政府文件的数据绘制。\n"
           "index.csv 列出每张图的文件名、标题、所属笔记本、涉及地区与指标、来源文件编号及完整引文。\n"
           "每张图的脚注已注明数据来源。图在 {figures}/ 文件夹;SVG 与 PDF 中的每个数值链接到 {readers}/ 中\n"
           "来源文件的阅读页,即陈述该数值的原句(解压后保持两个文件夹的位置)。\n\n"
           "引用:cityscience 数据(版本 {version}),并注明图中所列来源文件。\n"),
    "en": ("cityscience chart pack\n\n"
           "This zip holds {count} figures ({fmt}, {what}), drawn by the cityscience notebooks from data curated "
           "from government documents.\n"
           "index.csv lists each figure's file, title, notebook, regions, indicators, source ids and full source "
           "citations. Each figure's footnote names its sources. The figures are in {figures}/; in SVG and PDF each "
           "value links to the sentence that states it, in its document's reader page under {readers}/ (keep "
           "both folders where they are when unzipping).\n\n"
           "Cite as: cityscience data, version {version}, and the source documents named on each figure.\n"),
}


class ChartPackError(ValueError):
    """The chart pack cannot be made (no figures, stale figures, unknown region); says why and what to do."""


@dataclass(frozen=True)
class ChartPack:
    """A written chart pack: where, how many figures, and their index."""

    path: Path
    count: int
    index: pd.DataFrame


def figure_index(folder: Path | None = None) -> pd.DataFrame:
    """The figures folder's ``index.csv`` (empty, with the index columns, when there is none yet)."""
    return load_figure_index(folder, missing_ok=True)


def _split(text: str) -> list[str]:
    return [part for part in str(text).split(";") if part]


def _notebook(number: str) -> str:
    """``notebooks/02-enterprises.ipynb`` for ``02`` when that notebook exists, else the number as given."""
    hits = sorted((project_root() / "notebooks").glob(f"{number}-*.ipynb")) if number else []
    return f"notebooks/{hits[0].name}" if hits else str(number)


def figure_data(root: Path | None = None, lang: str = "zh", folder: Path | None = None) -> list[FigureData]:
    """The data behind each figure in the figures folder, for the workbook.

    A figure drawn by the chart functions carries what it drew in its PNG's description
    (:func:`cityscience.charts.save_figure`): each plotted value with its observation, and the cells
    of each drawn table (counts, shares); those are its data here, each value with its document and
    evidence, so every plotted number can be traced to its sentence. A figure without that record (an
    older PNG, a chart drawn by hand) gets the observations its index row names (regions, indicators,
    source documents) instead. Figures are taken in ``lang`` when the folder has them in that
    language, otherwise in whatever language they were drawn.
    """
    folder = folder if folder is not None else figures_dir()
    index = figure_index(folder)
    if index.empty:
        return []
    obs = load_observations(root)
    chosen = index[index["lang"] == lang]
    if chosen.empty:
        chosen = index
    out = []
    for row in chosen.sort_values("name").itertuples(index=False):
        meta = read_figure_metadata(folder / f"{row.name}.png") or {}
        values, cells = _drawn_values(meta.get("values"), obs), _drawn_cells(meta.get("cells"))
        data = None
        if values is None and cells is None:
            sel = obs
            for column, wanted in (("region", _split(row.regions)), ("indicator", _split(row.indicators)),
                                   ("source_id", _split(row.sources))):
                if wanted:
                    sel = sel[sel[column].astype("string").isin(wanted)]
            data = _as_strings(sel[_DATA_COLUMNS].sort_values(["indicator", "region", "year", "obs_id"])
                               .reset_index(drop=True))
        out.append(FigureData(figure=str(row.name), title=str(row.title), notebook=_notebook(str(row.notebook)),
                              sources=str(row.sources).replace(";", "; "), data=data, values=values, cells=cells,
                              lang=str(row.lang), footnote=str(meta.get("footnote") or "")))
    return out


def _as_strings(frame: pd.DataFrame) -> pd.DataFrame:
    for column in ("source_id", "region", "indicator", "measure", "status", "qualifier", "unit", "unit_std"):
        if column in frame.columns:
            frame[column] = frame[column].astype("string")
    return frame


def _drawn_values(values: list | None, obs: pd.DataFrame) -> pd.DataFrame | None:
    """The plotted values a figure recorded, with the document and evidence of the observation each
    shows (a derived value: of the stated one it comes from); None when it recorded none."""
    if not values:
        return None
    frame = pd.DataFrame(values)
    for column in _VALUE_COLUMNS:
        if column not in frame.columns:
            frame[column] = None
    stated = frame["obs_id"].astype(str).str.removeprefix("derived:")
    known = obs.set_index(obs["obs_id"].astype(str))
    frame["source_id"] = stated.map(known["source_id"].astype("string"))
    frame["evidence"] = stated.map(known["evidence"].astype("string"))
    if frame["obs_id"].astype(str).str.startswith("derived:").any():
        from ..compare import derive_previous_levels

        evidence = known["evidence"].astype(str)
        for oid, pair in zip(*(derive_previous_levels(obs)[c].astype(str) for c in ("obs_id", "derived_from")),
                             strict=True):
            rows = frame["obs_id"].astype(str) == oid
            if rows.any():
                frame.loc[rows, "evidence"] = _both(*(evidence[o] for o in pair.split("+")))
    return _as_strings(frame[list(_VALUE_COLUMNS)].reset_index(drop=True))


def _both(level: str, change: str) -> str:
    """The evidence of a value derived from a level and its change: both, once each.

    >>> _both("发明专利授权量达2832件", "发明专利授权量达2832件,同比增长26.1%"), _both("甲10件", "乙增长5%")
    ('发明专利授权量达2832件,同比增长26.1%', '甲10件 … 乙增长5%')
    """
    if level in change or change in level:
        return max(level, change, key=len)
    return f"{level} … {change}"


def _drawn_cells(cells: list | None) -> pd.DataFrame | None:
    """The cells of the tables a figure drew (panel, row, column, value); None when it drew none."""
    if not cells:
        return None
    return pd.DataFrame(cells, columns=["panel", "row", "column", "value"])


_VALUE_COLUMNS = ("panel", "shown", "obs_id", "region", "year", "indicator", "measure", "status", "qualifier",
                  "value_std", "value_high_std", "unit_std", "source_id", "evidence")


_RUN_BUILD = "run `cityscience build` to draw and publish the figures, then export again"


def _check_published(index: pd.DataFrame, folder: Path) -> None:
    """Refuse figures the index and the folder disagree about: a listed file missing, or a figure not listed."""
    listed = set(index["name"])
    missing = sorted(f"{n}.{fmt}" for n in listed for fmt in FIGURE_FORMATS if not (folder / f"{n}.{fmt}").is_file())
    if missing:
        raise ChartPackError(f"{folder}: the index lists figures whose files are missing: {', '.join(missing)}; "
                             f"expected every listed figure in every format ({_RUN_BUILD})")
    unlisted = sorted({p.stem for fmt in FIGURE_FORMATS for p in folder.glob(f"[0-9][0-9]-*.{fmt}")} - listed)
    if unlisted:
        raise ChartPackError(f"{folder}: figures not in its index.csv: {', '.join(unlisted)}; expected the index "
                             f"to list every figure ({_RUN_BUILD})")


def _select(index: pd.DataFrame, region: str | None, lang: str) -> pd.DataFrame:
    chosen = index[index["lang"] == lang]
    if region is not None:
        chosen = chosen[chosen["regions"].map(lambda r: region in _split(r))]
    return chosen.sort_values("name").reset_index(drop=True)


def check_pack_region(region: str | None, root: Path | None = None) -> None:
    """Raise :class:`ChartPackError` unless ``region`` is None or a code of regions.csv (named)."""
    if region is None:
        return
    known = list(load_regions(root)["region"].astype(str))
    if region not in known:
        raise ChartPackError(f"region {region!r}: expected one of {', '.join(known)} (regions.csv)")


def write_chart_pack(out: Path, *, root: Path | None = None, region: str | None = None, lang: str = "zh",
                     fmt: str = "png", folder: Path | None = None) -> ChartPack:
    """Write the figures in ``lang`` and ``fmt`` (all, or those about ``region``) to the zip ``out``.

    Args:
        out: the zip to write (atomically: an earlier file stays intact if anything fails).
        root: the data folder (for source citations and the data version).
        region: a region code (``ningbo``…); only figures that show it. None: every figure.
        lang: ``zh`` or ``en``.
        fmt: ``png``, ``svg`` or ``pdf``.
        folder: the figures folder (default: ``figures/`` or ``$CITYSCIENCE_FIGURES``).

    Raises:
        ChartPackError: unknown region or format, no figure to pack, or figures missing or not
            indexed (the message says to run ``cityscience build``).
        ValidationError: the data folder has problems.
        OutputError: ``out`` cannot be written.
    """
    out = Path(out)
    check_writable(out)
    if fmt not in FIGURE_FORMATS:
        raise ChartPackError(f"format {fmt!r}: expected one of {', '.join(FIGURE_FORMATS)}")
    if lang not in _README:
        raise ChartPackError(f"lang {lang!r}: expected zh or en")
    root = Path(root) if root is not None else data_dir()
    check_pack_region(region, root)
    folder = Path(folder) if folder is not None else figures_dir()
    index = figure_index(folder)
    _check_published(index, folder)
    chosen = _select(index, region, lang)
    if chosen.empty:
        about = f" about region {region!r}" if region else ""
        raise ChartPackError(f"{folder}: no figure in language {lang!r}{about}; expected at least one "
                             f"({_RUN_BUILD})")
    entries = _pack_entries(chosen, folder, fmt, lang, region, root)
    atomic_write_bytes(out, zip_bytes(entries, stored=(".png",)))
    return ChartPack(path=out, count=len(chosen), index=chosen)


def _pack_folders(folder: Path) -> tuple[str, str]:
    """Where a pack holds the figures of ``folder`` and the reader pages, so that the figures' relative
    links (:func:`cityscience.paths.reader_link`) find the pages after unzipping: ``figures`` and
    ``build/readers`` for published figures (``../build/readers/``); for figures saved by hand, their
    folder and the readers' as they lie under the folder the two share (``interactive/figures`` and
    ``readers``: ``../../readers/``)."""
    own = links_relative_to(folder)
    if own is None:
        return "figures", "build/readers"
    own, readers = Path(own).resolve(), readers_dir().resolve()
    common = Path(os.path.commonpath([own, readers]))
    return own.relative_to(common).as_posix(), readers.relative_to(common).as_posix()


def _pack_entries(chosen: pd.DataFrame, folder: Path, fmt: str, lang: str, region: str | None,
                  root: Path) -> list[tuple[str, bytes]]:
    from ..charts.labels import Labels
    from ..provenance import cite_source

    checked = validated(root)
    version = data_version(root, [r["published"] for r in checked.tables["sources"].rows])
    labels = Labels.from_frames(lang, sources=load_sources(root), regions=load_regions(root))
    from .readers import reader_pages

    rows = []
    entries: list[tuple[str, bytes]] = []
    packed: set[str] = set()
    figures_at, readers_at = _pack_folders(folder)
    for row in chosen.itertuples(index=False):
        file = f"{row.name}.{fmt}"
        entries.append((f"{figures_at}/{file}", (folder / file).read_bytes()))
        sources = _split(row.sources)
        packed.update(sources)
        rows.append({"file": f"{figures_at}/{file}", "name": row.name, "title": row.title, "notebook": _notebook(str(row.notebook)),
                     "lang": row.lang, "regions": row.regions, "indicators": row.indicators,
                     "sources": row.sources,
                     "source_citations": " | ".join(cite_source(s, lang, root=root) for s in sources),
                     "data_version": str(version)})
    buf = io.StringIO()
    writer = csv.DictWriter(buf, fieldnames=PACK_INDEX_COLUMNS, lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    what = (labels.region(region) if region else ("全部地区" if lang == "zh" else "all regions"))
    readme = _README[lang].format(count=len(rows), fmt=fmt.upper(), what=what, version=version,
                                  figures=figures_at, readers=readers_at)
    # the reader pages the figures' values link to, where the links expect them
    pages = reader_pages(root, checked=checked)
    entries += [(f"{readers_at}/{sid}.html", pages[sid].encode("utf-8")) for sid in sorted(packed) if sid in pages]
    # with a byte-order mark: Excel, which a pack's readers open it with, reads UTF-8 without one as ANSI
    return [("README.txt", readme.encode("utf-8")), ("index.csv", buf.getvalue().encode("utf-8-sig")), *entries]
