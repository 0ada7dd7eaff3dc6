"""Benchmark: `import cityscience` + `load_observations()` (full validation) vs `import pandas` alone.

Each variant runs in a fresh interpreter, several times, and the median wall
time is reported; the goal is a ratio of at most 1.5.

    .venv/bin/python benchmarks/bench_load.py --repeat 7
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time

_VARIANTS = {
    "import pandas": "import pandas",
    "import cityscience + load_observations()": (
        "import cityscience as cs; cs.load_observations(); import sys; sys.stdout.write('')"
    ),
}


def _time(code: str) -> float:
    start = time.perf_counter()
    subprocess.run([sys.executable, "-c", code], check=True)
    return time.perf_counter() - start


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=7, help="runs per variant (default 7)")
    parser.add_argument("--goal", type=float, default=1.5, help="ratio goal (default 1.5)")
    args = parser.parse_args(argv)
    medians = {}
    for name, code in _VARIANTS.items():
        _time(code)  # warm the file cache
        runs = [_time(code) for _ in range(args.repeat)]
        medians[name] = statistics.median(runs)
        print(f"{name:45s} median {medians[name]:.3f} s over {args.repeat} runs")
    base, full = medians.values()
    ratio = full / base
    print(f"ratio {ratio:.2f} (goal ≤ {args.goal})")
    return 0 if ratio <= args.goal else 1


if __name__ == "__main__":
    sys.exit(main())
