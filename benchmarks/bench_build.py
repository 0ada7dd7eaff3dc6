"""Time `cityscience build` against a floor: the same number of notebooks that only import the stack.

Both runs go through the same command, executor and parallelism (``-j``), so
the ratio shows what the notebooks' own work (loading data, drawing,
exporting figures) adds on top of starting kernels and importing pandas,
matplotlib, seaborn and cityscience. Goal: build ≤ 1.5 × floor.

CPU time (of the command, its workers and kernels) is printed next to wall
time: on a shared machine other programs stretch wall time, much less CPU
time.

Run from the repository root (warm: the first, untimed build makes any font
cache, fills the OS file cache and publishes the figures that an unchanged
figure is then copied from, see ``save_figure``)::

    .venv/bin/python benchmarks/bench_build.py            # one timed round
    .venv/bin/python benchmarks/bench_build.py --repeat 3 # median of three rounds
    .venv/bin/python benchmarks/bench_build.py --cold     # every figure rendered again each round

Outputs go to a temporary folder; ``figures/`` and ``build/`` of the
repository are not touched.
"""

from __future__ import annotations

import argparse
import os
import platform
import shutil
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


def _children_cpu() -> float:
    """CPU seconds used so far by finished child processes and their descendants (Unix)."""
    try:
        import resource
    except ImportError:  # Windows
        return float("nan")
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def _timed(args: list[str]) -> tuple[float, float]:
    """Wall-clock and CPU seconds of one command (CPU summed over its worker and kernel processes)."""
    cpu = _children_cpu()
    start = time.perf_counter()
    done = subprocess.run(args, cwd=REPO, capture_output=True, text=True)
    seconds = time.perf_counter() - start
    if done.returncode != 0:
        sys.exit(f"command failed ({done.returncode}): {' '.join(args)}\n{done.stdout}\n{done.stderr}")
    return seconds, _children_cpu() - cpu


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("-j", "--jobs", type=int, default=default_workers(),
                        help="notebooks at once, for both runs (default: one per core)")
    parser.add_argument("--repeat", type=int, default=1, help="timed rounds (median reported)")
    parser.add_argument("--no-warmup", action="store_true", help="skip the untimed first build")
    parser.add_argument("--cold", action="store_true",
                        help="empty the published figures before each timed build, so that every figure is "
                             "rendered (as after a change to the charts or the data)")
    args = parser.parse_args(argv)

    n_jobs = len(plan_jobs())
    with tempfile.TemporaryDirectory(prefix="cityscience-bench-") as tmp:
        tmp = Path(tmp)
        floor_dir = tmp / "floor-notebooks"
        _floor_notebooks(floor_dir, n_jobs)

        def build(tag: str) -> list[str]:
            return [*CLI, "build", "-j", str(args.jobs), "--no-progress",
                    "--figures", str(tmp / tag / "figures"), "--build-dir", str(tmp / tag / "build")]

        # Each run reuses its build folder, as `build/` persists between real builds (the build
        # starts the notebooks that took longest last time first).
        if not args.no_warmup:
            _timed(build("build"))
            _timed([*build("floor"), "--notebooks", str(floor_dir), "--no-validate"])
        builds, floors = [], []
        for _ in range(args.repeat):  # interleaved, so that a busy moment hits both alike
            if args.cold:
                shutil.rmtree(tmp / "build" / "figures", ignore_errors=True)
            builds.append(_timed(build("build")))
            floors.append(_timed([*build("floor"), "--notebooks", str(floor_dir), "--no-validate"]))
    build_s, floor_s = (statistics.median(w for w, _ in runs) for runs in (builds, floors))
    build_cpu, floor_cpu = (statistics.median(c for _, c in runs) for runs in (builds, floors))
    ratio = build_s / floor_s
    load = f", load average {os.getloadavg()[0]:.2f}" if hasattr(os, "getloadavg") else ""
    print(f"machine: {platform.platform()}, Python {platform.python_version()}, {os.cpu_count()} CPUs{load}")
    print(f"notebook executions: {n_jobs}, parallel jobs: {args.jobs}, rounds: {args.repeat}, "
          f"figures: {'cold (all rendered)' if args.cold else 'warm (unchanged ones copied)'}")
    for label, runs, wall, cpu in (("build", builds, build_s, build_cpu), ("floor", floors, floor_s, floor_cpu)):
        print(f"{label}: {wall:.1f} s wall, {cpu:.1f} s CPU  "
              f"(runs: {', '.join(f'{w:.1f} s / {c:.1f} s' for w, c in runs)})")
    print(f"ratio: {ratio:.2f} × floor wall time, {build_cpu / floor_cpu:.2f} × floor CPU time (goal ≤ 1.5)")
    return 0 if ratio <= 1.5 else 1


if __name__ == "__main__":
    sys.exit(main())
