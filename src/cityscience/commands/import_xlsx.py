"""``cityscience import-xlsx FILE``: merge a contributor's workbook into the CSV files, if every row is valid."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from ..atomic import OutputError
from ..paths import data_dir
from . import add_data_argument

__all__ = ["add_arguments", "run"]


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Declare the options of ``cityscience import-xlsx`` on ``parser``."""
    parser.description = (
        "Read a workbook written by `cityscience export xlsx` (possibly edited or extended in Excel or "
        "LibreOffice), validate every new or edited row with the project's validator, and merge them into "
        "the CSV files only when all are valid. Rows missing from the workbook are kept (the import never "
        "deletes); unchanged rows keep their exact bytes. Every problem is listed with its sheet, row, "
        "column, value and what was expected.")
    parser.add_argument("file", type=Path, metavar="FILE", help="the workbook (.xlsx) to import")
    add_data_argument(parser, "data folder to merge into")
    parser.add_argument("--dry-run", action="store_true",
                        help="check everything and say what would change, but write nothing")


def run(args: argparse.Namespace) -> int:
    """Run ``cityscience import-xlsx`` with the parsed options; returns the exit code."""
    from ..export.merge import import_workbook  # loads openpyxl: only for this command
    from ..export.reader import WorkbookError

    root = args.data if args.data is not None else data_dir()
    if not args.file.is_file():
        print(f"{args.file}: expected an existing .xlsx file [missing_file]", file=sys.stderr)
        return 1
    try:
        result = import_workbook(args.file, root, dry_run=args.dry_run)
    except WorkbookError as exc:
        for p in exc.problems:
            print(p, file=sys.stderr)
        n = len(exc.problems)
        print(f"{n} problem{'s' if n != 1 else ''} found in {args.file}; no CSV file was changed",
              file=sys.stderr)
        return 1
    except OutputError as exc:
        print(f"{exc}; no CSV file was changed", file=sys.stderr)
        return 1
    except OSError as exc:
        print(f"{exc.filename or root}: cannot write the merged CSV files ({exc.strerror or exc}); "
              f"no CSV file was changed", file=sys.stderr)
        return 1
    if not result.changed:
        print(f"nothing to import: the table sheets of {args.file} match the CSV files in {root}")
    elif args.dry_run:
        print(f"dry run: {args.file} is valid; these changes would be merged into {root}:")
    else:
        print(f"merged {args.file} into {root} ({', '.join(result.files)}):")
    print(result.summary())
    return 0
