"""Cite a value: the document, its number and date, and the words that state the value."""

from __future__ import annotations

import pandas as pd

from .load import load_observations, load_sources

__all__ = ["cite"]


def _text(value: object) -> str:
    return "" if value is None or value is pd.NA or (isinstance(value, float) and pd.isna(value)) else str(value)


def cite(obs_id: str, *, lang: str = "zh") -> str:
    """A citation for one observation, e.g. for a footnote or a table of sources.

    Args:
        obs_id: the observation's id (``"nb14-010"``).
        lang: ``"zh"`` for a Chinese citation, ``"en"`` for an English one.

    >>> cite("nb14-001")  # doctest: +SKIP
    '宁波市科学技术局《宁波市科技局2014年工作总结》(2015-04-14):“…”'
    """
    obs = load_observations().set_index("obs_id")
    if obs_id not in obs.index:
        raise KeyError(f"unknown obs_id {obs_id!r}")
    row = obs.loc[obs_id]
    src = load_sources().set_index("source_id").loc[row["source_id"]]
    number = _text(src["doc_number"])
    date = src["published"].strftime("%Y-%m-%d")
    if lang == "en":
        parts = [src["issuer_en"], f"“{src['title_en']}”", number, f"published {date}"]
        return ", ".join(p for p in parts if p) + f". Evidence: “{row['evidence']}”"
    if lang != "zh":
        raise ValueError(f"lang must be 'zh' or 'en', not {lang!r}")
    return f"{src['issuer_zh']}《{src['title_zh']}》{number}({date}):“{row['evidence']}”"
