"""A self-contained HTML page for a saved run, comparison or sweep, to open and forward.

The page says what the scenario is in words, shows the KPIs with their 95% intervals, marks
them against targets (999: 90% answered within 10 s, the national standard) as met, missed or
not yet clear, and embeds the plots, so that one file carries everything.
"""

from __future__ import annotations

import base64
import html
import math
import os
from pathlib import Path
from typing import Any

import pandas as pd
import yaml

from contactsim.kpis import KPIS

REPORT = "report.html"

#: Targets a report marks: (line, kpi) -> (at least, label)
TARGETS = {("999", "service_level"): (0.90, "national standard: 90% answered within 10 s")}

SHOWN_KPIS = (
    "offered", "answered", "abandon_rate", "asa_s", "wait_p90_s", "service_level",
    "callbacks_offered", "callbacks_accepted", "callback_wait_s", "redials", "occupancy",
    "rc_incidents", "rc_resolved", "rc_share_of_incidents", "rc_backlog_end",
    "rc_time_to_resolve_h",
)

#: KPIs of features a scenario may not use: left out of a run's table when zero or empty.
OPTIONAL_KPIS = ("callbacks_offered", "callbacks_accepted", "callback_wait_s", "redials")

STYLE = """
body { font-family: system-ui, sans-serif; margin: 2em auto; max-width: 70em; color: #222; }
h1 { font-size: 1.6em; } h2 { font-size: 1.25em; margin-top: 1.6em; }
table { border-collapse: collapse; margin: .6em 0; font-size: .92em; }
th, td { border-bottom: 1px solid #ddd; padding: .3em .7em; text-align: right; }
th:first-child, td:first-child, th:nth-child(2), td:nth-child(2) { text-align: left; }
.met { color: #176117; font-weight: 600; } .missed { color: #a11; font-weight: 600; }
.unclear { color: #8a5a00; font-weight: 600; }
img { max-width: 100%; border: 1px solid #eee; margin: .5em 0; }
.words li { margin: .2em 0; } .small { color: #666; font-size: .85em; }
"""

# Marks the page for checks in a real browser: every image decoded, and no script error.
CHECK_SCRIPT = """
window.addEventListener('error', function () { document.body.dataset.errors = 'yes'; });
window.addEventListener('load', function () {
  var images = Array.prototype.slice.call(document.images);
  var ok = images.every(function (i) { return i.complete && i.naturalWidth > 0; });
  document.body.dataset.imagesOk = ok ? 'true' : 'false';
});
"""


def write_report(folder: str | Path) -> Path:
    """Write ``report.html`` into a saved run, comparison or sweep folder; returns its path."""
    folder = Path(folder)
    if (folder / "sweep.json").exists():
        title, body = _sweep(folder)
    elif (folder / "compare.csv").exists():
        title, body = _comparison(folder)
    elif (folder / "summary.csv").exists():
        title, body = _run(folder)
    else:
        raise FileNotFoundError(
            f"{folder}: no summary.csv, compare.csv or sweep.json: not a contactsim results folder"
        )
    page = (
        "<!DOCTYPE html>\n<html lang='en'><head><meta charset='utf-8'>"
        f"<title>{html.escape(title)}</title><style>{STYLE}</style>"
        f"<script>{CHECK_SCRIPT}</script></head><body>\n<h1>{html.escape(title)}</h1>\n"
        f"{body}\n<p class='small'>Made by contactsim from the files in "
        f"{html.escape(str(folder))}.</p></body></html>\n"
    )
    path = folder / REPORT
    temporary = folder / f".{REPORT}.partial"
    temporary.write_text(page, encoding="utf-8")
    os.replace(temporary, path)
    return path


# --- pages ----------------------------------------------------------------------------------


def _run(folder: Path) -> tuple[str, str]:
    scenario = _resolved(folder / "scenario.resolved.yaml")
    summary = pd.read_csv(folder / "summary.csv", dtype={"scope": str})
    reps = int(summary["reps"].max()) if len(summary) else 0
    parts = [
        f"<p>{html.escape(str(scenario.get('description') or ''))}</p>",
        "<h2>The scenario in words</h2>", _in_words(scenario),
        f"<h2>Results</h2><p>Means of {reps} replications with 95% intervals (seed "
        f"{scenario.get('seed')}).</p>",
        _kpi_table(summary),
        _images(folder, ["kpis_by_hour.png", "kpis_by_month.png", "kpis_by_day.png",
                         "callbacks_by_hour.png", "rc_backlog.png"]),
    ]
    return f"contactsim run: {scenario.get('name', folder.name)}", "\n".join(parts)


def _comparison(folder: Path) -> tuple[str, str]:
    table = pd.read_csv(folder / "compare.csv", dtype={"scope": str, "scenario": str})
    names = list(dict.fromkeys(table["scenario"]))
    parts = [f"<p>{len(names)} scenarios run with the same callers (same seed); differences "
             f"are paired, replication by replication, against <b>{html.escape(names[0])}</b>."
             "</p>"]
    for name in names:
        scenario = _resolved(folder / "runs" / name / "scenario.resolved.yaml")
        parts.append(f"<h2>{html.escape(name)}</h2>{_in_words(scenario)}")
    parts.append("<h2>KPIs against the first scenario</h2>")
    header = "".join(f"<th>{html.escape(n)}<br>mean [95%]</th>" for n in names)
    header += "".join(f"<th>{html.escape(n)} − {html.escape(names[0])}<br>paired [95%]</th>"
                      for n in names[1:])
    rows = [f"<table><tr><th>scope</th><th>KPI</th>{header}</tr>"]
    shown = table[table["kpi"].isin(SHOWN_KPIS)]
    for (scope, kpi), group in shown.groupby(["scope", "kpi"], sort=False):
        by_name = group.set_index("scenario").reindex(names)
        if not (by_name["mean"].fillna(0) != 0).any():
            continue  # nothing to show: a line without callbacks, say
        cells = "".join(
            f"<td>{_interval(r.mean, r.ci_low, r.ci_high, kpi)} "
            f"{_target(scope, kpi, r.ci_low, r.ci_high)}</td>"
            for r in by_name.itertuples()
        )
        cells += "".join(
            f"<td>{_interval(r.diff_mean, r.diff_low, r.diff_high, kpi)}</td>"
            for r in by_name.iloc[1:].itertuples()
        )
        rows.append(f"<tr><td>{html.escape(scope)}</td><td>{_label(kpi)}</td>{cells}</tr>")
    parts.append("".join(rows) + "</table>")
    parts.append(_images(folder, ["compare_kpis.png", "compare_by_hour.png",
                                  "compare_by_month.png", "compare_by_day.png"]))
    return "contactsim comparison: " + " vs ".join(names), "\n".join(parts)


def _sweep(folder: Path) -> tuple[str, str]:
    summary = pd.read_csv(folder / "sweep_summary.csv", dtype={"scope": str})
    points = summary[["point", "point_name"]].drop_duplicates()
    parts = [f"<p>{len(points)} points, each run for {int(summary['reps'].max())} "
             "replications with the same seeds.</p>"]
    failures = folder / "failures.csv"
    if failures.exists():
        failed = pd.read_csv(failures)
        parts.append(f"<p class='missed'>{len(failed)} runs failed: see failures.csv.</p>")
    for scope, kpi in (("999", "service_level"), ("999", "asa_s"), ("101", "asa_s"),
                       ("101", "abandon_rate")):
        data = summary[(summary["scope"] == scope) & (summary["kpi"] == kpi)]
        if data.empty:
            continue
        rows = [f"<h2>{html.escape(scope)}: {_label(kpi)}</h2><table><tr><th>point</th>"
                "<th>changes</th><th>mean [95%]</th><th>target</th></tr>"]
        for row in data.itertuples():
            rows.append(
                f"<tr><td>{row.point}</td><td>{html.escape(str(row.point_name))}</td>"
                f"<td>{_interval(row.mean, row.ci_low, row.ci_high, kpi)}</td>"
                f"<td>{_target(scope, kpi, row.ci_low, row.ci_high)}</td></tr>"
            )
        parts.append("".join(rows) + "</table>")
    parts.append(_images(folder, sorted(p.name for p in folder.glob("sweep_*.png"))))
    return f"contactsim sweep: {folder.name}", "\n".join(parts)


# --- pieces ---------------------------------------------------------------------------------


def _resolved(path: Path) -> dict[str, Any]:
    text = path.read_text(encoding="utf-8") if path.exists() else ""
    data = yaml.safe_load(text) if text else {}
    return data if isinstance(data, dict) else {}


def _in_words(scenario: dict[str, Any]) -> str:
    horizon = scenario.get("horizon", {})
    items = [f"{horizon.get('days', '?')} days from {horizon.get('start', '?')}, the first "
             f"{horizon.get('warmup_hours', 0)} h as warm-up"]
    for line, demand in (scenario.get("demand") or {}).items():
        if "annual_volume" in demand:
            what = f"{demand['annual_volume']:,.0f} calls a year shaped by a profile"
        elif "rate_per_hour" in demand:
            what = f"{demand['rate_per_hour']:g} calls an hour"
        else:
            what = f"replayed from {Path(str(demand.get('replay'))).name}"
        extra = "" if demand.get("growth", 1) == 1 else f", growth ×{demand['growth']:g}"
        items.append(f"line {html.escape(str(line))}: {html.escape(what)}{extra}")
    for pool in scenario.get("pools") or []:
        staffing = pool.get("staffing", {})
        plan = ("flat " + str(staffing["flat"]) if "flat" in staffing else
                f"{len(staffing['shifts'])} shifts" if "shifts" in staffing else
                "a per-interval plan")
        items.append(f"pool {html.escape(str(pool.get('name')))} answers "
                     f"{', '.join(map(str, pool.get('skills', [])))}: {plan}")
    items.append(f"shrinkage {scenario.get('shrinkage', 0):.0%}")
    callback = scenario.get("callback")
    if callback:
        items.append(f"callbacks offered to {callback.get('line')} callers after "
                     f"{callback.get('offer_after_s', 0) / 60:g} min in the queue "
                     f"({callback.get('hours')}), served {callback.get('serve')}")
    if scenario.get("redial"):
        rules = scenario["redial"].items()
        items.append("abandoning callers redial: " + ", ".join(
            f"{line} {rule.get('probability', 0):.0%}" for line, rule in rules))
    rc = scenario.get("resolution_centre")
    if rc:
        items.append(f"a Resolution Centre open {rc.get('hours')}")
    return "<ul class='words'>" + "".join(f"<li>{item}</li>" for item in items) + "</ul>"


def _kpi_table(summary: pd.DataFrame) -> str:
    rows = ["<table><tr><th>scope</th><th>KPI</th><th>mean</th><th>95% interval</th>"
            "<th>target</th></tr>"]
    for row in summary[summary["kpi"].isin(SHOWN_KPIS)].itertuples():
        if row.kpi in OPTIONAL_KPIS and not (row.mean == row.mean and row.mean != 0):
            continue  # a feature the scenario does not use (no callbacks, no redials)
        rows.append(
            f"<tr><td>{html.escape(row.scope)}</td><td>{_label(row.kpi)}</td>"
            f"<td>{_number(row.mean, row.kpi)}</td>"
            f"<td>[{_number(row.ci_low, row.kpi)}, {_number(row.ci_high, row.kpi)}]</td>"
            f"<td>{_target(row.scope, row.kpi, row.ci_low, row.ci_high)}</td></tr>"
        )
    return "".join(rows) + "</table>"


def _target(scope: str, kpi: str, low: float, high: float) -> str:
    target = TARGETS.get((scope, kpi))
    if target is None:
        return ""
    level, label = target
    if not (math.isnan(low) or math.isnan(high)) and low >= level:
        verdict = "<span class='met'>met</span>"
    elif not math.isnan(high) and high < level:
        verdict = "<span class='missed'>missed</span>"
    else:
        verdict = "<span class='unclear'>not clear at these replications</span>"
    return f"{verdict} <span class='small'>({html.escape(label)})</span>"


def _label(kpi: str) -> str:
    found = KPIS.get(kpi)
    name = found.label if found else kpi
    unit = f" ({found.unit})" if found and found.unit in ("s", "h") else ""
    return html.escape(name + unit)


def _number(value: float, kpi: str) -> str:
    if value != value:  # NaN
        return "—"
    found = KPIS.get(kpi)
    if found and found.unit == "share":
        return f"{value:.1%}"
    return f"{value:,.0f}" if abs(value) >= 1000 else f"{value:,.1f}"


def _interval(mean: float, low: float, high: float, kpi: str) -> str:
    return f"{_number(mean, kpi)} [{_number(low, kpi)}, {_number(high, kpi)}]"


def _images(folder: Path, names: list[str]) -> str:
    parts = []
    for name in names:
        path = folder / name
        if path.exists():
            data = base64.b64encode(path.read_bytes()).decode("ascii")
            parts.append(f"<img alt='{html.escape(name)}' src='data:image/png;base64,{data}'>")
    return "<h2>Plots</h2>" + "\n".join(parts) if parts else ""
