"""A CJK font for the charts: the bundled Noto Sans CJK SC, or one the system has, always TrueType.

Chinese labels need a font with Chinese glyphs. :func:`use_cjk_font` uses
Noto Sans CJK SC from the ``mplfonts`` package (a dependency, so every
installation has it) or, when asked to prefer the system's fonts, the first
of Noto Sans CJK SC, Source Han Sans, PingFang SC, Microsoft YaHei, SimHei, …
that the system has. Published figures are always drawn with the bundled font
(see :func:`cityscience.charts.save_figure`), so their bytes do not depend on
the fonts of the machine that built them.

PDF export embeds fonts as TrueType (``pdf.fonttype`` 42, text stays
selectable). Noto Sans CJK and Source Han Sans are OpenType fonts with CFF
(PostScript) outlines, which a PDF may not embed as TrueType, so the first use
converts such a font once into a TrueType copy in a cache folder
(``CITYSCIENCE_FONT_CACHE``, default ``share/cityscience-fonts`` of the Python environment,
see :func:`font_cache_dir`).
The copy keeps the characters chart text is made of (:func:`copy_characters`:
GB 2312, Big5 level 1, Latin, punctuation and symbols), about a third of the
original's glyphs, because every PDF export reads the whole copy again to cut
its subset out of it. A character outside the copy fails the export loudly
(:class:`~cityscience.charts.figures.MissingGlyphError`) instead of drawing a box.
"""

from __future__ import annotations

import os
import sys
import time
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from ..atomic import atomic_path

__all__ = [
    "BUNDLED_FONT_FILE",
    "PREFERRED_FAMILIES",
    "SAMPLE_TEXT",
    "CJKFont",
    "bundled_font_path",
    "copy_characters",
    "find_cjk_font",
    "font_cache_dir",
    "has_glyphs",
    "substitute_fonts",
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
_CONVERTER_VERSION = 2
_LOCK_STALE_SECONDS = 600
#: Unicode blocks kept in converted copies besides the GB 2312 and Big5 level-1 characters:
#: Latin, Greek and Cyrillic, punctuation, super- and subscripts, currency, letterlike and number
#: forms, arrows, mathematical and technical symbols, enclosed numbers, box drawing, shapes,
#: miscellaneous symbols, CJK symbols and punctuation, kana, enclosed CJK, CJK units (㎡),
#: CJK compatibility forms and the full-width forms.
_KEPT_BLOCKS = ((0x0020, 0x024F), (0x02B0, 0x02FF), (0x0370, 0x04FF), (0x2000, 0x23FF), (0x2460, 0x27BF),
                (0x3000, 0x30FF), (0x3200, 0x33FF), (0xFE30, 0xFE4F), (0xFF00, 0xFFEF))
_DROPPED_TABLES = ("GSUB", "BASE", "VORG", "vhea", "vmtx", "DSIG", "JSTF", "MATH")
#: Family name of the bundled font's copy: no system font has it, so it always means that file.
_BUNDLED_COPY_FAMILY = "Noto Sans CJK SC cityscience"

_active: dict[bool, CJKFont] = {}  # by `system`: the font use_cjk_font chose for this process


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


@cache
def copy_characters() -> frozenset[int]:
    """Code points a converted copy keeps: GB 2312 (the common simplified characters), Big5
    level 1 (the common traditional ones) and the Latin, punctuation and symbol blocks of
    ``_KEPT_BLOCKS``."""
    kept = {cp for lo, hi in _KEPT_BLOCKS for cp in range(lo, hi + 1)}
    for encoding, leads, trails in (("gb2312", range(0xA1, 0xF8), range(0xA1, 0xFF)),
                                    ("big5", range(0xA1, 0xC7), [*range(0x40, 0x7F), *range(0xA1, 0xFF)])):
        for lead in leads:
            for trail in trails:
                try:
                    kept.add(ord(bytes((lead, trail)).decode(encoding)))
                except UnicodeDecodeError:  # an unassigned code
                    pass
    return frozenset(kept)


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
    """Folder for converted font copies (``CITYSCIENCE_FONT_CACHE`` overrides it).

    Default: ``share/cityscience-fonts`` in the Python environment (``.venv``),
    or matplotlib's cache folder when that cannot be written. Why there: a PDF
    that uses two fonts (DejaVu Sans and the CJK copy in English charts) holds
    them in the order of their file paths, so the copy's path must sort the
    same way against matplotlib's own fonts wherever the checkout, the home
    folder or the environment live; in the environment it always sorts after
    them (``lib/…`` < ``share/…``).
    """
    if env := os.environ.get("CITYSCIENCE_FONT_CACHE"):
        return Path(env).resolve()
    import matplotlib

    # paths as matplotlib registers its own fonts (not resolved), as the PDF backend compares them
    own_fonts = str(Path(matplotlib.get_data_path()) / "fonts")
    for base in (Path(sys.prefix) / "share", Path(matplotlib.get_cachedir())):
        folder = base / "cityscience-fonts"
        if str(folder) > own_fonts and _writable(folder):
            return folder
    return Path(matplotlib.get_cachedir()) / "cityscience-fonts"


def _writable(folder: Path) -> bool:
    existing = next((p for p in (folder, *folder.parents) if p.exists()), None)
    return existing is not None and os.access(existing, os.W_OK)


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
        return path.resolve().is_relative_to(font_cache_dir().resolve())
    except OSError:
        return False


def use_cjk_font(*, system: bool = True) -> CJKFont:
    """Find a CJK font, make a TrueType copy if needed, and register it with matplotlib.

    The result is remembered for the process, so calling it again is free.

    Args:
        system: prefer a font the system has (False: always the bundled Noto Sans CJK SC).
    """
    if system in _active:
        return _active[system]
    from matplotlib import font_manager

    source, index, family, origin = find_cjk_font(system=system)
    if _has_truetype_outlines(source, index):
        font = CJKFont(family=family, path=source, origin=origin, source=source, face_index=index)
    else:
        from matplotlib.ft2font import FT2Font

        copy = _truetype_copy(source, index)
        font = CJKFont(family=FT2Font(str(copy)).family_name, path=copy, origin=origin, source=source)
    registered = any(entry.fname == str(font.path) for entry in font_manager.fontManager.ttflist)
    if (origin == "bundled" or font.path != source) and not registered:  # (once: system=False came first)
        font_manager.fontManager.addfont(str(font.path))
    _active[system] = font
    if origin == "bundled":
        _active[False] = font
    return font


def substitute_fonts() -> dict[str, str]:
    """Families of the CJK fonts this process drew with, other than the bundled font, mapped to its family.

    :func:`~cityscience.charts.save_figure` draws the texts of these families
    with the bundled font, so that published figures are the same whichever
    fonts the machine has. Empty when only the bundled font was used.
    """
    others = [font for font in list(_active.values()) if font.origin == "system"]
    if not others:
        return {}
    bundled = use_cjk_font(system=False)
    return {font.family: bundled.family for font in others if font.path != bundled.path}


def _copy_family(source: Path, family: str) -> str:
    """Family name of a converted copy: a fixed, unique one for the bundled font's."""
    try:
        if source.resolve() == bundled_font_path():
            return _BUNDLED_COPY_FAMILY
    except FileNotFoundError:  # no mplfonts: this copy is of a system font
        pass
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
                  "(once; about ten seconds)", file=sys.stderr, flush=True)
            with atomic_path(target) as tmp:
                _convert_to_truetype(source, index, tmp)
    finally:
        lock.unlink(missing_ok=True)
    return target


def _convert_to_truetype(source: Path, index: int, out: Path) -> None:
    """Write a TrueType-outline copy of a CFF OpenType font (quadratic curves, 1 unit tolerance).

    Only the glyphs of :func:`copy_characters` are converted; the copy is then
    subset to them.
    """
    from io import BytesIO

    from fontTools import subset
    from fontTools.pens.cu2quPen import Cu2QuPen
    from fontTools.pens.ttGlyphPen import TTGlyphPen
    from fontTools.ttLib import TTFont, newTable

    # Keep the original's timestamps, so the copy (and every PDF embedding it) is reproducible.
    font = TTFont(str(source), fontNumber=index, recalcTimestamp=False)
    cmap = font.getBestCmap()
    keep = sorted(set(cmap) & copy_characters())
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
    _rename(font, _copy_family(source, font["name"].getDebugName(16) or font["name"].getDebugName(1)))
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


def _rename(font, new_family: str) -> None:
    """Name the copy differently from the original, so both can be installed side by side."""
    name = font["name"]
    ps_name = name.getDebugName(6)
    suffix = "cityscience" if new_family == _BUNDLED_COPY_FAMILY else "TT"
    for record in list(name.names):
        if record.nameID in (1, 16):
            record.string = new_family
        elif record.nameID == 4:
            record.string = f"{new_family} Regular"
        elif record.nameID == 6:
            record.string = f"{ps_name}-{suffix}"
        elif record.nameID == 3:
            record.string = f"{record.toUnicode()};TrueType copy"
