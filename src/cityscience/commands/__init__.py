"""Subcommands of the ``cityscience`` command line (see :mod:`cityscience.cli`)."""

from __future__ import annotations

import argparse

__all__ = ["parts_spec"]


def parts_spec(text: str) -> str:
    """The argparse type of ``--parts`` (``extract`` and ``add-report``): the spec as given, once it
    parses, so a malformed one is a usage error naming the problem before any file is read."""
    from ..extract import PartsError, parse_parts

    try:
        parse_parts(text)
    except PartsError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None
    return text
