"""``cityscience validate``: check the whole data folder and report every problem."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from ..accounting import accounting_problems
from ..validate import check

__all__ = ["add_arguments", "run"]


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--data", type=Path, default=None,
                        help="data folder to check (default: the repository's data/ or $CITYSCIENCE_DATA)")
    parser.add_argument("--no-accounting", action="store_true",
                        help="skip the check that every number in the raw text is curated or excluded")


def run(args: argparse.Namespace) -> int:
    checked = check(args.data)
    problems = [str(p) for p in checked.problems] if args.no_accounting else accounting_problems(checked)
    for p in problems:
        print(p, file=sys.stderr)
    total = len(problems)
    if total:
        print(f"{total} problem{'s' if total != 1 else ''} found in {checked.root}", file=sys.stderr)
        return 1
    n_obs = len(checked.observations.rows)
    print(f"ok: {n_obs} observations from {len(checked.raw_texts)} documents; every number accounted for"
          if not args.no_accounting else f"ok: {n_obs} observations from {len(checked.raw_texts)} documents")
    return 0
