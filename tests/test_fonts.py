"""The CJK font: the bundled Noto Sans CJK SC (or a system one, for display), always TrueType."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import matplotlib
import pytest
from fontTools.ttLib import TTFont
from matplotlib import font_manager

from cityscience.charts import fonts

CHART_TEXT = fonts.SAMPLE_TEXT + "慈溪市科学技术局（甬政办发〔2017〕5号）：高新技术企业数（存量）≤…％"


REPO = Path(__file__).resolve().parents[1]


def test_bundled_font_is_noto_sans_cjk_sc():
    path = fonts.bundled_font_path()
    assert path.name == "NotoSansCJKsc-Regular.otf"
    assert fonts.has_glyphs(path, CHART_TEXT)


def test_bundled_font_is_used_as_a_truetype_copy():
    font = fonts.use_cjk_font(system=False)
    assert font.origin == "bundled"
    assert font.source == fonts.bundled_font_path()
    assert font.path.suffix == ".ttf" and font.path.is_file()
    assert font.path.resolve().is_relative_to(fonts.font_cache_dir().resolve())
    with TTFont(str(font.path), lazy=True) as tt:
        assert "glyf" in tt and "CFF " not in tt  # TrueType outlines: PDF can embed it as Type 42
        assert tt["name"].getDebugName(1) == font.family
        kept = set(tt.getBestCmap())
    with TTFont(str(fonts.bundled_font_path()), lazy=True) as original:
        assert kept == set(original.getBestCmap()) & fonts.copy_characters()
    assert fonts.has_glyphs(font.path, CHART_TEXT)
    assert not fonts.has_glyphs(font.path, "한")  # Hangul is not chart text here: left out
    registered = [entry for entry in font_manager.fontManager.ttflist if entry.name == font.family]
    assert [entry.fname for entry in registered] == [str(font.path)]  # a family name only this file has


def test_the_font_copy_draws_every_character_of_the_data():
    """Every character of the curated tables and raw documents is in the copy (else extend copy_characters)."""
    font = fonts.use_cjk_font(system=False)
    text = "".join(p.read_text(encoding="utf-8") for p in sorted((REPO / "data").rglob("*"))
                   if p.is_file() and p.suffix in (".csv", ".txt", ".md"))
    drawable = {ch for ch in set(text) if not ch.isspace() and ord(ch) >= 0x80}
    missing = sorted(ch for ch in drawable if not fonts.has_glyphs(font.path, ch))
    assert not missing, f"characters of data/ the chart font cannot draw: {''.join(missing)}"


def test_only_fonts_other_than_the_bundled_one_are_substituted(monkeypatch):
    bundled = fonts.use_cjk_font(system=False)
    monkeypatch.setattr(fonts, "_active", {False: bundled, True: bundled})
    assert fonts.substitute_fonts() == {}
    system = fonts.CJKFont(family="Noto Sans CJK SC TT", path=Path("/usr/share/fonts/copy.ttf"), origin="system",
                           source=Path("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc"), face_index=2)
    monkeypatch.setattr(fonts, "_active", {False: bundled, True: system})
    assert fonts.substitute_fonts() == {"Noto Sans CJK SC TT": bundled.family}


def test_the_active_font_draws_chart_text():
    font = fonts.use_cjk_font()
    assert fonts.has_glyphs(font.path, CHART_TEXT, face_index=font.face_index)
    with TTFont(str(font.path), fontNumber=font.face_index, lazy=True) as tt:
        assert "glyf" in tt


def test_has_glyphs_is_false_for_a_latin_font():
    dejavu = Path(matplotlib.get_data_path()) / "fonts" / "ttf" / "DejaVuSans.ttf"
    assert fonts.has_glyphs(dejavu, "abc")
    assert not fonts.has_glyphs(dejavu, "宁波")
    assert not fonts.has_glyphs("/no/such/font.ttf", "a")


def test_a_preferred_system_font_wins_over_the_bundled_one(monkeypatch):
    bundled = fonts.bundled_font_path()
    entry = font_manager.FontEntry(fname=str(bundled), name="Source Han Sans SC", style="normal",
                                   variant="normal", weight=400, stretch="normal", size="scalable")
    monkeypatch.setattr(font_manager.fontManager, "ttflist", [*font_manager.fontManager.ttflist, entry])
    path, index, family, origin = fonts.find_cjk_font()
    if origin == "system" and family != "Source Han Sans SC":  # the machine has a more preferred one
        assert fonts.PREFERRED_FAMILIES.index(family) < fonts.PREFERRED_FAMILIES.index("Source Han Sans SC")
    else:
        assert (path, index, family, origin) == (bundled, 0, "Source Han Sans SC", "system")
    assert fonts.find_cjk_font(system=False)[3] == "bundled"


def test_a_system_font_without_chinese_glyphs_is_skipped(monkeypatch):
    dejavu = Path(matplotlib.get_data_path()) / "fonts" / "ttf" / "DejaVuSans.ttf"
    entry = font_manager.FontEntry(fname=str(dejavu), name="Noto Sans CJK SC", style="normal",
                                   variant="normal", weight=400, stretch="normal", size="scalable")
    others = [e for e in font_manager.fontManager.ttflist if e.name not in fonts.PREFERRED_FAMILIES]
    monkeypatch.setattr(font_manager.fontManager, "ttflist", [entry, *others])
    path, _, _, origin = fonts.find_cjk_font()
    assert path != dejavu
    assert origin == "bundled"


def test_the_default_font_cache_sorts_after_matplotlibs_own_fonts(monkeypatch):
    """A PDF holds its fonts in the order of their paths: the copy must sort after DejaVu Sans everywhere."""
    monkeypatch.delenv("CITYSCIENCE_FONT_CACHE", raising=False)
    dejavu = font_manager.findfont(font_manager.FontProperties(family="DejaVu Sans"), fallback_to_default=False)
    assert str(fonts.font_cache_dir() / "NotoSansCJKsc-Regular-0.ttf") > dejavu


def test_font_cache_dir_follows_the_environment(monkeypatch, tmp_path):
    monkeypatch.setenv("CITYSCIENCE_FONT_CACHE", str(tmp_path))
    assert fonts.font_cache_dir() == tmp_path.resolve()


def test_missing_mplfonts_file_is_reported(monkeypatch, tmp_path):
    import mplfonts

    monkeypatch.setattr(mplfonts, "__file__", str(tmp_path / "mplfonts" / "__init__.py"))
    with pytest.raises(FileNotFoundError, match="NotoSansCJKsc-Regular.otf"):
        fonts.bundled_font_path()


def test_the_bundled_font_is_registered_once_whichever_preference_asks_first():
    """use_cjk_font(system=False) then (system=True) on a machine without a CJK font of its own both
    find the bundled copy: matplotlib lists it once. (The machine's own CJK fonts are taken out of
    matplotlib's list first, so the test means the same on a machine that has some.)"""
    code = ("from matplotlib import font_manager\nfrom cityscience.charts import fonts\n"
            "fm = font_manager.fontManager\n"
            "fm.ttflist = [e for e in fm.ttflist if e.name not in fonts.PREFERRED_FAMILIES]\n"
            "a = fonts.use_cjk_font(system=False)\nb = fonts.use_cjk_font(system=True)\n"
            "print(b.origin, b.path == a.path, sum(e.fname == str(a.path) for e in fm.ttflist))\n")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.split() == ["bundled", "True", "1"]
