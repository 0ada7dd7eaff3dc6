"""Compare observations across regions and years: coverage, wide tables, derived values, comparability.

Two values can be set side by side only when they measure the same thing the
same way. The codebook says, for each indicator, its ``basis`` (valid at a
date, cumulative, new in the period, …), its ``scope`` (whose recognition,
which fund, which market) and its ``period`` (a year, part of a year, several
years); an observation's ``variant`` names the codes in which it departs from
its indicator. :func:`with_comparability` resolves both into the three
columns, and the comparison functions here refuse, or report, values that
differ in any of them.
"""

from __future__ import annotations

import re

import pandas as pd

from .conventions import check_language
from .select import select

__all__ = [
    "DIMENSIONS",
    "IncomparableError",
    "check_comparable",
    "comparability_table",
    "comparisons",
    "coverage",
    "derive_previous_levels",
    "describe_difference",
    "describe_related",
    "describe_variant",
    "latest",
    "related_levels",
    "target_pairs",
    "variants",
    "wide",
    "with_comparability",
]

#: The three columns that must agree for two values to be compared as alike.
DIMENSIONS = ("basis", "scope", "period")
#: How a note on values that differ in one of them begins, in each language.
NOT_COMPARABLE = {"zh": "不可直接比较：", "en": "not directly comparable: "}
_GROUP = ["indicator", "measure"]


class IncomparableError(ValueError):
    """Values of one indicator that differ in basis, scope or period were to be compared as alike.

    Attributes:
        differences: the rows of :func:`comparability_table` that differ from their reference.
    """

    def __init__(self, message: str, differences: pd.DataFrame):
        super().__init__(message)
        self.differences = differences


def coverage(obs: pd.DataFrame) -> pd.DataFrame:
    """Number of facts per document, region, year and status (documents × regions × years).

    Args:
        obs: observations as returned by :func:`cityscience.load_observations`.
    """
    table = (obs.groupby(["source_id", "region", "year", "status"], observed=True)
             .size().unstack("status", fill_value=0))
    table["total"] = table.sum(axis=1)
    return table


def _codebook(indicators: pd.DataFrame | None, vocabularies: pd.DataFrame | None
              ) -> tuple[pd.DataFrame, pd.DataFrame]:
    from .load import load_indicators, load_vocabularies

    return (load_indicators() if indicators is None else indicators,
            load_vocabularies() if vocabularies is None else vocabularies)


def _dimension_of(vocabularies: pd.DataFrame) -> dict[str, str]:
    """Code → the dimension (basis, scope, period) whose vocabulary it belongs to."""
    return {str(c): str(v) for v, c in zip(vocabularies["vocabulary"], vocabularies["code"], strict=True)
            if str(v) in DIMENSIONS}


def _variant_codes(cell: object) -> list[str]:
    if cell is None or cell is pd.NA or (isinstance(cell, float) and pd.isna(cell)):
        return []
    return [c for c in str(cell).split(";") if c]


def with_comparability(obs: pd.DataFrame, indicators: pd.DataFrame | None = None,
                       vocabularies: pd.DataFrame | None = None) -> pd.DataFrame:
    """Observations with the columns ``basis``, ``scope`` and ``period`` each value is measured in.

    Each row gets its indicator's codes from the codebook, replaced by the
    codes of its ``variant`` (each code belongs to the vocabulary of one
    dimension). A frame that already has all three columns is returned as it
    is (a copy), so tiny inline frames can state them directly. Indicators the
    codebook does not know get missing codes, which compare as unknown, never
    as different.

    Args:
        obs: observations (``indicator``; optionally ``variant``).
        indicators: the codebook (default: :func:`cityscience.load_indicators`).
        vocabularies: the vocabularies (default: :func:`cityscience.load_vocabularies`).

    Raises:
        ValueError: a variant code of no dimension's vocabulary, or two codes of one dimension in one row.
    """
    out = obs.copy()
    if all(d in out.columns for d in DIMENSIONS):
        return out
    indicators, vocabularies = _codebook(indicators, vocabularies)
    dimension_of = _dimension_of(vocabularies)
    table = indicators.set_index(indicators["indicator"].astype(str))
    codes = out["indicator"].astype(str)
    for dim in DIMENSIONS:
        known = table[dim].astype("string") if dim in table.columns else pd.Series(dtype="string")
        out[dim] = codes.map(known).astype("string")
    if "variant" not in out.columns:
        return out
    bad = []
    for i, cell in zip(out.index, out["variant"], strict=True):
        seen: set[str] = set()
        for code in _variant_codes(cell):
            dim = dimension_of.get(code)
            if dim is None or dim in seen:
                bad.append(f"{out.at[i, 'obs_id'] if 'obs_id' in out else i}: {code!r}")
                continue
            seen.add(dim)
            out.at[i, dim] = code
    if bad:
        raise ValueError("variant codes must each name one code of the basis, scope or period vocabulary, "
                         "at most one per dimension: " + ", ".join(bad))
    return out


def comparability_table(obs: pd.DataFrame, *, by: tuple[str, ...] = ("indicator", "measure"),
                        indicators: pd.DataFrame | None = None,
                        vocabularies: pd.DataFrame | None = None) -> pd.DataFrame:
    """Every observation with its basis, scope and period, and how it differs from its group's reference.

    Rows are grouped ``by`` (default: indicator and measure). The reference of
    a group is the basis, scope and period of its rows without a variant (the
    indicator's own); when every row has a variant, the indicator's own model from
    the codebook (so a part-year value alone is still marked), or else the most common
    combination. Unknown (missing) codes never count as a difference.

    Returns:
        The input columns plus ``basis, scope, period``, ``reference_basis,
        reference_scope, reference_period``, ``reference_from`` ("others", or "indicator" when
        every row of the group has a variant, so that the reference is the indicator's own model from
        the codebook) and ``differs`` (the dimensions in which the row departs from its reference,
        ';'-separated, "" when none).
    """
    df = with_comparability(obs, indicators, vocabularies)
    if "variant" in df.columns:
        plain = [not _variant_codes(c) for c in df["variant"]]
    else:
        plain = [True] * len(df)
    combos = list(zip(*(df[d].astype(object).where(df[d].notna(), None) for d in DIMENSIONS), strict=True))
    groups = list(zip(*(df[k].astype(object) for k in by), strict=True))
    counts: dict[tuple, dict[tuple, list[int]]] = {}
    for i, (g, combo) in enumerate(zip(groups, combos, strict=True)):
        # [rows without a variant, all rows, first position]: the indicator's own wins, then the most common
        tally = counts.setdefault(g, {}).setdefault(combo, [0, 0, i])
        tally[0] += plain[i]
        tally[1] += 1
    refs = {g: max(c.items(), key=lambda kv: (kv[1][0], kv[1][1], -kv[1][2]))[0] for g, c in counts.items()}
    only_variants = {g for g, c in counts.items() if not any(t[0] for t in c.values())}
    from_indicator = set()
    if only_variants and "indicator" in by:  # their reference is still the indicator's own model
        own = _own_models(obs, df, indicators, vocabularies)
        for i, g in enumerate(groups):
            if g in only_variants and g not in from_indicator and any(v is not None for v in own[i]):
                refs[g] = own[i]
                from_indicator.add(g)
    ref_rows = [refs[g] for g in groups]
    df["reference_from"] = pd.array(["indicator" if g in from_indicator else "others" for g in groups],
                                    dtype="string")
    for i, dim in enumerate(DIMENSIONS):
        df[f"reference_{dim}"] = pd.array([r[i] for r in ref_rows], dtype="string")
    odd = {d: (df[d].notna() & df[f"reference_{d}"].notna()
               & (df[d].astype("string") != df[f"reference_{d}"])).fillna(False).to_numpy() for d in DIMENSIONS}
    df["differs"] = pd.array([";".join(d for d in DIMENSIONS if odd[d][i]) for i in range(len(df))],
                             dtype="string")
    return df


def _own_models(obs: pd.DataFrame, df: pd.DataFrame, indicators, vocabularies) -> list[tuple]:
    """Each row's indicator's own basis, scope and period (its variant not applied)."""
    if all(d in obs.columns for d in DIMENSIONS):  # stated inline: the rows' own codes are all there is
        return list(zip(*(df[d].astype(object).where(df[d].notna(), None) for d in DIMENSIONS), strict=True))
    plain = with_comparability(obs.drop(columns=["variant"], errors="ignore"), indicators, vocabularies)
    return list(zip(*(plain[d].astype(object).where(plain[d].notna(), None) for d in DIMENSIONS), strict=True))


def _vocab_label(vocabularies: pd.DataFrame, lang: str) -> dict[tuple[str, str], str]:
    col = "label_zh" if lang == "zh" else "label_en"
    out = {}
    for v, c, zh, en in zip(vocabularies["vocabulary"], vocabularies["code"], vocabularies[col],
                            vocabularies["label_en"], strict=True):
        out[(str(v), str(c))] = str(en if pd.isna(zh) else zh)
    return out


_TERMS = {"basis": ("计数口径", "basis"), "scope": ("范围", "scope"), "period": ("时段", "period")}


def describe_difference(row: pd.Series, *, lang: str = "en", against: str | None = None,
                        vocabularies: pd.DataFrame | None = None, regions: pd.DataFrame | None = None) -> str:
    """A row of :func:`comparability_table` that differs, in words with the codebook's labels.

    E.g. "Cixi 2024 (cx24-013), period: part of a year (the others: a year)"; in Chinese
    "慈溪市 2024（cx24-013）：时段为年内部分（其他：年度）".

    Args:
        row: a row with ``obs_id, region, year, differs`` and the dimension and ``reference_*`` columns.
        lang: "en" or "zh".
        against: what the reference is (default "the others" / "其他").
    """
    check_language(lang)
    from .load import load_regions, load_vocabularies

    vocabularies = load_vocabularies() if vocabularies is None else vocabularies
    regions = load_regions() if regions is None else regions
    label = _vocab_label(vocabularies, lang)
    zh = lang == "zh"
    names = dict(zip(regions["region"].astype(str), regions["name_zh" if zh else "name_en"].astype(str),
                     strict=True))
    if against is None and str(row.get("reference_from", "others")) == "indicator":
        against = "指标定义" if zh else "as the indicator is defined"  # no value of the group is the indicator's own
    other = against or ("其他" if zh else "the others")
    parts = []
    for dim in [d for d in str(row["differs"] or "").split(";") if d]:
        mine = label.get((dim, str(row[dim])), str(row[dim]))
        ref = label.get((dim, str(row[f"reference_{dim}"])), str(row[f"reference_{dim}"]))
        term = _TERMS[dim][0 if zh else 1]
        parts.append(f"{term}为{mine}（{other}：{ref}）" if zh else f"{term}: {mine} ({other}: {ref})")
    place = names.get(str(row["region"]), str(row["region"]))
    where = f"{place} {row['year']}（{row['obs_id']}）" if zh else f"{place} {row['year']} ({row['obs_id']})"
    return where + ("：" if zh else ", ") + ("；" if zh else "; ").join(parts)


def check_comparable(obs: pd.DataFrame, *, by: tuple[str, ...] = ("indicator", "measure"),
                     indicators: pd.DataFrame | None = None, vocabularies: pd.DataFrame | None = None) -> None:
    """Raise :class:`IncomparableError` when values of one group differ in basis, scope or period."""
    table = comparability_table(obs, by=by, indicators=indicators, vocabularies=vocabularies)
    odd = table[table["differs"] != ""]
    if len(odd):
        shown = "; ".join(f"{r['obs_id']} ({r['indicator']}): {r['differs']} "
                          + ", ".join(f"{r[d]} ≠ {r[f'reference_{d}']}" for d in str(r["differs"]).split(";"))
                          for _, r in odd.iterrows())
        raise IncomparableError("values that differ in basis, scope or period cannot be compared as alike "
                                f"(filter them, or compare each group on its own): {shown}", odd)


def wide(obs: pd.DataFrame, *, measure: str = "level", index: str = "indicator",
         columns: tuple[str, ...] = ("region", "year"), allow_incomparable: bool = False,
         indicators: pd.DataFrame | None = None) -> pd.DataFrame:
    """One row per indicator, one column per region and year: ``value_std`` of a measure.

    The table has numbers only, so what a value is must be the same for all of
    them: values of several statuses (an actual beside a target) raise, and so
    do several values for one cell, so that a comparison never mixes or
    averages them silently: filter ``status`` first (``cs.select(obs,
    status="actual")``). A qualified value (≥, ≈, a range) is its ``value_std``
    (a range's low end); the tidy frame's ``qualifier`` says which. Values
    of one indicator that differ in basis, scope or period (see
    :func:`comparability_table`) raise :class:`IncomparableError`, since a
    row of the table sets them side by side; pass ``allow_incomparable=True``
    to get the table anyway.
    """
    keys = [index, *columns]
    missing = [k for k in keys if k not in obs.columns]
    if missing:
        raise KeyError(f"wide: {', '.join(map(repr, missing))} not columns of the observations; expected columns "
                       f"such as indicator, region, year, source_id (index=…, columns=…)")
    sub = select(obs, measure=measure)
    statuses = sorted(sub["status"].dropna().astype(str).unique()) if "status" in sub.columns else []
    if len(statuses) > 1:
        counts = sub["status"].astype(str).value_counts()
        raise ValueError(f"values of {len(statuses)} statuses ({', '.join(f'{s}: {counts[s]}' for s in statuses)}) "
                         "would stand side by side as alike numbers; filter one first, e.g. "
                         f"cs.select(obs, status={statuses[0]!r})")
    dup = sub.duplicated(keys, keep=False)
    if dup.any():
        shown = sub.loc[dup, ["obs_id", *keys, "status"]].to_string(index=False)
        raise ValueError(f"several values for one cell; filter by status or source first:\n{shown}")
    if not allow_incomparable and len(sub):
        check_comparable(sub, by=(index,), indicators=indicators)
    return sub.pivot(index=index, columns=list(columns), values="value_std")


def latest(obs: pd.DataFrame, *, status: str = "actual") -> pd.DataFrame:
    """The most recent level of each indicator in each region, for one status.

    Raises:
        ValueError: a status the codebook does not know, or two levels of one indicator, region and
            latest year (say, a year's and a part of the year's; each is named): filter them first,
            so that which one is kept is never a matter of row order.
    """
    sub = select(obs, measure="level", status=status)
    newest = sub[sub["year"] == sub.groupby(["region", "indicator"], observed=True)["year"].transform("max")]
    tied = newest[newest.duplicated(["region", "indicator"], keep=False)]
    if len(tied):
        shown = tied[["obs_id", "region", "indicator", "year"] + (["variant"] if "variant" in tied else [])]
        raise ValueError("several levels for the latest year of one indicator and region; filter by source or "
                         f"variant first:\n{shown.to_string(index=False)}")
    return newest.reset_index(drop=True)


def derive_previous_levels(obs: pd.DataFrame) -> pd.DataFrame:
    """Previous-year levels implied by a stated level and its stated change over the year before.

    For each (source, region, year, indicator, status, variant) that has both a
    ``level`` and a ``yoy_pct`` row, the level of ``year - 1`` is
    ``level / (1 + g/100)`` (both ends of a range; approximate, since a stated rate
    is rounded); with an ``abs_change`` row instead (比上年增加21家), it is
    ``level - change``, as exact as the two stated values (a level with both takes
    the change). The result has the observation columns plus ``derived_from`` (the
    obs_ids used) and ``derived = True``; nothing here is a stated fact. A level of
    a variant (say, part of a year) is paired only with a change of the same variant.

    Raises:
        ValueError: a level with more than one growth rate, or more than one change, to pair with
            (each is named), since which previous level it implies would be a guess.
    """
    keys = ["source_id", "region", "year", "indicator", "status", "_variant"]
    variant = (obs["variant"].astype("string").fillna("") if "variant" in obs.columns
               else pd.Series("", index=obs.index, dtype="string"))
    keyed = obs.assign(_variant=variant)
    level = keyed[keyed["measure"] == "level"]
    paired = []
    for measure in ("abs_change", "yoy_pct"):
        other = keyed[keyed["measure"] == measure][[*keys, "obs_id", "value", "value_std"]]
        merged = level.merge(other, on=keys, suffixes=("", "_by"))
        several = merged[merged["obs_id"].duplicated(keep=False)]
        if len(several):
            what = "changes" if measure == "abs_change" else "growth rates"
            pairs = "; ".join(f"{oid}: {', '.join(rows['obs_id_by'].astype(str))}"
                              for oid, rows in several.groupby("obs_id", sort=False))
            raise ValueError(f"a level with several {what} of its year implies no one previous level: {pairs}")
        taken = {oid for frame in paired for oid in frame["obs_id"]}
        paired.append(merged[~merged["obs_id"].isin(taken)].assign(_by=measure))
    merged = pd.concat(paired, ignore_index=True).drop(columns="_variant")
    if merged.empty:
        return merged.drop(columns=["obs_id_by", "value_by", "value_std_by", "_by"]).assign(
            derived_from=pd.Series(dtype="string"), derived=pd.Series(dtype=bool))
    out = merged.copy()
    change = merged["_by"] == "abs_change"
    factor = 1 + merged["value_by"] / 100
    per_written = merged["value_std"] / merged["value"]  # the level's unit factor (its value is in its unit)
    for col in ("value", "value_std", "value_high", "value_high_std"):
        if col in out.columns:
            by_change = merged["value_std_by"] if col.endswith("_std") else merged["value_std_by"] / per_written
            out[col] = (merged[col] - by_change).where(change, merged[col] / factor)
    out["year"] = (merged["year"] - 1).astype("Int64")
    out["qualifier"] = out["qualifier"].where((out["qualifier"] != "exact") | change, "approx")
    out["derived_from"] = (merged["obs_id"] + "+" + merged["obs_id_by"]).astype("string")
    out["derived"] = True
    out["obs_id"] = ("derived:" + merged["obs_id"]).astype("string")
    return out.drop(columns=["obs_id_by", "value_by", "value_std_by", "_by"]).reset_index(drop=True)


def target_pairs(obs: pd.DataFrame, *, base_statuses: tuple[str, ...] = ("actual", "estimate"),
                 indicators: pd.DataFrame | None = None) -> pd.DataFrame:
    """Each target level with the earlier level it is measured against, and whether the two are alike.

    The base is the latest level of the same region and indicator before the
    target year with a status in ``base_statuses`` (an actual wins over an
    estimate of the same year), taken among the levels of the target's basis,
    scope and period when there are any; otherwise the latest of the others,
    marked ``comparable = False`` with the dimensions it ``differs`` in. This
    is the one pairing the target charts and the consistency checks use.

    Returns:
        One row per target: ``target_obs_id``, ``base_obs_id`` (missing when no
        earlier level exists), ``comparable`` and ``differs`` ("" when alike).
    """
    df = with_comparability(obs[obs["measure"] == "level"], indicators)
    if "derived" in df.columns:
        df = df[~df["derived"].fillna(False).astype(bool)]
    targets = df[df["status"] == "target"]
    bases = df[df["status"].isin(base_statuses)].copy()
    bases["_rank"] = bases["status"].astype(str).map({s: i for i, s in enumerate(base_statuses)})
    rows = []
    for _, t in targets.iterrows():
        prior = bases[(bases["region"] == t["region"]) & (bases["indicator"] == t["indicator"])
                      & (bases["year"] < t["year"])]
        if "unit_std" in prior.columns:
            prior = prior[prior["unit_std"] == t["unit_std"]]
        row = {"target_obs_id": t["obs_id"], "base_obs_id": pd.NA, "comparable": pd.NA, "differs": ""}
        if len(prior):
            alike = prior[[_same(t, b) for _, b in prior.iterrows()]]
            pool = alike if len(alike) else prior
            b = pool.sort_values(["year", "_rank"], ascending=[False, True]).iloc[0]
            differs = [d for d in DIMENSIONS if not pd.isna(t[d]) and not pd.isna(b[d]) and t[d] != b[d]]
            row.update(base_obs_id=b["obs_id"], comparable=not differs, differs=";".join(differs))
        rows.append(row)
    out = pd.DataFrame(rows, columns=["target_obs_id", "base_obs_id", "comparable", "differs"])
    out["comparable"] = out["comparable"].astype("boolean")
    out["differs"] = out["differs"].astype("string")
    return out


def _same(a: pd.Series, b: pd.Series) -> bool:
    return all(pd.isna(a[d]) or pd.isna(b[d]) or a[d] == b[d] for d in DIMENSIONS)


def _cross_references(indicators: pd.DataFrame) -> dict[str, set[str]]:
    """Codes each indicator's comparability note names (the codebook's "not comparable with …")."""
    codes = set(indicators["indicator"].astype(str))
    out: dict[str, set[str]] = {}
    for code, note in zip(indicators["indicator"].astype(str), indicators["comparability"], strict=True):
        words = set(re.findall(r"[a-z0-9_]+", "" if pd.isna(note) else str(note)))
        out[code] = (words & codes) - {code}
    return out


def related_levels(obs: pd.DataFrame, *, base_statuses: tuple[str, ...] = ("actual", "estimate"),
                   indicators: pd.DataFrame | None = None) -> pd.DataFrame:
    """Targets with no earlier level of their own, and the earlier levels a reader would set against them.

    A target whose indicator has no earlier level in its region is not paired
    by :func:`target_pairs`; when the codebook's comparability note of either
    indicator names the other, an earlier level of that other indicator (same
    region and standard unit) is the comparison a reader is tempted to draw
    (Hangzhou's 2016 技术市场 target against its 2015 online-market value).
    Those pairs are listed here, never paired: they are different indicators.

    Returns:
        Columns ``target_obs_id, other_obs_id, indicator, other_indicator`` and
        ``differs`` (the dimensions in which the two indicators differ).
    """
    indicators, _ = _codebook(indicators, pd.DataFrame({"vocabulary": [], "code": []}))
    refs = _cross_references(indicators)
    df = with_comparability(obs[obs["measure"] == "level"], indicators)
    pairs = target_pairs(obs, base_statuses=base_statuses, indicators=indicators)
    alone = set(pairs.loc[pairs["base_obs_id"].isna(), "target_obs_id"])
    earlier = df[df["status"].isin(base_statuses)]
    rows = []
    for _, t in df[df["obs_id"].isin(alone)].iterrows():
        code = str(t["indicator"])
        linked = {c for c, named in refs.items() if code in named} | refs.get(code, set())
        cand = earlier[(earlier["region"] == t["region"]) & (earlier["year"] < t["year"])
                       & earlier["indicator"].astype(str).isin(linked)]
        if "unit_std" in cand.columns:
            cand = cand[cand["unit_std"] == t["unit_std"]]
        for _, b in cand.sort_values(["indicator", "year", "obs_id"]).iterrows():
            differs = [d for d in DIMENSIONS if not pd.isna(t[d]) and not pd.isna(b[d]) and t[d] != b[d]]
            rows.append({"target_obs_id": t["obs_id"], "other_obs_id": b["obs_id"], "indicator": code,
                         "other_indicator": str(b["indicator"]), "differs": ";".join(differs)})
    return pd.DataFrame(rows, columns=["target_obs_id", "other_obs_id", "indicator", "other_indicator", "differs"])


def _dimensions_text(codes: dict[str, str], label: dict[tuple[str, str], str], zh: bool) -> str:
    """计数口径：累计，范围：… / basis: cumulative, scope: …: each dimension's term and its code's label."""
    if zh:
        return "，".join(f"{_TERMS[d][0]}：{label.get((d, c), c)}" for d, c in codes.items())
    return ", ".join(f"{_TERMS[d][1]}: {label.get((d, c), c)}" for d, c in codes.items())


def describe_variant(cell: object, *, lang: str = "en", vocabularies: pd.DataFrame | None = None) -> str:
    """An observation's ``variant`` cell in words, each code with its dimension; "" for none.

    >>> import pandas as pd
    >>> vocab = pd.DataFrame({"vocabulary": ["basis"], "code": ["cumulative"], "label_zh": ["累计"],
    ...                       "label_en": ["cumulative"]})
    >>> describe_variant("cumulative", vocabularies=vocab), describe_variant("cumulative", lang="zh", vocabularies=vocab)
    ('basis: cumulative', '计数口径：累计')
    >>> describe_variant(None, vocabularies=vocab)
    ''
    """
    check_language(lang)
    codes = _variant_codes(cell)
    if not codes:
        return ""
    if vocabularies is None:
        from .load import load_vocabularies

        vocabularies = load_vocabularies()
    dimension_of = _dimension_of(vocabularies)
    unknown = [c for c in codes if c not in dimension_of]
    if unknown:
        raise ValueError(f"variant codes {unknown}: not codes of the basis, scope or period vocabulary")
    return _dimensions_text({dimension_of[c]: c for c in codes}, _vocab_label(vocabularies, lang), lang == "zh")


def describe_related(row: pd.Series | pd.DataFrame, obs: pd.DataFrame, *, lang: str = "en",
                     indicators: pd.DataFrame | None = None, vocabularies: pd.DataFrame | None = None) -> str:
    """A row of :func:`related_levels` in words: the two values, their indicators and how they differ.

    ``row`` may also be several rows of one target (a chart footnotes a target once, with every earlier
    level of another indicator it is not paired with). A side names its basis, scope or period only
    where the two differ.
    """
    check_language(lang)
    from .load import load_regions

    rows = row.to_frame().T if isinstance(row, pd.Series) else row
    targets = set(rows["target_obs_id"])
    if len(targets) != 1:
        raise ValueError(f"describe_related takes the rows of one target; got {sorted(map(str, targets))}")
    indicators, vocabularies = _codebook(indicators, vocabularies)
    zh = lang == "zh"
    label = _vocab_label(vocabularies, lang)
    names = dict(zip(indicators["indicator"].astype(str), indicators["name_zh" if zh else "name_en"].astype(str),
                     strict=True))
    regions = load_regions()
    places = dict(zip(regions["region"].astype(str), regions["name_zh" if zh else "name_en"].astype(str),
                      strict=True))
    df = with_comparability(obs, indicators, vocabularies).set_index("obs_id")
    first = rows.iloc[0]
    t = df.loc[first["target_obs_id"]]
    target_dims = list(dict.fromkeys(d for r in rows["differs"] for d in str(r or "").split(";") if d))

    def side(r, code, dims):
        what = _dimensions_text({d: str(r[d]) for d in dims}, label, zh)
        if zh:
            return f"{r['year']}年“{names.get(code, code)}”（{what + '，' if what else ''}{r.name}）"
        return f"{r['year']} “{names.get(code, code)}” ({what + '; ' if what else ''}{r.name})"

    others = []
    below = False
    for _, pair in rows.iterrows():
        b = df.loc[pair["other_obs_id"]]
        dims = [d for d in str(pair["differs"] or "").split(";") if d]
        others.append(side(b, pair["other_indicator"], dims))
        below = below or (bool(t["value_std"] < b["value_std"]) if "value_std" in df.columns else False)
    place = places.get(str(t["region"]), str(t["region"]))
    target = side(t, first["indicator"], target_dims)
    if zh:
        return (f"{place}：{target}为目标，{'、'.join(others)}是不同指标，未作配对比较"
                + ("；若视为同一指标，目标将低于此前水平" if below else ""))
    return (f"{place}: the {target} target and the {' and the '.join(others)} are different indicators, not paired"
            + (f"; read as the same measure, the target would be below {'the' if len(others) == 1 else 'an'} "
               "earlier level" if below else ""))


def variants(obs: pd.DataFrame, *, indicators: pd.DataFrame | None = None) -> pd.DataFrame:
    """Every indicator whose values come in more than one basis, scope or period (one row each).

    Columns: ``indicator``, ``variants`` (how many combinations), ``combinations``
    (each ``basis/scope/period`` with its obs_ids, the indicator's own first).
    """
    df = comparability_table(obs, by=("indicator",), indicators=indicators)
    rows = []
    for code, group in df.groupby("indicator", observed=True, sort=True):
        combos = group.assign(_key=group[list(DIMENSIONS)].astype(str).agg("/".join, axis=1))
        if combos["_key"].nunique() < 2:
            continue
        order = combos.assign(_ref=combos["differs"] != "").sort_values(["_ref", "_key", "obs_id"])
        listed = [f"{key} ({', '.join(g['obs_id'].astype(str))})"
                  for key, g in order.groupby("_key", sort=False)]
        rows.append({"indicator": code, "variants": len(listed), "combinations": "; ".join(listed)})
    return pd.DataFrame(rows, columns=["indicator", "variants", "combinations"])


def comparisons(obs: pd.DataFrame, *, indicators: pd.DataFrame | None = None, lang: str = "en") -> pd.DataFrame:
    """Every cross-document comparison the suite's charts and checks draw, with its verdict.

    Three kinds: the values of one indicator and measure that come from more
    than one document (what ``bar_by_region``, ``lines_over_years`` and
    :func:`wide` set side by side); each target paired with an earlier level
    from another document (:func:`target_pairs`, the dumbbell charts and the
    target checks); and each target set beside an earlier level of a related
    indicator (:func:`related_levels`, e.g. in a bar chart of many indicators).

    Returns:
        Columns ``kind`` ("values across documents", "target against base" or
        "target against a related indicator"),
        ``indicator, measure, sources, regions, years, obs_ids``, ``comparable``
        and ``verdict`` (in words, from the codebook's labels).
    """
    check_language(lang)
    table = comparability_table(obs, indicators=indicators)
    rows = []
    for (code, measure), group in table.groupby(_GROUP, observed=True, sort=True):
        if group["source_id"].nunique() < 2:
            continue
        odd = group[group["differs"] != ""]
        rows.append({
            "kind": "values across documents", "indicator": code, "measure": measure,
            "sources": ";".join(sorted(group["source_id"].astype(str).unique())),
            "regions": ";".join(sorted(group["region"].astype(str).unique())),
            "years": ";".join(str(y) for y in sorted(group["year"].unique())),
            "obs_ids": ";".join(group["obs_id"].astype(str)), "comparable": odd.empty,
            "verdict": _verdict(odd, lang),
        })
    pairs = target_pairs(obs, indicators=indicators)
    by_id = table.set_index("obs_id")
    for _, p in pairs.dropna(subset=["base_obs_id"]).iterrows():
        t, b = by_id.loc[p["target_obs_id"]], by_id.loc[p["base_obs_id"]]
        if t["source_id"] == b["source_id"]:
            continue
        row = t.copy()
        row["obs_id"], row["differs"] = p["target_obs_id"], p["differs"]
        for d in DIMENSIONS:
            row[f"reference_{d}"] = b[d]
        against = ("基数" if lang == "zh" else "base ") + str(p["base_obs_id"])
        rows.append({
            "kind": "target against base", "indicator": t["indicator"], "measure": "level",
            "sources": ";".join(sorted({str(t["source_id"]), str(b["source_id"])})),
            "regions": str(t["region"]), "years": f"{b['year']};{t['year']}",
            "obs_ids": f"{p['base_obs_id']};{p['target_obs_id']}", "comparable": bool(p["comparable"]),
            "verdict": _verdict(pd.DataFrame([row]) if p["differs"] else pd.DataFrame(), lang, against),
        })
    related = related_levels(obs, indicators=indicators)
    for _, r in related.iterrows():
        t, b = by_id.loc[r["target_obs_id"]], by_id.loc[r["other_obs_id"]]
        rows.append({
            "kind": "target against a related indicator", "indicator": r["indicator"], "measure": "level",
            "sources": ";".join(sorted({str(t["source_id"]), str(b["source_id"])})),
            "regions": str(t["region"]), "years": f"{b['year']};{t['year']}",
            "obs_ids": f"{r['other_obs_id']};{r['target_obs_id']}", "comparable": False,
            "verdict": describe_related(r, obs, lang=lang, indicators=indicators),
        })
    out = pd.DataFrame(rows, columns=["kind", "indicator", "measure", "sources", "regions", "years", "obs_ids",
                                      "comparable", "verdict"])
    out["comparable"] = out["comparable"].astype(bool)
    return out


def _verdict(odd: pd.DataFrame, lang: str, against: str | None = None) -> str:
    if odd.empty:
        return "同一计数口径、范围与时段" if lang == "zh" else "same basis, scope and period"
    sep = "；" if lang == "zh" else "; "
    return NOT_COMPARABLE[lang] + sep.join(describe_difference(r, lang=lang, against=against) for _, r in odd.iterrows())
