"""A digest of everything a figure draws, so an unchanged figure need not be rendered again.

:func:`draw_fingerprint` lays the figure out and draws it once through the
renderer that would save it, with every drawing call replaced by one that
feeds its arguments (paths, transforms, colours, line styles, clip regions,
text with its fonts and font features, image pixels) into a SHA-256 digest
instead of painting. Images are also fed their source data and resampling
settings, since SVG and PDF resample them on their own. Two figures with the
same digest issue the same drawing calls, so, saved with the same settings in
the same environment, they give the same files.

Anything the digest cannot describe exactly (a filter function, an object it
does not know, TeX text) makes the figure *opaque*: :func:`draw_fingerprint`
then returns None and the figure is always rendered. A missed reuse costs
time; a wrong one would publish a stale figure.
"""

from __future__ import annotations

import hashlib
import numbers
from functools import lru_cache
from pathlib import Path

import numpy as np
from matplotlib import cbook
from matplotlib.backend_bases import GraphicsContextBase, RendererBase, _get_renderer
from matplotlib.font_manager import FontProperties, findfont, fontManager, get_font
from matplotlib.image import _ImageBase
from matplotlib.path import Path as MplPath
from matplotlib.text import Text
from matplotlib.transforms import BboxBase, Transform, TransformedPath

__all__ = ["draw_fingerprint"]

#: Renderer methods that put something on the page (or group, clip or rasterize what follows).
_RECORDED = tuple(sorted(
    name for name in dir(RendererBase)
    if name.startswith("draw_") or name in ("open_group", "close_group", "start_rasterizing", "stop_rasterizing",
                                            "start_filter", "stop_filter")))
#: Drawing calls whose result depends on more than their arguments (TeX installations, filter code).
_OPAQUE_CALLS = frozenset({"draw_tex", "start_filter", "stop_filter"})

_GC_GETTERS = (
    "get_alpha", "get_forced_alpha", "get_antialiased", "get_capstyle", "get_clip_rectangle", "get_clip_path",
    "get_dashes", "get_joinstyle", "get_linewidth", "get_rgb", "get_url", "get_gid", "get_snap", "get_hatch",
    "get_hatch_color", "get_hatch_linewidth", "get_sketch_params",
)
_TEXT_GETTERS = ("get_horizontalalignment", "get_verticalalignment", "get_rotation_mode", "get_gid", "get_url",
                 "get_fontfeatures", "get_language", "get_usetex")
_IMAGE_GETTERS = ("get_interpolation", "get_interpolation_stage", "get_resample", "get_filternorm",
                  "get_filterrad", "get_alpha", "get_extent", "get_url", "get_gid", "get_rasterized")


_SIMPLE = frozenset({type(None), bool, int, float, str})


class _Opaque(Exception):
    """Raised while feeding a value the digest cannot describe exactly."""


def draw_fingerprint(fig) -> str | None:
    """Lay ``fig`` out and return the hex digest of its drawing calls (nothing is painted).

    Like :meth:`~matplotlib.figure.Figure.draw_without_rendering`, this runs the
    layout engine, so text extents and the tight bounding box are final
    afterwards. Returns None for an opaque figure (see the module docstring).
    """
    renderer = _get_renderer(fig)
    digest = hashlib.sha256()
    feed = _Feeder(digest)
    opaque = []

    def recorder(name):
        def record(*args, **kwargs):
            if opaque:
                return
            try:
                if name in _OPAQUE_CALLS:
                    raise _Opaque(name)
                feed(name)
                feed(args)
                feed(sorted(kwargs.items()))
            except _Opaque as why:
                opaque.append(why)
        return record

    with cbook._setattr_cm(renderer, **{name: recorder(name) for name in _RECORDED}):
        fig.draw(renderer)
    if opaque:
        return None
    try:
        for image in fig.findobj(_ImageBase):
            feed(("image", _image_source(image)))
        feed(("figure", fig.get_size_inches(), fig.dpi))
    except _Opaque:
        return None
    return digest.hexdigest()


def _image_source(image) -> tuple:
    """An image's data and the settings a vector backend resamples it with (not just the pixels drawn)."""
    norm, cmap = getattr(image, "norm", None), image.get_cmap() if hasattr(image, "get_cmap") else None
    described_norm = None
    if norm is not None:
        described_norm = (type(norm).__qualname__, norm.vmin, norm.vmax, getattr(norm, "clip", None))
    lut = cmap(np.linspace(0.0, 1.0, cmap.N)) if cmap is not None else None
    bad = (cmap.get_bad(), cmap.get_under(), cmap.get_over()) if cmap is not None else None
    settings = tuple(getattr(image, getter)() if hasattr(image, getter) else None for getter in _IMAGE_GETTERS)
    return (type(image).__qualname__, image.get_array(), described_norm, lut, bad, settings)


@lru_cache(maxsize=64)
def _font_file_id(path: str) -> str:
    """Which font a file holds, wherever the environment keeps it: name, size and the font's checksum.

    The full path would differ between checkouts (matplotlib's own fonts live
    in the virtual environment), and a key that differs there would redraw
    every figure on a fresh clone for nothing. The ``head`` table's
    checksum adjustment covers the whole file, so two different fonts with the
    same file name and size still differ.
    """
    head = get_font(path).get_sfnt_table("head") or {}
    return (f"{Path(path).name}:{Path(path).stat().st_size}:"
            f"{head.get('checkSumAdjustment')}:{head.get('fontRevision')}")


def _font_files(prop: FontProperties) -> list[str]:
    """The font files text with ``prop`` is drawn from: the family list in fallback order."""
    find_all = getattr(fontManager, "_find_fonts_by_props", None)  # matplotlib ≥ 3.6 (private)
    paths = find_all(prop) if find_all is not None else [findfont(prop)]
    return [_font_file_id(str(p)) for p in paths]


class _Feeder:
    """Feeds Python values into a digest, each tagged with its kind so different values never collide."""

    def __init__(self, digest):
        self._digest = digest
        self._fonts: dict[FontProperties, bytes] = {}  # one description per font, within one draw

    def _put(self, tag: str, data: bytes) -> None:
        self._digest.update(f"{tag}{len(data)}:".encode())
        self._digest.update(data)

    def _font(self, prop: FontProperties) -> bytes:
        described = self._fonts.get(prop)
        if described is None:
            text = repr((prop.get_fontconfig_pattern(), prop.get_math_fontfamily(), _font_files(prop)))
            described = self._fonts[prop] = text.encode("utf-8")
        return described

    def __call__(self, obj) -> None:  # noqa: C901 - one branch per kind of value, kept together
        put = self._put
        if type(obj) in _SIMPLE or isinstance(obj, (numbers.Number, np.generic)):
            put("v", repr(obj).encode("utf-8", "surrogatepass"))
        elif isinstance(obj, np.ndarray):
            if np.ma.isMaskedArray(obj):
                self(np.ma.getmaskarray(obj))
                obj = np.ma.getdata(obj)
            if obj.dtype == object:
                put("O", str(obj.shape).encode())
                for item in obj.ravel():
                    self(item)
            else:
                put(f"a{obj.dtype.str}{obj.shape}", np.ascontiguousarray(obj).tobytes())
        elif isinstance(obj, (list, tuple)):
            put("(", str(len(obj)).encode())
            for item in obj:
                self(item)
        elif isinstance(obj, dict):
            self(sorted(obj.items(), key=lambda kv: repr(kv[0])))
        elif isinstance(obj, MplPath):
            put("P", b"")
            self((obj.vertices, obj.codes, obj.should_simplify, obj.simplify_threshold,
                  obj._interpolation_steps))
        elif isinstance(obj, TransformedPath):
            path, affine = obj.get_transformed_path_and_affine()
            self(("TP", path, affine))
        elif isinstance(obj, Transform):
            frozen = obj.frozen()
            if not frozen.is_affine:
                raise _Opaque(f"non-affine transform {type(obj).__qualname__}")
            put("T", np.ascontiguousarray(frozen.get_matrix(), dtype=float).tobytes())
        elif isinstance(obj, BboxBase):
            put("B", np.ascontiguousarray(obj.get_points(), dtype=float).tobytes())
        elif isinstance(obj, GraphicsContextBase):
            put("G", b"")
            for getter in _GC_GETTERS:
                method = getattr(obj, getter, None)
                self(method() if method is not None else None)
        elif isinstance(obj, FontProperties):
            put("F", self._font(obj))
        elif isinstance(obj, Text):
            self(("text", *(getattr(obj, getter)() if hasattr(obj, getter) else None
                            for getter in _TEXT_GETTERS)))
        else:  # a function, a filter, an object of unknown state: never reuse what it drew
            raise _Opaque(type(obj).__qualname__)
