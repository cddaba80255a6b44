"""A self-contained HTML page for a saved run, comparison or sweep, to open and forward.

The page says what the scenario is in words, shows the KPIs with their 95% intervals, marks
them against targets (999: 90% answered within 10 s, the national standard) as met, missed or
not yet clear, and embeds the plots, so that one file carries everything.

The page is made from the folder's files only. Every saved table is read by
:func:`~contactsim.output.saved_tables.read_saved_table`, which checks it is the table
contactsim wrote (UTF-8 CSV, the columns, numbers where numbers are due) and otherwise raises
:class:`~contactsim.errors.ContactsimError` naming the file: a garbled folder gives a message,
never a traceback or a half-made page. The scenario in words is
:mod:`contactsim.output.scenario_words`'s.
"""

from __future__ import annotations

import base64
import html
import math
from pathlib import Path
from typing import Any

import pandas as pd
import yaml

from contactsim.analysis.kpi_names import (
    ABANDON_RATE,
    ANSWERED,
    ASA_S,
    CALL_BACK_WAIT_S,
    CALL_BACKS_MADE,
    CALLBACK_WAIT_S,
    CALLBACKS_ACCEPTED,
    CALLBACKS_OFFERED,
    DUPLICATES_OFFERED,
    OCCUPANCY,
    OFFERED,
    RC_BACKLOG_END,
    RC_INCIDENTS,
    RC_RESOLVED,
    RC_SHARE_OF_INCIDENTS,
    RC_TIME_TO_RESOLVE_H,
    REDIALS,
    SERVICE_LEVEL,
    SERVICE_LEVEL_EXCLUDING_DUPLICATES,
    WAIT_P90_S,
)
from contactsim.analysis.kpis import kpi_named
from contactsim.analysis.stats import few_replications_warning
from contactsim.config.lines import EMERGENCY_LINE
from contactsim.config.yaml_reading import read_yaml
from contactsim.data.files import write_text_atomic
from contactsim.data.folders import MARKER, RESOLVED_SCENARIO, read_marker
from contactsim.errors import ContactsimError, EnvironmentFault, ScenarioError
from contactsim.limits import MAX_TABLE_BYTES
from contactsim.output import tables
from contactsim.output.bad_days_html import bad_days_section
from contactsim.output.results import comparison_run_folder
from contactsim.output.saved_tables import (
    COMPARE_COLUMNS,
    FAILURES_COLUMNS,
    SUMMARY_COLUMNS,
    SWEEP_SUMMARY_COLUMNS,
    read_saved_table,
)
from contactsim.output.scenario_words import scenario_in_words

REPORT = "report.html"

#: Targets a report marks: (line, kpi) -> (at least, label)
TARGETS = {
    (EMERGENCY_LINE, SERVICE_LEVEL): (0.90, "national standard: 90% answered within 10 s"),
}

SHOWN_KPIS = (
    OFFERED, ANSWERED, ABANDON_RATE, ASA_S, WAIT_P90_S, SERVICE_LEVEL,
    # lines with bursts, or with silent and dropped calls called back, only
    DUPLICATES_OFFERED, SERVICE_LEVEL_EXCLUDING_DUPLICATES, CALL_BACKS_MADE, CALL_BACK_WAIT_S,
    CALLBACKS_OFFERED, CALLBACKS_ACCEPTED, CALLBACK_WAIT_S, REDIALS, OCCUPANCY,
    RC_INCIDENTS, RC_RESOLVED, RC_SHARE_OF_INCIDENTS, RC_BACKLOG_END,
    RC_TIME_TO_RESOLVE_H,
)

#: KPIs of features a scenario may not use: left out of a run's table when zero or empty.
OPTIONAL_KPIS = (CALLBACKS_OFFERED, CALLBACKS_ACCEPTED, CALLBACK_WAIT_S, REDIALS)

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
    """Write ``report.html`` into a saved run, comparison or sweep folder; returns its path.

    Raises :class:`ContactsimError` (and writes nothing) if the folder is not a results folder
    or a file in it is not what contactsim wrote; :class:`EnvironmentFault` if the page cannot
    be written.
    """
    folder = Path(folder)
    if read_marker(folder) is None:
        raise ContactsimError(
            f"{folder} is not a contactsim results folder (it has no {MARKER} marker), so no "
            "report.html is written into it"
        )
    if (folder / "sweep.json").exists() or (folder / "sweep_summary.csv").exists():
        title, body = _sweep(folder)
    elif (folder / "compare.csv").exists():
        title, body = _comparison(folder)
    elif (folder / "summary.csv").exists():
        title, body = _run(folder)
    else:
        raise ContactsimError(
            f"{folder} is not a contactsim results folder: it has no summary.csv (a run), "
            "compare.csv (a comparison) or sweep.json (a sweep)"
        )
    page = (
        "<!DOCTYPE html>\n<html lang='en'><head><meta charset='utf-8'>"
        f"<title>{html.escape(title)}</title><style>{STYLE}</style>"
        f"<script>{CHECK_SCRIPT}</script></head><body>\n<h1>{html.escape(title)}</h1>\n"
        f"{body}\n<p class='small'>Made by contactsim from the files in "
        f"{html.escape(str(folder))}.</p></body></html>\n"
    )
    path = folder / REPORT
    try:
        write_text_atomic(path, page)
    except OSError as exc:
        raise EnvironmentFault(f"{path} cannot be written ({exc.strerror or exc})") from None
    return path


# --- pages ----------------------------------------------------------------------------------


def _run(folder: Path) -> tuple[str, str]:
    summary = read_saved_table(folder / "summary.csv", "summary", SUMMARY_COLUMNS,
                               unique=("scope", "kpi"))
    scenario, words = _scenario(folder / RESOLVED_SCENARIO)
    reps = int(summary["reps"].max())
    parts = [
        f"<p>{html.escape(str(scenario.get('description') or ''))}</p>",
        "<h2>The scenario in words</h2>", words,
        f"<h2>Results</h2><p>Means of {reps} replications with 95% intervals (seed "
        f"{html.escape(str(scenario.get('seed')))}).</p>",
        _few_replications(reps),
        _kpi_table(summary),
        bad_days_section(folder, scenario),
        _images(folder, ["kpis_by_hour.png", "kpis_by_month.png", "kpis_by_day.png",
                         "days_heatmap.png", "callbacks_by_hour.png", "rc_backlog.png"]),
    ]
    return f"contactsim run: {scenario.get('name', folder.name)}", "\n".join(parts)


def _comparison(folder: Path) -> tuple[str, str]:
    table = read_saved_table(folder / "compare.csv", "comparison", COMPARE_COLUMNS,
                             unique=("scenario", "scope", "kpi"))
    names = list(dict.fromkeys(table["scenario"]))
    parts = [f"<p>{len(names)} scenarios run with the same callers (same seed); differences "
             f"are paired, replication by replication, against <b>{html.escape(names[0])}</b>."
             "</p>", _few_replications(int(table["reps"].max()))]
    for name in names:
        _, words = _scenario(comparison_run_folder(folder, name) / RESOLVED_SCENARIO)
        parts.append(f"<h2>{html.escape(name)}</h2>{words}")
    parts.append("<h2>KPIs against the first scenario</h2>")
    header = "".join(f"<th>{html.escape(n)}<br>mean [95%]</th>" for n in names)
    header += "".join(f"<th>{html.escape(n)} − {html.escape(names[0])}<br>paired [95%]</th>"
                      for n in names[1:])
    rows = [f"<table><tr><th>line / pool</th><th>KPI</th>{header}</tr>"]
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
            f"<td>{_interval(r.diff_mean, r.diff_low, r.diff_high, kpi, difference=True)}</td>"
            for r in by_name.iloc[1:].itertuples()
        )
        rows.append(f"<tr><td>{_scope(scope, kpi)}</td><td>{_label(kpi)}</td>{cells}</tr>")
    parts.append("".join(rows) + "</table>")
    parts.append(_images(folder, ["compare_kpis.png", "compare_by_hour.png",
                                  "compare_by_month.png", "compare_by_day.png"]))
    return "contactsim comparison: " + " vs ".join(names), "\n".join(parts)


def _sweep(folder: Path) -> tuple[str, str]:
    failures = folder / "failures.csv"
    failed = (read_saved_table(failures, "list of failed runs", FAILURES_COLUMNS,
                               unique=("point", "replication"))
              if failures.exists() else None)
    note = (f"<p class='missed'>{len(failed)} runs failed: see failures.csv.</p>"
            if failed is not None else "")
    if not (folder / "sweep_summary.csv").exists() and failed is not None:
        return (f"contactsim sweep: {folder.name}",
                f"<p class='missed'>No run of the sweep succeeded.</p>{note}")
    summary = read_saved_table(folder / "sweep_summary.csv", "sweep summary",
                               SWEEP_SUMMARY_COLUMNS, unique=("point", "scope", "kpi"))
    points = summary[["point", "point_name"]].drop_duplicates()
    reps = int(summary["reps"].max())
    parts = [f"<p>{len(points)} points, each run for {reps} replications with the same "
             "seeds.</p>", _few_replications(reps), note]
    for scope, kpi in ((EMERGENCY_LINE, SERVICE_LEVEL), (EMERGENCY_LINE, ASA_S), ("101", ASA_S),
                       ("101", ABANDON_RATE)):
        data = summary[(summary["scope"] == scope) & (summary["kpi"] == kpi)]
        if data.empty:
            continue
        rows = [f"<h2>{_scope(scope, kpi)}: {_label(kpi)}</h2><table><tr><th>point</th>"
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


def _scenario(path: Path) -> tuple[dict[str, Any], str]:
    """A saved resolved scenario and its description in words ({} and an empty list if the
    file is missing); :class:`ContactsimError` naming the file if it is not one."""
    try:
        if not path.exists():
            return {}, scenario_in_words({})
        try:  # the same reader, within the same limits, as a scenario a planner gives
            data = read_yaml(path, "resolved scenario")[1] or {}
        except ScenarioError as exc:
            raise ValueError(str(exc.problems[0])) from None
        if not isinstance(data, dict):
            raise ValueError("not a mapping of fields")
        return data, scenario_in_words(data)
    except OSError as exc:
        why = f"it cannot be read: {exc.strerror or exc}"
    except UnicodeDecodeError:
        why = "not UTF-8 text"
    except yaml.YAMLError as exc:
        why = f"not YAML: {str(exc).splitlines()[0]}"
    except (ValueError, TypeError, KeyError, AttributeError, RecursionError) as exc:
        why = f"unexpected content: {str(exc)[:120]}"
    raise ContactsimError(f"{path} is not a contactsim resolved scenario ({why})")


def _few_replications(reps: int) -> str:
    warning = few_replications_warning(reps)
    return f"<p class='unclear'>Note: {html.escape(warning)}.</p>" if warning else ""


def _kpi_table(summary: pd.DataFrame) -> str:
    rows = ["<table><tr><th>line / pool</th><th>KPI</th><th>mean</th><th>95% interval</th>"
            "<th>target</th></tr>"]
    for row in summary[summary["kpi"].isin(SHOWN_KPIS)].itertuples():
        if row.kpi in OPTIONAL_KPIS and not (row.mean == row.mean and row.mean != 0):
            continue  # a feature the scenario does not use (no callbacks, no redials)
        rows.append(
            f"<tr><td>{_scope(row.scope, row.kpi)}</td><td>{_label(row.kpi)}</td>"
            f"<td>{_number(row.mean, row.kpi, _places(row))}</td>"
            f"<td>[{_number(row.ci_low, row.kpi, _places(row), sign=False)}, "
            f"{_number(row.ci_high, row.kpi, _places(row), sign=False)}]</td>"
            f"<td>{_target(row.scope, row.kpi, row.ci_low, row.ci_high)}</td></tr>"
        )
    return "".join(rows) + "</table>"


#: A verdict against a target, in words.
VERDICT_WORDS = {"met": "met", "missed": "missed", "unclear": "not clear at these replications"}


def verdict(scope: str, kpi: str, low: float, high: float) -> tuple[str, str] | None:
    """A KPI's interval against its target (:data:`TARGETS`): ``("met", label)`` when the whole
    interval meets it, ``"missed"`` when none of it does, ``"unclear"`` otherwise; None for a
    KPI without a target."""
    target = TARGETS.get((scope, kpi))
    if target is None:
        return None
    level, label = target
    if not (math.isnan(low) or math.isnan(high)) and low >= level:
        return "met", label
    if not math.isnan(high) and high < level:
        return "missed", label
    return "unclear", label


def _target(scope: str, kpi: str, low: float, high: float) -> str:
    found = verdict(scope, kpi, low, high)
    if found is None:
        return ""
    kind, label = found
    return (f"<span class='{kind}'>{VERDICT_WORDS[kind]}</span> "
            f"<span class='small'>({html.escape(label)})</span>")


def _scope(scope: str, kpi: str) -> str:
    """A scope in words: "line 999", "pool blended", "Resolution Centre"."""
    return html.escape(tables.scope_label(str(scope), kpi))


def _label(kpi: str) -> str:
    found = kpi_named(kpi)
    name = found.label if found else kpi
    unit = f" ({found.unit})" if found and found.unit in ("s", "h") else ""
    return html.escape(name + unit)


def _places(row: Any) -> int:
    """Decimals for a summary row: as many as its interval supports (contactsim.output.tables)."""
    return tables.decimals(row.kpi, row.mean, row.ci_low, row.ci_high)


def _number(value: float, kpi: str, places: int | None = None, sign: bool = True,
            difference: bool = False) -> str:
    """A KPI's value: a share in % (a difference of shares in percentage points, "pt"), other
    KPIs in their unit, which the row's label names; never −0."""
    if value != value:  # NaN
        return "—"
    share = tables.kind(kpi) == tables.SHARE
    if places is None:
        places = tables.decimals(kpi, value)
    text = tables.number(value * 100 if share else value, places, signed=difference and sign)
    if share and sign:
        text += " pt" if difference else "%"
    return text


def _interval(mean: float, low: float, high: float, kpi: str, difference: bool = False) -> str:
    """"13.5% [13.4, 13.6]"; a difference "−0.3 pt [−0.5, −0.1]"."""
    places = tables.decimals(kpi, mean, low, high, difference=difference)
    return (f"{_number(mean, kpi, places, difference=difference)} "
            f"[{_number(low, kpi, places, sign=False)}, "
            f"{_number(high, kpi, places, sign=False)}]")


def _images(folder: Path, names: list[str]) -> str:
    parts = []
    for name in names:
        path = folder / name
        if path.is_file() and path.stat().st_size <= MAX_TABLE_BYTES:  # no pipe, no device
            data = base64.b64encode(path.read_bytes()).decode("ascii")
            parts.append(f"<img alt='{html.escape(name)}' src='data:image/png;base64,{data}'>")
    return "<h2>Plots</h2>" + "\n".join(parts) if parts else ""
