"""The data version: what an export is "as of", taken from the data, never from the clock.

Two exports of the same data are the same file; an export of changed data
says so. The version has two parts: the newest ``published`` date among the
source documents (a human-readable "as of" date) and a checksum of every file
in the data folder (changes whenever any curated table or raw text changes).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

from ..paths import folder_digest

__all__ = ["DataVersion", "data_version"]


@dataclass(frozen=True)
class DataVersion:
    """Version of a data folder.

    Attributes:
        as_of: the newest publication date of a source document.
        digest: first 12 hex digits of a SHA-256 over every file's path and bytes.
    """

    as_of: dt.date
    digest: str

    def __str__(self) -> str:
        return f"{self.as_of.isoformat()}+{self.digest}"

    @property
    def timestamp(self) -> dt.datetime:
        """Midnight of :attr:`as_of`, used as the workbook's created and modified time."""
        return dt.datetime(self.as_of.year, self.as_of.month, self.as_of.day)


def data_version(root: Path, published: list[str]) -> DataVersion:
    """Version of the data folder ``root``.

    Args:
        root: the data folder.
        published: the ``published`` dates (YYYY-MM-DD) of the sources.
    """
    digest = folder_digest(Path(root))
    dates = [dt.date.fromisoformat(d) for d in published if d]
    return DataVersion(as_of=max(dates) if dates else dt.date(1970, 1, 1), digest=digest[:12])
