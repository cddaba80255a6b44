"""One replication: scenario → model inputs → SimPy model → tallies → KPIs.

The scenario is turned into the model's inputs by :mod:`contactsim.build.model_inputs` (each
random source on its named stream), run by :func:`contactsim.engine.builder.simulate`, and its
tallies reduced to KPI rows and interval series.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from contactsim.analysis.intervals import interval_frame, pool_interval_frame, rc_daily_frame
from contactsim.analysis.kpis import kpi_rows
from contactsim.build.model_inputs import model_inputs
from contactsim.build.streams import Streams
from contactsim.config.scenario import Scenario
from contactsim.data.record_file import RecordFile, record_file_name
from contactsim.engine.builder import simulate
from contactsim.engine.model import ProgressCallback, RecordSink
from contactsim.engine.records import RunTallies


@dataclass(frozen=True)
class ReplicationResult:
    """What one replication leaves for the experiment: KPI values and interval series (of the
    lines, and of the pools)."""

    replication: int
    kpis: list[tuple[str, str, float]]
    intervals: pd.DataFrame
    pool_intervals: pd.DataFrame
    rc_daily: pd.DataFrame | None = None
    process_id: int = field(default_factory=os.getpid)


def run_tallies(
    scenario: Scenario,
    seed: int,
    replication: int,
    keep_records: bool = False,
    observe_every_s: float | None = None,
    progress: ProgressCallback | None = None,
    records_dir: Path | None = None,
) -> RunTallies:
    """Run one replication and return the model's raw tallies.

    Per-call records are kept in the tallies if ``keep_records`` (for checks on short runs), or
    streamed to ``records_dir``/replication-NNN.parquet (:mod:`contactsim.data.record_file`), a
    simulated day at a time, if ``records_dir`` is given.
    """
    streams = Streams(seed=seed, replication=replication)
    inputs = model_inputs(scenario, streams, keep_records, observe_every_s)

    def run(sink: RecordSink | None = None) -> RunTallies:
        return simulate(inputs, progress=progress, record_sink=sink)

    if records_dir is None:
        return run()
    path = Path(records_dir) / record_file_name(replication)
    with RecordFile(path, replication, scenario.horizon.start) as records:
        return run(records)


def run_replication(
    scenario: Scenario,
    seed: int,
    replication: int,
    progress: ProgressCallback | None = None,
    records_dir: Path | None = None,
) -> ReplicationResult:
    """Run one replication and reduce it to KPI rows and interval series (streaming per-call
    records to ``records_dir`` if given)."""
    tallies = run_tallies(scenario, seed, replication, progress=progress, records_dir=records_dir)
    intervals = interval_frame(tallies, scenario.horizon.start)
    intervals.insert(0, "replication", replication)
    pool_intervals = pool_interval_frame(tallies, scenario.horizon.start)
    pool_intervals.insert(0, "replication", replication)
    rc_daily = rc_daily_frame(tallies, scenario.horizon.start)
    rc_daily.insert(0, "replication", replication)
    return ReplicationResult(
        replication=replication,
        kpis=kpi_rows(tallies),
        intervals=intervals,
        pool_intervals=pool_intervals,
        rc_daily=rc_daily,
    )
