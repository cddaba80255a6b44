"""Plots for planning: a KPI over a sweep's points (a heatmap, or lines with intervals), and the
operators a staffing search found required against the scenario's staffing. Scenario fields and
KPIs are written in words (:func:`field_words`, :func:`kpi_words`).
"""

from __future__ import annotations

from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.ticker import MaxNLocator

from contactsim.analysis.kpi_names import ASA_S
from contactsim.analysis.kpis import kpi_named
from contactsim.data.files import child
from contactsim.output.plotting import save_figure
from contactsim.output.tables import SHARE, kind, number, scope_label

__all__ = ["field_words", "kpi_words", "plot_staffing", "plot_sweep"]


#: Collections whose items a dotted field names by key: ``pools.blended`` is "blended pool".
_NAMED_ITEMS = {"pools": "pool", "variants": "variant"}
#: Sections keyed by line: ``demand.101`` is "line 101 demand".
_BY_LINE = ("demand", "handling", "redial", "triage")
#: Path parts that add nothing for a reader.
_SILENT = ("staffing",)


def field_words(path: str) -> str:
    """A dotted scenario field in words, for a plot's axis or legend:
    ``pools.blended.staffing.shifts.0.count`` is "blended pool, shift 1 count",
    ``handling.101.patience.mean_s`` "line 101 handling, patience, mean (s)",
    ``callback.offer_after_s`` "callback, offer after (s)", ``shrinkage`` "shrinkage".

    Each part becomes words (``_`` a space, an ``_s`` or ``_h`` ending a unit); an index
    makes its list's item ("shifts.0": "shift 1"), which the next part follows without a
    comma; a pool's or a line's key names it; other parts are separated by commas."""
    parts = path.split(".")
    pieces: list[tuple[str, bool]] = []  # (words, whether the next part follows without a comma)
    index = 0
    while index < len(parts):
        part = parts[index]
        following = parts[index + 1] if index + 1 < len(parts) else None
        if following is not None and part in _BY_LINE:  # a line's key may be digits: 999
            pieces.append((f"line {following} {part}", False))
            index += 2
        elif following is not None and following.isdigit():
            singular = part[:-1] if part.endswith("s") else part
            pieces.append((f"{singular.replace('_', ' ')} {int(following) + 1}", True))
            index += 2
        elif following is not None and part in _NAMED_ITEMS:
            pieces.append((f"{following} {_NAMED_ITEMS[part]}", False))
            index += 2
        else:
            if part == "resolution_centre":
                pieces.append(("Resolution Centre", False))
            elif part not in _SILENT or index == len(parts) - 1:
                unit = {"_s": " (s)", "_h": " (h)"}.get(part[-2:], "")
                pieces.append(((part[:-2] if unit else part).replace("_", " ") + unit, False))
            index += 1
    text = ""
    for number_of, (words, glue) in enumerate(pieces):
        text += words + ("" if number_of == len(pieces) - 1 else " " if glue else ", ")
    return text


def kpi_words(scope: str, kpi: str) -> str:
    """A KPI of a scope in words, with its unit: "line 101: Average speed of answer (s)"."""
    found = kpi_named(kpi)
    label = found.label if found is not None else kpi
    unit = "%" if kind(kpi) == SHARE else (found.unit if found is not None else "")
    return f"{scope_label(scope, kpi)}: {label}" + (f" ({unit})" if unit else "")


def _text_colour(rgba: tuple[float, ...]) -> str:
    """Dark text on a light cell, light text on a dark one (by the cell's luminance)."""
    red, green, blue = rgba[:3]
    return "black" if 0.299 * red + 0.587 * green + 0.114 * blue > 0.5 else "white"


def plot_sweep(folder: str | Path, scope: str | None, kpi: str | None) -> list[Path]:
    """A chosen KPI (default: the first line's ASA) over a saved sweep's points: a heatmap for
    a grid of two fields, lines (with 95% intervals) otherwise; fields and the KPI in words,
    shares in %."""
    folder = Path(folder)
    summary = pd.read_csv(folder / "sweep_summary.csv", dtype={"scope": str})
    tidy = pd.read_parquet(folder / "sweep.parquet")
    scope = scope or str(summary["scope"].iloc[0])
    kpi = kpi or ASA_S
    data = summary[(summary["scope"] == scope) & (summary["kpi"] == kpi)]
    if data.empty:
        return []
    scale = 100.0 if kind(kpi) == SHARE else 1.0
    data = data.assign(**{c: data[c] * scale for c in ("mean", "ci_low", "ci_high")})
    fields = [c for c in tidy.columns if c not in ("point", "point_name", "replication", "scope",
                                                   "kpi", "value")]
    values = tidy.drop_duplicates("point").set_index("point")[fields]
    data = data.join(values, on="point")
    what = kpi_words(scope, kpi)
    figure, axis = plt.subplots(figsize=(7.5, 4.8))
    varying = [f for f in fields if data[f].nunique() > 1]
    if len(varying) == 2:
        table = data.pivot_table(index=varying[0], columns=varying[1], values="mean")
        cells = table.to_numpy(dtype=float)
        image = axis.imshow(cells, origin="lower", aspect="auto", cmap="viridis")
        axis.set_yticks(range(len(table.index)), [f"{v:g}" if isinstance(v, float) else str(v)
                                                  for v in table.index])
        axis.set_xticks(range(len(table.columns)), [f"{v:g}" if isinstance(v, float) else str(v)
                                                    for v in table.columns])
        axis.set_ylabel(field_words(varying[0]))
        axis.set_xlabel(field_words(varying[1]))
        places = max(0, min(2, 2 - int(np.floor(np.log10(np.nanmax(np.abs(cells)) or 1.0)))))
        for (row, column), value in pd.DataFrame(cells).stack().items():
            axis.text(column, row, number(float(value), places), ha="center", va="center",
                      color=_text_colour(tuple(image.cmap(image.norm(value)))),
                      fontsize="small")
        figure.colorbar(image, ax=axis, label=what)
    else:
        x = varying[0] if varying else "point"
        for colour, (group_name, part) in enumerate(
            data.groupby(varying[1:] if len(varying) > 1 else (lambda _: ""))
        ):
            part = part.sort_values(x)
            keys = group_name if isinstance(group_name, tuple) else (group_name,)
            label = ("\n".join(f"{field_words(f)} = {v:g}" if isinstance(v, float) else
                                f"{field_words(f)} = {v}" for f, v in zip(varying[1:], keys,
                                                                          strict=True))
                     if len(varying) > 1 else None)
            axis.errorbar(part[x].astype(str) if x == "point" else part[x], part["mean"],
                          yerr=[part["mean"] - part["ci_low"], part["ci_high"] - part["mean"]],
                          marker="o", capsize=3, color=f"C{colour}", label=label)
        axis.set_xlabel(field_words(x) if x != "point" else "point")
        axis.set_ylabel(what)
        axis.grid(alpha=0.3)
        if len(varying) > 1:  # beside the plot: the labels are long, the lines close
            figure.set_size_inches(11, 4.8)
            axis.legend(fontsize="small", loc="upper left", bbox_to_anchor=(1.02, 1.0),
                        labelspacing=0.9)
    axis.set_title(f"Sweep: {what} — mean over replications", fontsize="medium")
    return [save_figure(figure, child(folder, f"sweep_{scope}_{kpi}", "plot name", ".png"))]


def plot_staffing(required: pd.DataFrame, grouping: str, path: Path) -> Path:
    """Operators on the phones required against now, per pool, by hour of week (or of day)."""
    pools = list(dict.fromkeys(required["pool"]))
    figure, axes = plt.subplots(len(pools), 1, figsize=(12, 2.6 * len(pools)), sharex=True,
                                squeeze=False)
    for axis, pool in zip(axes[:, 0], pools, strict=True):
        rows = required[required["pool"] == pool]
        axis.step(rows["key"], rows["current_on_phones"], where="post", color="0.55",
                  label="now (mean)")
        axis.step(rows["key"], rows["required_on_phones"], where="post", color="C3",
                  label="required")
        axis.set_ylabel(f"{pool}\non the phones")
        axis.yaxis.set_major_locator(MaxNLocator(integer=True))
        axis.grid(alpha=0.3)
    axes[0, 0].legend(loc="upper right", fontsize="small")
    bottom = axes[-1, 0]
    if grouping == "hour_of_week":
        bottom.set_xticks(range(0, 168, 24), ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"])
        bottom.set_xlabel("hour of the week")
    elif grouping == "hour_of_day":
        bottom.set_xlabel("hour of the day")
    figure.suptitle("Operators required to meet the targets, against the scenario's staffing")
    return save_figure(figure, path)
