"""Read the curated CSV files and the raw documents, reporting problems instead of guessing.

Every reader here returns the text exactly as stored (all columns as strings,
nothing coerced) together with the line each row starts on, so that the
validator can name file, line and column for each problem, and the exact text
of each record, so that a merge can write unchanged rows back byte for byte.
This is the project's only CSV reader.
"""

from __future__ import annotations

import csv
import hashlib
import io
from dataclasses import dataclass, field
from pathlib import Path

from .problems import Problem

__all__ = ["MAX_FILE_BYTES", "RawTable", "decode_text", "read_bytes_capped", "read_csv_table", "read_raw_document",
           "read_word_list", "relpath"]

#: Largest curated table or raw document read (20 MB; the largest today is under 0.2 MB). A larger input is
#: refused before it is parsed, so a mistaken file (a dump, a device) fails at once with one line.
MAX_FILE_BYTES = 20_000_000

_BOMS = {
    b"\xef\xbb\xbf": "UTF-8 with BOM",
    b"\xff\xfe": "UTF-16 LE (BOM)",
    b"\xfe\xff": "UTF-16 BE (BOM)",
}


@dataclass
class RawTable:
    """A CSV file read as text: header, rows as dicts, and the line each row starts on.

    Attributes:
        path: the file (or folder, for a table stored as one file per source).
        columns: the header as written.
        rows: one dict per record, every expected column present ("" when the header lacks it).
        lines: the file line each record starts on (the header is line 1).
        header_text: the header line(s) exactly as stored, with any blank lines before the first record.
        segments: the exact text of each record (with the blank lines after it), in file order.
    """

    path: Path
    columns: list[str] = field(default_factory=list)
    rows: list[dict[str, str]] = field(default_factory=list)
    lines: list[int] = field(default_factory=list)
    header_text: str = ""
    segments: list[str] = field(default_factory=list)


def relpath(path: Path, base: Path | None = None) -> str:
    """Path shown in messages: relative to ``base`` (the data folder's parent) when possible."""
    path = Path(path)
    for root in [base, Path.cwd()]:
        if root is None:
            continue
        try:
            return str(path.resolve().relative_to(Path(root).resolve()))
        except ValueError:
            continue
    return str(path)


def _guess_encoding(data: bytes) -> str:
    for enc in ("gb18030", "big5", "utf-16"):
        try:
            data.decode(enc)
        except UnicodeDecodeError:
            continue
        return enc.upper()
    try:
        from charset_normalizer import from_bytes

        best = from_bytes(data).best()
        if best is not None:
            return best.encoding.upper()
    except ImportError:  # pragma: no cover - charset-normalizer is a dependency
        pass
    return "unknown"


def read_bytes_capped(path: Path, shown: str, limit: int = MAX_FILE_BYTES, *, what: str = "file"
                      ) -> tuple[bytes | None, list[Problem]]:
    """The bytes of ``path``, or None and a problem: missing, a folder, unreadable, or larger than ``limit``.

    The file is read with a cap (not trusted by its size), so a device or a pipe such as /dev/zero
    is refused as quickly as a large file.
    """
    path = Path(path)
    if path.is_dir():
        return None, [Problem(shown, None, None, None, f"a {what}, but found a folder", "not_a_file")]
    if not path.exists():
        return None, [Problem(shown, None, None, None, f"the {what} to exist", "missing_file")]
    try:
        with open(path, "rb") as f:
            data = f.read(limit + 1)
    except OSError as exc:
        return None, [Problem(shown, None, None, None, f"a readable {what} ({exc.strerror or exc})", "unreadable")]
    if len(data) > limit:
        return None, [Problem(shown, None, None, None, f"a {what} of at most {limit:,} bytes (it is larger)",
                              "too_large")]
    return data, []


def decode_text(data: bytes, shown: str, *, allow_bom: bool = False) -> tuple[str | None, list[Problem]]:
    """Decode bytes that must be UTF-8; say which encoding was found when they are not.

    Returns the text (None when it cannot be read) and the problems found.
    """
    for bom, name in _BOMS.items():
        if data.startswith(bom):
            if allow_bom and bom == b"\xef\xbb\xbf":
                return data[len(bom):].decode("utf-8"), []
            return None, [Problem(shown, None, None, None,
                                  f"UTF-8 without a byte-order mark, but found {name}", "encoding")]
    try:
        return data.decode("utf-8"), []
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        found = _guess_encoding(data)
        return None, [Problem(shown, line, None, repr(data[exc.start: exc.start + 4]),
                              f"UTF-8 text, but the bytes look like {found}", "encoding")]


def read_csv_table(path: Path, shown: str, expected: list[str], required: set[str]
                   ) -> tuple[RawTable, list[Problem]]:
    """Read one CSV file; check encoding, line ends, delimiter, header and field counts.

    Args:
        path: file to read.
        shown: how the file is named in messages.
        expected: the columns the table must have, in the codebook's order.
        required: the columns that may not be missing from the header.
    """
    table = RawTable(path=path)
    data, problems = read_bytes_capped(path, shown)
    if data is None:
        return table, problems
    if not data.strip():
        return table, [Problem(shown, None, None, None, f"a header row ({','.join(expected)})", "empty_file")]
    text, problems = decode_text(data, shown)
    if text is None:
        return table, problems
    if "\r" in text:
        line = text[: text.index("\r")].count("\n") + 1
        problems.append(Problem(shown, line, None, None, "LF line ends, but found CR (Windows CRLF or old Mac)",
                                "line_ends"))
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    try:
        header = next(reader)
    except csv.Error as exc:
        return table, [*problems, Problem(shown, 1, None, None, f"a well-formed CSV header ({exc})", "csv_syntax")]
    table.columns = header
    if len(header) == 1 and any(sep in header[0] for sep in (";", "\t", "|")):
        sep = next(s for s in (";", "\t", "|") if s in header[0])
        problems.append(Problem(shown, 1, None, header[0][:60],
                                f"comma-separated columns, but the header is separated by {sep!r}", "delimiter"))
        return table, problems
    seen: set[str] = set()
    for name in header:
        if name in seen:
            problems.append(Problem(shown, 1, name, name, "each column once", "duplicate_column"))
        seen.add(name)
    for name in expected:
        if name not in seen and name in required:
            problems.append(Problem(shown, 1, name, None, f"a column {name!r} in the header", "missing_column"))
    for name in header:
        if name not in expected:
            problems.append(Problem(shown, 1, name, name, f"only the columns {', '.join(expected)}",
                                    "extra_column"))
    absent = dict.fromkeys((name for name in expected if name not in seen), "")  # reported above if required
    physical = io.StringIO(text, newline="").readlines()  # split exactly as the csv reader counts lines
    table.header_text = "".join(physical[:reader.line_num])
    prev_end = reader.line_num
    try:
        for record in reader:
            start = prev_end + 1
            segment = "".join(physical[prev_end:reader.line_num])
            prev_end = reader.line_num
            if not record or record == [""]:
                if table.segments:
                    table.segments[-1] += segment  # a blank line stays with the record before it
                else:
                    table.header_text += segment
                continue
            if len(record) != len(header):
                problems.append(Problem(shown, start, None, ",".join(record)[:60],
                                        f"{len(header)} fields like the header, found {len(record)}",
                                        "field_count"))
                continue
            # every expected column is present in every row, so later checks never meet a missing key
            table.rows.append(absent | dict(zip(header, record, strict=True)))
            table.lines.append(start)
            table.segments.append(segment)
    except csv.Error as exc:
        problems.append(Problem(shown, reader.line_num, None, None, f"well-formed CSV ({exc})", "csv_syntax"))
    return table, problems


def read_word_list(path: Path, shown: str) -> tuple[RawTable, list[Problem]]:
    """Read a list of words, one a line (``#`` starts a comment line), as a table with the column ``word``."""
    table = RawTable(path=path, columns=["word"])
    data, problems = read_bytes_capped(path, shown, what="file (one word a line)")
    if data is None:
        return table, problems
    text, problems = decode_text(data, shown)
    if text is None:
        return table, problems
    for n, line in enumerate(text.split("\n"), 1):
        word = line.strip()
        if word and not word.startswith("#"):
            table.rows.append({"word": word})
            table.lines.append(n)
    return table, problems


def read_raw_document(path: Path, shown: str, sha256: str | None = None) -> tuple[str | None, list[Problem]]:
    """Read a raw source document, checking its SHA-256 and its encoding (UTF-8, no BOM)."""
    data, problems = read_bytes_capped(path, shown, what="raw document")
    if data is None:
        return None, problems
    if sha256 is not None:
        digest = hashlib.sha256(data).hexdigest()
        if digest != sha256:
            problems.append(Problem(shown, None, "sha256", digest,
                                    f"SHA-256 {sha256} from sources.csv (the raw file was altered)",
                                    "checksum"))
    text, enc_problems = decode_text(data, shown)
    return text, problems + enc_problems
