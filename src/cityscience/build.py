"""Run the notebooks whose inputs changed and publish their figures: the engine behind ``cityscience build``.

The build validates the data, executes each notebook with papermill (several
at once, one per core, with a progress bar), writes the executed notebooks and
their HTML renderings to the build folder, and only when every notebook
succeeded writes the new figures into ``figures/`` and each document's reader
page into ``build/readers`` (:mod:`cityscience.export.readers`). A failing cell stops the
build with the notebook, the cell and the error; the figures of the last good
build stay as they were.

A notebook with a ``parameters`` cell that defines ``region`` and/or
``language`` is run once per region of ``regions.csv`` and per language.

An execution is skipped when nothing it depends on changed since the last
good build: its notebook file and parameters, the data folder, the library's
own source, ``requirements.lock``, the Python version and the font file (see
:func:`job_key`). The build folder keeps a manifest per execution (its key, the
executed notebook, the HTML and the hash of every figure file it made); an
execution whose published figures are missing or differ from the manifest runs
again, so a stale or edited figure is never left in place. Figure files are
rewritten only when their bytes change, so an unchanged figure keeps its file
(and a fresh clone's committed figures stay as they are).

One build at a time: a build holds the lock of its build folder
(``build/.lock``, :func:`cityscience.atomic.folder_lock`) from its first step
to its last, and a second build waits for it (or, with ``wait=False``,
refuses). Each build stages its figures in a folder of its own, and a job
whose staging folder is gone fails the build rather than having its figures
removed as stale. The figures folder and the build folder are checked
writable before anything runs.

Ctrl-C (SIGINT) stops the build cleanly: no notebook is started after it,
the worker processes shut down their kernels (killed with their process
group, connection files and sockets removed), the staging folder and the
temporary files go, and :class:`KeyboardInterrupt` reaches the caller; the
command line prints one line and exits with 130. The workers ignore SIGINT
themselves (a Ctrl-C reaches every process of the terminal's group), so only
the build decides what stops.
"""

from __future__ import annotations

import ast
import contextlib
import hashlib
import json
import os
import platform
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from dataclasses import dataclass, field
from multiprocessing import active_children, get_context
from pathlib import Path

from .atomic import (
    atomic_write_many,
    atomic_write_text,
    check_writable,
    folder_lock,
    move_into_place,
)
from .conventions import FIGURE_FORMATS, LANGUAGES
from .paths import build_dir, data_dir, figures_dir, folder_digest, project_root

__all__ = [
    "LANGUAGES",
    "BuildError",
    "BuildResult",
    "JobResult",
    "NotebookFailure",
    "NotebookJob",
    "build",
    "default_workers",
    "inputs_digest",
    "job_key",
    "notebook_parameters",
    "plan_jobs",
    "promote_figures",
    "unpublished_figures",
    "run_jobs",
    "worker_pool",
]

_NOTEBOOK_NAME = re.compile(r"^\d{2}-[A-Za-z0-9_-]+\.ipynb$")
_FIGURE_SUFFIXES = tuple(f".{fmt}" for fmt in FIGURE_FORMATS)
_GLYPH_WARNING = re.compile(r"Glyph \d+ .*missing from font")
_MANIFEST_VERSION = 1  # bump when the manifest or what a key covers changes
_KERNEL_BACKEND = "module://matplotlib_inline.backend_inline"
_LIBRARY = Path(__file__).resolve().parent  # the library's own source, an input of every notebook


@dataclass(frozen=True)
class NotebookJob:
    """One execution of one notebook.

    Attributes:
        notebook: the source notebook.
        name: stem of the outputs (``06-region-profile-ningbo-zh``).
        parameters: values injected into the notebook's ``parameters`` cell.
    """

    notebook: Path
    name: str
    parameters: dict = field(default_factory=dict)

    def describe(self) -> str:
        params = ", ".join(f"{k}={v!r}" for k, v in self.parameters.items())
        return f"{self.notebook.name}" + (f" ({params})" if params else "")


@dataclass(frozen=True)
class JobResult:
    """A finished execution: where its outputs are and how long it took."""

    job: NotebookJob
    executed: Path
    html: Path | None
    seconds: float


@dataclass(frozen=True)
class NotebookFailure:
    """A notebook that stopped: which cell, which error."""

    job: NotebookJob
    executed: Path | None
    cell: int | None
    exec_count: int | None
    ename: str
    evalue: str
    source: str

    def __str__(self) -> str:
        where = self.job.describe()
        if self.cell is not None:
            where += f", cell {self.cell}" + (f" (In [{self.exec_count}])" if self.exec_count else "")
        lines = [f"{where}: {self.ename}: {self.evalue}"]
        if self.source:
            shown = self.source.strip().splitlines()
            lines += ["    | " + line for line in shown[:12]] + (["    | …"] if len(shown) > 12 else [])
        if self.executed is not None:
            lines.append(f"    full traceback in {self.executed}")
        return "\n".join(lines)


class BuildError(RuntimeError):
    """The build stopped; ``failures`` lists every notebook that failed, ``problems`` any data problem."""

    def __init__(self, message: str, failures: Sequence[NotebookFailure] = (), problems: Sequence[str] = ()):
        self.failures = list(failures)
        self.problems = list(problems)
        super().__init__(message)


@dataclass(frozen=True)
class BuildResult:
    """What a successful build did: the executions it ran and skipped, the figure files it changed, and the
    texts that overlap or leave a published figure (figure name → problems, from the PNG's description)."""

    results: list[JobResult]
    skipped: list[NotebookJob]
    figures: list[Path]
    removed: list[Path]
    seconds: float
    layout: dict[str, list[str]] = field(default_factory=dict)


def default_workers() -> int:
    """Number of notebooks to run at once: the cores this process may use."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # macOS, Windows
        return max(1, os.cpu_count() or 1)


def notebook_parameters(path: Path) -> dict[str, object]:
    """Names and default values of a notebook's ``parameters`` cell (empty if it has none).

    The first code cell tagged ``parameters`` (the one papermill injects values
    after) is read with :mod:`ast`: a literal default is returned as its value,
    any other expression as its source text.
    """
    nb = json.loads(Path(path).read_text(encoding="utf-8"))
    for cell in nb.get("cells", []):
        if cell.get("cell_type") != "code" or "parameters" not in cell.get("metadata", {}).get("tags", []):
            continue
        source = cell["source"] if isinstance(cell["source"], str) else "".join(cell["source"])
        values: dict[str, object] = {}
        for node in ast.parse(source).body:
            if isinstance(node, ast.Assign) and len(node.targets) == 1:
                target = node.targets[0]
            elif isinstance(node, ast.AnnAssign) and node.value is not None:
                target = node.target
            else:
                continue
            if isinstance(target, ast.Name):
                try:
                    values[target.id] = ast.literal_eval(node.value)
                except ValueError:  # an expression, not a literal: keep its source text
                    values[target.id] = ast.get_source_segment(source, node.value)
        return values
    return {}


def plan_jobs(notebooks: Path | None = None, *, only: Iterable[str] = (), regions: Sequence[str] | None = None,
              languages: Sequence[str] = LANGUAGES) -> list[NotebookJob]:
    """The executions a build runs: every ``NN-*.ipynb``, parameterized ones once per region and language.

    Args:
        notebooks: folder of notebooks (default: ``notebooks/`` of the repository).
        only: run only notebooks whose file name starts with one of these prefixes (``"02"``, ``"06-"``).
        regions: regions for notebooks with a ``region`` parameter (default: all of ``regions.csv``).
        languages: languages for notebooks with a ``language`` parameter.
    """
    folder = Path(notebooks) if notebooks is not None else project_root() / "notebooks"
    paths = sorted(p for p in folder.glob("*.ipynb") if _NOTEBOOK_NAME.match(p.name))
    prefixes = tuple(only)
    if prefixes:
        paths = [p for p in paths if p.name.startswith(prefixes)]
        if not paths:
            raise BuildError(f"no notebook in {folder} starts with {', '.join(prefixes)}")
    if not paths:
        raise BuildError(f"no notebooks (NN-name.ipynb) in {folder}")
    jobs = []
    for path in paths:
        params = notebook_parameters(path)
        region_values: list[str | None] = [None]
        if "region" in params:
            if regions is None:
                from .load import load_regions

                regions = [str(r) for r in load_regions()["region"]]
            region_values = list(regions)
        language_values: list[str | None] = list(languages) if "language" in params else [None]
        for region in region_values:
            for lang in language_values:
                values = {k: v for k, v in (("region", region), ("language", lang)) if v is not None}
                suffix = "".join(f"-{v}" for v in values.values())
                jobs.append(NotebookJob(notebook=path, name=path.stem + suffix, parameters=values))
    return jobs


def _kernel_manager_class(log=None):
    """A kernel manager for the build: private Unix sockets on Linux (TCP elsewhere), logs to a file.

    Why not the default: jupyter_client picks free TCP ports by opening and
    closing a socket, so kernels that start at the same moment (one per core
    here) can pick the same port and one of them fails to start. Each kernel
    gets its own socket path in the temporary folder instead, so kernels
    started together never share a channel. The kernel process's own messages
    (start-up notices, shutdown chatter) go to ``log`` instead of the console;
    cell output is captured in the notebook as usual.
    """
    import uuid

    from jupyter_client.manager import AsyncKernelManager
    from traitlets import default

    folder = _socket_folder() if sys.platform.startswith("linux") else None

    class BuildKernelManager(AsyncKernelManager):
        @default("transport")
        def _default_transport(self):
            return "ipc" if folder is not None else "tcp"

        @default("ip")
        def _default_ip(self):
            if self.transport == "ipc":
                return os.path.join(folder, f"cityscience-kernel-{uuid.uuid4().hex[:12]}")
            return super()._ip_default()

        async def _async_launch_kernel(self, kernel_cmd, **kw):
            if log is not None:
                kw.setdefault("stdout", log)
                kw.setdefault("stderr", log)
            _KERNELS.append(self)  # before the launch: a stop during it still finds this kernel
            return await super()._async_launch_kernel(kernel_cmd, **kw)

    return BuildKernelManager


# A Unix socket's path holds at most 107 bytes; the kernel's sockets are named
# FOLDER/cityscience-kernel-<12 hex digits>-<port>, so FOLDER may take at most this many.
_MAX_SOCKET_FOLDER = 107 - len("/cityscience-kernel-") - 12 - len("-65535")


def _socket_folder() -> str | None:
    """Where the kernels' sockets go: the temporary folder, or /tmp when its path is too long for a
    socket (a deep TMPDIR), or None (TCP) when neither can be used."""
    import tempfile

    for folder in (tempfile.gettempdir(), "/tmp"):
        if len(os.fsencode(folder)) <= _MAX_SOCKET_FOLDER and os.access(folder, os.W_OK | os.X_OK):
            return folder
    return None


# In a worker process: the kernel managers it started and the temporary file it writes,
# for :func:`_stop_worker` to clean up when the build is interrupted.
_KERNELS: list = []
_TEMPORARY: list[Path] = []


def _stop_worker(signum, frame) -> None:  # noqa: ARG001 - a signal handler's signature
    """SIGTERM in a worker: kill its kernels (their whole process group), remove their files, exit at once."""
    for km in _KERNELS:
        provisioner = getattr(km, "provisioner", None)
        process = getattr(provisioner, "process", None)
        pgid = getattr(provisioner, "pgid", None)
        try:
            if pgid:
                os.killpg(pgid, signal.SIGKILL)
            elif process is not None:
                process.kill()
            if process is not None:
                process.wait(10)
        except (OSError, subprocess.TimeoutExpired):
            pass
        for cleanup in (km.cleanup_connection_file, km.cleanup_ipc_files):
            try:
                cleanup()
            except Exception:  # noqa: BLE001, S110 - best effort while exiting
                pass
    for path in _TEMPORARY:
        path.unlink(missing_ok=True)
    os._exit(130)


def _init_worker() -> None:
    """A worker leaves Ctrl-C to the build (which stops it with SIGTERM, see :func:`_stop_worker`)."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, _stop_worker)


def _execute(job: NotebookJob, executed: Path, html: Path | None, cwd: Path, timeout: float | None,
             env: Mapping[str, str]) -> JobResult | NotebookFailure:
    """Run one notebook in this (worker) process; never raises for a failing cell.

    ``env`` is set in the worker's environment, which the kernel inherits
    (a worker runs one notebook at a time).
    """
    import papermill
    from papermill.exceptions import PapermillExecutionError

    start = time.perf_counter()
    os.environ.update(env)
    executed.parent.mkdir(parents=True, exist_ok=True)
    tmp = executed.with_name(f".{executed.stem}.{os.getpid()}.tmp.ipynb")
    _KERNELS.clear()
    _TEMPORARY[:] = [tmp]
    log_path = executed.parent.parent / "logs" / f"{job.name}.log"
    log_path.parent.mkdir(parents=True, exist_ok=True)
    try:
        with open(log_path, "w", encoding="utf-8") as log:
            nb = papermill.execute_notebook(
                str(job.notebook), str(tmp), parameters=job.parameters or None, kernel_name="python3",
                progress_bar=False, cwd=str(cwd), execution_timeout=timeout,
                request_save_on_cell_execute=False,  # written once at the end (and on an error)
                kernel_manager_class=_kernel_manager_class(log))
    except PapermillExecutionError as err:
        if tmp.exists():
            move_into_place(tmp, executed)
        return NotebookFailure(job=job, executed=executed if executed.exists() else None, cell=err.cell_index,
                               exec_count=err.exec_count, ename=err.ename, evalue=err.evalue,
                               source=err.source)
    except Exception as err:  # kernel died, timeout, unreadable notebook, …
        tmp.unlink(missing_ok=True)
        return NotebookFailure(job=job, executed=None, cell=None, exec_count=None, ename=type(err).__name__,
                               evalue=f"{err} (kernel log: {log_path})", source="")
    move_into_place(tmp, executed)
    glyph = _glyph_warning(nb)
    if glyph is not None:
        cell, text = glyph
        return NotebookFailure(job=job, executed=executed, cell=cell, exec_count=None, ename="MissingGlyph",
                               evalue=text, source="")
    html_path = None
    if html is not None:
        from nbconvert import HTMLExporter

        body, _ = HTMLExporter(template_name="lab").from_notebook_node(nb, {"metadata": {"name": job.name}})
        html_path = atomic_write_text(html, body)
    return JobResult(job=job, executed=executed, html=html_path, seconds=time.perf_counter() - start)


def _glyph_warning(nb) -> tuple[int, str] | None:
    """The first matplotlib missing-glyph warning in an executed notebook's outputs, if any."""
    for index, cell in enumerate(nb.cells):
        for output in cell.get("outputs", []):
            text = output.get("text", "") if output.get("output_type") == "stream" else ""
            match = _GLYPH_WARNING.search(text)
            if match:
                line = next(ln for ln in text.splitlines() if _GLYPH_WARNING.search(ln))
                return index, line.strip()
    return None


def _outcome(future: Future, job: NotebookJob) -> JobResult | NotebookFailure:
    """A job's result, or a failure if its worker process itself broke."""
    try:
        return future.result()
    except Exception as err:  # e.g. BrokenProcessPool: the worker died
        return NotebookFailure(job=job, executed=None, cell=None, exec_count=None, ename=type(err).__name__,
                               evalue=str(err), source="")


def _warm_worker() -> None:
    """Import what executing a notebook needs, so a worker is ready when its first job arrives."""
    import nbconvert  # noqa: F401
    import papermill  # noqa: F401


def worker_pool(workers: int) -> ProcessPoolExecutor:
    """Start the worker processes now (they import papermill in the background) and return the pool."""
    pool = ProcessPoolExecutor(max_workers=max(1, workers), mp_context=get_context("spawn"),
                               initializer=_init_worker)
    for _ in range(max(1, workers)):
        pool.submit(_warm_worker)
    return pool


def run_jobs(jobs: Sequence[NotebookJob], *, output: Path, staging: Path | None = None, html: bool = True,
             workers: int | None = None, env: Mapping[str, str] | None = None, timeout: float | None = 600,
             progress: bool = True, cwd: Path | None = None,
             pool: ProcessPoolExecutor | None = None) -> list[JobResult]:
    """Execute notebooks in parallel; stop at the first failure.

    Args:
        jobs: what to run (see :func:`plan_jobs`).
        output: build folder; executed notebooks go to ``output/notebooks``, HTML to ``output/html``,
            the kernels' own messages to ``output/logs``.
        staging: when given, each job saves its figures into ``staging/<job name>``
            (its kernel's ``CITYSCIENCE_FIGURES``), so the build knows which job made which figure.
        html: also render each executed notebook as HTML.
        workers: notebooks run at once (default: :func:`default_workers`).
        env: more environment variables for the kernels.
        timeout: seconds a single cell may run.
        progress: show a progress bar on stderr.
        cwd: working directory of the kernels (default: the notebook's folder).
        pool: run in this pool (from :func:`worker_pool`) instead of starting one; it is shut down
            when the jobs are done.

    Raises:
        BuildError: a notebook failed; pending ones were cancelled and every failure is listed.
        KeyboardInterrupt: Ctrl-C; no job was started after it, the running ones and their kernels
            were stopped and their temporary files removed.
    """
    from tqdm.auto import tqdm

    workers = workers or default_workers()
    results: list[JobResult] = []
    failures: list[NotebookFailure] = []
    bar = tqdm(total=len(jobs), desc="notebooks", unit="nb", disable=not progress, file=sys.stderr)
    if pool is None:
        pool = worker_pool(min(workers, len(jobs)) or 1)
    with _interruptible(pool, output, bar):
        futures: dict[Future, NotebookJob] = {}
        for job in jobs:
            job_env = {"MPLBACKEND": _KERNEL_BACKEND, **(env or {})}
            if staging is not None:
                folder = Path(staging) / job.name
                folder.mkdir(parents=True, exist_ok=True)
                job_env["CITYSCIENCE_FIGURES"] = str(folder.resolve())
            futures[pool.submit(
                _execute, job, output / "notebooks" / f"{job.name}.ipynb",
                output / "html" / f"{job.name}.html" if html else None,
                Path(cwd) if cwd is not None else job.notebook.parent, timeout, job_env)] = job
        pending = set(futures)
        while pending:
            done, pending = wait(pending, return_when=FIRST_COMPLETED)
            for future in done:
                outcome = _outcome(future, futures[future])
                if isinstance(outcome, NotebookFailure):
                    failures.append(outcome)
                else:
                    results.append(outcome)
                bar.update(1)
                bar.set_postfix_str(futures[future].name, refresh=True)
            if failures:
                for future in pending:
                    future.cancel()
                running = [f for f in pending if not f.cancelled()]
                for future in running:  # let the ones already running finish, to report them too
                    outcome = _outcome(future, futures[future])
                    if isinstance(outcome, NotebookFailure):
                        failures.append(outcome)
                break
    bar.close()
    if failures:
        n = len(failures)
        raise BuildError(f"{n} notebook{'s' if n != 1 else ''} failed:\n" + "\n".join(map(str, failures)),
                         failures=failures)
    order = {job.name: i for i, job in enumerate(jobs)}
    return sorted(results, key=lambda r: order[r.job.name])


@contextlib.contextmanager
def _interruptible(pool: ProcessPoolExecutor, output: Path, bar) -> Iterator[ProcessPoolExecutor]:
    """Use ``pool`` for the block; on Ctrl-C stop its workers and kernels at once instead of waiting for them."""
    try:
        yield pool
    except KeyboardInterrupt:
        previous = signal.signal(signal.SIGINT, signal.SIG_IGN)  # a second Ctrl-C must not stop the cleanup
        try:
            bar.close()
            _stop_pool(pool, output)
        finally:
            signal.signal(signal.SIGINT, previous)
        raise
    finally:
        pool.shutdown(wait=True)


def _stop_pool(pool: ProcessPoolExecutor, output: Path) -> None:
    """Stop an interrupted build's workers (each kills its kernels) and remove their temporary files."""
    # The pool's workers are this process's only multiprocessing children (the kernels are theirs).
    workers = active_children()
    pool.shutdown(wait=False, cancel_futures=True)  # nothing more starts
    for process in workers:
        if process.is_alive():
            process.terminate()  # SIGTERM: _stop_worker
    for process in workers:
        process.join(15)
        if process.is_alive():  # pragma: no cover - a worker that did not stop in time
            process.kill()
            process.join(5)
    for folder in ("notebooks", "html"):  # a worker that was stopped mid-write leaves its temporary file
        for tmp in (Path(output) / folder).glob(".*.tmp*"):
            tmp.unlink(missing_ok=True)


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _file_sha256(path: Path) -> str | None:
    """SHA-256 of a file's bytes, or None when there is no such file."""
    try:
        return _sha256(Path(path).read_bytes())
    except FileNotFoundError:
        return None


def inputs_digest(data: Path | None = None, font: Path | None = None) -> str:
    """Digest of what every notebook execution depends on besides its notebook and parameters.

    The data folder, the library's own source (``src/cityscience``), the
    locked dependency versions (``requirements.lock``), the Python version and
    the CJK font file the figures are drawn with (default: the bundled font's
    TrueType copy).
    """
    if font is None:
        from .charts.fonts import use_cjk_font

        font = use_cjk_font(system=False).path
    parts = {
        "data": folder_digest(Path(data) if data is not None else data_dir()),
        "library": folder_digest(_LIBRARY),
        "lock": _file_sha256(project_root() / "requirements.lock"),
        "python": platform.python_version(),
        "font": _file_sha256(Path(font)),
    }
    return _sha256(json.dumps(parts, sort_keys=True).encode())


def job_key(job: NotebookJob, inputs: str) -> str:
    """The key of one execution: its notebook's bytes and parameters, and the shared ``inputs``."""
    payload = {"version": _MANIFEST_VERSION, "inputs": inputs, "notebook": _sha256(job.notebook.read_bytes()),
               "parameters": job.parameters}
    return _sha256(json.dumps(payload, sort_keys=True, default=str).encode())


def _manifest_path(output: Path, job: NotebookJob) -> Path:
    return output / "manifests" / f"{job.name}.json"


def _read_manifest(path: Path) -> dict | None:
    try:
        manifest = json.loads(path.read_text(encoding="utf-8"))
    except (FileNotFoundError, ValueError):
        return None
    return manifest if isinstance(manifest, dict) and manifest.get("version") == _MANIFEST_VERSION else None


def _up_to_date(manifest: dict | None, key: str, output: Path, figures: Path, html: bool) -> bool:
    """True when an execution need not run: same key, its outputs present, its figures as it made them."""
    if manifest is None or manifest.get("key") != key:
        return False
    kept = [manifest.get("executed")] + ([manifest.get("html")] if html else [])
    if not all(isinstance(rel, str) and (output / rel).is_file() for rel in kept):
        return False
    made = manifest.get("figures")
    return isinstance(made, dict) and all(_file_sha256(figures / name) == sha for name, sha in made.items())


def _staged_figures(staging: Path, results: Sequence[JobResult]) -> dict[str, dict[str, bytes]]:
    """The figure files each job wrote into its staging folder, by job name; a name made twice is an error."""
    made: dict[str, dict[str, bytes]] = {}
    owner: dict[str, str] = {}
    for result in results:
        folder = staging / result.job.name
        if not folder.is_dir():  # never read an emptied staging folder as "this job made no figure"
            raise BuildError(f"{folder}: the staging folder of {result.job.name} is gone; expected it to hold "
                             "the figures the job made (was the build folder cleaned during the build?)")
        files = sorted(p for p in folder.iterdir() if p.suffix in _FIGURE_SUFFIXES and not p.name.startswith("."))
        for path in files:
            if path.name in owner:
                raise BuildError(f"figure {path.name} was made by both {owner[path.name]} and {result.job.name}; "
                                 "expected every figure name to come from one notebook execution")
            owner[path.name] = result.job.name
        made[result.job.name] = {p.name: p.read_bytes() for p in files}
    return made


def promote_figures(made: Mapping[str, bytes], target: Path, prefixes: Iterable[str],
                    keep: Iterable[str] = ()) -> tuple[list[Path], list[Path]]:
    """Publish a finished build's figures: write the changed ones, remove those no longer made.

    Args:
        made: figure file name → bytes, from the executions that ran.
        target: the figures folder.
        prefixes: notebook numbers of the build (``"02-"``): a figure file of ``target`` that starts
            with one of them and is neither in ``made`` nor in ``keep`` is stale and removed. A
            partial build therefore never deletes another notebook's figures.
        keep: names of figures still made by executions that were skipped.

    The changed files are written together (:func:`cityscience.atomic.atomic_write_many`:
    all or none); a file whose bytes are unchanged is not touched.

    Returns:
        ``(written, removed)`` paths in ``target``.
    """
    from .charts.figures import write_figure_index

    target = Path(target)
    target.mkdir(parents=True, exist_ok=True)
    changed = {target / name: data for name, data in sorted(made.items())
               if _file_sha256(target / name) != _sha256(data)}
    expected = set(made) | set(keep)
    prefixes = tuple(prefixes)
    stale = sorted(p for p in target.iterdir() if p.suffix in _FIGURE_SUFFIXES and p.name.startswith(prefixes)
                   and p.name not in expected) if prefixes else []
    written = atomic_write_many(changed) if changed else []
    for path in stale:
        path.unlink()
    write_figure_index(target)  # rewritten only if it changed
    return sorted(written), stale


def _validate(data: Path | None) -> tuple[list[str], list[str]]:
    """Every problem of the data folder (as ``cityscience validate`` reports them) and its region codes."""
    from .validate import check

    checked = check(data)
    problems = [str(p) for p in checked.problems]
    regions = [row["region"] for row in checked.tables["regions"].rows] if not problems else []
    return problems, regions


def build(*, notebooks: Path | None = None, figures: Path | None = None, output: Path | None = None,
          only: Iterable[str] = (), workers: int | None = None, validate: bool = True, html: bool = True,
          timeout: float | None = 600, progress: bool = True, force: bool = False, wait: bool = True,
          log: Callable[[str], None] = lambda msg: print(msg, file=sys.stderr)) -> BuildResult:
    """Validate the data, run the notebooks whose inputs changed, and publish their figures.

    Args:
        notebooks: folder of notebooks (default: ``notebooks/``).
        figures: where figures are published (default: :func:`cityscience.paths.figures_dir`).
        output: build folder for executed notebooks, HTML and manifests (default:
            :func:`cityscience.paths.build_dir`).
        only: run only notebooks whose names start with these prefixes (their figures are replaced;
            other notebooks' figures are kept).
        workers: notebooks run at once (default: one per core).
        validate: check the data first and stop on any problem.
        html: render executed notebooks as HTML.
        timeout: seconds one cell may run.
        progress: show a progress bar.
        force: run every notebook, even those whose inputs and figures are unchanged.
        wait: when another build holds the build folder's lock, wait for it (saying so through
            ``log``); False: refuse at once.
        log: where progress messages go.

    Raises:
        OutputError: the figures or the build folder cannot be written (checked before anything runs).
        FolderLocked: another build is running and ``wait`` is False.
        BuildError: invalid data or a failing notebook; ``figures/`` is left untouched.
    """
    start = time.perf_counter()
    figures = Path(figures) if figures is not None else figures_dir()
    output = Path(output) if output is not None else build_dir()
    regions = None
    if validate:
        problems, regions = _validate(None)
        if problems:
            raise BuildError(f"{len(problems)} data problem{'s' if len(problems) != 1 else ''}; "
                             "fix them first (cityscience validate):\n"
                             + "\n".join(f"  {p}" for p in problems), problems=problems)
    check_writable(figures / "index.csv")  # before any notebook: a read-only or misplaced folder fails now
    check_writable(output / "manifests" / "probe.json")
    with folder_lock(output, "cityscience build", wait=wait, log=log):
        return _build_locked(notebooks=notebooks, figures=figures, output=output, only=only, workers=workers,
                             regions=regions, html=html, timeout=timeout, progress=progress, force=force,
                             validate=validate, log=log, start=start)


def _build_locked(*, notebooks: Path | None, figures: Path, output: Path, only: Iterable[str], workers: int | None,
                  regions: list[str] | None, html: bool, timeout: float | None, progress: bool, force: bool,
                  validate: bool, log: Callable[[str], None], start: float) -> BuildResult:
    """The build proper, run while holding the build folder's lock (see :func:`build`)."""
    workers = workers or default_workers()
    jobs = plan_jobs(notebooks, only=only, regions=regions)
    from .charts.fonts import use_cjk_font

    font = use_cjk_font(system=False)  # make the TrueType copy once here, not in every kernel at once
    inputs = inputs_digest(font=font.path)
    keys = {job.name: job_key(job, inputs) for job in jobs}
    manifests = {job.name: _read_manifest(_manifest_path(output, job)) for job in jobs}
    todo = [job for job in jobs
            if force or not _up_to_date(manifests[job.name], keys[job.name], output, figures, html)]
    skipped = [job for job in jobs if job not in todo]
    if todo:
        log(f"running {len(todo)} of {len(jobs)} notebook executions on {min(workers, len(todo))} cores"
            + (f" ({len(skipped)} unchanged since the last build)" if skipped else "")
            + f" (font: {font.family})")
    else:
        log(f"all {len(jobs)} notebook executions unchanged since the last build: nothing to run")
    output.mkdir(parents=True, exist_ok=True)
    for left in output.glob("figures-staging*"):  # left by a build that was killed (we hold the lock)
        shutil.rmtree(left, ignore_errors=True)
    staging = Path(tempfile.mkdtemp(prefix="figures-staging-", dir=output))  # this build's own
    for job in todo:  # a job that fails or is interrupted must run again next time
        _manifest_path(output, job).unlink(missing_ok=True)
    try:
        results = []
        if todo:
            results = run_jobs(todo, output=output, staging=staging, html=html, workers=workers,
                               timeout=timeout, progress=progress)
        made = _staged_figures(staging, results)
        kept = {name for job in skipped for name in manifests[job.name]["figures"]}
        prefixes = sorted({job.notebook.name[:3] for job in jobs})
        written, removed = promote_figures({n: d for files in made.values() for n, d in files.items()},
                                           figures, prefixes, keep=kept)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    for result in results:  # only once the figures are in place: an interrupted build runs them again
        manifest = {"version": _MANIFEST_VERSION, "key": keys[result.job.name], "notebook": result.job.notebook.name,
                    "parameters": result.job.parameters,
                    "executed": result.executed.relative_to(output).as_posix(),
                    "html": result.html.relative_to(output).as_posix() if result.html is not None else None,
                    "figures": {name: _sha256(data) for name, data in made[result.job.name].items()},
                    "figures_folder": str(figures.resolve())}
        atomic_write_text(_manifest_path(output, result.job), json.dumps(manifest, indent=1, sort_keys=True))
    planned = {job.name for job in jobs}
    for path in (output / "manifests").glob("*.json"):  # executions no longer planned publish nothing
        if path.stem.startswith(tuple(prefixes)) and path.stem not in planned:
            _remove_outputs(output, path)
            path.unlink()
    if validate:  # each (checked) document with its evidence marked: what the figures' values link to
        from .export.readers import write_reader_pages

        write_reader_pages(output / "readers")
    return BuildResult(results=results, skipped=skipped, figures=written, removed=removed,
                       seconds=time.perf_counter() - start, layout=_layout_problems(figures, prefixes))


def _layout_problems(figures: Path, prefixes: Sequence[str]) -> dict[str, list[str]]:
    """The layout problems :func:`~cityscience.charts.save_figure` recorded in the build's published figures."""
    from .charts.figures import read_figure_metadata

    found = {}
    for png in sorted(figures.glob("*.png")):
        meta = read_figure_metadata(png) if png.name.startswith(tuple(prefixes)) else None
        if meta and meta.get("layout"):
            found[png.stem] = list(meta["layout"])
    return found


def _remove_outputs(output: Path, manifest: Path) -> None:
    """Remove the executed notebook and HTML page a manifest records (a region or notebook gone)."""
    try:
        recorded = json.loads(manifest.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return
    for key in ("executed", "html"):
        rel = recorded.get(key) if isinstance(recorded, dict) else None
        if isinstance(rel, str) and rel:
            path = (output / rel).resolve()
            if path.is_relative_to(output.resolve()):
                path.unlink(missing_ok=True)


def unpublished_figures(figures: Path | None = None, output: Path | None = None) -> list[str]:
    """Figures the last builds published into ``figures`` that are now missing or changed.

    Read from the build folder's manifests (those that published into this
    figures folder), so an export can refuse a folder that a build has not
    finished or that was changed by hand. Empty when nothing was built here.
    """
    figures = Path(figures) if figures is not None else figures_dir()
    output = Path(output) if output is not None else build_dir()
    folder = str(figures.resolve())
    found = []
    for path in sorted((output / "manifests").glob("*.json")):
        manifest = _read_manifest(path)
        if manifest is None or manifest.get("figures_folder") != folder:
            continue
        for name, sha in sorted((manifest.get("figures") or {}).items()):
            now = _file_sha256(figures / name)
            if now != sha:
                found.append(f"{name} ({'missing' if now is None else 'changed since the build'})")
    return found
