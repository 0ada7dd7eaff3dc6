"""Time `cityscience build` against a floor: the same number of notebooks that only import the stack.

All runs go through the same command, executor and parallelism (``-j``), so
the ratios show what the notebooks' own work (loading data, drawing,
exporting figures) and the build's bookkeeping add on top of starting kernels
and importing pandas, matplotlib, seaborn and cityscience. Each round times:

* **cold**: every notebook runs and every figure is rendered, as after a change
  to the data or the library (the build folder's manifests are deleted first;
  the figures come out the same, so no figure file is rewritten). Goal ≤ 1.5 × floor.
* **unchanged**: a rebuild with nothing changed (every execution skipped). Goal ≤ 0.3 × floor.
* **floor**: the import-only notebooks, run with ``--force``.

CPU time (of the command, its workers and kernels) is printed next to wall
time: on a shared machine other programs stretch wall time, much less CPU
time.

Run from the repository root (the first, untimed build makes any font cache,
fills the OS file cache and publishes the figures)::

    .venv/bin/python benchmarks/bench_build.py            # one timed round
    .venv/bin/python benchmarks/bench_build.py --repeat 3 # medians of three rounds
    .venv/bin/python benchmarks/bench_build.py --render   # CPU per figure and format, in one process
    .venv/bin/python benchmarks/bench_build.py --processes  # CPU of a cold build and the floor by process

Outputs go to a temporary folder; ``figures/`` and ``build/`` of the
repository are not touched.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import nbformat
from _common import machine_line, user_env

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
GOALS = {"cold": 1.5, "unchanged": 0.3}


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


def _build(tmp: Path, tag: str, jobs: int, *extra: str) -> list[str]:
    """The ``cityscience build`` command of one kind of run, writing into ``tmp/tag``."""
    return [*CLI, "build", "-j", str(jobs), "--no-progress", "--figures", str(tmp / tag / "figures"),
            "--build-dir", str(tmp / tag / "build"), *extra]



def _timed(args: list[str], env: dict[str, str] | None = None) -> tuple[float, float]:
    """Wall-clock and CPU seconds of one command (CPU summed over its worker and kernel processes)."""
    cpu = _children_cpu()
    start = time.perf_counter()
    done = subprocess.run(args, cwd=REPO, capture_output=True, text=True, env=user_env(env))
    seconds = time.perf_counter() - start
    if done.returncode != 0:
        sys.exit(f"command failed ({done.returncode}): {' '.join(args)}\n{done.stdout}\n{done.stderr}")
    return seconds, _children_cpu() - cpu


def _render_costs() -> int:
    """CPU seconds per figure of save_figure and of each format, executing every notebook job in this process."""
    os.environ["MPLBACKEND"] = "Agg"
    staging = Path(tempfile.mkdtemp(prefix="cityscience-render-"))
    os.environ["CITYSCIENCE_FIGURES"] = str(staging)
    from matplotlib.figure import Figure

    from cityscience import charts
    from cityscience.charts import figures

    spent: dict[str, list[float]] = {"save_figure": [], "png": [], "svg": [], "pdf": []}
    savefig, save_figure = Figure.savefig, figures.save_figure

    def timed_savefig(self, fname, *args, **kwargs):
        start = time.process_time()
        try:
            return savefig(self, fname, *args, **kwargs)
        finally:
            spent[kwargs.get("format")].append(time.process_time() - start)

    def timed_save_figure(*args, **kwargs):
        start = time.process_time()
        try:
            return save_figure(*args, **kwargs)
        finally:
            spent["save_figure"].append(time.process_time() - start)

    Figure.savefig, charts.save_figure = timed_savefig, timed_save_figure
    start = time.process_time()
    for job in plan_jobs():
        namespace: dict = {"__name__": "__main__"}
        for cell in nbformat.read(str(job.notebook), as_version=4).cells:
            if cell.cell_type == "code":
                exec(compile(cell.source, str(job.notebook), "exec"), namespace)  # noqa: S102
                if "parameters" in cell.metadata.get("tags", []):
                    namespace.update(job.parameters)  # as papermill injects them after this cell
        import matplotlib.pyplot as plt

        plt.close("all")
    total = time.process_time() - start
    shutil.rmtree(staging, ignore_errors=True)
    n = len(spent["save_figure"])
    print(f"{len(plan_jobs())} notebook executions in one process: {total:.1f} s CPU, {n} figures")
    for what, seconds in spent.items():
        print(f"{what:>12}: {sum(seconds):6.2f} s CPU, {sum(seconds) / max(1, len(seconds)):.3f} s per figure")
    other = sum(spent["save_figure"]) - sum(sum(spent[f]) for f in ("png", "svg", "pdf"))
    print(f"{'layout etc.':>12}: {other:6.2f} s CPU, {other / max(1, n):.3f} s per figure "
          "(save_figure minus the three formats)")
    return 0


_RECORDER = """\
import atexit, multiprocessing, os, resource, sys

def _record():
    if "cityscience" not in " ".join(sys.argv) or "ipykernel" in " ".join(sys.argv):
        return  # the build's own processes only; kernels are counted by their worker
    own, children = (resource.getrusage(who) for who in (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN))
    kind = "worker" if multiprocessing.parent_process() is not None else "command"
    with open(os.environ["CITYSCIENCE_BENCH_CPU"], "a", encoding="utf-8") as log:
        log.write(f"{kind}\\t{own.ru_utime + own.ru_stime:.3f}\\t{children.ru_utime + children.ru_stime:.3f}\\n")

atexit.register(_record)
"""


def _html_cpu(folder: Path) -> float:
    """CPU seconds of rendering every executed notebook in ``folder`` as the build does (lab template)."""
    from nbconvert import HTMLExporter

    spent = 0.0
    for path in sorted(folder.glob("*.ipynb")):
        nb = nbformat.read(str(path), as_version=4)
        start = time.process_time()
        HTMLExporter(template_name="lab").from_notebook_node(nb, {"metadata": {"name": path.stem}})
        spent += time.process_time() - start
    return spent


def _process_costs(jobs: int, warmup: bool = True) -> int:
    """One cold build and one floor (both ``--force``, after an untimed floor build unless ``warmup`` is
    false, as the other runs are), their CPU time split by process.

    Each build process (the command, its workers) records its own CPU time and that of
    the processes it waited for when it exits; a worker's children are its kernels.
    """
    with tempfile.TemporaryDirectory(prefix="cityscience-bench-") as tmp:
        tmp = Path(tmp)
        floor_dir = tmp / "floor-notebooks"
        _floor_notebooks(floor_dir, len(plan_jobs()))
        (tmp / "recorder").mkdir()
        (tmp / "recorder" / "sitecustomize.py").write_text(_RECORDER, encoding="utf-8")
        env = dict(os.environ, PYTHONPATH=os.pathsep.join(
            filter(None, [str(tmp / "recorder"), os.environ.get("PYTHONPATH")])))
        runs = {"cold": [], "floor": ["--notebooks", str(floor_dir), "--no-validate"]}
        rows: dict[str, dict[str, float]] = {}
        if warmup:  # untimed: cityscience's bytecode and the file cache, as the timed builds find them
            _timed(_build(tmp, "warmup", jobs, "--force", *runs["floor"]))
        for tag, extra in runs.items():
            log = tmp / f"{tag}.tsv"
            env["CITYSCIENCE_BENCH_CPU"] = str(log)
            _, cpu = _timed(_build(tmp, tag, jobs, "--force", *extra), env=env)
            row = {"all": cpu, "kernels": 0.0, "workers": 0.0, "command": 0.0}
            for line in log.read_text(encoding="utf-8").splitlines():
                kind, own, children = line.split("\t")
                if kind == "worker":
                    row["workers"] += float(own)
                    row["kernels"] += float(children)
                else:
                    row["command"] += float(own)
            rows[tag] = row
        _html_cpu(tmp / "floor" / "build" / "notebooks")  # untimed: imports and template caches
        for tag in runs:
            rows[tag]["of which HTML"] = _html_cpu(tmp / tag / "build" / "notebooks")
    print(machine_line())
    print(f"notebook executions: {len(plan_jobs())}, parallel jobs: {jobs}, both builds with --force")
    print(f"{'CPU seconds':>16} {'cold':>7} {'floor':>7} {'above':>7}")
    notes = {"kernels": "the notebooks' kernels (children of the workers)",
             "workers": "papermill, the kernels' messages, writing the notebooks, HTML",
             "of which HTML": "the executed notebooks rendered again in this process, as the workers do",
             "command": "validation, planning, hashing, publishing figures",
             "all": "the command and every process it started"}
    for what, note in notes.items():
        cold, floor = rows["cold"][what], rows["floor"][what]
        print(f"{what:>16} {cold:7.1f} {floor:7.1f} {cold - floor:7.1f}   {note}")
    print(f"cold: {rows['cold']['all'] / rows['floor']['all']:.2f} × floor CPU time (goal ≤ {GOALS['cold']}); "
          f"allowance above the floor {rows['floor']['all'] * (GOALS['cold'] - 1):.1f} s")
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("-j", "--jobs", type=int, default=default_workers(),
                        help="notebooks at once, for every run (default: one per core)")
    parser.add_argument("--repeat", type=int, default=1, help="timed rounds (medians reported)")
    parser.add_argument("--no-warmup", action="store_true", help="skip the untimed first builds")
    parser.add_argument("--render", action="store_true",
                        help="instead: CPU time per figure of save_figure and of each format")
    parser.add_argument("--processes", action="store_true",
                        help="instead: CPU time of a cold build and of the floor by kind of process "
                             "(kernels, build workers, the command), and of the HTML rendering")
    args = parser.parse_args(argv)
    if args.render:
        return _render_costs()
    if args.processes:
        return _process_costs(args.jobs, warmup=not args.no_warmup)

    n_jobs = len(plan_jobs())
    runs: dict[str, list[tuple[float, float]]] = {"cold": [], "unchanged": [], "floor": []}
    with tempfile.TemporaryDirectory(prefix="cityscience-bench-") as tmp:
        tmp = Path(tmp)
        floor_dir = tmp / "floor-notebooks"
        _floor_notebooks(floor_dir, n_jobs)

        build = _build(tmp, "build", args.jobs)
        floor = _build(tmp, "floor", args.jobs, "--notebooks", str(floor_dir), "--no-validate", "--force")
        if not args.no_warmup:
            _timed(build)
            _timed(floor)
        for _ in range(args.repeat):  # interleaved, so that a busy moment hits all alike
            shutil.rmtree(tmp / "build" / "build" / "manifests", ignore_errors=True)
            runs["cold"].append(_timed(build))
            runs["unchanged"].append(_timed(build))
            runs["floor"].append(_timed(floor))
    wall = {k: statistics.median(w for w, _ in v) for k, v in runs.items()}
    cpu = {k: statistics.median(c for _, c in v) for k, v in runs.items()}
    print(machine_line())
    print(f"notebook executions: {n_jobs}, parallel jobs: {args.jobs}, rounds: {args.repeat}")
    for label, timings in runs.items():
        print(f"{label:>9}: {wall[label]:.1f} s wall, {cpu[label]:.1f} s CPU  "
              f"(runs: {', '.join(f'{w:.1f} s / {c:.1f} s' for w, c in timings)})")
    met = True
    for label, goal in GOALS.items():
        ratio = wall[label] / wall["floor"]
        met &= ratio <= goal
        print(f"{label}: {ratio:.2f} × floor wall time, {cpu[label] / cpu['floor']:.2f} × floor CPU time "
              f"(goal ≤ {goal})")
    return 0 if met else 1


if __name__ == "__main__":
    sys.exit(main())
