"""``cityscience accept``: apply a reviewed add-report workbook to the data folder, all sheets or nothing.

    cityscience accept review.xlsx --dry-run     # what would change
    cityscience accept review.xlsx
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from . import add_data_argument

__all__ = ["add_arguments", "run"]


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Declare the options of ``cityscience accept`` on ``parser``."""
    parser.description = (
        "Apply every sheet of a review workbook written by add-report: the raw file is stored, the rows are "
        "appended to their tables and the data dictionary is regenerated, after the full validation of the "
        "result passed. Any problem is reported by sheet, row and column, and nothing is changed. "
        "To take an accepted report out again in a git checkout (before you commit it): "
        "git checkout -- data docs figures && git clean -fd data figures, then make build (or cityscience build, "
        "then cityscience export xlsx --lang zh and --lang en).")
    parser.add_argument("workbook", type=Path, metavar="REVIEW.xlsx", help="the reviewed workbook")
    parser.add_argument("--dry-run", action="store_true", help="check and print what would change; write nothing")
    add_data_argument(parser)


def run(args: argparse.Namespace) -> int:
    """Run ``cityscience accept`` with the parsed options; returns the exit code."""
    from ..report import AcceptError, accept

    if not args.workbook.exists():
        print(f"cityscience accept: {args.workbook}: no such file (expected the workbook add-report wrote)",
              file=sys.stderr)
        return 1
    try:
        done = accept(args.workbook, data=args.data, dry_run=args.dry_run)
    except AcceptError as exc:
        print(f"cityscience accept: {exc}", file=sys.stderr)
        return 1
    for note in done.notes:
        print(f"note: {note}", file=sys.stderr)
    verb = "would write" if done.dry_run else "wrote"
    rows = ", ".join(f"{n} {table}" for table, n in done.rows.items())
    print(f"{verb} {len(done.files)} files ({rows}):")
    for path in done.files:
        print(f"  {path}")
    if done.dry_run:
        print("dry run: nothing was changed")
    return 0
