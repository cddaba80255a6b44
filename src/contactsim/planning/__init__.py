"""Planning questions answered by running the simulation many times.

- Staffing: the fewest operators per pool per hour that meet the service targets
  (``contactsim staff``): :mod:`~contactsim.planning.service_targets` (the targets),
  :mod:`~contactsim.planning.staffing_levels` (hours, current levels, the Erlang A start),
  :mod:`~contactsim.planning.staffing_search` (the search by simulation) and
  :mod:`~contactsim.planning.staffing_files` (what it writes).
- Calibration: the values of the figures nobody publishes (caller patience, a team's strength)
  that make a scenario reproduce the published ones (``contactsim calibrate``):
  :mod:`~contactsim.planning.targets` and :mod:`~contactsim.planning.unknowns` (the targets
  file), :mod:`~contactsim.planning.calibration` (the search),
  :mod:`~contactsim.planning.calibration_misses`, :mod:`~contactsim.planning.calibration_intervals`
  and :mod:`~contactsim.planning.calibration_verdicts` (how far off, how sure, and why not met).
- Fitting: demand profiles and handle times from a call log, for a synthetic scenario
  (:mod:`~contactsim.planning.fit`).

Every search runs its evaluations with the same seed (the same callers each time), through one
executor kept open for the whole search (:mod:`contactsim.runs.executors`).
"""
