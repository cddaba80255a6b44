"""Regenerate the demand profiles shipped with contactsim (run: python make_profiles.py).

They are assumptions, not measurements: the 2018 report publishes annual volumes, a July peak and
"higher in the summer", nothing finer. The shapes follow what UK forces publish of their call
patterns: 999 is quiet from 03:00 to 07:00, climbs through the day, peaks in the evening and
stays high late on Friday and Saturday nights; 101 is a daytime line, busiest 09:00-18:00 and
quieter at weekends. Month factors follow docs/calibration-2018.md: 999 rises through 2018 to a
July peak with the last quarter just above average; 101 peaks in summer and falls from August to
a quiet December (the report: 101 answer times "improved since July 2018", abandonment "shown a
decrease each month", and a repeat-demand initiative "since late October 18" cut repeat 101
calls).
"""

from __future__ import annotations

import csv
from pathlib import Path

HERE = Path(__file__).parent
PACKAGE_PROFILE = HERE.parent.parent / "src" / "contactsim" / "profiles" / "police.csv"

# relative demand by hour of day (00-23) on a weekday
EMERGENCY_DAY = [0.80, 0.65, 0.50, 0.40, 0.35, 0.35, 0.42, 0.60, 0.80, 0.95, 1.02, 1.08,
                 1.12, 1.12, 1.15, 1.20, 1.28, 1.35, 1.38, 1.38, 1.35, 1.28, 1.15, 0.98]
NON_EMERGENCY_DAY = [0.35, 0.22, 0.15, 0.12, 0.10, 0.12, 0.25, 0.60, 1.10, 1.50, 1.62, 1.62,
                     1.55, 1.55, 1.55, 1.50, 1.45, 1.40, 1.30, 1.20, 1.05, 0.85, 0.65, 0.48]
EMERGENCY_MONTH = [0.86, 0.87, 0.92, 0.96, 1.04, 1.08, 1.17, 1.10, 0.99, 1.00, 1.00, 1.02]
NON_EMERGENCY_MONTH = [1.00, 0.97, 1.02, 1.04, 1.08, 1.11, 1.13, 1.05, 0.97, 0.93, 0.89, 0.81]


def week(day: list[float], weekend_night_boost: float, weekend_day_factor: float) -> list[float]:
    """Hour-of-week weights from a weekday's shape (Monday 00:00 first)."""
    weights = []
    for weekday in range(7):
        for hour in range(24):
            weight = day[hour]
            late_friday_or_saturday = weekday in (4, 5) and hour >= 21
            small_hours_of_weekend = weekday in (5, 6) and hour <= 3
            if late_friday_or_saturday or small_hours_of_weekend:
                weight *= weekend_night_boost
            if weekday in (5, 6) and 8 <= hour <= 18:
                weight *= weekend_day_factor
            weights.append(round(weight, 4))
    return weights


def write(path: Path, hour_of_week: list[float], month: list[float]) -> None:
    """Write one profile CSV: component,key,weight."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", newline="", encoding="utf-8") as handle:
        out = csv.writer(handle)
        out.writerow(["component", "key", "weight"])
        out.writerows(("hour_of_week", key, w) for key, w in enumerate(hour_of_week))
        out.writerows(("month", key, w) for key, w in enumerate(month, start=1))


if __name__ == "__main__":
    emergency = week(EMERGENCY_DAY, weekend_night_boost=1.45, weekend_day_factor=1.0)
    non_emergency = week(NON_EMERGENCY_DAY, weekend_night_boost=1.2, weekend_day_factor=0.8)
    write(HERE / "999.csv", emergency, EMERGENCY_MONTH)
    write(HERE / "101.csv", non_emergency, NON_EMERGENCY_MONTH)
    write(PACKAGE_PROFILE, emergency, EMERGENCY_MONTH)
