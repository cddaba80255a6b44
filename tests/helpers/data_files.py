"""Data files the tests write: tables of rows as CSV or Parquet, and a scenario replaying a
call log."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd

#: exponential handle times of the replayed lines
HANDLING = {
    "999": {"handle_time": {"dist": "exponential", "mean_s": 200}},
    "101": {"handle_time": {"dist": "exponential", "mean_s": 300}},
}


def write_rows(path: Path, rows: list[tuple[Any, ...]], columns: tuple[str, ...]) -> Path:
    """Write ``rows`` under ``columns`` to ``path``: Parquet if it ends .parquet, else CSV."""
    table = pd.DataFrame(rows, columns=list(columns))
    if path.suffix == ".parquet":
        table.to_parquet(path, index=False)
    else:
        table.to_csv(path, index=False)
    return path


def replay_scenario(log: Path, **extra: Any) -> dict[str, Any]:
    """A scenario replaying the call log ``log`` on one 101 operator (``extra``: more fields)."""
    return {
        "name": "replay",
        "demand": {"replay": str(log)},
        "handling": {"101": HANDLING["101"]},
        "pools": [{"name": "all", "skills": ["101"], "staffing": {"flat": 1}}],
        **extra,
    }
