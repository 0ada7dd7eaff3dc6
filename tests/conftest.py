"""Shared test set-up: a headless backend and no figure left open between tests."""

from __future__ import annotations

import os

os.environ.setdefault("MPLBACKEND", "Agg")

import matplotlib.pyplot as plt  # noqa: E402
import pytest  # noqa: E402


@pytest.fixture(autouse=True)
def close_figures():
    """Close every figure a test opened, so tests stay independent and memory stays flat."""
    yield
    plt.close("all")
