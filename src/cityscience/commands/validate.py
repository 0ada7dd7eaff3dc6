"""``cityscience validate``: check the whole data folder and report every problem."""

from __future__ import annotations

import argparse
import sys

from ..conventions import untranslated_note
from ..problems import report_lines
from ..validate import check
from . import add_data_argument

__all__ = ["add_arguments", "run"]


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Declare the options of ``cityscience validate`` on ``parser``."""
    parser.description = (
        "Check every table of the data folder against the codebook (codebook/tables.csv and columns.csv), "
        "the raw documents and each other, and that every number of the raw texts is an observation or an "
        "exclusion. Every problem is listed with file, line, column, value and what was expected. English "
        "names a draft left '(to translate)' are valid, and counted in a note.")
    add_data_argument(parser, "data folder to check")
    parser.add_argument("--no-accounting", action="store_true",
                        help="skip the check that every number in the raw text is curated or excluded")


def run(args: argparse.Namespace) -> int:
    """Run ``cityscience validate`` with the parsed options; returns the exit code."""
    checked = check(args.data, accounting=not args.no_accounting)
    for line in report_lines(checked.problems):
        print(line, file=sys.stderr)
    total = len(checked.problems)
    if total:
        print(f"{total} problem{'s' if total != 1 else ''} found in {checked.root}", file=sys.stderr)
        if checked.deferred:
            print(f"note: the checks across tables (units, observations against their evidence and indicators, "
                  f"policy items, the accounting of every number) were not run: they read "
                  f"{', '.join(checked.deferred)}, which could not be read; run validate again once they can",
                  file=sys.stderr)
        elif checked.accounting_skipped:
            print(f"note: the accounting of every number was not run: it reads {', '.join(checked.accounting_skipped)}, "
                  "which have problems above in the columns it reads; run validate again once they are fixed", file=sys.stderr)
        return 1
    n_obs = len(checked.observations.rows)
    done = "; every number accounted for" if not args.no_accounting else ""
    print(f"ok: {n_obs} observations from {len(checked.raw_texts)} documents{done}")
    note = untranslated_note({name: table.rows for name, table in checked.tables.items()})
    if note:
        print(f"note: {note}: English charts and workbooks show them as they are; translate them in those "
              "tables", file=sys.stderr)
    return 0
