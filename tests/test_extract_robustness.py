"""Robustness: any input gives a DataFrame or a clear ExtractError, never a crash or a hang.

Random Unicode (including lone surrogates and control characters) and random
bytes go through hypothesis. Huge and deeply repetitive inputs, the usual
causes of catastrophic regex backtracking, run in a child process under a
generous time limit: the limit only catches a hang (exponential time), it is
not a speed test (speed is measured by benchmarks/bench_extract.py).
"""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

import cityscience as cs
from cityscience.extract import CANDIDATE_COLUMNS, ExtractError, extract
from cityscience.extract.review import write_review

_REPORTISH = st.text(alphabet=st.sampled_from(list(
    "家个项件亿元万%,。、;：第近约余多以上以下左右翻番两三十百千一二零〇0123456789.,~-至到“”《》()|\n 全市企业新认定累计同比增长提高个百分点位居预计力争到年度")),
    max_size=400)


_VOCABULARIES = cs.load_vocabularies()
_CODES = {name: set(_VOCABULARIES.loc[_VOCABULARIES["vocabulary"] == name, "code"].astype(str))
          for name in ("measure", "qualifier", "status")}


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(text=st.text(max_size=300))
def test_any_unicode_gives_a_frame(text: str) -> None:
    try:
        df = extract(text)
    except ExtractError as exc:  # one line ending in .txt is taken as a file name
        assert "no such file" in str(exc) and text.strip().lower().endswith((".txt", ".text", ".md"))
        return
    assert list(df.columns) == CANDIDATE_COLUMNS
    for _, r in df.iterrows():
        assert text[r["evidence_start"]:r["evidence_end"]] == r["evidence"]


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(text=_REPORTISH)
@example(text="全市企业新认定100家,同比增长5家。")  # a change in 家: abs_change, a measure this alphabet can spell
def test_report_like_noise_gives_consistent_rows(text: str) -> None:
    df = extract(text, year=2020)
    for _, r in df.iterrows():
        assert text[r["evidence_start"]:r["evidence_end"]] == r["evidence"]
        assert r["evidence_start"] <= r["value_start"] < r["value_end"] <= r["evidence_end"]
        for column in ("measure", "qualifier", "status"):  # codes the curated tables accept
            assert r[column] in _CODES[column], (column, r[column])
        if r["qualifier"] == "range":
            assert r["value_high"] > r["value"]


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.binary(max_size=400))
def test_any_bytes_give_a_frame_or_a_clear_error(data: bytes) -> None:
    try:
        df = extract(data)
    except ExtractError as exc:
        assert "expected" in str(exc)
    else:
        assert isinstance(df, pd.DataFrame)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(text=st.text(max_size=200))
def test_any_candidates_can_be_written(tmp_path_factory, text: str) -> None:
    df = extract("发明专利授权量达2832件," + text + "。全年新增企业12家。")
    out = tmp_path_factory.mktemp("rob")
    write_review(df, out / "c.xlsx")
    write_review(df, out / "c.csv")
    assert (out / "c.xlsx").stat().st_size > 0


def test_huge_mixed_text_gives_a_frame() -> None:
    para = "2015年,全市新认定高新技术企业311家,同比增长12.5%;预计全年研发投入185亿元。一是加快发展。\n"
    df = extract(para * 20_000)  # about 1.2 million characters
    # Every restatement of the same facts folds into one row each.
    assert len(df) == 3
    assert df.iloc[0]["restated_at"].count(";") == 19_998


def test_too_many_quantities_is_a_clear_error() -> None:
    with pytest.raises(ExtractError, match="not one report"):
        extract("1家" * 250_000)


_HANG_CASES = {
    "digits": "'1' * 400_000",
    "separators": "'1,000' * 80_000",
    "numerals": "'一' * 400_000",
    "ordinals": "'第一' * 200_000",
    "quotes": "'“' * 400_000",
    "lines": "'\\n' * 400_000",
    "no punctuation": "('企业' * 50 + '12家') * 3_000",
    "fractions": "'十分之' * 100_000",
    "table cells": "'\\n|\\n12\\n' * 60_000",
    "spaced cells": "'达到50  ' * 60_000",  # one line of 60,000 cells apart by two spaces
    "tabbed cells": "'12\\t' * 100_000",
    "copulas": "'达到50' * 60_000",
    "ranges": "'1~' * 100_000",
    "doubling": "'翻' * 400_000",
    "enumerations": "'(一)' * 100_000",
    "years": "'2014年' * 80_000",
    "nested brackets": "'(' * 200_000 + '12家' + ')' * 200_000",
    "random cjk": "''.join(chr(0x4e00 + (i * 7919) % 20000) + '0123456789家%'[i % 12] for i in range(400_000))",
}


@pytest.mark.parametrize("name", list(_HANG_CASES))
def test_pathological_input_does_not_hang(name: str, tmp_path: Path) -> None:
    script = tmp_path / "run.py"
    script.write_text(textwrap.dedent(f"""
        from cityscience.extract import extract, ExtractError
        text = {_HANG_CASES[name]}
        try:
            df = extract(text)
            print("rows", len(df))
        except ExtractError as exc:
            print("error", exc)
    """), encoding="utf-8")
    done = subprocess.run([sys.executable, str(script)], capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.startswith(("rows", "error"))
