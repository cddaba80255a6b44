"""The Resolution Centre through the command line: a run writes the RC's daily backlog, its plot
and its KPIs.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
from click.testing import CliRunner

from contactsim.analysis.kpis import RC_SCOPE
from contactsim.cli.main import main

# --- the command line ---------------------------------------------------------------------------

TINY_RC = """\
name: tiny-rc
horizon: {start: 2018-03-05, days: 2}
demand:
  "101": {rate_per_hour: 6}
handling:
  "101": {handle_time: {dist: exponential, mean_s: 300}}
pools:
  - {name: operators, skills: ["101"], staffing: {flat: 3}}
triage:
  "101": {closed: 0.5, grade2: 0.2, resolution_centre: 0.3}
resolution_centre:
  staffing: {flat: 1}
  work_time: {dist: exponential, mean_s: 3600}
  outcomes: {resolved: 0.9, front_line: 0.08, partner: 0.02}
"""


def test_cli_run_writes_the_rc_daily_backlog_and_its_plot(tmp_path: Path) -> None:
    scenario = tmp_path / "tiny-rc.yaml"
    scenario.write_text(TINY_RC, encoding="utf-8")
    out = tmp_path / "out"
    result = CliRunner().invoke(
        main, ["run", str(scenario), "--reps", "2", "--workers", "1", "--seed", "1",
               "--out", str(out)],
        catch_exceptions=False,
    )
    assert result.exit_code == 0, result.output
    daily = pd.read_parquet(out / "rc_daily.parquet")
    assert list(daily.columns) == ["replication", "day", "rc_backlog"]
    assert sorted(daily["replication"].unique()) == [0, 1]
    assert len(daily) == 2 * 2  # two replications, a count at each of the two midnights
    assert list(daily["day"].iloc[:2]) == [pd.Timestamp("2018-03-05"), pd.Timestamp("2018-03-06")]
    assert (daily["rc_backlog"] >= 0).all()
    assert (out / "rc_backlog.png").read_bytes().startswith(b"\x89PNG\r\n\x1a\n")
    summary = pd.read_csv(out / "summary.csv", dtype={"scope": str})
    rc_rows = set(summary.loc[summary["scope"] == RC_SCOPE, "kpi"])
    assert {"rc_incidents", "rc_resolved", "rc_backlog_end", "rc_time_to_resolve_h"} <= rc_rows
    assert {"triage_closed", "triage_resolution_centre"} <= set(
        summary.loc[summary["scope"] == "101", "kpi"]
    )
