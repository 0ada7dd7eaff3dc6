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
import os
import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import numpy as np

from .problems import Problem

__all__ = ["MAX_FILE_BYTES", "MIN_CJK_SHARE", "MIN_COMMON_SHARE", "MIN_TOP_SHARE", "RawTable", "chinese_text_problems",
           "decode_text", "read_bytes_capped", "read_csv_table", "read_raw_document", "read_word_list", "relpath",
           "write_rows"]

#: Largest curated table or raw document read (20 MB; the largest today is under 0.2 MB). A larger input is
#: refused before it is parsed, so a mistaken file (a dump, a device) fails at once with one line.
MAX_FILE_BYTES = 20_000_000

_UTF8_BOM = b"\xef\xbb\xbf"
_BOMS = {
    _UTF8_BOM: "UTF-8 with BOM",
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


def write_rows(table: RawTable, path: Path, keep: Callable[[dict[str, str]], bool]) -> None:
    """Write ``table`` to ``path`` with only the records ``keep`` accepts, header and records byte for
    byte as read (a copy of the data without some documents' rows)."""
    kept = [seg for row, seg in zip(table.rows, table.segments, strict=True) if keep(row)]
    path.write_text(table.header_text + "".join(kept), encoding="utf-8")


def relpath(path: Path, base: Path | None = None) -> str:
    """Path shown in messages: relative to ``base`` (the data folder's parent) when possible."""
    path = Path(path)
    for root in [base, Path.cwd()]:
        if root is None or Path(root).resolve() == Path(Path(root).resolve().anchor):
            continue  # relative to / the path would read as relative to the working folder
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
    is refused as quickly as a large file; a named pipe nobody writes to reads as empty (no wait).
    """
    path = Path(path)
    if path.is_dir():
        return None, [Problem(shown, None, None, None, f"a {what}, but found a folder", "not_a_file")]
    if not path.exists():
        return None, [Problem(shown, None, None, None, f"the {what} to exist", "missing_file")]
    try:
        # non-blocking open: a named pipe without a writer reads as empty instead of waiting for ever
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
        if hasattr(os, "set_blocking"):
            os.set_blocking(fd, True)  # then read as usual: a pipe with a writer is read to the cap
        with os.fdopen(fd, "rb") as f:
            data = f.read(limit + 1)
    except OSError as exc:
        return None, [Problem(shown, None, None, None, f"a readable {what} ({exc.strerror or exc})", "unreadable")]
    if len(data) > limit:
        return None, [Problem(shown, None, None, None, f"a {what} of at most {limit:,} bytes (it is larger)",
                              "too_large")]
    return data, []


def _bom_problem(shown: str, name: str, check: str) -> Problem:
    """A file that starts with a byte-order mark (``name``, e.g. UTF-8 with BOM)."""
    return Problem(shown, None, None, None, f"UTF-8 without a byte-order mark, but found {name}", check)


def decode_text(data: bytes, shown: str, *, allow_bom: bool = False) -> tuple[str | None, list[Problem]]:
    """Decode bytes that must be UTF-8; say which encoding was found when they are not.

    Returns the text (None when it cannot be read) and the problems found.
    """
    for bom, name in _BOMS.items():
        if data.startswith(bom):
            if allow_bom and bom == _UTF8_BOM:
                return data[len(bom):].decode("utf-8"), []
            return None, [_bom_problem(shown, name, "encoding")]
    try:
        return data.decode("utf-8"), []
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        found = _guess_encoding(data)
        return None, [Problem(shown, line, None, repr(data[exc.start: exc.start + 4]),
                              f"UTF-8 text, but the bytes look like {found}", "encoding")]


# Plausibility of text decoded from a Chinese report (see chinese_text_problems). Measured on the raw
# documents (simplified and, converted, traditional): 99.6% or more of their letters are Chinese
# characters, all of those are common ones, and 13-23% are among the 100 most frequent; text mis-decoded
# from Shift-JIS, EUC-KR, EUC-JP, Big5/GB18030 swapped, UTF-8/UTF-16 as GB18030 or Chinese as Latin-1
# falls below at least one bound (0-2% among the most frequent, 26-60% common, or no Chinese at all).
#: Least share of Chinese characters among the letters (when there are at least 20 letters).
MIN_CJK_SHARE = 0.5
#: Least share of common characters (GB2312 level 1 or Big5's frequent ones) among the Chinese ones (20+).
MIN_COMMON_SHARE = 0.8
#: Least share, among 100 or more Chinese characters, of the 100 most frequent ones.
MIN_TOP_SHARE = 0.05
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")  # category Cc but tab, LF and CR
_CONTROLS_LISTED = 5


#: The frequent characters, as the ranges of their two-byte codes: GB2312 level 1 (simplified) and
#: Big5's frequent characters (traditional), with the trail bytes each encoding uses.
_COMMON_CODES = (("gb2312", 0xB0A1, 0xD7F9, range(0xA1, 0xFF)),
                 ("big5", 0xA440, 0xC67E, (*range(0x40, 0x7F), *range(0xA1, 0xFF))))


def _common_characters() -> str:
    """Every character with a code in :data:`_COMMON_CODES`, decoded a row (lead byte) at a time;
    a row with an unassigned code is decoded code by code, without it."""
    out = []
    for codec, first, last, trails in _COMMON_CODES:
        for lead in range(first >> 8, (last >> 8) + 1):
            codes = [bytes((lead, trail)) for trail in trails if first <= (lead << 8 | trail) <= last]
            try:
                out.append(b"".join(codes).decode(codec))
            except UnicodeDecodeError:
                for code in codes:
                    try:
                        out.append(code.decode(codec))
                    except UnicodeDecodeError:
                        continue
    return "".join(out)


#: The 100 most frequent Chinese characters, most frequent first: charset-normalizer's table
#: (``charset_normalizer.constant.FREQUENCIES["Chinese"]``, which a test compares with this copy), kept
#: here because importing that module for it took a tenth of validating every table.
_MOST_FREQUENT_CHINESE = ("的一是不了在人有我他这个们中来上大为和国地到以说时要就出会可也你对生能而子那得于着下自之年过发后作里用道"
                         "行所然家种事成方多经么去法学如都同现当没动面起看定天分还进好小部其些主样理心她本前开但因只从想实")


# The plausibility check counts characters on their code points as arrays: iterating over Chinese
# text in Python makes a new string object per character, and encoding each distinct character
# twice (with an exception for most traditional ones) cost more than the rest of reading a report.
_CJK_RANGES = ((0x4E00, 0x9FFF), (0x3400, 0x4DBF), (0xF900, 0xFAFF))


_CJK_OTHER, _CJK_UNCOMMON, _CJK_COMMON, _CJK_UNASSIGNED, _FREQUENT = 0, 1, 2, 3, 4


def _code_points(text: str) -> np.ndarray:
    """The code points of ``text`` as an array (lone surrogates kept)."""
    return np.frombuffer(text.encode("utf-32-le", "surrogatepass"), dtype="<u4")


@lru_cache(maxsize=1)
def _bmp_classes() -> np.ndarray:
    """For each code point of the Basic Multilingual Plane: not in the CJK ranges (0), an uncommon (1)
    or common one (2, :func:`_common_characters`); plus 4 for the 100 most frequent. Built once per
    process (about 5 ms). Unassigned code points of the ranges are class 1 here: :func:`_classes`
    tells them apart for the few uncommon ones a text holds."""
    table = np.zeros(0x10000, dtype=np.uint8)
    for low, high in _CJK_RANGES:
        table[low:high + 1] = _CJK_UNCOMMON
    common = _code_points(_common_characters())
    common = common[common < 0x10000]
    table[common[table[common] == _CJK_UNCOMMON]] = _CJK_COMMON
    frequent = _code_points(_MOST_FREQUENT_CHINESE)
    table[frequent[table[frequent] != _CJK_OTHER]] |= _FREQUENT
    return table


def _classes(points: np.ndarray) -> np.ndarray:
    """The class of each of a text's distinct code points: :func:`_bmp_classes`, with 3 for those of
    the CJK ranges that are unassigned (by this Python's Unicode data) and 0 outside the BMP."""
    classes = np.zeros(len(points), dtype=np.uint8)
    bmp = points < 0x10000
    classes[bmp] = _bmp_classes()[points[bmp]]
    uncommon = np.flatnonzero(classes == _CJK_UNCOMMON)
    unassigned = [i for i, p in zip(uncommon.tolist(), points[uncommon].tolist(), strict=True)
                  if unicodedata.category(chr(p)) == "Cn"]
    classes[unassigned] = _CJK_UNASSIGNED
    return classes


def _where(text: str, index: int) -> tuple[int, int]:
    """1-based line and column of a character."""
    line = text.count("\n", 0, index) + 1
    return line, index - (text.rfind("\n", 0, index) + 1) + 1


def _char_name(ch: str) -> str:
    return f"U+{ord(ch):04X}" + (f" ({unicodedata.name(ch)})" if unicodedata.name(ch, "") else "")


def chinese_text_problems(text: str, shown: str, encoding: str, *, plausibility: bool = True) -> list[Problem]:
    """Problems of text that should be a Chinese report: control characters (each with its line and
    column), and, when ``plausibility``, signs that the bytes were decoded with the wrong ``encoding``.

    Tabs and line ends are the only control characters allowed. The plausibility bounds
    (:data:`MIN_CJK_SHARE`, :data:`MIN_COMMON_SHARE`, :data:`MIN_TOP_SHARE`) apply only to texts long
    enough to measure; private-use, unassigned and replacement characters are refused at any length.
    """
    problems: list[Problem] = []
    controls = [m.start() for m in _CONTROL.finditer(text)]
    for index in controls[:_CONTROLS_LISTED]:
        line, column = _where(text, index)
        problems.append(Problem(shown, line, None, None, f"text without control characters, but found "
                                f"{_char_name(text[index])} at column {column}", "control_character"))
    if len(controls) > _CONTROLS_LISTED:
        nul = sum(1 for i in controls if text[i] == "\0")
        hint = ("; every other character is NUL: this looks like UTF-16 without a byte-order mark, convert "
                "it to UTF-8" if nul * 4 >= len(text) else "")
        problems.append(Problem(shown, None, None, None, f"text without control characters, but found "
                                f"{len(controls) - _CONTROLS_LISTED:,} more{hint}", "control_character"))
    if not plausibility:
        return problems
    found = _implausible(text)
    if found:
        problems.append(Problem(shown, None, None, None, f"Chinese text, but decoded as {encoding} {found}",
                                "implausible_text"))
    return problems


def _implausible(text: str) -> str | None:
    """What makes decoded text implausible as Chinese, in words, or None."""
    points, counts = np.unique(_code_points(text), return_counts=True)
    classes = _classes(points)
    kind = classes & 3
    cjk = (kind == _CJK_UNCOMMON) | (kind == _CJK_COMMON)
    odd: list[str] = []
    letters = 0
    others: list[str] = []
    for point, n in zip(points[~cjk].tolist(), counts[~cjk].tolist(), strict=True):
        ch = chr(point)
        category = unicodedata.category(ch)
        if ch == "\ufffd" or category in ("Co", "Cn"):
            odd.append(ch)
        elif category.startswith("L"):
            letters += n
            if not ch.isascii():
                others.append(ch)
    if odd:
        first = min(text.find(ch) for ch in odd)
        line, column = _where(text, first)
        n = sum(text.count(ch) for ch in odd)
        return (f"it holds {n:,} private-use, unassigned or replacement character{'s' if n > 1 else ''}"
                f" (the first at line {line}, column {column}: {_char_name(text[first])})")
    n_cjk = int(counts[cjk].sum())
    n_letters = n_cjk + letters
    if n_letters >= 20 and n_cjk < MIN_CJK_SHARE * n_letters:
        shown = sorted(others)[:8]
        return (f"only {n_cjk / n_letters:.0%} of its {n_letters:,} letters are Chinese characters "
                f"(expected at least {MIN_CJK_SHARE:.0%})" + (f"; found {' '.join(shown)} …" if shown else ""))
    common = int(counts[kind == _CJK_COMMON].sum())
    if n_cjk >= 20 and common < MIN_COMMON_SHARE * n_cjk:
        return (f"only {common / n_cjk:.0%} of its {n_cjk:,} Chinese characters are common ones "
                f"(expected at least {MIN_COMMON_SHARE:.0%}), as bytes of another encoding read")
    frequent = int(counts[(classes & _FREQUENT) > 0].sum())
    if n_cjk >= 100 and frequent < MIN_TOP_SHARE * n_cjk:
        return (f"only {frequent / n_cjk:.1%} of its {n_cjk:,} Chinese characters are among the 100 most "
                f"frequent (expected at least {MIN_TOP_SHARE:.0%}; Chinese prose has 13% or more)")
    return None


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
    problems = []
    if data.startswith(_UTF8_BOM):  # say so, and read on: the text after the mark may hold more problems
        problems.append(_bom_problem(shown, _BOMS[_UTF8_BOM], "bom"))
        data = data[len(_UTF8_BOM):]
    text, decoding = decode_text(data, shown)
    problems.extend(decoding)
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


def read_raw_document(path: Path, shown: str, sha256: str | None = None, stated_in: str = "sources.csv"
                      ) -> tuple[str | None, list[Problem]]:
    """Read a raw source document, checking its SHA-256 (as ``stated_in`` names the row that states it) and
    its encoding (UTF-8, no BOM)."""
    data, problems = read_bytes_capped(path, shown, what="raw document")
    if data is None:
        return None, problems
    if sha256 is not None:
        digest = hashlib.sha256(data).hexdigest()
        if digest != sha256:
            problems.append(Problem(shown, None, "sha256", digest,
                                    f"SHA-256 {sha256} from {stated_in} (the raw file was altered, or that digest was "
                                    "edited)",
                                    "checksum"))
    text, enc_problems = decode_text(data, shown)
    if text is not None:
        enc_problems += chinese_text_problems(text, shown, "UTF-8")
    return text, problems + enc_problems
