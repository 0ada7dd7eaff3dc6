"""The Excel workbook for policy writers: every table, a wide sheet per region, cited and filterable.

Sheets, in order: README (what the workbook is, how to cite, the data
version), the tidy observations, one wide sheet per region (indicator × year,
status and qualifier visible), the codebook (indicators, units, code lists),
regions, sources (titles, document numbers, dates, checksums), the
consistency flags, and the data behind each exported figure.

The same data always give the same bytes: the workbook's created and modified
times are the data version's date (never the clock) and the zip entries carry
a fixed timestamp.
"""

from __future__ import annotations

import datetime as dt
import io
import math
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
from openpyxl import Workbook
from openpyxl.comments import Comment
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet
from openpyxl.writer.excel import ExcelWriter

from ..atomic import atomic_write_bytes, check_writable, zip_bytes
from ..cells import TEXT_FORMAT, decimals_of, display_width, number_format, put
from ..compare import describe_variant
from ..consistency import consistency_flags
from ..conventions import LANGUAGES, QUALIFIER_MARKS, VERSION
from ..load import (
    load_indicators,
    load_measurement_units,
    load_observations,
    load_regions,
    load_vocabularies,
    validated,
)
from ..paths import data_dir
from ..units import display_units, value_suffix
from ..validate import Checked
from .labels import COMPUTED_COLUMNS, column_label, sheet_desc, sheet_name, text
from .version import DataVersion, data_version

__all__ = ["FigureData", "build_workbook", "figure_sheet_title", "workbook_bytes", "write_workbook"]

_FONT = {"zh": "等线", "en": "Calibri"}
_HEADER_FILL = PatternFill("solid", fgColor="DDEBF7")
_COMPUTED_FILL = PatternFill("solid", fgColor="E7E6E6")
_MAX_WIDTH = 60
_OBS_SHEET_COLUMNS = ["obs_id", "source_id", "region", "region_name", "year", "indicator", "indicator_name",
                      "label_zh", "measure", "status", "qualifier", "value", "value_high", "unit", "value_std",
                      "value_high_std", "unit_std", "evidence", "note", "variant"]


@dataclass(frozen=True)
class FigureData:
    """The data behind one exported figure.

    Attributes:
        figure: the figure's name (its file stem, e.g. ``02-hte-stock``).
        title: the figure's title.
        notebook: the notebook that draws it.
        sources: the source documents it uses, as written in the figure index.
        values: the values it plots, one row each: the panel, the text shown, the observation and the
            codes it is drawn for, its value in the standard unit, its document and evidence.
        cells: the numbers of the tables it draws (heatmaps, counts): panel, row, column, value.
        data: for a figure that recorded neither, the observations its index row names.
        lang: the language it was drawn in.
        footnote: the footnote printed under it (its comparability notes, what † marks, its sources), one
            line per note.
    """

    figure: str
    title: str
    notebook: str
    sources: str
    data: pd.DataFrame | None = None
    values: pd.DataFrame | None = None
    cells: pd.DataFrame | None = None
    lang: str | None = None
    footnote: str = ""


@dataclass
class _Data:
    root: Path
    checked: Checked
    version: DataVersion
    obs: pd.DataFrame
    indicators: pd.DataFrame
    units: pd.DataFrame
    regions: pd.DataFrame
    vocab: pd.DataFrame
    flags: pd.DataFrame


def _gather(root: Path | None, lang: str) -> _Data:
    root = Path(root) if root is not None else data_dir()
    checked = validated(root)  # every table: the workbook holds them all
    obs = load_observations(root)
    indicators = load_indicators(root)
    regions, vocab = load_regions(root), load_vocabularies(root)
    published = [r["published"] for r in checked.tables["sources"].rows]
    flags = consistency_flags(obs, indicators, lang=lang, vocabularies=vocab, regions=regions)
    return _Data(root=root, checked=checked, version=data_version(root, published), obs=obs,
                 indicators=indicators, units=load_measurement_units(root), regions=regions,
                 vocab=vocab, flags=flags)


# --- typed cells from the stored text -------------------------------------------------------------


def _typed(raw: str, dtype: str) -> object:
    """The cell value for a stored text: numbers as numbers, dates as dates, everything else text."""
    if raw == "":
        return None
    if dtype == "Int64":
        return int(raw)
    if dtype == "Float64":
        number = float(raw)
        return int(number) if number.is_integer() and "." not in raw and "e" not in raw.lower() else number
    if dtype == "date":
        return dt.date.fromisoformat(raw)
    return raw


def _value_format(raw: str, dtype: str, column: str) -> str | None:
    if dtype == "Int64":
        return "0" if column in {"year", "report_year"} else "#,##0"
    if dtype == "Float64":
        return number_format(decimals_of(raw))
    return None


# --- sheet helpers ---------------------------------------------------------------------------------


class _Sheet:
    """A worksheet plus the width each column needs, updated as cells are written."""

    def __init__(self, wb: Workbook, title: str, lang: str):
        self.ws: Worksheet = wb.create_sheet(title)
        self.lang = lang
        self.font = Font(name=_FONT[lang])
        self.bold = Font(name=_FONT[lang], bold=True)
        self.widths: dict[int, int] = {}
        self.wrap: set[int] = set()

    def put(self, row: int, col: int, value: object, fmt: str | None = None, *, bold: bool = False):
        cell = put(self.ws.cell(row=row, column=col), value, fmt)
        cell.font = self.bold if bold else self.font
        if value is not None and value != "":
            self.widths[col] = max(self.widths.get(col, 0), _shown_width(value, cell.number_format))
        return cell

    def header(self, row: int, labels: Sequence[str], *, computed: Sequence[bool] = (),
               notes: Sequence[str | None] = ()) -> None:
        for i, label in enumerate(labels, start=1):
            cell = self.put(row, i, label, bold=True)
            is_computed = computed[i - 1] if computed else False
            cell.fill = _COMPUTED_FILL if is_computed else _HEADER_FILL
            cell.alignment = Alignment(vertical="top")
            note = notes[i - 1] if notes else None
            if note:
                cell.comment = Comment(note, "cityscience", width=320, height=110)

    def table_layout(self, header_row: int, n_cols: int, n_rows: int, *, freeze_cols: int = 0) -> None:
        """Freeze the header (and the first columns), add filters over the table, size the columns."""
        self.ws.freeze_panes = self.ws.cell(row=header_row + 1, column=freeze_cols + 1)
        last = get_column_letter(max(n_cols, 1))
        self.ws.auto_filter.ref = f"A{header_row}:{last}{header_row + max(n_rows, 1)}"
        self.size_columns()

    def size_columns(self) -> None:
        for col, width in sorted(self.widths.items()):
            letter = get_column_letter(col)
            fitted = min(width + 2, _MAX_WIDTH)
            self.ws.column_dimensions[letter].width = max(fitted, 6)
            if width + 2 > _MAX_WIDTH:
                self.wrap.add(col)
        for col in sorted(self.wrap):
            for (cell,) in self.ws.iter_rows(min_row=2, min_col=col, max_col=col):
                cell.alignment = Alignment(wrap_text=True, vertical="top")


def _shown_width(value: object, fmt: str) -> int:
    if isinstance(value, str):
        return max(display_width(line) for line in value.split("\n"))
    if isinstance(value, dt.date):
        return 10
    if isinstance(value, int | float):
        decimals = fmt.split(".")[1].count("0") if "." in fmt.split('"')[0] else 0
        extra = sum(display_width(part) for part in fmt.split('"')[1::2])
        return len(f"{value:,.{decimals}f}") + extra
    return len(str(value))


def _vocab_labels(vocab: pd.DataFrame, lang: str) -> dict[tuple[str, str], str]:
    """(vocabulary, code) → label in ``lang`` (the English label where a Chinese one is missing)."""
    out = {}
    for voc, code, label, en in zip(vocab["vocabulary"], vocab["code"], vocab[f"label_{lang}"], vocab["label_en"],
                                    strict=True):
        out[(str(voc), str(code))] = str(en if pd.isna(label) else label)
    return out


def _note(spec_row: dict[str, str] | None, column: str) -> str | None:
    if spec_row is None:
        return None
    return f"{column}: {spec_row['description']}"


# --- the sheets ------------------------------------------------------------------------------------


def _readme(wb: Workbook, d: _Data, lang: str, sheet_lines: list[tuple[str, str]]) -> None:
    s = _Sheet(wb, sheet_name("readme", lang), lang)
    n_src = len(d.checked.tables["sources"].rows)
    s.put(1, 1, text("title", lang, regions=_region_list(d, lang)), bold=True).font = Font(name=_FONT[lang], bold=True, size=14)
    rows: list[tuple[str, str]] = [
        ("", text("what", lang, src=n_src)),
        (text("version", lang), str(d.version)),
        (text("as_of", lang), d.version.as_of.isoformat()),
        (text("digest", lang), d.version.digest),
        (text("library", lang), VERSION),
        (text("counts", lang), text("counts_value", lang, obs=len(d.obs), ind=len(d.indicators),
                                    src=len(d.checked.tables["sources"].rows), reg=len(d.regions))),
        (text("cite_head", lang), text("cite", lang, version=str(d.version), src=n_src,
                                       regions=_region_list(d, lang))),
        (text("qualifiers", lang), text("qualifier_marks", lang)),
        (text("import", lang), text("import_text", lang)),
        (text("sheets", lang), ""),
        *sheet_lines,
    ]
    for i, (key, value) in enumerate(rows, start=3):
        s.put(i, 1, key, bold=True)
        cell = s.put(i, 2, value)
        cell.alignment = Alignment(wrap_text=True, vertical="top")
    s.ws.column_dimensions["A"].width = 34 if lang == "zh" else 40
    s.ws.column_dimensions["B"].width = 100


def _region_list(d: _Data, lang: str) -> str:
    """The regions' short names as a list in the workbook's language (宁波、杭州 / Ningbo, Hangzhou and Cixi)."""
    names = [str(n) for n in d.regions[f"short_{lang}"].fillna(d.regions[f"name_{lang}"])]
    if lang == "zh":
        return "、".join(names)
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]


def _table_sheet(wb: Workbook, d: _Data, key: str, lang: str) -> None:
    """A curated table as stored, typed, with its header labels (and computed columns for observations)."""
    spec = {c["column"]: c for c in d.checked.spec[key]}
    s = _Sheet(wb, sheet_name(key, lang), lang)
    if key == "observations":
        columns = _OBS_SHEET_COLUMNS
        rows = sorted(d.checked.observations.rows, key=lambda r: r["obs_id"])
    else:
        columns = list(spec)
        rows = d.checked.tables[key].rows
    computed = [c in COMPUTED_COLUMNS for c in columns] if key == "observations" else []
    s.header(1, [column_label(c, lang, key) for c in columns], computed=computed,
             notes=[_note(spec.get(c), c) or f"{c}: computed by cityscience; checked, never stored, on import"
                    for c in columns])
    extra = _computed_columns(d, lang) if key == "observations" else {}
    for r, row in enumerate(rows, start=2):
        for c, column in enumerate(columns, start=1):
            if column in spec:
                raw = row.get(column, "")
                dtype = spec[column]["dtype"]
                s.put(r, c, _typed(raw, dtype), _value_format(raw, dtype, column))
            else:
                value, fmt = extra[row["obs_id"]][column]
                s.put(r, c, value, fmt)
    for c, column in enumerate(columns, start=1):
        if column not in spec or spec[column]["dtype"] not in {"Int64", "Float64", "date"}:
            s.ws.column_dimensions[get_column_letter(c)].number_format = TEXT_FORMAT
    s.table_layout(1, len(columns), len(rows), freeze_cols=1)


def _computed_columns(d: _Data, lang: str) -> dict[str, dict[str, tuple[object, str | None]]]:
    names = d.regions.set_index("region")[f"name_{lang}"].astype(str).to_dict()
    ind_names = d.indicators.set_index("indicator")[f"name_{lang}"].astype(str).to_dict()
    out: dict[str, dict[str, tuple[object, str | None]]] = {}
    suffixes: dict[str, str] = {}
    for row in d.obs.itertuples(index=False):
        unit_std = str(row.unit_std)
        out[str(row.obs_id)] = {
            "region_name": (names.get(str(row.region), str(row.region)), None),
            "indicator_name": (ind_names.get(str(row.indicator), str(row.indicator)), None),
            "value_std": _std(row.value_std, suffixes.setdefault(unit_std, value_suffix(unit_std, lang, d.root))),
            "value_high_std": _std(row.value_high_std, suffixes[unit_std]),
            "unit_std": (unit_std, None),
        }
    return out


def _std(value, suffix: str) -> tuple[object, str | None]:
    """A standard value and its number format, the unit's suffix shown after it (12.5%, 3个百分点)."""
    if value is None or pd.isna(value):
        return None, None
    value = float(value)
    shown = int(value) if value.is_integer() and abs(value) < 2**53 else value
    return shown, number_format(0 if isinstance(shown, int) else decimals_of(value), suffix=suffix)


def _display_units(d: _Data, lang: str) -> dict[tuple[str, str], tuple[float, str]]:
    """Divisor from the standard unit and unit label of each (indicator, measure) on the region sheets.

    Chinese: the unit most often written (亿元, 家), as the documents write it. English: the
    codebook's English display unit of the standard unit for the values shown (CNY bn, or CNY m
    when all are below 1 bn; %; ×), and "number" for a count, whose noun the indicator name gives.
    """
    units = d.units.set_index("unit")
    factors = units["factor"].astype(float).to_dict()
    glosses = {u: "" if lang == "zh" or pd.isna(desc) else f" ({str(desc).split(' (')[0]})"
               for u, desc in units["description"].items()}
    shown = display_units(d.root)
    out = {}
    for (ind, measure), group in d.obs.groupby(["indicator", "measure"], observed=True):
        counts = group["unit"].astype(str).value_counts()
        best = sorted(counts.index, key=lambda u: (-counts[u], -factors.get(u, 1.0), u))[0]
        std = str(units.loc[best, "unit_std"])
        if lang == "zh" or std not in shown:  # (English without a display row: the unit with its gloss)
            out[(str(ind), str(measure))] = (factors[best], best + glosses[best])
            continue
        largest = pd.concat([group["value_std"], group["value_high_std"]]).abs().max()
        unit = shown[std].suited(0.0 if pd.isna(largest) else float(largest), lang)
        out[(str(ind), str(measure))] = (unit.factors[lang], unit.labels[lang] or text("count_unit", lang))
    return out


def _region_sheet(wb: Workbook, d: _Data, region: str, lang: str,
                  display: dict[tuple[str, str], tuple[float, str]]) -> str:
    """Wide form for one region: one row per indicator, measure, status and comparability variant; one
    column per year. A value of another basis, scope or period than its indicator's own (its ``variant``)
    gets a row of its own, named in the variant column, so that a row never sets unlike values side by
    side."""
    reg = d.regions.set_index("region").loc[region]
    title = _unique_title(wb, str(reg[f"name_{lang}"]))
    s = _Sheet(wb, title, lang)
    sub = d.obs[d.obs["region"] == region]
    years = sorted(int(y) for y in sub["year"].dropna().unique())
    fixed = ["indicator", "indicator_name", "measure", "status", "unit", "variant"]
    labels = [column_label(c, lang) for c in fixed] + [str(y) for y in years] + [column_label("obs_ids", lang)]
    s.header(1, labels)
    if sub.empty:
        s.put(2, 1, text("no_data", lang))
        s.size_columns()
        return title
    ind = d.indicators.set_index("indicator")
    order_ind = {code: i for i, code in enumerate(ind.sort_values(["category", "indicator"]).index.astype(str))}
    measures = list(d.vocab.loc[d.vocab["vocabulary"] == "measure", "code"].astype(str))
    statuses = list(d.vocab.loc[d.vocab["vocabulary"] == "status", "code"].astype(str))
    terms = _vocab_labels(d.vocab, lang)
    sub = sub.sort_values(["source_id", "obs_id"])
    sub = sub.assign(_variant=sub["variant"].astype("string").fillna("") if "variant" in sub else "")
    groups = sorted(sub.groupby(["indicator", "measure", "status", "_variant"], observed=True),
                    key=lambda kv: (order_ind.get(str(kv[0][0]), 1e9), measures.index(str(kv[0][1])),
                                    statuses.index(str(kv[0][2])), kv[0][3] != "", kv[0][3]))
    r = 2
    for (indicator, measure, status, variant), group in groups:
        differs = describe_variant(variant, lang=lang, vocabularies=d.vocab)
        factor, unit = display[(str(indicator), str(measure))]
        # one sheet row per value when a year holds several (different documents, or conflicting values)
        by_year: dict[int, list[pd.Series]] = {}
        for _, o in group.iterrows():
            by_year.setdefault(int(o["year"]), []).append(o)
        depth = max(len(g) for g in by_year.values())
        for k in range(depth):
            ids = []
            s.put(r, 1, str(indicator))
            s.put(r, 2, str(ind.loc[str(indicator), f"name_{lang}"]))
            s.put(r, 3, terms.get(("measure", str(measure)), str(measure)))
            s.put(r, 4, terms.get(("status", str(status)), str(status)))
            s.put(r, 5, unit)
            s.put(r, 6, differs or None)
            for c, year in enumerate(years, start=len(fixed) + 1):
                g = by_year.get(year)
                if g is None or k >= len(g):
                    continue
                o = g[k]
                ids.append(str(o["obs_id"]))
                _wide_value(s, r, c, o, factor)
            s.put(r, len(labels), ";".join(ids))
            r += 1
    s.table_layout(1, len(labels), r - 2, freeze_cols=2)
    return title


def _wide_value(s: _Sheet, r: int, c: int, o: pd.Series, factor: float) -> None:
    value = float(o["value_std"]) / factor
    value = _tidy_float(value)
    decimals = decimals_of(value)
    qualifier = str(o["qualifier"])
    suffix = ""
    if qualifier == "range" and not pd.isna(o["value_high_std"]):
        high = _tidy_float(float(o["value_high_std"]) / factor)
        decimals = max(decimals, decimals_of(high))
        suffix = "–" + f"{high:,.{decimals}f}"
    shown = int(value) if float(value).is_integer() and decimals == 0 else value
    cell = s.put(r, c, shown, number_format(decimals, prefix=QUALIFIER_MARKS[qualifier], suffix=suffix))
    cell.comment = Comment(f"{o['obs_id']} · {o['source_id']}\n{o['evidence']}", "cityscience",
                           width=320, height=110)


def _tidy_float(value: float) -> float:
    """Drop binary noise from a unit conversion (1.85e10 / 1e8 → 185.0, not 184.99999999999997)."""
    if value == 0 or not math.isfinite(value):
        return value
    return float(f"{value:.12g}")


def _code_names(d: _Data, lang: str) -> dict[str, dict[str, str]]:
    """Region and indicator code → name in ``lang``, for the name columns beside the codes."""
    return {column: dict(zip(table[column].astype(str), table[f"name_{lang}"].astype(str), strict=True))
            for column, table in (("region", d.regions), ("indicator", d.indicators))}


def _flags_sheet(wb: Workbook, d: _Data, lang: str) -> None:
    s = _Sheet(wb, sheet_name("flags", lang), lang)
    columns = ["check", "region", "region_name", "indicator", "indicator_name", "year", "obs_ids", "values",
               "explanation"]
    s.header(1, [column_label(c, lang) for c in columns])
    terms = _vocab_labels(d.vocab, lang)
    names = _code_names(d, lang)
    for r, row in enumerate(d.flags.itertuples(index=False), start=2):
        for c, column in enumerate(columns, start=1):
            code = column.removesuffix("_name")
            value = names[code].get(str(getattr(row, code))) if code != column else getattr(row, column)
            if value is None or pd.isna(value):
                value = None
            elif column == "check":  # the check's name from the codebook (consistency_check vocabulary)
                value = terms.get(("consistency_check", str(value)), str(value))
            elif column == "year":
                value = int(value)
            else:
                value = str(value)
            s.put(r, c, value, "0" if column == "year" else None)
    s.table_layout(1, len(columns), len(d.flags), freeze_cols=1)


def figure_sheet_title(figure: str, lang: str) -> str:
    """The sheet of figure ``figure`` (its file stem, ``02-hte-stock-en``) in a workbook in ``lang``:
    ``Fig 02-hte-stock`` (the language shown only when the figure is in another one), at most 31 characters.

    >>> figure_sheet_title("08-responsibility-matrix-en", "en"), figure_sheet_title("02-hte-stock-zh", "en")
    ('Fig 08-responsibility-matrix', 'Fig 02-hte-stock-zh')
    """
    return (sheet_name("figure", lang) + figure.removesuffix(f"-{lang}"))[:31]


def _figure_sheet(wb: Workbook, d: _Data, fig: FigureData, lang: str) -> str:
    """The data behind one figure: what it is, then the values it plots (each with its sentence) and
    the cells of the tables it draws, each block headed and filterable."""
    title = _unique_title(wb, figure_sheet_title(fig.figure, lang))
    s = _Sheet(wb, title, lang)
    meta = [(text("figure_title", lang), fig.title), (text("figure_notebook", lang), fig.notebook),
            (text("figure_sources", lang), fig.sources)]
    meta += [(text("figure_footnote", lang) if i == 0 else None, line)
             for i, line in enumerate(line for line in fig.footnote.splitlines() if line.strip())]
    for i, (k, v) in enumerate(meta, start=1):
        s.put(i, 1, k, bold=True)
        s.put(i, 2, v)
    r = len(meta) + 2
    first = None
    blocks = [(key, frame) for key, frame in (("figure_values", _shown_values(d, fig.values, lang)),
                                              ("figure_cells", fig.cells), ("figure_observations", fig.data))
              if frame is not None]
    for key, frame in blocks:
        s.put(r, 1, text(key, lang), bold=True)
        r += 1
        frame = frame.reset_index() if not isinstance(frame.index, pd.RangeIndex) else frame
        columns = [str(c) for c in frame.columns]
        s.header(r, [column_label(c, lang, "observations") for c in columns])  # as on the observations sheet
        if first is None:
            first = (r, len(columns), len(frame))
        for k, row in enumerate(frame.itertuples(index=False), start=r + 1):
            for c, value in enumerate(row, start=1):
                s.put(k, c, *_plain(value, columns[c - 1]))
        r += len(frame) + 2
    if first is not None:
        s.table_layout(*first, freeze_cols=0)
    else:
        s.size_columns()
    return title


def _shown_values(d: _Data, values: pd.DataFrame | None, lang: str) -> pd.DataFrame | None:
    """Plotted values as the sheet shows them: region and indicator names beside their codes, measure,
    status and qualifier by their labels (as on the region sheets)."""
    if values is None:
        return None
    terms = _vocab_labels(d.vocab, lang)
    out = values.copy()
    for column, table in _code_names(d, lang).items():
        out.insert(out.columns.get_loc(column) + 1, f"{column}_name", out[column].astype("string").map(table))
    for column in ("measure", "status", "qualifier"):
        out[column] = [None if pd.isna(v) else terms.get((column, str(v)), str(v)) for v in out[column]]
    return out


def _plain(value, column: str = "") -> tuple[object, str | None]:
    """A pandas scalar as a cell value and format: thousands grouped (not in a year), a computed number shown
    to six significant digits at most (9,808.48, not 9808.478425), stored in full."""
    if value is None or value is pd.NA or (isinstance(value, float) and math.isnan(value)):
        return None, None
    if isinstance(value, bool):
        return str(value), None
    if isinstance(value, int) or (hasattr(value, "dtype") and pd.api.types.is_integer_dtype(value.dtype)):
        return int(value), "0" if "year" in column else "#,##0"
    if isinstance(value, float) or (hasattr(value, "dtype") and pd.api.types.is_float_dtype(value.dtype)):
        value = _tidy_float(float(value))
        whole = math.floor(math.log10(abs(value))) + 1 if value else 1  # digits before the point
        return value, number_format(max(0, min(decimals_of(value), 6 - whole)),
                                    thousands="year" not in column)
    if isinstance(value, pd.Timestamp):
        return value.date(), None
    return str(value), None


def _unique_title(wb: Workbook, title: str) -> str:
    """A valid sheet name (≤ 31 characters, none of []:*?/\\), unique in the workbook."""
    clean = "".join("_" if ch in "[]:*?/\\" else ch for ch in title)[:31]
    name, n = clean, 2
    while name in wb.sheetnames:
        suffix = f" ({n})"
        name = clean[: 31 - len(suffix)] + suffix
        n += 1
    return name


# --- the workbook ----------------------------------------------------------------------------------


def build_workbook(root: Path | None = None, lang: str = "zh",
                   figures: Sequence[FigureData] = ()) -> tuple[Workbook, DataVersion]:
    """Build the workbook in memory (see the module docstring for its sheets).

    Args:
        root: the data folder (default: the repository's ``data/`` or ``$CITYSCIENCE_DATA``).
        lang: ``"zh"`` or ``"en"``: sheet names, headers, labels and README text.
        figures: the data behind each exported figure, one sheet each.

    Raises:
        ValidationError: the data folder has problems (all of them are listed).
    """
    if lang not in LANGUAGES:
        raise ValueError(f"lang {lang!r}: expected one of {', '.join(LANGUAGES)}")
    d = _gather(root, lang)
    wb = Workbook()
    wb.remove(wb.active)
    # README first, filled last (it lists the sheets)
    placeholder = wb.create_sheet("_readme")
    sheet_lines: list[tuple[str, str]] = []
    _table_sheet(wb, d, "observations", lang)
    sheet_lines.append((sheet_name("observations", lang), sheet_desc("observations", lang)))
    display = _display_units(d, lang)
    for region in d.regions["region"].astype(str):
        title = _region_sheet(wb, d, region, lang, display)
        sheet_lines.append((title, text("region_sheet", lang, name=title)))
    for table in d.checked.registry.workbook_tables()[1:]:
        _table_sheet(wb, d, table.name, lang)
        sheet_lines.append((sheet_name(table.name, lang), sheet_desc(table.name, lang)))
    _flags_sheet(wb, d, lang)
    sheet_lines.append((sheet_name("flags", lang), sheet_desc("flags", lang)))
    for fig in figures:
        title = _figure_sheet(wb, d, fig, lang)
        sheet_lines.append((title, text("figure_sheet", lang, name=title, figure=fig.figure)))
    wb.remove(placeholder)
    _readme(wb, d, lang, sheet_lines)
    wb.move_sheet(sheet_name("readme", lang), offset=-(len(wb.sheetnames) - 1))
    wb.active = 0
    props = wb.properties
    props.creator = props.lastModifiedBy = "cityscience"
    props.title = text("title", lang, regions=_region_list(d, lang))
    props.version = str(d.version)
    props.created = props.modified = d.version.timestamp
    return wb, d.version


def _deterministic_zip(data: bytes) -> bytes:
    """Re-pack the xlsx zip with a fixed timestamp on every entry, so equal contents give equal bytes."""
    with zipfile.ZipFile(io.BytesIO(data)) as src:
        return zip_bytes((info.filename, src.read(info.filename)) for info in src.infolist())


def workbook_bytes(root: Path | None = None, lang: str = "zh", figures: Sequence[FigureData] = ()) -> bytes:
    """The workbook as xlsx bytes; the same data always give the same bytes."""
    wb, _ = build_workbook(root, lang, figures)
    buf = io.BytesIO()
    # ExcelWriter directly: openpyxl's save() would stamp the clock into the modified time
    ExcelWriter(wb, zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED, allowZip64=True)).save()
    return _deterministic_zip(buf.getvalue())


def write_workbook(path: Path, root: Path | None = None, lang: str = "zh",
                   figures: Sequence[FigureData] = ()) -> Path:
    """Write the workbook to ``path`` atomically (an earlier file stays intact if anything fails)."""
    path = Path(path)
    check_writable(path)
    return atomic_write_bytes(path, workbook_bytes(root, lang, figures))
