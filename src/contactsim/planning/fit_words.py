"""What ``contactsim demand fit`` says of a line's busyness and bursts, in a planner's words."""

from __future__ import annotations

from typing import TYPE_CHECKING

from contactsim.planning.fit_busyness import MIN_DAYS

if TYPE_CHECKING:
    from contactsim.planning.fit import LineFit


def variation_words(fit: LineFit, has_incidents: bool) -> list[str]:
    """A line each for the fitted busyness and (where the log links calls to incidents)
    bursts, with their 95% intervals."""
    words = []
    busyness = fit.busyness
    if busyness is None:
        words.append(f"busyness: not fitted (it needs at least {MIN_DAYS} days, left-out days "
                     "not counted)")
    else:
        busiest = ", ".join(f"{day.isoformat()} {excess:+.0%}" for day, excess in busyness.busiest)
        left_out = f", {busyness.left_out} left out" if busyness.left_out else ""
        words.append(
            f"busyness_cv {busyness.cv.shown()} (95% interval; {busyness.days} days{left_out}: "
            f"daily counts vary {busyness.dispersion:.1f} times as much as Poisson's, "
            f"correlation with the day before {busyness.day_to_day_correlation:+.2f}); "
            f"busiest days {busiest}"
        )
    if not has_incidents:
        return words
    bursts = fit.bursts
    if bursts is None:
        words.append("bursts: no incident had a second caller within its window")
        return words
    handle = (f"; duplicates' handle time mean {bursts.handle_mean_s:.0f} s, cv "
              f"{bursts.handle_cv:.2f}" if bursts.handle_mean_s is not None
              and bursts.handle_cv is not None else "")
    words.append(
        f"bursts: {bursts.multi_share:.1%} of {bursts.incidents:,} incidents had more than one "
        f"caller within {bursts.window_min:g} min ({bursts.duplicates:,} duplicates, fitted "
        f"apart): share {bursts.share.shown()}, extra_calls {bursts.extra_calls.shown(2)}, "
        f"spread_s {bursts.spread_s.shown(0)} (95% intervals){handle}"
    )
    return words
