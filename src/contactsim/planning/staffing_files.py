"""What a staffing search writes: the staffing found per pool (``staffing/<pool>.csv``, usable as
``per_interval`` staffing), the table of required against current operators, the KPIs at each
key, and ``staffed.yaml``: the scenario searched, on the staffing found, ready to run.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from contactsim.build import staffing
from contactsim.config.pools import Staffing
from contactsim.config.scenario import Scenario
from contactsim.data.files import child, safe_components
from contactsim.planning.staffing_levels import key_label, write_hour_of_week
from contactsim.planning.staffing_search import StaffingResult

__all__ = ["STAFFING_FOLDER", "required_table", "write_staffing"]

STAFFING_FOLDER = "staffing"


def required_table(result: StaffingResult, scenario: Scenario) -> pd.DataFrame:
    """Per pool and key: operators required and now, rostered and (expected) on the phones."""
    rows = []
    for pool in scenario.pools:
        shrinkage = scenario.pool_shrinkage(pool)
        for key, required in enumerate(result.levels[pool.name]):
            current = float(result.current[pool.name][key])
            rows.append({
                "pool": pool.name, "key": key, "when": key_label(result.grouping, key),
                "required_rostered": int(required),
                "required_on_phones": round(int(required) * (1.0 - shrinkage), 2),
                "current_rostered": round(current, 2),
                "current_on_phones": round(current * (1.0 - shrinkage), 2),
                "erlang_start_rostered": int(result.erlang_start[pool.name][key]),
            })
    return pd.DataFrame(rows)


def write_staffing(
    result: StaffingResult, scenario: Scenario, folder: Path, seed: int
) -> list[Path]:
    """Write the search's answer into ``folder``: ``staffing/<pool>.csv`` (rostered operators by
    hour of week, usable as ``per_interval`` staffing), ``required.csv``, ``kpis.csv`` and
    ``staffed.yaml``: the scenario searched (``--set`` overrides included, resolved whole, with
    the seed), on the staffing found."""
    from contactsim.config.resolved import dump_resolved
    from contactsim.data.portable import portable_resolved

    written = []
    table = required_table(result, scenario)
    (folder / STAFFING_FOLDER).mkdir()
    pools = []
    files = safe_components((pool.name for pool in scenario.pools), "pool name")
    for pool in scenario.pools:
        rows = table[table["pool"] == pool.name]
        path = child(folder / STAFFING_FOLDER, files[pool.name], "pool name", ".csv")
        write_hour_of_week(path, np.resize(rows["required_rostered"].to_numpy(),
                                           staffing.HOURS_PER_WEEK))
        written.append(path)
        # a path relative to staffed.yaml, so that the folder can be moved whole
        plan = Staffing(per_interval=f"{STAFFING_FOLDER}/{path.name}")
        pools.append(pool.model_copy(update={"staffing": plan}))
    table.to_csv(folder / "required.csv", index=False)
    kpis = result.kpis.assign(when=[key_label(result.grouping, k) for k in result.kpis["key"]])
    kpis.to_csv(folder / "kpis.csv", index=False)
    targets = ", ".join(sorted(set(result.kpis["target"])))
    staffed = scenario.model_copy(update={
        "name": f"{scenario.name}-staffed",
        "description": f"{scenario.name} on the staffing found by contactsim staff ({targets}).",
        "pools": tuple(pools),
    })
    header = (
        "# Written by contactsim staff: the scenario searched, on the staffing it found\n"
        "# (rostered operators by hour of week in staffing/, shrinkage as in the scenario).\n"
    )
    # profiles and other inputs copied into inputs/, so that the folder reruns when moved
    portable, _ = portable_resolved(dump_resolved(staffed, seed), folder, folder)
    (folder / "staffed.yaml").write_text(header + portable, encoding="utf-8")
    written += [folder / "required.csv", folder / "kpis.csv", folder / "staffed.yaml"]
    return written
