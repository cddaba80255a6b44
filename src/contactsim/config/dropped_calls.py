"""Silent and dropped calls, and the call-backs a force makes to each.

```yaml
handling:
  "999":
    call_backs:
      silent_share: 0.05                   # of answered calls, silent (nobody speaks)
      silent_handle_time: {dist: fixed, value_s: 30}
      silent: true                         # silent calls called back (the default)
      dropped: true                        # callers who hang up before answer, called back
                                           # (the default)
      handle_time: {dist: lognormal, mean_s: 120, cv: 0.7}   # a call-back's own time
```

A silent call is answered but nobody speaks: it takes ``silent_handle_time``, is not triaged,
and, with ``silent``, is called back when it ends. With ``dropped``, every caller who hangs up
before answer is called back from that moment. A call-back is made by an operator with the
line's skill, after the line's live calls and before any less urgent line's, and takes
``handle_time``. ``silent: false`` and ``dropped: false`` keep the silent calls but make no
call-backs: the scenario to compare with, for what making them costs live calls.
"""

from __future__ import annotations

from pydantic import model_validator

from contactsim.config.distributions import Distribution
from contactsim.config.fields import Frozen, Share

__all__ = ["CallBacks"]


class CallBacks(Frozen):
    """A line's silent calls (``silent_share`` of its answered calls, handled in
    ``silent_handle_time``; called back if ``silent``) and dropped calls (called back if
    ``dropped``); a call-back takes ``handle_time``."""

    silent_share: Share = 0.0
    silent_handle_time: Distribution | None = None
    silent: bool = True
    dropped: bool = True
    handle_time: Distribution

    @model_validator(mode="after")
    def _silent_calls_timed(self) -> CallBacks:
        if self.silent_share > 0 and self.silent_handle_time is None:
            raise ValueError("silent calls (silent_share above 0) need a silent_handle_time")
        return self
