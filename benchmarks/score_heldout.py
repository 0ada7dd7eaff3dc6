"""Score the extractor on the held-out test reports (tests/fixtures/heldout/), written for issue 12.

The reports were written and annotated (facts.csv, traps.csv) before any extraction rule was
changed for them, so this is an out-of-sample score. Loading and scoring are the library's
(:mod:`cityscience.extract.heldout`, also used by ``cityscience extract --evaluate``); this
script prints the table, every wrong row (``--details``) and checks the annotations.

    .venv/bin/python benchmarks/score_heldout.py              # the table
    .venv/bin/python benchmarks/score_heldout.py --details    # and every wrong or missing row
    .venv/bin/python benchmarks/score_heldout.py --check      # check the annotations themselves
    .venv/bin/python benchmarks/score_heldout.py --heldout tests/fixtures/heldout-2   # the second set

``--check`` proves the annotations: every evidence occurs on its line of the decoded report,
states its value, and every number of every report is a fact or a trap.
"""

from __future__ import annotations

import argparse
import bisect
import math
import sys
from pathlib import Path

from cityscience.extract.heldout import Report, details, load, same, score, table

# Units the reports use that units.csv does not hold (each such fact says so in its note).
EXTRA_UNITS = {"只"}


# ---------------------------------------------------------------------------------------------
# Checking the annotations


def _token_matches(tok, value: float | None) -> bool:
    """A number token is the written form of ``value`` (also 下降N for a negative value)."""
    if value is None or math.isnan(tok.value):
        return False
    return same(tok.value, value) or value < 0 and same(tok.value, -value)


def _vocabulary() -> tuple[dict[str, set[str]], set[str]]:
    """The codebook's vocabularies (code sets) and units, through the library's loader."""
    from cityscience.load import load_measurement_units, load_vocabularies

    vocab = load_vocabularies()
    codes = {name: set(group["code"].astype(str)) for name, group in vocab.groupby("vocabulary", observed=True)}
    return codes, set(load_measurement_units()["unit"].astype(str))


def _tokens_in(starts: list[int], span: tuple[int, int]) -> range:
    """Indices of the tokens (by start offset) that start inside ``span``."""
    return range(bisect.bisect_left(starts, span[0]), bisect.bisect_left(starts, span[1]))


def check(reports: list[Report]) -> list[str]:
    """Problems with the annotations (empty when every fact and trap is right and complete)."""
    from cityscience.numbers import find_numbers
    from cityscience.validate import value_in_text

    vocab, units = _vocabulary()
    allowed = {"status": vocab["status"], "measure": vocab["measure"],
               "qualifier": vocab["qualifier"], "unit": units | EXTRA_UNITS}
    problems: list[str] = []
    for rep in reports:
        if rep.encoding != "utf-8":
            try:
                (rep.folder / rep.file).read_bytes().decode("utf-8")
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
                if v is not None and not value_in_text(v, f["evidence"]):
                    problems.append(f"{where}: the evidence does not state {v} (cityscience.validate.value_in_text)")
            hit = False
            for span in spans:
                for i in _tokens_in(starts, span):
                    if _token_matches(tokens[i], f["value"]) or _token_matches(tokens[i], f["value_high"]):
                        covered[i] = hit = True
            if not hit and f["measure"] == "multiple":  # 翻一番 states 2 (翻两番 4) with the token 一 (两)
                for span in spans:
                    for i in _tokens_in(starts, span):
                        if rep.text[max(0, tokens[i].start - 2):tokens[i].start].endswith(("翻", "翻了")):
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
    return problems


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--details", action="store_true", help="list every wrong, missed and extra row")
    parser.add_argument("--check", action="store_true", help="check the annotations instead of scoring")
    parser.add_argument("--heldout", metavar="DIR", type=Path, default=None,
                        help="a folder of reports with manifest.csv, facts.csv and traps.csv "
                             "(default: tests/fixtures/heldout)")
    parser.add_argument("--given-encoding", action="store_true",
                        help="pass the manifest's encoding to extract() (default: detect, as a user would)")
    args = parser.parse_args(argv)
    reports = load(args.heldout)
    if args.check:
        problems = check(reports)
        n_facts = sum(len(r.facts) for r in reports)
        n_traps = sum(len(r.traps) for r in reports)
        for rep in reports:
            print(f"{rep.file:<38} {len(rep.facts):>3} facts {len(rep.traps):>3} traps  ({rep.encoding}, {rep.kind})")
        print(f"{'total':<38} {n_facts:>3} facts {n_traps:>3} traps")
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
