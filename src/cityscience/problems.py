"""Problems found in input files, and the error that reports all of them at once."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

__all__ = ["MAX_SHOWN_PER_CHECK", "Problem", "ValidationError", "report_lines"]

#: Problems of one kind (check) listed in a report before the rest are only counted.
MAX_SHOWN_PER_CHECK = 25


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
        other: (file, line) of the other row the problem is about (the first of two duplicates), or None;
            kept apart from ``expected`` so that a report about another form of the input (a review
            workbook) can name that row where the user wrote it.

    >>> print(Problem("data/x.csv", 7, "obs_id", "a-1", "a unique obs_id", "duplicate_key", other=("data/x.csv", 3)))
    data/x.csv:7: column 'obs_id': value 'a-1': expected a unique obs_id (also on line 3) [duplicate_key]
    """

    file: str
    line: int | None
    column: str | None
    value: str | None
    expected: str
    check: str
    table: str | None = None
    other: tuple[str, int] | None = None

    @property
    def expected_in_full(self) -> str:
        """What was expected, with the other row's place: "(also on line 3)" in the same file, else
        "(also at FILE:LINE)"."""
        if self.other is None:
            return self.expected
        file, line = self.other
        return f"{self.expected} (also {f'on line {line}' if file == self.file else f'at {file}:{line}'})"

    def __str__(self) -> str:
        where = self.file if self.line is None else f"{self.file}:{self.line}"
        parts = [where]
        if self.column is not None:
            parts.append(f"column {self.column!r}")
        if self.value is not None:
            shown = self.value if len(self.value) <= 80 else self.value[:77] + "..."
            parts.append(f"value {shown!r}")
        return f"{': '.join(parts)}: expected {self.expected_in_full} [{self.check}]"


def report_lines(problems: Iterable[Problem], per_check: int = MAX_SHOWN_PER_CHECK) -> list[str]:
    """One line per problem, at most ``per_check`` of each kind; the rest of a kind counted in one line.

    A file broken in one way can break thousands of rows the same way: the
    first ones show what to fix, and the count says how much is left.
    """
    shown: dict[str, int] = {}
    hidden: dict[str, int] = {}
    lines = []
    for p in problems:
        if shown.get(p.check, 0) < per_check:
            shown[p.check] = shown.get(p.check, 0) + 1
            lines.append(str(p))
        else:
            hidden[p.check] = hidden.get(p.check, 0) + 1
    for check, n in hidden.items():
        lines.append(f"… and {n:,} more problem{'s' if n != 1 else ''} of the same kind [{check}]")
    return lines


class ValidationError(ValueError):
    """Raised with every problem found, so one run shows everything to fix (``problems`` holds them all)."""

    def __init__(self, problems: Iterable[Problem]):
        self.problems = list(problems)
        super().__init__(self.report())

    def report(self) -> str:
        n = len(self.problems)
        head = f"{n} problem{'s' if n != 1 else ''} found:"
        return "\n".join([head, *(f"  {line}" for line in report_lines(self.problems))])
