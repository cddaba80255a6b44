"""Benchmark: loading and validating a one-million-row call log.

Writes a synthetic log of ``--rows`` calls (CSV and Parquet) to a temporary folder, then times
contactsim's reader (parse, validate every row, sort, split by line, number repeat callers)
against a plain ``pandas`` read of the same file, measured in the same run.

Run: ``python bench/bench_load_log.py [--rows 1000000]``
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

from contactsim.data.calllog import read_replay


def make_log(rows: int, seed: int = 1) -> pd.DataFrame:
    """A year of calls on two lines, with handle times and repeat callers."""
    rng = np.random.default_rng(seed)
    seconds = np.sort(rng.uniform(0, 365 * 86400, rows))
    return pd.DataFrame(
        {
            "arrival_time": pd.Timestamp("2018-01-01") + pd.to_timedelta(seconds, unit="s"),
            "line": np.where(rng.random(rows) < 0.34, "999", "101"),
            "handle_s": np.round(rng.lognormal(5.7, 0.8, rows), 1),
            "caller_id": rng.integers(0, rows // 2, rows),
        }
    )


def timed(action) -> float:
    started = time.perf_counter()
    action()
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    args = parser.parse_args()
    log = make_log(args.rows)
    with tempfile.TemporaryDirectory() as folder:
        paths = {"csv": Path(folder) / "log.csv", "parquet": Path(folder) / "log.parquet"}
        log.to_csv(paths["csv"], index=False)
        log.to_parquet(paths["parquet"], index=False)
        print(f"{args.rows:,} calls")
        print(f"{'format':<8} {'pandas read s':>14} {'contactsim s':>13} {'rows/s':>12} "
              f"{'ratio':>6}")
        for kind, path in paths.items():
            if kind == "csv":
                plain = timed(lambda p=path: pd.read_csv(p, engine="pyarrow"))
            else:
                plain = timed(lambda p=path: pd.read_parquet(p))
            ours = timed(lambda p=path: read_replay.read_anew(str(p)))
            print(f"{kind:<8} {plain:>14.2f} {ours:>13.2f} {args.rows / ours:>12,.0f} "
                  f"{ours / plain:>5.1f}×")


if __name__ == "__main__":
    main()
