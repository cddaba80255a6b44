"""A line's bursts of duplicate calls and its silent and dropped calls' call-backs, as the
engine takes them (:class:`~contactsim.engine.bursts.BurstInputs`,
:class:`~contactsim.engine.dropped_calls.CallBackInputs`), every draw on a named stream of its
own — ``bursts/LINE`` (does a first call bring a burst), ``bursts/size/LINE``,
``bursts/gap/LINE``, ``bursts/handle/LINE``, ``bursts/patience/LINE``;
``call_backs/silent/LINE``, ``call_backs/silent_handle/LINE``, ``call_backs/handle/LINE`` — so
that turning either on leaves every other caller of the scenario as it was.
"""

from __future__ import annotations

import numpy as np

from contactsim.build import sampling
from contactsim.build.streams import Streams
from contactsim.config.scenario import Scenario
from contactsim.engine.bursts import BurstInputs
from contactsim.engine.dropped_calls import CallBackInputs
from contactsim.engine.sampler import Sampler, sampler_from_blocks

__all__ = ["burst_inputs", "call_back_inputs"]


def _uniforms(rng: np.random.Generator) -> Sampler:
    return sampler_from_blocks(rng.random)


def burst_inputs(scenario: Scenario, line: str, streams: Streams) -> BurstInputs | None:
    """The bursts of ``line`` (None if it has none). Duplicates abandon with the line's
    patience, drawn on their own stream."""
    bursts = scenario.demand[line].bursts
    if bursts is None:
        return None
    patience = scenario.handling[line].patience
    sizes, gaps = streams[f"bursts/size/{line}"], streams[f"bursts/gap/{line}"]
    extra_calls, spread_s = bursts.extra_calls, bursts.spread_s
    return BurstInputs(
        share=bursts.share,
        decide=_uniforms(streams[f"bursts/{line}"]),
        size=sampler_from_blocks(lambda size: sizes.poisson(extra_calls, size)),
        gap=sampler_from_blocks(lambda size: gaps.exponential(spread_s, size)),
        handle_time=sampling.sampler(bursts.handle_time, streams[f"bursts/handle/{line}"]),
        patience=(
            sampling.sampler(patience, streams[f"bursts/patience/{line}"])
            if patience is not None else None
        ),
    )


def call_back_inputs(scenario: Scenario, line: str, streams: Streams) -> CallBackInputs | None:
    """The silent and dropped calls of ``line`` and their call-backs (None if it has none)."""
    call_backs = scenario.handling[line].call_backs
    if call_backs is None:
        return None
    silent = call_backs.silent_share > 0 and call_backs.silent_handle_time is not None
    return CallBackInputs(
        silent_share=call_backs.silent_share,
        silent=_uniforms(streams[f"call_backs/silent/{line}"]) if silent else None,
        silent_handle_time=(
            sampling.sampler(call_backs.silent_handle_time,
                             streams[f"call_backs/silent_handle/{line}"])
            if silent and call_backs.silent_handle_time is not None else None
        ),
        dropped=call_backs.dropped,
        silent_called_back=call_backs.silent,
        handle_time=sampling.sampler(call_backs.handle_time, streams[f"call_backs/handle/{line}"]),
    )
