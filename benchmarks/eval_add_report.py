"""Evaluate add-report: leave-one-document-out on the curated documents, then the test reports.

    .venv/bin/python benchmarks/eval_add_report.py [--data DIR] [--reports DIR]

Prints per document and overall: code top-1/top-3 (rows whose curated code the other documents use),
new (rows whose code no other document uses that get a drafted new indicator), fields (status,
measure, qualifier, unit, year, value), exclusion reasons right, and whether the unedited draft is
accepted (full validation, every number accounted for). Exit status 1 when a goal of issue 11 is missed.
Same as ``cityscience add-report --evaluate``.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from cityscience.report.evaluate import main

ROOT = Path(__file__).resolve().parents[1]

if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=None, help="data folder (default: data/)")
    parser.add_argument("--reports", type=Path, default=ROOT / "tests" / "fixtures" / "reports",
                        help="folder of test reports with manifest.csv and facts.csv")
    args = parser.parse_args()
    sys.exit(main(args.data, args.reports))
