"""Reader pages: each document's full text, an anchor per observation at its evidence, every number marked."""

from __future__ import annotations

import pytest

from cityscience.export import readers
from cityscience.numbers import normalize
from cityscience.validate import check
from readerpage import ReaderPage


@pytest.fixture(scope="module")
def checked():
    return check(None)


@pytest.fixture(scope="module")
def pages(checked):
    return {sid: ReaderPage(text) for sid, text in readers.reader_pages(checked=checked).items()}


def test_every_document_has_a_page_with_its_full_text(checked, pages):
    assert sorted(pages) == sorted(checked.raw_texts)
    for sid, page in pages.items():
        assert page.text == checked.raw_texts[sid]


def test_each_page_cites_its_document_as_the_chart_footnotes_do(checked):
    import html

    from cityscience.provenance import cite_source

    raw = readers.reader_pages(checked=checked)
    for row in checked.tables["sources"].rows:
        for lang in ("zh", "en"):
            assert html.escape(cite_source(row, lang)) in raw[row["source_id"]], (row["source_id"], lang)


def test_every_observation_is_anchored_where_its_evidence_starts(checked, pages):
    rows = checked.tables["observations"].rows
    assert rows
    for row in rows:
        page = pages[row["source_id"]]
        assert row["obs_id"] in page.anchors, f"{row['obs_id']}: no anchor in {row['source_id']}.html"
        at = page.anchors[row["obs_id"]]
        evidence = normalize(row["evidence"])
        assert normalize(page.text[at:at + len(evidence)]) == evidence, row["obs_id"]
    assert sum(len(p.anchors) for p in pages.values()) == len(rows)


def test_every_number_is_marked_as_the_accounting_explains_it(checked, pages):
    from cityscience.validate.accounting import account

    covered = account(checked)
    for sid, page in pages.items():
        starts = {at for at, _ in page.numbers}
        tokens = checked.tokens[sid]
        assert {t.start for t in tokens} <= starts
        kinds = dict(page.numbers)
        for tok in tokens:
            how = covered[sid].get(tok.start)
            expected = "missing" if how is None else "obs" if how.startswith("obs:") else "excluded"
            assert kinds[tok.start] == expected, (sid, tok)


def test_a_number_nothing_accounts_for_is_marked_unaccounted(checked):
    sid = next(s for s, toks in checked.tokens.items() if toks)
    page = ReaderPage(readers.reader_page(checked, sid, covered={sid: {}}))
    assert page.numbers and {kind for _, kind in page.numbers} == {"missing"}


def test_pages_are_written_once_and_the_same_every_time(checked, tmp_path):
    written = readers.write_reader_pages(tmp_path / "readers")
    assert sorted(p.name for p in written) == sorted(f"{sid}.html" for sid in checked.raw_texts)
    assert readers.write_reader_pages(tmp_path / "readers") == []  # unchanged: nothing rewritten


def test_the_page_of_a_document_no_longer_in_the_data_is_removed(checked, tmp_path):
    folder = tmp_path / "readers"
    readers.write_reader_pages(folder)
    (folder / "qingxi-2019-summary.html").write_text("<html>a document since removed</html>", encoding="utf-8")
    (folder / "notes.txt").write_text("not a reader page", encoding="utf-8")
    assert readers.write_reader_pages(folder) == []
    assert sorted(p.name for p in folder.iterdir()) == sorted([*(f"{sid}.html" for sid in checked.raw_texts),
                                                               "notes.txt"])


def test_every_page_embeds_a_font_that_draws_all_its_characters(checked):
    """A machine without a Chinese font shows the page as written: the page carries the bundled font cut
    down to its own characters, and that font has a glyph for every character of the document."""
    import base64
    import io
    import re

    from fontTools.ttLib import TTFont

    for sid, page in readers.reader_pages(checked=checked).items():
        faces = re.findall(r'@font-face\{font-family:"cityscience CJK";src:url\(data:font/woff;base64,([A-Za-z0-9+/=]+)\)',
                           page)
        assert len(faces) == 1, sid
        assert 'body{font:16px/1.9 "cityscience CJK"' in page
        with TTFont(io.BytesIO(base64.b64decode(faces[0]))) as font:
            assert font.flavor == "woff"
            drawn = set(font.getBestCmap())
        needed = {ord(ch) for ch in checked.raw_texts[sid] if not ch.isspace()}
        assert not needed - drawn, f"{sid}: no glyph for {''.join(sorted(chr(c) for c in needed - drawn))[:20]}"


def test_export_readers_writes_the_pages_alone_and_says_what_changed(checked, tmp_path, capsys):
    from cityscience.cli import main
    from exportdata import make_export_data
    from minidata import set_cell

    folder = tmp_path / "pages"
    assert main(["export", "readers", "-o", str(folder)]) == 0
    n = len(checked.raw_texts)
    assert f"wrote {n} of {n} reader pages into {folder} (0 unchanged)" in capsys.readouterr().out
    assert sorted(p.name for p in folder.iterdir()) == sorted(f"{sid}.html" for sid in checked.raw_texts)
    assert main(["export", "readers", "-o", str(folder)]) == 0
    assert f"wrote 0 of {n} reader pages" in capsys.readouterr().out
    # data with a problem: every problem named, no page written
    broken = make_export_data(tmp_path / "broken")
    set_cell(broken / "regions.csv", 2, "region", "")
    assert main(["export", "readers", "--data", str(broken), "-o", str(tmp_path / "none")]) == 1
    err = capsys.readouterr().err
    assert "regions.csv:2" in err and "nothing was exported" in err
    assert not (tmp_path / "none").exists() or not any((tmp_path / "none").iterdir())
    (tmp_path / "a-file").write_text("x", encoding="utf-8")
    assert main(["export", "readers", "-o", str(tmp_path / "a-file" / "pages")]) == 1
    assert "is a file; expected a writable folder" in capsys.readouterr().err


def test_the_table_tells_apart_what_the_text_states(checked):
    """Each observation's row says its measure and variant, and its value as the charts write it (≥, ≈, a range),
    so that a growth rate does not read as a level, nor 300余家 as 300家."""
    import html
    import re

    pages = readers.reader_pages(checked=checked)
    marks = {"at_least": "≥", "at_most": "≤", "approx": "≈"}
    seen = set()
    for row in checked.tables["observations"].rows:
        page = pages[row["source_id"]]
        cells = re.search(rf'<tr><td><a href="#{re.escape(row["obs_id"])}">.*?</tr>', page).group()
        texts = [html.unescape(c) for c in re.findall(r"<td[^>]*>(.*?)</td>", cells)][1:]
        assert texts[:5] == [row["indicator"], row["year"], row["status"], row["measure"], row["variant"]]
        value = texts[5]
        if row["qualifier"] in marks:
            assert value.startswith(marks[row["qualifier"]]), (row["obs_id"], value)
        elif row["qualifier"] == "range":
            assert "–" in value, (row["obs_id"], value)
        else:
            assert value[0].isdigit() or value[0] in "-第", (row["obs_id"], value)
        seen.add(row["qualifier"])
    assert {"exact", "at_least", "approx"} <= seen  # the data hold each kind the test reads


def test_the_legend_gives_each_count_beside_its_own_label(checked, pages):
    """“observation value 111 excluded number 131”, spaced evenly, read as 111 excluded numbers: each
    count is kept with its label (one unbreakable item, the gap after it), and is that kind's count."""
    import re
    from collections import Counter

    raw = readers.reader_pages(checked=checked)
    for sid, page in raw.items():
        legend = re.search(r'<p class="legend">(.*?)</p>', page).group(1)
        items = re.findall(r'<span class="key"><b class="num (\w+)">([^<]+)</b>&nbsp;(\d+)</span>', legend)
        assert [(k, label) for k, label, _ in items] == [
            ("obs", "observation value"), ("excluded", "excluded number"), ("missing", "unaccounted")], sid
        kinds = dict(pages[sid].numbers)
        counted = Counter(kinds[t.start] for t in checked.tokens[sid])
        assert {k: int(n) for k, _, n in items} == {k: counted.get(k, 0) for k in ("obs", "excluded", "missing")}
        assert ".legend .ev,.legend .key{margin-right" in page and ".legend b{margin" not in page
