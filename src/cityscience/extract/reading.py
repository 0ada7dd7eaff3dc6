"""Read a report for extraction: a path, bytes or text, in UTF-8 (with or without BOM), GB18030 or Big5.

Bytes are decoded strictly. Bytes that are not UTF-8 are read as GB18030/GBK
or as Big5, whichever gives plausible Chinese text (a detector decides when
both decode). When neither does, :class:`ExtractError` names the file, where
the first undecodable byte is and which encoding the bytes look like, so the
user knows what to convert.

Whatever the encoding (detected, from a byte-order mark, or forced), the text
must be plausible Chinese (:func:`cityscience.tables.chinese_text_problems`:
enough Chinese characters among the letters, mostly common ones, no
private-use or replacement characters) and hold no control character but tabs
and line ends; otherwise the error names the encoding tried and what was
found, with the line and column of each control character, so that nothing
mis-decoded reaches the candidates and no evidence loses a character. Text
given as a ``str`` is the caller's own and is taken as it is.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from ..tables import chinese_text_problems, read_bytes_capped

__all__ = ["MAX_CHARS", "MAX_REPORT_BYTES", "ExtractError", "Document", "decode_report", "read_report", "require_text"]

# Upper bound on the input, so that a mistaken argument (a disk image, a log
# file of gigabytes) fails at once with a message instead of exhausting memory.
MAX_CHARS = 200_000_000
#: Largest report file read (bytes); a report is at most a few hundred kilobytes.
MAX_REPORT_BYTES = 64_000_000


class ExtractError(ValueError):
    """Input the extractor cannot read (encoding, size, missing file), with what was found."""


@dataclass(frozen=True)
class Document:
    """A report as read: its text, where it came from and how it was decoded."""

    text: str
    source: str
    encoding: str


def _position(data: bytes, index: int) -> str:
    line = data.count(b"\n", 0, index) + 1
    column = index - (data.rfind(b"\n", 0, index) + 1) + 1
    return f"line {line}, byte column {column}"


def _problems(text: str, shown: str, encoding: str) -> list[str]:
    """Why ``text``, decoded as ``encoding``, is not a Chinese report (empty when it is one)."""
    return [str(p) for p in chinese_text_problems(text, shown, encoding)]


def _plausible(doc: Document) -> Document:
    """``doc`` when its text is plausible Chinese without control characters; else an ExtractError."""
    found = _problems(doc.text, doc.source, doc.encoding)
    if found:
        raise ExtractError("\n".join([*found, f"{doc.source}: nothing was extracted; expected a Chinese report in "
                                                "UTF-8, GB18030/GBK or Big5 (convert it, or pass the right "
                                                "encoding)"]))
    return doc


# The double-byte encodings of East Asian text: bytes of one often decode without error in
# another (Big5 as GB18030, EUC-KR as Big5), so a detector says which reading is text.
_CJK_CODECS = ["gb18030", "big5", "euc_kr", "shift_jis", "euc_jp"]


def _cjk_guess(data: bytes) -> str | None:
    """The East Asian encoding the bytes read best in, or None when none or no detector."""
    try:
        from charset_normalizer import from_bytes

        best = from_bytes(data[:200_000], cp_isolation=_CJK_CODECS).best()
    except Exception:  # pragma: no cover - without the detector, trust the strict decode
        return None
    return None if best is None else best.encoding


def _guess(data: bytes) -> str:
    try:
        from charset_normalizer import from_bytes

        best = from_bytes(data[:200_000]).best()
    except Exception:  # pragma: no cover - the guess only decorates the message
        return "an unknown encoding"
    if best is None:
        return "binary data (not text)"
    name = best.encoding.upper().replace("_", "-")
    if name in {"GB18030", "GB2312", "GBK"}:
        try:
            from charset_normalizer import from_bytes

            isolated = from_bytes(data[:200_000], cp_isolation=["gb18030", "big5"]).best()
        except Exception:  # pragma: no cover
            isolated = None
        if isolated is not None and isolated.encoding == "big5":
            return "BIG5"
    return name


def decode_report(data: bytes, shown: str = "<bytes>", encoding: str | None = None) -> Document:
    """Decode the bytes of a report; see the module docstring for what is accepted.

    Args:
        data: the file's bytes.
        shown: how the input is named in messages (its path).
        encoding: force this codec instead of detecting one.
    """
    if encoding is not None:
        try:
            return _plausible(Document(data.decode(encoding), shown, encoding))
        except (UnicodeDecodeError, LookupError) as exc:
            raise ExtractError(f"{shown}: cannot decode as {encoding}: {exc}") from None
    if data.startswith(b"\xef\xbb\xbf"):
        try:
            return _plausible(Document(data[3:].decode("utf-8"), shown, "utf-8-sig"))
        except UnicodeDecodeError as exc:
            raise ExtractError(f"{shown}: starts with a UTF-8 byte-order mark but is not UTF-8 at "
                               f"{_position(data, exc.start + 3)}") from None
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return _plausible(Document(data.decode("utf-16"), shown, "utf-16"))
        except UnicodeDecodeError:
            raise ExtractError(f"{shown}: starts with a UTF-16 byte-order mark but is not valid UTF-16; "
                               "expected UTF-8, GB18030 or Big5 text") from None
    try:
        return _plausible(Document(data.decode("utf-8"), shown, "utf-8"))
    except UnicodeDecodeError as exc:
        first_bad = exc.start
    guess = _cjk_guess(data)
    tried = []
    for codec in ("gb18030", "big5"):  # Big5: traditional characters (Taiwan, Hong Kong, old web pages)
        if guess is not None and guess != codec:
            continue
        try:
            text = data.decode(codec)
        except UnicodeDecodeError:
            continue
        found = _problems(text, shown, codec)
        if not found:
            return Document(text, shown, codec)
        tried.append(found[-1])
    guess = _guess(data)
    hint = (f"convert it to UTF-8 (iconv -f {guess} -t UTF-8) or pass encoding={guess.lower()!r}"
            if " " not in guess else "it does not look like text")
    raise ExtractError("\n".join([
        f"{shown}: expected UTF-8 (with or without BOM), GB18030/GBK or Big5 Chinese text, but the bytes are not "
        f"UTF-8 (first invalid byte {data[first_bad:first_bad + 1]!r} at {_position(data, first_bad)}) and "
        f"look like {guess}; {hint}", *tried]))


def read_report(text_or_path: str | os.PathLike | bytes, encoding: str | None = None) -> Document:
    """Read a report given as a path, as bytes or as the text itself.

    A :class:`str` is taken as a path when it is one line that names an existing
    file (or ends in .txt/.text/.md and so was evidently meant as one);
    otherwise it is the report's text.
    """
    if isinstance(text_or_path, bytes | bytearray | memoryview):
        return _checked(require_text(decode_report(bytes(text_or_path), "<bytes>", encoding)))
    if isinstance(text_or_path, os.PathLike):
        return _read_path(Path(text_or_path), encoding)
    if not isinstance(text_or_path, str):
        raise TypeError(f"extract() takes text, bytes or a path, not {type(text_or_path).__name__}")
    candidate = text_or_path.strip()
    if candidate and "\n" not in candidate and len(candidate) < 1024:
        try:
            is_file = Path(candidate).is_file()
        except (OSError, ValueError):
            is_file = False
        if is_file or candidate.lower().endswith((".txt", ".text", ".md")):
            return _read_path(Path(candidate), encoding)
    return _checked(Document(text_or_path, "<text>", "str"))


def _read_path(path: Path, encoding: str | None) -> Document:
    if not path.exists():
        raise ExtractError(f"{path}: no such file")
    if path.is_dir():
        raise ExtractError(f"{path}: is a folder; expected a text file")
    # read with a cap, not trusting the size: a device or a pipe (/dev/zero) reports a size of 0
    data, problems = read_bytes_capped(path, str(path), MAX_REPORT_BYTES, what="report")
    if data is None:
        raise ExtractError(str(problems[0]))
    return _checked(require_text(decode_report(data, str(path), encoding)))


def require_text(doc: Document) -> Document:
    """``doc``, or an ExtractError when it holds no text: a file (or bytes) that is empty or only white
    space is most likely the wrong file or a failed download. (Text given as a string may be empty:
    :func:`~cityscience.extract.extract` gives an empty frame for it.)"""
    if not doc.text.strip():
        what = "empty" if not doc.text else "only white space"
        raise ExtractError(f"{doc.source}: the file is {what}; expected the text of a report")
    return doc


def _checked(doc: Document) -> Document:
    if len(doc.text) > MAX_CHARS:
        raise ExtractError(f"{doc.source}: {len(doc.text):,} characters; expected at most {MAX_CHARS:,} "
                           "(split the input into documents)")
    return doc
