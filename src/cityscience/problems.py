"""Problems found in input files, and the error that reports all of them at once."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

__all__ = ["Problem", "ValidationError"]


@dataclass(frozen=True)
class Problem:
    """One thing wrong with one input.

    Attributes:
        file: path of the file, relative to the data folder where possible.
        line: 1-based line in the file (the header is line 1), or None for the whole file.
        column: column name, or None.
        value: the offending value as written, or None.
        expected: what was expected instead, in words.
        check: short code of the check that failed (``"allowed_value"``, ``"evidence_not_found"``, …).
        table: the registry table the problem is in (``"observations"``, ``"sources"``, …; ``"raw"`` for
            a raw document, ``"codebook"`` for the registry itself, ``"accounting"`` for a number nothing
            accounts for), so that a loader can raise only for the tables it returns and references.
    """

    file: str
    line: int | None
    column: str | None
    value: str | None
    expected: str
    check: str
    table: str | None = None

    def __str__(self) -> str:
        where = self.file if self.line is None else f"{self.file}:{self.line}"
        parts = [where]
        if self.column is not None:
            parts.append(f"column {self.column!r}")
        if self.value is not None:
            shown = self.value if len(self.value) <= 80 else self.value[:77] + "..."
            parts.append(f"value {shown!r}")
        return f"{': '.join(parts)}: expected {self.expected} [{self.check}]"


class ValidationError(ValueError):
    """Raised with every problem found, so one run shows everything to fix."""

    def __init__(self, problems: Iterable[Problem]):
        self.problems = list(problems)
        super().__init__(self.report())

    def report(self) -> str:
        n = len(self.problems)
        head = f"{n} problem{'s' if n != 1 else ''} found:"
        return "\n".join([head, *(f"  {p}" for p in self.problems)])
