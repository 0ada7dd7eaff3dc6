"""Inputs built to exhaust memory are refused within a memory limit, with one line and exit 1.

Each case runs the real command line in a child process whose address space
is capped (``RLIMIT_AS``, :data:`LIMIT`): a workbook that expands to
gigabytes, a workbook of a million rows, one of millions of cells, and
observations, raw documents and reports of 200 MB. The inputs are generated
in a temporary folder at test time (none is committed). Without the bounds
checked before parsing, each would need several times the limit.
"""

from __future__ import annotations

import os
import resource
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from cityscience.export.workbook import workbook_bytes
from exportdata import make_export_data

LIMIT = 1_500_000_000  # bytes of address space for the child
BIG = 200_000_000  # bytes of the large text inputs
EXE = Path(sys.executable).with_name("cityscience")
CMD = [str(EXE)] if EXE.exists() else [sys.executable, "-m", "cityscience.cli"]


def _limited() -> None:
    resource.setrlimit(resource.RLIMIT_AS, (LIMIT, LIMIT))


def _run(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([*CMD, *args], capture_output=True, text=True, timeout=300, preexec_fn=_limited,
                          env={**os.environ, "CITYSCIENCE_DEBUG": "", "OPENBLAS_NUM_THREADS": "1"})


@pytest.fixture(scope="module")
def data(tmp_path_factory) -> Path:
    return make_export_data(tmp_path_factory.mktemp("mem"))


@pytest.fixture(scope="module")
def book(data, tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("book") / "book.xlsx"
    path.write_bytes(workbook_bytes(data, "zh"))
    return path


def _rewrite(book: Path, out: Path, sheet: str, write) -> Path:
    """A copy of ``book`` whose ``sheet`` part is written by ``write(file)`` (streamed: never in memory)."""
    with zipfile.ZipFile(book) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as dst:
        for info in src.infolist():
            if info.filename == sheet:
                with dst.open(sheet, "w", force_zip64=True) as f:
                    write(f, src.read(info))
            else:
                dst.writestr(info, src.read(info))
    return out


def _bomb(f, xml: bytes) -> None:
    """The sheet, then 1.6 GB of spaces inside its XML (more than the limit): a few MB compressed."""
    head, tail = xml.split(b"</sheetData>")
    f.write(head)
    chunk = b" " * 16_000_000
    for _ in range(100):
        f.write(chunk)
    f.write(b"</sheetData>" + tail)


def _million_rows(f, xml: bytes) -> None:
    head, tail = xml.split(b"</sheetData>")
    f.write(head)
    for start in range(100_000, 1_100_000, 100_000):
        f.write(b"".join(b'<row r="%d"/>' % r for r in range(start, start + 100_000)))
    f.write(b"</sheetData>" + tail)


def _millions_of_cells(f, xml: bytes) -> None:
    head, tail = xml.split(b"</sheetData>")
    f.write(head)
    for r in range(100_000, 100_300):
        f.write(b'<row r="%d">' % r + b"".join(b'<c r="A%d"/>' % r for _ in range(10_000)) + b"</row>")
    f.write(b"</sheetData>" + tail)


def _big_text(path: Path, line: bytes) -> Path:
    with open(path, "wb") as f:
        block = line * (10_000_000 // len(line))
        for _ in range(BIG // len(block) + 1):
            f.write(block)
    return path


def _check(done: subprocess.CompletedProcess, *fragments: str) -> None:
    assert done.returncode == 1, done.stderr[-2000:]
    assert "Traceback" not in done.stderr and "MemoryError" not in done.stderr, done.stderr[-2000:]
    for fragment in fragments:
        assert fragment in done.stderr, done.stderr[-2000:]


@pytest.mark.parametrize("name, write, fragments", [
    ("expands to 1.6 GB", _bomb, ("expected a workbook of at most 50,000,000 bytes uncompressed", "[too_large]")),
    ("a million rows", _million_rows, ("expected sheets of at most 50,000 rows;", "1,000,", "[too_large]")),
    ("three million cells", _millions_of_cells, ("expected sheets of at most 1,000,000 cells;", "[too_large]")),
])
def test_a_hostile_workbook_is_refused_within_the_memory_limit(book, data, tmp_path, name, write, fragments):
    hostile = _rewrite(book, tmp_path / "hostile.xlsx", "xl/worksheets/sheet2.xml", write)
    assert hostile.stat().st_size < 50_000_000  # small on disk: the bound is on what it expands to
    copy = tmp_path / "data"
    shutil.copytree(data, copy)
    before = {p: p.read_bytes() for p in copy.rglob("*.csv")}
    _check(_run("import-xlsx", str(hostile), "--data", str(copy)), *fragments)
    assert {p: p.read_bytes() for p in copy.rglob("*.csv")} == before


def test_a_200_mb_observations_file_is_refused_within_the_memory_limit(data, tmp_path):
    copy = tmp_path / "data"
    shutil.copytree(data, copy)
    obs = copy / "observations" / "demo.csv"
    rows = obs.read_bytes().split(b"\n", 1)[1]
    _big_text(obs, rows)
    for args in (["validate"], ["export", "xlsx", "-o", str(tmp_path / "out.xlsx"), "--no-figures"]):
        _check(_run(*args, "--data", str(copy)), "data/observations/demo.csv: expected a file of at most "
               "20,000,000 bytes (it is larger) [too_large]")
    assert not (tmp_path / "out.xlsx").exists()


def test_a_200_mb_raw_document_is_refused_within_the_memory_limit(data, tmp_path):
    copy = tmp_path / "data"
    shutil.copytree(data, copy)
    _big_text(copy / "raw" / "demo.txt", "新增孵化器近百家。\n".encode())
    _check(_run("validate", "--data", str(copy)), "data/raw/demo.txt: expected a raw document of at most "
           "20,000,000 bytes (it is larger) [too_large]")


def test_a_200_mb_report_is_refused_within_the_memory_limit(tmp_path):
    report = _big_text(tmp_path / "report.txt", "新增孵化器近百家,同比增长12.5%。\n".encode())
    out = tmp_path / "review.xlsx"
    _check(_run("extract", str(report), "--region", "ningbo", "-o", str(out)), "expected a report of at most "
           "64,000,000 bytes")
    assert not out.exists()
