"""A fifth region, added as data only, flows through validation, loading, charts and the workbook export."""

from __future__ import annotations

import io
import re

import openpyxl
import pytest

import cityscience as cs
from cityscience import charts
from cityscience.conventions import LANGUAGES
from cityscience.export.workbook import workbook_bytes
from cityscience.validate import check
from fifth_region import OBSERVATIONS, REGION, SOURCE, add_fifth_region


@pytest.fixture(scope="module")
def data(tmp_path_factory):
    return add_fifth_region(tmp_path_factory.mktemp("fifth"))


def test_the_copy_validates_with_every_number_accounted_for(data):
    assert [str(p) for p in check(data).problems] == []


def test_the_new_region_loads_in_file_order_with_a_palette_colour(data):
    regions = cs.load_regions(data)
    assert list(regions["region"].astype(str))[-1] == REGION
    colours = charts.region_colors(regions)
    assert colours[REGION] in charts.PALETTE
    assert len(set(colours.values())) == len(colours)  # not one already taken by the other regions
    obs = cs.load_observations(data)
    assert set(obs.loc[obs["source_id"] == SOURCE, "obs_id"]) == {r["obs_id"] for r in OBSERVATIONS}


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_the_workbook_has_a_sheet_for_the_new_region_with_its_values(data, lang):
    wb = openpyxl.load_workbook(io.BytesIO(workbook_bytes(data, lang, [])))
    name = cs.load_regions(data).set_index("region").loc[REGION, f"name_{lang}"]
    assert name in wb.sheetnames
    ids = {c.value for row in wb[name].iter_rows(min_row=2) for c in row if c.value}
    assert any(r["obs_id"] in str(v) for r in OBSERVATIONS for v in ids)
    readme = " ".join(str(c.value) for row in wb.worksheets[0].iter_rows() for c in row if c.value)
    assert cs.load_regions(data).set_index("region").loc[REGION, f"short_{lang}"] in readme


def test_the_region_profile_notebook_runs_for_the_new_region_in_every_language(data, tmp_path):
    """The profile notebook, executed as the build runs it, on the copy: it charts the new region."""
    from cityscience import build

    jobs = [j for j in build.plan_jobs(regions=[REGION]) if j.notebook.name.startswith("06-")]
    assert sorted(j.parameters["language"] for j in jobs) == sorted(LANGUAGES)
    results = build.run_jobs(jobs, output=tmp_path / "build", staging=tmp_path / "staging", html=False,
                             workers=2, progress=False,
                             env={"CITYSCIENCE_DATA": str(data), "CITYSCIENCE_BUILD": str(tmp_path / "build")})
    assert len(results) == len(jobs)
    for result in results:
        figures = sorted((tmp_path / "staging" / result.job.name).glob("*.png"))
        assert figures, f"{result.job.name} drew no figure for {REGION}"
        assert any(REGION in f.name for f in figures)


def test_the_targets_notebook_describes_the_new_regions_one_target(data, tmp_path):
    """Notebook 03 on the copy: the new region's single target above its base gets its own sentence (one growth
    rate, not a range from a value to itself), and its chart is drawn."""
    import nbformat

    from cityscience import build

    jobs = [j for j in build.plan_jobs(only=["03"]) if j.parameters["language"] == "en"]
    results = build.run_jobs(jobs, output=tmp_path / "build", staging=tmp_path / "staging", html=False,
                             workers=1, progress=False,
                             env={"CITYSCIENCE_DATA": str(data), "CITYSCIENCE_BUILD": str(tmp_path / "build")})
    assert any(REGION in f.name for f in (tmp_path / "staging" / results[0].job.name).glob("*.png"))
    texts = [out["data"]["text/markdown"] for cell in nbformat.read(results[0].executed, as_version=4).cells
             if cell.cell_type == "code" for out in cell.get("outputs", []) if "text/markdown" in out.get("data", {})]
    name = cs.load_regions(data).set_index("region").loc[REGION, "name_en"]
    about = texts[texts.index(f"### {name}") + 1]
    levels = {r["status"]: (int(r["year"]), float(r["value"])) for r in OBSERVATIONS
              if r["indicator"] == "rd_expenditure" and r["measure"] == "level"}
    (base_year, base), (target_year, target) = levels["actual"], levels["target"]
    years = target_year - base_year
    growth = ((target / base) ** (1 / years) - 1) * 100
    assert f"needs a constant growth of {growth:.1f}% a year over {years} years" in about, about
    assert "growth between" not in about and not re.search(r"\b1\W* targets", about), about
