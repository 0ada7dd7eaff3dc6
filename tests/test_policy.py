"""The curated measures and bodies: complete against the documents' own numbering, verbatim, resolvable."""

from __future__ import annotations

import re

import pandas as pd
import pytest

import cityscience as cs
from cityscience.numbers import normalize, parse_chinese_numeral
from cityscience.validate import check
from cityscience.validate.policy import region_search_order, resolve_bodies


@pytest.fixture(scope="module")
def checked():
    return check()


@pytest.fixture(scope="module")
def measures():
    return cs.load_policy_items()


@pytest.fixture(scope="module")
def units():
    return cs.load_bodies()


def _count(m, source_id, kind, parent=None):
    sel = m[(m["source_id"] == source_id) & (m["kind"] == kind)]
    if parent is not None:
        sel = sel[sel["parent"] == parent]
    return len(sel)


def test_policy_tables_have_no_problems(checked):
    policy_tables = {"policy_items", "bodies", "terms", "text_parts", "stopwords"}
    assert [str(p) for p in checked.problems if p.table in policy_tables] == []


def test_ningbo_plan_counts_agree_with_the_raw_text(measures):
    """Independent of the curation: every 责任单位 clause is one task, every table row one item."""
    text = cs.raw_text("ningbo-2017-plan")
    tasks = measures[(measures["source_id"] == "ningbo-2017-plan") & (measures["kind"] == "task")]
    assert text.count("责任单位:") == len(tasks)

    def rows(head, stop):
        """Row numbers 1, 2, 3, … found in order among the table's whole-number cells."""
        block = text[text.index(head): text.index(stop)]
        expected = 1
        for line in block.split("\n"):
            if line.strip() == str(expected):
                expected += 1
        return expected - 1

    assert rows("附件2\n", "附件3\n") == _count(measures, "ningbo-2017-plan", "special_project")
    assert rows("附件3\n", "附件4\n") == _count(measures, "ningbo-2017-plan", "platform")
    assert rows("附件1\n科技", "附件2\n") == _count(measures, "ningbo-2017-plan", "indicator_target")
    # appendix 4 has no row numbers: its cells alternate place | content after a two-cell header
    block = text[text.index("附件4\n"):]
    assert (block.count("\n|\n") + 1 - 2) // 2 == _count(measures, "ningbo-2017-plan", "assignment")


def test_every_ningbo_task_names_its_responsible_units(measures):
    tasks = measures[(measures["source_id"] == "ningbo-2017-plan") & (measures["kind"] == "task")]
    assert (tasks["responsibility"] == "stated").all()
    assert tasks["responsible_units"].map(len).min() >= 1
    assert tasks.set_index("item_no").loc[1, "responsible_units"] == ["ningbo_stb", "ningbo_eitc", "ningbo_drc"]
    assert tasks.set_index("item_no").loc[7, "responsible_units"] == ["ningbo_counties", "ningbo_stb"]


def test_special_projects_carry_directions_and_departments(measures):
    sp = measures[measures["kind"] == "special_project"].set_index("item_no")
    assert sp.loc[1, "title_zh"] == "高端精细化工"
    assert "高性能工程塑料" in sp.loc[1, "evidence"]
    assert set(sp["lead_unit"]) == {"ningbo_stb", "ningbo_eitc"}
    assert list(sp.loc[[6, 7, 8], "lead_unit"]) == ["ningbo_eitc"] * 3


_SHI = r"[一二三四五六七八九十]是"  # 一是, 二是, …: how these texts number the points of a paragraph


def _markers_per_block(measures, source_id, kinds, pattern=_SHI):
    """Item id → markers written from the item's evidence to the next item of ``kinds`` (or the end)."""
    text = normalize(cs.raw_text(source_id))
    top = measures[(measures["source_id"] == source_id) & measures["kind"].isin(kinds)]
    order = sorted((text.index(normalize(e)), i) for e, i in zip(top["evidence"], top["item_id"], strict=True))
    ends = [s for s, _ in order[1:]] + [len(text)]
    return {i: len(re.findall(pattern, text[s:e])) for (s, i), e in zip(order, ends, strict=True)}


def _parts_of(measures, source_id):
    parts = measures[(measures["source_id"] == source_id) & (measures["kind"] == "part")]
    return parts.groupby("parent", observed=True).size()


def test_haishu_items_are_numbered_through_in_the_texts_sections(measures):
    hs = measures[measures["source_id"] == "haishu-2017-workpoints"]
    assert sorted(hs["item_no"]) == list(range(1, len(hs) + 1))
    text = normalize(cs.raw_text("haishu-2017-workpoints"))
    assert len(re.findall(r"^\s*[一二三四五六七八九十]、", text, flags=re.M)) == hs["section"].nunique()
    assert len(re.findall(r"(?<![0-9.])([0-9]+)[.、](?![0-9])", text)) >= len(hs)
    assert (hs["responsible_units"].map(tuple) == ("haishu_stb",)).all()


def test_hangzhou_projects_and_areas_with_their_parts(measures):
    sid = "hangzhou-2015-summary"
    areas = measures[(measures["source_id"] == sid) & (measures["kind"] == "area")]
    projects = measures[(measures["source_id"] == sid) & (measures["kind"] == "project")]
    assert set(areas["year"]) == {2015} and set(areas["part"]) == {"summary"}
    assert set(projects["year"]) == {2016} and set(projects["part"]) == {"plan"}
    (stated,) = re.findall(r"([一二三四五六七八九十]+)大工程", cs.raw_text(sid))  # the five projects
    assert len(projects) == parse_chinese_numeral(stated)
    # every 一是, 二是, … under an area or a project is one of its parts
    written = _markers_per_block(measures, sid, ["area", "project"])
    curated = _parts_of(measures, sid)
    assert {i: int(curated.get(i, 0)) for i in written} == written and sum(written.values()) == curated.sum()


def test_cixi_areas_plan_items_and_combined_measures(measures):
    sid = "cixi-2024-summary"
    cx = measures[measures["source_id"] == sid]
    assert set(cx[cx["kind"] == "area"]["year"]) == {2024} and set(cx[cx["kind"] == "task"]["year"]) == {2025}
    (stated,) = set(re.findall(r"([一二三四五六七八九十]+)個組合拳", cs.raw_text(sid)))  # 四個組合拳
    assert _parts_of(measures, sid).to_dict() == {"cx25-p1": parse_chinese_numeral(stated)}
    # areas and tasks are themselves 一是, 二是, …: each block holds its own marker and its parts'
    written = _markers_per_block(measures, sid, ["area", "task"])
    assert written == {i: 1 + int(_parts_of(measures, sid).get(i, 0)) for i in written}
    # stored as written, in traditional characters
    assert cx.set_index("item_id").loc["cx24-a1", "title_zh"].startswith("聚焦鏈式培育創新企業")


def test_ningbo_2014_measures_by_section(measures):
    sid = "ningbo-2014-summary"
    nb = measures[measures["source_id"] == sid]
    text = normalize(cs.raw_text(sid))
    tasks = nb[nb["kind"] == "task"]
    sections = list(dict.fromkeys(tasks["section"]))
    starts = [text.index(normalize(s)) for s in sections]
    written = [len(re.findall(_SHI, text[s:e])) for s, e in zip(starts, [*starts[1:], len(text)], strict=True)]
    assert tasks.groupby("section", sort=False).size().tolist() == written
    achievements = nb[nb["kind"] == "achievement"]
    assert len(re.findall(_SHI, text[text.index(normalize(achievements["section"].iloc[0])): starts[0]])) == len(
        achievements)


def test_evidence_is_verbatim_and_titles_are_in_it(measures):
    texts = {sid: cs.raw_text(sid) for sid in measures["source_id"].cat.categories}
    for r in measures.itertuples():
        raw = texts[r.source_id]
        if r.source_id == "cixi-2024-summary":
            assert r.evidence in raw  # traditional text stored as written
        assert normalize(r.evidence) in normalize(raw), r.item_id
        assert re.sub(r"\s", "", normalize(r.title_zh)) in re.sub(r"\s", "", normalize(r.evidence)), r.item_id


def test_same_short_name_is_a_different_body_in_each_city(units, checked):
    """市科技局 is Ningbo's bureau in a Ningbo document and Cixi's in a Cixi document."""
    index = {(r, a): b for b, r, aliases in zip(units["body"], units["region"], units["aliases"], strict=True)
             for a in aliases}
    regions = region_search_order(checked)
    assert resolve_bodies("市科技局", "ningbo", index, regions) == ["ningbo_stb"]
    assert resolve_bodies("市科技局", "cixi", index, regions) == ["cixi_stb"]
    assert resolve_bodies("海曙区、市科技局", "ningbo", index, regions) == ["haishu_gov", "ningbo_stb"]
    assert resolve_bodies("市科技部", "ningbo", index, regions) == [None]


def test_linked_observations_exist_and_targets_link_to_their_task(measures):
    obs = cs.load_observations().set_index("obs_id")
    for r in measures.itertuples():
        for oid in r.obs_ids:
            assert obs.loc[oid, "source_id"] == r.source_id
    t14 = measures.set_index("item_id").loc["nb17-t14"]
    assert "nb17-021" in t14["obs_ids"]  # 到2020年 累计认定高新技术企业2600家
    assert obs.loc["nb17-021", "value"] == 2600


def test_units_table_is_typed_and_unique(units):
    assert units["body"].is_unique
    for col in ("level", "kind", "region"):
        assert isinstance(units[col].dtype, pd.CategoricalDtype), col
    vocab = cs.load_vocabularies()
    assert list(units["level"].cat.categories) == list(vocab.loc[vocab["vocabulary"] == "body_level", "code"])


def test_measures_table_is_typed(measures):
    for col in ("source_id", "region", "part", "kind", "theme", "responsibility"):
        assert isinstance(measures[col].dtype, pd.CategoricalDtype), col
    assert measures["item_no"].dtype == "Int64" and measures["year"].dtype == "Int64"
    assert measures["item_id"].is_unique
    themes = cs.load_vocabularies().query("vocabulary == 'policy_theme'")["code"].astype(str)
    assert list(measures["theme"].cat.categories) == list(themes)
    assert measures["responsible_units"].map(lambda x: isinstance(x, list)).all()
    # parts are never leaves' parents; items with parts are not leaves
    assert not measures.set_index("item_id").loc["hz16-p1", "leaf"]
    assert measures.set_index("item_id").loc["hz15-a5", "leaf"]
