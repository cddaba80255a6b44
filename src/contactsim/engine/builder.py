"""Building one replication's model whole from its inputs, and running it: :func:`simulate`.

Everything is built in one go, in this order: the kernel; a queue and tallies per line, in the
routing order, with its neighbouring force if its calls overflow; the pools; the callback desk
and the Resolution Centre if the scenario has them; routing over all of them; the operators;
the callers; and last each line's rules at answer and abandonment (grading, bursts, silent and
dropped calls), which need the operators and callers, hung on its queue before anything runs.
Inputs that could never run are refused here, before any work.
"""

from __future__ import annotations

import math

from contactsim.engine.callback import BELOW_LIVE, CallbackDesk
from contactsim.engine.callers import Callers
from contactsim.engine.calls import LineQueue, PoolState
from contactsim.engine.inputs import LineInputs, ModelInputs
from contactsim.engine.kernel import Kernel
from contactsim.engine.line_rules import set_line_rules
from contactsim.engine.model import ContactCentre, ProgressCallback, RecordSink
from contactsim.engine.outage import PoolOutage
from contactsim.engine.overflow import NeighbourForce
from contactsim.engine.records import CallRecord, LineTally, PoolTally, RCTally, RunTallies
from contactsim.engine.resolution import ResolutionCentre
from contactsim.engine.routing import PriorityRouting
from contactsim.engine.service import Operators

__all__ = ["build_centre", "simulate"]


def simulate(
    inputs: ModelInputs,
    progress: ProgressCallback | None = None,
    record_sink: RecordSink | None = None,
) -> RunTallies:
    """Build the model of ``inputs`` and run it over the whole horizon.

    ``progress`` is told the simulated seconds done after each simulated day; ``record_sink``,
    if given, takes the call records a simulated day at a time.
    """
    return build_centre(inputs, record_sink).run(progress=progress)


def build_centre(inputs: ModelInputs, record_sink: RecordSink | None = None) -> ContactCentre:
    """The whole model of one replication, ready to run."""
    settings = inputs.settings
    lines = {line.name: line for line in inputs.lines}
    _check_redials(lines)
    kernel = Kernel(settings.end_s)
    n_intervals = math.ceil(settings.end_s / settings.interval_s)
    first_counted = round(settings.warmup_s / settings.interval_s)
    priority = list(settings.priority) or list(lines)
    callback = inputs.callback
    queues = {
        line.name: LineQueue(
            name=line.name,
            priority=priority.index(line.name),
            inputs=line,
            tally=LineTally(
                line.name, line.service_level_s, n_intervals, first_counted,
                graded=line.triage is not None, also_within_s=line.also_within_s,
            ),
        )
        for line in inputs.lines
    }
    pools = [
        (
            PoolState(name=pool.name, lines=[queues[skill] for skill in pool.skills],
                      tally=PoolTally(pool.name, high_occupancy=pool.high_occupancy),
                      warmup_s=settings.warmup_s),
            pool,
        )
        for pool in inputs.pools
    ]
    # records are kept if asked for, or handed to the sink a simulated day at a time
    records: list[CallRecord] | None = (
        [] if settings.keep_records or record_sink is not None else None
    )
    for pool, pool_inputs in pools:
        if pool_inputs.outages_s:
            pool.outage = PoolOutage(pool_inputs.outages_s, pool.tally, settings.warmup_s)
    for queue in queues.values():
        if queue.inputs.overflow is not None:
            queue.overflow = NeighbourForce(queue.inputs.overflow, kernel.schedule_in, records)
    rc = None
    if inputs.rc is not None:
        rc = ResolutionCentre(
            kernel, inputs.rc,
            RCTally(resolve_hours=[] if settings.keep_records and not record_sink else None),
            len(lines), settings.warmup_s, settings.end_s,
        )
    desk = None
    if callback is not None:
        desk = CallbackDesk(callback, queues[callback.line].tally, clock=lambda: kernel.now)
    routing = PriorityRouting(
        list(queues.values()),
        [pool for pool, _ in pools],
        queues.get(settings.reserve_line) if settings.reserve_line else None,
        settings.reserve_idle,
        callbacks=desk,
        callback_line=queues[callback.line] if callback is not None else None,
        callback_serve=callback.serve if callback is not None else BELOW_LIVE,
    )
    operators = Operators(kernel, routing, settings, records, desk, rc)
    callers = Callers(
        kernel, routing, operators, settings, queues, records, desk,
        callback.accept if callback is not None else None,
    )
    # grading, bursts, silent and dropped calls: each line's rules on its queue
    line_rules = set_line_rules(queues, kernel, routing, operators, callers, settings.end_s)
    return ContactCentre(
        kernel, settings, queues, pools, routing, operators, callers, records,
        record_sink=record_sink, callback_desk=desk, rc=rc, line_rules=line_rules,
    )


def _check_redials(lines: dict[str, LineInputs]) -> None:
    """Refuse redials that switch to a line that could not take them."""
    for line in lines.values():
        redial = line.redial
        if redial is None or redial.switch is None:
            continue
        name = redial.switch_line
        target = lines.get(name) if name is not None else None
        if (
            target is None
            or target.redial_handle_time is None
            or (target.patience is not None and target.redial_patience is None)
        ):
            raise ValueError(
                f"redials of line {line.name} that switch to {name} need a {name} line with "
                f"redial_handle_time (and redial_patience if its callers abandon)"
            )
