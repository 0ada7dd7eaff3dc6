"""Chart functions: each draws observations and returns ``(fig, ax)`` for further styling.

All of them:

* label in Chinese (default) or English (``lang="en"``) with names from the codebook;
* give each region its fixed colour (:func:`~cityscience.charts.style.region_color`);
* draw estimates, targets and derived values hollow or hatched, actuals filled;
* write values with their qualifier (≥, ≈, ≤, a range as low–high and an interval) and draw a bound
  open: a caret at the end of a bar or beside a dot points the way the true value may lie (≥ up or
  right, ≤ down or left), and the legend says so;
* record the documents they draw from, so :func:`~cityscience.charts.figures.save_figure`
  can name them in the footnote;
* draw apart values of one indicator that differ in basis, scope or period (the
  codebook's comparability model): a mark (†, ‡, …) on the value and the tick, a dark
  dashed outline, no line joining them to the others, and the reason in the footnote.
  ``incomparable="raise"`` refuses to draw them instead.

Pass ``labels=`` (a :class:`~cityscience.charts.labels.Labels`) to use names
other than the curated codebook's, e.g. in tests.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch
from matplotlib.transforms import ScaledTranslation

from ..compare import describe_difference
from ..select import select
from ..units import half_up, significant
from .figures import attach_note, attach_sources, attach_table, figure_info
from .figures import mark as mark_value
from .labels import Labels, check_language, display_unit, format_value
from .prepare import APART_MARKS, apart_notes, chart_frame, check_alike, needs_growth
from .style import (
    DERIVED_STYLE,
    STATUS_ORDER,
    current_language,
    ensure_theme,
    quiet_seaborn,
    region_color,
    region_order,
    status_style,
)

__all__ = [
    "bar_by_region",
    "coverage_heatmap",
    "dumbbell",
    "fact_table",
    "grouped_hbar",
    "hbar",
    "heatmap",
    "lines_over_years",
    "region_profile",
    "status_bars",
    "style_legend",
]

_NEUTRAL = "#555555"


def _related(fig: Figure, obs: pd.DataFrame, df: pd.DataFrame, lang: str) -> None:
    """Footnote the targets drawn beside an earlier level of a related indicator (never paired)."""
    from ..compare import describe_related, related_levels

    if df["status"].ne("target").all() or "indicator" not in obs.columns:
        return
    shown = set(df["obs_id"])
    try:
        pairs = related_levels(obs[obs["obs_id"].isin(shown)])
    except (KeyError, ValueError):  # frames without the codebook's columns: nothing to relate
        return
    for _, rows in pairs.groupby("target_obs_id", sort=False):  # one line per target
        attach_note(fig, describe_related(rows, obs, lang=lang))


def _setup(lang: str | None, labels: Labels | None, ax: Axes | None,
           figsize: tuple[float, float] | None = None) -> tuple[str, Labels, Figure, Axes]:
    lang = check_language(lang or current_language())
    ensure_theme(lang)
    if labels is None or labels.lang != lang:
        labels = Labels.load(lang)
    if ax is None:
        fig, ax = plt.subplots(figsize=figsize)
    else:
        fig = ax.figure
    return lang, labels, fig, ax


#: Behind a value written on a chart: the grid lines stop short of it instead of striking through it.
_VALUE_BOX = {"boxstyle": "square,pad=0.15", "facecolor": "white", "edgecolor": "none"}


def _value_text(row: pd.Series, labels: Labels, *, with_unit: bool = False, small: bool = False) -> str:
    """A chart frame row's value through the one formatter (:func:`~cityscience.charts.labels.format_value`);
    a derived value (computed from a stated level and growth rate, so no more precise than they are) to
    three significant digits: ≈9,810, not ≈9,808.5. ``small``: a bare number in the smaller display unit
    the chart's axis is in (:func:`_chart_unit`).

    >>> row = pd.Series({"value_std": 9808.46, "unit_std": "count", "qualifier": "approx",
    ...                  "value_high_std": None, "unit": "件", "derived": True})
    >>> _value_text(row, Labels.load("en"))
    '≈9,810 (derived)'
    """
    value, high = row["value_std"], row["value_high_std"]
    if row["derived"]:
        value, high = significant(value), significant(high)
    text = format_value(value, row["unit_std"], labels.lang, qualifier=row["qualifier"],
                        value_high=high, written=row.get("unit"), bare=not with_unit, small=small)
    if row["derived"]:
        text = labels.template("derived_value", value=text)
    return text + str(row.get("mark", "") or "")


def _apart(fig: Figure, df: pd.DataFrame, lang: str, incomparable: str) -> None:
    """Refuse (``"raise"``) or footnote (``"mark"``) the rows of a chart frame drawn apart."""
    if incomparable not in ("mark", "raise"):
        raise ValueError(f"incomparable {incomparable!r}: expected 'mark' or 'raise'")
    if incomparable == "raise":
        check_alike(df)
    for note in apart_notes(df, lang):
        attach_note(fig, note)


_APART_EDGE = "#222222"  # the outline or marker edge of a value not alike with the others
_APART_DASH = (0, (2, 1.5))


def _outline(ax: Axes, pos: float, length: float, *, width: float, horizontal: bool = False):
    """A dark dashed outline around a bar whose value is not alike with the others."""
    kwargs = dict(fill=False, edgecolor=_APART_EDGE, linestyle=_APART_DASH, linewidth=1.1, zorder=4)
    if horizontal:
        return ax.barh(pos, length, height=width, **kwargs)
    return ax.bar(pos, length, width=width, **kwargs)


def _status_word(row: pd.Series, labels: Labels) -> str:
    if row["derived"]:
        return labels.text("derived")
    return "" if row["status"] == "actual" else labels.term("status", row["status"])


def _draw_bar(ax: Axes, pos: float, length: float, *, region: str, status: str, derived: bool,
              width: float, horizontal: bool = False):
    style = status_style(status, derived=derived)
    color = region_color(region)
    kwargs = dict(color=color if style.filled else "white", edgecolor=color, hatch=style.hatch or None,
                  linewidth=1.2, linestyle=style.linestyle if not style.filled else "-")
    if horizontal:
        return ax.barh(pos, length, height=width, **kwargs)
    return ax.bar(pos, length, width=width, **kwargs)


def _draw_dot(ax: Axes, pos: float, value: float, *, region: str, status: str, derived: bool,
              apart: bool) -> list:
    """A value as a dot on its row (a log axis gives a bar's length no meaning): the status's marker in the
    region's colour, hollow unless actual; a value not alike with the others gets a dark ring around it (its
    edge stays the region's colour, the only colour a hollow marker has)."""
    style = status_style(status, derived=derived)
    color = region_color(region)
    drawn = [ax.plot([value], [pos], marker=style.marker, markersize=8, linestyle="none", color=color,
                     markerfacecolor=color if style.filled else "white", markeredgewidth=1.6, zorder=3)[0]]
    if apart:
        drawn.append(ax.plot([value], [pos], marker=style.marker, markersize=12, linestyle="none",
                             markerfacecolor="none", markeredgecolor=_APART_EDGE, markeredgewidth=1.0,
                             zorder=2.9)[0])
    return drawn


def _draw_interval(ax: Axes, pos: float, low: float, high: float, *, color: str, horizontal: bool = False):
    """A range drawn as an interval with end caps (5–10 → a line from 5 to 10)."""
    if horizontal:
        return ax.errorbar([(low + high) / 2], [pos], xerr=[[(high - low) / 2], [(high - low) / 2]], fmt="none",
                           ecolor=color, elinewidth=1.6, capsize=4, zorder=3)
    return ax.errorbar([pos], [(low + high) / 2], yerr=[[(high - low) / 2], [(high - low) / 2]], fmt="none",
                       ecolor=color, elinewidth=1.6, capsize=4, zorder=3)


#: The caret drawn at a bound's end, by qualifier and orientation: ≥ points on (its base on the end), ≤
#: points back (its tip on the end); matplotlib's numbered caret markers.
_BOUND_CARETS = {("at_least", False): 10, ("at_least", True): 9, ("at_most", False): 7, ("at_most", True): 4}
_CARET_SIZE = 7.0  # points
BOUNDS = ("at_least", "at_most")


def _draw_bound(ax: Axes, pos: float, end: float, qualifier: str, *, color: str, horizontal: bool = False,
                offset: float = 0.0) -> list:
    """A caret at the end of a value that is a bound (≥ or ≤), ``offset`` points past the end (clear of a
    dot or a marker); nothing for other qualifiers. What it means is in the legend (:func:`style_legend`)."""
    caret = _BOUND_CARETS.get((qualifier, horizontal))
    if caret is None:
        return []
    x, y = (end, pos) if horizontal else (pos, end)
    shift = ScaledTranslation(offset / 72 if horizontal else 0, 0 if horizontal else offset / 72,
                              ax.figure.dpi_scale_trans)
    # an artist of its own, not one of the axes' lines (those are the values drawn)
    caret = Line2D([x], [y], marker=caret, markersize=_CARET_SIZE, linestyle="none", color=color, markeredgewidth=0,
                   zorder=3.5, transform=ax.transData + shift)
    return [ax.add_artist(caret)]


def _past_bound(qualifier: str) -> float:
    """How much further from its value a label starts when a caret is drawn there (points)."""
    return _CARET_SIZE if qualifier in BOUNDS else 0.0


def _bounds(*qualifiers: pd.Series) -> list[str]:
    """The bounds (≥, ≤) among qualifier columns, in legend order."""
    found = {q for column in qualifiers for q in column.astype(str)}
    return [q for q in BOUNDS if q in found]


def style_legend(ax: Axes, statuses: Sequence[str], labels: Labels, *, derived: bool = False,
                 regions: Sequence[str] = (), kind: str = "bar", loc: str = "best", below: bool = False,
                 apart: bool = False, bounds: Sequence[str] = (), across: bool = False) -> None:
    """Legend explaining the region colours and how actual, estimate, target and derived values look.

    Args:
        kind: ``"bar"`` (swatches), ``"line"`` (markers on lines) or ``"dot"`` (markers alone).
        below: put the legend in one row under the axes instead of inside them.
        apart: the chart draws values not alike with the others apart (a dark dashed outline or a
            dark-edged marker, and a mark the footnote explains): the legend says what that outline is.
        bounds: the qualifiers of bounds drawn (``at_least``, ``at_most``): the legend shows their caret,
            pointing along the value axis (``across``: a horizontal one).
    """
    if kind not in ("bar", "line", "dot"):
        raise ValueError(f"kind {kind!r}: expected 'bar', 'line' or 'dot'")
    handles = []
    for region in regions:
        handles.append(Patch(facecolor=region_color(region), edgecolor=region_color(region),
                             label=labels.region(region)) if kind == "bar" else
                       Line2D([], [], color=region_color(region), marker="o", label=labels.region(region),
                              linestyle="none" if kind == "dot" else "-"))
    shown = [s for s in STATUS_ORDER if s in set(statuses)]
    entries = [(status_style(s), labels.term("status", s)) for s in shown]
    if derived:
        entries.append((DERIVED_STYLE, labels.text("derived")))
    if len(entries) > 1 or derived or apart or (entries and entries[0][0].filled is False):
        for style, text in entries:
            if kind == "bar":
                handles.append(Patch(facecolor=_NEUTRAL if style.filled else "white", edgecolor=_NEUTRAL,
                                     hatch=style.hatch or None, linestyle=style.linestyle if not style.filled else "-",
                                     label=text))
            else:
                handles.append(Line2D([], [], color=_NEUTRAL, marker=style.marker,
                                      linestyle="none" if kind == "dot" else style.linestyle,
                                      markerfacecolor=_NEUTRAL if style.filled else "white", label=text))
    if apart:
        text = labels.text("apart_legend")
        handles.append(Patch(facecolor="white", edgecolor=_APART_EDGE, linestyle=_APART_DASH, label=text)
                       if kind == "bar" else
                       Line2D([], [], color="#999999", marker="o", markerfacecolor="white",
                              markeredgecolor=_APART_EDGE, markeredgewidth=1.6,
                              linestyle="none" if kind == "dot" else (0, (3, 2)), label=text))
    for bound in (b for b in BOUNDS if b in set(bounds)):
        handles.append(Line2D([], [], color=_NEUTRAL, marker=_BOUND_CARETS[bound, across], markersize=_CARET_SIZE,
                              markeredgewidth=0, linestyle="none", label=labels.text(f"{bound}_legend")))
    if handles and below:
        if ax.get_legend() is not None:
            ax.get_legend().remove()
        # Right-aligned with the axes: a legend wider than the axes then reaches left, under the tick
        # labels, which the layout makes room for anyway. Aligned left, it would push the right margin,
        # narrowing the axes, which widens its overhang again, until the layout collapses.
        ncols = min(len(handles), 5)
        colours, kinds = handles[:len(regions)], handles[len(regions):]
        if len(handles) > 5 and colours and kinds and max(len(colours), len(kinds)) <= 5:
            # regions on one row, kinds of value on the next (more than five of either: rows of five)
            ncols = max(len(colours), len(kinds))
            blank = Patch(visible=False, label="")
            colours += [blank] * (ncols - len(colours))
            kinds += [blank] * (ncols - len(kinds))
            handles = [h for pair in zip(colours, kinds, strict=True) for h in pair]  # legends fill by column
        legend = ax.legend(handles=handles, loc="upper right", bbox_to_anchor=(1.0, 0.0), ncols=ncols,
                           borderaxespad=0.0)
        _under_axes(ax, legend)
        figure_info(ax.figure).replace_with_export_font.append(lambda: _under_axes(ax, legend))
    elif handles:
        ax.legend(handles=handles, loc=loc)


def _under_axes(ax: Axes, legend) -> None:
    """Anchor a legend under everything the axes draw below themselves (tick labels, the axis label, a
    secondary axis of region names): that distance does not depend on where the layout puts them, but on
    the size of those texts, so :func:`save_figure` calls this again with the export font."""
    if legend is not ax.get_legend():
        return  # replaced since
    fig = ax.figure
    visible = legend.get_visible()
    legend.set_visible(False)  # not part of what it is placed under
    try:
        below_axes = ax.bbox.y0 - ax.get_tightbbox(fig.canvas.get_renderer()).y0
    finally:
        legend.set_visible(visible)  # a legend the user hid stays hidden
    drop = max(24 / 72, below_axes / fig.dpi + 4 / 72)
    legend.set_bbox_to_anchor((1.0, 0.0), transform=ax.transAxes + ScaledTranslation(0, -drop, fig.dpi_scale_trans))


def _axis_label(df: pd.DataFrame, unit: str, labels: Labels) -> str:
    """Axis label: the display unit, or for counts the unit as written (家, 件) in Chinese."""
    if unit:
        return unit
    if labels.lang == "zh" and df["unit_std"].iloc[0] == "count":
        written = df["unit"].dropna().astype(str).value_counts()
        if len(written):
            return labels.template("number_of", unit=written.index[0])
    return labels.text("number")


def _grouped_ticks(axis) -> None:
    """Tick labels with thousands separators (1,200, not 1200), as the values in the labels are written."""
    axis.set_major_formatter(lambda v, _pos: f"{v:,.10g}")


def _title(ax: Axes, title: str | None, default: str) -> str:
    """Set the axes title, wrapped to the axes' width (side-by-side panels never run into each other)."""
    from matplotlib.font_manager import FontProperties

    from .figures import _wrap

    text = default if title is None else title
    if text:
        size = FontProperties(size=plt.rcParams["axes.titlesize"]).get_size_in_points()
        ax.set_title(_wrap(text, max(12.0, _axes_width(ax) * 72 / size)))
        if figure_info(ax.figure).title is None:  # the index lists the title unwrapped
            figure_info(ax.figure).title = text
    return text


def _row_ticks(ax: Axes, names: list, *, share: float, owned: bool, margin: float) -> None:
    """Row labels (:func:`_tick_names`, up to three lines, so a long English name is cut short only when
    three do not hold it); a figure the chart made itself grows when a label takes three lines, so that
    every row has room for its label (``margin``: the figure's height besides its rows, in inches)."""
    from matplotlib.font_manager import FontProperties

    fig = ax.figure
    ticks = _tick_names(fig, names, share=share, lines=3)
    ax.set_yticks(range(len(ticks)), ticks)
    lines = max((t.count("\n") + 1 for t in ticks), default=1)
    if owned and lines > 2:
        line = 1.45 * FontProperties(size=plt.rcParams["ytick.labelsize"]).get_size_in_points() / 72
        fig.set_figheight(max(fig.get_figheight(), len(ticks) * (lines * line + 0.12) + margin))


def _tick_names(fig: Figure, names: list, share: float = 0.42, lines: int = 2) -> list[str]:
    """Row labels wrapped to ``share`` of the figure's width, so long (English) names leave the bars room.
    A name given as ``(before, name, after)`` is cut short only in its middle part: the year, status and
    marks around a long indicator name stay whole."""
    from matplotlib.font_manager import FontProperties

    size = FontProperties(size=plt.rcParams["ytick.labelsize"]).get_size_in_points()
    width = share * fig.get_figwidth() * 72 / size
    parts = [("", n, "") if isinstance(n, str) else n for n in names]
    return [_fit(name, width, lines, before=before, after=after) for before, name, after in parts]


def _chart_unit(df: pd.DataFrame, lang: str) -> tuple[float, str, bool]:
    """Divisor and label of the unit a chart's values are drawn in (:func:`display_unit` for the values
    shown, so that amounts all below CNY 1 bn are drawn in CNY m), and whether that is the smaller one."""
    std = df["unit_std"].iloc[0]
    divisor, unit = display_unit(std, lang, values=pd.concat([df["value_std"], df["value_high_std"]]))
    return divisor, unit, divisor != display_unit(std, lang)[0]


def _one_indicator(obs: pd.DataFrame, indicator, measure, fig, lang: str, incomparable: str, chart: str):
    """The rows of a one-indicator chart, its code and display unit; values not alike marked apart."""
    df = chart_frame(obs, indicator=indicator, measure=measure)
    indicators = sorted(df["indicator"].unique())
    if len(indicators) > 1:
        raise ValueError(f"{chart} draws one indicator; got {', '.join(indicators)}: pass indicator=")
    _apart(fig, df, lang, incomparable)
    return df, indicators[0], *_chart_unit(df, lang)


def bar_by_region(obs: pd.DataFrame, indicator: str | None = None, *, lang: str | None = None,
                  labels: Labels | None = None, ax: Axes | None = None, title: str | None = None,
                  measure: str = "level", show_level: bool = True, annotate: bool = True,
                  incomparable: str = "mark") -> tuple[Figure, Axes]:
    """Bars of one indicator grouped by region: one bar per year and status, values written on top.

    Args:
        obs: observations (may include derived rows with ``derived = True``).
        indicator: the indicator to draw (default: the only one in ``obs``).
        lang: ``"zh"`` or ``"en"`` (default: the theme's language).
        labels: names to use (default: the curated codebook).
        ax: draw into these axes (default: a new figure).
        title: chart title (default: the indicator's name; "" for none).
        measure: which measure to draw (``level``, ``yoy_pct``, …).
        show_level: write each region's administrative level under its name.
        annotate: write the value above each bar.
        incomparable: ``"mark"`` draws values of another basis, scope or period apart (mark, outline,
            footnote); ``"raise"`` refuses them with :class:`~cityscience.compare.IncomparableError`.
    """
    lang, labels, fig, ax = _setup(lang, labels, ax)
    df, code, divisor, unit, small = _one_indicator(obs, indicator, measure, fig, lang, incomparable,
                                                    "bar_by_region")
    status_rank = {s: i for i, s in enumerate(STATUS_ORDER)}
    df = df.assign(_r=df["region"].map({r: i for i, r in enumerate(region_order(df["region"]))}),
                   _s=df["status"].map(status_rank).fillna(len(status_rank)))
    df = df.sort_values(["_r", "year", "_s", "derived", "obs_id"], ignore_index=True)
    positions, ticks, centres = [], [], {}
    x = 0.0
    for _rank, group in df.groupby("_r", sort=True):
        start = x
        for _, row in group.iterrows():
            positions.append(x)
            word = _status_word(row, labels)
            ticks.append(f"{row['year']}{row['mark']}" + (f"\n{word}" if word else ""))
            x += 1.0
        centres[group["region"].iloc[0]] = (start + x - 1.0) / 2
        x += 0.6
    width = 0.75
    top = 0.0
    notes = []
    for pos, (_, row) in zip(positions, df.iterrows(), strict=True):
        value = row["value_std"] / divisor
        drawn = [_draw_bar(ax, pos, value, region=row["region"], status=row["status"], derived=row["derived"],
                           width=width)]
        if row["apart"]:
            drawn.append(_outline(ax, pos, value, width=width))
        end = value
        if row["qualifier"] == "range" and not pd.isna(row["value_high_std"]):
            end = row["value_high_std"] / divisor
            drawn.append(_draw_interval(ax, pos, value, end, color=region_color(row["region"])))
        drawn += _draw_bound(ax, pos, end, row["qualifier"], color=region_color(row["region"]))
        top = max(top, end)
        if annotate:
            notes.append(ax.annotate(_value_text(row, labels, small=small), (pos, end),
                                     xytext=(0, 3 + _past_bound(row["qualifier"])),
                                     textcoords="offset points", ha="center", va="bottom", fontsize="small",
                                     bbox=_VALUE_BOX))
            drawn.append(notes[-1])
        mark_value(drawn, row, _value_text(row, labels, with_unit=True))
    ax.set_xticks(positions, ticks)
    ax.tick_params(axis="x", length=0)
    ax.set_ylim(0, top * 1.15 if top > 0 else 1)
    low, high = -0.7, x - 0.9
    if high - low < 3.0:  # few bars: keep them narrow, centred
        centre = (low + high) / 2
        low, high = centre - 1.5, centre + 1.5
    ax.set_xlim(low, high)
    ax.grid(axis="x", visible=False)
    sec = ax.secondary_xaxis("bottom")
    sec.set_xticks(list(centres.values()),
                   [labels.region_with_level(r) if show_level else labels.region(r) for r in centres])
    sec.tick_params(axis="x", length=0, pad=28 if any("\n" in t for t in ticks) else 16)
    sec.spines["bottom"].set_visible(False)
    for tick, region in zip(sec.get_xticklabels(), centres, strict=True):
        tick.set_color(region_color(region))
    ax.set_ylabel(_axis_label(df, unit, labels))
    _grouped_ticks(ax.yaxis)
    style_legend(ax, df["status"].unique(), labels, derived=bool(df["derived"].any()), apart=bool(df["apart"].any()),
                 bounds=_bounds(df["qualifier"]), below=True)  # under the region names: tall bars leave no room inside
    shown = _title(ax, title, labels.indicator(code))
    attach_sources(fig, df["source_id"], regions=df["region"], indicators=[code], years=df["year"], lang=lang,
                   title=shown)
    _room_across(ax, notes)
    return fig, ax


def _laid_out(ax: Axes, notes: Sequence):
    """Lay the figure out with the value labels ``notes`` left out of the layout (it would otherwise shrink
    the axes to make room for them outside it), so their extents can be measured; return the renderer."""
    for note in notes:
        note.set_in_layout(False)
    fig = ax.get_figure(root=True)
    engine = fig.get_layout_engine()
    if engine is not None:
        engine.execute(fig)
    return fig.canvas.get_renderer()


def _may_cross(ax: Axes, notes: Sequence, pad: float) -> bool:
    """Whether a value label centred over its bar could cross the frame sideways once the figure is laid
    out, allowing the layout to leave the axes three quarters as wide as they are now (the published
    charts' axes came out 0.96–1.29 × as wide): a label's width is fixed in points, so only a label about
    as wide as twice its bar's distance to the frame can. Laying a figure out costs more than drawing its
    bars, and most charts need no room."""
    fig = ax.get_figure(root=True)
    renderer = fig.canvas.get_renderer()
    width = ax.get_window_extent(renderer).width * 0.75
    low, high = ax.get_xlim()
    for note in notes:
        half = note.get_window_extent(renderer).width / 2 + pad + 0.5
        x = note.xy[0]
        if half >= min(x - low, high - x) / (high - low) * width:
            return True
    return False


def _room_across(ax: Axes, notes: Sequence, pad: float = 1.0, rounds: int = 3) -> None:
    """Widen the category axis of a column chart until every value label above a bar lies inside the frame
    sideways: a label wider than its bar (≈2,250 (derived) over the first bar) would cross the frame. Measured
    after the figure's layout, a few rounds (each widening changes the scale); a chart whose labels are inside
    is left as it is."""
    if not notes or not _may_cross(ax, notes, pad):
        return
    renderer = _laid_out(ax, notes)
    for _ in range(rounds):
        frame = ax.get_window_extent(renderer)
        boxes = [note.get_window_extent(renderer) for note in notes]
        left = max(0.0, max(frame.x0 + pad - box.x0 for box in boxes))
        right = max(0.0, max(box.x1 - (frame.x1 - pad) for box in boxes))
        left, right = (v if v > 0.5 else 0.0 for v in (left, right))  # (under a pixel: inside already)
        if not (left or right) or frame.width <= left + right:
            return
        low, high = ax.get_xlim()
        per_pixel = (high - low) / (frame.width - left - right)  # the labels' overhang, at the new scale
        ax.set_xlim(low - left * per_pixel, high + right * per_pixel)


def hbar(obs: pd.DataFrame, *, lang: str | None = None, labels: Labels | None = None, ax: Axes | None = None,
         title: str | None = None, measure: str | None = "level", label: str = "indicator",
         annotate: bool = True, sort: bool = True, log: bool = False, incomparable: str = "mark"
         ) -> tuple[Figure, Axes]:
    """Horizontal bars, one per observation, for values of one unit (e.g. several funds in yuan).

    Each bar is labelled with its indicator name (``label="indicator"``) or its
    region (``label="region"``, then the indicator's name when the bars are of several indicators), plus
    the year and, for estimates, targets and derived values, their status.

    Args:
        obs: observations of a single standard unit.
        sort: largest value at the top (else the order of ``obs``).
        log: logarithmic value axis, for values spanning several orders of magnitude: each value is
            then a dot (on a log axis the length of a bar means nothing) written with its unit, in the
            unit that suits it (CNY 4 m beside CNY 18.5 bn).
        incomparable: as in :func:`bar_by_region` (values of one indicator that are not alike).

    Bars of different indicators are different measures; where the codebook's comparability note
    links a target to an earlier level of another indicator drawn here, the footnote says they are
    not paired (:func:`cityscience.compare.related_levels`).
    """
    if label not in ("indicator", "region"):
        raise ValueError(f"label {label!r}: expected 'indicator' or 'region'")
    df = chart_frame(obs, measure=measure)
    both = label == "region" and df["indicator"].nunique() > 1  # (the colours tell regions apart, not indicators)
    height, owned = max(2.2, 0.42 * len(df) + 1.2), ax is None
    lang, labels, fig, ax = _setup(lang, labels, ax, figsize=(7.5, height))
    _apart(fig, df, lang, incomparable)
    _related(fig, obs, df, lang)
    divisor, unit, small = _chart_unit(df, lang)
    if sort:
        df = df.sort_values(["value_std", "obs_id"], ascending=[True, True], ignore_index=True)
    else:
        df = df.iloc[::-1].reset_index(drop=True)
    names, notes = [], []
    for pos, row in df.iterrows():
        value = row["value_std"] / divisor
        if log:
            drawn = _draw_dot(ax, pos, value, region=row["region"], status=row["status"], derived=row["derived"],
                              apart=bool(row["apart"]))
        else:
            drawn = [_draw_bar(ax, pos, value, region=row["region"], status=row["status"], derived=row["derived"],
                               width=0.7, horizontal=True)]
            if row["apart"]:
                drawn.append(_outline(ax, pos, value, width=0.7, horizontal=True))
        end = value
        if row["qualifier"] == "range" and not pd.isna(row["value_high_std"]):
            end = row["value_high_std"] / divisor
            drawn.append(_draw_interval(ax, pos, value, end, color=region_color(row["region"]), horizontal=True))
        clear = (6 if row["apart"] else 4) if log else 0  # points from the value to the edge of its dot or ring
        drawn += _draw_bound(ax, pos, end, row["qualifier"], color=region_color(row["region"]), horizontal=True,
                             offset=clear + 1 if log else 0)
        if annotate:
            notes.append(ax.annotate(_value_text(row, labels, with_unit=log, small=small), (end, pos),
                                     xytext=((clear * 2 if log else 3) + _past_bound(row["qualifier"]), 0),
                                     textcoords="offset points", ha="left", va="center", fontsize="small",
                                     bbox=_VALUE_BOX))
            drawn.append(notes[-1])
        mark_value(drawn, row, _value_text(row, labels, with_unit=True))
        sep = labels.text("list_sep")
        name = labels.indicator(row["indicator"]) if label == "indicator" else labels.region(row["region"])
        word = _status_word(row, labels)
        when = f"{row['year']}" + (f"{sep}{word}" if word else "") + row["mark"]
        # a long name is cut short, never the year and status (by region over several indicators: the
        # indicator's name, last)
        names.append((f"{name}{sep}{when}{sep}", labels.indicator(row["indicator"]), "") if both
                     else ("", name, f"{sep}{when}"))
    _row_ticks(ax, names, share=0.42, owned=owned, margin=1.2)
    ax.set_ylim(-0.6, len(df) - 0.4)
    right = float(np.nanmax(np.fmax(df["value_std"], df["value_high_std"].fillna(-np.inf)))) / divisor
    if log:
        positive = df.loc[df["value_std"] > 0, "value_std"] / divisor
        if positive.empty:
            raise ValueError("log=True needs positive values")
        ax.set_xscale("log")
        ax.set_xlim(float(positive.min()) / 2, right * 4)
    else:
        ax.set_xlim(0, right * 1.3 if right > 0 else 1)
    ax.grid(axis="y", visible=log)  # a dot plot's rows guide the eye from name to dot
    ax.set_xlabel(_axis_label(df, unit, labels))
    _grouped_ticks(ax.xaxis)
    regions = region_order(df["region"])
    style_legend(ax, df["status"].unique(), labels, derived=bool(df["derived"].any()),
                 regions=regions if len(regions) > 1 else (), kind="dot" if log else "bar", below=True,
                 apart=bool(df["apart"].any()), bounds=_bounds(df["qualifier"]), across=True)
    default = labels.indicator(df["indicator"].iloc[0]) if df["indicator"].nunique() == 1 else ""
    shown = _title(ax, title, default)
    attach_sources(fig, df["source_id"], regions=df["region"], indicators=df["indicator"], years=df["year"],
                   lang=lang, title=shown)
    _room_for(ax, notes)
    if not log and right > 0:
        _ticks_within(ax.xaxis, 0, right)
    return fig, ax


def lines_over_years(obs: pd.DataFrame, indicator: str | None = None, *, lang: str | None = None,
                     labels: Labels | None = None, ax: Axes | None = None, title: str | None = None,
                     measure: str = "level", annotate: bool = True, incomparable: str = "mark"
                     ) -> tuple[Figure, Axes]:
    """One line per region over the years; segments toward estimates, targets or derived values are broken.

    Actual values are filled markers joined by solid lines; a segment that
    ends at an estimate, a target or a derived value takes that value's line
    style and a hollow marker, so a planned or computed point never looks
    like a result. A point of another basis, scope or period is not joined to
    the others: it stands alone with a dark edge and a mark, and the footnote
    says why (``incomparable="raise"`` refuses it).
    """
    lang, labels, fig, ax = _setup(lang, labels, ax)
    df, code, divisor, unit, small = _one_indicator(obs, indicator, measure, fig, lang, incomparable,
                                                    "lines_over_years")
    status_rank = {s: i for i, s in enumerate(STATUS_ORDER)}
    regions = region_order(df["region"])
    notes = []
    for region in regions:
        g = df[df["region"] == region].assign(_s=lambda d: d["status"].map(status_rank))
        g = g.sort_values(["year", "_s", "derived"], ignore_index=True)
        color = region_color(region)
        last: dict[str, pd.Series] = {}  # the previous point of each mark: apart points are not joined
        for _, row in g.iterrows():
            prev = last.get(row["mark"])
            y = row["value_std"] / divisor
            style = status_style(row["status"], derived=row["derived"])
            if prev is not None and prev["year"] < row["year"]:
                seg = style if not style.filled else status_style(prev["status"], derived=prev["derived"])
                ax.plot([prev["year"], row["year"]], [prev["value_std"] / divisor, y], color=color,
                        linestyle=seg.linestyle, linewidth=1.6, zorder=2)
            drawn = [ax.plot([row["year"]], [y], marker=style.marker, markersize=7, color=color,
                             markerfacecolor=color if style.filled else "white", markeredgewidth=1.6,
                             markeredgecolor=_APART_EDGE if row["apart"] else color, linestyle="none", zorder=3)]
            if row["qualifier"] == "range" and not pd.isna(row["value_high_std"]):
                drawn.append(_draw_interval(ax, row["year"], y, row["value_high_std"] / divisor, color=color))
            drawn += _draw_bound(ax, row["year"], y, row["qualifier"], color=color, offset=6)
            if annotate:
                notes.append(ax.annotate(_value_text(row, labels, small=small), (row["year"], y),
                                         xytext=(0, 7 + _past_bound(row["qualifier"])),
                                         textcoords="offset points", ha="center", va="bottom", fontsize="small",
                                         color=color, bbox=_VALUE_BOX))
                drawn.append(notes[-1])
            mark_value(drawn, row, _value_text(row, labels, with_unit=True))
            last[row["mark"]] = row
    years = sorted(df["year"].unique())
    ax.set_xticks(years, [str(y) for y in years])
    ax.set_xlim(years[0] - 0.6, years[-1] + 0.6)
    ax.set_ylim(bottom=0)
    ax.margins(y=0.15)
    ax.set_xlabel(labels.text("year"))
    ax.set_ylabel(_axis_label(df, unit, labels))
    _grouped_ticks(ax.yaxis)
    style_legend(ax, df["status"].unique(), labels, derived=bool(df["derived"].any()), regions=regions,
                 kind="line", apart=bool(df["apart"].any()), bounds=_bounds(df["qualifier"]))
    shown = _title(ax, title, labels.indicator(code))
    attach_sources(fig, df["source_id"], regions=df["region"], indicators=[code], years=df["year"], lang=lang,
                   title=shown)
    _room_for(ax, notes, axis="y")
    return fig, ax


def dumbbell(gaps: pd.DataFrame, *, lang: str | None = None, labels: Labels | None = None, ax: Axes | None = None,
             title: str | None = None, annotate: bool = True) -> tuple[Figure, Axes]:
    """Target against base level, one row per target, on a common scale where the target is 100%.

    ``gaps`` is the output of :func:`cityscience.charts.target_gaps` (rows
    without a base are left out). The base point takes its status's style
    (filled for an actual, hollow square for an estimate); the target is a
    hollow diamond at 100. The annotation gives both values with their units
    and the constant annual growth the target requires (for a share or an
    intensity in percent: the percentage points a year).
    """
    df = gaps[gaps["base_value_std"].notna()].reset_index(drop=True)
    if df.empty:
        raise ValueError("nothing to draw: no target has an earlier level to compare with")
    height, owned = max(2.5, 0.5 * len(df) + 1.3), ax is None
    lang, labels, fig, ax = _setup(lang, labels, ax, figsize=(9.0, height))
    df = df.sort_values(["progress_pct", "indicator"], ascending=[False, True], ignore_index=True)
    alike = df["comparable"].fillna(True).astype(bool) if "comparable" in df.columns else pd.Series(True, df.index)
    marks, notes = {}, []
    for i in df.index[~alike]:
        marks[i] = APART_MARKS[len(marks) % len(APART_MARKS)]
    names = []
    for pos, row in df.iterrows():
        color = region_color(row["region"])
        base_style = status_style(row["base_status"])
        target_style = status_style("target")
        progress = float(row["progress_pct"])
        mark = marks.get(pos, "")
        # a base of another basis, scope or period: grey dashed link, dark-edged base, a mark and a footnote
        ax.plot([progress, 100], [pos, pos], color="#999999" if mark else color,
                linestyle=(0, (3, 2)) if mark else target_style.linestyle, linewidth=1.6, zorder=2)
        base_drawn = ax.plot([progress], [pos], marker=base_style.marker, markersize=8, color=color,
                             linestyle="none", markerfacecolor=color if base_style.filled else "white",
                             markeredgewidth=1.6, markeredgecolor=_APART_EDGE if mark else color, zorder=3)
        target_drawn = ax.plot([100], [pos], marker=target_style.marker, markersize=8, color=color,
                               linestyle="none", markerfacecolor="white", markeredgewidth=1.6, zorder=3)
        base_drawn += _draw_bound(ax, pos, progress, row["base_qualifier"], color=color, horizontal=True, offset=5)
        target_drawn += _draw_bound(ax, pos, 100, row["target_qualifier"], color=color, horizontal=True, offset=5)
        right_end = "base" if progress > 100 else "target"
        if annotate:
            base = format_value(row["base_value_std"], row["unit_std"], lang, qualifier=row["base_qualifier"])
            target = format_value(row["target_value_std"], row["unit_std"], lang, qualifier=row["target_qualifier"],
                                  value_high=row["target_value_high_std"])
            growth = row["required_growth_pct"]
            pp = row.get("required_pp_per_year", np.nan)
            arrow = f"{row['base_year']}: {base}{mark} → {row['target_year']}: {target}"
            if not pd.isna(growth):  # a growth needed; a target at or below its base needs none
                needs = row["needs_growth"] if "needs_growth" in row.index else needs_growth(growth)
                key = ("required_pp" if not pd.isna(pp) else "required_growth") if needs \
                    else "target_below" if row["target_below_base"] else "target_level"
                if needs and row.get("years") == 1:  # a year apart: the growth, not a rate a year
                    key += "_1y"
                arrow += labels.template(key, growth=f"{growth:.1f}%", change=_pp_text(pp),
                                         year=row["base_year"])
            clear = 8 + _past_bound(row[f"{right_end}_qualifier"])  # points right of the rightmost marker
            notes.append(ax.annotate(arrow, (max(progress, 100), pos), xytext=(clear, 0), textcoords="offset points",
                                     ha="left", va="center", fontsize="small", color="#333333", bbox=_VALUE_BOX))
        name = labels.indicator(row["indicator"])
        if df["region"].nunique() > 1:
            name = labels.template("with_region", name=name, region=labels.region(row["region"]))
        names.append(("", name, mark))  # a long name is cut short, never its mark
        if mark:
            attach_note(fig, f"{mark} " + _pair_difference(row, labels))
        for drawn, end in ((base_drawn, "base"), (target_drawn, "target")):
            high = row.get(f"{end}_value_high_std")
            high = None if high is None or pd.isna(high) else high
            drawn_row = {"obs_id": str(row[f"{end}_obs_id"]), "region": row["region"], "indicator": row["indicator"],
                         "measure": "level", "year": row[f"{end}_year"], "unit_std": row["unit_std"],
                         "status": row["base_status"] if end == "base" else "target",
                         "qualifier": row[f"{end}_qualifier"], "value_std": row[f"{end}_value_std"],
                         "value_high_std": high}
            mark_value(drawn, drawn_row, f"{row[f'{end}_year']}: " + format_value(
                row[f"{end}_value_std"], row["unit_std"], lang, qualifier=row[f"{end}_qualifier"], value_high=high))
    ax.axvline(100, color="#999999", linewidth=0.8, zorder=1)
    figure_info(fig).checks_shown.add("target_below_actual")  # each row's annotation says so
    _row_ticks(ax, names, share=0.35, owned=owned, margin=1.3)
    ax.set_ylim(len(df) - 0.5, -0.5)
    right = max(100.0, float(df["progress_pct"].max()))
    ax.set_xlim(0, right * 1.05 + 5)
    ax.set_xlabel(labels.text("target_pct"))
    _grouped_ticks(ax.xaxis)
    ax.grid(axis="y", visible=False)
    statuses = sorted(set(df["base_status"].astype(str)) | {"target"})
    regions = region_order(df["region"])
    style_legend(ax, statuses, labels, regions=regions if len(regions) > 1 else (), kind="line", below=True,
                 apart=bool(marks), bounds=_bounds(df["base_qualifier"], df["target_qualifier"]), across=True)
    shown = _title(ax, title, "")
    sources = [s for cell in df["sources"] for s in str(cell).split(";")]
    attach_sources(fig, sources, regions=df["region"], indicators=df["indicator"], lang=lang, title=shown or None)
    _room_for(ax, notes)
    _ticks_within(ax.xaxis, 0, right)
    return fig, ax


def _ticks_within(axis, low: float, high: float) -> None:
    """Ticks (and their grid lines) only over the values' range: the room an axis was widened by for
    its labels stays blank, so a reader does not take it for part of the scale."""
    from matplotlib.ticker import MaxNLocator

    ticks = [float(t) for t in MaxNLocator(nbins=6, steps=[1, 2, 2.5, 5, 10]).tick_values(low, high)]
    top = min([t for t in ticks if t >= high - 1e-9], default=high)  # the first tick at or past the largest
    if top > max(axis.get_view_interval()):
        top = high
    axis.set_ticks([t for t in ticks if low - 1e-9 <= t <= top + 1e-9])


def _pp_text(pp: float) -> str:
    """Percentage points a year as a label writes them: 1.4, or two digits below 1 (0.14), not 0.1."""
    if pd.isna(pp):
        return ""
    return f"{pp:.1f}" if abs(pp) >= 1 else f"{pp:.2g}"


def _room_for(ax: Axes, notes: Sequence, pad: float = 6.0, *, axis: str = "x") -> None:
    """Extend the value axis (``"x"``: to the right, ``"y"``: upwards) until every annotation written
    beyond its point ends inside the axes (``pad`` pixels from the frame), measured after the figure's
    layout: text sizes are fixed in points while data positions scale with the axis (linear or log),
    so the needed limit is computed, not guessed. An annotation larger than the axes itself is left to
    the layout check."""
    if not notes:
        return
    renderer = _laid_out(ax, notes)
    k = 0 if axis == "x" else 1
    frame = ax.get_window_extent(renderer)
    size = frame.width if k == 0 else frame.height
    scale = (ax.xaxis if k == 0 else ax.yaxis).get_transform()  # data → the axis's linear space
    limits = ax.get_xlim() if k == 0 else ax.get_ylim()
    low, high = (float(v) for v in scale.transform(np.array(limits)))
    needed = high
    for note in notes:
        box = note.get_window_extent(renderer)
        extent = (box.x1 if k == 0 else box.y1) - ax.transData.transform(note.xy)[k] + pad
        if extent < size:
            at = float(scale.transform(np.array([note.xy[k]]))[0])
            needed = max(needed, low + (at - low) * size / (size - extent))
    if needed > high:
        top = float(scale.inverted().transform(np.array([needed]))[0])
        ax.set_xlim(right=top) if k == 0 else ax.set_ylim(top=top)


def _pair_difference(row: pd.Series, labels: Labels) -> str:
    """Why a dumbbell's base and target are not alike, from their codebook codes (one footnote line)."""
    target = pd.Series({"obs_id": row["target_obs_id"], "region": row["region"], "year": row["target_year"],
                        "differs": row.get("differs", "")})
    for d in ("basis", "scope", "period"):
        target[d] = row.get(f"target_{d}")
        target[f"reference_{d}"] = row.get(f"base_{d}")
    against = labels.template("base_of", year=row["base_year"], obs_id=row["base_obs_id"])
    return labels.text("pair_not_alike") + describe_difference(target, lang=labels.lang, against=against)


def heatmap(table: pd.DataFrame, *, sources: Sequence[str], lang: str | None = None, labels: Labels | None = None,
            ax: Axes | None = None, title: str | None = None, xlabel: str = "", ylabel: str = "",
            fmt: str = ".0f", cmap: str = "Blues", annot: bool = True,
            regions: Sequence[str] = (), indicators: Sequence[str] = (),
            xrotation: float | None = None, totals: str | Sequence[str] = ()) -> tuple[Figure, Axes]:
    """A heatmap of a numeric table (rows × columns) with the counts written in the cells.

    Args:
        table: numbers to show; row and column labels are used as written.
        sources: source_ids of the documents the numbers come from (for the footnote).
        fmt: number format of the cell labels.
        cmap: a sequential colour map (the default ``Blues`` reads well in grey too).
        xrotation: angle of the column labels (default: level when each fits its column, wrapped onto
            at most three lines if need be, widening a figure the chart makes itself by up to an inch
            a column; else upright, so long labels never run into each other).
        totals: columns that sum or summarise the others (a total, a count of leads): drawn last, apart,
            in grey on a scale of their own, so that their larger numbers do not wash out the other cells.
    """
    import seaborn as sns

    if table.empty:
        raise ValueError("nothing to draw: the table is empty")
    totals = [totals] if isinstance(totals, str) else list(totals)
    unknown = [c for c in totals if c not in table.columns]
    if unknown:
        raise ValueError(f"totals {unknown}: not columns of the table ({', '.join(map(str, table.columns))})")
    apart = [c in set(totals) for c in table.columns]
    order = [i for i, a in enumerate(apart) if not a] + [i for i, a in enumerate(apart) if a]
    table = table.iloc[:, order]  # by position: a repeated column name stays one column
    n_margins = sum(apart)
    cells = 0.38 * table.shape[0]  # inches of the rows
    figsize = (max(5.0, 0.7 * table.shape[1] + 3.5), max(2.5, cells + 1.6))
    own_figure = ax is None
    lang, labels, fig, ax = _setup(lang, labels, ax, figsize=figsize)
    data = table.astype("Float64").astype(float)
    is_margin = np.zeros(data.shape, dtype=bool)
    is_margin[:, data.shape[1] - n_margins:] = True  # (no column when there are no totals)
    layers = [(cmap, ~is_margin, {})]
    if n_margins:
        sums = data.to_numpy()[is_margin]
        sums = sums[np.isfinite(sums)]
        low, high = (float(sums.min()), float(sums.max())) if sums.size else (0.0, 0.0)
        # light enough for the cell labels: the largest total at about 60 % of the grey scale
        layers.append(("Greys", is_margin, {"vmin": min(0.0, low), "vmax": 1.6 * high if high > 0 else 1.0}))
    fixed = re.fullmatch(r",?\.(\d+)f", fmt)
    if annot is True and fixed:  # halves rounded up, as a reader rounds (12.5 → 13), not to even
        digits = int(fixed.group(1))
        annot = data.map(lambda v: "" if pd.isna(v) else f"{half_up(v, digits):{fmt}}").to_numpy()
        fmt = ""
    with quiet_seaborn():
        for colours, drawn, scale in layers:
            if not drawn.any():
                continue
            sns.heatmap(data, ax=ax, annot=annot, fmt=fmt, cmap=colours, linewidths=0.5, linecolor="white",
                        cbar=False, annot_kws={"fontsize": "small"}, mask=data.isna() | ~drawn, **scale)
    ax.grid(False)  # an empty (NaN) cell shows the background, not the style's grid lines through it
    if 0 < n_margins < data.shape[1]:
        ax.axvline(data.shape[1] - n_margins, color="white", linewidth=4)
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    ax.tick_params(axis="both", length=0)
    ax.set_yticklabels(ax.get_yticklabels(), rotation=0)
    _column_labels(fig, ax, table, xrotation, own_figure, cells)
    shown = _title(ax, title, "")
    attach_sources(fig, sources, regions=regions, indicators=indicators, lang=lang, title=shown or None)
    attach_table(ax, data)
    return fig, ax


_MAX_LINES, _MAX_CELL = 3, 1.0  # column labels: lines when wrapped, inches a column may widen to


def _column_labels(fig: Figure, ax: Axes, table: pd.DataFrame, xrotation: float | None, own_figure: bool,
                   cells: float) -> None:
    """Column labels of a heatmap: level when they fit, wrapped when that makes them fit, else upright."""
    from matplotlib.font_manager import FontProperties

    from .figures import _text_width, _tokens, _wrap

    em = FontProperties(size=plt.rcParams["xtick.labelsize"]).get_size_in_points() / 72  # inches
    names = [str(c) for c in table.columns]
    widest = em * max((_text_width(line) for c in names for line in c.split("\n")), default=0)
    rows = em * max((_text_width(str(r)) for r in table.index), default=0) + 0.25  # the row labels beside
    if xrotation is None:
        cell = max(0.1, (_axes_width(ax) - rows) / max(1, table.shape[1]))  # inches per column
        if widest <= 0.9 * cell:
            xrotation = 0
        else:
            longest_word = em * max((_text_width(w.strip()) for c in names for w in _tokens(c, 0)), default=0)
            need = max(cell, longest_word)  # (text widths are estimated generously: a word fits its width)
            wrapped = [_wrap(c, need / em) if "\n" not in c else c for c in names]
            if all(len(w.split("\n")) <= _MAX_LINES for w in wrapped) \
                    and (need == cell or (own_figure and need <= _MAX_CELL)):
                if need > cell:  # widen the figure so each column holds its longest word
                    fig.set_figwidth(fig.get_figwidth() + (need - cell) * table.shape[1] / 0.95)
                ax.set_xticks(ax.get_xticks(), wrapped)
                xrotation = 0
            else:
                xrotation = 90
    if xrotation == 90 and own_figure:  # upright labels take their length in height
        fig.set_figheight(max(fig.get_figheight(), cells + 1.2 + widest))
    ax.tick_params(axis="x", labelrotation=xrotation)


def coverage_heatmap(obs: pd.DataFrame, *, rows: str = "category", lang: str | None = None,
                     labels: Labels | None = None, ax: Axes | None = None, title: str | None = None,
                     categories: pd.DataFrame | None = None) -> tuple[Figure, Axes]:
    """How many values the data hold per row group × region and year (the coverage of the documents).

    Args:
        obs: observations.
        rows: ``"category"`` (subject area, from the codebook), ``"status"``, ``"measure"`` or ``"source_id"``.
        categories: indicator → category table (default: the curated codebook); used when ``rows="category"``.
    """
    if rows not in ("category", "status", "measure", "source_id"):
        raise ValueError(f"rows {rows!r}: expected 'category', 'status', 'measure' or 'source_id'")
    lang = check_language(lang or current_language())
    ensure_theme(lang)
    labels = labels if labels is not None and labels.lang == lang else Labels.load(lang)
    df = obs.copy()
    if rows == "category":
        if categories is None:
            from ..load import load_indicators

            categories = load_indicators()[["indicator", "category"]]
        cat = dict(zip(categories["indicator"].astype(str), categories["category"].astype(str), strict=True))
        df["category"] = df["indicator"].astype(str).map(cat).fillna("?")
    df["_col"] = [f"{labels.region(r)}\n{y}" for r, y in zip(df["region"], df["year"], strict=True)]
    order = (df.assign(_r=df["region"].astype(str).map({r: i for i, r in enumerate(region_order(df["region"]))}))
             .sort_values(["_r", "year"])["_col"].drop_duplicates().tolist())
    table = df.groupby([rows, "_col"], observed=True).size().unstack("_col", fill_value=0)
    table = table.reindex(columns=order, fill_value=0)
    table = table.loc[table.sum(axis=1).sort_values(ascending=False).index]
    vocabulary = {"category": "category", "status": "status", "measure": "measure"}.get(rows)
    if vocabulary:
        table.index = [labels.name(vocabulary, c) for c in table.index]
    row_title = labels.text(f"rows_{rows}")
    fig, ax = heatmap(table, sources=df["source_id"].astype(str).unique(), lang=lang, labels=labels, ax=ax,
                      title=title, ylabel=row_title, fmt=".0f", regions=sorted(df["region"].astype(str).unique()))
    for tick in ax.get_xticklabels():
        tick.set_rotation(0)
    return fig, ax


def _axes_width(ax: Axes) -> float:
    """Width of the axes in inches as the layout will make it (before the layout engine has run)."""
    from matplotlib.layout_engine import ConstrainedLayoutEngine

    fig = ax.figure
    spec = ax.get_subplotspec()
    if spec is None or not isinstance(fig.get_layout_engine(), ConstrainedLayoutEngine):
        return ax.get_position().width * fig.get_figwidth()
    grid = spec.get_gridspec()
    ratios = grid.get_width_ratios() or [1] * grid.ncols
    _, _, first, last = spec.rowspan.start, spec.rowspan.stop, spec.colspan.start, spec.colspan.stop
    return 0.95 * fig.get_figwidth() * sum(ratios[first:last]) / sum(ratios)


def _fit(text: str, width_em: float, lines: int = 2, *, before: str = "", after: str = "") -> str:
    """Wrap ``before + text + after`` to at most ``lines`` lines of ``width_em`` ems; if it is still longer,
    ``text`` is cut short with … (``before`` and ``after``, say a year and a status, stay whole).

    >>> _fit("a long indicator (name)", 12, 1, after=", 2013"), _fit("short", 12, 1, after=", 2013")
    ('a long…, 2013', 'short, 2013')
    """
    from .figures import _text_width, _wrap

    wrapped = _wrap(before + text + after, width_em).split("\n")
    if len(wrapped) <= lines:
        return "\n".join(wrapped)
    if before or after:
        # shorter and shorter: at word ends where the text has spaces (English), else a character at a time
        ends = [i for i in range(len(text) - 1, 0, -1) if text[i] == " "] if " " in text.strip() \
            else list(range(len(text) - 1, 0, -1))
        for end in ends:
            cut = text[:end].rstrip(" ,;:、，；")
            for left, right in (("(", ")"), ("（", "）")):  # no bracket left open: cut before it instead
                if cut.count(left) > cut.count(right):
                    cut = cut[:cut.rfind(left)].rstrip(" ,;:、，；")
            wrapped = _wrap(before + cut + "…" + after, width_em).split("\n")
            if cut and len(wrapped) <= lines:
                return "\n".join(wrapped)
        return _fit(before + after, width_em, lines)
    last = " ".join(wrapped[lines - 1:])
    while last and _text_width(last + "…") > width_em:
        last = last[:-1]
    return "\n".join([*wrapped[:lines - 1], last.rstrip() + "…"])


def fact_table(facts: pd.DataFrame, *, lang: str | None = None, labels: Labels | None = None,
               ax: Axes | None = None, title: str | None = None, with_unit: bool = True) -> tuple[Figure, Axes]:
    """A table of values drawn as a figure: indicator, year, status marker and the qualified value.

    Meant for one-page profiles, where values of many units sit together and
    no common axis exists. Each row's marker has the region colour and the
    status style (filled for actual, hollow for estimates, targets and derived values);
    a table of several regions names each row's region after its indicator.
    """
    df = chart_frame(facts, measure=None, single_unit=False)
    height = max(1.6, 0.32 * len(df) + 0.9)
    lang, labels, fig, ax = _setup(lang, labels, ax, figsize=(8.0, height))
    _apart(fig, df, lang, "mark")
    ax.set_axis_off()
    ax.set_xlim(0, 1)
    ax.set_ylim(len(df) + 0.2, -1.2)
    heads = [labels.text(k) for k in ("head_indicator", "head_year", "head_status", "head_value")]
    name_width = 0.58 * _axes_width(ax) * 72 / (0.833 * plt.rcParams["font.size"])  # ems of 'small' text
    cols = (0.0, 0.62, 0.70, 0.99)
    for x, head, ha in zip(cols, heads, ("left", "left", "left", "right"), strict=True):
        ax.text(x, -0.6, head, ha=ha, va="center", fontsize="small", color="#555555")
    ax.plot([0, 1], [-0.15, -0.15], color="#999999", linewidth=0.6)
    several_regions = df["region"].nunique() > 1
    for pos, row in df.iterrows():
        style = status_style(row["status"], derived=row["derived"])
        color = region_color(row["region"])
        name = labels.indicator(row["indicator"])
        if row["measure"] != "level":
            name = labels.template("with_measure", name=name, measure=labels.term("measure", row["measure"]))
        if several_regions:  # the marker's colour alone would not say whose value it is
            name = labels.template("with_region", name=name, region=labels.region(row["region"]))
        ax.text(cols[0], pos + 0.4, _fit(name, name_width), ha="left", va="center", fontsize="small",
                linespacing=1.0)
        ax.text(cols[1], pos + 0.4, str(row["year"]), ha="left", va="center", fontsize="small")
        drawn = ax.plot([cols[2] + 0.012], [pos + 0.4], marker=style.marker, markersize=6, color=color,
                        markerfacecolor=color if style.filled else "white", markeredgewidth=1.3, linestyle="none")
        ax.text(cols[2] + 0.03, pos + 0.4, _status_word(row, labels) or labels.term("status", "actual"),
                ha="left", va="center", fontsize="small")
        text, bare = _value_text(row, labels, with_unit=with_unit), _value_text(row, labels)
        if with_unit and _names_its_unit(name, text, bare):
            text = bare  # 38, not "38 per 10,000 residents" beside a name that says so
        drawn.append(ax.text(cols[3], pos + 0.4, text, ha="right", va="center", fontsize="small"))
        mark_value(drawn, row, text)
    shown = _title(ax, title, "")
    attach_sources(fig, df["source_id"], regions=df["region"], indicators=df["indicator"], years=df["year"],
                   lang=lang, title=shown or None)
    return fig, ax


def _names_its_unit(name: str, text: str, bare: str) -> bool:
    """Whether an indicator's name already says the words of its value's unit ("… per 10,000 residents").

    >>> _names_its_unit("Patents per 10,000 residents", "38 per 10,000 residents", "38")
    True
    >>> _names_its_unit("Gross R&D expenditure", "CNY 18.5 bn", "18.5"), _names_its_unit("A share", "3.2%", "3.2")
    (False, False)
    """
    words = text.replace(bare, " ", 1).strip() if bare in text else ""
    return len(words) > 3 and words.casefold() in name.casefold()


def status_bars(counts: pd.DataFrame, *, color: str, lang: str | None = None, labels: Labels | None = None,
                ax: Axes | None = None, title: str | None = None, xlabel: str | None = None) -> tuple[Figure, Axes]:
    """Horizontal bars stacked by status: one bar per row of ``counts``, one segment per status column.

    ``counts`` holds numbers (rows: what is counted, labelled as written; columns: status codes).
    Segments take the status styles (filled actual, hatched estimate and target) in one ``color``;
    the smallest row is at the bottom.
    """
    from matplotlib.ticker import MaxNLocator

    lang, labels, fig, ax = _setup(lang, labels, ax)
    if counts.empty:
        raise ValueError("nothing to draw: the table of counts is empty")
    counts = counts.loc[counts.sum(axis=1).sort_values(kind="stable").index]
    left = pd.Series(0.0, index=counts.index)
    names = [str(i) for i in counts.index]
    for status in [s for s in STATUS_ORDER if s in counts.columns]:
        style = status_style(status)
        ax.barh(names, counts[status], left=left, color=color if style.filled else "white", edgecolor=color,
                hatch=style.hatch or None, label=labels.term("status", status))
        left += counts[status]
    attach_table(ax, counts.rename(columns=lambda status: labels.term("status", status)))
    ax.set_xlabel(labels.text("count") if xlabel is None else xlabel)
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    longest = float(left.max())
    ax.set_xlim(0, longest * 1.05 if longest > 0 else 1)  # the longest bar clear of the frame
    ax.legend(loc="lower right")
    ax.set_ylim(-0.7, len(counts) - 0.3)
    ax.grid(axis="y", visible=False)
    _title(ax, title, "")
    return fig, ax


def grouped_hbar(table: pd.DataFrame, *, lang: str | None = None, labels: Labels | None = None,
                 ax: Axes | None = None, title: str | None = None, xlabel: str = "", cmap: str = "Blues",
                 legend: str | None = "lower right", ticks: bool = True,
                 colors: Sequence[str] | None = None) -> tuple[Figure, Axes]:
    """Horizontal bars in groups: one group per row of ``table`` (first on top), one bar per column.

    Columns are drawn in order in ``colors`` (one per column, e.g. :func:`series_colors` of the regions
    they show), else in shades of ``cmap`` (light to dark, so an order such as periods reads in grey
    too), and named in the legend (``legend=None``: no legend; ``ticks=False``: no row labels, e.g.
    for a second panel sharing the first one's).
    """
    lang, labels, fig, ax = _setup(lang, labels, ax)
    if table.empty:
        raise ValueError("nothing to draw: the table is empty")
    n = table.shape[1]
    if colors is not None and len(colors) != n:
        raise ValueError(f"colors: expected one colour per column ({n}), got {len(colors)}")
    colors = list(colors) if colors is not None else plt.get_cmap(cmap)(np.linspace(0.35, 0.9, n))
    y = np.arange(len(table))
    height = 0.8 / n
    for k, column in enumerate(table.columns):
        ax.barh(y + (k - (n - 1) / 2) * height, table[column].astype(float), height=height, color=colors[k],
                label=str(column))
    attach_table(ax, table)
    if ticks:
        ax.set_yticks(y, [str(i) for i in table.index])
    if not ax.yaxis_inverted():
        ax.invert_yaxis()
    ax.set_xlabel(xlabel)
    ax.grid(axis="y", visible=False)
    if legend:
        ax.legend(loc=legend)
    _title(ax, title, "")
    return fig, ax


def region_profile(obs: pd.DataFrame, region: str, *, lang: str | None = None, labels: Labels | None = None,
                   indicators: pd.DataFrame | None = None, max_rows: int = 16, title: str | None = None
                   ) -> tuple[Figure, tuple[Axes, Axes | None]]:
    """One region at a glance: its headline values (left) and how many values each subject area has (right).

    The headline rows are the region's levels of the indicators ranked in the codebook's ``headline``
    column (``indicators.csv``), then its other levels by category, up to ``max_rows``; a region with no
    levels shows its other values. ``indicators`` defaults to the curated codebook. A region whose values
    are all of one subject area gets the table alone (the second axes is None): one bar would say nothing.
    """
    lang = check_language(lang or current_language())
    ensure_theme(lang)
    labels = labels if labels is not None and labels.lang == lang else Labels.load(lang)
    if indicators is None:
        from ..load import load_indicators

        indicators = load_indicators()
    mine = select(obs, region=region)  # an unknown code raises, naming the known ones
    if mine.empty:
        raise ValueError(f"region {region!r} has no values to profile")
    codes = indicators["indicator"].astype(str)
    category = dict(zip(codes, indicators["category"].astype(str), strict=True))
    ranks = indicators["headline"] if "headline" in indicators.columns else pd.Series(pd.NA, indicators.index)
    rank = {c: int(h) for c, h in zip(codes, ranks, strict=True) if not pd.isna(h)}
    mine = mine.assign(category=mine["indicator"].astype(str).map(category).fillna("?"))
    levels = mine[mine["measure"] == "level"]
    levels = levels.assign(_rank=levels["indicator"].astype(str).map(rank).fillna(len(rank) + 1))
    facts = levels.sort_values(["_rank", "category", "indicator", "year", "obs_id"]).head(max_rows)
    if facts.empty:
        facts = mine.head(max_rows)
    counts = mine.groupby(["category", "status"], observed=True).size().unstack("status", fill_value=0)
    counts.index = [labels.name("category", c) for c in counts.index]
    height = max(3.0, 0.32 * len(facts) + 1.4, 0.35 * len(counts) + 1.4)
    ax_counts = None
    if len(counts) > 1:
        fig = plt.figure(figsize=(13, height))
        grid = fig.add_gridspec(1, 2, width_ratios=[1.75, 1])
        ax_facts, ax_counts = fig.add_subplot(grid[0]), fig.add_subplot(grid[1])
    else:
        fig, ax_facts = plt.subplots(figsize=(7.5, max(2.0, 0.32 * len(facts) + 1.6)))  # no bars to match
    fact_table(facts.drop(columns=["category", "_rank"], errors="ignore"), ax=ax_facts, lang=lang, labels=labels,
               title=labels.text("profile_facts"))
    if ax_counts is not None:
        status_bars(counts, color=region_color(region), lang=lang, labels=labels, ax=ax_counts,
                    title=labels.text("profile_counts"))
    level = labels.region_levels.get(str(region))
    name = labels.region(region)
    if level:  # what the figure is, and what kind of place: Ningbo (sub-provincial city): S&T profile
        name = labels.template("with_level", name=name, level=labels.term("admin_level", level))
    heading = labels.template("profile_title", region=name) if title is None else title
    fig.suptitle(heading, x=0.01, ha="left", fontsize="x-large")
    attach_sources(fig, mine["source_id"], regions=[region], years=mine["year"], lang=lang)
    figure_info(fig).title = heading  # the index lists it as the figure says it
    return fig, (ax_facts, ax_counts)
