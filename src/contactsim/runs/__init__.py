"""Running a scenario: replications, comparisons and sweeps, on this machine or a cluster.

- :mod:`~contactsim.runs.replication` — one replication: the scenario's inputs built, the
  model run, the tallies reduced to KPIs and interval series.
- :mod:`~contactsim.runs.experiment` — many replications of a scenario (``run_scenario``) and
  scenarios compared on the same callers (``compare_scenarios``).
- :mod:`~contactsim.runs.sweep_file` and :mod:`~contactsim.runs.sweep` — a scenario over a grid
  of changes, every run kept in its own folder so that a stopped sweep resumes.
- :mod:`~contactsim.runs.executors` (and :mod:`~contactsim.runs.dask_executor`) — where the
  runs execute: this process, worker processes on this machine, or a Dask cluster, behind one
  interface that also carries progress. The only place that starts processes.
- :mod:`~contactsim.runs.progress` — the progress bar, in simulated days.
- :mod:`~contactsim.runs.defaults` — the default seed.

Replication ``r`` with seed ``s`` always sees the same callers, wherever and in whatever order
it runs: the numbers never depend on the executor or the number of workers.
"""
