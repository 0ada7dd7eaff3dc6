"""``cityscience export xlsx|figures|readers``: the workbook, the chart pack and the documents' reader pages."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from ..atomic import OutputError, check_writable
from ..conventions import FIGURE_FORMATS, LANGUAGES
from ..paths import build_dir, figures_dir
from ..problems import ValidationError
from . import add_data_argument

__all__ = ["add_arguments", "run"]


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Declare the options of ``cityscience export`` on ``parser``."""
    parser.description = (
        "Export the curated data for policy writers: `export xlsx` writes a filtered, cited Excel workbook; "
        "`export figures` writes a zip of the charts with an index (title, sources, notebook); "
        "`export readers` writes each document's reader page (its text, every value's sentence marked). "
        "Outputs are written atomically: if anything fails, an earlier file stays as it was.")
    sub = parser.add_subparsers(dest="what", metavar="WHAT", required=True)
    x = sub.add_parser("xlsx", help="an Excel workbook: README, observations, a sheet per region, codebook, "
                       "sources, consistency flags and the data behind each figure",
                       description="Write the Excel workbook. The same data always give the same file.")
    x.add_argument("-o", "--output", type=Path, default=None, metavar="FILE",
                   help="workbook to write (default: build/cityscience-<lang>.xlsx)")
    _common(x)
    x.add_argument("--no-figures", action="store_true",
                   help="leave out the sheets with the data behind each figure")
    f = sub.add_parser("figures", help="a zip of the figures in one language and format, with an index",
                       description="Pack the figures the last `cityscience build` published, in the chosen "
                       "language and format, with an index (title, sources, notebook), into one zip file. "
                       "Figures are never drawn here: when they are missing or not indexed, run "
                       "`cityscience build` first.")
    f.add_argument("-o", "--output", type=Path, default=None, metavar="FILE",
                   help="zip to write (default: build/cityscience-figures-<region|all>-<lang>-<format>.zip)")
    f.add_argument("--region", default=None, metavar="R",
                   help="only figures about region R (a code from regions.csv, e.g. ningbo); default: all")
    f.add_argument("--format", choices=FIGURE_FORMATS, default="png", dest="fmt",
                   help="image format (default: png)")
    _common(f)
    r = sub.add_parser("readers", help="each document's reader page: its full text, every curated value's "
                       "sentence highlighted and anchored by obs_id, every number marked",
                       description="Write the reader pages the figures' values link to, without running the "
                       "notebooks (`cityscience build` writes them too): one self-contained HTML file per "
                       "document. Only pages whose bytes change are written; a page of a document no "
                       "longer in the data is removed.")
    r.add_argument("-o", "--output", type=Path, default=None, metavar="DIR",
                   help="folder to write into (default: build/readers, where the figures' links point)")
    add_data_argument(r)


def _common(p: argparse.ArgumentParser) -> None:
    p.add_argument("--lang", choices=LANGUAGES, default="zh", help="language of labels and text (default: zh)")
    add_data_argument(p)


def _fail(lines: list[str], summary: str) -> int:
    for line in lines:
        print(line, file=sys.stderr)
    print(summary, file=sys.stderr)
    return 1


def run(args: argparse.Namespace) -> int:
    """Run ``cityscience export`` with the parsed options; returns the exit code."""
    # imported here, not at the top: they load openpyxl, which every other command can do without
    from ..cells import CellError
    from ..export.figures import ChartPackError

    try:
        return {"xlsx": _xlsx, "figures": _figures, "readers": _readers}[args.what](args)
    except ValidationError as exc:
        n = len(exc.problems)
        return _fail([str(p) for p in exc.problems],
                     f"{n} problem{'s' if n != 1 else ''} in the data; nothing was exported "
                     f"(run `cityscience validate` after fixing them)")
    except (OutputError, CellError, ChartPackError) as exc:
        return _fail([str(exc)], "nothing was exported; any earlier output is unchanged")
    except OSError as exc:
        return _fail([f"{exc.filename or ''}: {exc.strerror or exc}"],
                     "nothing was exported; any earlier output is unchanged")


def _xlsx(args: argparse.Namespace) -> int:
    from ..export.figures import figure_data
    from ..export.workbook import write_workbook
    from ..load import validated

    out = args.output if args.output is not None else build_dir() / f"cityscience-{args.lang}.xlsx"
    check_writable(out)  # before any work: a folder or an unwritable place fails at once
    validated(args.data)  # the data first: a broken data folder is the problem to report, not the figures
    figures = [] if args.no_figures else figure_data(args.data, lang=args.lang)
    write_workbook(out, args.data, args.lang, figures)
    print(f"wrote {out} ({len(figures)} figure data sheet{'s' if len(figures) != 1 else ''})")
    return 0


def _check_built(folder: Path, output: Path) -> None:
    """Refuse a figures folder a build is still writing, or whose published figures are missing or changed."""
    from ..atomic import lock_holder
    from ..build import unpublished_figures
    from ..export.figures import ChartPackError

    run_build = "run `cityscience build` to publish the figures, then export again"
    holder = lock_holder(output)
    if holder is not None:
        raise ChartPackError(f"{output}: a build is running ({holder}); expected the figures it publishes: "
                             "wait for it to finish and export again")
    stale = unpublished_figures(folder, output)
    if stale:
        shown = ", ".join(stale[:8]) + (f" … ({len(stale)} in all)" if len(stale) > 8 else "")
        raise ChartPackError(f"{folder}: figures the last build published are missing or changed: {shown}; "
                             f"expected the build's figures ({run_build})")


def _readers(args: argparse.Namespace) -> int:
    from ..export.readers import write_reader_pages
    from ..paths import readers_dir

    folder = args.output if args.output is not None else readers_dir()
    check_writable(folder / "page.html")  # a folder that can be made and written into, before the pages are made
    written = write_reader_pages(folder, args.data)
    total = len(list(folder.glob("*.html")))
    print(f"wrote {len(written)} of {total} reader page{'s' if total != 1 else ''} into {folder} "
          f"({total - len(written)} unchanged)")
    return 0


def _figures(args: argparse.Namespace) -> int:
    from ..export.figures import check_pack_region, write_chart_pack

    name = f"cityscience-figures-{args.region or 'all'}-{args.lang}-{args.fmt}.zip"
    out = args.output if args.output is not None else build_dir() / name
    check_writable(out)
    check_pack_region(args.region, args.data)  # a mistyped region first, whatever state the figures are in
    _check_built(figures_dir(), build_dir())
    pack = write_chart_pack(out, root=args.data, region=args.region, lang=args.lang, fmt=args.fmt)
    print(f"wrote {out}: {pack.count} figure{'s' if pack.count != 1 else ''} ({args.fmt}, {args.lang})")
    return 0
