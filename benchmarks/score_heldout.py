"""Score the extractor on the held-out test reports (tests/fixtures/heldout/), written for issue 12.

The reports were written and annotated (facts.csv, traps.csv) before any extraction rule was
changed for them, so this is an out-of-sample score. Each report is given to
``cityscience.extract.extract`` as a user would give it: the path, with the region and report
year of manifest.csv and nothing else (the encoding is not passed unless ``--given-encoding``).

A candidate matches a fact when its value (and value_high) equal the fact's and its number lies
inside the fact's evidence on the fact's line. Each fact matches at most one candidate and the
other way round: first a maximum matching on rows that are right in every field, then one on
value alone among the rest. Reported per report and overall:

- full-row accuracy: facts whose candidate has value, unit, status, measure, qualifier and year
  all right / facts;
- value recall: facts with a candidate of the right value at the right place / facts;
- precision: candidates that match a fact / candidates.

    .venv/bin/python benchmarks/score_heldout.py              # the table
    .venv/bin/python benchmarks/score_heldout.py --details    # and every wrong or missing row
    .venv/bin/python benchmarks/score_heldout.py --check      # check the annotations themselves

``--check`` proves the annotations: every evidence occurs on its line of the decoded report,
states its value, and every number of every report is a fact or a trap.
"""

from __future__ import annotations

import argparse
import bisect
import math
import re
import sys
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
HELDOUT = ROOT / "tests" / "fixtures" / "heldout"

MANIFEST_COLUMNS = ["file", "region", "year", "encoding", "kind"]
FACT_COLUMNS = ["file", "line", "value", "value_high", "unit", "status", "measure", "qualifier", "year",
                "label_zh", "evidence", "note"]
TRAP_COLUMNS = ["file", "line", "text", "reason", "note"]
FIELDS = ["unit", "status", "measure", "qualifier", "year"]
# rank_change is the measure issue 11 adds to the schema (较上年提高49位); the others are the codebook's.
EXTRA_MEASURES = {"rank_change"}
# Units the reports use that units.csv does not hold yet (each such fact says so in its note).
EXTRA_UNITS = {"万亿元", "万件", "万家", "人次", "只", "位"}


@dataclass
class Report:
    """One held-out report: its manifest row, decoded text, facts and traps."""

    file: str
    region: str
    year: int
    encoding: str
    kind: str
    text: str
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


def _read(name: str, columns: list[str]) -> list[dict]:
    from cityscience.tables import read_csv_table

    table, problems = read_csv_table(HELDOUT / name, f"tests/fixtures/heldout/{name}", columns, set(columns))
    if problems:
        raise SystemExit("\n".join(str(p) for p in problems))
    return [dict(row, _line=str(line)) for row, line in zip(table.rows, table.lines, strict=True)]


def _number(text: str) -> float | None:
    return float(text) if text.strip() else None


def load() -> list[Report]:
    """The reports of manifest.csv with their facts and traps (values parsed, text decoded)."""
    reports = []
    facts, traps = _read("facts.csv", FACT_COLUMNS), _read("traps.csv", TRAP_COLUMNS)
    for row in _read("manifest.csv", MANIFEST_COLUMNS):
        text = (HELDOUT / row["file"]).read_bytes().decode(row["encoding"])
        rep = Report(row["file"], row["region"], int(row["year"]), row["encoding"], row["kind"], text)
        rep.line_starts = [0] + [m.end() for m in re.finditer("\n", text)] + [len(text) + 1]
        for f in facts:
            if f["file"] == row["file"]:
                rep.facts.append(dict(f, line=int(f["line"]), value=_number(f["value"]),
                                      value_high=_number(f["value_high"]), year=int(f["year"])))
        rep.traps = [dict(t, line=int(t["line"])) for t in traps if t["file"] == row["file"]]
        reports.append(rep)
    return reports


def _same(a: float | None, b: float | None) -> bool:
    if a is None or b is None:
        return a is None and b is None
    return math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-9)


# ---------------------------------------------------------------------------------------------
# Checking the annotations


_SLASH = re.compile(r"(\d+)/(\d+)")
_DROP_WORDS = ("下降", "减少", "下滑", "回落")


def stated_forms(value: float, evidence: str) -> str | None:
    """How ``evidence`` states ``value``: 'text' (value_in_text), or a form value_in_text does
    not read yet ('百分之' for 百分之二十 = 20 %, 'slash' for 1/3, 'decrease' for 下降3.2% = -3.2);
    None when it is not stated."""
    from cityscience.numbers import normalize
    from cityscience.validate import value_in_text

    if value_in_text(value, evidence):
        return "text"
    norm = normalize(evidence)
    if "百分之" in norm and value_in_text(value / 100, evidence):
        return "百分之"
    if any(_same(value, int(a) / int(b)) for a, b in _SLASH.findall(norm) if int(b)):
        return "slash"
    if value < 0 and any(w in norm for w in _DROP_WORDS) and value_in_text(-value, evidence):
        return "decrease"
    return None


def _token_matches(tok, value: float | None) -> bool:
    """A number token is the written form of ``value`` (also 百分之N and 下降N)."""
    if value is None or math.isnan(tok.value):
        return False
    if _same(tok.value, value):
        return True
    if tok.kind == "fraction" and _same(tok.value * 100, value):
        return True  # 百分之二十 is read as the fraction 0.2; the fact is 20 %
    return value < 0 and _same(tok.value, -value)  # 下降3.2%


def _in_slash(text: str, span: tuple[int, int], pos: int, value: float) -> bool:
    """The token at ``pos`` is a digit of a fraction N/M inside ``span`` equal to ``value``."""
    return any(m.start() <= pos < m.end() and int(m.group(2)) and _same(int(m.group(1)) / int(m.group(2)), value)
               for m in _SLASH.finditer(text, span[0], span[1]))


def _vocabulary() -> tuple[dict[str, set[str]], set[str]]:
    """The codebook's vocabularies (code sets) and units, through the library's loader."""
    from cityscience.load import load_measurement_units, load_vocabularies

    vocab = load_vocabularies()
    codes = {name: set(group["code"].astype(str)) for name, group in vocab.groupby("vocabulary", observed=True)}
    return codes, set(load_measurement_units()["unit"].astype(str))


def _tokens_in(starts: list[int], span: tuple[int, int]) -> range:
    """Indices of the tokens (by start offset) that start inside ``span``."""
    return range(bisect.bisect_left(starts, span[0]), bisect.bisect_left(starts, span[1]))


def check(reports: list[Report]) -> tuple[list[str], list[str]]:
    """Problems with the annotations, and notes (facts stated in forms value_in_text misses)."""
    from cityscience.numbers import find_numbers

    vocab, units = _vocabulary()
    allowed = {"status": vocab["status"], "measure": vocab["measure"] | EXTRA_MEASURES,
               "qualifier": vocab["qualifier"], "unit": units | EXTRA_UNITS}
    problems: list[str] = []
    notes: list[str] = []
    for rep in reports:
        if rep.encoding != "utf-8":
            try:
                (HELDOUT / rep.file).read_bytes().decode("utf-8")
                problems.append(f"{rep.file}: declared {rep.encoding} but the bytes are also valid UTF-8")
            except UnicodeDecodeError:
                pass
        tokens = find_numbers(rep.text)
        covered = [False] * len(tokens)
        starts = [t.start for t in tokens]
        claimed: dict[tuple, str] = {}
        for f in rep.facts:
            where = f"{rep.file} facts line {f['_line']} (report line {f['line']}, value {f['value']})"
            for name, ok in allowed.items():
                if f[name] not in ok:
                    problems.append(f"{where}: {name} {f[name]!r} is not one of {sorted(ok)}")
            if (f["qualifier"] == "range") != (f["value_high"] is not None):
                problems.append(f"{where}: value_high is given exactly when the qualifier is range")
            if f["unit"] in EXTRA_UNITS and f["measure"] != "rank_change" and f["unit"] not in f["note"]:
                problems.append(f"{where}: unit {f['unit']} is not in units.csv; say so in the note")
            spans = rep.spans_on_line(f["line"], f["evidence"])
            if not spans:
                problems.append(f"{where}: evidence {f['evidence']!r} is not on that line of the decoded text")
                continue
            for v in (f["value"], f["value_high"]):
                if v is None:
                    continue
                form = stated_forms(v, f["evidence"])
                if form is None:
                    problems.append(f"{where}: the evidence does not state {v}")
                elif form != "text":
                    notes.append(f"{rep.file} line {f['line']}: {v} {f['unit']} is stated as {form} in "
                                 f"{f['evidence']!r}; cityscience.validate.value_in_text does not read it")
            hit = False
            for span in spans:
                for i in _tokens_in(starts, span):
                    if _token_matches(tokens[i], f["value"]) or _token_matches(tokens[i], f["value_high"]) \
                            or _in_slash(rep.text, span, tokens[i].start, f["value"]):
                        covered[i] = hit = True
            if not hit:
                problems.append(f"{where}: no number token of the evidence has the value")
            key = (f["line"], f["value"], f["value_high"], f["measure"], f["evidence"])
            if key in claimed:
                problems.append(f"{where}: the same fact is annotated twice")
            claimed[key] = where
        for t in rep.traps:
            where = f"{rep.file} traps line {t['_line']} (report line {t['line']}, {t['text']!r})"
            if t["reason"] not in vocab["exclusion_reason"]:
                problems.append(f"{where}: reason {t['reason']!r} is not an exclusion_reason")
            spans = rep.spans_on_line(t["line"], t["text"])
            if not spans:
                problems.append(f"{where}: the text is not on that line of the decoded text")
            inside = [i for span in spans for i in _tokens_in(starts, span) if tokens[i].end <= span[1]]
            if spans and not inside:
                problems.append(f"{where}: the text holds no number")
            for i in inside:
                covered[i] = True
        for tok, ok in zip(tokens, covered, strict=True):
            if not ok:
                line = bisect.bisect_right(rep.line_starts, tok.start)
                problems.append(f"{rep.file} line {line}: the number {tok.text!r} is neither a fact nor a trap")
    return problems, notes


# ---------------------------------------------------------------------------------------------
# Scoring


def _max_matching(edges: dict[int, list[int]], taken: set[int]) -> dict[int, int]:
    """Maximum bipartite matching (augmenting paths) fact → candidate, avoiding ``taken``."""
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

    for g in sorted(edges):
        assign(g, set())
    return {g: c for c, g in owner.items()}


def _candidate_rows(df) -> list[dict]:
    import pandas as pd

    from cityscience.numbers import normalize

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
                     "line": int(r["line"])})
    return rows


@dataclass
class Score:
    """The outcome on one report."""

    file: str
    facts: int
    candidates: int
    full: int
    value: int
    error: str | None = None
    wrong: list[tuple[dict, dict]] = field(default_factory=list)
    missed: list[dict] = field(default_factory=list)
    spurious: list[dict] = field(default_factory=list)


def score(rep: Report, *, given_encoding: bool = False) -> Score:
    """Run the extractor on one report and compare its candidates with the facts."""
    from cityscience.extract import ExtractError, extract

    try:
        df = extract(HELDOUT / rep.file, region=rep.region, year=rep.year,
                     encoding=rep.encoding if given_encoding else None)
    except ExtractError as exc:
        return Score(rep.file, len(rep.facts), 0, 0, 0, error=str(exc).replace(str(HELDOUT) + "/", ""),
                     missed=list(rep.facts))
    cands = _candidate_rows(df)
    spans = [rep.spans_on_line(f["line"], f["evidence"]) for f in rep.facts]
    value_edges: dict[int, list[int]] = {}
    full_edges: dict[int, list[int]] = {}
    for fi, f in enumerate(rep.facts):
        for ci, c in enumerate(cands):
            if not (_same(f["value"], c["value"]) and _same(f["value_high"], c["value_high"])):
                continue
            if not any(a <= p < b for p in c["positions"] for a, b in spans[fi]):
                continue
            value_edges.setdefault(fi, []).append(ci)
            if all(f[k] == c[k] for k in FIELDS):
                full_edges.setdefault(fi, []).append(ci)
    full = _max_matching(full_edges, set())
    rest = {fi: cs for fi, cs in value_edges.items() if fi not in full}
    partial = _max_matching(rest, set(full.values()))
    used = set(full.values()) | set(partial.values())
    return Score(rep.file, len(rep.facts), len(cands), len(full), len(full) + len(partial),
                 wrong=[(rep.facts[fi], cands[ci]) for fi, ci in sorted(partial.items())],
                 missed=[f for fi, f in enumerate(rep.facts) if fi not in full and fi not in partial],
                 spurious=[c for ci, c in enumerate(cands) if ci not in used])


def _ratio(a: int, b: int) -> str:
    return f"{a / b:.3f}" if b else "  -  "


def table(scores: list[Score]) -> str:
    """The per-report and overall table as printed."""
    head = f"{'report':<38} {'facts':>5} {'cands':>5} {'full-row':>8} {'value rec':>9} {'precision':>9}"
    lines = [head, "-" * len(head)]
    for s in [*scores, Score("overall", sum(s.facts for s in scores), sum(s.candidates for s in scores),
                             sum(s.full for s in scores), sum(s.value for s in scores))]:
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


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--details", action="store_true", help="list every wrong, missed and extra row")
    parser.add_argument("--check", action="store_true", help="check the annotations instead of scoring")
    parser.add_argument("--given-encoding", action="store_true",
                        help="pass the manifest's encoding to extract() (default: detect, as a user would)")
    args = parser.parse_args(argv)
    reports = load()
    if args.check:
        problems, notes = check(reports)
        n_facts = sum(len(r.facts) for r in reports)
        n_traps = sum(len(r.traps) for r in reports)
        for rep in reports:
            print(f"{rep.file:<38} {len(rep.facts):>3} facts {len(rep.traps):>3} traps  ({rep.encoding}, {rep.kind})")
        print(f"{'total':<38} {n_facts:>3} facts {n_traps:>3} traps")
        for n in notes:
            print("note:", n)
        for p in problems:
            print("problem:", p)
        print(f"{len(problems)} problems")
        return 1 if problems else 0
    scores = [score(r, given_encoding=args.given_encoding) for r in reports]
    print(table(scores))
    for s in scores:
        if s.error:
            print(f"\n{s.file} refused: {s.error}")
    if args.details:
        print(details(scores))
    return 0


if __name__ == "__main__":
    sys.exit(main())
