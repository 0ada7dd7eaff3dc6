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


def test_a_shared_check_is_used_only_while_the_files_are_unchanged(data, tmp_path, monkeypatch):
    from cityscience import load

    shared = tmp_path / "checked.pickle"
    assert load.share_validated(load.check(data), shared, load.data_signature(data))
    monkeypatch.setenv(load.SHARED_CHECK_ENV, str(shared))
    monkeypatch.setattr(load, "_cache", {})
    checks = []
    real_check = load.check
    monkeypatch.setattr(load, "check", lambda root: checks.append(root) or real_check(root))
    assert cs.load_observations(data).loc[0, "value"] == 185
    assert checks == []  # taken from the shared check
    set_cell(data / "observations" / "demo.csv", 2, "note", "edited after the build checked it")
    assert cs.load_observations(data).loc[0, "note"] == "edited after the build checked it"
    assert checks == [data.resolve()]  # the files changed: checked here
    load.share_validated(load.check(data), shared, load.data_signature(data))
    set_cell(data / "observations" / "demo.csv", 2, "value", "186")
    monkeypatch.setattr(load, "_cache", {})
    with pytest.raises(cs.ValidationError, match="186"):  # a stale shared check never hides a problem
        cs.load_observations(data)
    shared.write_bytes(b"not a pickle")
    set_cell(data / "observations" / "demo.csv", 2, "value", "185")
    assert cs.load_observations(data).loc[0, "value"] == 185


def test_only_a_clean_check_can_be_shared(data, tmp_path):
    from cityscience import load

    set_cell(data / "observations" / "demo.csv", 2, "value", "186")
    with pytest.raises(ValueError, match="without problems"):
        load.share_validated(load.check(data), tmp_path / "checked.pickle", load.data_signature(data))
    assert not (tmp_path / "checked.pickle").exists()


def test_a_file_changed_while_it_was_checked_is_not_vouched_for(data, tmp_path):
    from cityscience import load

    before = load.data_signature(data)
    checked = load.check(data)  # reads value 185
    set_cell(data / "observations" / "demo.csv", 2, "value", "186")  # edited before the check is shared
    assert not load.share_validated(checked, tmp_path / "checked.pickle", before)
    assert not (tmp_path / "checked.pickle").exists()


def test_a_shared_check_from_other_code_is_ignored(data, tmp_path, monkeypatch):
    import pickle

    from cityscience import load

    shared = tmp_path / "checked.pickle"
    load.share_validated(load.check(data), shared, load.data_signature(data))
    root, sig, stamp, body = pickle.loads(shared.read_bytes())
    shared.write_bytes(pickle.dumps((root, sig, stamp[:-1], body)))  # one module fewer: other code
    monkeypatch.setenv(load.SHARED_CHECK_ENV, str(shared))
    assert load._shared_check(data.resolve(), sig) is None
    shared.write_bytes(pickle.dumps((root, sig, stamp, b"\x80\x05cno_such_module\nThing\n.")))
    assert load._shared_check(data.resolve(), sig) is None  # unreadable body: checked here instead


def test_labels_survive_pickle_deepcopy_and_asdict():
    import copy
    import dataclasses
    import pickle

    labels = Labels.from_frames("en", regions=cs.load_regions())
    for twin in (pickle.loads(pickle.dumps(labels)), copy.deepcopy(labels)):
        assert twin == labels and twin.region("ningbo") == "Ningbo"
    assert dataclasses.asdict(labels)["regions"]["ningbo"] == "Ningbo"
