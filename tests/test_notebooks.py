"""The notebooks: committed without outputs, written to the conventions, and every one executes.

All notebook executions (the region profile for every region in both languages)
run once per test session through ``cityscience.build`` — in parallel, exactly
as ``cityscience build`` runs them — into a temporary folder; with pytest-xdist
the workers share that one build through a lock file.
"""

from __future__ import annotations

import csv
import json
import os
import re
import time
from contextlib import contextmanager
from pathlib import Path

import nbformat
import pytest

from cityscience import build as b
from cityscience.charts import read_figure_metadata
from cityscience.conventions import LANGUAGES

REPO = Path(__file__).resolve().parents[1]
NOTEBOOK_DIR = REPO / "notebooks"
NOTEBOOKS = sorted(p for p in NOTEBOOK_DIR.glob("*.ipynb") if re.match(r"^\d{2}-", p.name))
with open(REPO / "data" / "regions.csv", encoding="utf-8", newline="") as _fh:
    REGIONS = [row["region"] for row in csv.DictReader(_fh)]
JOBS = b.plan_jobs(NOTEBOOK_DIR, regions=REGIONS)


def _code_cells(path: Path):
    return [c for c in nbformat.read(str(path), as_version=4).cells if c.cell_type == "code"]


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_notebook_is_committed_without_outputs(path):
    nb = nbformat.read(str(path), as_version=4)
    dirty = [i for i, c in enumerate(nb.cells)
             if c.cell_type == "code" and (c.get("outputs") or c.get("execution_count") is not None)]
    assert not dirty, f"{path.name}: cells {dirty} have outputs; clear them (Kernel > Restart and clear outputs)"
    assert "widgets" not in nb.metadata


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_notebook_follows_the_conventions(path):
    assert re.match(r"^\d{2}-[a-z0-9-]+\.ipynb$", path.name)
    nb = nbformat.read(str(path), as_version=4)
    first = nb.cells[0]
    assert first.cell_type == "markdown"
    assert first.source.startswith(f"# {path.name[:2]} "), "the first cell is the title, starting with the number"
    assert "**Question" in first.source, "the first cell states the question the notebook answers"
    code = "\n".join(c.source for c in _code_cells(path))
    private = re.findall(r"\b(?:cs|charts|cityscience(?:\.\w+)*)\._\w+|from cityscience[\w.]* import _\w+", code)
    assert not private, f"{path.name} uses private names: {private}"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_prose_has_no_hand_typed_numbers(path):
    """Numbers in prose come from code.

    Markdown may name years (2014, 2024–25), the notebook's own number and a
    normalising unit ("per 10,000 characters"); any other digit is a typed claim.
    """
    for cell in nbformat.read(str(path), as_version=4).cells:
        if cell.cell_type != "markdown":
            continue
        text = re.sub(r"`[^`]*`", "", cell.source)  # code spans name files and codes
        text = re.sub(r"^# \d{2} ", "# ", text)
        text = re.sub(r"(?<!\d)(?:19|20)\d\d(?:[–-]\d\d)?(?!\d)", "", text)  # years and year ranges
        text = re.sub(r"\bper [\d,]+\b", "per", text)  # a normalising unit, not a claim
        assert not re.search(r"\d", text), f"{path.name}: a number typed into prose: {cell.source[:120]!r}"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_code_names_no_region_but_a_parameter_default(path):
    """Which regions a notebook shows comes from the data (regions.csv, the observations), so a report
    for a new region reaches every analysis; only a parameter cell may name one, as its default."""
    with open(REPO / "data" / "regions.csv", encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    names = sorted({r[k] for r in rows for k in ("region", "name_zh", "short_zh", "name_en", "short_en") if r[k]},
                   key=len, reverse=True)
    pattern = re.compile("|".join(rf"(?<![\w]){re.escape(n)}(?![\w])" if n.isascii() else re.escape(n) for n in names))
    for cell in _code_cells(path):
        if "parameters" in cell.metadata.get("tags", []):
            continue
        code = re.sub(r'"""(?:.|\n)*?"""', "", cell.source)  # docstrings may give an example
        found = sorted({m.group() for m in pattern.finditer(code)})
        assert not found, f"{path.name}: code names the regions {found}; select them from the data instead"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_every_notebook_takes_its_language_as_one_parameter(path):
    """One parameter name across notebooks, so the build runs each in every language."""
    params = b.notebook_parameters(path)
    assert params.get("language") in LANGUAGES and "lang" not in params
    assert {job.parameters["language"] for job in JOBS if job.notebook == path} == set(LANGUAGES)


def test_region_profile_is_parameterized():
    params = b.notebook_parameters(NOTEBOOK_DIR / "06-region-profile.ipynb")
    assert set(params) == {"region", "language"}
    assert params["region"] in REGIONS and params["language"] in ("zh", "en")


@contextmanager
def _exclusive(lock: Path, timeout: float = 1800):
    deadline = time.monotonic() + timeout
    while True:
        try:
            fd = os.open(lock, os.O_CREAT | os.O_EXCL | os.O_WRONLY)
            break
        except FileExistsError:
            if time.monotonic() > deadline:
                raise TimeoutError(f"waited {timeout:.0f} s for {lock}") from None
            time.sleep(1)
    try:
        yield
    finally:
        os.close(fd)
        lock.unlink(missing_ok=True)


@pytest.fixture(scope="session")
def executed(tmp_path_factory):
    """Run every notebook once for the whole session (shared by xdist workers) and report what happened."""
    base = tmp_path_factory.getbasetemp()
    root = base.parent if os.environ.get("PYTEST_XDIST_WORKER") else base
    out = root / "notebook-build"
    record = out / "result.json"
    with _exclusive(root / "notebook-build.lock"):
        if not record.exists():
            out.mkdir(parents=True, exist_ok=True)
            result = {"ok": True, "error": "", "failed": [], "seconds": 0.0}
            start = time.perf_counter()
            try:
                b.build(notebooks=NOTEBOOK_DIR, figures=out / "figures", output=out / "build", validate=False,
                        progress=False, log=lambda msg: None)
            except b.BuildError as err:
                result.update(ok=False, error=str(err), failed=[f.job.name for f in err.failures])
            result["seconds"] = time.perf_counter() - start
            record.write_text(json.dumps(result), encoding="utf-8")
    return out, json.loads(record.read_text(encoding="utf-8"))


@pytest.mark.parametrize("job", JOBS, ids=lambda j: j.name)
def test_notebook_executes(job, executed):
    out, result = executed
    assert result["ok"], f"the build stopped:\n{result['error']}"
    nb = nbformat.read(str(out / "build" / "notebooks" / f"{job.name}.ipynb"), as_version=4)
    errors = [o for c in nb.cells for o in c.get("outputs", []) if o.get("output_type") == "error"]
    assert not errors
    streams = "".join(o.get("text", "") for c in nb.cells for o in c.get("outputs", [])
                      if o.get("output_type") == "stream" and o.get("name") == "stderr")
    assert "missing from font" not in streams
    assert (out / "build" / "html" / f"{job.name}.html").is_file()
    if job.parameters:
        injected = [c for c in nb.cells if "injected-parameters" in c.metadata.get("tags", [])]
        assert injected and all(repr(v) in injected[0].source or f'"{v}"' in injected[0].source
                                for v in job.parameters.values())


def test_every_notebook_publishes_figures_with_an_index(executed):
    out, result = executed
    assert result["ok"], f"the build stopped:\n{result['error']}"
    figures = out / "figures"
    pngs = {p.stem for p in figures.glob("*.png")}
    for stem in pngs:
        assert (figures / f"{stem}.svg").is_file() and (figures / f"{stem}.pdf").is_file()
    for path in NOTEBOOKS:
        assert any(s.startswith(path.name[:3]) for s in pngs), f"{path.name} published no figure"
    with open(figures / "index.csv", encoding="utf-8", newline="") as fh:
        index = {row["name"]: row for row in csv.DictReader(fh)}
    assert set(index) == pngs
    assert all(row["sources"] for row in index.values())
    for region in REGIONS:
        for lang in LANGUAGES:
            profile = index[f"06-profile-{region}-{lang}"]
            assert (profile["lang"], profile["regions"]) == (lang, region)


def test_every_figure_comes_in_every_language_with_a_real_title(executed):
    out, result = executed
    assert result["ok"], f"the build stopped:\n{result['error']}"
    with open(out / "figures" / "index.csv", encoding="utf-8", newline="") as fh:
        index = list(csv.DictReader(fh))
    per_language = {lang: {row["name"][:-len(lang) - 1] for row in index if row["lang"] == lang}
                    for lang in LANGUAGES}
    assert all(row["name"].endswith(f"-{row['lang']}") for row in index)
    assert per_language["zh"] == per_language["en"] and per_language["zh"]
    for row in index:
        assert row["title"].strip() and row["title"] != row["name"], row["name"]
    zh = {row["name"][:-3]: row["title"] for row in index if row["lang"] == "zh"}
    en = {row["name"][:-3]: row["title"] for row in index if row["lang"] == "en"}
    assert all(zh[name] != en[name] for name in zh), "an English title is the Chinese one"
    assert not [name for name, title in en.items() if re.search(r"[\u4e00-\u9fff]", title)]


@pytest.mark.parametrize("lang", LANGUAGES)
def test_no_text_overlaps_another_or_leaves_the_figure(executed, lang):
    """Tick labels, legend entries, annotations, titles and footnotes of every published figure
    (checked by save_figure on the laid-out figure, recorded in the PNG's description)."""
    out, result = executed
    assert result["ok"], f"the build stopped:\n{result['error']}"
    pngs = sorted((out / "figures").glob(f"*-{lang}.png"))
    assert pngs
    problems = {p.stem: read_figure_metadata(p)["layout"] for p in pngs}
    assert {name: found for name, found in problems.items() if found} == {}


@pytest.mark.parametrize("lang", LANGUAGES)
def test_no_row_or_column_of_a_figure_repeats_its_name_in_brackets(executed, lang):
    """A heatmap row reads 'talent', not 'talent (talent)' / 人才（人才）, where a term is its own theme."""
    out, result = executed
    assert result["ok"], f"the build stopped:\n{result['error']}"
    repeated = re.compile(r"^(.+?)\s*[(（]\1[)）]$")
    found = {}
    for png in sorted((out / "figures").glob(f"*-{lang}.png")):
        cells = read_figure_metadata(png)["cells"]
        names = {str(c[key]) for c in cells for key in ("row", "column")}
        if bad := sorted(n for n in names if repeated.match(n)):
            found[png.stem] = bad
    assert found == {}


def test_committed_figures_are_those_the_notebooks_make(executed):
    """figures/ in the repository lists the same figures a fresh build makes (run `make build` if not)."""
    out, result = executed
    assert result["ok"], f"the build stopped:\n{result['error']}"
    with open(out / "figures" / "index.csv", encoding="utf-8", newline="") as fh:
        built = {row["name"] for row in csv.DictReader(fh)}
    committed_index = REPO / "figures" / "index.csv"
    assert committed_index.is_file(), "figures/index.csv is missing: run `make build`"
    with open(committed_index, encoding="utf-8", newline="") as fh:
        committed = {row["name"] for row in csv.DictReader(fh)}
    assert committed == built, (f"figures/ is out of date (run `make build`): missing {sorted(built - committed)}, "
                                f"stale {sorted(committed - built)}")


@pytest.mark.parametrize("lang", LANGUAGES)
def test_policy_notebook_writes_its_figures_and_counts_each_document(executed, lang):
    """Notebook 08 saves every figure it names and closes with item counts computed from the measures."""
    import cityscience as cs

    out, result = executed
    assert result["ok"], f"the build stopped:\n{result['error']}"
    nb = nbformat.read(str(out / "build" / "notebooks" / f"08-policy-priorities-{lang}.ipynb"), as_version=4)
    code = "\n".join(c.source for c in nb.cells if c.cell_type == "code")
    names = [f"{name}-{lang}" for name in re.findall(r'save_figure\(fig, "(08-[a-z-]+)"', code)]
    assert names
    for name in names:
        for ext in ("png", "svg", "pdf"):
            assert (out / "figures" / f"{name}.{ext}").stat().st_size > 0, f"{name}.{ext}"
    shown = "".join(o.get("data", {}).get("text/markdown", "") for c in nb.cells if c.cell_type == "code"
                    for o in c.get("outputs", []))
    assert f"Figures: {', '.join(sorted(names))}." in shown
    for source_id, n in cs.load_policy_items()["source_id"].value_counts().items():
        assert f"({source_id}): {n} items" in shown


def _markdown_shown(out: Path, name: str) -> str:
    """The Markdown a built notebook displayed, in cell order."""
    nb = nbformat.read(str(out / "build" / "notebooks" / f"{name}.ipynb"), as_version=4)
    return "\n".join("".join(o.get("data", {}).get("text/markdown", "")) for c in nb.cells if c.cell_type == "code"
                     for o in c.get("outputs", []))


@pytest.mark.parametrize("lang", LANGUAGES)
def test_finance_prose_lists_the_values_in_yuan_by_the_codebook_groups(executed, lang):
    """Notebook 05 lists every finance value in yuan once, under its indicator's group (the codebook's `group`
    column), titled with the group's English label (the prose is in English), in the vocabulary's order."""
    import cityscience as cs
    from cityscience import charts

    out, result = executed
    assert result["ok"], f"the build stopped:\n{result['error']}"
    shown = _markdown_shown(out, f"05-finance-techmarket-{lang}")
    indicators = cs.load_indicators()
    levels = cs.select(cs.load_observations(), measure="level").merge(indicators, on=["indicator", "unit_std"])
    finance = levels[(levels["category"] == "finance") & (levels["unit_std"] == "CNY")]
    words = charts.Labels.load("en")
    titles = []
    for group, rows in finance.groupby("group", observed=True):
        title = words.term("group", group)
        assert title != group, f"the group {group} has no English label"
        head = f"- **{title[:1].upper() + title[1:]}** ({len(rows)}): "
        (line,) = [ln for ln in shown.splitlines() if ln.startswith(head)]
        for name in indicators.set_index("indicator").loc[sorted(set(rows["indicator"].astype(str))), "name_en"]:
            assert f"{name} — " in line, f"{name} missing from the {group} line"
        titles.append(shown.index(head))
    assert len(titles) > 1 and titles == sorted(titles)
    listed = [ln for ln in shown.splitlines() if re.match(r"- \*\*[^*]+\*\* \(\d+\): ", ln)]
    assert sum(int(re.search(r"\((\d+)\)", ln).group(1)) for ln in listed) == len(finance)
    assert "**Other**" not in shown


@pytest.mark.parametrize("lang", LANGUAGES)
def test_money_in_the_english_prose_reads_as_an_english_analyst_writes_it(executed, lang):
    """Amounts of notebooks 04 and 05 computed in code come from the one number formatter in English (CNY 28.51 m,
    CNY 1.893 bn), never scaled by hand into 万元 or 亿元."""
    out, result = executed
    assert result["ok"], f"the build stopped:\n{result['error']}"
    amount = r"CNY [\d,]+(?:\.\d+)? (?:m|bn)"
    prose = {"04-rd-industry": [rf"values in yuan from \d+ regions, spanning {amount} to {amount} \("],
             "05-finance-techmarket": [rf"vouchers worth {amount} were issued and {amount} redeemed",
                                       rf"contract value {amount} against technology exported: contract value "
                                       rf"{amount} — it bought in"]}
    for notebook, patterns in prose.items():
        shown = _markdown_shown(out, f"{notebook}-{lang}")
        for pattern in patterns:
            assert re.search(pattern, shown), f"{notebook}-{lang}: no {pattern!r} in the prose"
        for line in shown.splitlines():
            if re.search(r"spanning|vouchers worth| — it bought in", line):
                assert not re.search(r"[万亿]元", line), f"{notebook}-{lang}: {line}"


@pytest.mark.parametrize("lang", LANGUAGES)
def test_the_profile_marks_each_value_not_alike_in_its_comparison_table(executed, lang):
    """Notebook 06 lists the years of a region's indicators that other regions state too; a year whose value is
    of another basis, scope or period (a part of the year, a narrower scope) carries a mark, and a note names
    its obs_id and why: the table does not set it beside full-year values as if alike."""
    import cityscience as cs

    out, result = executed
    assert result["ok"], f"the build stopped:\n{result['error']}"
    levels = cs.select(cs.load_observations(), measure="level")
    marked = 0
    for region in REGIONS:
        mine = set(levels.loc[levels["region"] == region, "indicator"].astype(str))
        theirs = set(levels.loc[levels["region"] != region, "indicator"].astype(str))
        table = cs.comparability_table(levels[levels["indicator"].isin(mine & theirs)])
        odd = table.loc[table["differs"] != "", "obs_id"]
        shown = _markdown_shown(out, f"06-region-profile-{region}-{lang}")
        noted = [o for o in odd if re.search(rf"[(（]{re.escape(o)}[)）]", shown)]
        assert noted == list(odd), f"06-{region}-{lang}: values not alike without a note"
        nb = nbformat.read(str(out / "build" / "notebooks" / f"06-region-profile-{region}-{lang}.ipynb"), as_version=4)
        html = [o["data"]["text/html"] for c in nb.cells for o in c.get("outputs", []) if "text/html" in o.get("data", {})]
        years = re.findall(r"\b\d{4}[†‡§¶]", html[-1]) if html else []
        assert len(years) == len(odd), (region, lang, years, list(odd))
        marked += len(odd)
    assert marked, "no value of the data is marked: the check would pass on any notebook"


@pytest.mark.parametrize("lang", LANGUAGES)
def test_a_derived_level_reads_in_the_prose_as_on_the_chart(executed, lang):
    """Notebook 02 writes each previous level derived from a growth rate to three significant digits with ≈, as its
    chart labels it (≈9,810 (derived)), not to the unit (about 9,808)."""
    import cityscience as cs
    from cityscience.charts import format_value
    from cityscience.units import significant

    out, result = executed
    assert result["ok"], f"the build stopped:\n{result['error']}"
    shown = _markdown_shown(out, f"02-enterprises-patents-{lang}")
    about = set(cs.load_indicators().query("category in ['enterprises', 'patents']")["indicator"])
    derived = cs.derive_previous_levels(cs.load_observations())
    derived = derived[derived["indicator"].isin(about)]
    assert len(derived), "no derived level to check"
    for _, d in derived.iterrows():
        written = format_value(significant(d["value"]), d["unit"], "en", qualifier="approx")
        assert f"imply {written} in {d['year']}" in shown, (written, d["obs_id"])
