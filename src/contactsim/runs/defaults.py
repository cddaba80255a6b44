"""What a run uses when neither the scenario nor the planner says otherwise (kept free of heavy
imports, so the command line's help can quote it)."""

#: The seed of a run whose scenario names none and that is given none.
DEFAULT_SEED = 2018


def seed_for(given: int | None, scenario_seed: int | None) -> int:
    """The seed to run with: the one given, else the scenario's, else :data:`DEFAULT_SEED`
    (0 is a seed)."""
    if given is not None:
        return given
    return scenario_seed if scenario_seed is not None else DEFAULT_SEED

#: A run to a precision (``--precision``): replications before the first check (``--reps``
#: then sets it), and at most (``--max-reps``); see :mod:`contactsim.runs.precision`.
PRECISION_MIN_REPS = 5
PRECISION_MAX_REPS = 100
#: ... and the replications added after each check that did not stop.
PRECISION_BATCH = 5
