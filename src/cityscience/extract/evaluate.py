"""Precision and recall of the extractor against the curated observations.

The extractor runs on each raw document exactly as a user would run it on a
new report (with the document's region and report year, nothing else); only
afterwards are its candidates compared with the curated rows. A candidate
matches a curated row when value, value_high, unit, status, measure and
qualifier are equal and the candidate's number lies inside an occurrence of
the curated evidence in the raw text (so a right value found in the wrong
sentence does not count). Each curated row matches at most one candidate and
the other way round (a maximum bipartite matching).

Run it as ``cityscience extract --evaluate`` or ``python -m cityscience.extract.evaluate``.
"""

from __future__ import annotations

import math
import sys
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from ..paths import data_dir
from ..tables import read_csv_table, relpath
from .core import extract
from .heldout import max_matching

__all__ = ["Evaluation", "evaluate"]

_KEY = ["value", "value_high", "unit", "status", "measure", "qualifier"]
# The columns read from the curated tables (others are read too, and ignored).
_SOURCE_COLUMNS = ["source_id", "region", "report_year", "file_name"]
_OBS_COLUMNS = ["obs_id", "source_id", "year", *_KEY, "evidence"]


@dataclass
class Evaluation:
    """The outcome of :func:`evaluate`.

    Attributes:
        per_document: source_id, curated, candidates, matched, precision, recall (one row per
            document, then an ``overall`` row).
        missed: curated rows that no candidate matched.
        spurious: candidates that matched no curated row.
        matched: the matched pairs (curated obs_id next to the candidate's offsets).
        year_agreement: share of matched pairs whose years also agree.
        warnings: anything the reader should know (e.g. curated data failing validation).
    """

    per_document: pd.DataFrame
    missed: pd.DataFrame
    spurious: pd.DataFrame
    matched: pd.DataFrame
    year_agreement: float
    warnings: list[str] = field(default_factory=list)

    @property
    def precision(self) -> float:
        return float(self.per_document.set_index("source_id").loc["overall", "precision"])

    @property
    def recall(self) -> float:
        return float(self.per_document.set_index("source_id").loc["overall", "recall"])


def _num(text) -> float | None:
    if text is None or (isinstance(text, float) and math.isnan(text)) or text is pd.NA or text == "":
        return None
    return round(float(text), 9)


def _key(row) -> tuple:
    return (_num(row["value"]), _num(row["value_high"]), str(row["unit"]), str(row["status"]),
            str(row["measure"]), str(row["qualifier"]))


def _read_rows(path: Path, root: Path, columns: list[str]) -> list[dict[str, str]]:
    """The rows of a curated CSV as text, every column in ``columns`` present (empty if missing).

    Problems of the file are not repeated here: the validation warning reports them.
    """
    table, _ = read_csv_table(path, relpath(path, root.parent), columns, set())
    return table.rows


def _curated(root: Path, warnings: list[str]) -> tuple[list[dict], list[dict]]:
    """Sources and observations; validated when the data pass, read as they are otherwise."""
    from ..validate import check

    checked = check(root)
    if checked.problems:
        warnings.append(f"the curated data currently fail validation ({len(checked.problems)} problems, "
                        f"first: {checked.problems[0]}); evaluating against the rows as they are")
    sources = _read_rows(root / "sources.csv", root, _SOURCE_COLUMNS)
    observations: list[dict] = []
    for path in sorted((root / "observations").glob("*.csv")):
        observations.extend(_read_rows(path, root, _OBS_COLUMNS))
    return sources, observations


def _spans(raw: str, evidence: str) -> list[tuple[int, int]]:
    out, start = [], raw.find(evidence) if evidence else -1
    while start >= 0:
        out.append((start, start + len(evidence)))
        start = raw.find(evidence, start + 1)
    return out


def evaluate(root: Path | None = None, *, sources: list[str] | None = None, location: bool = True,
             give_year: bool = True, progress: bool = False) -> Evaluation:
    """Run the extractor on every raw document and compare with the curated observations.

    Args:
        root: data folder (default: the repository's ``data/``).
        sources: only these source_ids (default: all in ``sources.csv``).
        location: also require the candidate to lie inside the curated evidence (default).
        give_year: pass each document's report year as a user would with ``--year``;
            False lets the extractor infer it from the text.
        progress: print one line per document to stderr.
    """
    root = Path(root) if root is not None else data_dir()
    warnings: list[str] = []
    source_rows, obs_rows = _curated(root, warnings)
    stats, missed, spurious, matched = [], [], [], []
    agree = total_pairs = 0
    for src in source_rows:
        sid = src["source_id"]
        if sources and sid not in sources:
            continue
        raw_path = root / "raw" / src["file_name"]
        raw = raw_path.read_bytes().decode("utf-8")
        year = int(src["report_year"]) if give_year and src.get("report_year", "").isdigit() else None
        cands = extract(raw, region=src["region"], year=year, source_id=sid)
        gold = [r for r in obs_rows if r.get("source_id") == sid]
        gold_keys = [_key(r) for r in gold]
        gold_spans = [_spans(raw, r.get("evidence", "")) for r in gold]
        cand_keys = [_key(r) for _, r in cands.iterrows()]
        cand_pos = []
        for _, r in cands.iterrows():
            pos = [int(r["value_start"])]
            if isinstance(r["restated_at"], str):
                pos += [int(p) for p in r["restated_at"].split(";")]
            cand_pos.append(pos)
        edges: dict[int, list[int]] = {}
        for gi, gk in enumerate(gold_keys):
            for ci, ck in enumerate(cand_keys):
                if gk != ck:
                    continue
                if location and not any(a <= p < b for p in cand_pos[ci] for a, b in gold_spans[gi]):
                    continue
                edges.setdefault(gi, []).append(ci)
        pairs = max_matching(edges)
        used = set(pairs.values())
        for gi, ci in pairs.items():
            g, c = gold[gi], cands.iloc[ci]
            total_pairs += 1
            agree += str(g.get("year")) == str(c["year"])
            matched.append({"source_id": sid, "obs_id": g.get("obs_id"), "value": c["value"], "unit": c["unit"],
                            "gold_year": g.get("year"), "year": c["year"], "evidence": g.get("evidence"),
                            "value_start": c["value_start"]})
        for gi, g in enumerate(gold):
            if gi not in pairs:
                missed.append({"source_id": sid, **{k: g.get(k) for k in
                               ["obs_id", "year", "measure", "status", "qualifier", "value", "value_high", "unit",
                                "evidence"]}})
        for ci in range(len(cands)):
            if ci not in used:
                spurious.append(cands.iloc[ci].to_dict())
        n_m = len(pairs)
        stats.append({"source_id": sid, "curated": len(gold), "candidates": len(cands), "matched": n_m,
                      "precision": n_m / len(cands) if len(cands) else 1.0,
                      "recall": n_m / len(gold) if gold else 1.0})
        if progress:
            print(f"{sid}: {n_m}/{len(gold)} curated found, {len(cands)} candidates", file=sys.stderr)
    per_doc = pd.DataFrame(stats, columns=["source_id", "curated", "candidates", "matched", "precision", "recall"])
    tot = per_doc[["curated", "candidates", "matched"]].sum()
    overall = {"source_id": "overall", "curated": int(tot["curated"]), "candidates": int(tot["candidates"]),
               "matched": int(tot["matched"]),
               "precision": tot["matched"] / tot["candidates"] if tot["candidates"] else 1.0,
               "recall": tot["matched"] / tot["curated"] if tot["curated"] else 1.0}
    per_doc = pd.concat([per_doc, pd.DataFrame([overall])], ignore_index=True)
    return Evaluation(per_doc, pd.DataFrame(missed), pd.DataFrame(spurious), pd.DataFrame(matched),
                      agree / total_pairs if total_pairs else 1.0, warnings)
