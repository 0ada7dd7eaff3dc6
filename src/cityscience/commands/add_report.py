"""``cityscience add-report``: draft one review workbook for a new report, or evaluate the drafts.

    cityscience add-report report.txt --region ningbo --year 2019 -o review.xlsx
    cityscience add-report report.txt --region qingxi --year 2019 --url https://… --retrieved 2024-05-01 -o r.xlsx
    cityscience add-report --evaluate        # leave-one-document-out on the curated documents
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from . import add_data_argument, parts_spec

__all__ = ["add_arguments", "run"]


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Declare the options of ``cityscience add-report`` on ``parser``."""
    parser.formatter_class = argparse.RawDescriptionHelpFormatter
    parser.epilog = (
        "The workbook has one sheet per table the report adds to (source, parts, candidates, new_indicators,\n"
        "exclusions, measures, region, bodies, units); each says in its first rows what to check.\n"
        "Shaded cells are drafts to check. A required cell the text does not give (the publication\n"
        "date, a new region's division code) is left empty, and a warning names it: fill it in.\n"
        "Review it, then run: cityscience accept REVIEW.xlsx (see docs/adding-a-new-report.md).\n"
        "Nothing in the repository changes until accept; the workbook can be drafted again at will.\n"
        "--parts SPEC replaces the detected parts, e.g. summary:0-,plan:\"二、2020年工作思路\"\n"
        "(see cityscience extract --help for the syntax).")
    parser.add_argument("file", nargs="?", type=Path, metavar="FILE",
                        help="the report (UTF-8, GB18030/GBK or Big5 text)")
    parser.add_argument("--region", help="region code (an existing one, or a new one: the region sheet drafts it)")
    parser.add_argument("--year", type=int, help="report year: the year the report sums up, or the year a plan is "
                        "for (default: from the title; a 2024年政府工作报告 sums up 2023)")
    parser.add_argument("--source-id", help="source_id of the new document (default: REGION-YEAR-KIND, KIND summary, plan or "
                        "summary-plan as the parts found; -2, -3 … when taken)")
    parser.add_argument("--url", help="where the text was taken from (sources.url)")
    parser.add_argument("--retrieved", help="when it was taken, YYYY-MM-DD (sources.retrieved)")
    parser.add_argument("--parts", metavar="SPEC", type=parts_spec, help="override the detected parts (see below)")
    parser.add_argument("-o", "--output", type=Path,
                        help="the review workbook to write (.xlsx); FILE, --region and -o are required unless --evaluate")
    add_data_argument(parser)
    parser.add_argument("--evaluate", action="store_true",
                        help="leave-one-document-out on the curated documents, then the test reports")


def run(args: argparse.Namespace) -> int:
    """Run ``cityscience add-report`` with the parsed options; returns the exit code."""
    if args.evaluate:
        from ..paths import project_root
        from ..report.evaluate import main

        return main(args.data, project_root() / "tests" / "fixtures" / "reports")
    from ..extract import ExtractError
    from ..report import draft, write_workbook

    if args.file is None or args.region is None or args.output is None:
        print("cityscience add-report: give FILE, --region and -o REVIEW.xlsx (or --evaluate); see --help",
              file=sys.stderr)
        return 2
    if args.output.suffix.lower() != ".xlsx":
        print(f"cityscience add-report: {args.output}: expected a workbook ending in .xlsx", file=sys.stderr)
        return 2
    try:
        d = draft(args.file, region=args.region, year=args.year, source_id=args.source_id, url=args.url,
                  retrieved=args.retrieved, parts=args.parts, data=args.data)
    except ExtractError as exc:
        print(f"cityscience add-report: refused: {exc}", file=sys.stderr)
        return 1
    for w in d.warnings:
        print(f"warning: {w}", file=sys.stderr)
    write_workbook(d, args.output)
    counts = ", ".join(f"{name} {len(s.rows)}" for name, s in d.sheets.items() if s.rows)
    unsure = sum(len(s.unsure) for s in d.sheets.values())
    print(f"{args.file}: {d.about.get('document', '')}")
    print(f"wrote {args.output}: source {d.source_id}; rows per sheet: {counts}; {unsure} cells marked for a check")
    print(f"review it, then: cityscience accept {args.output}")
    return 0
