"""Time `cityscience build` against a floor: the same number of notebooks that only import the stack.

Both runs go through the same command, executor and parallelism (``-j``), so
the ratio shows what the notebooks' own work (loading data, drawing,
exporting figures) adds on top of starting kernels and importing pandas,
matplotlib, seaborn and cityscience. Goal: build ≤ 1.5 × floor.

Run from the repository root (warm: the first, untimed build makes any font
cache and fills the OS file cache)::

    .venv/bin/python benchmarks/bench_build.py            # one timed round
    .venv/bin/python benchmarks/bench_build.py --repeat 3 # median of three rounds

Outputs go to a temporary folder; ``figures/`` and ``build/`` of the
repository are not touched.
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import nbformat

from cityscience.build import default_workers, plan_jobs

REPO = Path(__file__).resolve().parents[1]
CLI = [sys.executable, "-m", "cityscience.cli"]
FLOOR_CELL = """\
import matplotlib.pyplot as plt
import pandas as pd
import seaborn as sns

import cityscience as cs
from cityscience import charts
"""


def _floor_notebooks(folder: Path, count: int) -> None:
    """``count`` notebooks that do nothing but import the stack the real notebooks use."""
    folder.mkdir(parents=True)
    for i in range(count):
        nb = nbformat.v4.new_notebook()
        nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
        nb.cells = [nbformat.v4.new_markdown_cell(f"# {i:02d} · floor"), nbformat.v4.new_code_cell(FLOOR_CELL)]
        nbformat.write(nb, str(folder / f"{i:02d}-floor.ipynb"))


def _timed(args: list[str]) -> float:
    start = time.perf_counter()
    done = subprocess.run(args, cwd=REPO, capture_output=True, text=True)
    seconds = time.perf_counter() - start
    if done.returncode != 0:
        sys.exit(f"command failed ({done.returncode}): {' '.join(args)}\n{done.stdout}\n{done.stderr}")
    return seconds


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("-j", "--jobs", type=int, default=default_workers(),
                        help="notebooks at once, for both runs (default: one per core)")
    parser.add_argument("--repeat", type=int, default=1, help="timed rounds (median reported)")
    parser.add_argument("--no-warmup", action="store_true", help="skip the untimed first build")
    args = parser.parse_args(argv)

    n_jobs = len(plan_jobs())
    with tempfile.TemporaryDirectory(prefix="cityscience-bench-") as tmp:
        tmp = Path(tmp)
        floor_dir = tmp / "floor-notebooks"
        _floor_notebooks(floor_dir, n_jobs)

        def build(tag: str) -> list[str]:
            return [*CLI, "build", "-j", str(args.jobs), "--no-progress",
                    "--figures", str(tmp / tag / "figures"), "--build-dir", str(tmp / tag / "build")]

        if not args.no_warmup:
            _timed(build("warmup"))
            _timed([*build("warmup-floor"), "--notebooks", str(floor_dir), "--no-validate"])
        builds, floors = [], []
        for round_ in range(args.repeat):
            builds.append(_timed(build(f"build-{round_}")))
            floors.append(_timed([*build(f"floor-{round_}"), "--notebooks", str(floor_dir), "--no-validate"]))
    build_s, floor_s = statistics.median(builds), statistics.median(floors)
    ratio = build_s / floor_s
    print(f"machine: {platform.platform()}, Python {platform.python_version()}, "
          f"{os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.2f}" if hasattr(os, "getloadavg") else "")
    print(f"notebook executions: {n_jobs}, parallel jobs: {args.jobs}, rounds: {args.repeat}")
    print(f"build: {build_s:.1f} s  (runs: {', '.join(f'{s:.1f}' for s in builds)})")
    print(f"floor: {floor_s:.1f} s  (runs: {', '.join(f'{s:.1f}' for s in floors)})")
    print(f"ratio: {ratio:.2f} × floor (goal ≤ 1.5)")
    return 0 if ratio <= 1.5 else 1


if __name__ == "__main__":
    sys.exit(main())
