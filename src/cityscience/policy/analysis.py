"""Summaries of the policy items: theme mix per document, responsibility matrix, shifts in emphasis."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from ..load import load_policy_items

__all__ = ["ACTION_KINDS", "most_assigned_source", "responsibility_matrix", "theme_mix", "theme_shift"]

# Kinds of items that are actions of the issuing government. Left out by default: principles and
# priorities (orientations), achievements (results, restated by the items of the same summary),
# indicator targets and the appendix tables of the Ningbo plan (they detail tasks 1 and 5 and
# would count the same work twice).
ACTION_KINDS = ("task", "area", "project", "part", "safeguard")
_GROUPS = {"source": ["source_id"], "part": ["source_id", "part", "year"]}


def _selected(items: pd.DataFrame | None, kinds, leaves_only: bool, root: Path | None) -> pd.DataFrame:
    m = load_policy_items(root) if items is None else items
    sel = m[m["kind"].isin(kinds)]
    if leaves_only:
        # an item counts through its parts when it has parts of the selected kinds
        parents = set(sel["parent"].dropna())
        sel = sel[~sel["item_id"].isin(parents)]
    return sel


def theme_mix(items: pd.DataFrame | None = None, *, by: str = "part", kinds=ACTION_KINDS,
              leaves_only: bool = True, root: Path | None = None) -> pd.DataFrame:
    """Number and share of items per theme, by document (``by="source"``) or document part (``"part"``).

    Args:
        items: a policy-items table (default :func:`cityscience.load_policy_items`); filter it first to
            look at a subset.
        by: ``"part"`` groups by source, summary/plan part and year (Hangzhou and
            Cixi each hold a summary and a plan); ``"source"`` by document.
        kinds: kinds of item to count (default :data:`ACTION_KINDS`).
        leaves_only: count an item through its parts (一是, 二是, …) when it has
            any, so that no work is counted twice.

    Returns:
        Long table: the group columns, ``theme``, ``items`` and ``share`` (0–1 of the
        group's items); every theme of the taxonomy appears, with zeros.
    """
    if by not in _GROUPS:
        raise ValueError(f"by must be one of {', '.join(_GROUPS)}, got {by!r}")
    keys = _GROUPS[by]
    sel = _selected(items, kinds, leaves_only, root)
    counts = sel.groupby([*keys, "theme"], observed=True).size().rename("items")
    groups = sel[keys].drop_duplicates()
    themes = pd.DataFrame({"theme": sel["theme"].cat.categories})
    full = groups.merge(themes, how="cross")
    full["theme"] = full["theme"].astype(sel["theme"].dtype)
    out = full.merge(counts.reset_index(), on=[*keys, "theme"], how="left")
    out["items"] = out["items"].fillna(0).astype("int64")
    total = out.groupby(keys, observed=True)["items"].transform("sum")
    out["share"] = (out["items"] / total).astype("Float64")
    return out.sort_values([*keys, "theme"], ignore_index=True)


def most_assigned_source(items: pd.DataFrame) -> str:
    """The document whose items state their responsible units most often (ties: the first in the table)."""
    stated = items[items["responsibility"] == "stated"]
    if stated.empty:
        raise ValueError("no policy item states its responsible units; pass source_id=")
    counts = stated["source_id"].astype("string").value_counts(sort=False)
    return str(counts.idxmax())


def responsibility_matrix(items: pd.DataFrame | None = None, *, source_id: str | None = None,
                          kinds=("task",), lead_only: bool = False, root: Path | None = None) -> pd.DataFrame:
    """How many items each responsible unit answers for, by theme (units × themes, counts).

    Args:
        items: a policy-items table (default :func:`cityscience.load_policy_items`).
        source_id: the document (default: :func:`most_assigned_source`, the one whose items name
            their responsible units most often).
        kinds: kinds of item to count (default: the numbered tasks).
        lead_only: count only the first-named (lead) unit of each item.

    Returns:
        A wide table: one row per body code (most items first), one column per theme
        in taxonomy order, and ``total`` (items the unit is named in).
    """
    m = load_policy_items(root) if items is None else items
    if source_id is None:
        source_id = most_assigned_source(m)
    sel = m[(m["source_id"] == source_id) & m["kind"].isin(kinds)]
    long = sel[["item_id", "theme", "responsible_units"]].explode("responsible_units")
    if lead_only:
        long = long.groupby("item_id", sort=False).head(1)
    long = long.dropna(subset=["responsible_units"]).rename(columns={"responsible_units": "body"})
    table = pd.crosstab(long["body"], long["theme"]).reindex(columns=m["theme"].cat.categories, fill_value=0)
    table.columns = pd.CategoricalIndex(table.columns, categories=m["theme"].cat.categories, name="theme")
    table["total"] = table.sum(axis=1)
    table = table.sort_values("total", ascending=False, kind="stable")
    table.index.name = "body"
    return table.astype("int64")


def theme_shift(mix: pd.DataFrame, before: dict[str, object], after: dict[str, object]) -> pd.DataFrame:
    """Change in each theme's share between two groups of a :func:`theme_mix` table.

    Args:
        mix: output of :func:`theme_mix`.
        before, after: column values that pick one group each, e.g.
            ``{"source_id": "ningbo-2014-summary"}``.

    Returns:
        ``theme``, ``share_before``, ``share_after``, ``change_pp`` (percentage points),
        largest rise first.
    """
    def pick(sel: dict[str, object]) -> pd.Series:
        mask = pd.Series(True, index=mix.index)
        for col, val in sel.items():
            mask &= mix[col] == val
        part = mix[mask]
        if part.empty:
            raise KeyError(f"no group in the mix matches {sel}")
        return part.groupby("theme", observed=False)["items"].sum()

    b, a = pick(before), pick(after)
    out = pd.DataFrame({"share_before": b / b.sum(), "share_after": a / a.sum()})
    out["change_pp"] = (out["share_after"] - out["share_before"]) * 100
    out = out.reset_index().sort_values("change_pp", ascending=False, ignore_index=True)
    return out.astype({"share_before": "Float64", "share_after": "Float64", "change_pp": "Float64"})
