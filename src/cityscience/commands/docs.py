"""``cityscience docs``: write the data dictionary generated from the codebook."""

from __future__ import annotations

import argparse
from pathlib import Path

from ..dictionary import DICTIONARY_PATH, write_data_dictionary
from . import add_data_argument

__all__ = ["add_arguments", "run"]


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Declare the options of ``cityscience docs`` on ``parser``."""
    parser.description = ("Regenerate the data dictionary from the codebook and the data: every indicator with its "
                          "comparability model, and the values that depart from it.")
    parser.add_argument("-o", "--output", type=Path, default=None,
                        help=f"file to write (default: {DICTIONARY_PATH} beside the data folder)")
    add_data_argument(parser)


def run(args: argparse.Namespace) -> int:
    """Run ``cityscience docs`` with the parsed options; returns the exit code."""
    path = write_data_dictionary(args.output, args.data)
    print(f"wrote {path}")
    return 0
