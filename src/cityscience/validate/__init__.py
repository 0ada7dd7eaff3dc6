"""Validate the data folder: every table against the codebook, the raw documents and each other.

:func:`check` is the one path from files to a checked result. It reads the
registry (``codebook/tables.csv`` and ``codebook/columns.csv``), reads every
table as text through :mod:`cityscience.tables`, and runs every check —
cells, keys and references from the codebook (:mod:`.cells`), evidence,
values and exclusions (:mod:`.core`), the policy tables (:mod:`.policy`) and
the accounting of every number (:mod:`.accounting`) — returning all problems
at once, each tagged with the table it is in. The loaders
(:mod:`cityscience.load`) type and cache from this result and raise only for
the tables they return and reference.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from ..paths import data_dir
from ..problems import Problem
from ..tables import RawTable, read_csv_table, read_word_list, relpath
from .accounting import accounting_problems
from .cells import allowed_sets, check_cells, check_keys, is_number
from .checked import Checked, Located
from .core import (
    body_levels,
    candidate_values,
    check_exclusions,
    check_indicator_groups,
    check_indicator_models,
    check_observations,
    check_qualifier_marks,
    check_region_colours,
    check_units,
    check_vocabulary_columns,
    exclusion_pattern,
    kind_bases,
    measure_units,
    read_raw,
    table_kinds,
    theme_cues,
    value_in_text,
)
from .policy import (
    alias_index,
    check_policy_items,
    check_stopwords,
    check_terms,
    check_text_parts,
)
from .registry import UNREADABLE, Registry, TableSpec, read_registry

__all__ = [
    "Checked",
    "Located",
    "Registry",
    "TableSpec",
    "UNREADABLE",
    "body_levels",
    "candidate_values",
    "check",
    "exclusion_pattern",
    "is_number",
    "kind_bases",
    "measure_units",
    "table_kinds",
    "theme_cues",
    "value_in_text",
]


def _read_table(root: Path, spec: TableSpec, checked: Checked, problems: list[Problem]) -> RawTable:
    """One table as text, from its file (or its files, for a glob), recording which files were read."""
    shown_of = lambda path: relpath(path, root.parent)  # noqa: E731
    if spec.format == "lines":
        path = root / spec.file
        checked.files[shown_of(path)] = spec.name
        if not path.exists() and not spec.required:
            return RawTable(path=path)
        table, found = read_word_list(path, shown_of(path))
        problems.extend(found)
        return table
    if not spec.is_glob:
        path = root / spec.file
        checked.files[shown_of(path)] = spec.name
        if not path.exists() and not spec.required:
            return RawTable(path=path)
        table, found = read_csv_table(path, shown_of(path), spec.column_names, set(spec.column_names))
        problems.extend(found)
        if any(p.check in UNREADABLE for p in found):
            table.rows, table.lines, table.segments = [], [], []
        return table
    folder = root / spec.file.rsplit("/", 1)[0]
    merged = RawTable(path=folder, columns=spec.column_names)
    checked.files[shown_of(folder)] = spec.name
    if folder.is_dir():
        suffix = spec.file.rsplit("*", 1)[1]
        for stray in sorted(folder.iterdir()):
            if stray.is_file() and not stray.name.endswith(suffix) and not stray.name.startswith("."):
                problems.append(Problem(shown_of(stray), None, None, stray.name,
                                        f"only <source_id>{suffix} files in {shown_of(folder)}/ (a file with "
                                        "another name is not read)", "stray_file"))
    sources = {r["source_id"] for r in checked.tables["sources"].rows} if "sources" in checked.tables else set()
    files = spec.files(root)
    if not files and spec.required:
        problems.append(Problem(shown_of(folder), None, None, None, f"one {spec.file} file per source",
                                "missing_file"))
    for path in files:
        shown = shown_of(path)
        checked.files[shown] = spec.name
        if "source_id" in spec.column_names and sources and path.stem not in sources:
            problems.append(Problem(shown, None, None, path.name, f"a file named after a source_id of sources.csv "
                                    f"({spec.file.rsplit('/', 1)[1].replace('*', '<source_id>')}): no source is "
                                    f"called {path.stem!r}: add its row to sources.csv, or remove the file if it is a copy "
                                    "(its rows are not read)", "stray_file"))
            continue
        table, found = read_csv_table(path, shown, spec.column_names, set(spec.column_names))
        problems.extend(found)
        if any(p.check in UNREADABLE for p in found):
            continue
        for row, line in zip(table.rows, table.lines, strict=True):
            merged.rows.append(row | {"__file__": shown, "__stem__": path.stem})
            merged.lines.append(line)
    return merged


#: The tables every check across tables reads: while one cannot be read, only the reading and the cells of
#: each table are checked (``Checked.deferred`` names them).
CODEBOOK_TABLES = frozenset({"vocabularies", "units", "indicators", "regions", "sources"})
#: The tables the accounting of every number reads: with a problem in any of them it is not run (and
#: ``Checked.accounting_skipped`` says why); problems elsewhere do not stop it.
ACCOUNTING_NEEDS = frozenset({"observations", "exclusions", "sources", "raw", "codebook"})
#: The columns of those tables the accounting reads: a problem in another column of a row (a status, an
#: indicator code, a publication date) does not stop it, so its unaccounted numbers come in the same report.
ACCOUNTING_COLUMNS = {"observations": frozenset({"obs_id", "source_id", "value", "value_high", "evidence"}),
                      "exclusions": frozenset({"source_id", "kind", "match"}),
                      "sources": frozenset({"source_id", "file_name", "sha256", "encoding"})}


def _blocks_accounting(p: Problem) -> bool:
    """Whether a problem keeps the accounting of every number from running (see :data:`ACCOUNTING_COLUMNS`)."""
    if p.table not in ACCOUNTING_NEEDS or p.check == "stray_file":
        return False
    columns = ACCOUNTING_COLUMNS.get(p.table)
    return columns is None or p.column is None or p.column in columns


def check(root: Path | None = None, *, accounting: bool = True) -> Checked:
    """Read and check every table of the data folder; never raises for bad data.

    Args:
        root: the data folder (default: :func:`cityscience.paths.data_dir`).
        accounting: also list every number of the raw texts that no observation or exclusion
            accounts for (unless a column it reads has a problem: :data:`ACCOUNTING_COLUMNS`).

    Returns:
        A :class:`Checked` holding the tables as text and ``problems``, the list of
        everything wrong (empty when the data are valid).
    """
    root = Path(root) if root is not None else data_dir()
    checked = Checked(root=root)
    problems: list[Problem] = []
    if not root.is_dir():
        what = "is a file" if root.exists() else "does not exist"
        checked.problems = [Problem(str(root), None, None, None, f"a data folder (this {what}; see data/README.md)",
                                    "missing_file", "codebook")]
        return checked
    checked.registry = registry = read_registry(root, problems)
    if any(p.check in UNREADABLE for p in problems):  # no codebook to check anything against: say only that
        checked.problems = [_attributed(p, checked.files) for p in problems]
        return checked
    for spec in registry:
        checked.tables[spec.name] = _read_table(root, spec, checked, problems)
    for name in ("sources", "regions", "indicators", "units", "vocabularies", "observations", "exclusions",
                 "text_parts", "policy_items", "bodies", "terms", "stopwords"):
        if name not in checked.tables:  # the registry lacks a table the checks below need: reported there
            checked.tables[name] = RawTable(path=root / name)
    read_raw(checked, problems)
    allowed = allowed_sets(checked.tables)
    file_names = {t.name: t.file for t in registry}
    unreadable = _unreadable(problems, checked.files)
    for spec in registry:
        table = checked.tables[spec.name]
        shown = relpath(table.path, root.parent)
        check_cells(spec, table, allowed, shown, file_names, problems, unreadable)
        check_keys(spec, table, shown, problems)
    codebook = sorted(unreadable.keys() & CODEBOOK_TABLES)
    if codebook:  # every check across tables reads these: they would only repeat what the read said
        checked.deferred = codebook
        checked.problems = [_attributed(p, checked.files) for p in problems]
        return checked
    check_units(checked, problems)
    check_indicator_models(checked, problems)
    check_indicator_groups(checked, problems)
    check_vocabulary_columns(checked, problems)
    check_qualifier_marks(checked, problems)
    check_region_colours(checked, problems)
    check_observations(checked, problems)
    check_exclusions(checked, problems)
    checked.parts = check_text_parts(checked, problems)
    check_policy_items(checked, checked.parts, alias_index(checked, problems), problems)
    check_terms(checked, problems)
    check_stopwords(checked, problems)
    problems = [_attributed(p, checked.files) for p in problems]
    blocking = sorted({p.table for p in problems if _blocks_accounting(p)})
    if accounting and not blocking:
        problems.extend(_attributed(p, checked.files) for p in accounting_problems(checked))
    elif accounting:
        checked.accounting_skipped = blocking
    checked.problems = problems
    return checked


def _unreadable(problems: list[Problem], files: dict[str, str]) -> dict[str, str]:
    """Tables (some of) whose files could not be read → what to fix first, for the follow-on summary."""
    out: dict[str, list[str]] = {}
    for p in problems:
        if p.check in UNREADABLE:  # each of these stops the read of its file (a bad byte's line is where it is)
            table = files.get(p.file)
            if table is not None and p.file not in out.setdefault(table, []):
                out[table].append(p.file)
    return {table: f"{' and '.join(names)} can be read" for table, names in out.items()}


def _attributed(problem: Problem, files: dict[str, str]) -> Problem:
    """The problem with the table it is in (from the file it names)."""
    if problem.table is not None:
        return problem
    table = files.get(problem.file)
    if table is None and problem.file.rsplit("/", 1)[0] in files:  # a stray file in a table's folder
        table = files[problem.file.rsplit("/", 1)[0]]
    return replace(problem, table=table)
