"""What every plot contactsim draws has in common: the look of a mean with its 95% band,
shares in %, one y range across panels, and PNG files written the same way.

The plots themselves are by subject: a run's and a comparison's in
:mod:`contactsim.output.report`, a sweep's and a staffing search's in
:mod:`contactsim.output.planning_plots`, a calibration's in
:mod:`contactsim.output.calibration_report`.
"""

from __future__ import annotations

from pathlib import Path

import matplotlib

# files only: no window, no display needed (the one place the plots of output/ choose it)
matplotlib.use("Agg")
import matplotlib.pyplot as plt
import pandas as pd
from matplotlib.ticker import FuncFormatter

from contactsim.analysis.kpi_names import ASA_S
from contactsim.output.tables import SHARE, kind

__all__ = ["draw_band", "percent", "same_y", "save_figure", "share_axis"]


def draw_band(
    axis: plt.Axes, x: pd.Series, table: pd.DataFrame, colour: str, label: str | None = None
) -> None:
    """Shade the 95% interval (``low`` to ``high`` of ``table``) behind a mean."""
    axis.fill_between(x.to_numpy(), table["low"].to_numpy(dtype=float),
                      table["high"].to_numpy(dtype=float), color=colour, alpha=0.25,
                      linewidth=0, label=label)


def save_figure(figure: plt.Figure, path: Path) -> Path:
    """Write ``figure`` to ``path`` as a PNG and close it."""
    figure.tight_layout()
    figure.savefig(path, dpi=110)
    plt.close(figure)
    return path


def percent(value: float, _position: object = None) -> str:
    """A share as a tick label: 0.15 is "15%", 0.015 "1.5%" (no trailing zeros)."""
    text = f"{value * 100:.2f}".rstrip("0").rstrip(".")
    return ("0" if text in ("-0", "") else text) + "%"


def share_axis(axis: plt.Axes, kpi: str) -> None:
    """Shares from 0, in %; the 999 service level's axis reaching above the standard."""
    if kind(kpi) == SHARE:
        axis.yaxis.set_major_formatter(FuncFormatter(percent))


def same_y(axes: list[plt.Axes], kpi: str, standard: float | None = None) -> None:
    """One y range for ``axes`` (a line's day types), from 0 for anything but an ASA, and up to
    above ``standard`` if given, so that its line shows."""
    low = min(axis.get_ylim()[0] for axis in axes)
    high = max(axis.get_ylim()[1] for axis in axes)
    if kpi != ASA_S:
        low = 0.0
    if standard is not None:
        high = max(high, standard + 0.05 * (standard - low))
    for axis in axes:
        axis.set_ylim(low, high)


