"""Published figures are the same bytes whatever CJK fonts the machine has, links and tooltips included.

A second, really different CJK font (mplfonts' SimHei, registered under a family
the theme prefers, as a machine with its own Chinese font would have it) makes
``set_theme()`` draw with that font; the figures ``save_figure`` writes from the
chart functions, in both languages, must equal those of a machine with only the
bundled font. tests/test_figures.py checks the same with a metric-altered copy
of the bundled font on a hand-drawn chart.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from cityscience import charts
from cityscience.conventions import LANGUAGES

_DRAW = """
import sys
from pathlib import Path
import matplotlib
matplotlib.use("Agg")
import matplotlib.pyplot as plt
from matplotlib import font_manager
import cityscience as cs
from cityscience import charts

second, folder = sys.argv[1], Path(sys.argv[2])
if second:  # as if the system had a Chinese font of a family the theme prefers
    font_manager.fontManager.ttflist.insert(0, font_manager.FontEntry(
        fname=second, name=charts.fonts.PREFERRED_FAMILIES[0], style="normal", variant="normal", weight=400,
        stretch="normal", size="scalable"))
obs = charts.with_derived(cs.load_observations())
code = obs.groupby("indicator")["region"].nunique().idxmax()
for lang in sys.argv[3:]:
    font = charts.set_theme(lang)
    print(font.origin, font.family)
    fig, _ = charts.bar_by_region(obs, code, lang=lang)
    fig.savefig(folder / f"as-drawn-{lang}.png", dpi=200)  # what the machine's font gives
    charts.save_figure(fig, "02-fonts", folder=folder, update_index=False, show=False)
    plt.close(fig)
"""


def _second_cjk_font() -> Path:
    import mplfonts

    path = Path(mplfonts.__file__).resolve().parent / "fonts" / "SimHei.ttf"
    if not path.is_file():
        pytest.skip("mplfonts ships no SimHei.ttf to serve as a second CJK font")
    return path


def test_chart_figures_do_not_depend_on_a_second_cjk_font(tmp_path):
    second = _second_cjk_font()
    assert charts.fonts.has_glyphs(second)
    script = tmp_path / "draw.py"
    script.write_text(_DRAW, encoding="utf-8")
    out = {}
    for tag, font in (("system", str(second)), ("bundled", "")):
        folder = tmp_path / tag
        folder.mkdir()
        done = subprocess.run([sys.executable, str(script), font, str(folder), *LANGUAGES], capture_output=True,
                              text=True, timeout=600)
        assert done.returncode == 0, done.stderr
        out[tag] = (done.stdout.split("\n"), folder)
    assert all(line.startswith("system ") for line in out["system"][0] if line)  # the machine's font was used
    system, bundled = out["system"][1], out["bundled"][1]
    for lang in LANGUAGES:
        if lang == "zh":  # the second font does draw differently
            assert (system / f"as-drawn-{lang}.png").read_bytes() != (bundled / f"as-drawn-{lang}.png").read_bytes()
        for ext in ("png", "svg", "pdf"):
            name = f"02-fonts-{lang}.{ext}"
            assert (system / name).read_bytes() == (bundled / name).read_bytes(), name
        assert b'xlink:href="../build/readers/' in (system / f"02-fonts-{lang}.svg").read_bytes()
