"""Subcommands of the ``cityscience`` command line (see :mod:`cityscience.cli`)."""

from __future__ import annotations

import argparse

__all__ = ["add_data_argument", "parts_spec"]


def add_data_argument(parser: argparse.ArgumentParser, what: str = "data folder") -> None:
    """The ``--data`` option every subcommand that reads the data folder takes, said the same way."""
    from pathlib import Path

    parser.add_argument("--data", type=Path, default=None,
                        help=f"{what} (default: the repository's data/, or $CITYSCIENCE_DATA when it is set)")


def parts_spec(text: str) -> str:
    """The argparse type of ``--parts`` (``extract`` and ``add-report``): the spec as given, once it
    parses, so a malformed one is a usage error naming the problem before any file is read."""
    from ..extract import PartsError, parse_parts

    try:
        parse_parts(text)
    except PartsError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None
    return text
