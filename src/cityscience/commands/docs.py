"""``cityscience docs``: write the data dictionary generated from the codebook."""

from __future__ import annotations

import argparse
from pathlib import Path

from ..dictionary import DICTIONARY_PATH, write_data_dictionary

__all__ = ["add_arguments", "run"]


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("-o", "--output", type=Path, default=None,
                        help=f"file to write (default: {DICTIONARY_PATH})")


def run(args: argparse.Namespace) -> int:
    path = write_data_dictionary(args.output)
    print(f"wrote {path}")
    return 0
