"""A CJK font for the charts, found on the system or made from the one the project installs.

Chinese labels need a font with Chinese glyphs. :func:`use_cjk_font` looks for
one the system has (Noto Sans CJK SC, Source Han Sans, PingFang SC, Microsoft
YaHei, SimHei, …) and otherwise uses Noto Sans CJK SC from the ``mplfonts``
package (a dependency, so every installation has it).

PDF export embeds fonts as TrueType (``pdf.fonttype`` 42, text stays
selectable). Noto Sans CJK and Source Han Sans are OpenType fonts with CFF
(PostScript) outlines, which a PDF may not embed as TrueType, so the first use
converts such a font once into a TrueType copy in a cache folder
(``CITYSCIENCE_FONT_CACHE``, default ``<matplotlib cache>/cityscience-fonts``).
The copy keeps the glyphs Chinese text needs (every non-Hangul character of the
Basic Multilingual Plane) and drops OpenType layout tables that matplotlib does
not use for Chinese, which keeps PDF export fast.
"""

from __future__ import annotations

import os
import sys
import time
from dataclasses import dataclass
from pathlib import Path

from ..atomic import atomic_path

__all__ = [
    "BUNDLED_FONT_FILE",
    "PREFERRED_FAMILIES",
    "SAMPLE_TEXT",
    "CJKFont",
    "bundled_font_path",
    "find_cjk_font",
    "font_cache_dir",
    "has_glyphs",
    "use_cjk_font",
]

#: Families tried in order; the first one the system has with every glyph of SAMPLE_TEXT wins.
PREFERRED_FAMILIES: tuple[str, ...] = (
    "Noto Sans CJK SC",
    "Noto Sans SC",
    "Source Han Sans SC",
    "Source Han Sans CN",
    "PingFang SC",
    "Microsoft YaHei",
    "SimHei",
    "Heiti SC",
    "WenQuanYi Zen Hei",
    "WenQuanYi Micro Hei",
)
#: Characters a usable font must have (region names, common chart words, qualifier symbols).
SAMPLE_TEXT = "宁波杭州慈溪海曙高新技术企业发明专利研发投入来源目标实际约≥≈–"
#: The only file used from mplfonts (SIL Open Font License); its SimHei copy is never used.
BUNDLED_FONT_FILE = "NotoSansCJKsc-Regular.otf"
_CONVERTER_VERSION = 1
_LOCK_STALE_SECONDS = 600
# Code points left out of converted copies: Hangul, private use, surrogates, Yi; plus all
# characters beyond the BMP (rare ideographs), which Chinese chart text does not need.
_DROPPED_RANGES = ((0x1100, 0x11FF), (0x3130, 0x318F), (0xA000, 0xA4CF), (0xA960, 0xA97F),
                   (0xAC00, 0xD7FF), (0xD800, 0xF8FF))
_DROPPED_TABLES = ("GSUB", "BASE", "VORG", "vhea", "vmtx", "DSIG", "JSTF", "MATH")

_active: CJKFont | None = None


@dataclass(frozen=True)
class CJKFont:
    """The CJK font the charts use.

    Attributes:
        family: family name to put in ``rcParams["font.sans-serif"]``.
        path: file matplotlib draws with (TrueType outlines).
        origin: ``"system"`` or ``"bundled"`` (Noto Sans CJK SC from mplfonts).
        source: the original font file (equals ``path`` unless it was converted).
        face_index: face of ``path`` in a collection (.ttc), else 0.
    """

    family: str
    path: Path
    origin: str
    source: Path
    face_index: int = 0


def bundled_font_path() -> Path:
    """Path of Noto Sans CJK SC as installed by the ``mplfonts`` package."""
    import mplfonts

    path = Path(mplfonts.__file__).resolve().parent / "fonts" / BUNDLED_FONT_FILE
    if not path.is_file():
        raise FileNotFoundError(
            f"{path}: expected Noto Sans CJK SC from the mplfonts package; reinstall it "
            "(pip install --force-reinstall mplfonts) or install a CJK font on the system")
    return path


def font_cache_dir() -> Path:
    """Folder for converted font copies (``CITYSCIENCE_FONT_CACHE`` overrides it)."""
    if env := os.environ.get("CITYSCIENCE_FONT_CACHE"):
        return Path(env).resolve()
    import matplotlib

    return Path(matplotlib.get_cachedir()) / "cityscience-fonts"


def has_glyphs(path: str | os.PathLike, text: str = SAMPLE_TEXT, face_index: int = 0) -> bool:
    """True when the font file has a glyph for every character of ``text``."""
    from matplotlib.ft2font import FT2Font

    try:
        font = FT2Font(str(path), face_index=face_index)
    except (OSError, RuntimeError, ValueError):
        return False
    return all(font.get_char_index(ord(ch)) for ch in text if not ch.isspace())


def _has_truetype_outlines(path: Path, face_index: int) -> bool:
    from fontTools.ttLib import TTFont

    with TTFont(str(path), fontNumber=face_index, lazy=True) as font:
        return "glyf" in font


def find_cjk_font(*, system: bool = True) -> tuple[Path, int, str, str]:
    """Locate a CJK font file: the first preferred system family, else the bundled Noto.

    Args:
        system: look at the system's fonts first (False: always the bundled font).

    Returns:
        ``(path, face_index, family, origin)`` of the original font file.
    """
    if system:
        from matplotlib import font_manager

        entries = {}
        for entry in font_manager.fontManager.ttflist:
            if entry.weight in (400, "normal", "regular") and entry.style == "normal":
                entries.setdefault(entry.name, []).append(entry)
        for family in PREFERRED_FAMILIES:
            for entry in entries.get(family, []):
                index = getattr(entry, "index", 0) or 0
                if _is_converted_copy(Path(entry.fname)):
                    continue
                if has_glyphs(entry.fname, face_index=index):
                    return Path(entry.fname), index, family, "system"
    path = bundled_font_path()
    return path, 0, "Noto Sans CJK SC", "bundled"


def _is_converted_copy(path: Path) -> bool:
    try:
        return path.resolve().is_relative_to(font_cache_dir())
    except OSError:
        return False


def use_cjk_font(*, system: bool = True) -> CJKFont:
    """Find a CJK font, make a TrueType copy if needed, and register it with matplotlib.

    The result is remembered for the process, so calling it again is free.

    Args:
        system: prefer a font the system has (False: always the bundled Noto Sans CJK SC).
    """
    global _active
    if _active is not None and (system or _active.origin == "bundled"):
        return _active
    from matplotlib import font_manager

    source, index, family, origin = find_cjk_font(system=system)
    if _has_truetype_outlines(source, index):
        font = CJKFont(family=family, path=source, origin=origin, source=source, face_index=index)
    else:
        from matplotlib.ft2font import FT2Font

        copy = _truetype_copy(source, index)
        font = CJKFont(family=FT2Font(str(copy)).family_name, path=copy, origin=origin, source=source)
    if origin == "bundled" or font.path != source:
        font_manager.fontManager.addfont(str(font.path))
    _active = font
    return font


def _copy_family(family: str) -> str:
    return f"{family} TT"


def _copy_path(source: Path, index: int) -> Path:
    size = source.stat().st_size
    return font_cache_dir() / f"{source.stem}-{index}-{size}-v{_CONVERTER_VERSION}.ttf"


def _truetype_copy(source: Path, index: int) -> Path:
    """The cached TrueType copy of a CFF-flavoured font, converting it on first use."""
    target = _copy_path(source, index)
    if target.is_file():
        return target
    target.parent.mkdir(parents=True, exist_ok=True)
    lock = target.with_suffix(".lock")
    while True:
        try:
            fd = os.open(lock, os.O_CREAT | os.O_EXCL | os.O_WRONLY)
        except FileExistsError:
            # Another process is converting: wait for its result (or a stale lock).
            if target.is_file():
                return target
            try:
                if time.time() - lock.stat().st_mtime > _LOCK_STALE_SECONDS:
                    lock.unlink(missing_ok=True)
            except FileNotFoundError:
                pass
            time.sleep(0.5)
            continue
        os.close(fd)
        break
    try:
        if not target.is_file():
            print(f"cityscience: making a TrueType copy of {source.name} for PDF export in {target.parent} "
                  "(once; about half a minute)", file=sys.stderr, flush=True)
            with atomic_path(target) as tmp:
                _convert_to_truetype(source, index, tmp)
    finally:
        lock.unlink(missing_ok=True)
    return target


def _convert_to_truetype(source: Path, index: int, out: Path) -> None:
    """Write a TrueType-outline copy of a CFF OpenType font (quadratic curves, 1 unit tolerance).

    Only the glyphs of the kept characters are converted; the copy is then
    subset to them, so it is about half the size of the original.
    """
    from io import BytesIO

    from fontTools import subset
    from fontTools.pens.cu2quPen import Cu2QuPen
    from fontTools.pens.ttGlyphPen import TTGlyphPen
    from fontTools.ttLib import TTFont, newTable

    # Keep the original's timestamps, so the copy (and every PDF embedding it) is reproducible.
    font = TTFont(str(source), fontNumber=index, recalcTimestamp=False)
    cmap = font.getBestCmap()
    keep = sorted(cp for cp in cmap if cp < 0x10000 and not any(lo <= cp <= hi for lo, hi in _DROPPED_RANGES))
    wanted = {cmap[cp] for cp in keep} | {".notdef"}
    order = font.getGlyphOrder()
    glyphs = font.getGlyphSet()
    glyf = newTable("glyf")
    glyf.glyphOrder = order
    glyf.glyphs = {}
    for name in order:
        pen = TTGlyphPen(None)
        if name in wanted:
            glyphs[name].draw(Cu2QuPen(pen, 1.0, reverse_direction=True))
        glyf[name] = pen.glyph()
    for tag in ("CFF ", *_DROPPED_TABLES):
        if tag in font:
            del font[tag]
    font["glyf"] = glyf
    font["loca"] = newTable("loca")
    maxp = font["maxp"]
    maxp.tableVersion = 0x00010000
    for attr in ("maxPoints", "maxContours", "maxCompositePoints", "maxCompositeContours",
                 "maxTwilightPoints", "maxStorage", "maxFunctionDefs", "maxInstructionDefs",
                 "maxStackElements", "maxSizeOfInstructions", "maxComponentElements", "maxComponentDepth"):
        setattr(maxp, attr, 0)
    maxp.maxZones = 1
    font["head"].indexToLocFormat = 0
    font["head"].glyphDataFormat = 0
    post = font["post"]
    post.formatType = 3.0  # names come back below, once the font has fewer glyphs
    post.extraNames = []
    post.mapping = {}
    _rename(font)
    font.sfntVersion = "\x00\x01\x00\x00"
    buffer = BytesIO()
    font.save(buffer)

    buffer.seek(0)
    options = subset.Options()
    options.layout_features = ["kern", "mark", "mkmk"]
    options.name_IDs = ["*"]
    options.name_languages = ["*"]
    options.notdef_outline = True
    options.glyph_names = True
    options.recalc_bounds = True
    truetype = subset.load_font(buffer, options)
    subsetter = subset.Subsetter(options)
    subsetter.populate(unicodes=keep)
    subsetter.subset(truetype)
    post = truetype["post"]
    post.formatType = 2.0  # store glyph names: PDF export reads them instead of rebuilding them
    post.extraNames = []
    post.mapping = {}
    subset.save_font(truetype, str(out), options)


def _rename(font) -> None:
    """Name the copy differently from the original, so both can be installed side by side."""
    name = font["name"]
    family = name.getDebugName(16) or name.getDebugName(1)
    ps_name = name.getDebugName(6)
    new_family = _copy_family(family)
    for record in list(name.names):
        if record.nameID in (1, 16):
            record.string = new_family
        elif record.nameID == 4:
            record.string = f"{new_family} Regular"
        elif record.nameID == 6:
            record.string = f"{ps_name}-TT"
        elif record.nameID == 3:
            record.string = f"{record.toUnicode()};TrueType copy"
