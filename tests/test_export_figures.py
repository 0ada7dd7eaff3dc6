"""Chart packs: the figures in one language and format, zipped with an index that cites their sources."""

from __future__ import annotations

import csv
import io
import zipfile

import matplotlib.pyplot as plt
import openpyxl
import pandas as pd
import pytest

import cityscience as cs
from cityscience.charts.figures import save_figure
from cityscience.charts.labels import Labels
from cityscience.charts.style import set_theme
from cityscience.cli import main
from cityscience.export.figures import ChartPackError, figure_data, write_chart_pack
from cityscience.export.readers import reader_pages
from exportdata import make_export_data


@pytest.fixture
def data(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    return make_export_data(tmp_path)


def _draw(data, folder, name, lang, regions, indicators, title):
    labels = Labels.from_frames(lang, sources=cs.load_sources(data), regions=cs.load_regions(data))
    with plt.rc_context():  # the theme (CJK font) for this figure only
        set_theme(lang)
        fig, ax = plt.subplots(figsize=(4, 3))
        ax.bar(["2014", "2020"], [12957, 10000])
        ax.set_title(title)
        save_figure(fig, name, sources=["demo"], lang=lang, folder=folder, labels=labels, regions=regions,
                    indicators=indicators, title=title)


@pytest.fixture
def figures(data, tmp_path, monkeypatch):
    """Two English figures; notebook 02 exists in the (temporary) project, notebook 03 does not."""
    monkeypatch.setenv("CITYSCIENCE_ROOT", str(tmp_path))
    (tmp_path / "notebooks").mkdir()
    (tmp_path / "notebooks" / "02-patents-demo.ipynb").write_text("{}", encoding="utf-8")
    folder = tmp_path / "figures"
    _draw(data, folder, "02-patents", "en", ["ningbo"], ["invention_patent_applications"], "Invention patents")
    _draw(data, folder, "03-compare", "en", ["ningbo", "cixi"], ["rd_expenditure"], "R&D compared")
    return folder


def _row_of(ws, value: str) -> int:
    """The row whose first cell is ``value`` (a block's heading on a figure sheet)."""
    (row,) = [r for r in range(1, ws.max_row + 1) if ws.cell(r, 1).value == value]
    return row


def _index(z: zipfile.ZipFile) -> list[dict[str, str]]:
    data = z.read("index.csv")
    assert data.startswith(b"\xef\xbb\xbf")  # a BOM, so that Excel reads the Chinese titles as UTF-8
    return list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"))))


@pytest.mark.parametrize("fmt", ["png", "svg", "pdf"])
def test_pack_holds_every_figure_in_the_format_with_an_index(data, figures, tmp_path, fmt):
    pack = write_chart_pack(tmp_path / "pack.zip", root=data, lang="en", fmt=fmt, folder=figures)
    assert pack.count == 2
    with zipfile.ZipFile(pack.path) as z:
        assert z.namelist() == ["README.txt", "index.csv", f"figures/02-patents-en.{fmt}",
                                f"figures/03-compare-en.{fmt}", "build/readers/demo.html"]
        assert z.read(f"figures/02-patents-en.{fmt}") == (figures / f"02-patents-en.{fmt}").read_bytes()
        index = _index(z)
        readme = z.read("README.txt").decode("utf-8")
        page = z.read("build/readers/demo.html").decode("utf-8")
    assert [r["file"] for r in index] == [f"figures/02-patents-en.{fmt}", f"figures/03-compare-en.{fmt}"]
    assert page == reader_pages(data)["demo"]  # where the figures' links (../build/readers/…) expect it
    first = index[0]
    assert first["title"] == "Invention patents" and first["sources"] == "demo"
    assert first["notebook"] == "notebooks/02-patents-demo.ipynb" and index[1]["notebook"] == "03"
    assert first["source_citations"] == "Demo bureau, “Demo” (posted 2015-04-14)"
    assert first["data_version"].startswith("2015-04-14+")
    assert "2 figures" in readme and fmt.upper() in readme and first["data_version"] in readme


@pytest.mark.parametrize("where", ["published", "by hand"])
def test_every_value_link_of_a_packed_svg_finds_its_reader_page_inside_the_zip(data, tmp_path, monkeypatch, where):
    import posixpath
    import re

    from cityscience.paths import figures_dir, interactive_dir

    monkeypatch.setenv("CITYSCIENCE_ROOT", str(tmp_path))
    monkeypatch.delenv("CITYSCIENCE_FIGURES", raising=False)
    monkeypatch.delenv("CITYSCIENCE_BUILD", raising=False)
    folder = figures_dir() if where == "published" else interactive_dir() / "figures"
    obs = cs.load_observations(data)
    labels = Labels.from_frames("en", sources=cs.load_sources(data), regions=cs.load_regions(data))
    with plt.rc_context():
        set_theme("en")
        fig, _ = cs.charts.bar_by_region(obs, "invention_patent_applications", measure="level", lang="en",
                                         labels=labels)
        save_figure(fig, "02-patents", folder=folder, labels=labels, lang="en", show=False)
    pack = write_chart_pack(tmp_path / "pack.zip", root=data, lang="en", fmt="svg", folder=folder)
    with zipfile.ZipFile(pack.path) as z:
        names = set(z.namelist())
        (svg,) = [n for n in names if n.endswith(".svg")]
        links = re.findall(r'<a xlink:href="([^"#]*\.html)#', z.read(svg).decode("utf-8"))
        readme = z.read("README.txt").decode("utf-8")
    assert links, "the chart links its values"
    for link in links:
        assert posixpath.normpath(posixpath.join(posixpath.dirname(svg), link)) in names, (svg, link, names)
    assert f"in {posixpath.dirname(svg)}/" in readme  # the README names the folders as the zip has them


def test_pack_for_one_region(data, figures, tmp_path):
    pack = write_chart_pack(tmp_path / "cixi.zip", root=data, region="cixi", lang="en", fmt="pdf", folder=figures)
    assert pack.count == 1
    with zipfile.ZipFile(pack.path) as z:
        assert [r["name"] for r in _index(z)] == ["03-compare-en"]
        assert "Cixi" in z.read("README.txt").decode("utf-8")


def test_same_figures_same_zip(data, figures, tmp_path):
    a = write_chart_pack(tmp_path / "a.zip", root=data, lang="en", fmt="svg", folder=figures).path.read_bytes()
    b = write_chart_pack(tmp_path / "b.zip", root=data, lang="en", fmt="svg", folder=figures).path.read_bytes()
    assert a == b


def test_clear_errors(data, figures, tmp_path):
    with pytest.raises(ChartPackError, match=r"region 'shanghai': expected one of ningbo, hangzhou, cixi, haishu"):
        write_chart_pack(tmp_path / "x.zip", root=data, region="shanghai", lang="en", folder=figures)
    with pytest.raises(ChartPackError, match=r"no figure in language 'en' about region 'haishu'"):
        write_chart_pack(tmp_path / "x.zip", root=data, region="haishu", lang="en", folder=figures)
    (figures / "03-compare-en.svg").unlink()
    with pytest.raises(ChartPackError, match=r"03-compare-en.svg"):
        write_chart_pack(tmp_path / "x.zip", root=data, lang="en", fmt="svg", folder=figures)
    assert not (tmp_path / "x.zip").exists()


def test_cli_writes_the_pack_and_keeps_an_earlier_one_on_failure(data, figures, tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("CITYSCIENCE_FIGURES", str(figures))
    monkeypatch.setenv("CITYSCIENCE_BUILD", str(tmp_path / "build"))
    assert main(["export", "figures", "--data", str(data), "--lang", "en", "--format", "pdf"]) == 0
    out = tmp_path / "build" / "cityscience-figures-all-en-pdf.zip"
    assert f"wrote {out}: 2 figures (pdf, en)" in capsys.readouterr().out
    before = out.read_bytes()
    assert main(["export", "figures", "--data", str(data), "--lang", "en", "--format", "pdf", "-o", str(out),
                 "--region", "nowhere"]) == 1
    err = capsys.readouterr().err
    assert "region 'nowhere': expected one of" in err and "any earlier output is unchanged" in err
    assert out.read_bytes() == before


def test_workbook_carries_the_data_behind_each_figure(data, figures, tmp_path, monkeypatch):
    from cityscience.export.labels import column_label, text

    monkeypatch.setenv("CITYSCIENCE_FIGURES", str(figures))
    found = figure_data(data, "en")
    assert [f.figure for f in found] == ["02-patents-en", "03-compare-en"]
    patents = found[0].data
    # every observation of the figure's regions × indicators × sources (all measures)
    assert list(patents["obs_id"]) == ["t-003", "t-004", "t-009"]
    assert list(patents["evidence"]) == ["发明专利申请量达12957件", "发明专利申请量达12957件,同比增长32.1%",
                                         "到2020年,发明专利申请量达到10000件"]
    out = tmp_path / "book.xlsx"
    assert main(["export", "xlsx", "--data", str(data), "--lang", "en", "-o", str(out)]) == 0
    wb = openpyxl.load_workbook(out)
    ws = wb["Fig 02-patents"]  # the workbook's own language is not repeated in its sheet names
    assert ws["B1"].value == "Invention patents" and ws["B3"].value == "demo"
    # the footnote printed under the figure, with its sources cited in full (not only their ids)
    demo = cs.load_sources(data).set_index("source_id").loc["demo", "title_en"]
    assert found[0].footnote.startswith("Source: ") and demo in found[0].footnote
    assert (ws["A4"].value, ws["B4"].value) == (text("figure_footnote", "en"), found[0].footnote)
    # a figure drawn by hand records no plotted values: the sheet says so and gives the observations it names
    assert ws["A6"].value == text("figure_observations", "en")
    header = [c.value for c in ws[7]]
    rows = [dict(zip(header, r, strict=True)) for r in ws.iter_rows(min_row=8, values_only=True)]
    obs_id, year, value = (column_label(c, "en") for c in ("obs_id", "year", "value"))
    assert obs_id != "obs_id"  # headers as on the table sheets
    assert [(r[obs_id], r[year], r[value]) for r in rows] == [
        ("t-003", 2014, 12957), ("t-004", 2014, 32.1), ("t-009", 2020, 10000)]
    assert "Fig 03-compare" in wb.sheetnames


def test_missing_figures_are_not_drawn_by_an_export_but_refused(data, figures, tmp_path, monkeypatch, capsys):
    """No Chinese figures published: the pack says to run the build instead of building."""
    import cityscience.build

    def no_build(**_):
        raise AssertionError("an export must not run the build")

    monkeypatch.setattr(cityscience.build, "build", no_build)
    before = {p.name: p.stat().st_mtime_ns for p in figures.iterdir()}
    with pytest.raises(ChartPackError, match=r"no figure in language 'zh'.*run `cityscience build`"):
        write_chart_pack(tmp_path / "zh.zip", root=data, lang="zh", fmt="png", folder=figures)
    assert {p.name: p.stat().st_mtime_ns for p in figures.iterdir()} == before
    monkeypatch.setenv("CITYSCIENCE_FIGURES", str(tmp_path / "no-figures-yet"))
    out = tmp_path / "pack.zip"
    out.write_bytes(b"earlier pack")
    assert main(["export", "figures", "--data", str(data), "--lang", "en", "-o", str(out)]) == 1
    err = capsys.readouterr().err
    assert "no figure in language 'en'" in err and "run `cityscience build`" in err
    assert out.read_bytes() == b"earlier pack"


def test_figures_the_index_does_not_list_are_stale_and_refused(data, figures, tmp_path):
    for ext in ("png", "svg", "pdf"):  # a figure left by hand, or by a build that did not finish
        (figures / f"02-patents-en-old.{ext}").write_bytes((figures / f"02-patents-en.{ext}").read_bytes())
    with pytest.raises(ChartPackError, match=r"not in its index.csv: 02-patents-en-old; .*run `cityscience build`"):
        write_chart_pack(tmp_path / "x.zip", root=data, lang="en", fmt="png", folder=figures)
    (figures / "03-compare-en.pdf").unlink()
    with pytest.raises(ChartPackError, match=r"files are missing: 03-compare-en.pdf.*run `cityscience build`"):
        write_chart_pack(tmp_path / "x.zip", root=data, lang="en", fmt="png", folder=figures)
    assert not (tmp_path / "x.zip").exists()


def test_the_english_pack_holds_the_same_figures_as_the_chinese_one(tmp_path):
    """The committed figures (as `make build` publishes them): every figure is packed in both languages."""
    from cityscience.paths import project_root

    packed = {}
    for lang in ("zh", "en"):
        pack = write_chart_pack(tmp_path / f"{lang}.zip", lang=lang, fmt="png",
                                folder=project_root() / "figures")
        packed[lang] = {name.removesuffix(f"-{lang}") for name in pack.index["name"]}
        with zipfile.ZipFile(pack.path) as z:
            assert sorted(n for n in z.namelist() if n.endswith(".png")) == sorted(
                f"figures/{name}-{lang}.png" for name in packed[lang])
    assert packed["zh"] == packed["en"] and packed["zh"]


def test_figure_sheets_hold_what_the_chart_functions_drew(data, tmp_path, monkeypatch):
    """A chart drawn by the chart functions: its sheet holds each plotted value (with the text shown,
    its observation's document and evidence) and the cells of each table drawn, not every observation
    the figure's index row names."""
    from cityscience import charts
    from cityscience.charts.figures import figure_info, read_figure_metadata
    from cityscience.export.labels import column_label, text

    monkeypatch.setenv("CITYSCIENCE_ROOT", str(tmp_path))
    folder = tmp_path / "figures"
    obs = cs.load_observations(data)
    labels = Labels.from_frames("en", sources=cs.load_sources(data), regions=cs.load_regions(data))
    with plt.rc_context():
        set_theme("en")
        patents = cs.select(obs, indicator="invention_patent_applications", measure="level")
        fig, _ = charts.bar_by_region(patents, labels=labels)
        drawn = [(v.obs_id, v.value) for v in figure_info(fig).values]
        save_figure(fig, "02-patents", folder=folder, labels=labels)
        table = pd.DataFrame({"2014": [3, 1], "2020": [0, 2]}, index=["Ningbo", "Cixi"])
        fig, _ = charts.heatmap(table, sources=["demo"], title="Counts", labels=labels)
        save_figure(fig, "03-counts", folder=folder, labels=labels)
    assert sorted(drawn) == [("t-003", "12,957"), ("t-009", "10,000")]  # what the bars show, one mark each
    assert read_figure_metadata(folder / "02-patents-en.png")["cells"] == []

    found = {f.figure: f for f in figure_data(data, "en", folder=folder)}
    bars, counts = found["02-patents-en"], found["03-counts-en"]
    assert bars.data is None and bars.cells is None and counts.values is None
    evidence = dict(zip(obs["obs_id"].astype(str), obs["evidence"].astype(str), strict=True))
    assert sorted(zip(bars.values["obs_id"], bars.values["shown"], bars.values["evidence"], strict=True)) == [
        (o, shown, evidence[o]) for o, shown in sorted(drawn)]
    assert list(counts.cells.itertuples(index=False, name=None)) == [
        ("Counts", "Ningbo", "2014", 3), ("Counts", "Ningbo", "2020", 0),
        ("Counts", "Cixi", "2014", 1), ("Counts", "Cixi", "2020", 2)]

    out = tmp_path / "book.xlsx"
    monkeypatch.setenv("CITYSCIENCE_FIGURES", str(folder))
    assert main(["export", "xlsx", "--data", str(data), "--lang", "en", "-o", str(out)]) == 0
    wb = openpyxl.load_workbook(out)
    ws = wb["Fig 02-patents"]
    head = _row_of(ws, text("figure_values", "en"))  # below the title, notebook, sources and footnote lines
    assert ws.cell(head - 2, 2).value.startswith("Source: ")  # the footnote's last line
    header = [c.value for c in ws[head + 1]]
    rows = [dict(zip(header, r, strict=True)) for r in ws.iter_rows(min_row=head + 2, values_only=True)]
    obs_id, shown, region, status = (column_label(c, "en") for c in ("obs_id", "shown", "region_name", "status"))
    assert sorted((r[obs_id], r[shown], r[region], r[status]) for r in rows) == [
        ("t-003", "12,957", "Ningbo", "actual"), ("t-009", "10,000", "Ningbo", "target")]
    ws = wb["Fig 03-counts"]
    head = _row_of(ws, text("figure_cells", "en"))
    assert [c.value for c in ws[head + 1]] == [column_label(c, "en") for c in ("panel", "row", "column", "value")]
    assert [r for r in ws.iter_rows(min_row=head + 2, values_only=True)][0] == ("Counts", "Ningbo", "2014", 3)


def test_an_unreadable_figure_index_leaves_the_figure_sheets_unread_not_blamed(data, figures, tmp_path,
                                                                               monkeypatch, capsys):
    """Importing a workbook whose figures' index broke since the export: the table sheets import, and the
    README and figure sheets are listed as not read (with why), not reported as the user's edits."""
    out = tmp_path / "book.xlsx"
    monkeypatch.setenv("CITYSCIENCE_FIGURES", str(figures))
    assert main(["export", "xlsx", "--data", str(data), "--lang", "en", "-o", str(out)]) == 0
    (figures / "index.csv").write_text("name;title\n", encoding="utf-8")
    capsys.readouterr()
    assert main(["import-xlsx", str(out), "--data", str(data), "--dry-run"]) == 0
    printed = capsys.readouterr()
    assert "computed_sheet_edited" not in printed.err and "unknown_sheet" not in printed.err
    assert "not read: README, Fig 02-patents, Fig 03-compare (the figures' index cannot be read" in printed.out
