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


def test_a_filter_is_described_by_its_code_and_parameters():
    def darken(by):
        def apply(image, dpi):
            return image * by, 0, 0
        return apply

    digests = []
    for by in (0.5, 0.5, 0.6):
        fig = _figure()
        fig.axes[0].patches[0].set_agg_filter(darken(by))
        digests.append(draw_fingerprint(fig))
    assert digests[0] == digests[1] != digests[2]


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
