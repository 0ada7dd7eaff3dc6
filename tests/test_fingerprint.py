"""The drawing-call digest behind figure reuse: stable across processes, sensitive to what is drawn."""

from __future__ import annotations

import os
import subprocess
import sys

import matplotlib.pyplot as plt
import numpy as np

from cityscience.charts._fingerprint import draw_fingerprint

_SCRIPT = """
import matplotlib
matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np
from cityscience.charts._fingerprint import draw_fingerprint

fig, axes = plt.subplots(1, 2, figsize=(5, 2.5), layout="constrained")
axes[0].bar(["a", "b", "c"], [3, 1, 2], hatch="//", edgecolor="k")
axes[0].set_title("title {a, b}")
axes[1].imshow(np.arange(12.0).reshape(3, 4))
axes[1].plot([0, 3], [0, 2], "o--", label="line")
axes[1].legend()
print(draw_fingerprint(fig))
"""


def _figure(values=(3, 1, 2)):
    fig, ax = plt.subplots(figsize=(3, 2), layout="constrained")
    ax.bar(["a", "b", "c"], values)
    ax.set_title("a title")
    return fig


def test_the_same_figure_gives_the_same_digest_in_other_processes():
    """Figures are reused across kernels, so the digest must not depend on hash seeds or addresses."""
    digests = set()
    for seed in ("1", "2"):
        env = {**os.environ, "PYTHONHASHSEED": seed, "MPLBACKEND": "Agg"}
        done = subprocess.run([sys.executable, "-c", _SCRIPT], capture_output=True, text=True, env=env, check=True)
        digests.add(done.stdout.strip())
    assert len(digests) == 1 and len(digests.pop()) == 64


def test_the_digest_follows_the_drawing():
    assert draw_fingerprint(_figure()) == draw_fingerprint(_figure())
    assert draw_fingerprint(_figure()) != draw_fingerprint(_figure((3, 1, 2.001)))
    fig = _figure()
    before = draw_fingerprint(fig)
    fig.axes[0].set_title("title, changed")
    assert draw_fingerprint(fig) != before


def test_what_the_digest_cannot_describe_makes_the_figure_opaque():
    """A filter's effect depends on code the digest cannot see: such a figure is always rendered."""
    fig = _figure()
    fig.axes[0].patches[0].set_agg_filter(lambda image, dpi: (image * 0.5, 0, 0))
    assert draw_fingerprint(fig) is None
    plain = _figure()
    assert draw_fingerprint(plain) is not None


def test_text_is_described_with_its_math_font_and_font_features():
    def with_text(**kwargs):
        fig = _figure()
        fig.axes[0].text(0.1, 0.5, r"AVA office $\alpha + \sum x_i$", transform=fig.axes[0].transAxes, **kwargs)
        return fig

    plain = draw_fingerprint(with_text())
    assert plain == draw_fingerprint(with_text())
    assert plain != draw_fingerprint(with_text(math_fontfamily="cm"))
    assert plain != draw_fingerprint(with_text(fontfeatures=["-kern", "-liga"]))


def test_images_are_described_by_their_pixels():
    def image_figure(data):
        fig, ax = plt.subplots(figsize=(2, 2))
        ax.imshow(data)
        return fig

    data = np.arange(16.0).reshape(4, 4)
    changed = data.copy()
    changed[2, 3] += 0.5
    assert draw_fingerprint(image_figure(data)) == draw_fingerprint(image_figure(data.copy()))
    assert draw_fingerprint(image_figure(data)) != draw_fingerprint(image_figure(changed))


def test_images_are_described_by_their_data_not_only_the_pixels_drawn_on_screen():
    """SVG and PDF embed or resample the image data themselves: a detail lost at 100 dpi still counts."""
    data = np.random.default_rng(0).random((800, 800))
    digests = set()
    for column in range(1, 9):  # most of 800 columns are skipped when drawn into ~230 screen pixels
        changed = data.copy()
        changed[:, column] = 1 - changed[:, column]
        fig, ax = plt.subplots(figsize=(3, 3))
        ax.imshow(changed, interpolation="none")
        digests.add(draw_fingerprint(fig))
    assert len(digests) == 8


def test_the_project_charts_can_be_reused():
    """None of the chart types the notebooks export is opaque (or every build would render them)."""
    import pandas as pd

    from cityscience import charts

    obs = pd.DataFrame({
        "obs_id": ["a", "b", "c", "d"], "source_id": ["s1", "s1", "s2", "s2"],
        "region": pd.Categorical(["ningbo", "ningbo", "hangzhou", "hangzhou"]),
        "year": [2014, 2020, 2015, 2016], "indicator": ["hte_stock"] * 4, "measure": ["level"] * 4,
        "status": ["actual", "target", "actual", "target"], "qualifier": ["exact", "at_least", "approx", "exact"],
        "value": [1167.0, 2000.0, 1979.0, 2500.0], "value_high": [pd.NA] * 4, "unit": ["家"] * 4,
        "value_std": [1167.0, 2000.0, 1979.0, 2500.0], "value_high_std": [pd.NA] * 4, "unit_std": ["count"] * 4,
    })
    words = charts.Labels.from_frames("en")
    figures = [
        charts.bar_by_region(obs, "hte_stock", lang="en", labels=words)[0],
        charts.lines_over_years(obs, "hte_stock", lang="en", labels=words)[0],
        charts.heatmap(pd.DataFrame({"x": [1, 2], "y": [3, 4]}, index=["p", "q"]), sources=["s1"], lang="en",
                       labels=words)[0],
        charts.coverage_heatmap(obs, rows="status", lang="en", labels=words)[0],
    ]
    assert all(draw_fingerprint(fig) for fig in figures)


def test_the_digest_does_not_depend_on_where_the_environment_lives(monkeypatch):
    """A fresh clone (another virtual environment) must find the committed figures unchanged."""
    import cityscience.charts._fingerprint as fingerprint

    fed = []
    original = fingerprint._Feeder._put
    monkeypatch.setattr(fingerprint._Feeder, "_put", lambda self, tag, data: fed.append(data) or original(
        self, tag, data))
    fig = _figure()
    fig.axes[0].set_xlabel("x label", family="monospace")
    draw_fingerprint(fig)
    places = {sys.prefix, sys.base_prefix, os.path.expanduser("~")}
    assert fed and not [d for d in fed if any(p.encode() in d for p in places)]
