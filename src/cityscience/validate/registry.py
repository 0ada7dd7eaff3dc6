"""The table registry: every curated table's file, key, columns and what it depends on, read as data.

``codebook/tables.csv`` names each table (file or glob, format, primary key,
the tables it is checked against beyond its column references, its position
in the exported workbook) and ``codebook/columns.csv`` describes each column
(dtype, required, allowed values). Validation, loading, export and the
workbook import all read the tables through this one registry, so adding a
table or a column is a change of data, not of code.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field, replace
from functools import lru_cache
from pathlib import Path

import regex

from ..problems import Problem
from ..tables import read_csv_table, relpath

__all__ = ["COLUMNS_FILE", "DTYPES", "PSEUDO_TABLES", "TABLES_FILE", "Column", "Registry", "TableSpec",
           "read_registry", "references"]

COLUMNS_FILE = "codebook/columns.csv"
TABLES_FILE = "codebook/tables.csv"
@lru_cache(maxsize=4096)
def safe_pattern(pattern: str, flags: int = 0) -> regex.Pattern:
    """Compile a curated regular expression with the ``regex`` module, so matching can be given a timeout.

    Cached: the codebook's cell rules are applied to every row, and the accounting compiles each
    exclusion again after its check (the ``regex`` module's own cache still rebuilds a key per call).

    Raises:
        regex.error: the pattern is invalid.
    """
    return regex.compile(pattern, flags | regex.VERSION0)


#: Problems after which a file's rows cannot be trusted: it is left unread, and what refers to it is summed up.
UNREADABLE = frozenset({"missing_file", "empty_file", "encoding", "csv_syntax", "delimiter", "missing_column"})
DTYPES = ("string", "text", "category", "Int64", "Float64", "date")
FORMATS = ("csv", "lines")
#: Things a table can depend on that are not tables: the raw documents and the registry itself.
PSEUDO_TABLES = ("raw", "codebook", "accounting")
_COLUMNS_COLUMNS = ["table", "column", "dtype", "required", "allowed", "description"]
_TABLES_COLUMNS = ["table", "file", "format", "required", "key", "depends_on", "workbook", "description"]


@dataclass(frozen=True)
class Column:
    """One column of a table as ``codebook/columns.csv`` describes it."""

    name: str
    dtype: str
    required: bool
    allowed: str
    description: str

    def as_row(self) -> dict[str, str]:
        """The column as the text row of ``columns.csv`` (what the cell checks read)."""
        return {"column": self.name, "dtype": self.dtype, "required": "yes" if self.required else "no",
                "allowed": self.allowed, "description": self.description}


def references(allowed: str) -> set[str]:
    """Tables an ``allowed`` rule refers to (``sources.source_id``, ``list:bodies.body``, ``vocab:…``)."""
    out: set[str] = set()
    rule = allowed.removeprefix("list:")
    if rule.startswith("re:"):
        return out
    for part in rule.split("|"):
        if part.startswith("vocab:"):
            out.add("vocabularies")
        elif "." in part:
            out.add(part.split(".", 1)[0])
    return out


@dataclass(frozen=True)
class TableSpec:
    """One table of the registry.

    Attributes:
        name: the table's name (``observations``).
        file: its path under the data folder, or a glob (``observations/*.csv``: one file per source).
        format: ``csv``, or ``lines`` for a word list (one word a line).
        required: False for a table the data folder may leave out (the policy layer); present, it is checked.
        key: the columns that identify a row (empty: no key).
        depends_on: what the table is checked against besides the tables its columns refer to
            (``raw`` for evidence in the raw documents, another table).
        workbook: position of its sheet among the exported workbook's table sheets (None: not exported).
        description: what the table holds.
        columns: its columns in order.
    """

    name: str
    file: str
    format: str
    required: bool
    key: tuple[str, ...]
    depends_on: tuple[str, ...]
    workbook: int | None
    description: str
    columns: tuple[Column, ...] = ()

    @property
    def column_names(self) -> list[str]:
        return [c.name for c in self.columns]

    @property
    def required_columns(self) -> set[str]:
        return {c.name for c in self.columns if c.required}

    @property
    def is_glob(self) -> bool:
        return "*" in self.file

    @property
    def spec(self) -> list[dict[str, str]]:
        """The columns as text rows, in the shape the cell checks and the workbook reader take."""
        return [c.as_row() for c in self.columns]

    def references(self) -> set[str]:
        """Tables this one refers to through its columns, plus those it depends on."""
        refs = set(self.depends_on)
        for c in self.columns:
            refs |= references(c.allowed)
        refs.discard(self.name)
        return refs

    def files(self, root: Path) -> list[Path]:
        """The files of the table under the data folder ``root`` (sorted; a glob may give none)."""
        if self.is_glob:
            folder, pattern = self.file.rsplit("/", 1)
            return sorted(p for p in (root / folder).glob(pattern) if p.is_file())
        return [root / self.file]


@dataclass(frozen=True)
class Registry:
    """Every table of the data folder, in the registry's order."""

    tables: dict[str, TableSpec] = field(default_factory=dict)

    def __getitem__(self, name: str) -> TableSpec:
        return self.tables[name]

    def __contains__(self, name: object) -> bool:
        return name in self.tables

    def __iter__(self) -> Iterator[TableSpec]:
        return iter(self.tables.values())

    def dependencies(self, names: Iterable[str]) -> set[str]:
        """The tables (and pseudo-tables) a loader of ``names`` needs valid: them and all they reference."""
        todo = list(names)
        seen: set[str] = {"codebook"}
        while todo:
            name = todo.pop()
            if name in seen:
                continue
            seen.add(name)
            if name in self.tables:
                todo.extend(self.tables[name].references())
        return seen

    def workbook_tables(self) -> list[TableSpec]:
        """The tables exported as editable workbook sheets, in sheet order."""
        return sorted((t for t in self if t.workbook is not None), key=lambda t: t.workbook)


def read_registry(root: Path, problems: list[Problem]) -> Registry:
    """Read ``codebook/tables.csv`` and ``codebook/columns.csv``; report every inconsistency.

    Problems are appended to ``problems`` (with table ``codebook``); the registry
    holds whatever could be read, so the other checks still run.
    """
    found: list[Problem] = []
    tpath, cpath = root / TABLES_FILE, root / COLUMNS_FILE
    tshown, cshown = relpath(tpath, root.parent), relpath(cpath, root.parent)
    ttable, tprob = read_csv_table(tpath, tshown, _TABLES_COLUMNS, set(_TABLES_COLUMNS) - {"description"})
    ctable, cprob = read_csv_table(cpath, cshown, _COLUMNS_COLUMNS, set(_COLUMNS_COLUMNS))
    found += tprob + cprob
    if any(p.check in UNREADABLE for p in found):  # a registry half read would make every table look wrong
        problems.extend(replace(p, table="codebook") for p in found)
        return Registry({})
    columns: dict[str, list[Column]] = {}
    seen_cols: dict[tuple[str, str], int] = {}
    for row, line in zip(ctable.rows, ctable.lines, strict=True):
        key = (row["table"], row["column"])
        if key in seen_cols:
            found.append(Problem(cshown, line, "column", row["column"], f"each column of {row['table']} once",
                                 "duplicate_key", other=(cshown, seen_cols[key])))
            continue
        seen_cols[key] = line
        if row["dtype"] not in DTYPES:
            found.append(Problem(cshown, line, "dtype", row["dtype"], f"one of {', '.join(DTYPES)}", "allowed_value"))
        if row["required"] not in ("yes", "no"):
            found.append(Problem(cshown, line, "required", row["required"], "yes or no", "allowed_value"))
        allowed = row["allowed"]
        if allowed.removeprefix("list:").startswith("re:"):
            try:
                safe_pattern(allowed.removeprefix("list:")[3:])
            except regex.error as err:
                found.append(Problem(cshown, line, "allowed", allowed, f"a valid regular expression after 're:' "
                                     f"({err}); the column's cells are not checked against it", "pattern"))
                allowed = ""
        columns.setdefault(row["table"], []).append(
            Column(row["column"], row["dtype"], row["required"] == "yes", allowed, row["description"]))
    tables: dict[str, TableSpec] = {}
    for row, line in zip(ttable.rows, ttable.lines, strict=True):
        name = row["table"]
        if name in tables:
            found.append(Problem(tshown, line, "table", name, "each table once", "duplicate_key"))
            continue
        if row["required"] not in ("yes", "no"):
            found.append(Problem(tshown, line, "required", row["required"], "yes or no", "allowed_value"))
        if row["format"] not in FORMATS:
            found.append(Problem(tshown, line, "format", row["format"], f"one of {', '.join(FORMATS)}",
                                 "allowed_value"))
        if not columns.get(name):
            found.append(Problem(tshown, line, "table", name, f"rows describing its columns in {COLUMNS_FILE}",
                                 "missing_spec"))
        file = row["file"]
        if not file or file.startswith("/") or ".." in Path(file).parts or "\\" in file:
            found.append(Problem(tshown, line, "file", file, "a path relative to the data folder, without '..'",
                                 "pattern"))
        position = None
        if row["workbook"]:
            if row["workbook"].isdigit():
                position = int(row["workbook"])
            else:
                found.append(Problem(tshown, line, "workbook", row["workbook"], "a sheet position (1, 2, …) or "
                                     "nothing", "dtype"))
        key = tuple(k for k in row["key"].split(";") if k)
        for k in key:
            if k not in {c.name for c in columns.get(name, [])}:
                found.append(Problem(tshown, line, "key", k, f"a column of {name} ({COLUMNS_FILE})",
                                     "unknown_reference"))
        tables[name] = TableSpec(name=name, file=file, format=row["format"], required=row["required"] != "no",
                                 key=key,
                                 depends_on=tuple(d for d in row["depends_on"].split(";") if d),
                                 workbook=position, description=row["description"],
                                 columns=tuple(columns.get(name, [])))
    for (name, _), line in seen_cols.items():
        if name not in tables and ttable.rows:
            found.append(Problem(cshown, line, "table", name, f"a table listed in {TABLES_FILE}", "unknown_reference"))
            break  # one message per unknown table is enough
    known = set(tables) | set(PSEUDO_TABLES)
    for t in tables.values():
        line = ttable.lines[[r["table"] for r in ttable.rows].index(t.name)]
        for dep in t.depends_on:
            if dep not in known:
                found.append(Problem(tshown, line, "depends_on", dep, f"a table of {TABLES_FILE} or one of "
                                     f"{', '.join(PSEUDO_TABLES)}", "unknown_reference"))
        for c in t.columns:
            if c.allowed.startswith("re:"):
                continue  # a pattern: checked when the cells are
            for ref in c.allowed.removeprefix("list:").split("|"):
                if ref.startswith("vocab:") or "." not in ref:
                    continue  # a pattern, a vocabulary (checked with the cells) or a literal alternative
                table, _, column = ref.partition(".")
                if table not in tables or column not in tables[table].column_names:
                    found.append(Problem(cshown, seen_cols[(t.name, c.name)], "allowed", c.allowed,
                                         f"a reference to a column of a registered table ({ref} is not one)",
                                         "unknown_reference"))
    problems.extend(replace(p, table="codebook") for p in found)
    return Registry(tables)
