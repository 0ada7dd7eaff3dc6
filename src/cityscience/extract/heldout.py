"""Score the extractor on held-out test reports: reports its rules were not written on.

A held-out folder (``tests/fixtures/heldout/`` in the repository) holds the reports and
three tables: ``manifest.csv`` (file, region, year, encoding, kind), ``facts.csv`` (one row
per fact: file, line, value, value_high, unit, status, measure, qualifier, year, label_zh,
evidence, note) and ``traps.csv`` (every other number). Each report goes to
:func:`~cityscience.extract.extract` as a user would give it: the path, region and report
year, nothing else (not the encoding, unless ``given_encoding``).

A candidate matches a fact when its value (and value_high) equal the fact's and its number
lies inside the fact's evidence on the fact's line. Each fact matches at most one candidate
and the other way round: first a maximum matching on rows right in every field, then one on
value alone among the rest. Per report and overall:

- full-row accuracy: facts whose candidate has value, unit, status, measure, qualifier and
  year all right / facts;
- value recall: facts with a candidate of the right value at the right place / facts;
- precision: candidates that match a fact / candidates.

``cityscience extract --evaluate`` prints this next to the in-sample score
(:mod:`.evaluate`); ``benchmarks/score_heldout.py`` prints it with ``--details`` and
checks the annotations themselves.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from pathlib import Path

from ..paths import project_root
from ..tables import read_csv_table

__all__ = ["FIELDS", "Report", "Score", "details", "heldout_dir", "load", "max_matching", "overall", "same", "score",
           "score_all", "table"]

MANIFEST_COLUMNS = ["file", "region", "year", "encoding", "kind"]
FACT_COLUMNS = ["file", "line", "value", "value_high", "unit", "status", "measure", "qualifier", "year",
                "label_zh", "evidence", "note"]
TRAP_COLUMNS = ["file", "line", "text", "reason", "note"]
FIELDS = ["unit", "status", "measure", "qualifier", "year"]


def heldout_dir() -> Path:
    """The repository's held-out reports (``tests/fixtures/heldout/``)."""
    return project_root() / "tests" / "fixtures" / "heldout"


@dataclass
class Report:
    """One held-out report: its manifest row, decoded text, facts and traps."""

    file: str
    region: str
    year: int
    encoding: str
    kind: str
    text: str
    folder: Path
    facts: list[dict] = field(default_factory=list)
    traps: list[dict] = field(default_factory=list)
    line_starts: list[int] = field(default_factory=list)

    def line_span(self, line: int) -> tuple[int, int]:
        """Offsets of a 1-based line (without its newline); (-1, -1) when out of range."""
        if not 1 <= line < len(self.line_starts):
            return -1, -1
        return self.line_starts[line - 1], self.line_starts[line] - 1

    def spans_on_line(self, line: int, needle: str) -> list[tuple[int, int]]:
        """Every occurrence of ``needle`` on ``line``, as offsets into the whole text."""
        lo, hi = self.line_span(line)
        out, at = [], self.text.find(needle, lo, hi) if needle and lo >= 0 else -1
        while at >= 0:
            out.append((at, at + len(needle)))
            at = self.text.find(needle, at + 1, hi)
        return out


def _read(folder: Path, name: str, columns: list[str]) -> list[dict]:
    table, problems = read_csv_table(folder / name, str(folder / name), columns, set(columns))
    if problems:
        raise ValueError("\n".join(str(p) for p in problems))
    return [dict(row, _line=str(line)) for row, line in zip(table.rows, table.lines, strict=True)]


def _number(text: str) -> float | None:
    return float(text) if text.strip() else None


def load(folder: Path | None = None) -> list[Report]:
    """The reports of ``manifest.csv`` with their facts and traps (values parsed, text decoded).

    Raises:
        ValueError: a table that cannot be read, naming file, line and column.
    """
    folder = Path(folder) if folder is not None else heldout_dir()
    reports = []
    facts, traps = _read(folder, "facts.csv", FACT_COLUMNS), _read(folder, "traps.csv", TRAP_COLUMNS)
    for row in _read(folder, "manifest.csv", MANIFEST_COLUMNS):
        text = (folder / row["file"]).read_bytes().decode(row["encoding"])
        rep = Report(row["file"], row["region"], int(row["year"]), row["encoding"], row["kind"], text, folder)
        rep.line_starts = [0] + [m.end() for m in re.finditer("\n", text)] + [len(text) + 1]
        for f in facts:
            if f["file"] == row["file"]:
                rep.facts.append(dict(f, line=int(f["line"]), value=_number(f["value"]),
                                      value_high=_number(f["value_high"]), year=int(f["year"])))
        rep.traps = [dict(t, line=int(t["line"])) for t in traps if t["file"] == row["file"]]
        reports.append(rep)
    return reports


def same(a: float | None, b: float | None) -> bool:
    """Two optional values are equal (to rounding)."""
    if a is None or b is None:
        return a is None and b is None
    return math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-9)


def max_matching(edges: dict[int, list[int]], taken: set[int] | frozenset[int] = frozenset()) -> dict[int, int]:
    """Maximum bipartite matching (augmenting paths), fact → candidate, avoiding the candidates ``taken``;
    facts are tried in the order of ``edges``. Both evaluations (in-sample and held-out) pair with it."""
    owner: dict[int, int] = {}

    def assign(g: int, seen: set[int]) -> bool:
        for c in edges.get(g, []):
            if c in seen or c in taken:
                continue
            seen.add(c)
            if c not in owner or assign(owner[c], seen):
                owner[c] = g
                return True
        return False

    for g in edges:
        assign(g, set())
    return {g: c for c, g in owner.items()}


def _candidate_rows(df) -> list[dict]:
    import pandas as pd

    from ..numbers import normalize

    def opt(v):
        return None if v is None or v is pd.NA or (isinstance(v, float) and math.isnan(v)) else v

    rows = []
    for r in df.to_dict("records"):
        pos = [int(r["value_start"])]
        if isinstance(r["restated_at"], str):
            pos += [int(p) for p in r["restated_at"].split(";")]
        unit = opt(r["unit"])
        year = opt(r["year"])
        rows.append({"value": float(r["value"]), "value_high": None if opt(r["value_high"]) is None
                     else float(r["value_high"]), "unit": normalize(unit) if unit else "",
                     "status": opt(r["status"]), "measure": opt(r["measure"]),
                     "qualifier": opt(r["qualifier"]), "year": None if year is None else int(year),
                     "positions": pos, "label_zh": opt(r["label_zh"]), "evidence": opt(r["evidence"]),
                     "line": int(r["line"]), "unit_std": opt(r["unit_std"]), "reason": opt(r["reason"])})
    return rows


@dataclass
class Score:
    """The outcome on one report (or the sum over several: ``file`` is ``overall``)."""

    file: str
    facts: int
    candidates: int
    full: int
    value: int
    error: str | None = None
    wrong: list[tuple[dict, dict]] = field(default_factory=list)
    missed: list[dict] = field(default_factory=list)
    spurious: list[dict] = field(default_factory=list)

    @property
    def full_row(self) -> float:
        return self.full / self.facts if self.facts else 1.0

    @property
    def value_recall(self) -> float:
        return self.value / self.facts if self.facts else 1.0

    @property
    def precision(self) -> float:
        return self.value / self.candidates if self.candidates else 1.0


def score(rep: Report, *, given_encoding: bool = False) -> Score:
    """Run the extractor on one report and compare its candidates with the facts."""
    from .core import extract
    from .reading import ExtractError

    try:
        df = extract(rep.folder / rep.file, region=rep.region, year=rep.year,
                     encoding=rep.encoding if given_encoding else None)
    except ExtractError as exc:
        return Score(rep.file, len(rep.facts), 0, 0, 0, error=str(exc).replace(str(rep.folder) + "/", ""),
                     missed=list(rep.facts))
    cands = _candidate_rows(df)
    spans = [rep.spans_on_line(f["line"], f["evidence"]) for f in rep.facts]
    value_edges: dict[int, list[int]] = {}
    full_edges: dict[int, list[int]] = {}
    for fi, f in enumerate(rep.facts):
        for ci, c in enumerate(cands):
            if not (same(f["value"], c["value"]) and same(f["value_high"], c["value_high"])):
                continue
            if not any(a <= p < b for p in c["positions"] for a, b in spans[fi]):
                continue
            value_edges.setdefault(fi, []).append(ci)
            if all(f[k] == c[k] for k in FIELDS):
                full_edges.setdefault(fi, []).append(ci)
    full = max_matching(full_edges)  # (edges in fact order)
    rest = {fi: cs for fi, cs in value_edges.items() if fi not in full}
    partial = max_matching(rest, set(full.values()))
    used = set(full.values()) | set(partial.values())
    return Score(rep.file, len(rep.facts), len(cands), len(full), len(full) + len(partial),
                 wrong=[(rep.facts[fi], cands[ci]) for fi, ci in sorted(partial.items())],
                 missed=[f for fi, f in enumerate(rep.facts) if fi not in full and fi not in partial],
                 spurious=[c for ci, c in enumerate(cands) if ci not in used])


def score_all(folder: Path | None = None, *, given_encoding: bool = False) -> list[Score]:
    """:func:`score` for every report of the folder, in manifest order."""
    return [score(r, given_encoding=given_encoding) for r in load(folder)]


def overall(scores: list[Score]) -> Score:
    """The sum of several scores."""
    return Score("overall", sum(s.facts for s in scores), sum(s.candidates for s in scores),
                 sum(s.full for s in scores), sum(s.value for s in scores))


def _ratio(a: int, b: int) -> str:
    return f"{a / b:.3f}" if b else "  -  "


def table(scores: list[Score]) -> str:
    """The per-report and overall table as printed."""
    head = f"{'report':<38} {'facts':>5} {'cands':>5} {'full-row':>8} {'value rec':>9} {'precision':>9}"
    lines = [head, "-" * len(head)]
    for s in [*scores, overall(scores)]:
        if s.file == "overall":
            lines.append("-" * len(head))
        lines.append(f"{s.file:<38} {s.facts:>5} {s.candidates:>5} {_ratio(s.full, s.facts):>8} "
                     f"{_ratio(s.value, s.facts):>9} {_ratio(s.value, s.candidates):>9}"
                     + ("   (refused: see below)" if s.error else ""))
    return "\n".join(lines)


def _show(row: dict) -> str:
    high = f"~{row['value_high']:g}" if row.get("value_high") is not None else ""
    return (f"{row['value']:g}{high} {row['unit'] or '-'} {row['status']}/{row['measure']}/{row['qualifier']}/"
            f"{row['year']}")


def details(scores: list[Score]) -> str:
    """Every wrong, missed and extra row, per report."""
    out = []
    for s in scores:
        out.append(f"\n== {s.file}")
        if s.error:
            out.append(f"   refused: {s.error}")
        for f, c in s.wrong:
            diff = ", ".join(f"{k} {c[k]!r} (want {f[k]!r})" for k in FIELDS if f[k] != c[k])
            out.append(f"   wrong   line {f['line']:>2}  {_show(f):<42} got {diff}   «{f['evidence']}»")
        for f in s.missed:
            out.append(f"   missed  line {f['line']:>2}  {_show(f):<42} «{f['evidence']}»")
        for c in s.spurious:
            out.append(f"   extra   line {c['line']:>2}  {_show(c):<42} «{c['evidence']}»")
    return "\n".join(out)
