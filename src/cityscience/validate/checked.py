"""The checked result: every table of a data folder as text, the raw documents, and every problem found."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from ..numbers import NumberToken
from ..problems import Problem
from ..tables import RawTable
from .registry import Registry

__all__ = ["Checked", "Located"]


@dataclass(frozen=True)
class Located:
    """One part of a raw document: its kind and character span (offsets into the raw text)."""

    source_id: str
    part: str
    start: int
    end: int


@dataclass
class Checked:
    """Everything read from the data folder, and every problem found on the way.

    Attributes:
        root: the data folder.
        registry: the table registry the folder was read with.
        tables: every table as text, by registry name (observations merged from their files;
            rows of a table stored as one file per source carry ``__file__`` and ``__stem__``).
        raw_texts, normalized_texts, tokens: each source's raw document, its normalized text and
            its number tokens, by source_id.
        parts: each document cut into its chrome, summary and plan parts (``text_parts.csv``).
        files: each file read (as named in messages) → the table it holds.
        problems: everything wrong, each with its ``table``.
        accounting_skipped: the tables whose problems kept the accounting of every number from running
            (empty when it ran, or was not asked for).
        deferred: the codebook tables that could not be read, for which the checks across tables (units,
            observations against their evidence and indicators, policy items, the accounting) were not run.
    """

    root: Path
    registry: Registry = field(default_factory=Registry)
    tables: dict[str, RawTable] = field(default_factory=dict)
    raw_texts: dict[str, str] = field(default_factory=dict)
    normalized_texts: dict[str, str] = field(default_factory=dict)
    tokens: dict[str, list[NumberToken]] = field(default_factory=dict)
    parts: dict[str, list[Located]] = field(default_factory=dict)
    files: dict[str, str] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)
    accounting_skipped: list[str] = field(default_factory=list)
    deferred: list[str] = field(default_factory=list)

    @property
    def observations(self) -> RawTable:
        return self.tables["observations"]

    @property
    def spec(self) -> dict[str, list[dict[str, str]]]:
        """Each table's columns as text rows of ``columns.csv`` (what the workbook reader takes)."""
        return {t.name: t.spec for t in self.registry}

    def problems_for(self, tables: set[str] | None = None) -> list[Problem]:
        """The problems of ``tables`` (names from :meth:`Registry.dependencies`); all when None."""
        if tables is None:
            return list(self.problems)
        return [p for p in self.problems if p.table is None or p.table in tables]
