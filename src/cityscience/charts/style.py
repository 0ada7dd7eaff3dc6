"""The chart theme: fonts, one fixed colour per region, and how status and qualifiers look.

Each region's colour and its place in every chart's order come from
``regions.csv`` (a colour-blind-safe Okabe–Ito colour is assigned when a row
has none). A region keeps its colour in every chart.
Actual values are filled; estimates, targets and values the library derived
are hollow or hatched, so a reader never mistakes a plan for a result.
"""

from __future__ import annotations

import warnings
import zlib
from collections.abc import Sequence
from contextlib import contextmanager
from dataclasses import dataclass

import matplotlib as mpl
import pandas as pd

from ..conventions import check_language
from .fonts import CJKFont, use_cjk_font

__all__ = [
    "FALLBACK_FONT",
    "PALETTE",
    "STATUS_ORDER",
    "STATUS_STYLES",
    "DERIVED_STYLE",
    "Style",
    "current_language",
    "quiet_seaborn",
    "region_color",
    "region_colors",
    "region_order",
    "series_colors",
    "set_theme",
    "status_style",
]

#: The Okabe–Ito palette, distinguishable with the common colour-vision deficiencies: regions without a
#: colour in ``regions.csv`` take its colours in order, skipping those other regions already have.
PALETTE: tuple[str, ...] = ("#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442", "#000000")
STATUS_ORDER: tuple[str, ...] = ("actual", "estimate", "target")
FALLBACK_FONT = "DejaVu Sans"
_SEABORN_COPY_WARNING = "The copy keyword is deprecated and will be removed in a future version"


@dataclass(frozen=True)
class Style:
    """How one kind of value is drawn.

    Attributes:
        filled: markers and bars filled with the region colour (else white with a coloured edge).
        hatch: bar hatch pattern ("" for none).
        linestyle: line style for lines and bar edges.
        marker: marker for points.
        alpha: opacity of the fill.
    """

    filled: bool
    hatch: str
    linestyle: str
    marker: str
    alpha: float = 1.0


STATUS_STYLES: dict[str, Style] = {
    "actual": Style(filled=True, hatch="", linestyle="-", marker="o"),
    "estimate": Style(filled=False, hatch="---", linestyle="--", marker="s"),
    "target": Style(filled=False, hatch="///", linestyle=":", marker="D"),
}
#: Values computed by the library (e.g. a previous-year level from a growth rate), not stated anywhere.
DERIVED_STYLE = Style(filled=False, hatch="xxx", linestyle=(0, (1, 1)), marker="X")

_state: dict = {"lang": "zh"}


def region_colors(regions: pd.DataFrame | None = None) -> dict[str, str]:
    """Each region's chart colour: its ``color`` in ``regions.csv``, else the next free palette colour.

    Args:
        regions: a regions table (default: :func:`cityscience.load_regions`), in the order charts list them.

    >>> import pandas as pd
    >>> region_colors(pd.DataFrame({"region": ["a", "b", "c"], "color": ["#E69F00", None, None]}))
    {'a': '#E69F00', 'b': '#0072B2', 'c': '#009E73'}
    """
    if regions is None:
        from ..load import load_regions

        regions = load_regions()
    given = {str(r): str(c) for r, c in zip(regions["region"], regions["color"], strict=True) if not pd.isna(c)} \
        if "color" in regions else {}
    taken = {c.upper() for c in given.values()}
    free = iter([c for c in PALETTE if c.upper() not in taken])
    out = {}
    for code in regions["region"].astype(str):
        out[code] = given.get(code) or next(free, PALETTE[len(out) % len(PALETTE)])
    return out


def region_color(region: object) -> str:
    """The fixed colour of a region (see :func:`region_colors`); a stable palette colour for an unknown code."""
    code = str(region)
    colors = _known_colors()
    if code in colors:
        return colors[code]
    return PALETTE[zlib.crc32(code.encode("utf-8")) % len(PALETTE)]


def series_colors(regions: Sequence[object]) -> list[str]:
    """A colour per series (e.g. a period) from the region whose documents it shows: the region's own
    colour (:func:`region_color`), the earlier series of the same region lighter, so a place never
    appears in another place's colour and its own series still read in order.

    >>> series_colors(["ningbo", "ningbo", "cixi"])  # colours of regions.csv
    ['#8cc0dc', '#0072B2', '#009E73']
    """
    from matplotlib.colors import to_hex, to_rgb

    codes = [str(r) for r in regions]
    out = []
    for k, code in enumerate(codes):
        n, rank = codes.count(code), codes[:k].count(code)  # the region's series, and which of them this is
        if rank == n - 1:
            out.append(region_color(code))
            continue
        share = 0.45 + 0.55 * rank / (n - 1)  # the first at 45 % of the colour's strength
        out.append(to_hex(tuple(1 - (1 - c) * share for c in to_rgb(region_color(code)))))
    return out


def region_order(regions) -> list[str]:
    """Region codes in the order of ``regions.csv``; codes it does not list after them, alphabetically."""
    codes = {str(r) for r in regions}
    known = [r for r in _known_colors() if r in codes]
    return known + sorted(codes - set(known))


def _known_colors() -> dict[str, str]:
    """The colours of the regions of the data folder, in its order (computed once per data version)."""
    from ..load import load_regions

    regions = load_regions()
    key = tuple(regions["region"].astype(str)), tuple(regions["color"].astype("string").fillna(""))
    if _state.get("colors_key") != key:
        _state["colors_key"], _state["colors"] = key, region_colors(regions)
    return _state["colors"]


def status_style(status: object, *, derived: bool = False) -> Style:
    """The :class:`Style` of a status (derived values have their own style)."""
    if derived:
        return DERIVED_STYLE
    try:
        return STATUS_STYLES[str(status)]
    except KeyError:
        raise ValueError(f"status {status!r}: expected one of {', '.join(STATUS_STYLES)}") from None


def current_language() -> str:
    """The language charts use when none is given (set by :func:`set_theme`)."""
    return _state["lang"]


@contextmanager
def quiet_seaborn():
    """Silence the one known seaborn 0.13.2 warning under pandas 3 (by its exact message), nothing else."""
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message=_SEABORN_COPY_WARNING)
        yield


def set_theme(lang: str = "zh", *, system_fonts: bool = True, font_size: float = 10.0) -> CJKFont:
    """Set the project's chart theme for the process and return the CJK font it uses.

    Chinese text renders with a CJK font found on the system or Noto Sans CJK SC
    (see :func:`cityscience.charts.fonts.use_cjk_font`); Latin text uses the
    same font in Chinese charts and DejaVu Sans in English ones. PDF and SVG
    output is made reproducible (fixed SVG hash salt, TrueType fonts in PDF).

    Args:
        lang: default label language of the charts, ``"zh"`` or ``"en"``.
        system_fonts: prefer a CJK font installed on the system (False: always the bundled one).
        font_size: base font size in points.
    """
    check_language(lang)
    import seaborn as sns

    font = use_cjk_font(system=system_fonts)
    with quiet_seaborn():
        sns.set_theme(style="whitegrid", context="notebook", font_scale=font_size / 10.0)
    families = [font.family, FALLBACK_FONT] if lang == "zh" else [FALLBACK_FONT, font.family]
    mpl.rcParams.update({
        # Families listed by name (not the generic "sans-serif"), so that matplotlib falls back from
        # one to the next glyph by glyph: Latin from the first, Chinese from the CJK font.
        "font.family": families,
        "font.sans-serif": families,
        "font.size": font_size,
        "axes.unicode_minus": False,   # a plain hyphen-minus: every font has it
        "axes.titlesize": font_size * 1.2,
        "axes.titleweight": "normal",
        "axes.titlelocation": "left",
        "axes.labelsize": font_size,
        "xtick.labelsize": font_size * 0.9,
        "ytick.labelsize": font_size * 0.9,
        "legend.fontsize": font_size * 0.85,
        "legend.frameon": False,
        "hatch.linewidth": 0.8,
        "figure.dpi": 100,
        "figure.figsize": (7.0, 4.2),
        "figure.constrained_layout.use": True,
        "savefig.dpi": 200,
        "pdf.fonttype": 42,
        "ps.fonttype": 42,
        "svg.fonttype": "path",
        "svg.hashsalt": "cityscience",
        "pdf.compression": 6,
    })
    _state["lang"], _state["themed"] = lang, True
    return font


def ensure_theme(lang: str) -> None:
    """Set the theme for ``lang`` unless :func:`set_theme` ran in this process: a chart drawn before it
    would have no font for its Chinese text (matplotlib's default has none)."""
    if not _state.get("themed"):
        set_theme(lang)
