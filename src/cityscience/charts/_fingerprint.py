"""A digest of everything a figure draws, so an unchanged figure need not be rendered again.

:func:`draw_fingerprint` lays the figure out and draws it once through the
renderer that would save it, with every drawing call replaced by one that
feeds its arguments (paths, transforms, colours, line styles, clip regions,
text with its font, image pixels) into a SHA-256 digest instead of painting.
Two figures with the same digest issue the same drawing calls, so, saved with
the same settings in the same environment, they give the same files.

Anything the digest does not know how to describe is fed as its ``repr``; an
object whose repr holds a memory address then changes the digest on every run,
which costs a redraw but never reuses a stale file.
"""

from __future__ import annotations

import hashlib
import numbers
import types
from functools import lru_cache
from pathlib import Path

import numpy as np
from matplotlib import cbook
from matplotlib.backend_bases import GraphicsContextBase, RendererBase, _get_renderer
from matplotlib.font_manager import FontProperties, findfont
from matplotlib.path import Path as MplPath
from matplotlib.text import Text
from matplotlib.transforms import BboxBase, Transform, TransformedPath

__all__ = ["draw_fingerprint"]

#: Renderer methods that put something on the page (or group, clip or rasterize what follows).
_RECORDED = tuple(sorted(
    name for name in dir(RendererBase)
    if name.startswith("draw_") or name in ("open_group", "close_group", "start_rasterizing", "stop_rasterizing",
                                            "start_filter", "stop_filter")))

_GC_GETTERS = (
    "get_alpha", "get_forced_alpha", "get_antialiased", "get_capstyle", "get_clip_rectangle", "get_clip_path",
    "get_dashes", "get_joinstyle", "get_linewidth", "get_rgb", "get_url", "get_gid", "get_snap", "get_hatch",
    "get_hatch_color", "get_hatch_linewidth", "get_sketch_params",
)


def draw_fingerprint(fig) -> str:
    """Lay ``fig`` out and return the hex digest of its drawing calls (nothing is painted).

    Like :meth:`~matplotlib.figure.Figure.draw_without_rendering`, this runs the
    layout engine, so text extents and the tight bounding box are final
    afterwards.
    """
    renderer = _get_renderer(fig)
    digest = hashlib.sha256()
    feed = _Feeder(digest)

    def recorder(name):
        def record(*args, **kwargs):
            feed(name)
            feed(args)
            feed(sorted(kwargs.items()))
        return record

    with cbook._setattr_cm(renderer, **{name: recorder(name) for name in _RECORDED}):
        fig.draw(renderer)
    feed(("figure", fig.get_size_inches(), fig.dpi))
    return digest.hexdigest()


@lru_cache(maxsize=64)
def _font_file_id(path: str) -> str:
    """A font file's name and size: which font it is, wherever the environment keeps it.

    The full path would differ between checkouts (matplotlib's own fonts live in the
    virtual environment), and a key that differs there would redraw every figure on a
    fresh clone for nothing.
    """
    file = Path(path)
    return f"{file.name}:{file.stat().st_size}"


class _Feeder:
    """Feeds Python values into a digest, each tagged with its kind so different values never collide."""

    def __init__(self, digest):
        self._digest = digest

    def _put(self, tag: str, data: bytes) -> None:
        self._digest.update(f"{tag}{len(data)}:".encode())
        self._digest.update(data)

    def __call__(self, obj) -> None:  # noqa: C901 - one branch per kind of value, kept together
        put = self._put
        if obj is None or isinstance(obj, (bool, str, numbers.Number, np.generic)):
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
            if frozen.is_affine:
                put("T", np.ascontiguousarray(frozen.get_matrix(), dtype=float).tobytes())
            else:
                put("T~", repr(frozen).encode())
        elif isinstance(obj, BboxBase):
            put("B", np.ascontiguousarray(obj.get_points(), dtype=float).tobytes())
        elif isinstance(obj, GraphicsContextBase):
            put("G", b"")
            for getter in _GC_GETTERS:
                method = getattr(obj, getter, None)
                self(method() if method is not None else None)
        elif isinstance(obj, FontProperties):
            put("F", obj.get_fontconfig_pattern().encode("utf-8"))
            put("f", _font_file_id(findfont(obj)).encode("utf-8"))
        elif isinstance(obj, Text):
            self(("text", obj.get_horizontalalignment(), obj.get_verticalalignment(),
                  obj.get_rotation_mode(), obj.get_gid(), obj.get_url()))
        elif isinstance(obj, types.FunctionType):  # e.g. an agg_filter: its code and what it closes over
            put("C", f"{obj.__module__}.{obj.__qualname__}".encode())
            self((obj.__defaults__, [cell.cell_contents for cell in obj.__closure__ or ()]))
        else:
            put("r", f"{type(obj).__qualname__}:{obj!r}".encode("utf-8", "surrogatepass"))
