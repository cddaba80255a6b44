"""A calendar of a run's days, drawn: each line's daily service level as a heat map
(``days_heatmap.png``), weeks as columns and weekdays as rows (Monday at the top), like a
contribution chart — the mean over the replications of each day's service level (the
registry's formula on the day's sums), from a saved run's ``days.csv``.

On a line with a standard the colours turn at the standard: red below it (the day missed it on
average), green above, so the bad weeks show at a glance; days not measured whole are blank.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.colors import Normalize, TwoSlopeNorm

from contactsim.analysis.kpi_names import SERVICE_LEVEL
from contactsim.output.plotting import percent, save_figure

__all__ = ["DAYS_HEATMAP", "calendar_grid", "plot_days_heatmap"]

DAYS_HEATMAP = "days_heatmap.png"
WEEKDAY_LABELS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")


def calendar_grid(means: pd.Series) -> tuple[np.ndarray, pd.Timestamp]:
    """Daily values (indexed by day) laid out as 7 rows (Monday first) × weeks; NaN where a
    day has none. Also the Monday the first column starts on."""
    days = pd.to_datetime(pd.Series(means.index))
    first_monday = days.min() - pd.Timedelta(days=int(days.min().day_of_week))
    offset = (days - first_monday).dt.days.to_numpy()
    grid = np.full((7, int(offset.max()) // 7 + 1), np.nan)
    grid[offset % 7, offset // 7] = means.to_numpy(dtype=float)
    return grid, first_monday


def _week_ticks(first_monday: pd.Timestamp, weeks: int, last: pd.Timestamp
                ) -> tuple[list[int], list[str]]:
    """Column ticks: on a short run every week, labelled by its Monday (``02 Jul``); on a
    longer one the week holding each month's first day (up to ``last``), labelled by the
    month (``Jul``)."""
    mondays = [first_monday + pd.Timedelta(weeks=week) for week in range(weeks)]
    if weeks < 9:
        return list(range(weeks)), [f"{monday:%d %b}" for monday in mondays]
    ticks, labels = [], []
    for week, monday in enumerate(mondays):
        firsts = [monday + pd.Timedelta(days=d) for d in range(7)
                  if (monday + pd.Timedelta(days=d)).day == 1
                  and monday + pd.Timedelta(days=d) <= last]
        if firsts:
            ticks.append(week)
            labels.append(f"{firsts[0]:%b}")
    return ticks, labels


def plot_days_heatmap(days: pd.DataFrame, path: Path,
                      standards: Mapping[str, float] | None = None) -> Path | None:
    """Draw each line's daily service level (mean over replications) as a calendar heat map
    into ``path``; a line's standard (``standards``), where it has one, is where the colours
    turn from red to green. None if there is no day to draw."""
    if days.empty or days[SERVICE_LEVEL].notna().sum() == 0:
        return None
    standards = standards or {}
    lines = list(dict.fromkeys(days["line"]))
    span = (pd.to_datetime(days["day"]).max() - pd.to_datetime(days["day"]).min()).days
    weeks = span // 7 + 2
    figure, axes = plt.subplots(len(lines), 1, squeeze=False,
                                figsize=(max(4.5, 1.8 + 0.26 * weeks), 0.6 + 2.1 * len(lines)))
    for axis, line in zip(axes[:, 0], lines, strict=True):
        part = days[days["line"] == line]
        means = part.groupby(pd.to_datetime(part["day"]))[SERVICE_LEVEL].mean()
        grid, first_monday = calendar_grid(means)
        standard = standards.get(str(line), math.nan)
        low = float(np.nanmin(grid)) if np.isfinite(grid).any() else 0.0
        if math.isnan(standard):
            norm: Normalize = Normalize(vmin=min(low, 0.99), vmax=1.0)
        else:
            norm = TwoSlopeNorm(vcenter=standard, vmin=min(low, standard - 0.01), vmax=1.0)
        image = axis.imshow(np.ma.masked_invalid(grid), cmap="RdYlGn", norm=norm,
                            aspect="equal" if grid.shape[1] >= 9 else "auto",
                            interpolation="nearest")
        axis.set_yticks(range(7), WEEKDAY_LABELS, fontsize="small")
        ticks, labels = _week_ticks(first_monday, grid.shape[1], means.index.max())
        axis.set_xticks(ticks, labels, fontsize="small")
        axis.tick_params(length=0)
        axis.set_anchor("W")  # a short run's few weeks at the left, under the title
        for side in axis.spines.values():
            side.set_visible(False)
        if grid.shape[1] < 9:  # a short run: each day's value in its cell
            for (row, column), value in np.ndenumerate(grid):
                if not math.isnan(value):
                    axis.text(column, row, f"{value * 100:.0f}", ha="center", va="center",
                              fontsize="x-small")
        title = f"line {line}"
        if not math.isnan(standard):
            title += f" · standard {percent(standard)}: red below"
        axis.set_title(title, fontsize="small", loc="left")
        bar = figure.colorbar(image, ax=axis, fraction=0.025, pad=0.01, panchor=(0.0, 0.5))
        bar.ax.yaxis.set_major_formatter(percent)
        bar.ax.tick_params(labelsize="small")
    reps = days["replication"].nunique()
    figure.suptitle(f"Daily service level, mean of {reps} replications", fontsize="medium")
    return save_figure(figure, path)
