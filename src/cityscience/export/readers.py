"""One self-contained HTML page per document: its full text, every evidence span and every number marked.

A reader page (``build/readers/<source_id>.html``, written by ``cityscience
build``) shows the raw text as it is stored, with

* every observation's evidence highlighted, an anchor ``id="<obs_id>"`` where it
  starts (the occurrence whose number the accounting gave to it), so a figure's
  value links straight to its sentence (:func:`cityscience.paths.reader_link`);
* every number token marked by how the accounting explains it
  (:func:`cityscience.validate.accounting.account`): the value of an
  observation, excluded with the exclusion's reason, or unaccounted.

Opening ``#<obs_id>`` also outlines that observation's whole evidence (a few
lines of inline script; without them the anchor still scrolls to the sentence).
The same data give the same bytes.
"""

from __future__ import annotations

import html
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from ..atomic import write_many_if_changed
from ..conventions import LANGUAGES
from ..numbers import normalize
from ..paths import readers_dir
from ..provenance import cite_source
from ..units import format_value
from ..validate import check
from ..validate.accounting import _occurrences, account  # where the accounting looks for evidence
from ..validate.checked import Checked

__all__ = ["EvidenceSpan", "evidence_spans", "reader_page", "reader_pages", "write_reader_pages"]

_STYLE = """
body{font:16px/1.9 "cityscience CJK","Noto Sans CJK SC","Source Han Sans SC","PingFang SC","Microsoft YaHei",sans-serif;
max-width:46em;margin:2em auto;padding:0 1em;color:#222}
header{border-bottom:1px solid #ccc;margin-bottom:1em}h1{font-size:1.3em;margin:.2em 0}
.meta{color:#555;font-size:.85em}.legend .ev,.legend .key{margin-right:1.2em;white-space:nowrap}
.text{white-space:pre-wrap;word-break:break-all}
.ev{background:#fff3b0}.ev.current{background:#ffd54a;outline:2px solid #e0a800}
.num{font-weight:normal;border-bottom:2px solid}.num.obs{border-color:#1a7f37;color:#0b4f22}
.num.excluded{border-color:#9a9a9a;border-bottom-style:dotted}.num.missing{border-color:#d1242f;color:#d1242f}
a.anchor{scroll-margin-top:40vh}
table{border-collapse:collapse;font-size:.85em;margin-top:2em}td,th{padding:.1em .6em;text-align:left;
border-bottom:1px solid #eee}
""".strip()
_SCRIPT = """
function markTarget(){var id=decodeURIComponent(location.hash.slice(1));
document.querySelectorAll('.ev.current').forEach(function(e){e.classList.remove('current')});
if(!id)return;document.querySelectorAll('.ev[data-obs]').forEach(function(e){
if(e.getAttribute('data-obs').split(' ').indexOf(id)>=0)e.classList.add('current')})}
window.addEventListener('hashchange',markTarget);markTarget();
""".strip()


@dataclass(frozen=True)
class EvidenceSpan:
    """Where an observation's evidence stands in its document's raw text (character offsets)."""

    obs_id: str
    start: int
    end: int


def evidence_spans(checked: Checked, covered: Mapping[str, Mapping[int, str]] | None = None
                   ) -> dict[str, list[EvidenceSpan]]:
    """Each document's evidence spans, by source_id: the occurrence holding the number the
    accounting gave to the observation, else the first one."""
    covered = account(checked) if covered is None else covered
    out: dict[str, list[EvidenceSpan]] = {sid: [] for sid in checked.normalized_texts}
    for row in checked.tables["observations"].rows:
        sid, text = row["source_id"], checked.normalized_texts.get(row["source_id"])
        evidence = normalize(row["evidence"] or "")
        starts = _occurrences(text, evidence) if text is not None else []
        if not starts:
            continue  # the validator reports evidence not in its document
        mine = {at for at, how in covered.get(sid, {}).items() if how == f"obs:{row['obs_id']}"}
        start = next((s for s in starts if any(s <= at < s + len(evidence) for at in mine)), starts[0])
        out[sid].append(EvidenceSpan(row["obs_id"], start, start + len(evidence)))
    return out


def _number_class(how: str | None) -> tuple[str, str]:
    if how is None:
        return "missing", "unaccounted: neither an observation's value nor excluded"
    kind, _, detail = how.partition(":")
    if kind == "obs":
        return "obs", f"observation {detail}"
    return "excluded", f"excluded: {detail}"


#: The columns of a reader page's table of observations: what tells two values of one indicator apart.
_TABLE_COLUMNS = ("obs_id", "indicator", "year", "status", "measure", "variant", "value")
#: The legend's kinds of number (the class of their marks) and their labels; each shows its count.
_LEGEND = (("obs", "observation value"), ("excluded", "excluded number"), ("missing", "unaccounted"))


def _stated(row: Mapping[str, str]) -> str:
    """An observation's value as the project writes it in Chinese, with its qualifier (≥1,000家, 3–5家, ≈50项)."""
    try:
        high = float(row["value_high"]) if row.get("value_high") else None
        return format_value(float(row["value"]), row["unit"], "zh", qualifier=row.get("qualifier") or "exact",
                            value_high=high)
    except ValueError:  # a value the validator refuses: shown as stored
        return f"{row['value']} {row['unit']}"


def reader_page(checked: Checked, source_id: str, *, covered: Mapping[str, Mapping[int, str]] | None = None,
                spans: list[EvidenceSpan] | None = None) -> str:
    """The reader page of one document as HTML text."""
    covered = account(checked) if covered is None else covered
    spans = evidence_spans(checked, covered)[source_id] if spans is None else spans
    raw = checked.raw_texts[source_id]
    tokens = checked.tokens[source_id]
    marks = covered.get(source_id, {})
    cuts = {0, len(raw)} | {s.start for s in spans} | {s.end for s in spans}
    cuts |= {t.start for t in tokens} | {t.end for t in tokens}
    cuts = sorted(c for c in cuts if 0 <= c <= len(raw))
    starts: dict[int, list[str]] = {}
    for s in sorted(spans, key=lambda s: (s.start, s.obs_id)):
        starts.setdefault(s.start, []).append(s.obs_id)
    token_at = {t.start: t for t in tokens}
    parts = []
    token_end = -1
    for a, b in zip(cuts, cuts[1:], strict=False):
        parts.extend(f'<a class="anchor" id="{html.escape(i)}"></a>' for i in starts.get(a, []))
        piece = html.escape(raw[a:b])
        tok = token_at.get(a)
        if tok is not None:
            token_end = tok.end
            kind, title = _number_class(marks.get(a))
            piece = f'<b class="num {kind}" title="{html.escape(title)}">{piece}</b>'
        elif a < token_end:  # the rest of a number cut by an evidence boundary
            kind, title = _number_class(marks.get(max(t for t in token_at if t <= a)))
            piece = f'<b class="num {kind}" title="{html.escape(title)}">{piece}</b>'
        inside = [s.obs_id for s in spans if s.start <= a and b <= s.end]
        if inside:
            ids = " ".join(sorted(inside))
            piece = f'<span class="ev" data-obs="{html.escape(ids)}" title="{html.escape(ids)}">{piece}</span>'
        parts.append(piece)
    source = next(r for r in checked.tables["sources"].rows if r["source_id"] == source_id)
    counts = {"obs": 0, "excluded": 0, "missing": 0}
    for t in tokens:
        counts[_number_class(marks.get(t.start))[0]] += 1
    rows = sorted((r for r in checked.tables["observations"].rows if r["source_id"] == source_id),
                  key=lambda r: r["obs_id"])
    table = "".join(
        f'<tr><td><a href="#{html.escape(r["obs_id"])}">{html.escape(r["obs_id"])}</a></td>'
        + "".join(f"<td>{html.escape(r.get(c) or '')}</td>" for c in _TABLE_COLUMNS[1:-1])
        + f'<td class="value">{html.escape(_stated(r))}</td></tr>' for r in rows)
    cited = {lang: html.escape(cite_source(source, lang)) for lang in LANGUAGES}  # as chart footnotes cite it
    body = (
        f'<header><h1>{html.escape(source["title_zh"])}</h1><div class="meta">{cited["zh"]} · '
        f'{html.escape(source_id)}<br>{cited["en"]}</div>'
        f'<p class="legend"><span class="ev">evidence of an observation</span>'
        + "".join(f'<span class="key"><b class="num {kind}">{label}</b>&nbsp;{counts[kind]}</span>'
                  for kind, label in _LEGEND)  # each count beside its own label, never the next one's
        + f'· {len(rows)} observations</p></header>\n'
        f'<div class="text">{"".join(parts)}</div>\n'
        f'<table><tr>{"".join(f"<th>{c}</th>" for c in _TABLE_COLUMNS)}</tr>{table}</table>\n'
        f'<script>{_SCRIPT}</script>\n</body></html>\n')
    title = f'<title>{html.escape(source["title_zh"])} ({html.escape(source_id)})</title>'
    return ('<!DOCTYPE html>\n<html lang="zh"><head><meta charset="utf-8">' + title
            + f'<style>{_font_face(title + body)}{_STYLE}</style></head><body>\n' + body)


def _font_face(text: str) -> str:
    """A CSS ``@font-face`` embedding the bundled CJK font cut down to the characters of ``text`` (WOFF,
    about 100 KB for a report), so the page reads the same on a machine without a Chinese font."""
    import base64
    import io

    from fontTools import subset

    from ..charts.fonts import use_cjk_font

    options = subset.Options()
    options.flavor = "woff"
    options.layout_features = []
    options.hinting = False
    options.name_IDs = [0, 1, 2, 3, 4, 5, 6, 13, 14]  # the copy's names, copyright and licence (OFL)
    options.notdef_outline = True
    font = subset.load_font(str(use_cjk_font(system=False).path), options)
    subsetter = subset.Subsetter(options)
    subsetter.populate(text="".join(sorted(set(text))))
    subsetter.subset(font)
    buffer = io.BytesIO()
    subset.save_font(font, buffer, options)
    data = base64.b64encode(buffer.getvalue()).decode("ascii")
    return f'@font-face{{font-family:"cityscience CJK";src:url(data:font/woff;base64,{data}) format("woff")}}\n'


def reader_pages(data: Path | None = None, *, checked: Checked | None = None) -> dict[str, str]:
    """Every document's reader page, by source_id.

    Raises:
        ValidationError: the data folder has problems (pages of invalid data would mislead).
    """
    from ..problems import ValidationError

    checked = check(data) if checked is None else checked
    if checked.problems:
        raise ValidationError(checked.problems)
    covered = account(checked)
    spans = evidence_spans(checked, covered)
    return {sid: reader_page(checked, sid, covered=covered, spans=spans[sid]) for sid in sorted(checked.raw_texts)}


def write_reader_pages(folder: Path | None = None, data: Path | None = None) -> list[Path]:
    """Write ``<source_id>.html`` for every document into ``folder`` (default ``build/readers``): the changed
    pages, all or none; return them. Pages of documents no longer in the data are removed."""
    folder = Path(folder) if folder is not None else readers_dir()
    files = {folder / f"{sid}.html": text.encode("utf-8") for sid, text in reader_pages(data).items()}
    folder.mkdir(parents=True, exist_ok=True)
    written = write_many_if_changed(files)
    for page in folder.glob("*.html"):
        if page not in files:
            page.unlink()
    return written
