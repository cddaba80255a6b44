"""The scenario a planner writes, read and checked: the first room of contactsim.

A scenario is a YAML file: the lines callers ring and how many calls each brings, how calls
are handled, the pools of operators with their skills and staffing, callbacks, redials,
triage and the Resolution Centre, over a horizon of days. This package turns such a file into
a validated, frozen :class:`~contactsim.config.scenario.Scenario`, or tells the planner what is
wrong in their words: the file, the field, the value found and what was expected.

- the schema, one module per part of a scenario: :mod:`~contactsim.config.scenario` (the whole,
  and the rules that tie its parts together), :mod:`~contactsim.config.horizon`,
  :mod:`~contactsim.config.lines`, :mod:`~contactsim.config.pools`,
  :mod:`~contactsim.config.callbacks`, :mod:`~contactsim.config.triage`,
  :mod:`~contactsim.config.distributions`, on the shared :mod:`~contactsim.config.fields` and
  :mod:`~contactsim.config.clock` (every ``HH:MM`` read one way);
- reading, step by step: :mod:`~contactsim.config.yaml_reading` (safe YAML within limits),
  :mod:`~contactsim.config.extends` (a scenario as changes to another),
  :mod:`~contactsim.config.overrides` (``--set``), :mod:`~contactsim.config.replay` (demand
  replayed from a call log), :mod:`~contactsim.config.messages` (problems in a planner's
  words), :mod:`~contactsim.config.origins` (which file gave each field), chained by
  :mod:`~contactsim.config.loader`;
- writing back: :mod:`~contactsim.config.resolved` (the scenario as run) and
  :mod:`~contactsim.config.overlays` (what an overlay changes against its base);
- for editors: :mod:`~contactsim.config.field_reference` (every field's unit, default and
  meaning) and :mod:`~contactsim.config.json_schema` (the JSON Schema of a scenario file, with
  :mod:`~contactsim.config.json_schema_forms`).

config reads the scenario's own YAML files, and of the files it names only a replayed call
log's lines and first row (:mod:`~contactsim.config.replay`, to spread the replay over the
lines and find the horizon). The input files a scenario names (profiles, call logs, staffing
tables) are read whole by :func:`contactsim.build.loading.load_scenario`, the function to call
to load a scenario for a run.
"""
