"""What a roster run writes, and the scenario rostered on it.

- ``roster.yaml``: per pool a ``staffing: {shifts: [...], scale: 1, changes: []}`` block, to
  take the place of the pool's ``staffing`` in a scenario (scale 1 and no dated changes, so
  that the scenario's own do not multiply the roster). Not an ``extends`` overlay on purpose:
  through ``extends`` named shifts are added to the base's shifts, not put in their place;
  ``rostered.yaml`` is the scenario on the roster, whole;
- ``rostered.yaml`` (when a scenario was given): that scenario, resolved whole with its seed,
  each rostered pool's staffing replaced by its roster, ready to run;
- ``roster.csv``: one row per shift rostered: ``pool, name, start, length_h, pattern, days,
  count, heads, shifts_per_week, paid_hours_per_week, cost_per_week, part_time``;
- ``coverage.csv``: ``pool, hour_of_week, when, required, covered, covered_mean, over,
  under``. For a cycle longer than a week, ``covered`` is the least over the cycle's weeks
  (what every week has) and ``covered_mean`` the mean; ``over`` and ``under`` compare
  ``covered`` with ``required``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import yaml

from contactsim.config.pools import DAY_NAMES, Shift, Staffing
from contactsim.config.scenario import Scenario
from contactsim.planning.roster import Roster
from contactsim.planning.roster_shifts import hour_of_week
from contactsim.planning.staffing_levels import key_label
from contactsim.runs.defaults import seed_for

__all__ = ["coverage_table", "roster_table", "roster_yaml", "rostered_scenario", "write_roster"]

HOURS_PER_WEEK = 168
#: an hour with at least this many people spare counts as over-staffed
OVER_STAFFED_PEOPLE = 1.0


def coverage_table(roster: Roster) -> pd.DataFrame:
    """Per pool and hour of the week: required, covered (the least over the cycle's weeks),
    covered_mean, over and under (see the module)."""
    frames = []
    for pool, rostered in roster.pools.items():
        covered = rostered.covered
        weeks = len(covered) // HOURS_PER_WEEK
        order = hour_of_week(roster.anchor, weeks * 7)
        by_week = np.zeros((weeks, HOURS_PER_WEEK))
        by_week[np.arange(len(covered)) // HOURS_PER_WEEK, order] = covered
        least, mean = by_week.min(axis=0), by_week.mean(axis=0)
        required = np.asarray(roster.requirement.by_pool[pool], dtype=float)
        frames.append(pd.DataFrame({
            "pool": pool, "hour_of_week": np.arange(HOURS_PER_WEEK),
            "when": [key_label("hour_of_week", h) for h in range(HOURS_PER_WEEK)],
            "required": required, "covered": least.round(4), "covered_mean": mean.round(4),
            "over": np.maximum(0.0, least - required).round(4),
            "under": np.maximum(0.0, required - least).round(4),
        }))
    return pd.concat(frames, ignore_index=True)


def roster_table(roster: Roster) -> pd.DataFrame:
    """One row per shift rostered (see the module)."""
    rows = []
    for pool, rostered in roster.pools.items():
        for option, count in rostered.chosen:
            rows.append({
                "pool": pool, "name": option.name, "start": option.start,
                "length_h": option.source.length_h, "pattern": str(option.pattern),
                "days": option.days_words, "count": count, "heads": count,
                "shifts_per_week": round(option.shifts_per_week, 4),
                "paid_hours_per_week": round(option.paid_hours_per_week * count, 4),
                "cost_per_week": round(option.cost_per_week * count, 4),
                "part_time": option.part_time,
            })
    columns = ["pool", "name", "start", "length_h", "pattern", "days", "count", "heads",
               "shifts_per_week", "paid_hours_per_week", "cost_per_week", "part_time"]
    return pd.DataFrame(rows, columns=columns)


def _shift_data(shift: Shift) -> dict[str, Any]:
    """A shift as a scenario writes it (every day and no breaks left out)."""
    data = shift.model_dump(mode="json", exclude_none=True, by_alias=True)
    if tuple(data.get("days", ())) == DAY_NAMES:
        data.pop("days")
    if not data.get("breaks"):
        data.pop("breaks", None)
    return data


def _flow(data: object) -> str:
    """``data`` as YAML on one line."""
    return yaml.safe_dump(data, default_flow_style=True, sort_keys=False, width=1 << 20,
                          allow_unicode=True).strip()


def roster_yaml(roster: Roster, header: str = "") -> str:
    """The roster by pool, each pool's ``staffing`` block (its shifts one a line, ``scale: 1``,
    ``changes: []``) ready to take the place of the pool's staffing in a scenario."""
    lines = [header.rstrip("\n")] if header else []
    for pool, rostered in roster.pools.items():
        lines += [f"{_flow([pool])[1:-1]}:", "  staffing:"]
        shifts = rostered.shifts()
        lines.append("    shifts:" + ("" if shifts else " []"))
        lines += [f"      - {_flow(_shift_data(shift))}" for shift in shifts]
        lines += ["    scale: 1.0", "    changes: []"]
    return "\n".join(lines) + "\n"


def rostered_scenario(scenario: Scenario, roster: Roster) -> Scenario:
    """``scenario`` with each rostered pool on its roster (scale 1, no dated changes; its
    shrinkage, as absence, kept). Pools the roster does not have keep their staffing."""
    pools = []
    for pool in scenario.pools:
        if pool.name in roster.pools:
            plan = Staffing(shifts=roster.pools[pool.name].shifts())
            pool = pool.model_copy(update={"staffing": plan})
        pools.append(pool)
    return scenario.model_copy(update={"pools": tuple(pools)})


def write_roster(roster: Roster, folder: Path, scenario: Scenario | None = None,
                 seed: int | None = None, command_words: str = "contactsim roster") -> list[Path]:
    """Write ``roster.yaml``, ``roster.csv``, ``coverage.csv`` and, given a scenario,
    ``rostered.yaml`` into ``folder`` (see the module); the paths written."""
    header = (f"# Written by {command_words}: the cheapest shifts of the catalogue covering\n"
              f"# the requirement ({roster.requirement.source}), by pool.\n"
              "# Each pool's staffing block takes the place of the pool's staffing in a scenario\n"
              "# (scale 1 and no changes: the roster counts the people rostered). Paste it in:\n"
              "# through extends, named shifts would be added to the base's, not replace them.\n")
    (folder / "roster.yaml").write_text(roster_yaml(roster, header), encoding="utf-8")
    roster_table(roster).to_csv(folder / "roster.csv", index=False)
    coverage_table(roster).to_csv(folder / "coverage.csv", index=False)
    written = [folder / "roster.yaml", folder / "roster.csv", folder / "coverage.csv"]
    if scenario is not None:
        from contactsim.config.resolved import dump_resolved
        from contactsim.data.portable import portable_resolved

        rostered = rostered_scenario(scenario, roster).model_copy(update={
            "name": f"{scenario.name}-rostered",
            "description": f"{scenario.name} on the roster built by contactsim roster.",
        })
        text = dump_resolved(rostered, seed_for(seed, scenario.seed))
        portable, _ = portable_resolved(text, folder, folder)
        head = "# Written by contactsim roster: the scenario on the roster it built.\n"
        (folder / "rostered.yaml").write_text(head + portable, encoding="utf-8")
        written.append(folder / "rostered.yaml")
    return written
