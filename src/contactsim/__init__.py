"""contactsim: a discrete-event simulator of a police 999/101 contact centre, for the planners
who decide how many call handlers to roster, when, and with which skills.

The public Python API (see :mod:`contactsim.api`)::

    import contactsim

    scenario = contactsim.load_scenario("scenarios/baseline-2018.yaml")
    results = contactsim.run(scenario, reps=10)          # a RunResults
    comparison = contactsim.compare(["a.yaml", "b.yaml"])  # same callers, paired differences
    table = contactsim.sweep("sweeps/staffing.yaml", out="results/sweep")

Everything else is inside the packages, layered so that each imports only those below it:
``cli`` → ``output`` → ``planning`` → ``runs`` → ``analysis`` → ``build`` → ``config`` →
``data`` → ``engine`` (the README's layout section draws the map). The names are loaded on
first use, so ``import contactsim`` (and the command line's ``--help``) stays quick.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from contactsim.api import compare, load_scenario, run, sweep
    from contactsim.config.scenario import Scenario
    from contactsim.errors import ContactsimError, ScenarioError
    from contactsim.runs.experiment import Comparison, RunResults

__all__ = [
    "Comparison",
    "ContactsimError",
    "RunResults",
    "Scenario",
    "ScenarioError",
    "compare",
    "load_scenario",
    "run",
    "sweep",
]

#: Where each public name lives.
_HOMES = {
    "load_scenario": "contactsim.api",
    "run": "contactsim.api",
    "compare": "contactsim.api",
    "sweep": "contactsim.api",
    "Scenario": "contactsim.config.scenario",
    "RunResults": "contactsim.runs.experiment",
    "Comparison": "contactsim.runs.experiment",
    "ContactsimError": "contactsim.errors",
    "ScenarioError": "contactsim.errors",
}


def __getattr__(name: str) -> Any:
    home = _HOMES.get(name)
    if home is None:
        raise AttributeError(f"module 'contactsim' has no attribute {name!r}")
    value = getattr(import_module(home), name)
    globals()[name] = value  # looked up once
    return value


def __dir__() -> list[str]:
    return sorted([*globals(), *__all__])
