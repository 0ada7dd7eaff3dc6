"""Reading the reader pages and the figures' links back, for the tests of both."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from urllib.parse import unquote

from cityscience.numbers import normalize

LINK = re.compile(r"^\.\./build/readers/(?P<source>[^/#]+)\.html#(?P<anchor>.+)$")


class ReaderPage(HTMLParser):
    """The text of a reader page's document, where each anchor stands in it, and its number marks."""

    def __init__(self, page: str):
        super().__init__(convert_charrefs=True)
        self.text, self.anchors, self.numbers = "", {}, []
        self._in_text = 0
        self._number: str | None = None
        self.feed(page)

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "div" and attrs.get("class") == "text":
            self._in_text = 1
        elif self._in_text and tag == "div":
            self._in_text += 1
        if self._in_text and tag == "a" and attrs.get("id"):
            assert attrs["id"] not in self.anchors, f"anchor {attrs['id']} twice"
            self.anchors[attrs["id"]] = len(self.text)
        if self._in_text and tag == "b":
            self._number = attrs["class"].split()[1]

    def handle_endtag(self, tag):
        if self._in_text and tag == "div":
            self._in_text -= 1
        if tag == "b":
            self._number = None

    def handle_data(self, data):
        if self._in_text:
            if self._number is not None:
                self.numbers.append((len(self.text), self._number))
            self.text += data


def link_problems(urls, pages: dict[str, ReaderPage], evidence: dict[str, str]) -> list[str]:
    """What is wrong with figure links: not a reader link, no such page or anchor, evidence not there."""
    problems = []
    for url in urls:
        m = LINK.match(url)
        if not m:
            problems.append(f"{url}: not a link to a reader page")
            continue
        source, anchor = unquote(m["source"]), unquote(m["anchor"])
        page = pages.get(source)
        if page is None or anchor not in page.anchors:
            problems.append(f"{url}: no anchor {anchor} in {source}.html")
            continue
        wanted = normalize(evidence.get(anchor, ""))
        at = page.anchors[anchor]
        if not wanted or normalize(page.text[at:at + len(wanted)]) != wanted:
            problems.append(f"{url}: the text at the anchor is not the evidence of {anchor}")
    return problems
