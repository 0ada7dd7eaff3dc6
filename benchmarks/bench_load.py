"""Benchmark: `import cityscience` + `load_observations()` (full validation) vs `import pandas` alone.

Each variant runs in a fresh interpreter; the runs of the two variants are
interleaved (A, B, A, B, …) so that a change in the machine's load hits both
alike. The median wall time and the median CPU time of the child processes
are reported; the goal is a ratio of at most 1.5. On a shared machine the
CPU ratio is the steadier figure.

Both variants are timed as a user's interpreter runs them after the first
import: with compiled bytecode cached. pandas' bytecode is written when pip
installs it; cityscience's (an editable install) is written by the untimed
warm-up run, so the children run without ``PYTHONDONTWRITEBYTECODE`` even when
this shell sets it (otherwise every run would compile cityscience's modules
again, about 0.05–0.1 s that no user pays twice).

    .venv/bin/python benchmarks/bench_load.py --repeat 9
"""

from __future__ import annotations

import argparse
import resource
import statistics
import subprocess
import sys
import time

from _common import machine_line, user_env

_VARIANTS = {
    "import pandas": "import pandas",
    "import cityscience + load_observations()": (
        "import cityscience as cs; cs.load_observations(); import sys; sys.stdout.write('')"
    ),
}


def _time(code: str) -> tuple[float, float]:
    """Wall and CPU (user + system) seconds of one fresh interpreter running ``code``."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    subprocess.run([sys.executable, "-c", code], check=True, env=user_env())
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return wall, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=9, help="runs per variant (default 9)")
    parser.add_argument("--goal", type=float, default=1.5, help="ratio goal (default 1.5)")
    args = parser.parse_args(argv)
    runs: dict[str, list[tuple[float, float]]] = {name: [] for name in _VARIANTS}
    for code in _VARIANTS.values():
        _time(code)  # warm the file cache and write cityscience's bytecode
    for _ in range(args.repeat):
        for name, code in _VARIANTS.items():
            runs[name].append(_time(code))
    print(f"{machine_line()}; {args.repeat} interleaved runs")
    medians = {}
    for name, values in runs.items():
        wall = statistics.median(v[0] for v in values)
        cpu = statistics.median(v[1] for v in values)
        medians[name] = (wall, cpu)
        print(f"{name:45s} median wall {wall:.3f} s, CPU {cpu:.3f} s")
    (base_wall, base_cpu), (full_wall, full_cpu) = medians.values()
    print(f"ratio wall {full_wall / base_wall:.2f}, CPU {full_cpu / base_cpu:.2f} (goal ≤ {args.goal})")
    return 0 if full_cpu / base_cpu <= args.goal else 1


if __name__ == "__main__":
    sys.exit(main())
