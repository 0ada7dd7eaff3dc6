"""Every subcommand catches its own errors: a message naming the file and what to do, never a traceback.

Each case runs the real console script in a child process (so the exit code and
stderr are what a user sees) against one fault: a data folder that is missing or
is a file, an input that is missing, a folder or a device, an output that is a
folder or cannot be created, a broken figure index. Exit codes: 1 for a problem
in the input or output, 2 for a usage error.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from exportdata import make_export_data

EXE = Path(sys.executable).with_name("cityscience")
CMD = [str(EXE)] if EXE.exists() else [sys.executable, "-m", "cityscience.cli"]


@pytest.fixture(scope="module")
def data(tmp_path_factory) -> Path:
    return make_export_data(tmp_path_factory.mktemp("cli"))


@pytest.fixture(scope="module")
def a_file(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("file") / "not-a-folder.txt"
    path.write_text("x", encoding="utf-8")
    return path


def _run(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([*CMD, *args], capture_output=True, text=True, check=False, cwd=cwd, timeout=300,
                          env={**__import__("os").environ, "CITYSCIENCE_DEBUG": ""})


def _cases(data: Path, a_file: Path, tmp: Path) -> list[tuple[str, list[str], int, str]]:
    folder_out = tmp / "out-is-a-folder.xlsx"
    folder_out.mkdir(exist_ok=True)
    index_dir = tmp / "figures-broken"
    index_dir.mkdir(exist_ok=True)
    (index_dir / "index.csv").write_text('name,"unclosed\n', encoding="utf-8")
    missing = tmp / "no-such-folder"
    return [
        ("validate, no data folder", ["validate", "--data", str(missing)], 1, "expected a data folder"),
        ("validate, data folder is a file", ["validate", "--data", str(a_file)], 1, "this is a file"),
        ("accounting, no data folder", ["accounting", "--data", str(missing)], 1, "expected a data folder"),
        ("coverage, no data folder", ["coverage", "--data", str(missing)], 1, "expected a data folder"),
        ("coverage, data is a device", ["coverage", "--data", "/dev/zero"], 1, "this is a file"),
        ("docs, output folder cannot be made", ["docs", "-o", "/proc/no/such/place.md"], 1,
         "cannot create the output folder"),
        ("docs, output is a folder", ["docs", "-o", str(folder_out)], 1, "it is a folder"),
        ("export xlsx, output is a folder", ["export", "xlsx", "--data", str(data), "--no-figures", "-o",
                                             str(folder_out)], 1, "it is a folder"),
        ("export xlsx, no data folder", ["export", "xlsx", "--data", str(missing), "-o", str(tmp / "x.xlsx")], 1,
         "expected a data folder"),
        ("export figures, broken index", ["export", "figures", "--data", str(data), "-o", str(tmp / "f.zip")],
         1, "index.csv"),
        ("import-xlsx, input missing", ["import-xlsx", str(tmp / "none.xlsx"), "--data", str(data)], 1,
         "expected an existing .xlsx file"),
        ("import-xlsx, input is a device", ["import-xlsx", "/dev/zero", "--data", str(data)], 1, "xlsx"),
        ("import-xlsx, input is a folder", ["import-xlsx", str(folder_out), "--data", str(data)], 1, "xlsx"),
        ("extract, input missing", ["extract", str(tmp / "none.txt"), "--region", "ningbo"], 1, "no such file"),
        ("extract, input is a folder", ["extract", str(tmp), "--region", "ningbo"], 1, str(tmp)),
        ("extract, input is a device", ["extract", "/dev/zero", "--region", "ningbo"], 1, "/dev/zero"),
        ("extract, output is a folder", ["extract", str(data / "raw" / "demo.txt"), "--region", "ningbo", "-o",
                                         str(folder_out)], 1, "out-is-a-folder.xlsx"),
        ("usage, unknown command", ["no-such-command"], 2, "invalid choice"),
        ("usage, missing argument", ["import-xlsx"], 2, "the following arguments are required"),
    ]


def test_no_command_ends_in_a_traceback(data, a_file, tmp_path, monkeypatch):
    monkeypatch.setenv("CITYSCIENCE_FIGURES", str(tmp_path / "figures-broken"))
    failures = []
    for name, args, code, fragment in _cases(data, a_file, tmp_path):
        env_args = args
        done = _run(*env_args)
        if "Traceback" in done.stderr or done.returncode != code or fragment not in done.stderr:
            failures.append(f"{name}: exit {done.returncode} (expected {code}), stderr:\n{done.stderr[-800:]}")
    assert failures == [], "\n\n".join(failures)
