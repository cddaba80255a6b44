"""The stated limits on what contactsim accepts, checked before any work is done.

Each limit is here once, with the reason it exists; the README's "Safety and limits" section
lists the same figures. A value beyond a limit is refused with a message that names the file,
the field, the value and the limit — never a hang, a memory error or a traceback.
"""

from __future__ import annotations

#: Largest YAML file read (scenario, extends, shift, sweep, targets): a planner's file is a few
#: kilobytes; anything larger is not a scenario.
MAX_YAML_BYTES = 1_000_000

#: Most nodes a YAML file may hold once its aliases (``*name``) are expanded. Anchors and
#: aliases are allowed — a shared distribution, say — but a "billion laughs" file that expands
#: to millions of nodes is refused before it is built.
MAX_YAML_NODES = 200_000

#: Deepest chain of ``extends`` (a file extending a file extending ...).
MAX_EXTENDS_DEPTH = 32

#: Largest CSV read as a profile, staffing table or empirical sample.
MAX_TABLE_BYTES = 100_000_000

#: Largest call log or interval-count file replayed (CSV or Parquet).
MAX_LOG_BYTES = 2_000_000_000

#: Longest horizon, in days (ten years).
MAX_HORIZON_DAYS = 3660

#: Most calls expected in one replication, all lines, before deflection: a year of a large
#: force is a few million; beyond this a replication would run for hours and its records would
#: not fit in memory.
MAX_CALLS_PER_REPLICATION = 50_000_000

#: Most operators rostered in one pool at one time (or RC investigators).
MAX_OPERATORS_PER_POOL = 10_000

#: Largest demand growth factor.
MAX_GROWTH = 100.0

#: Largest mean of any time distribution, in seconds (30 days).
MAX_MEAN_S = 30 * 86400.0

#: Coefficient of variation of a lognormal or gamma: beyond these, sampling over- or
#: underflows (a gamma's shape is 1/cv²; a lognormal's sigma² is log(1 + cv²)).
MIN_CV = 0.01
MAX_CV = 100.0

#: Shape of a Weibull: below the minimum its mean/scale ratio overflows.
MIN_WEIBULL_SHAPE = 0.05
MAX_WEIBULL_SHAPE = 100.0

#: Most replications one command runs (per scenario, per sweep point).
MAX_REPLICATIONS = 10_000

#: Most simulation runs one calibration may make.
MAX_EVALUATIONS = 10_000

#: Earliest and latest start of a horizon: dates are kept to the nanosecond, which reaches
#: 1677-2262; a horizon of up to ten years must fit well inside.
EARLIEST_START_YEAR = 1900
LATEST_START_YEAR = 2200

#: Most runs (points × replications) in one sweep.
MAX_SWEEP_RUNS = 1_000_000

#: Longest user-derived name that becomes a file or folder name.
MAX_NAME_CHARACTERS = 100

#: Replications below which an interval is flagged as unreliable.
MIN_RELIABLE_REPS = 5
