"""The chart theme: fonts, one fixed colour per region, and how status and qualifiers look.

Colours come from the Okabe–Ito palette, which stays distinguishable with the
common colour-vision deficiencies. A region keeps its colour in every chart.
Actual values are filled; estimates, targets and values the library derived
are hollow or hatched, so a reader never mistakes a plan for a result.
"""

from __future__ import annotations

import warnings
import zlib
from contextlib import contextmanager
from dataclasses import dataclass

import matplotlib as mpl

from .fonts import CJKFont, use_cjk_font
from .labels import check_language

__all__ = [
    "EXTRA_COLORS",
    "FALLBACK_FONT",
    "REGION_COLORS",
    "REGION_ORDER",
    "STATUS_ORDER",
    "STATUS_STYLES",
    "DERIVED_STYLE",
    "Style",
    "current_language",
    "quiet_seaborn",
    "region_color",
    "region_order",
    "set_theme",
    "status_style",
]

#: Regions in the order charts list them: the two sub-provincial cities, then Ningbo's county-level city and district.
REGION_ORDER: tuple[str, ...] = ("ningbo", "hangzhou", "cixi", "haishu")
#: One colour per region (Okabe–Ito blue, orange, bluish green, reddish purple).
REGION_COLORS: dict[str, str] = {
    "ningbo": "#0072B2",
    "hangzhou": "#E69F00",
    "cixi": "#009E73",
    "haishu": "#CC79A7",
}
#: Colours for regions added later, assigned by a stable hash of the code (Okabe–Ito sky blue, vermillion, black).
EXTRA_COLORS: tuple[str, ...] = ("#56B4E9", "#D55E00", "#000000")
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

_state = {"lang": "zh"}


def region_color(region: object) -> str:
    """The fixed colour of a region (a stable extra colour for regions not in :data:`REGION_COLORS`)."""
    code = str(region)
    if code in REGION_COLORS:
        return REGION_COLORS[code]
    return EXTRA_COLORS[zlib.crc32(code.encode("utf-8")) % len(EXTRA_COLORS)]


def region_order(regions) -> list[str]:
    """Region codes sorted as :data:`REGION_ORDER`, unknown ones after them alphabetically."""
    codes = {str(r) for r in regions}
    known = [r for r in REGION_ORDER if r in codes]
    return known + sorted(codes - set(known))


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
    _state["lang"] = lang
    return font
