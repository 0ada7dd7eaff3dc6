"""Loaders and chart labels are computed once per data version; callers get copies, edits are seen."""

from __future__ import annotations

import pytest

import cityscience as cs
from cityscience.charts import Labels
from minidata import make_data, set_cell

OBS = "data/observations/demo.csv"


@pytest.fixture
def data(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    return make_data(tmp_path)


def test_each_call_returns_its_own_copy(data):
    first = cs.load_observations(data)
    first.loc[0, "value"] = -1
    del first["evidence"]
    again = cs.load_observations(data)
    assert again is not first
    assert again.loc[0, "value"] == 185 and "evidence" in again
    regions = cs.load_regions(data)
    regions["name_en"] = "changed"
    assert "changed" not in set(cs.load_regions(data)["name_en"])


def test_an_edited_file_is_read_again(data):
    assert cs.load_observations(data).loc[0, "value"] == 185
    set_cell(data / "observations" / "demo.csv", 2, "note", "checked again")
    assert cs.load_observations(data).loc[0, "note"] == "checked again"
    set_cell(data / "observations" / "demo.csv", 2, "value", "186")  # no longer in its evidence
    with pytest.raises(cs.ValidationError, match="186"):
        cs.load_observations(data)


def test_labels_are_shared_read_only_and_follow_the_data(data, monkeypatch):
    monkeypatch.setenv("CITYSCIENCE_DATA", str(data))
    zh = Labels.load("zh")
    assert Labels.load("zh") is zh and Labels.load("en") is not zh
    with pytest.raises(TypeError):
        zh.regions["ningbo"] = "改"  # shared by every chart, so it cannot be changed in place
    set_cell(data / "regions.csv", 2, "name_zh", "宁波")
    assert Labels.load("zh").region("ningbo") == "宁波"


def test_a_loader_raises_only_for_what_it_returns_and_references(tmp_path, monkeypatch):
    """A broken policy table stops the policy loaders and `validate`, not the observations."""
    import shutil

    from cityscience.paths import data_dir
    from cityscience.validate import check

    root = tmp_path / "data"
    shutil.copytree(data_dir(), root)
    terms = root / "terms.csv"
    terms.write_text(terms.read_text(encoding="utf-8").replace(",1,", ",one,", 1), encoding="utf-8")
    [problem] = check(root).problems
    assert problem.table == "terms" and problem.value == "one"
    assert len(cs.load_observations(root)) == len(cs.load_observations())
    assert len(cs.load_policy_items(root)) == len(cs.load_policy_items())  # items do not reference terms
    with pytest.raises(cs.ValidationError, match="one"):
        cs.load_terms(root)
    sources = root / "sources.csv"
    sources.write_text(sources.read_text(encoding="utf-8").replace(",utf-8,", ",utf8 ,", 1), encoding="utf-8")
    for loader in (cs.load_observations, cs.load_sources, cs.load_policy_items):
        with pytest.raises(cs.ValidationError, match="utf8"):
            loader(root)
    assert len(cs.load_indicators(root)) == len(cs.load_indicators())  # the codebook does not reference sources


def test_the_policy_layer_may_be_left_out(data):
    """A data folder with observations only (the tiny test folder) is valid; its policy loaders are empty."""
    assert cs.load_policy_items(data).empty and cs.load_stopwords(data) == []


def test_labels_survive_pickle_deepcopy_and_asdict():
    import copy
    import dataclasses
    import pickle

    labels = Labels.from_frames("en", regions=cs.load_regions())
    for twin in (pickle.loads(pickle.dumps(labels)), copy.deepcopy(labels)):
        assert twin == labels and twin.region("ningbo") == "Ningbo"
    assert dataclasses.asdict(labels)["regions"]["ningbo"] == "Ningbo"


def test_the_cache_key_sees_every_file_however_deep(data):
    """The key of every cached load: a file added in a folder of a folder, or rewritten at the same size,
    changes it; folders alone do not."""
    import os

    from cityscience.load import data_signature

    before = data_signature(data)
    assert before == data_signature(data) and any(path.endswith("demo.csv") for path, *_ in before)
    (data / "raw" / "more" / "deeper").mkdir(parents=True)
    assert data_signature(data) == before
    added = data / "raw" / "more" / "deeper" / "note.txt"
    added.write_text("一", encoding="utf-8")
    grown = data_signature(data)
    assert [path for path, *_ in grown if path not in {p for p, *_ in before}] == [str(added)]
    stat = added.stat()
    os.utime(added, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1_000_000_000))
    assert data_signature(data) != grown
