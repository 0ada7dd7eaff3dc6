"""``cityscience accounting``: every number of the raw text, curated or excluded, and what is left."""

from __future__ import annotations

import argparse
import sys

from ..validate import check
from ..validate.accounting import accounting_summary, unaccounted
from . import add_data_argument

__all__ = ["add_arguments", "run"]


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Declare the options of ``cityscience accounting`` on ``parser``."""
    parser.add_argument("--source", default=None, help="only this source_id (default: all)")
    add_data_argument(parser)
    parser.add_argument("--summary", action="store_true", help="print counts per source and reason instead")


def run(args: argparse.Namespace) -> int:
    """Run ``cityscience accounting`` with the parsed options; returns the exit code."""
    checked = check(args.data, accounting=False)
    if checked.problems:
        for p in checked.problems:
            print(p, file=sys.stderr)
        print(f"{len(checked.problems)} data problems: fix them first (cityscience validate); accounting needs "
              "sound tables", file=sys.stderr)
        return 1
    known = [r["source_id"] for r in checked.tables["sources"].rows]
    if args.source is not None and args.source not in known:
        print(f"cityscience accounting: --source {args.source!r}: expected a source_id of sources.csv: "
              f"{', '.join(known)}", file=sys.stderr)
        return 2
    if args.summary:
        table = accounting_summary(checked)
        if args.source:
            table = table.loc[[args.source]]
        print(table.T.to_string())
    missing = unaccounted(checked, args.source)
    for u in missing:
        print(u)
    print(f"{len(missing)} number{'s' if len(missing) != 1 else ''} not accounted for", file=sys.stderr)
    return 1 if missing else 0
