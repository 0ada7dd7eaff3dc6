"""``cityscience coverage``: what the curated data cover, per document, region and year."""

from __future__ import annotations

import argparse

import pandas as pd

from ..compare import coverage
from ..load import load_observations
from . import add_data_argument

__all__ = ["add_arguments", "run"]


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Declare the options of ``cityscience coverage`` on ``parser``."""
    add_data_argument(parser)


def run(args: argparse.Namespace) -> int:
    """Run ``cityscience coverage`` with the parsed options; returns the exit code."""
    obs = load_observations(args.data)
    table = coverage(obs)
    with pd.option_context("display.width", 200, "display.max_rows", 200):
        print(table.to_string())
    print(f"\n{len(obs)} observations, {obs['indicator'].nunique()} indicators, "
          f"{obs['source_id'].nunique()} documents, {obs['region'].nunique()} regions, "
          f"years {obs['year'].min()}–{obs['year'].max()}")
    return 0
