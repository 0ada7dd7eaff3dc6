"""The ``cityscience`` command line: one subcommand per job, each in its own module.

Each command module provides ``add_arguments(parser)`` and ``run(args) -> int``;
register a new one in ``_COMMANDS``.
"""

from __future__ import annotations

import argparse
import importlib
import sys

__all__ = ["main"]

# name → (module, one-line help)
_COMMANDS: dict[str, tuple[str, str]] = {
    "validate": ("cityscience.commands.validate", "check every curated table and raw document; list all problems"),
    "accounting": ("cityscience.commands.accounting", "list numbers in the raw documents that are neither curated nor excluded"),
    "coverage": ("cityscience.commands.coverage", "print what the data cover: documents × regions × years × facts"),
    "docs": ("cityscience.commands.docs", "regenerate the data dictionary in docs/ from the codebook"),
    "build": ("cityscience.commands.build", "validate the data, run every notebook in parallel, publish figures/ and build/"),
    "export": ("cityscience.commands.export", "export an Excel workbook (xlsx) or a chart pack (figures) for policy writers"),
    "import-xlsx": ("cityscience.commands.import_xlsx", "merge rows edited in an exported workbook back into the CSVs, if all are valid"),
    "extract": ("cityscience.commands.extract", "propose candidate observations from a new report (xlsx/csv review sheet), or --evaluate"),
}


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="cityscience",
        description="Source-traced S&T indicators of Zhejiang jurisdictions: validate the data, "
        "run the notebooks, export figures and workbooks.",
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    for name, (module, help_text) in _COMMANDS.items():
        p = sub.add_parser(name, help=help_text, description=help_text[0].upper() + help_text[1:] + ".")
        p.set_defaults(_module=module)
        importlib.import_module(module).add_arguments(p)
    return parser


def main(argv: list[str] | None = None) -> int:
    """Run the command line; returns the exit code (0 ok, 1 problems found, 2 usage)."""
    args = _parser().parse_args(argv)
    return importlib.import_module(args._module).run(args)


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
