"""Cite a value: the document, its number and date, and the words that state the value.

:func:`cite_source` is the one way a document is cited: ``cs.cite``, the
charts' source footnotes and the chart packs' index all use it.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from pathlib import Path

import pandas as pd

from .conventions import check_language
from .load import load_observations, load_sources
from .textnorm import TABLE_CELL_BREAK

__all__ = ["cite", "cite_source", "one_line"]

_LINE_BREAK = re.compile(r"[^\S\n]*\n[^\S\n]*")


def _text(value: object) -> str:
    return "" if value is None or value is pd.NA or (isinstance(value, float) and pd.isna(value)) else str(value)


def _date(value: object) -> str:
    return "" if value is None or pd.isna(value) else pd.Timestamp(value).strftime("%Y-%m-%d")


def one_line(evidence: str) -> str:
    """Evidence as quoted in one line: a table's cells, written one per line with a line holding only
    ``|`` between them or apart by tabs on one line, joined by `` | ``; a cell written over lines
    joined without a break.

    >>> one_line("高新技术企业数(单位:家)\\n|\\n300")
    '高新技术企业数(单位:家) | 300'
    >>> one_line("研发经费投入强度(%)\\t3.28\\t3.4")
    '研发经费投入强度(%) | 3.28 | 3.4'
    >>> one_line("2020年\\n目标")
    '2020年目标'
    """
    cells = (cell for block in TABLE_CELL_BREAK.split(evidence) for cell in block.split("\t"))
    return " | ".join(_LINE_BREAK.sub("", cell.strip()) for cell in cells)


#: Title marks inside a cited title, as the citation's own marks nest them.
_INNER_MARKS = str.maketrans({"《": "〈", "》": "〉", "“": "‘", "”": "’"})


def cite_source(source: str | Mapping | pd.Series, lang: str = "zh", *, root: Path | None = None) -> str:
    """A document as cited: issuer, title, document number and publication date.

    ``issuer《title》（number，date网上发布）`` in Chinese, ``issuer, “title” (number, posted date)``
    in English: the date is that of the web page the text was taken from (``sources.published``),
    which may be a re-publication long after the year the document reports on; the issuer is left
    out when the title already starts with it, and a missing number or date is left out. Title marks
    inside the title become the inner ones (《…》 → 〈…〉, “…” → ‘…’), as a citation nests them.

    Args:
        source: a source_id, or a row with the columns of ``sources.csv``.
        lang: ``"zh"`` or ``"en"``.
        root: data folder to look a source_id up in (default: the project's).

    Raises:
        KeyError: an unknown source_id.

    >>> cite_source({"issuer_zh": "宁波市科学技术局", "title_zh": "2014年工作总结",
    ...              "doc_number": None, "published": "2015-04-14"})
    '宁波市科学技术局《2014年工作总结》（2015-04-14网上发布）'
    >>> cite_source({"issuer_en": "Ningbo S&T Bureau", "title_en": "2014 work summary",
    ...              "doc_number": "No. 5", "published": "2015-04-14"}, "en")
    'Ningbo S&T Bureau, “2014 work summary” (No. 5, posted 2015-04-14)'
    >>> cite_source({"issuer_zh": "海曙区科技局", "title_zh": "关于印发《2017年工作要点》的通知",
    ...              "doc_number": None, "published": None})
    '海曙区科技局《关于印发〈2017年工作要点〉的通知》'
    """
    check_language(lang)
    if isinstance(source, str):
        sources = load_sources(root).set_index("source_id")
        if source not in sources.index:
            raise KeyError(f"unknown source_id {source!r}")
        source = sources.loc[source]
    number, date = _text(source.get("doc_number")), _date(source.get("published"))
    issuer, title = _text(source[f"issuer_{lang}"]), _text(source[f"title_{lang}"]).translate(_INNER_MARKS)
    if lang == "zh":
        details = "，".join(x for x in (number, date and f"{date}网上发布") if x)
        return ("" if title.startswith(issuer) else issuer) + f"《{title}》" + (f"（{details}）" if details else "")
    details = ", ".join(x for x in (number, date and f"posted {date}") if x)
    return ("" if title.startswith(issuer) else f"{issuer}, ") + f"“{title}”" + (f" ({details})" if details else "")


def _id_key(obs_id: str) -> tuple[str, int] | str:
    """An obs_id as its prefix and number, case and zero padding aside: nb14-10 and NB14-010 alike."""
    m = re.fullmatch(r"(.*?)(\d+)", obs_id.strip().casefold())
    return (m.group(1), int(m.group(2))) if m else obs_id.strip().casefold()


def cite(obs_id: object, *, lang: str = "zh") -> str:
    """A citation for one observation: its document (:func:`cite_source`) and its evidence, quoted.

    Args:
        obs_id: the observation's id (``"nb14-010"``), or a row of the observations (its ``obs_id``).
        lang: ``"zh"`` for a Chinese citation, ``"en"`` for an English one.

    Raises:
        KeyError: an unknown obs_id (with the ids it may have meant).

    >>> cite("nb14-008")
    '宁波市科学技术局《宁波市科技局2014年工作总结》（2015-04-14网上发布）：“科技进步相对变化水平再次位居全省第一”'
    """
    check_language(lang)
    if not isinstance(obs_id, str) and hasattr(obs_id, "get") and obs_id.get("obs_id") is not None:
        obs_id = obs_id.get("obs_id")  # a row of the observations (a Series or a dict)
    obs_id = str(obs_id)
    obs = load_observations().set_index("obs_id")
    if obs_id not in obs.index:
        from .select import nearest_codes

        ids = [str(i) for i in obs.index]
        key = _id_key(obs_id)
        near = [i for i in ids if _id_key(i) == key] or nearest_codes(obs_id, ids)
        hint = f" (did you mean {', '.join(map(repr, near))}?)" if near else ""
        raise KeyError(f"unknown obs_id {obs_id!r}{hint}; the ids are the observations' obs_id column")
    row = obs.loc[obs_id]
    source = cite_source(str(row["source_id"]), lang)
    evidence = one_line(str(row["evidence"]))
    return f"{source}：“{evidence}”" if lang == "zh" else f"{source}: “{evidence}”"
