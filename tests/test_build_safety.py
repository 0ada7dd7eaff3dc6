"""`cityscience build` under faults: two builds at once, a vanished staging folder, an export of a half-built folder.

The builds run tiny notebooks (each writes its figure files, as the real
notebooks do through ``CITYSCIENCE_FIGURES``) through the real console script
in child processes, so exit codes and messages are what a user sees.
"""

from __future__ import annotations

import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
from pathlib import Path

import pytest

from cityscience import build as b
from cityscience.atomic import folder_lock
from cityscience.cli import main
from exportdata import make_export_data
from test_build import WRITE_FIGURE, _notebook

EXE = Path(sys.executable).with_name("cityscience")
CMD = [str(EXE)] if EXE.exists() else [sys.executable, "-m", "cityscience.cli"]
FORMATS = ("png", "svg", "pdf")


def _slow(path: Path, name: str, seconds: float = 1.0) -> Path:
    """A notebook that takes a while, then writes the figure ``name`` in every format."""
    return _notebook(path, [("md", f"# {path.name[:2]} · slow"),
                            ("code", f"import time\ntime.sleep({seconds})"),
                            ("code", f"name = {name!r}\nversion = 1\n" + WRITE_FIGURE)])


@pytest.fixture
def tiny(tmp_path):
    """Two slow notebooks, their own data folder, and the figures and build folders of the builds."""
    notebooks = tmp_path / "notebooks"
    names = [f"{n}-fig" for n in ("30", "31")]
    for name in names:
        _slow(notebooks / f"{name[:2]}-slow.ipynb", name)
    data = tmp_path / "data"
    data.mkdir()
    (data / "table.csv").write_text("a\n1\n", encoding="utf-8")
    figures, output = tmp_path / "figures", tmp_path / "build"
    env = {**os.environ, "CITYSCIENCE_DATA": str(data), "CITYSCIENCE_DEBUG": ""}
    args = [*CMD, "build", "--notebooks", str(notebooks), "--figures", str(figures), "--build-dir", str(output),
            "--no-validate", "--no-html", "--no-progress", "-j", "2"]
    expected = sorted(f"{name}.{fmt}" for name in names for fmt in FORMATS)
    return args, env, figures, output, expected


def _figures(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.suffix.lstrip(".") in FORMATS) if folder.exists() else []


def _runs(stdout: str) -> tuple[int, int]:
    match = re.search(r"ok: (\d+) of (\d+) notebook executions", stdout)
    assert match, stdout
    return int(match[1]), int(match[2])


def test_two_builds_started_together_lose_no_figure(tiny):
    args, env, figures, output, expected = tiny
    figures.mkdir()  # an earlier build's figures, which the builds must replace, never wipe
    for name in expected:
        (figures / name).write_text("an earlier build")
    procs = [subprocess.Popen(args, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
             for _ in range(2)]
    outs = [p.communicate(timeout=300) for p in procs]
    assert [p.returncode for p in procs] == [0, 0], [err for _, err in outs]
    assert all("Traceback" not in err for _, err in outs)
    assert _figures(figures) == expected
    assert all((figures / name).read_text().endswith(" 1") for name in expected)  # the new build's files
    ran = [_runs(out) for out, _ in outs]
    # one build ran every execution; the other waited for it and found nothing left to run
    assert sorted(n for n, _ in ran) == [0, len(expected) // len(FORMATS)]
    assert not list(output.glob("figures-staging*"))


def test_a_second_build_with_no_wait_refuses_and_changes_nothing(tiny):
    args, env, figures, output, _ = tiny
    with folder_lock(output, "test holder"):
        done = subprocess.run([*args, "--no-wait"], env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 1
    assert "another cityscience build is running (test holder, pid" in done.stderr
    assert "Traceback" not in done.stderr and len(done.stderr.strip().splitlines()) == 1
    assert _figures(figures) == [] and not (output / "notebooks").exists()


def test_a_second_build_waits_says_so_and_then_builds(tiny):
    args, env, figures, output, expected = tiny
    lines: list[str] = []
    waiting = threading.Event()

    with folder_lock(output, "test holder"):
        proc = subprocess.Popen(args, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)

        def read():
            for line in proc.stderr:
                lines.append(line)
                if "waiting for another cityscience build" in line:
                    waiting.set()

        reader = threading.Thread(target=read, daemon=True)
        reader.start()
        assert waiting.wait(120), "".join(lines)
        assert _figures(figures) == []  # nothing ran while the lock was held
    out, _ = proc.communicate(timeout=300)
    reader.join(10)
    assert proc.returncode == 0, "".join(lines)
    assert "test holder, pid" in "".join(lines)
    assert _figures(figures) == expected and _runs(out)[0] == len(expected) // len(FORMATS)


def test_a_staging_folder_that_vanishes_fails_the_build_instead_of_removing_figures(tiny, monkeypatch):
    _, env, figures, output, expected = tiny
    monkeypatch.setenv("CITYSCIENCE_DATA", env["CITYSCIENCE_DATA"])
    notebooks = Path(tiny[0][tiny[0].index("--notebooks") + 1])
    kwargs = dict(notebooks=notebooks, figures=figures, output=output, validate=False, workers=2, html=False,
                  progress=False, log=lambda msg: None)
    figures.mkdir()  # the last good build's figures
    for name in expected:
        (figures / name).write_text("the last good build")
    before = {p.name: p.read_bytes() for p in figures.iterdir()}
    real = b.run_jobs

    def run_then_clean(jobs, *, staging, **kw):  # as another process emptying the staging folder would
        results = real(jobs, staging=staging, **kw)
        shutil.rmtree(Path(staging) / jobs[0].name)
        return results

    monkeypatch.setattr(b, "run_jobs", run_then_clean)
    with pytest.raises(b.BuildError, match="staging folder of 30-slow is gone"):
        b.build(**kwargs)
    assert {p.name: p.read_bytes() for p in figures.iterdir()} == before


def test_export_figures_refuses_what_the_build_did_not_finish(tiny, tmp_path, monkeypatch, capsys):
    args, env, figures, output, expected = tiny
    assert subprocess.run(args, env=env, capture_output=True, timeout=300).returncode == 0
    assert b.unpublished_figures(figures, output) == []  # a finished build: nothing to refuse
    monkeypatch.setenv("CITYSCIENCE_FIGURES", str(figures))
    monkeypatch.setenv("CITYSCIENCE_BUILD", str(output))
    data = make_export_data(tmp_path / "export")
    out = tmp_path / "pack.zip"
    first, last = figures / expected[0], figures / expected[-1]
    kept = {path: path.read_bytes() for path in (first, last)}
    faults = {
        "a figure deleted": (first.unlink, f"{first.name} (missing)"),
        "a figure edited": (lambda: last.write_text("touched up"), f"{last.name} (changed since the build)"),
        "a build running": (None, "a build is running (cityscience build, pid"),
    }
    for fault, (do, want) in faults.items():
        if do is not None:
            do()
        with folder_lock(output, "cityscience build") if do is None else open(os.devnull):
            code = main(["export", "figures", "--data", str(data), "-o", str(out)])
        err = capsys.readouterr().err
        assert code == 1 and not out.exists(), fault
        assert want in err and ("run `cityscience build`" in err or "wait for it" in err), (fault, err)
        for path, data_bytes in kept.items():
            path.write_bytes(data_bytes)


def _default_sigint() -> None:
    """In the child: take Ctrl-C as a terminal does (a test runner may have started us with SIGINT ignored)."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def _processes_mentioning(text: str) -> list[str]:
    """Command lines of live processes that mention ``text`` (the kernels' connection files name it)."""
    found = []
    for proc in Path("/proc").iterdir():
        if not proc.name.isdigit():
            continue
        try:
            cmdline = (proc / "cmdline").read_bytes().replace(b"\0", b" ").decode("utf-8", "replace")
            state = next(line for line in (proc / "status").read_text().splitlines() if line.startswith("State"))
        except (OSError, StopIteration):
            continue
        if text in cmdline and "zombie" not in state:
            found.append(f"{proc.name}: {cmdline}")
    return found


@pytest.mark.parametrize("sent_to", ["the terminal's process group", "the build process only"])
def test_ctrl_c_stops_the_kernels_cleans_up_and_exits_130(tmp_path, request, sent_to):
    notebooks, runtime = tmp_path / "notebooks", tmp_path / "runtime"
    runtime.mkdir()
    # a short folder of its own: a kernel's socket path must fit a Unix socket address (about 100 bytes)
    temp = Path(tempfile.mkdtemp(prefix="cs-"))
    request.addfinalizer(lambda: shutil.rmtree(temp, ignore_errors=True))
    # connection files and sockets go to the kernels' temporary folder (TMPDIR) or the Jupyter runtime folder
    for n in ("40", "41", "42"):  # two run at once and never finish by themselves; the third must never start
        _slow(notebooks / f"{n}-long.ipynb", f"{n}-long", seconds=600)
    figures, output = tmp_path / "figures", tmp_path / "build"
    figures.mkdir()
    (figures / "40-long.png").write_text("the last good build")
    data = tmp_path / "data"
    data.mkdir()
    (data / "table.csv").write_text("a\n1\n", encoding="utf-8")
    env = {**os.environ, "CITYSCIENCE_DATA": str(data), "CITYSCIENCE_DEBUG": "", "JUPYTER_RUNTIME_DIR": str(runtime),
           "TMPDIR": str(temp)}
    proc = subprocess.Popen([*CMD, "build", "--notebooks", str(notebooks), "--figures", str(figures),
                             "--build-dir", str(output), "--no-validate", "--no-progress", "-j", "2"],
                            env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            start_new_session=True, preexec_fn=_default_sigint)
    try:
        deadline = threading.Event()
        for _ in range(600):  # both kernels started and running their first cells
            if len(_processes_mentioning(str(temp))) >= 2 and len(list((output / "logs").glob("*.log"))) == 2:
                break
            if proc.poll() is not None:
                pytest.fail(f"the build ended before it was interrupted: {proc.communicate()}")
            deadline.wait(0.5)
        else:
            pytest.fail(f"the kernels did not start: {_processes_mentioning(str(tmp_path))}, "
                        f"{sorted(p.name for p in temp.iterdir())}")
        deadline.wait(2)
        if sent_to == "the build process only":
            os.kill(proc.pid, signal.SIGINT)
        else:
            os.killpg(proc.pid, signal.SIGINT)
        _, err = proc.communicate(timeout=120)
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
    assert proc.returncode == 130, err
    assert "Traceback" not in err
    assert [line for line in err.splitlines() if "interrupted" in line] == [err.strip().splitlines()[-1]]
    for _ in range(40):  # killed kernels are reaped by then
        if not _processes_mentioning(str(tmp_path)) + _processes_mentioning(str(temp)):
            break
        threading.Event().wait(0.25)
    assert _processes_mentioning(str(tmp_path)) + _processes_mentioning(str(temp)) == []
    assert list(runtime.iterdir()) == [] and list(temp.iterdir()) == []  # no connection file, no socket
    assert not list(output.glob("figures-staging*")) and not list(output.rglob(".*.tmp*"))
    assert not (output / "logs" / "42-long.log").exists()  # not started after Ctrl-C
    assert not list((output / "manifests").glob("*.json"))
    assert sorted(p.name for p in figures.iterdir()) == ["40-long.png"]
    assert (figures / "40-long.png").read_text() == "the last good build"
