"""``cityscience accounting``: every number of the raw text, curated or excluded, and what is left."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from ..accounting import account, unaccounted
from ..validate import check

__all__ = ["add_arguments", "run"]


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--source", default=None, help="only this source_id (default: all)")
    parser.add_argument("--data", type=Path, default=None, help="data folder (default: the repository's data/)")
    parser.add_argument("--summary", action="store_true", help="print counts per source and reason instead")


def run(args: argparse.Namespace) -> int:
    checked = check(args.data)
    if args.summary:
        from collections import Counter

        for sid, marks in account(checked).items():
            if args.source and sid != args.source:
                continue
            counts = Counter(m.split(":")[0] if m.startswith("obs:") else m for m in marks.values())
            print(sid, dict(sorted(counts.items())))
    missing = unaccounted(checked, args.source)
    for u in missing:
        print(u)
    print(f"{len(missing)} number{'s' if len(missing) != 1 else ''} not accounted for", file=sys.stderr)
    return 1 if missing else 0
