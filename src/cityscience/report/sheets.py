"""The review workbook's sheets: their names, columns and what each asks the reviewer to check.

One place says which sheets a review workbook has and which table each one
feeds, so the drafting, the workbook writer and ``accept`` agree.
"""

from __future__ import annotations

from dataclasses import dataclass, field

__all__ = ["REVIEW_COLUMNS", "SHEETS", "SHEET_TABLES", "Draft", "Sheet", "SheetSpec", "column_types"]


@dataclass(frozen=True)
class SheetSpec:
    """A sheet: the table its rows are appended to (None: read by accept itself) and its help lines."""

    name: str
    table: str | None
    help: tuple[str, ...]


#: Columns of a sheet beyond its table's: they help the review and are not written to the data.
REVIEW_COLUMNS = {
    "candidates": ["code_score", "alt1", "alt1_score", "alt2", "alt2_score", "code_why", "kind", "confidence",
                   "reason", "line", "value_start", "value_end", "evidence_start", "restated_at"],
    "exclusions": ["line", "context", "why"],
    "measures": ["line"],
    "parts": ["line", "year", "why"],
}

SHEETS = [
    SheetSpec("source", "sources", (
        "The sources row of the report, one field a line. Check title, issuer, document number and dates "
        "against the text; fill defects (damaged or missing text) if there are any.",
        "sha256 is the checksum of the raw file stored with this workbook: do not edit it.",
    )),
    SheetSpec("parts", "text_parts", (
        "Where the document's parts begin: chrome (page furniture, never read), summary (actual values), "
        "plan (targets). line_start is the start of the part's first line.",
        "If a part is wrong, rerun add-report with --parts (the statuses and years of the candidates depend "
        "on it) rather than editing here.",
    )),
    SheetSpec("candidates", "observations", (
        "One row per proposed fact; delete a row that is not a fact (its number then needs a row in "
        "exclusions). The stated number is bold red in evidence.",
        "indicator is the suggested code (alt1/alt2: the next best, with scores); a code drafted in "
        "new_indicators starts with new_. Shaded cells are ones the tool is unsure of.",
    )),
    SheetSpec("new_indicators", "indicators", (
        "A drafted codebook row for each candidate no existing code fits. Rename the code, translate "
        "name_en and write the definition; delete the row if you give the candidates an existing code.",
    )),
    SheetSpec("exclusions", "exclusions", (
        "Every other number of the text, with the reason it is not a fact (the exclusion_reason "
        "vocabulary) and its context. Check the reason; with these rows every number is accounted for.",
    )),
    SheetSpec("measures", "policy_items", (
        "The numbered headings and items of the text as policy items: check kind, theme and the "
        "responsible units (stated in the text, or the issuer for a bureau's own work).",
        "title_en is a draft to translate.",
    )),
    SheetSpec("region", "regions", (
        "Only for a region not yet in regions.csv: complete names, level, parent and division code "
        "(six digits, GB/T 2260). Empty when the region is known.",
    )),
    SheetSpec("bodies", "bodies", (
        "Responsible bodies the text names that bodies.csv does not know yet (the issuer included): "
        "check names, level and kind; name_en is a draft.",
    )),
    SheetSpec("units", "units", (
        "Units the candidates use that codebook/units.csv does not know yet: check the standard unit "
        "and factor.",
    )),
]

#: Sheet name → the table its rows are appended to.
SHEET_TABLES = {s.name: s.table for s in SHEETS}


@dataclass
class Sheet:
    """A drafted sheet: its columns, rows and the cells the tool is unsure of ((row index, column))."""

    name: str
    columns: list[str]
    rows: list[dict[str, object]] = field(default_factory=list)
    unsure: set[tuple[int, str]] = field(default_factory=set)

    def add(self, row: dict[str, object], unsure: tuple[str, ...] = ()) -> int:
        """Append a row (missing columns empty); return its index."""
        self.rows.append({c: row.get(c) for c in self.columns})
        i = len(self.rows) - 1
        self.unsure.update((i, c) for c in unsure)
        return i

    def drop(self, indexes: set[int]) -> None:
        """Remove the rows at ``indexes``; the unsure cells of the others move with them."""
        keep = [i for i in range(len(self.rows)) if i not in indexes]
        moved = {old: new for new, old in enumerate(keep)}
        self.rows = [self.rows[i] for i in keep]
        self.unsure = {(moved[i], c) for i, c in self.unsure if i in moved}


@dataclass
class Draft:
    """The drafted review: one :class:`Sheet` per sheet of :data:`.sheets.SHEETS`, the raw bytes to store."""

    source_id: str
    region: str
    raw_name: str
    raw: bytes
    sheets: dict[str, Sheet]
    warnings: list[str] = field(default_factory=list)
    about: dict[str, str] = field(default_factory=dict)
    types: dict[str, dict[str, str]] = field(default_factory=dict)  # see :func:`column_types`


def column_types(registry) -> dict[str, dict[str, str]]:
    """Sheet → column → the type its table gives the column (``codebook/columns.csv``), for the columns
    stored; the ``source`` sheet maps each field to its type, since its ``value`` column holds them all.
    The review is written and read with these, as the export's workbook is (text cells stay text)."""
    out: dict[str, dict[str, str]] = {}
    for spec in SHEETS:
        table = spec.table or ("sources" if spec.name == "source" else None)
        if table in registry:
            out[spec.name] = {c.name: c.dtype for c in registry[table].columns}
    return out


def cell_type(types: dict[str, dict[str, str]], sheet: str, column: str, row: dict) -> str | None:
    """The type of one cell of a review sheet, or None for a column no table stores (the reviewer's aids)."""
    if sheet == "source":
        return types.get("source", {}).get(row.get("field", "")) if column == "value" else None
    return types.get(sheet, {}).get(column)
