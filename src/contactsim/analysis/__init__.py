"""From what a run counted to the figures a planner reads: the KPIs and how sure we are of them.

- :mod:`~contactsim.analysis.kpis` — the KPI registry: every KPI (service level, ASA, abandon
  rate, occupancy, the Resolution Centre's backlog, ...) defined once, with its label, unit,
  range and formula; :mod:`~contactsim.analysis.kpi_names` holds the names as constants.
- :mod:`~contactsim.analysis.intervals` — the interval series a run writes (per line and
  interval: calls, waits, ASA, service level) and the Resolution Centre's daily backlog.
- :mod:`~contactsim.analysis.periods` — a line's KPIs over a month, a season or an hour of the
  week, from the interval series, with the registry's own formulas.
- :mod:`~contactsim.analysis.stats` — means across replications with 95% Student-t intervals,
  clipped to what a KPI can be; paired differences between scenarios.
- :mod:`~contactsim.analysis.erlang` — Erlang C and Erlang A: the textbook answer for one line,
  a yardstick for the simulator and a first staffing guess (numerics in
  :mod:`~contactsim.analysis.queue_math`).

This layer reads the engine's tallies and imports nothing above it: runs, planning, output and
the command line use it; it never uses them.
"""
