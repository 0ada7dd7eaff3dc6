"""Term counting on small hand-made texts (simplified and traditional), and the frequencies of the documents."""

from __future__ import annotations

import os
import subprocess
import sys

import pandas as pd
import pytest

import cityscience as cs
from cityscience import policy
from cityscience.numbers import normalize

TERMS = ["众创空间", "孵化器", "科技金融", "专利", "发明专利", "互联网+", "成果转化", "政策"]


def test_counts_in_a_simplified_text():
    text = "加快建设众创空间,推动众创空间与孵化器融合;发展科技金融。"
    counts = policy.count_terms(text, TERMS)
    assert counts.loc["众创空间"] == 2 and counts.loc["孵化器"] == 1 and counts.loc["科技金融"] == 1
    assert counts.loc["专利"] == 0
    assert list(counts.index) == TERMS and counts.dtype == "int64"


def test_counts_in_a_traditional_text():
    text = "建設眾創空間和科技企業孵化器,發展科技金融,促進科技成果轉化。"
    counts = policy.count_terms(text, TERMS)
    assert counts[["众创空间", "孵化器", "科技金融", "成果转化"]].tolist() == [1, 1, 1, 1]


def test_traditional_terms_are_converted_too():
    assert policy.count_terms("眾創空間", ["眾創空間"]).to_dict() == {"众创空间": 1}


def test_the_longer_listed_term_wins():
    counts = policy.count_terms("发明专利授权量和专利申请量", TERMS)
    assert (counts.loc["发明专利"], counts.loc["专利"]) == (1, 1)
    # without the longer term in the list, the shorter one is found inside it
    assert policy.count_terms("发明专利授权量", ["专利"]).loc["专利"] == 1


def test_a_listed_term_is_cut_out_of_longer_dictionary_words():
    # jieba alone reads 科技成果/转化; the user dictionary makes 成果转化 a word
    assert policy.segment("促进科技成果转化", []) == ["促进", "科技成果", "转化"]
    assert policy.count_terms("促进科技成果转化", ["成果转化"]).loc["成果转化"] == 1


def test_a_terms_count_does_not_depend_on_the_other_terms():
    text = "做好政策性科技工作,出台科技政策,落实人才政策,推进绩效考核"
    alone = policy.count_terms(text, ["政策"]).loc["政策"]
    listed = policy.count_terms(text, cs.load_terms()["term"].tolist()).loc["政策"]
    assert alone == listed == 3


def test_terms_with_symbols_and_digits():
    counts = policy.count_terms("推动“互联网+”科技创新,深入实施“3315计划”", ["互联网+", "3315计划"])
    assert counts.tolist() == [1, 1]


def test_segment_and_user_dictionary():
    assert policy.segment("建設眾創空間", ["众创空间"]) == ["建设", "众创空间"]
    assert policy.user_dictionary(["众创空间", "互联网+"]).splitlines() == [
        f"众创空间 {policy.terms.TERM_FREQUENCY}", f"互联网+ {policy.terms.TERM_FREQUENCY}"]
    with pytest.raises(ValueError):
        policy.user_dictionary(["众创 空间"])


def test_han_characters_counts_only_chinese_characters():
    assert policy.han_characters("R&D经费3.2%,研發") == 4
    assert policy.han_characters("| 2020\n") == 0


def test_segmentation_is_deterministic_and_quiet(tmp_path):
    """A fresh process with an empty cache prints nothing and segments the same way."""
    code = ("from cityscience import policy;"
            "print('/'.join(policy.segment('推动高新技术企业与孵化器发展', ['高新技术企业', '孵化器'])))")
    env = dict(os.environ, CITYSCIENCE_BUILD=str(tmp_path / "build"))
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True)
    assert out.stderr == ""
    assert out.stdout.strip() == "/".join(policy.segment("推动高新技术企业与孵化器发展", ["高新技术企业", "孵化器"]))
    assert (tmp_path / "build" / "jieba" / "jieba.cache").exists()


@pytest.fixture(scope="module")
def freqs():
    return policy.term_frequencies()


def test_frequencies_cover_every_document_and_term(freqs):
    terms = cs.load_terms()
    assert set(freqs["source_id"].astype(str)) == set(cs.load_sources()["source_id"].astype(str))
    assert len(freqs) == len(terms) * freqs["source_id"].nunique()
    assert freqs.attrs["terms_version"] == terms.attrs["version"] == cs.terms_version()
    assert (freqs["per_10k"] - freqs["count"] / freqs["chars"] * 10_000).abs().max() < 1e-9


def test_rates_use_the_text_without_page_chrome(freqs):
    parts = cs.load_text_parts()
    for sid, group in parts.groupby("source_id", observed=True):
        body = "\n".join(group.loc[group["part"] != "chrome", "text"])
        chars = freqs.loc[freqs["source_id"] == sid, "chars"].iloc[0]
        assert chars == policy.han_characters(normalize(body))
        has_chrome = bool((group.loc[group["part"] == "chrome", "text"].str.strip() != "").any())
        whole = policy.han_characters(normalize(cs.raw_text(sid)))
        assert chars < whole if has_chrome else chars == whole


def test_words_in_page_chrome_are_not_counted():
    # 市科技局 appears in the metadata lines at the top of the Cixi page (chrome) and in its text
    occ = policy.term_occurrences(["科技局"])
    cixi = occ[occ["source_id"] == "cixi-2024-summary"]
    parts = cs.load_text_parts()
    chrome = parts[(parts["source_id"] == "cixi-2024-summary") & (parts["part"] == "chrome")]
    assert len(cixi) >= 1
    for start in cixi["start"]:
        assert not ((chrome["start"] <= start) & (start < chrome["end"])).any()


def test_document_counts_match_occurrences_and_the_raw_text(freqs):
    occ = policy.term_occurrences()
    by_doc = occ.groupby(["source_id", "term"], observed=True).size()
    for r in freqs[freqs["count"] > 0].itertuples():
        assert by_doc.loc[(r.source_id, r.term)] == r.count
    raw = {sid: cs.raw_text(sid) for sid in occ["source_id"].cat.categories}
    for r in occ.head(200).itertuples():
        assert normalize(raw[r.source_id][r.start:r.end]) == r.term


def test_a_traditional_document_is_counted_after_conversion(freqs):
    cx = freqs[freqs["source_id"] == "cixi-2024-summary"].set_index("term")
    assert cx.loc["高新技术企业", "count"] > 0  # written 高新技術企業 in the raw text
    assert "高新技术企业" not in cs.raw_text("cixi-2024-summary")


def test_by_part_splits_summary_and_plan():
    fp = policy.term_frequencies(["研发投入", "众创空间"], by="part")
    cx = fp[fp["source_id"] == "cixi-2024-summary"]
    assert set(cx["part"].astype(str)) == {"summary", "plan"}
    total = policy.term_frequencies(["研发投入"], by="source")
    whole = total.loc[total["source_id"] == "cixi-2024-summary", "count"].iloc[0]
    assert cx.loc[cx["term"] == "研发投入", "count"].sum() == whole
    with pytest.raises(ValueError, match="by must be one of"):
        policy.term_frequencies(by="paragraph")


def test_ad_hoc_terms_can_be_counted():
    fr = policy.term_frequencies(["石墨烯", "概念验证"])
    assert list(fr["term"].cat.categories) == ["石墨烯", "概念验证"]
    assert fr.loc[fr["term"] == "概念验证", "theme"].isna().all()
    cixi = normalize(cs.raw_text("cixi-2024-summary"))
    assert fr.loc[(fr["term"] == "概念验证") & (fr["source_id"] == "cixi-2024-summary"), "count"].iloc[0] \
        == cixi.count("概念验证") == 2


def test_word_frequencies_leave_out_stopwords():
    wf = policy.word_frequencies(top=30)
    stop = set(cs.load_stopwords())
    assert not wf["word"].isin(stop).any()
    assert (wf["word"].str.len() >= 2).all()
    assert wf.groupby("source_id", observed=True).size().max() <= 30
    assert isinstance(wf["listed"].dtype, pd.BooleanDtype) or wf["listed"].dtype == bool
    # listed: the word is a term of the list; some listed terms are among the documents' top words
    terms = set(cs.load_terms()["term"].astype(str))
    assert wf["listed"].astype(bool).tolist() == [w in terms for w in wf["word"].astype(str)]
    assert wf["listed"].any() and not wf["listed"].all()


def test_token_counts_equal_substring_counts_outside_longer_listed_terms(freqs):
    """With the current list, segmentation only changes counts where a longer listed term wins."""
    terms = [str(t) for t in cs.load_terms()["term"]]
    parts = cs.load_text_parts()
    texts = (parts[parts["part"] != "chrome"].groupby("source_id", observed=True)["text"]
             .agg(lambda s: normalize("\n".join(s))))
    for r in freqs.itertuples():
        text = texts[r.source_id]
        inside_longer = sum(text.count(longer) * longer.count(r.term)
                            for longer in terms if longer != r.term and r.term in longer)
        assert r.count == text.count(r.term) - inside_longer, (r.source_id, r.term)
