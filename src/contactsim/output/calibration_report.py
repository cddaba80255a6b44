"""What a calibration writes and shows: the calibrated scenario as an overlay, its tables, the
plot of published against simulated figures, and the console summary.

``calibrated.yaml`` extends the original scenario and holds only what the calibration changed
(the fitted values, and any ``--set`` given), each fitted value with its interval in a comment.
``extends`` replaces lists whole, so a fitted pool field brings the whole ``pools`` list with
it. The overlay is loaded back and compared with the calibrated scenario before it is kept.
"""

from __future__ import annotations

import calendar
import json
import os
import re
from pathlib import Path
from typing import Any

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.ticker import FuncFormatter

from contactsim.analysis.kpis import kpi_range
from contactsim.build.loading import load_scenario
from contactsim.config.overrides import EXCLUSIVE_KEYS
from contactsim.config.resolved import dump_resolved
from contactsim.data.folders import RESOLVED_SCENARIO
from contactsim.data.portable import portable_resolved
from contactsim.errors import ContactsimError
from contactsim.output.plotting import percent, save_figure
from contactsim.output.tables import COUNT, SHARE, kind
from contactsim.planning.calibration import Calibration
from contactsim.planning.calibration_misses import published_text, shown
from contactsim.planning.unknowns import locate

__all__ = ["CALIBRATED", "describe", "plot_calibration", "write_calibration"]

CALIBRATED = "calibrated.yaml"
TABLE = "calibration.csv"
PARAMETERS = "parameters.csv"
SEARCH = "search.csv"
PLOT = "calibration.png"


def write_calibration(calibration: Calibration, folder: Path, destination: Path) -> None:
    """Write every output into ``folder`` (the temporary twin of ``destination``, the folder
    the results will be renamed to: ``extends`` is written relative to it)."""
    target_table(calibration).to_csv(folder / TABLE, index=False)
    parameter_table(calibration).to_csv(folder / PARAMETERS, index=False)
    search_table(calibration).to_csv(folder / SEARCH, index=False)
    (folder / CALIBRATED).write_text(calibrated_yaml(calibration, folder, destination),
                                     encoding="utf-8")
    # inputs copied into inputs/, so that the folder reruns when moved
    portable, _ = portable_resolved(dump_resolved(calibration.scenario, calibration.seed),
                                    folder, folder)
    (folder / RESOLVED_SCENARIO).write_text(portable, encoding="utf-8")
    plot_calibration(folder)


def target_table(calibration: Calibration) -> pd.DataFrame:
    """One row per target: published figure, simulated mean and interval, met, why not."""
    return pd.DataFrame([{
        "target": r.target.label, "line": r.target.line, "kpi": r.target.kpi,
        "period": "months" if r.target.kind == "peak_month" else r.target.period_text,
        "kind": r.target.kind,
        "published": {"value": r.target.value, "peak_month": r.target.peak_month}.get(
            r.target.kind, r.target.bound),
        "tolerance": r.target.absolute_tolerance if r.target.kind == "value" else np.nan,
        "simulated_mean": r.mean, "ci_low": r.ci_low, "ci_high": r.ci_high, "met": r.met,
        "reason": r.reason, "source": r.target.source,
    } for r in calibration.results])


def parameter_table(calibration: Calibration) -> pd.DataFrame:
    """One row per unknown: start, fitted value, 95% interval, bounds, at a bound."""
    return pd.DataFrame([{
        "unknown": r.parameter.field, "start": r.parameter.start, "fitted": r.fitted,
        "ci_low": r.ci_low, "ci_high": r.ci_high, "bound_low": r.parameter.low,
        "bound_high": r.parameter.high, "at_bound": r.at_bound,
    } for r in calibration.parameters])


def search_table(calibration: Calibration) -> pd.DataFrame:
    """Every evaluation of the search: the unknowns, the objective and each target's mean."""
    fitted = [t for t in calibration.targets.spec.targets if t.in_objective]
    return pd.DataFrame([{
        "evaluation": e.number,
        **{r.parameter.field: v for r, v in zip(calibration.parameters, e.values, strict=True)},
        "objective": e.objective,
        "reps": e.reps,
        **{t.label: m for t, m in zip(fitted, e.means, strict=True)},
    } for e in calibration.evaluations])


# --- the calibrated scenario --------------------------------------------------------------------


def calibrated_yaml(calibration: Calibration, folder: Path, destination: Path) -> str:
    """The overlay scenario's text, checked by loading it back from ``folder``."""
    scenario = calibration.scenario
    full = scenario.model_dump(mode="json", by_alias=True, exclude_none=True)
    # sections written whole leave defaults out (every day of the week, a scale of 1)
    compact = scenario.model_dump(mode="json", by_alias=True, exclude_none=True,
                                  exclude_defaults=True)
    overlay: dict[str, Any] = {
        "name": f"{scenario.name}-calibrated",
        "extends": os.path.relpath(calibration.scenario_file.resolve(), destination.resolve()),
        "seed": calibration.seed,
    }
    comments: dict[tuple[str | int, ...], str] = {}
    paths = [r.parameter.path for r in calibration.parameters]
    for text in calibration.overrides:
        path, _ = locate(full, text.split("=", 1)[0].strip())
        paths.append(path or (text.split(".", 1)[0].split("=", 1)[0].strip(),))
    for path in paths:
        if any(isinstance(part, int) for part in path) or len(path) == 1:
            # extends replaces a list whole: bring the whole section
            overlay[str(path[0])] = compact.get(str(path[0]))
            if len(path) > 1 and isinstance(path[1], int):
                comments[path[:1]] = "written whole: extends replaces a list whole"
            continue
        if any(path[-1] in group for group in EXCLUSIVE_KEYS):
            path = path[:-1]  # a staffing plan or demand source replaces its mapping whole
        node = overlay
        for part in path[:-1]:
            node = node.setdefault(str(part), {})
        _, node[str(path[-1])] = locate(full, ".".join(str(p) for p in path))
    for path in [r.parameter.path for r in calibration.parameters]:
        # a fitted value is written even where it equals the default
        place: Any = overlay
        for part in path[:-1]:
            place = place[int(part)] if isinstance(place, list) else place.setdefault(str(part), {})
        place[path[-1]] = locate(full, ".".join(str(p) for p in path))[1]
    for result in calibration.parameters:
        p = result.parameter
        interval = (f"95% interval [{p.shown(result.ci_low)}, {p.shown(result.ci_high)}]"
                    if not np.isnan(result.ci_low) else "no interval: the targets do not set it")
        comments[p.path] = (f"fitted, {interval}; started at {p.shown(p.start)}, bounds "
                            f"[{p.shown(p.low)}, {p.shown(p.high)}]"
                            + (f"; at its {result.at_bound} bound" if result.at_bound else ""))
    overlay = _relative_paths(overlay, destination)
    spec = calibration.targets.spec
    header = [
        f"# {scenario.name} calibrated to {spec.name} ({calibration.targets.source}) by "
        "contactsim calibrate:",
        f"# seed {calibration.seed}, {len(calibration.evaluations)} evaluations (the best "
        f"at {calibration.best.reps} replications), objective "
        f"{calibration.best.objective:.3g}; "
        f"{len(calibration.results) - len(calibration.unmet)} of {len(calibration.results)} "
        "targets met (calibration.csv).",
    ]
    text = "\n".join([*header, *_yaml_lines(overlay, (), comments, 0)]) + "\n"
    if not _reproduces(text, calibration, folder):
        # an override the overlay cannot express: write the calibrated scenario whole
        text = "\n".join([*header, "# written whole (an override could not be written as an "
                          "overlay)", *_yaml_lines({**full, "name": overlay["name"],
                                                    "seed": calibration.seed}, (), {}, 0)]) + "\n"
        if not _reproduces(text, calibration, folder):
            raise ContactsimError("calibrated.yaml does not load back as the calibrated scenario "
                                  "(a bug in contactsim)")
    return text


def _relative_paths(node: Any, destination: Path) -> Any:
    """``node`` with every absolute path to an existing file (the loader resolves a scenario's
    files) made relative to ``destination``, so the results folder can move with its sources."""
    if isinstance(node, dict):
        return {key: _relative_paths(value, destination) for key, value in node.items()}
    if isinstance(node, list):
        return [_relative_paths(value, destination) for value in node]
    if isinstance(node, str) and os.path.isabs(node) and Path(node).is_file():
        return os.path.relpath(node, destination.resolve())
    return node


def _reproduces(text: str, calibration: Calibration, folder: Path) -> bool:
    trial = folder / CALIBRATED
    trial.write_text(text, encoding="utf-8")
    ignore = {"name", "description", "seed"}
    try:
        loaded = load_scenario(trial).scenario.model_dump(mode="json", exclude=ignore)
    except ContactsimError:
        return False
    finally:
        trial.unlink()
    return bool(loaded == calibration.scenario.model_dump(mode="json", exclude=ignore))


def _yaml_lines(node: Any, path: tuple[str | int, ...], comments: dict[tuple[str | int, ...], str],
                indent: int) -> list[str]:
    """Block-style YAML with a comment at the end of chosen lines (PyYAML writes none)."""
    pad, lines = " " * indent, []
    items = node.items() if isinstance(node, dict) else enumerate(node)
    for key, value in items:
        here = (*path, key)
        note = f"  # {comments[here]}" if here in comments else ""
        lead = f"{pad}{_key(key)}:" if isinstance(node, dict) else f"{pad}-"
        if _flat(value) and not any(p[: len(here)] == here and p != here for p in comments):
            lines.append(f"{lead} {_flow(value)}{note}")
        elif isinstance(node, dict):
            lines.append(f"{lead}{note}")
            lines.extend(_yaml_lines(value, here, comments, indent + 2))
        else:
            inner = _yaml_lines(value, here, comments, indent + 2)
            lines.append(f"{lead} {inner[0].lstrip()}{note}")
            lines.extend(inner[1:])
    return lines


def _flat(value: Any) -> bool:
    if isinstance(value, dict):
        return all(not isinstance(v, dict | list) or (isinstance(v, list) and all(
            not isinstance(i, dict | list) for i in v)) for v in value.values())
    if isinstance(value, list):
        return all(_flat(item) and not isinstance(item, list) for item in value) and not any(
            isinstance(item, dict) for item in value)
    return True


def _key(key: str | int) -> str:
    text = str(key)
    return text if re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", text) else json.dumps(text)


def _flow(value: Any) -> str:
    if isinstance(value, dict):
        return "{" + ", ".join(f"{_key(k)}: {_flow(v)}" for k, v in value.items()) + "}"
    if isinstance(value, list):
        return "[" + ", ".join(_flow(v) for v in value) + "]"
    if isinstance(value, bool) or value is None:
        return json.dumps(value)
    if isinstance(value, float):
        text = repr(value)
        # PyYAML reads 1e-05 as text: a float needs a point before its exponent
        return text.replace("e", ".0e", 1) if "e" in text and "." not in text else text
    return json.dumps(value, ensure_ascii=False)


# --- the plot ------------------------------------------------------------------------------------


def plot_calibration(folder: Path) -> Path:
    """``calibration.png`` from ``calibration.csv``: a row per target, the published figure
    (with its tolerance, or the side of the bound allowed) against the simulated mean and its
    95% interval, marked met or not met. A peak-month target, which has no interval (it is the
    month of the highest simulated mean), is drawn on a calendar: a diamond at the published
    month, a dot at the simulated one."""
    table = pd.read_csv(folder / TABLE, dtype={"line": str})
    figure, axes = plt.subplots(len(table), 1, figsize=(8, 0.95 * len(table) + 0.8),
                                squeeze=False)
    for axis, (_, row) in zip(axes[:, 0], table.iterrows(), strict=True):
        met = bool(row["met"])
        colour = "tab:green" if met else "tab:red"
        published, mean = float(row["published"]), float(row["simulated_mean"])
        if row["kind"] == "peak_month":
            # no band and no interval: a month is found, not estimated with an error
            axis.plot([published], [0], "D", color="0.3", markersize=8, label="published")
            if np.isfinite(mean):
                axis.plot([mean], [0], "o", color=colour, markersize=7, label="simulated")
            found = calendar.month_abbr[int(mean)] if np.isfinite(mean) else "none"
            axis.text(1.0, 0.5, f"published {calendar.month_abbr[int(published)]}, "
                      f"simulated {found}  ", transform=axis.transAxes, ha="right",
                      va="center", fontsize=8)
            axis.set_xlim(0.5, 12.5)
            axis.set_xticks(range(1, 13), [calendar.month_abbr[m] for m in range(1, 13)])
            axis.grid(axis="x", alpha=0.3)
        else:
            low, high = float(row["ci_low"]), float(row["ci_high"])
            points = [published, mean, low, high]
            if row["kind"] == "value":
                tolerance = float(row["tolerance"])
                points += [published - tolerance, published + tolerance]
                axis.axvspan(published - tolerance, published + tolerance, color="0.85")
            finite = [p for p in points if np.isfinite(p)]
            pad = 0.15 * ((max(finite) - min(finite)) or abs(published) or 1.0)
            lowest = kpi_range(str(row["kpi"]))[0]
            left, right = max(min(finite) - pad, lowest), max(finite) + pad
            if row["kind"] != "value":
                allowed = (left, published) if row["kind"] == "at_most" else (published, right)
                axis.axvspan(*allowed, color="0.85")
            axis.axvline(published, color="0.3", linestyle="--")
            error = [[mean - low], [high - mean]] if np.isfinite(low) else None
            axis.errorbar([mean], [0], xerr=error, fmt="o", color=colour, capsize=4)
            axis.set_xlim(left, right)
            if kind(str(row["kpi"])) == SHARE:
                axis.xaxis.set_major_formatter(FuncFormatter(percent))
            elif kind(str(row["kpi"])) == COUNT:
                axis.xaxis.set_major_formatter(FuncFormatter(lambda v, _: f"{v:,.0f}"))
        axis.set_yticks([])
        axis.set_title(f"{row['target']}: {'met' if met else 'NOT MET'}", loc="left",
                       fontsize=9, color="black" if met else "tab:red")
    figure.suptitle("Published (dashed; grey: tolerance or allowed side) against simulated "
                    "(mean, 95% interval);\nmonth of the peak: published ◆, simulated ●",
                    fontsize=9)
    return save_figure(figure, folder / PLOT)


# --- the console ------------------------------------------------------------------------------


def describe(calibration: Calibration) -> str:
    """The targets, the fitted unknowns, and the targets not met with the reasons."""
    lines = [f"{'target':<34} {'published':>18}   {'simulated [95% interval]':<30} met"]
    for r in calibration.results:
        if r.target.kind == "peak_month":
            simulated = calendar.month_name[int(r.mean)] if np.isfinite(r.mean) else "—"
        else:
            simulated = f"{shown(r.mean)} [{shown(r.ci_low)}, {shown(r.ci_high)}]"
        lines.append(f"{r.target.label[:34]:<34} {published_text(r.target):>18}   "
                     f"{simulated:<30} {'yes' if r.met else 'NO'}")
    lines += ["", f"{'unknown':<34} {'start':>10} {'fitted':>10}   {'95% interval':<22} bounds"]
    for p in calibration.parameters:
        q = p.parameter
        lines.append(f"{q.label[:34]:<34} {q.shown(q.start):>10} {q.shown(p.fitted):>10}   "
                     f"{'[' + q.shown(p.ci_low) + ', ' + q.shown(p.ci_high) + ']':<22} "
                     f"[{q.shown(q.low)}, {q.shown(q.high)}]"
                     + (f"  at its {p.at_bound} bound" if p.at_bound else ""))
    if calibration.unmet:
        lines += ["", "not met:"] + [f"- {r.target.label}: {r.reason}" for r in calibration.unmet]
    if calibration.notes:
        lines += ["", "notes:"] + [f"- {note}" for note in calibration.notes]
    return "\n".join(lines)
