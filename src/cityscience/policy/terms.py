"""Policy-term analysis: jieba word segmentation with a user dictionary built from ``data/terms.csv``.

Texts are first converted to simplified characters (:func:`cityscience.numbers.normalize`,
which keeps offsets, so every hit maps back to the raw text as written). Page
chrome is left out using ``data/text_parts.csv``. Frequencies are given per
10,000 Chinese characters of the text that is counted, so long and short
documents compare.

Every listed term is added to the user dictionary with a frequency above any
word of jieba's own dictionary, so a term is read as a word wherever it is
written (成果转化 inside 科技成果转化, which jieba alone cuts 科技成果/转化).
What segmentation adds over a substring search is that words compete: a longer
listed term wins over a shorter one inside it (发明专利 is not also counted as
专利), and a term is counted only where the rest of the sentence can be cut into
words around it. :func:`term_occurrences` shows each hit in context, so every
count traces to its sentence.
"""

from __future__ import annotations

import io
import logging
import os
import re
import tempfile
from collections import Counter
from collections.abc import Iterable, Sequence
from functools import lru_cache
from pathlib import Path

import pandas as pd

from ..load import load_stopwords, load_terms, load_text_parts
from ..numbers import normalize
from ..paths import build_dir

__all__ = [
    "TERM_FREQUENCY",
    "count_terms",
    "han_characters",
    "segment",
    "term_frequencies",
    "term_occurrences",
    "user_dictionary",
    "word_frequencies",
]

# Frequency given to every listed term in the user dictionary: above any word of jieba's own
# dictionary (的 has about 3e5), so a listed term is cut out wherever it is written.
TERM_FREQUENCY = 1_000_000
_HAN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
_BY = {"source": ["source_id"], "part": ["source_id", "part"]}


def _cache_dir() -> Path:
    """Where jieba keeps its prefix-dictionary cache: build/jieba, or the temp folder if unwritable."""
    for folder in (build_dir() / "jieba", Path(tempfile.gettempdir()) / "cityscience-jieba"):
        try:
            folder.mkdir(parents=True, exist_ok=True)
        except OSError:
            continue
        if os.access(folder, os.W_OK):
            return folder
    return Path(tempfile.gettempdir())


def user_dictionary(terms: Iterable[str]) -> str:
    """The jieba user dictionary for ``terms``: one ``word frequency`` line each, in the given order."""
    lines = []
    for term in terms:
        if not term or re.search(r"\s", term):
            raise ValueError(f"a term must be one word without spaces, got {term!r}")
        lines.append(f"{term} {TERM_FREQUENCY}")
    return "\n".join(lines) + "\n"


@lru_cache(maxsize=1)
def _base_tokenizer():
    """jieba's tokenizer with its own dictionary only: loaded once, quietly, from a cache in build/."""
    import jieba

    jieba.setLogLevel(logging.WARNING)  # jieba logs its dictionary loading to stderr at INFO/DEBUG
    tok = jieba.Tokenizer()
    tok.tmp_dir = str(_cache_dir())
    tok.initialize()
    return tok


@lru_cache(maxsize=16)
def _tokenizer(terms: tuple[str, ...]):
    """A tokenizer whose dictionary is jieba's plus the user dictionary for ``terms``."""
    import jieba

    base = _base_tokenizer()
    tok = jieba.Tokenizer()
    tok.tmp_dir = base.tmp_dir
    tok.FREQ, tok.total, tok.initialized = dict(base.FREQ), base.total, True
    tok.load_userdict(io.BytesIO(user_dictionary(terms).encode("utf-8")))
    # add_word grows the total by each term's frequency; restoring it keeps every word's probability
    # independent of how many terms are listed, so a term's count does not depend on the other terms.
    tok.total = base.total
    return tok


def _terms(terms: Sequence[str] | str | None, root: Path | None) -> list[str]:
    if terms is None:
        return [str(t) for t in load_terms(root)["term"]]
    if isinstance(terms, str):
        terms = [terms]
    out = list(dict.fromkeys(normalize(t).strip() for t in terms))
    if not all(out):
        raise ValueError("terms must be non-empty words")
    return out


def segment(text: str, terms: Sequence[str] = ()) -> list[str]:
    """Cut a text into words after traditional → simplified conversion, with ``terms`` as dictionary words.

    >>> segment("建設眾創空間", ["众创空间"])
    ['建设', '众创空间']
    """
    tok = _tokenizer(tuple(normalize(t) for t in terms))
    return tok.lcut(normalize(text), HMM=False)


def _hits(text: str, terms: Sequence[str]) -> list[tuple[str, int, int]]:
    """(term, start, end) of every listed term read as a word; offsets into ``text`` as given."""
    return list(_cached_hits(text, tuple(terms)))


@lru_cache(maxsize=256)
def _cached_hits(text: str, terms: tuple[str, ...]) -> tuple[tuple[str, int, int], ...]:
    # Segmenting is the slow part of every frequency table; notebooks count the same texts
    # several ways (by document, by part, in context), so each text is cut once per term list.
    wanted = set(terms)
    tok = _tokenizer(terms)
    return tuple((w, s, e) for w, s, e in tok.tokenize(normalize(text), HMM=False) if w in wanted)


def count_terms(text: str, terms: Sequence[str]) -> pd.Series:
    """How often each term occurs as a word of ``text`` (traditional characters are converted first).

    Returns:
        Counts indexed by term, in the order given, zeros included (dtype int64).
    """
    terms = list(dict.fromkeys(normalize(t) for t in terms))
    found = Counter(w for w, _, _ in _hits(text, terms))
    return pd.Series([found.get(t, 0) for t in terms], index=pd.Index(terms, name="term"), name="count",
                     dtype="int64")


def han_characters(text: str) -> int:
    """Number of Chinese characters (CJK ideographs) in ``text``: the denominator of the rates."""
    return len(_HAN.findall(text))


def _texts(by: str, root: Path | None) -> pd.DataFrame:
    """The non-chrome text of each document (or each summary/plan part), joined in document order."""
    if by not in _BY:
        raise ValueError(f"by must be one of {', '.join(_BY)}, got {by!r}")
    parts = load_text_parts(root)
    parts = parts[parts["part"] != "chrome"]
    keys = _BY[by]
    return (parts.groupby(keys, observed=True, sort=True)["text"]
            .agg(lambda s: "\n".join(s)).reset_index())


def term_frequencies(terms: Sequence[str] | str | None = None, by: str = "source",
                     root: Path | None = None) -> pd.DataFrame:
    """Frequencies of policy terms per 10,000 Chinese characters, by document or by document part.

    Args:
        terms: words to count; default the curated list in ``data/terms.csv``. Other
            words may be given (they are added to the dictionary for this count).
        by: ``"source"`` (one row per document and term) or ``"part"`` (per
            document, summary/plan part and term).
        root: data folder (default: the project's).

    Returns:
        Long table: ``source_id`` [, ``part``], ``term``, ``theme`` (NA for words not
        in the list), ``count``, ``chars`` (Chinese characters counted), ``per_10k``.
        ``attrs["terms_version"]`` is the version of the term list.
    """
    words = _terms(terms, root)
    listed = load_terms(root)
    theme = dict(zip(listed["term"].astype(str), listed["theme"].astype(str), strict=True))
    rows = []
    keys = _BY.get(by, [])
    for rec in _texts(by, root).itertuples(index=False):
        text = rec.text
        chars = han_characters(normalize(text))
        counts = count_terms(text, words)
        for term, n in counts.items():
            row = {k: getattr(rec, k) for k in keys}
            row |= {"term": term, "theme": theme.get(term, pd.NA), "count": int(n), "chars": chars,
                    "per_10k": n / chars * 10_000 if chars else float("nan")}
            rows.append(row)
    df = pd.DataFrame(rows, columns=[*keys, "term", "theme", "count", "chars", "per_10k"])
    for k in keys:
        df[k] = df[k].astype(load_text_parts(root)[k].dtype)
    df["term"] = df["term"].astype(pd.CategoricalDtype(words))
    df["theme"] = df["theme"].astype(pd.CategoricalDtype(listed["theme"].cat.categories))
    df["count"] = df["count"].astype("int64")
    df["chars"] = df["chars"].astype("int64")
    df["per_10k"] = df["per_10k"].astype("Float64")
    df.attrs["terms_version"] = listed.attrs["version"]
    df.attrs["by"] = by
    return df


def term_occurrences(terms: Sequence[str] | str | None = None, root: Path | None = None,
                     width: int = 15) -> pd.DataFrame:
    """Every place a term is counted, with its context as written in the raw text (keyword in context).

    Returns:
        ``source_id, part, term, start, end, context``: ``start``/``end`` are offsets
        into :func:`cityscience.raw_text`, so each count traces to its sentence.
    """
    words = _terms(terms, root)
    parts = load_text_parts(root)
    rows = []
    for rec in parts[parts["part"] != "chrome"].itertuples(index=False):
        raw = rec.text
        for term, s, e in _hits(raw, words):
            rows.append({"source_id": rec.source_id, "part": rec.part, "term": term, "start": rec.start + s,
                         "end": rec.start + e,
                         "context": raw[max(0, s - width):s] + "【" + raw[s:e] + "】" + raw[e:e + width]})
    df = pd.DataFrame(rows, columns=["source_id", "part", "term", "start", "end", "context"])
    df["source_id"] = df["source_id"].astype(parts["source_id"].dtype)
    df["part"] = df["part"].astype(parts["part"].dtype)
    df["term"] = df["term"].astype(pd.CategoricalDtype(words))
    return df.sort_values(["source_id", "start"], ignore_index=True)


def word_frequencies(by: str = "source", *, min_chars: int = 2, top: int | None = None,
                     root: Path | None = None) -> pd.DataFrame:
    """All words of each document (or part), stopwords, numbers and punctuation left out.

    Useful to find frequent words the term list lacks. Words are segmented with
    the curated terms in the dictionary, so listed terms appear whole.

    Returns:
        ``source_id`` [, ``part``], ``word``, ``count``, ``per_10k``, ``listed`` (True
        for curated terms), most frequent first within each group; ``top`` keeps the
        first N of each group.
    """
    words = _terms(None, root)
    stop = set(load_stopwords(root))
    keys = _BY.get(by, [])
    frames = []
    for rec in _texts(by, root).itertuples(index=False):
        text = normalize(rec.text)
        chars = han_characters(text)
        tokens = [w for w in segment(text, words)
                  if len(w) >= min_chars and _HAN.search(w) and w not in stop]
        counts = Counter(tokens).most_common(top)
        frame = pd.DataFrame(counts, columns=["word", "count"])
        for k in keys:
            frame.insert(keys.index(k), k, getattr(rec, k))
        frame["per_10k"] = frame["count"] / chars * 10_000 if chars else float("nan")
        frames.append(frame)
    df = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(columns=[*keys, "word", "count",
                                                                                    "per_10k"])
    df["listed"] = df["word"].isin(words)
    df["count"] = df["count"].astype("int64")
    df["per_10k"] = df["per_10k"].astype("Float64")
    df["word"] = df["word"].astype("string")
    return df
