"""Account for every number in the raw documents: curated as a value, or excluded with a reason.

A number token (see :func:`cityscience.numbers.find_numbers`) is accounted
for when it is the value (or upper end) of an observation whose evidence
contains it, or when it overlaps a match of an exclusion. Anything else is a
number the curators missed, and :func:`unaccounted` lists it with its line and
context.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import pandas as pd
import regex

from ..numbers import NumberToken, TokenSpans, negative_readings, normalize
from ..problems import Problem
from .cells import PATTERN_TIMEOUT, is_number
from .checked import Checked
from .core import BREAKING_ZERO, candidate_values, exclusion_pattern

__all__ = ["Unaccounted", "account", "accounting_problems", "accounting_summary", "unaccounted"]


@dataclass(frozen=True)
class Unaccounted:
    """A number in a raw document that no observation or exclusion covers."""

    source_id: str
    line: int
    token: NumberToken
    context: str

    def __str__(self) -> str:
        return f"{self.source_id}:{self.line}: {self.token.text!r} in …{self.context}…"


def _occurrences(text: str, sub: str) -> list[int]:
    out, start = [], text.find(sub)
    while start != -1 and sub:
        out.append(start)
        start = text.find(sub, start + 1)
    return out


def _close(a: float, b: float) -> bool:
    return math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-9)


def account(checked: Checked) -> dict[str, dict[int, str]]:
    """Map each source to {token start offset: how it is accounted for}.

    The explanation is ``"obs:<obs_id>"`` or ``"excluded:<reason>"``. Exclusions
    are applied first; an observation then claims, within each occurrence of
    its evidence, the first token equal to its value that is neither excluded
    nor claimed by another observation (falling back to any equal token).
    """
    tokens_by_source = checked.tokens
    spans = {sid: TokenSpans(toks) for sid, toks in tokens_by_source.items()}
    excluded: dict[str, dict[int, str]] = {sid: {} for sid in tokens_by_source}
    for row in checked.tables["exclusions"].rows:
        try:
            pattern = exclusion_pattern(row)
        except regex.error:
            continue  # reported by the validator
        targets = list(checked.normalized_texts) if row["source_id"] == "*" else [row["source_id"]]
        for sid in targets:
            text = checked.normalized_texts.get(sid)
            if text is None:
                continue
            for m in pattern.finditer(text, timeout=PATTERN_TIMEOUT):
                for tok in spans[sid].touching(m.start(), m.end()):
                    excluded[sid].setdefault(tok.start, f"excluded:{row['reason']}")
    claimed: dict[str, dict[int, str]] = {sid: {} for sid in tokens_by_source}
    negative: dict[str, set[int]] = {}  # per source, the starts of the tokens that may be read as negative
    for row in checked.tables["observations"].rows:
        sid, text = row["source_id"], checked.normalized_texts.get(row["source_id"])
        if text is None or not row["evidence"]:
            continue
        evidence = normalize(row["evidence"])
        wanted = [float(v) for v in (row["value"], row["value_high"]) if is_number(v)]
        for start in _occurrences(text, evidence):
            end = start + len(evidence)
            inside = [t for t in spans[sid].touching(start, end) if start <= t.start and t.end <= end]
            for value in wanted:
                if sid not in negative:
                    toks = tokens_by_source[sid]
                    negative[sid] = {t.start for t, n in zip(toks, negative_readings(text, toks), strict=True) if n}
                equal = [t for t in inside
                         if any(_close(value, v) for v in _token_values(t, text, t.start in negative[sid]))]
                free = [t for t in equal if t.start not in claimed[sid] and t.start not in excluded[sid]]
                unclaimed = [t for t in equal if t.start not in claimed[sid]]
                pick = (free or unclaimed or [None])[0]
                if pick is not None:
                    claimed[sid][pick.start] = f"obs:{row['obs_id']}"
    return {sid: excluded[sid] | claimed[sid] for sid in tokens_by_source}


def _token_values(tok: NumberToken, text: str, negative: bool) -> list[float]:
    """Values a token can stand for in context: itself, 2**N inside 翻N番, 1 for the 零 of 破零, and
    −N when it may be read as negative (:func:`~cityscience.numbers.negative_readings`: 下降3.2%, 低于…1个百分点,
    as candidate_values reads it)."""
    around = text[max(0, tok.start - 1): tok.end + 1]
    values = [tok.value]
    if negative:
        values.append(-tok.value)
    if around.startswith("翻") and around.endswith("番"):
        values.extend(candidate_values(around))
    if text[max(0, tok.start - 1): tok.end] == BREAKING_ZERO:
        values.append(1.0)
    return values


def unaccounted(checked: Checked, source_id: str | None = None) -> list[Unaccounted]:
    """Every number token in the raw documents that is neither curated nor excluded."""
    covered = account(checked)
    out: list[Unaccounted] = []
    for sid, tokens in checked.tokens.items():
        if source_id is not None and sid != source_id:
            continue
        raw = checked.raw_texts[sid]
        for tok in tokens:
            if tok.start in covered[sid]:
                continue
            line = raw.count("\n", 0, tok.start) + 1
            context = raw[max(0, tok.start - 12): tok.end + 12].replace("\n", "⏎")
            out.append(Unaccounted(sid, line, NumberToken(tok.start, tok.end, raw[tok.start:tok.end], tok.value,
                                                          tok.kind), context))
    return out


def accounting_problems(checked: Checked) -> list[Problem]:
    """Every number of the raw documents that nothing accounts for, as problems of the raw file."""
    out = []
    for u in unaccounted(checked):
        sources = checked.tables["sources"].rows
        name = next((r["file_name"] for r in sources if r["source_id"] == u.source_id), u.source_id)
        shown = f"{checked.root.name}/raw/{name}"
        out.append(Problem(shown, u.line, None, u.token.text,
                           f"an observation or an exclusion for this number (…{u.context}…) in {u.source_id}",
                           "unaccounted_number", "accounting"))
    return out


def accounting_summary(checked: Checked) -> pd.DataFrame:
    """Per source: how many numbers the raw text holds, how many are observation values,
    how many each exclusion reason covers, and how many are missing (one column each)."""
    covered = account(checked)
    rows = []
    for sid, tokens in checked.tokens.items():
        marks = [covered[sid].get(t.start, "missing") for t in tokens]
        reasons = [m.removeprefix("excluded:") for m in marks if m.startswith("excluded:")]
        rows.append({"source_id": sid, "numbers": len(tokens),
                     "observation_values": sum(m.startswith("obs:") for m in marks),
                     "missing": marks.count("missing"),
                     **{f"excluded:{r}": reasons.count(r) for r in sorted(set(reasons))}})
    return pd.DataFrame(rows).fillna(0).set_index("source_id").astype(int)
