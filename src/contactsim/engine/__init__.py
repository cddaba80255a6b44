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
