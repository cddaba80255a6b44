"""From a scenario to the engine's inputs: lines, pools, redials, callbacks and the Resolution
Centre, with every random source on its own named stream.

This is the only place where the validated scenario is turned into the plain objects the model
takes (:class:`~contactsim.engine.inputs.ModelInputs`), and where each random source gets its
named stream (``handle/101``, ``patience/999``, ...), so that two scenarios with the same seed
see the same callers. :func:`synthetic_log` draws from the same inputs the call log a
replication's demand would leave in the telephony system (``contactsim demand synth``).
"""

from __future__ import annotations

from collections.abc import Iterator
from functools import partial

import numpy as np
import pandas as pd

from contactsim.build import demand, outages, sampling, staffing, surges
from contactsim.build.duplicates_and_call_backs import burst_inputs, call_back_inputs
from contactsim.build.streams import Streams
from contactsim.config.callbacks import Callback, WhenIdle
from contactsim.config.lines import EMERGENCY_LINE
from contactsim.config.scenario import Scenario
from contactsim.engine.callback import (
    ABOVE_LIVE,
    BELOW_LIVE,
    CallbackInputs,
    CallbackServe,
    when_idle,
)
from contactsim.engine.inputs import (
    LineInputs,
    ModelInputs,
    ModelSettings,
    PoolInputs,
    RedialInputs,
)
from contactsim.engine.overflow import OverflowInputs
from contactsim.engine.records import RC_OUTCOMES, TRIAGE_OUTCOMES
from contactsim.engine.resolution import RCInputs, TriageInputs
from contactsim.engine.sampler import Sampler, sampler_from_blocks


def model_inputs(
    scenario: Scenario,
    streams: Streams,
    keep_records: bool = False,
    observe_every_s: float | None = None,
) -> ModelInputs:
    """The plain objects the model takes, with every random source on its named stream."""
    horizon = scenario.horizon
    redials_anywhere = bool(scenario.redial)
    lines = []
    for name in scenario.lines:
        line_demand = scenario.demand[name]
        handling = scenario.handling[name]
        handle_time = sampling.sampler(handling.handle_time, streams[f"handle/{name}"])
        callers = None
        if line_demand.replay is not None:
            replayed = demand.replayed_line(name, line_demand, horizon, streams[f"replay/{name}"])
            arrivals: Iterator[float] = iter(replayed.arrival_s.tolist())
            if demand.uses_logged_handle_times(name, line_demand):
                assert replayed.handle_s is not None
                handle_time = partial(next, iter(replayed.handle_s.tolist()))
            if replayed.callers is not None and replayed.attempts is not None:
                callers = zip(replayed.callers.tolist(), replayed.attempts.tolist(), strict=True)
        else:
            rates = surges.line_rates(scenario, name)
            if line_demand.busyness_cv:
                rates = surges.busy_days(rates, line_demand.busyness_cv, horizon.interval_s,
                                         streams[f"busyness/{name}"])
            arrivals = demand.poisson_arrivals(
                rates, horizon.interval_s, streams[f"arrivals/{name}"]
            )
        patience = (
            sampling.sampler(handling.patience, streams[f"patience/{name}"])
            if handling.patience is not None
            else None
        )
        deflection = None
        if line_demand.online_shift > 0:
            deflection = uniform_sampler(streams[f"deflection/{name}"])
        lines.append(
            LineInputs(
                name=name,
                arrival_times_s=arrivals,
                handle_time=handle_time,
                patience=patience,
                service_level_s=scenario.service_level_s(name),
                also_within_s=scenario.also_within_s(name),
                overflow=(
                    OverflowInputs(handling.overflow.after_s, handling.overflow.capacity)
                    if handling.overflow is not None else None
                ),
                online_shift=line_demand.online_shift,
                deflection=deflection,
                redial=_redial_inputs(scenario, name, streams),
                arrival_callers=callers,
                triage=_triage_inputs(scenario, name, streams),
                bursts=burst_inputs(scenario, name, streams),
                call_backs=call_back_inputs(scenario, name, streams),
                redial_handle_time=(
                    sampling.sampler(handling.handle_time, streams[f"redial/handle/{name}"])
                    if redials_anywhere else None
                ),
                redial_patience=(
                    sampling.sampler(handling.patience, streams[f"redial/patience/{name}"])
                    if redials_anywhere and handling.patience is not None else None
                ),
            )
        )
    pools = [
        PoolInputs(name=pool.name, skills=pool.skills,
                   staffing=staffing.plan_for(pool, scenario, absence_key(streams, pool.name)),
                   high_occupancy=pool.high_occupancy,
                   outages_s=outages.outage_windows_s(scenario, pool.name))
        for pool in scenario.pools
    ]
    reserve = scenario.routing.reserve
    settings = ModelSettings(
        end_s=horizon.end_s,
        warmup_s=horizon.warmup_s,
        interval_s=horizon.interval_s,
        priority=scenario.lines,
        reserve_line=reserve.for_line if reserve else None,
        reserve_idle=reserve.idle_operators if reserve else 0,
        keep_records=keep_records,
        observe_every_s=observe_every_s,
    )
    callback = (
        _callback_inputs(scenario.callback, streams) if scenario.callback is not None else None
    )
    return ModelInputs(lines, pools, settings, callback, _rc_inputs(scenario, streams))


def absence_key(streams: Streams, team: str) -> int:
    """The key that decides which of ``team``'s rostered duties are absent in this replication
    (see :mod:`contactsim.build.absence`), from the team's own stream ``absence/TEAM``."""
    return int(streams[f"absence/{team}"].integers(0, 2**63))


def _triage_inputs(scenario: Scenario, line: str, streams: Streams) -> TriageInputs | None:
    triage = scenario.triage.get(line)
    if triage is None:
        return None
    shares = [getattr(triage, outcome) for outcome in TRIAGE_OUTCOMES]
    return TriageInputs(
        cumulative=tuple(np.cumsum(shares).tolist()),
        uniforms=streams[f"triage/{line}"].random,
        closed_extra_handle_s=triage.closed_extra_handle_s,
    )


def _rc_inputs(scenario: Scenario, streams: Streams) -> RCInputs | None:
    rc = scenario.resolution_centre
    if rc is None:
        return None
    horizon = scenario.horizon
    shrinkage = scenario.shrinkage if rc.shrinkage is None else rc.shrinkage
    open_minute, close_minute = rc.hours_minutes
    plan = staffing.within_hours(
        staffing.plan_from(rc.staffing, shrinkage, horizon,
                           absence_key(streams, "resolution_centre")),
        open_minute, close_minute, horizon.end_s,
    )
    shares = [getattr(rc.outcomes, outcome) for outcome in RC_OUTCOMES]
    return RCInputs(
        staffing=plan,
        work_time=sampling.sampler(rc.work_time, streams["rc/work"]),
        contact_attempts=rc.contact_attempts,
        contact_probability=rc.contact_probability,
        contact=uniform_sampler(streams["rc/contact"]),
        attempt_gap_s=rc.attempt_gap_s,
        unanswered_attempt_s=rc.unanswered_attempt_s,
        outcome_cumulative=(shares[0], shares[0] + shares[1], 1.0),
        outcome=uniform_sampler(streams["rc/outcome"]),
    )


def _redial_inputs(scenario: Scenario, line: str, streams: Streams) -> RedialInputs | None:
    redial = scenario.redial.get(line)
    if redial is None:
        return None
    return RedialInputs(
        probability=redial.probability,
        decide=uniform_sampler(streams[f"redial/decide/{line}"]),
        delay=sampling.sampler(redial.delay, streams[f"redial/delay/{line}"]),
        max_calls_per_caller=redial.max_calls_per_caller,
        switch_share=redial.switch_to_999,
        switch=(
            uniform_sampler(streams[f"redial/switch/{line}"])
            if redial.switch_to_999 > 0 else None
        ),
        switch_line=EMERGENCY_LINE if redial.switch_to_999 > 0 else None,
    )


def _callback_inputs(callback: Callback, streams: Streams) -> CallbackInputs:
    open_minute, close_minute = callback.hours_minutes
    serve = callback.serve
    return CallbackInputs(
        line=callback.line,
        offer_after_s=callback.offer_after_s,
        accept_probability=callback.accept_probability,
        accept=uniform_sampler(streams["callback/accept"]),
        open_minute=open_minute,
        close_minute=close_minute,
        max_attempts=callback.max_attempts,
        attempt_gap_s=callback.attempt_gap_s,
        answer_probability=callback.answer_probability,
        answer=uniform_sampler(streams["callback/answer"]),
        unanswered_attempt_s=callback.unanswered_attempt_s,
        complete_within_s=callback.complete_within_s,
        handle_time=(
            sampling.sampler(callback.handle_time, streams["callback/handle"])
            if callback.handle_time is not None else None
        ),
        serve=_callback_serve(serve),
    )


def _callback_serve(serve: str | WhenIdle) -> CallbackServe:
    """The scenario's ``callback.serve`` as the engine's one policy."""
    if isinstance(serve, WhenIdle):
        return when_idle(serve.when_idle_at_least)
    return ABOVE_LIVE if serve == "above_live" else BELOW_LIVE


def uniform_sampler(rng: np.random.Generator) -> Sampler:
    """Successive uniform draws on [0, 1) from ``rng``, drawn in blocks."""
    return sampler_from_blocks(rng.random)


def synthetic_log(scenario: Scenario, seed: int, replication: int = 0) -> pd.DataFrame:
    """The call log the scenario's demand produces in one replication: what the telephony
    system would record (online-shifted callers never reach it). Drawn from the very inputs the
    model takes, so replaying it with ``handle_times: logged`` and the same seed gives the same
    callers (exactly so when no ``online_shift`` is set).

    Columns: ``arrival_time``, ``line``, ``handle_s``, ``caller_id``.
    """
    inputs = model_inputs(scenario, Streams(seed=seed, replication=replication))
    origin = np.datetime64(scenario.horizon.start, "ns")
    frames = []
    for line in inputs.lines:
        times, handles = [], []
        for arrival_s in line.arrival_times_s:
            handle_s = line.handle_time()
            if line.deflection is not None and line.deflection() < line.online_shift:
                continue
            times.append(arrival_s)
            handles.append(handle_s)
        seconds = np.asarray(times, dtype=float)
        frames.append(
            pd.DataFrame(
                {
                    "arrival_time": origin + (seconds * 1e9).astype("timedelta64[ns]"),
                    "line": line.name,
                    "handle_s": np.asarray(handles, dtype=float),
                }
            )
        )
    log = pd.concat(frames, ignore_index=True).sort_values("arrival_time", kind="stable")
    log["caller_id"] = np.arange(len(log))
    return log.reset_index(drop=True)
