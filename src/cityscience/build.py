"""Run every notebook and publish their figures: the engine behind ``cityscience build``.

The build validates the data, executes each notebook with papermill (several
at once, one per core, with a progress bar), writes the executed notebooks and
their HTML renderings to the build folder, and only when every notebook
succeeded moves the new figures into ``figures/``. A failing cell stops the
build with the notebook, the cell and the error; the figures of the last good
build stay as they were.

A notebook with a ``parameters`` cell that defines ``region`` and/or
``language`` is run once per region of ``regions.csv`` and per language.
"""

from __future__ import annotations

import ast
import json
import os
import re
import shutil
import sys
import time
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from dataclasses import dataclass, field
from multiprocessing import get_context
from pathlib import Path

from .conventions import LANGUAGES
from .paths import build_dir, figures_dir, project_root

__all__ = [
    "LANGUAGES",
    "BuildError",
    "BuildResult",
    "JobResult",
    "NotebookFailure",
    "NotebookJob",
    "build",
    "default_workers",
    "notebook_parameters",
    "plan_jobs",
    "promote_figures",
    "run_jobs",
    "worker_pool",
]

_NOTEBOOK_NAME = re.compile(r"^\d{2}-[A-Za-z0-9_-]+\.ipynb$")
_FIGURE_SUFFIXES = (".png", ".svg", ".pdf")
_GLYPH_WARNING = re.compile(r"Glyph \d+ .*missing from font")


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
    """What a successful build produced."""

    results: list[JobResult]
    figures: list[Path]
    removed: list[Path]
    seconds: float


def default_workers() -> int:
    """Number of notebooks to run at once: the cores this process may use."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # macOS, Windows
        return max(1, os.cpu_count() or 1)


def notebook_parameters(path: Path) -> dict[str, object]:
    """Names and default values of a notebook's ``parameters`` cell (empty if it has none)."""
    import papermill

    params = papermill.inspect_notebook(str(path))
    values = {}
    for name, info in params.items():
        default = info.get("default")
        try:
            values[name] = ast.literal_eval(default) if isinstance(default, str) else default
        except (ValueError, SyntaxError):  # an expression, not a literal: keep its source text
            values[name] = default
    return values


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

    Each kernel gets its own socket path in the temporary folder, so kernels
    started at the same time never share a channel. The kernel process's own
    messages (start-up notices, shutdown chatter) go to ``log`` instead of the
    console; cell output is captured in the notebook as usual.
    """
    import tempfile
    import uuid

    from jupyter_client.manager import AsyncKernelManager
    from traitlets import default

    class BuildKernelManager(AsyncKernelManager):
        @default("transport")
        def _default_transport(self):
            return "ipc" if sys.platform.startswith("linux") else "tcp"

        @default("ip")
        def _default_ip(self):
            if self.transport == "ipc":
                return os.path.join(tempfile.gettempdir(), f"cityscience-kernel-{uuid.uuid4().hex[:12]}")
            return super()._ip_default()

        async def _async_launch_kernel(self, kernel_cmd, **kw):
            if log is not None:
                kw.setdefault("stdout", log)
                kw.setdefault("stderr", log)
            return await super()._async_launch_kernel(kernel_cmd, **kw)

    return BuildKernelManager


def _worker_init(env: dict[str, str]) -> None:
    os.environ.update(env)


def _execute(job: NotebookJob, executed: Path, html: Path | None, cwd: Path, timeout: float | None
             ) -> JobResult | NotebookFailure:
    """Run one notebook in this (worker) process; never raises for a failing cell."""
    import papermill
    from papermill.exceptions import PapermillExecutionError

    start = time.perf_counter()
    executed.parent.mkdir(parents=True, exist_ok=True)
    tmp = executed.with_name(f".{executed.stem}.{os.getpid()}.tmp.ipynb")
    log_path = executed.parent.parent / "logs" / f"{job.name}.log"
    log_path.parent.mkdir(parents=True, exist_ok=True)
    try:
        with open(log_path, "w", encoding="utf-8") as log:
            papermill.execute_notebook(
                str(job.notebook), str(tmp), parameters=job.parameters or None, kernel_name="python3",
                progress_bar=False, cwd=str(cwd), execution_timeout=timeout,
                request_save_on_cell_execute=False,  # written once at the end (and on an error)
                kernel_manager_class=_kernel_manager_class(log))
    except PapermillExecutionError as err:
        if tmp.exists():
            os.replace(tmp, executed)
        return NotebookFailure(job=job, executed=executed if executed.exists() else None, cell=err.cell_index,
                               exec_count=err.exec_count, ename=err.ename, evalue=err.evalue,
                               source=err.source)
    except Exception as err:  # kernel died, timeout, unreadable notebook, …
        tmp.unlink(missing_ok=True)
        return NotebookFailure(job=job, executed=None, cell=None, exec_count=None, ename=type(err).__name__,
                               evalue=f"{err} (kernel log: {log_path})", source="")
    os.replace(tmp, executed)
    glyph = _glyph_warning(executed)
    if glyph is not None:
        cell, text = glyph
        return NotebookFailure(job=job, executed=executed, cell=cell, exec_count=None, ename="MissingGlyph",
                               evalue=text, source="")
    html_path = None
    if html is not None:
        html_path = _write_html(executed, html)
    return JobResult(job=job, executed=executed, html=html_path, seconds=time.perf_counter() - start)


def _glyph_warning(executed: Path) -> tuple[int, str] | None:
    """The first matplotlib missing-glyph warning in an executed notebook's outputs, if any."""
    import nbformat

    nb = nbformat.read(str(executed), as_version=4)
    for index, cell in enumerate(nb.cells):
        for output in cell.get("outputs", []):
            text = output.get("text", "") if output.get("output_type") == "stream" else ""
            match = _GLYPH_WARNING.search(text)
            if match:
                line = next(ln for ln in text.splitlines() if _GLYPH_WARNING.search(ln))
                return index, line.strip()
    return None


class _Highlighted(str):
    """Code cell input as highlighted by pygments, which escapes it."""


def _html_exporter():
    """nbconvert's lab HTML exporter, minus re-sanitizing the project's own highlighted code.

    The lab template passes every code cell's pygments output through bleach,
    which took a third of the rendering time; pygments has already escaped
    it. Everything else (raw cells, SVG outputs) is still cleaned.
    """
    from nbconvert import HTMLExporter
    from nbconvert.filters.highlight import Highlight2HTML
    from nbconvert.filters.strings import clean_html

    highlight = Highlight2HTML(pygments_lexer="ipython3")

    def highlight_code(source, *args, **kwargs):
        return _Highlighted(highlight(source, *args, **kwargs))

    def clean(element):
        return str(element) if isinstance(element, _Highlighted) else clean_html(element)

    return HTMLExporter(template_name="lab", filters={"highlight_code": highlight_code, "clean_html": clean})


def _write_html(executed: Path, html: Path) -> Path:
    body, _ = _html_exporter().from_filename(str(executed))
    html.parent.mkdir(parents=True, exist_ok=True)
    tmp = html.with_name(f".{html.name}.{os.getpid()}.tmp")
    try:
        tmp.write_text(body, encoding="utf-8")
        os.replace(tmp, html)
    finally:
        tmp.unlink(missing_ok=True)
    return html


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


def worker_pool(workers: int, env: dict[str, str] | None = None) -> ProcessPoolExecutor:
    """Start the worker processes now (they import papermill in the background) and return the pool.

    :func:`build` starts the pool before validating the data, so the workers'
    start-up overlaps the validation.
    """
    pool = ProcessPoolExecutor(max_workers=max(1, workers), mp_context=get_context("spawn"),
                               initializer=_worker_init, initargs=(dict(env or {}),))
    for _ in range(max(1, workers)):
        pool.submit(_warm_worker)
    return pool


def run_jobs(jobs: Sequence[NotebookJob], *, output: Path, html: bool = True, workers: int | None = None,
             env: dict[str, str] | None = None, timeout: float | None = 600, progress: bool = True,
             cwd: Path | None = None, durations: dict[str, float] | None = None,
             pool: ProcessPoolExecutor | None = None) -> list[JobResult]:
    """Execute notebooks in parallel; stop at the first failure.

    Args:
        jobs: what to run (see :func:`plan_jobs`).
        output: build folder; executed notebooks go to ``output/notebooks``, HTML to ``output/html``,
            the kernels' own messages to ``output/logs``.
        html: also render each executed notebook as HTML.
        workers: notebooks run at once (default: :func:`default_workers`).
        env: environment variables for the kernels (e.g. ``CITYSCIENCE_FIGURES``).
        timeout: seconds a single cell may run.
        progress: show a progress bar on stderr.
        cwd: working directory of the kernels (default: the notebook's folder).
        durations: seconds each job took last time; the longest start first, so that no core
            idles at the end while one long notebook runs (new jobs count as longest).
        pool: run in this pool (from :func:`worker_pool`, whose ``env`` then applies) instead of
            starting one; it is shut down when the jobs are done.

    Raises:
        BuildError: a notebook failed; pending ones were cancelled and every failure is listed.
    """
    from tqdm.auto import tqdm

    workers = workers or default_workers()
    results: list[JobResult] = []
    failures: list[NotebookFailure] = []
    bar = tqdm(total=len(jobs), desc="notebooks", unit="nb", disable=not progress, file=sys.stderr)
    if pool is None:
        pool = worker_pool(min(workers, len(jobs)) or 1, env)
    with pool:
        futures: dict[Future, NotebookJob] = {}
        known = durations or {}
        for job in sorted(jobs, key=lambda j: -known.get(j.name, float("inf"))):
            futures[pool.submit(
                _execute, job, output / "notebooks" / f"{job.name}.ipynb",
                output / "html" / f"{job.name}.html" if html else None,
                Path(cwd) if cwd is not None else job.notebook.parent, timeout)] = job
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


def promote_figures(staging: Path, target: Path, prefixes: Iterable[str]) -> tuple[list[Path], list[Path]]:
    """Move a finished build's figures into place; remove old ones the build no longer makes.

    Only figures whose name starts with one of ``prefixes`` (the numbers of the
    notebooks that ran, ``"02-"``) are considered stale when missing from
    ``staging``, so a partial build never deletes another notebook's figures.

    Returns:
        ``(written, removed)`` paths in ``target``.
    """
    from .charts.figures import INDEX_FILE, write_figure_index

    target.mkdir(parents=True, exist_ok=True)
    # PNGs last: a PNG carries its figure's export key, so an interrupted move never pairs a new
    # key with old SVG and PDF files (which a later build would then copy as if up to date)
    new = sorted((p for p in staging.iterdir() if p.suffix in _FIGURE_SUFFIXES and not p.name.startswith(".")),
                 key=lambda p: (p.suffix == ".png", p.name))
    names = {p.name for p in new}
    prefixes = tuple(prefixes)
    stale = sorted(p for p in target.iterdir()
                   if p.suffix in _FIGURE_SUFFIXES and p.name.startswith(prefixes) and p.name not in names)
    written = []
    for path in new:
        written.append(_move_into(path, target))
    for path in stale:
        path.unlink()
    if written or stale:
        write_figure_index(target)
    (staging / INDEX_FILE).unlink(missing_ok=True)
    return sorted(written), stale


def _move_into(path: Path, folder: Path) -> Path:
    """Move a file into a folder, replacing any file of that name atomically."""
    dest = folder / path.name
    try:
        os.replace(path, dest)
    except OSError:  # another file system: copy next to the destination, then swap
        tmp = folder / f".{path.name}.{os.getpid()}.tmp"
        shutil.copy2(path, tmp)
        os.replace(tmp, dest)
        path.unlink()
    return dest


def _validate(data: Path | None) -> tuple[list[str], list[str]]:
    """Every problem of the data folder (as ``cityscience validate`` reports them) and its region codes."""
    from .validate import check

    checked = check(data)
    problems = [str(p) for p in checked.problems]
    regions = [row["region"] for row in checked.tables["regions"].rows] if not problems else []
    return problems, regions


def build(*, notebooks: Path | None = None, figures: Path | None = None, output: Path | None = None,
          only: Iterable[str] = (), workers: int | None = None, validate: bool = True, html: bool = True,
          timeout: float | None = 600, progress: bool = True,
          log: Callable[[str], None] = lambda msg: print(msg, file=sys.stderr)) -> BuildResult:
    """Validate the data, run the notebooks, and publish their figures.

    Args:
        notebooks: folder of notebooks (default: ``notebooks/``).
        figures: where figures are published (default: :func:`cityscience.paths.figures_dir`).
        output: build folder for executed notebooks and HTML (default: :func:`cityscience.paths.build_dir`).
        only: run only notebooks whose names start with these prefixes (their figures are replaced;
            other notebooks' figures are kept).
        workers: notebooks run at once (default: one per core).
        validate: check the data first and stop on any problem.
        html: render executed notebooks as HTML.
        timeout: seconds one cell may run.
        progress: show a progress bar.
        log: where progress messages go.

    Raises:
        BuildError: invalid data or a failing notebook; ``figures/`` is left untouched.
    """
    start = time.perf_counter()
    figures = Path(figures) if figures is not None else figures_dir()
    output = Path(output) if output is not None else build_dir()
    workers = workers or default_workers()
    staging = output / "figures-staging"
    env = {"CITYSCIENCE_FIGURES": str(staging.resolve()), "CITYSCIENCE_FIGURE_REUSE": str(figures.resolve()),
           "MPLBACKEND": "module://matplotlib_inline.backend_inline"}
    pool = worker_pool(workers, env)  # the workers start up while the data are checked
    try:
        regions = None
        if validate:
            problems, regions = _validate(None)
            if problems:
                raise BuildError(f"{len(problems)} data problem{'s' if len(problems) != 1 else ''}; "
                                 "fix them first (cityscience validate):\n"
                                 + "\n".join(f"  {p}" for p in problems), problems=problems)
        jobs = plan_jobs(notebooks, only=only, regions=regions)
        from .charts.fonts import use_cjk_font

        font = use_cjk_font()  # make any TrueType copy once here, not in every kernel at the same time
    except BaseException:
        pool.shutdown(cancel_futures=True)
        raise
    log(f"running {len(jobs)} notebook executions on {workers} cores (font: {font.family}, {font.origin})")
    output.mkdir(parents=True, exist_ok=True)
    shutil.rmtree(staging, ignore_errors=True)
    staging.mkdir(parents=True)
    timings = output / "timings.json"
    try:
        durations = json.loads(timings.read_text(encoding="utf-8")) if timings.is_file() else {}
    except ValueError:
        durations = {}
    try:
        results = run_jobs(jobs, output=output, html=html, workers=workers, timeout=timeout, progress=progress,
                           durations=durations, pool=pool)
        prefixes = sorted({job.notebook.name[:3] for job in jobs})
        written, removed = promote_figures(staging, figures, prefixes)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    durations.update({r.job.name: round(r.seconds, 2) for r in results})
    tmp = timings.with_name(f".{timings.name}.{os.getpid()}.tmp")
    tmp.write_text(json.dumps(durations, indent=1, sort_keys=True), encoding="utf-8")
    os.replace(tmp, timings)
    return BuildResult(results=results, figures=written, removed=removed, seconds=time.perf_counter() - start)
