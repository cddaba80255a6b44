"""From the scenario a planner wrote to what the engine runs: one replication's inputs.

The scenario (:mod:`contactsim.config`) says how much demand, how long calls take, who is
rostered and when; the engine (:mod:`contactsim.engine`) takes plain objects — arrival times,
samplers of durations, staffing plans. This package makes the one from the other, reading the
planner's files through :mod:`contactsim.data`.

- :mod:`~contactsim.build.loading` — :func:`~contactsim.build.loading.load_scenario`, the way in
  for a run: the scenario read and checked, then every file it names read once and a scenario
  too big to simulate refused, before any work.
- :mod:`~contactsim.build.model_inputs` — the scenario turned into the engine's
  :class:`~contactsim.engine.inputs.ModelInputs`, every random source on its named stream
  (:mod:`~contactsim.build.streams`), so that two scenarios run with the same seed see the same
  callers.
- :mod:`~contactsim.build.demand` — when callers ring: rates from a volume and a profile, or a
  replayed call log; :mod:`~contactsim.build.sampling` — handle times, patience and delays
  drawn from their distributions.
- :mod:`~contactsim.build.staffing` — each pool's staffing plan from its roster, with
  shrinkage taken off as absence (:mod:`~contactsim.build.absence`).

This layer imports config, data and the engine below it, never what runs, analyses or shows
the results.
"""
