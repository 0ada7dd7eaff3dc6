"""The regions and bodies a report names that the data do not know yet, drafted as rows to review.

A new region's row comes from the names in its issuer or title (the last place named is the region,
its administrative level from the name's last character); a body's row from its name, with the short
forms documents write (县科技局 for 青溪县科学技术局) as aliases.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

from ..validate.policy import name_forms, squeeze
from .sheets import Sheet

__all__ = ["add_body", "body_code", "body_row", "new_region_row"]

_PLACE = re.compile(r"([\u4e00-\u9fff]{1,6}?(?:省|市|区|县))")
# The administrative level a place name's last character suggests; 市 is a county-level city when a
# place is named before it (宁波市慈溪市, 温州市瑞安市) and a prefecture-level city otherwise (the
# sub-provincial cities are all in the data).
_LEVELS = {"省": "province", "区": "district", "县": "county", "市": "county_level_city"}
_LEVEL_ALONE = {"市": "prefecture_level_city"}


def new_region_row(code: str, title: str, issuer: str, text: str, regions: list[dict],
                   levels: Mapping[str, str], bodies: list[dict] = ()) -> tuple[dict, tuple[str, ...]]:
    """A regions row for a new region: its name from the issuer or title, its parent from a known
    region named before it, its division code from a six-digit code of the parent's prefix, its
    administrative level from the name's last character (one of ``levels``, the admin_level codes:
    their body levels as values). The region is the last place named (温州市瑞安市 is 瑞安市, under
    温州市). When the name alone does not say, a body of the data named for the place (余姚市人民政府,
    a county-level body of Ningbo's) gives the parent and the level."""
    names = _PLACE.findall(issuer or title or "")
    names = [n for i, n in enumerate(names) if not (n.endswith("省") and i + 1 < len(names))]  # 浙江省宁波市
    known = {r["name_zh"]: r for r in regions}
    by_code = {r["region"]: r for r in regions}
    own = names[-1] if names else ""
    before = names[:-1]
    parent = next((known[n] for n in reversed(before) if n in known), None)
    named = next((b for b in bodies if own and own in {b.get("name_zh"), b.get("short_zh"),
                                                         (b.get("name_zh") or "").removesuffix("人民政府")}), None)
    from_body = parent is None and not before and named is not None and named.get("region") in by_code
    if from_body:  # (only when no place is named before it: 重庆市江北区 is not Ningbo's 江北区)
        parent, before = by_code[named["region"]], [by_code[named["region"]]["name_zh"]]
    unsure = ["name_en", "short_en", "admin_level"] + (["parent"] if from_body else [])
    code_guess = ""
    if parent and parent.get("division_code"):
        stem = parent["division_code"].rstrip("0")[:4]
        for m in re.finditer(rf"{stem}\d{{{6 - len(stem)}}}", text):
            if m.group(0) != parent["division_code"] and not m.group(0).endswith("00"):
                code_guess = m.group(0)  # the division code inside an index number (索引号)
                break
    if not code_guess:
        unsure.append("division_code")
    suffix = own[-1:]
    level = (_LEVELS if before else _LEVELS | _LEVEL_ALONE)[suffix] if suffix in _LEVELS else ""
    if from_body and named.get("level"):  # the level the data give the place's body
        level = next((c for c in (_LEVELS.get(suffix), _LEVEL_ALONE.get(suffix))
                      if c and levels.get(c) == named["level"]), level)
    row = {"region": code, "name_zh": own, "name_en": code.replace("_", " ").title(),
           "short_zh": own[:-1] if len(own) > 2 else own, "short_en": code.replace("_", " ").title(),
           "admin_level": level if level in levels else "", "parent": parent["region"] if parent else "",
           "division_code": code_guess, "color": "", "notes": ""}
    return row, tuple(unsure)


def body_code(region: str, name: str, taken: set[str]) -> str:
    """A new code for a responsible body of ``region`` (``<region>_stb`` for an S&T bureau, else
    ``<region>_body``), numbered on when taken; the code is added to ``taken``.

    >>> taken = {"cixi_stb"}
    >>> body_code("cixi", "慈溪市科学技术局", taken), body_code("cixi", "慈溪市经信局", taken)
    ('cixi_stb2', 'cixi_body')
    """
    base = f"{region}_{'stb' if re.search('科学技术[局厅]|科技[局厅]', name) else 'body'}"
    code, k = base, 1
    while code in taken:
        k += 1
        code = f"{base}{k}"
    taken.add(code)
    return code


def body_row(code: str, name: str, region: dict, en: str, levels: Mapping[str, str]) -> dict:
    """A bodies row for a body of ``region``, at the level ``levels`` gives its administrative level
    (:func:`~cityscience.validate.body_levels`; empty, for the reviewer, when the region has none yet)."""
    level = levels.get(region.get("admin_level", ""), "")
    kind = "government" if name.endswith("人民政府") else "department"
    short = name
    own = region.get("name_zh", "")
    at = name.find(own) if own else -1
    if at >= 0 and len(name) > at + len(own) + 1:  # 青溪县科技局 → 县科技局, as documents write it
        short = own[-1:] + name[at + len(own):]  # (温州市瑞安市科学技术局 → 市科学技术局 too)
    aliases = ";".join(dict.fromkeys(name_forms(name) + name_forms(short)))
    return {"body": code, "name_zh": name, "short_zh": short, "name_en": en, "level": level, "kind": kind,
            "region": region.get("region", ""), "aliases": aliases, "note": "Drafted by add-report."}


def add_body(sheet: Sheet, index: dict, row: dict, unsure: tuple[str, ...]) -> None:
    """Add a drafted bodies row, and its aliases to ``index``, so that later names resolve to it; an alias
    another body of the region already has is left out (validate refuses an alias of two bodies)."""
    region = row["region"]
    aliases = [a for a in row["aliases"].split(";") if index.get((region, squeeze(a)), row["body"]) == row["body"]]
    row["aliases"] = ";".join(aliases or [row["name_zh"]])
    sheet.add(row, unsure)
    for alias in aliases:
        index[(region, squeeze(alias))] = row["body"]
