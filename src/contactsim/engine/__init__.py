"""The engine: the simulated contact centre itself, one replication at a time.

Callers ring the lines, wait in queue, give up or ring again, accept callbacks; operators in
pools, on duty as their staffing plan says, answer by priority and skill, make callback
attempts, and grade calls, some of which go on to the Resolution Centre's investigators. The
engine counts what happens (waits, answers, abandonments, busy time, callbacks, incidents) into
tallies; turning tallies into KPIs is :mod:`contactsim.analysis`'s job.

The engine takes plain objects — :class:`~contactsim.engine.inputs.ModelInputs`: arrival
times, samplers of handle times and patience, staffing plans, rules — and knows nothing of
scenario files, YAML or the reports: :mod:`contactsim.build` makes its inputs from a scenario.
It imports only simpy, numpy and :mod:`contactsim.errors`.

Where things are:

- :mod:`~contactsim.engine.builder` — :func:`simulate`: build one replication's model whole
  from its inputs and run it;
- :mod:`~contactsim.engine.model` — the model put together, run over the horizon, and checked
  (every call accounted for);
- :mod:`~contactsim.engine.callers` — callers ringing, queueing, abandoning, redialling;
- :mod:`~contactsim.engine.service` — operators answering, making callback attempts, finishing
  tasks, coming on and off duty;
- :mod:`~contactsim.engine.routing` — who takes what next (decisions returned as values);
- :mod:`~contactsim.engine.calls`, :mod:`~contactsim.engine.team`,
  :mod:`~contactsim.engine.plan` — calls and queues, teams, staffing plans;
- :mod:`~contactsim.engine.callback`, :mod:`~contactsim.engine.resolution` — the callback
  desk, triage and the Resolution Centre;
- :mod:`~contactsim.engine.outage`, :mod:`~contactsim.engine.overflow` — pools off the phones
  for a window, and calls queueing too long sent to a neighbouring force;
- :mod:`~contactsim.engine.line_rules` — what a line does when a call is answered or its
  caller hangs up (grading, and the lines' :mod:`~contactsim.engine.bursts` of duplicate calls
  and :mod:`~contactsim.engine.dropped_calls`: silent and dropped calls called back);
- :mod:`~contactsim.engine.records` — the tallies and call records a run leaves;
- :mod:`~contactsim.engine.kernel` — the clock and event list (the one module that touches
  SimPy's internals); :mod:`~contactsim.engine.sampler` — where draws come from.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from contactsim.engine.builder import build_centre, simulate
    from contactsim.engine.inputs import (
        LineInputs,
        ModelInputs,
        ModelSettings,
        PoolInputs,
        RedialInputs,
    )
    from contactsim.engine.records import RunTallies

__all__ = [
    "LineInputs", "ModelInputs", "ModelSettings", "PoolInputs", "RedialInputs", "RunTallies",
    "build_centre", "simulate",
]

#: Where each name above lives. They are loaded on first use, so that a module that needs only
#: the records or the staffing plans (checking a scenario does) does not load SimPy and the
#: whole model.
_HOMES = {
    "build_centre": "contactsim.engine.builder",
    "simulate": "contactsim.engine.builder",
    "LineInputs": "contactsim.engine.inputs",
    "ModelInputs": "contactsim.engine.inputs",
    "ModelSettings": "contactsim.engine.inputs",
    "PoolInputs": "contactsim.engine.inputs",
    "RedialInputs": "contactsim.engine.inputs",
    "RunTallies": "contactsim.engine.records",
}


def __getattr__(name: str) -> Any:
    home = _HOMES.get(name)
    if home is None:
        raise AttributeError(f"module 'contactsim.engine' has no attribute {name!r}")
    value = getattr(import_module(home), name)
    globals()[name] = value  # looked up once
    return value


def __dir__() -> list[str]:
    return sorted([*globals(), *__all__])
