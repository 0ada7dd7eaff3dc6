"""The curated data themselves: valid, fully accounted for, and typed as the API promises."""

from __future__ import annotations

import re

import pandas as pd
import pytest

import cityscience as cs
from cityscience.dictionary import DICTIONARY_PATH, render_data_dictionary
from cityscience.paths import project_root
from cityscience.validate import check
from cityscience.validate.accounting import unaccounted


@pytest.fixture(scope="module")
def checked():
    return check()


@pytest.fixture(scope="module")
def obs():
    return cs.load_observations()


def test_curated_data_have_no_problems(checked):
    assert [str(p) for p in checked.problems] == []


def test_every_number_in_the_raw_text_is_accounted_for(checked):
    """100% accounted: each number is an observation value or covered by an exclusion."""
    missing = [str(u) for u in unaccounted(checked)]
    assert missing == [], "numbers neither curated nor excluded:\n" + "\n".join(missing)


def test_every_source_has_observations(obs):
    assert set(obs["source_id"].astype(str)) == set(cs.load_sources()["source_id"].astype(str))


def test_observation_columns_and_dtypes(obs):
    assert list(obs.columns) == [
        "obs_id", "source_id", "region", "year", "indicator", "label_zh", "measure", "status", "qualifier",
        "value", "value_high", "unit", "value_std", "value_high_std", "unit_std", "evidence", "note",
        "variant"]
    for col in ("source_id", "region", "indicator", "measure", "status", "qualifier", "unit", "unit_std"):
        assert isinstance(obs[col].dtype, pd.CategoricalDtype), col
    assert obs["year"].dtype == "Int64"
    for col in ("value", "value_high", "value_std", "value_high_std"):
        assert obs[col].dtype == "Float64", col
    assert obs["obs_id"].is_unique
    assert obs[["value", "evidence", "label_zh"]].notna().all().all()


def test_coded_columns_use_the_vocabularies(obs):
    assert set(obs["status"].cat.categories) == {"actual", "estimate", "target"}
    assert set(obs["qualifier"].cat.categories) == {"exact", "approx", "at_least", "at_most", "range"}
    assert {"level", "yoy_pct", "pp_change", "rank"} <= set(obs["measure"].cat.categories)
    assert list(obs["region"].cat.categories) == list(cs.load_regions()["region"].astype(str))


def test_a_known_fact_is_normalized_to_cny(obs):
    row = obs[(obs["source_id"] == "ningbo-2014-summary") & (obs["indicator"] == "rd_expenditure")].iloc[0]
    assert (row["value"], row["unit"], row["status"]) == (185, "亿元", "estimate")
    assert row["value_std"] == pytest.approx(1.85e10) and row["unit_std"] == "CNY"


def test_targets_refer_to_their_target_year(obs):
    plan = obs[obs["source_id"] == "ningbo-2017-plan"]
    assert (plan["status"] == "target").all()
    assert (plan["year"] >= 2017).all()


def test_hangzhou_patent_target_below_actual_is_flagged():
    flags = cs.consistency_flags()
    hit = flags[(flags["check"] == "target_below_actual") & (flags["region"] == "hangzhou")
                & (flags["indicator"] == "invention_patents_in_force")]
    assert len(hit) == 1


def test_docs_writes_the_dictionary_of_another_data_folder_beside_it(tmp_path):
    """`cityscience docs --data FOLDER`, as every command that reads the data takes it: the dictionary of
    that folder, written to docs/ beside it (as accept writes it), the repository's left as it is."""
    import shutil

    from cityscience.cli import main
    from cityscience.paths import data_dir

    data = tmp_path / "data"
    shutil.copytree(data_dir(), data)
    ours = (project_root() / DICTIONARY_PATH).read_bytes()
    indicators = (data / "indicators.csv").read_text(encoding="utf-8")
    (data / "indicators.csv").write_text(indicators.replace("High-tech enterprises with a valid certificate",
                                                            "Valid high-tech enterprises (edited)", 1), encoding="utf-8")
    assert main(["docs", "--data", str(data)]) == 0
    written = (tmp_path / DICTIONARY_PATH).read_text(encoding="utf-8")
    assert written == render_data_dictionary(data) and "Valid high-tech enterprises (edited)" in written
    assert (project_root() / DICTIONARY_PATH).read_bytes() == ours


def test_data_dictionary_is_up_to_date():
    path = project_root() / DICTIONARY_PATH
    assert path.exists(), "run `cityscience docs` to generate the data dictionary"
    assert path.read_text(encoding="utf-8") == render_data_dictionary(), (
        "docs/data-dictionary.md is stale: run `cityscience docs`")


def test_cite_is_the_source_citation_and_the_quoted_evidence(obs):
    from cityscience.provenance import cite_source

    for _, row in obs.groupby("source_id", observed=True).head(1).iterrows():
        zh, en = cs.cite(row["obs_id"]), cs.cite(row["obs_id"], lang="en")
        assert zh == f"{cite_source(row['source_id'], 'zh')}：“{row['evidence']}”"
        assert en == f"{cite_source(row['source_id'], 'en')}: “{row['evidence']}”"
    with pytest.raises(KeyError):
        cs.cite("no-such-id")
    row = obs.iloc[0]
    assert cs.cite(row) == cs.cite(row["obs_id"])  # a row cites its obs_id
    prefix, number = re.fullmatch(r"(.*?)(\d+)", str(row["obs_id"])).groups()
    typed = prefix.upper() + str(int(number))  # case and zero padding aside
    if typed != row["obs_id"]:
        with pytest.raises(KeyError, match=f"did you mean '{row['obs_id']}'"):
            cs.cite(typed)
    with pytest.raises(ValueError, match="language"):
        cs.cite(obs.iloc[0]["obs_id"], lang="fr")


def test_cite_source_names_issuer_title_number_and_date():
    from cityscience.provenance import cite_source

    sources = cs.load_sources()
    inner = str.maketrans("《》“”", "〈〉‘’")  # title marks inside a title nest as the inner ones
    for _, src in sources.iterrows():
        zh, en = cite_source(src, "zh"), cite_source(src["source_id"], "en")
        zh_title, en_title = src["title_zh"].translate(inner), src["title_en"].translate(inner)
        assert f"《{zh_title}》" in zh and f"“{en_title}”" in en
        assert zh.count("《") == zh.count("》") == 1 and en.count("“") == en.count("”") == 1
        for text, issuer, title, opening in ((zh, src["issuer_zh"], zh_title, "《"),
                                             (en, src["issuer_en"], en_title, "“")):
            # the issuer leads, unless the title already names it
            assert text.startswith(opening + title if title.startswith(issuer) else issuer)
        date = src["published"].strftime("%Y-%m-%d")  # said to be the web page's date, not the report's
        assert f"{date}网上发布）" in zh and f"posted {date})" in en
        if not pd.isna(src["doc_number"]):
            assert f"（{src['doc_number']}，{date}网上发布）" in zh and f"({src['doc_number']}, posted {date})" in en
    with pytest.raises(KeyError, match="no-such-source"):
        cite_source("no-such-source")
