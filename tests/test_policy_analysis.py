"""theme_mix, responsibility_matrix and theme_shift on tiny inline tables, and on the real plan."""

from __future__ import annotations

import pandas as pd
import pytest

import cityscience as cs
from cityscience import policy

THEMES = ["enterprises", "platforms", "finance"]


def _measures(rows):
    df = pd.DataFrame(rows, columns=["item_id", "source_id", "part", "year", "kind", "parent", "theme",
                                     "responsible_units"])
    df["theme"] = df["theme"].astype(pd.CategoricalDtype(THEMES))
    df["kind"] = df["kind"].astype("category")
    df["parent"] = df["parent"].astype("string")
    df["year"] = df["year"].astype("Int64")
    return df


@pytest.fixture()
def tiny():
    return _measures([
        ("a-1", "a", "plan", 2017, "task", None, "enterprises", ["x", "y"]),
        ("a-2", "a", "plan", 2017, "task", None, "enterprises", ["y"]),
        ("a-3", "a", "plan", 2017, "task", None, "platforms", ["x"]),
        ("a-p", "a", "plan", 2017, "principle", None, "finance", []),
        ("b-1", "b", "summary", 2015, "area", None, "platforms", ["z"]),
        ("b-1-1", "b", "summary", 2015, "part", "b-1", "finance", ["z"]),
        ("b-1-2", "b", "summary", 2015, "part", "b-1", "finance", ["z"]),
        ("b-2", "b", "summary", 2015, "area", None, "enterprises", ["z"]),
    ])


def test_theme_mix_counts_leaves_of_action_kinds(tiny):
    mix = policy.theme_mix(tiny, by="source").set_index(["source_id", "theme"])
    assert mix.loc[("a", "enterprises"), "items"] == 2
    assert mix.loc[("a", "finance"), "items"] == 0  # the principle is not an action
    # b-1 counts through its two parts, b-2 has none
    assert mix.loc[("b", "finance"), "items"] == 2
    assert mix.loc[("b", "platforms"), "items"] == 0
    assert mix.loc[("b", "enterprises"), "items"] == 1
    assert mix.groupby("source_id")["share"].sum().tolist() == pytest.approx([1.0, 1.0])
    assert len(mix) == 2 * len(THEMES)  # every theme, zeros included


def test_theme_mix_without_leaf_rule_and_by_part(tiny):
    mix = policy.theme_mix(tiny, by="part", leaves_only=False, kinds=("area",))
    assert list(mix.columns) == ["source_id", "part", "year", "theme", "items", "share"]
    b = mix.set_index("theme")
    assert b.loc["platforms", "items"] == 1 and b.loc["enterprises", "items"] == 1
    with pytest.raises(ValueError, match="by must be one of"):
        policy.theme_mix(tiny, by="year")


def test_responsibility_matrix_counts_every_named_unit_or_only_the_lead(tiny):
    m = policy.responsibility_matrix(tiny, source_id="a")
    assert m.loc["x", "enterprises"] == 1 and m.loc["x", "platforms"] == 1
    assert m.loc["y", "enterprises"] == 2
    assert m["total"].tolist() == [2, 2]
    lead = policy.responsibility_matrix(tiny, source_id="a", lead_only=True)
    assert lead.loc["x", "total"] == 2 and lead.loc["y", "total"] == 1
    assert list(lead.columns[:-1]) == THEMES


def test_theme_shift_in_percentage_points(tiny):
    mix = policy.theme_mix(tiny, by="source")
    shift = policy.theme_shift(mix, {"source_id": "a"}, {"source_id": "b"}).set_index("theme")
    assert shift.loc["finance", "change_pp"] == pytest.approx(200 / 3)
    assert shift.loc["enterprises", "change_pp"] == pytest.approx((1 / 3 - 2 / 3) * 100)
    assert shift["change_pp"].sum() == pytest.approx(0)
    with pytest.raises(KeyError):
        policy.theme_shift(mix, {"source_id": "c"}, {"source_id": "b"})


def test_the_responsibility_matrix_covers_every_task_of_its_document():
    m = cs.load_policy_items()
    matrix = policy.responsibility_matrix(m)
    lead = policy.responsibility_matrix(m, lead_only=True)
    tasks = m[(m["source_id"] == policy.most_assigned_source(m)) & (m["kind"] == "task")]
    assert lead["total"].sum() == len(tasks[tasks["responsible_units"].map(len) > 0])
    assert matrix["total"].sum() == tasks["responsible_units"].map(len).sum()
    assert matrix.index[0] == "ningbo_stb"  # the S&T bureau is named most often
