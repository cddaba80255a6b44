"""The roster's plot: people on the phones by hour of the week against the requirement, a panel
per pool, hours left short marked."""

from __future__ import annotations

from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.ticker import MaxNLocator

from contactsim.output.plotting import save_figure

__all__ = ["plot_coverage"]

HOURS_PER_WEEK = 168


def _step(values: pd.Series) -> np.ndarray:
    """Values by hour, with the last repeated so that a step plot closes the week."""
    array = values.to_numpy(dtype=float)
    return np.append(array, array[-1])


def plot_coverage(coverage: pd.DataFrame, path: Path) -> Path:
    """Coverage against requirement by hour of week, per pool (``coverage.csv``'s table):
    the requirement, what the roster covers every week of its cycle (and on average, where the
    cycle is longer than a week), and red marks at hours left short."""
    pools = list(dict.fromkeys(coverage["pool"]))
    figure, axes = plt.subplots(len(pools), 1, figsize=(12, 2.6 * len(pools)), sharex=True,
                                squeeze=False)
    hours = np.arange(HOURS_PER_WEEK + 1)
    for axis, pool in zip(axes[:, 0], pools, strict=True):
        rows = coverage[coverage["pool"] == pool].sort_values("hour_of_week")
        axis.step(hours, _step(rows["required"]), where="post", color="C3", label="required")
        axis.step(hours, _step(rows["covered"]), where="post", color="C0",
                  label="rostered (every week)")
        if not np.allclose(rows["covered"], rows["covered_mean"]):
            axis.step(hours, _step(rows["covered_mean"]), where="post", color="C0",
                      alpha=0.4, linestyle="--", label="rostered (mean over the cycle)")
        short = rows[rows["under"] > 1e-9]
        if not short.empty:
            axis.scatter(short["hour_of_week"] + 0.5, short["covered"], marker="v", color="C3",
                         zorder=3, label="short")
        axis.set_ylabel(f"{pool}\npeople")
        axis.yaxis.set_major_locator(MaxNLocator(integer=True))
        axis.set_ylim(bottom=0)
        axis.grid(alpha=0.3)
    handles = {label: handle for axis in axes[:, 0]
               for handle, label in zip(*axis.get_legend_handles_labels(), strict=True)}
    axes[0, 0].legend(handles.values(), handles.keys(), loc="lower left", ncol=len(handles),
                      bbox_to_anchor=(0.0, 1.0), fontsize="small", frameon=False)
    bottom = axes[-1, 0]
    bottom.set_xlim(0, HOURS_PER_WEEK)
    bottom.set_xticks(range(0, HOURS_PER_WEEK, 24), ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat",
                                                     "Sun"])
    bottom.set_xlabel("hour of the week")
    figure.suptitle("Rostered people on the phones (breaks taken off) against the requirement")
    return save_figure(figure, path)
