"""Extract from many reports at once, on all cores.

Each report is independent, so :func:`extract_many` hands them to worker
processes (one per core by default) and returns the candidates in input order.
Unreadable inputs do not stop the others: every problem is collected and
raised together at the end, so one run reports everything.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterable, Sequence
from concurrent.futures import ProcessPoolExecutor

import pandas as pd

from .core import extract
from .reading import ExtractError

__all__ = ["extract_many"]


def _work(job: tuple[object, str | None, int | None, str | None]) -> tuple[pd.DataFrame | None, str | None]:
    item, region, year, encoding = job
    try:
        return extract(item, region=region, year=year, encoding=encoding), None  # type: ignore[arg-type]
    except ExtractError as exc:
        return None, str(exc)


def extract_many(items: Iterable[str | os.PathLike | bytes], *, region: str | None = None,
                 year: int | None = None, encoding: str | None = None, jobs: int | None = None,
                 progress: bool = False) -> list[pd.DataFrame]:
    """Run :func:`~cityscience.extract.extract` on every item, in parallel.

    Args:
        items: paths, texts or bytes, as :func:`extract` takes them.
        region, year, encoding: passed to every call.
        jobs: worker processes; None or 0 uses every core, 1 runs in this process.
        progress: print a line per finished document to stderr.

    Returns:
        One DataFrame per item, in the order given.

    Raises:
        ExtractError: listing every item that could not be read (after all were tried).
    """
    work: Sequence = [(item, region, year, encoding) for item in items]
    workers = (os.cpu_count() or 1) if not jobs else max(1, jobs)
    if workers == 1 or len(work) <= 1:
        results = []
        for i, job in enumerate(work, start=1):
            results.append(_work(job))
            if progress:
                print(f"[{i}/{len(work)}] done", file=sys.stderr)
    else:
        chunk = max(1, len(work) // (8 * workers))
        with ProcessPoolExecutor(max_workers=min(workers, len(work))) as pool:
            results = []
            for i, result in enumerate(pool.map(_work, work, chunksize=chunk), start=1):
                results.append(result)
                if progress and (i % max(1, len(work) // 20) == 0 or i == len(work)):
                    print(f"[{i}/{len(work)}] done", file=sys.stderr)
    errors = [err for _, err in results if err]
    if errors:
        raise ExtractError(f"{len(errors)} of {len(work)} inputs could not be read:\n" + "\n".join(errors))
    return [df for df, _ in results]
