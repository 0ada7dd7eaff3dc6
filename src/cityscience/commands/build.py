"""``cityscience build``: validate the data, run every notebook, publish the figures."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from ..build import BuildError, build, default_workers

__all__ = ["add_arguments", "run"]


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Declare the options of ``cityscience build`` on ``parser``."""
    parser.description = (
        "Validate the data, execute the notebooks in notebooks/ (each once per language, the region profile "
        "also once per region) in parallel, write executed notebooks and HTML to build/, and publish figures to "
        "figures/ only when every notebook succeeded. A notebook execution whose inputs (the notebook, "
        "its parameters, the data, the library, requirements.lock, the font) and published figures are "
        "unchanged since the last build is skipped; a figure file is rewritten only when its bytes change. "
        "One build runs at a time per build folder: a second one waits for the first (then finds its work "
        "done), or with --no-wait refuses. Ctrl-C stops the notebooks and their kernels, removes the "
        "temporary files and exits with 130; figures/ keeps the last good build.")
    parser.add_argument("-j", "--jobs", type=int, default=None, metavar="N",
                        help=f"notebooks to run at once (default: one per core, here {default_workers()})")
    parser.add_argument("--only", nargs="+", default=(), metavar="PREFIX",
                        help="run only notebooks whose file name starts with PREFIX (e.g. 02 06-); "
                             "other notebooks' figures are kept")
    parser.add_argument("--notebooks", type=Path, default=None, metavar="DIR",
                        help="folder of notebooks (default: notebooks/)")
    parser.add_argument("--figures", type=Path, default=None, metavar="DIR",
                        help="where to publish figures (default: figures/ or $CITYSCIENCE_FIGURES)")
    parser.add_argument("--build-dir", type=Path, default=None, metavar="DIR",
                        help="folder for executed notebooks and HTML (default: build/ or $CITYSCIENCE_BUILD)")
    parser.add_argument("--timeout", type=float, default=600, metavar="SECONDS",
                        help="time limit for one cell (default: 600)")
    parser.add_argument("--no-validate", action="store_true", help="skip the data validation step")
    parser.add_argument("--no-html", action="store_true", help="do not render executed notebooks as HTML")
    parser.add_argument("--no-progress", action="store_true", help="no progress bar")
    parser.add_argument("--force", action="store_true",
                        help="run every notebook, even those whose inputs are unchanged")
    parser.add_argument("--no-wait", action="store_true",
                        help="when another build is running in the same build folder, exit 1 at once "
                             "instead of waiting for it")


def run(args: argparse.Namespace) -> int:
    """Run ``cityscience build`` with the parsed options; returns the exit code."""
    if args.jobs is not None and args.jobs < 1:
        print(f"--jobs {args.jobs}: expected a positive number", file=sys.stderr)
        return 2
    try:
        result = build(notebooks=args.notebooks, figures=args.figures, output=args.build_dir, only=args.only,
                       workers=args.jobs, validate=not args.no_validate, html=not args.no_html,
                       timeout=args.timeout, progress=not args.no_progress, force=args.force,
                       wait=not args.no_wait)
    except BuildError as err:
        print(f"build failed: {err}", file=sys.stderr)
        print("figures/ was left unchanged.", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("cityscience build: interrupted; the running notebooks and their kernels were stopped and the "
              "temporary files removed; figures/ keeps the last good build", file=sys.stderr)
        return 130
    for name, problems in result.layout.items():  # published, but a reader would see texts collide
        print(f"warning: figure {name}: texts overlap or leave the figure: {'; '.join(problems)}", file=sys.stderr)
    n_run, n_all = len(result.results), len(result.results) + len(result.skipped)
    folder = result.results[0].executed.parent if result.results else None
    print(f"ok: {n_run} of {n_all} notebook executions run in {result.seconds:.1f} s"
          + (f" ({len(result.skipped)} unchanged)" if result.skipped else "")
          + f"; {len(result.figures)} figure file{'s' if len(result.figures) != 1 else ''} updated"
          + (f", {len(result.removed)} stale removed" if result.removed else "")
          + (f"; {len(result.layout)} with texts that overlap (warnings above)" if result.layout else "")
          + (f"; executed notebooks in {folder}" if folder else ""))
    return 0
