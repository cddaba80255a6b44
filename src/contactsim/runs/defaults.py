"""What a run uses when neither the scenario nor the planner says otherwise (kept free of heavy
imports, so the command line's help can quote it)."""

#: The seed of a run whose scenario names none and that is given none.
DEFAULT_SEED = 2018
