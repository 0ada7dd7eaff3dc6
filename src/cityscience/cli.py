"""The ``cityscience`` command line: one subcommand per job, each in its own module.

Each command module provides ``add_arguments(parser)`` and ``run(args) -> int``;
register a new one in ``_COMMANDS``. :func:`main` catches what a command does
not: invalid data (the full report), a file or folder that cannot be read or
written (its name and why), Ctrl-C (exit 130) — so no command ends in a
traceback. Set ``CITYSCIENCE_DEBUG=1`` to see the traceback of an unexpected
error.

Exit codes: 0 done, 1 a problem in the input or the output, 2 a usage error,
130 interrupted.
"""

from __future__ import annotations

import argparse
import importlib
import os
import sys

from .atomic import OutputError
from .problems import ValidationError

__all__ = ["main"]

# name → (module, one-line help)
_COMMANDS: dict[str, tuple[str, str]] = {
    "validate": ("cityscience.commands.validate", "check every curated table and raw document; list all problems"),
    "accounting": ("cityscience.commands.accounting", "list numbers in the raw documents that are neither curated nor excluded"),
    "coverage": ("cityscience.commands.coverage", "print what the data cover: documents × regions × years × facts"),
    "docs": ("cityscience.commands.docs", "regenerate the data dictionary in docs/ from the codebook"),
    "build": ("cityscience.commands.build", "validate the data, run every notebook in parallel, publish figures/ and build/"),
    "export": ("cityscience.commands.export", "export an Excel workbook (xlsx), a chart pack (figures) or the documents' reader pages (readers)"),
    "import-xlsx": ("cityscience.commands.import_xlsx", "merge rows edited in an exported workbook back into the CSVs, if all are valid"),
    "extract": ("cityscience.commands.extract", "propose candidate observations from a new report (xlsx/csv review sheet), or --evaluate"),
    "add-report": ("cityscience.commands.add_report", "draft one review workbook with every row a new report adds, or --evaluate"),
    "accept": ("cityscience.commands.accept", "apply a reviewed add-report workbook to the data: all sheets or nothing"),
}


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="cityscience",
        description="Source-traced S&T indicators of Zhejiang jurisdictions: validate the data, "
        "run the notebooks, export figures and workbooks.",
    )
    parser.add_argument("--version", action="version", version=f"cityscience {_version()}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    for name, (module, help_text) in _COMMANDS.items():
        p = sub.add_parser(name, help=help_text, description=help_text[0].upper() + help_text[1:] + ".")
        p.set_defaults(_module=module)
        importlib.import_module(module).add_arguments(p)
    return parser


def _version() -> str:
    from . import __version__

    return __version__


def _os_error(name: str, exc: OSError) -> int:
    where = exc.filename or ""
    why = exc.strerror or str(exc) or type(exc).__name__
    print(f"cityscience {name}: {where}{': ' if where else ''}{why}; expected a readable input and a "
          "writable output (nothing was changed)", file=sys.stderr)
    return 1


def _reader_gone() -> bool:
    """Whether standard output is a pipe whose reading end was closed (poll reports an error on it)."""
    import select

    try:
        poller = select.poll()
        poller.register(sys.stdout.fileno(), select.POLLOUT)
        return any(events & select.POLLERR for _, events in poller.poll(0))
    except (AttributeError, OSError, ValueError):  # no poll (Windows), or stdout is not a file (captured)
        return False


def main(argv: list[str] | None = None) -> int:
    """Run the command line; returns the exit code (0 ok, 1 problems found, 2 usage, 130 interrupted)."""
    args = _parser().parse_args(argv)
    name = args.command
    try:
        return importlib.import_module(args._module).run(args)
    except KeyboardInterrupt:
        print(f"cityscience {name}: interrupted; nothing half-written was left in place", file=sys.stderr)
        return 130
    except ValidationError as exc:
        print(exc.report(), file=sys.stderr)
        return 1
    except OutputError as exc:
        print(f"cityscience {name}: {exc}; nothing was changed", file=sys.stderr)
        return 1
    except BrokenPipeError as exc:
        if not _reader_gone():  # a pipe to another process broke: a real failure, reported as one
            return _os_error(name, exc)
        # the reader of our output stopped reading (`… | head`): what it read was written, no error of ours
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())  # so the flush at exit does not fail again
        os.close(devnull)
        return 0
    except OSError as exc:
        return _os_error(name, exc)
    except Exception as exc:  # noqa: BLE001 - the last line of defence: a message, not a traceback
        if os.environ.get("CITYSCIENCE_DEBUG"):
            raise
        print(f"cityscience {name}: unexpected error: {type(exc).__name__}: {exc} (this is a bug; rerun with "
              "CITYSCIENCE_DEBUG=1 for the traceback and report it)", file=sys.stderr)
        return 1


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
