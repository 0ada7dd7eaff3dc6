"""Every subcommand catches its own errors: a message naming the file and what to do, never a traceback.

Each case runs the real console script in a child process (so the exit code and
stderr are what a user sees) against one fault: a data folder that is missing or
is a file, an input that is missing, a folder or a device, an output that is a
folder or cannot be created, a broken figure index. Exit codes: 1 for a problem
in the input or output, 2 for a usage error.
"""

from __future__ import annotations

import os
import re
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


def _run(*args: str, cwd: Path | None = None, env: dict | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([*CMD, *args], capture_output=True, text=True, check=False, cwd=cwd, timeout=300,
                          env={**os.environ, "CITYSCIENCE_DEBUG": "", **(env or {})})


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
        ("accounting, unknown source", ["accounting", "--data", str(data), "--source", "no-such-source"], 2,
         "--source 'no-such-source': expected a source_id of sources.csv"),
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
        ("export figures, unknown region named first", ["export", "figures", "--data", str(data), "--region",
                                                        "ningpo", "-o", str(tmp / "f.zip")], 1,
         "region 'ningpo': expected one of"),
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


# --- every subcommand against every fault class that applies to it -----------------------------------

FAULTS = ("missing input", "input is a folder", "input is a file", "input is a device", "input is a pipe",
          "table is a folder", "table is a pipe", "broken table", "output is a folder", "output parent is a file",
          "output folder read-only", "another build running")


def _subcommands() -> list[str]:
    """The subcommands `cityscience --help` lists."""
    out = subprocess.run([*CMD, "--help"], capture_output=True, text=True, check=True).stdout
    block = out.split("{", 1)[1].split("}", 1)[0] if "{" in out else ""
    names = block.split(",") if block else re.findall(r"^    ([a-z][a-z-]+)", out, flags=re.MULTILINE)
    return sorted(set(names))


def _read_only(folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    if os.geteuid() != 0:
        folder.chmod(0o555)
    elif subprocess.run(["chattr", "+i", str(folder)], capture_output=True, check=False).returncode != 0:
        pytest.skip("root without chattr +i: no way to make a folder unwritable")
    return folder


def _writable_again(folder: Path) -> None:
    if os.geteuid() == 0:
        subprocess.run(["chattr", "-i", str(folder)], capture_output=True, check=False)
    else:
        folder.chmod(0o755)


@pytest.fixture
def world(tmp_path, data):
    """Broken copies of the data folder, odd inputs and outputs, and a notebook that must never run."""
    import shutil

    from test_build import _notebook

    w = {"tmp": tmp_path, "good": data, "missing": tmp_path / "missing"}
    w["file"] = tmp_path / "a-file.txt"
    w["file"].write_text("not a folder", encoding="utf-8")
    w["folder"] = tmp_path / "a-folder.xlsx"
    w["folder"].mkdir()
    for name in ("table-folder", "table-pipe", "broken"):
        shutil.copytree(data, tmp_path / name)
    (tmp_path / "table-folder" / "regions.csv").unlink()
    (tmp_path / "table-folder" / "regions.csv").mkdir()
    (tmp_path / "table-pipe" / "regions.csv").unlink()
    os.mkfifo(tmp_path / "table-pipe" / "regions.csv")  # nobody writes to it: must not wait for ever
    (tmp_path / "broken" / "regions.csv").write_text("region;name\nningbo;x\n", encoding="utf-8")
    w["pipe"] = tmp_path / "pipe.txt"
    os.mkfifo(w["pipe"])
    w["writer"] = subprocess.Popen(["sh", "-c", f"exec yes 新增孵化器近百家 > '{w['pipe']}'"],
                                   stderr=subprocess.DEVNULL)  # writes until the reader closes
    w["read-only"] = _read_only(tmp_path / "read-only")
    w["marker"] = tmp_path / "a-notebook-ran"
    w["notebooks"] = tmp_path / "notebooks"
    _notebook(w["notebooks"] / "50-marker.ipynb", [("code", f"open({str(w['marker'])!r}, 'w').close()")])
    yield w
    w["writer"].kill()
    w["writer"].wait()
    _writable_again(w["read-only"])


def _matrix(w: dict) -> dict[str, dict[str, tuple[list[str], str]]]:
    """Subcommand → fault class → (arguments, a fragment the message must contain).

    Arguments that start with ``--env NAME=VALUE`` run with that environment variable.
    """
    t, good = w["tmp"], str(w["good"])
    out = str(t / "out.xlsx")
    ro_out = str(w["read-only"] / "out.xlsx")
    in_file = str(w["file"] / "out.xlsx")
    data_faults = {
        "missing input": (["--data", str(w["missing"])], "expected a data folder"),
        "input is a file": (["--data", str(w["file"])], "this is a file"),
        "input is a device": (["--data", "/dev/zero"], "this is a file"),
        "table is a folder": (["--data", str(t / "table-folder")], "regions.csv: expected a file, but found a folder"),
        "table is a pipe": (["--data", str(t / "table-pipe")], "regions.csv"),
        "broken table": (["--data", str(t / "broken")], "regions.csv:1"),
    }
    build = ["build", "--notebooks", str(w["notebooks"]), "--no-progress", "--no-html", "-j", "1"]
    report_file = t / "new-report.txt"  # a report the data do not hold yet (the demo's text, one line more)
    report_file.write_text((w["good"] / "raw" / "demo.txt").read_text(encoding="utf-8") + "\n新认定企业3家。\n",
                           encoding="utf-8")
    report = str(report_file)

    def add_report(path: str) -> list[str]:
        return ["add-report", path, "--region", "ningbo", "--year", "2015", "--data", good]

    return {
        "validate": {k: (["validate", *a], f) for k, (a, f) in data_faults.items()},
        "accounting": {k: (["accounting", *a], f) for k, (a, f) in data_faults.items()},
        "coverage": {k: (["coverage", *a], f) for k, (a, f) in data_faults.items()},
        "docs": {
            "output is a folder": (["docs", "-o", str(w["folder"])], "it is a folder"),
            "output parent is a file": (["docs", "-o", in_file], "is a file; expected a writable folder"),
            "output folder read-only": (["docs", "-o", ro_out], "cannot write into the output folder"),
        },
        "build": {
            "broken table": (["--env", f"CITYSCIENCE_DATA={t / 'broken'}", *build, "--figures", str(t / "f1"),
                              "--build-dir", str(t / "b1")], "regions.csv:1"),
            "output is a folder": ([*build, "--figures", str(t / "f2"), "--build-dir", str(t / "b2"), "--no-validate"],
                                   "probe.json"),
            "output parent is a file": ([*build, "--figures", str(w["file"]), "--build-dir", str(t / "b3"),
                                         "--no-validate"], "is a file; expected a writable folder"),
            "output folder read-only": ([*build, "--figures", str(w["read-only"]), "--build-dir", str(t / "b4"),
                                         "--no-validate"], "cannot write into the output folder"),
            "another build running": ([*build, "--figures", str(t / "f5"), "--build-dir", str(t / "b5"),
                                       "--no-validate", "--no-wait"], "another cityscience build is running"),
        },
        "export": {
            "missing input": (["export", "xlsx", "--data", str(w["missing"]), "-o", out], "expected a data folder"),
            "table is a folder": (["export", "xlsx", "--data", str(t / "table-folder"), "-o", out],
                                  "expected a file, but found a folder"),
            "table is a pipe": (["export", "xlsx", "--data", str(t / "table-pipe"), "-o", out], "regions.csv"),
            "broken table": (["export", "xlsx", "--data", str(t / "broken"), "-o", out], "regions.csv:1"),
            "output is a folder": (["export", "xlsx", "--data", good, "-o", str(w["folder"])], "it is a folder"),
            "output parent is a file": (["export", "figures", "--data", good, "-o", in_file], "is a file"),
            "output folder read-only": (["export", "xlsx", "--data", good, "-o", ro_out],
                                        "cannot write into the output folder"),
        },
        "import-xlsx": {
            "missing input": (["import-xlsx", str(t / "none.xlsx"), "--data", good], "expected an existing .xlsx"),
            "input is a folder": (["import-xlsx", str(w["folder"]), "--data", good], str(w["folder"])),
            "input is a device": (["import-xlsx", "/dev/zero", "--data", good], "/dev/zero"),
            "input is a pipe": (["import-xlsx", str(w["pipe"]), "--data", good], str(w["pipe"])),
            "broken table": (["import-xlsx", str(w["file"]), "--data", str(t / "broken")], "a-file.txt"),
        },
        "add-report": {
            "missing input": ([*add_report(str(t / "none.txt")), "-o", out], "expected the report to exist"),
            "input is a folder": ([*add_report(str(t)), "-o", out], "found a folder"),
            "input is a device": ([*add_report("/dev/zero"), "-o", out], "expected a report of at most"),
            "broken table": ([*add_report(report), "-o", out, "--data", str(t / "broken")], "regions.csv:1"),
            "output is a folder": ([*add_report(report), "-o", str(w["folder"])], "a-folder.xlsx"),
            "output parent is a file": ([*add_report(report), "-o", in_file], "a-file.txt"),
            "output folder read-only": ([*add_report(report), "-o", ro_out], "read-only"),
        },
        "accept": {
            "missing input": (["accept", str(t / "none.xlsx"), "--data", good], "no such file"),
            "input is a file": (["accept", str(w["file"]), "--data", good], "expected an Excel workbook"),
            "input is a folder": (["accept", str(w["folder"]), "--data", good], "this is not a regular file"),
            "input is a device": (["accept", "/dev/zero", "--data", good], "this is not a regular file"),
            "input is a pipe": (["accept", str(w["pipe"]), "--data", good], "this is not a regular file"),
        },
        "extract": {
            "missing input": (["extract", str(t / "none.txt"), "--region", "ningbo", "-o", out], "no such file"),
            "input is a folder": (["extract", str(t), "--region", "ningbo", "-o", out], "is a folder"),
            "input is a device": (["extract", "/dev/zero", "--region", "ningbo", "-o", out],
                                  "expected a report of at most"),
            "input is a pipe": (["extract", str(w["pipe"]), "--region", "ningbo", "-o", out],
                                "expected a report of at most"),
            "output is a folder": (["extract", str(w["good"] / "raw" / "demo.txt"), "--region", "ningbo", "-o",
                                    str(w["folder"])], "a-folder.xlsx"),
            "output parent is a file": (["extract", str(w["good"] / "raw" / "demo.txt"), "--region", "ningbo",
                                         "-o", in_file], "a-file.txt"),
            "output folder read-only": (["extract", str(w["good"] / "raw" / "demo.txt"), "--region", "ningbo",
                                         "-o", ro_out], "read-only"),
        },
    }


def test_every_subcommand_meets_every_fault_class_with_a_message(world):
    from cityscience.atomic import folder_lock

    matrix = _matrix(world)
    assert sorted(matrix) == _subcommands(), "a subcommand of `cityscience --help` has no fault cases here"
    assert {fault for faults in matrix.values() for fault in faults} == set(FAULTS)
    (world["tmp"] / "b2" / "manifests").mkdir(parents=True)
    (world["tmp"] / "b2" / "manifests" / "probe.json").mkdir()  # a folder where the build writes a file
    failures = []
    with folder_lock(world["tmp"] / "b5", "test holder"):
        for command, faults in matrix.items():
            for fault, (args, fragment) in faults.items():
                env = dict([args[1].split("=", 1)]) if args[0] == "--env" else None
                done = _run(*(args[2:] if env else args), env=env)
                if done.returncode != 1 or "Traceback" in done.stderr or fragment not in done.stderr:
                    failures.append(f"{command}, {fault}: exit {done.returncode}, stderr:\n{done.stderr[-600:]}")
    assert failures == [], "\n\n".join(failures)
    assert not world["marker"].exists()  # every build fault was found before any notebook ran


@pytest.mark.parametrize("args", [("coverage",), ("accounting", "--summary")])
def test_a_reader_that_stops_reading_is_not_an_error(data, args):
    """`cityscience coverage | head -1`: head closes the pipe; the command stops quietly instead of reporting
    'Broken pipe' as a problem with its input or output. Here the reading end is closed before the command
    writes anything, so every write meets the closed pipe."""
    proc = subprocess.Popen([*CMD, *args, "--data", str(data)], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            env={**os.environ, "CITYSCIENCE_DEBUG": ""})
    proc.stdout.close()
    _, err = proc.communicate(timeout=300)
    assert proc.returncode == 0, err.decode()
    assert b"Broken pipe" not in err and b"Traceback" not in err, err.decode()
