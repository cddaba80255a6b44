"""The what-if page's levers: the few figures a planner turns, in the planner's units, and the
scenario file a set of lever values makes.

A lever reads its value from the base scenario (as the base's own files give it, after
``extends``) and, when moved, writes one field of an overlay file that ``extends`` the base.
Only moved levers are written, so the file says in a few lines what the what-if changes. The
page never runs anything but such a file's text (see :mod:`contactsim.web.whatif_files`).

Values are shown in the planner's units (shares in %, waits in minutes, staff as a % of the
rostered numbers) and converted back exactly: a share of 15% is written ``0.15``.
"""

from __future__ import annotations

import copy
from dataclasses import asdict, dataclass
from typing import Any

from contactsim.config.lines import EMERGENCY_LINE
from contactsim.errors import ContactsimError

#: Decimals a lever's YAML value is rounded to (a staff % of a calibrated scale, say).
YAML_DECIMALS = 6
#: Callback levers' values when a base without callbacks has them switched on.
NEW_CALLBACK_AFTER_MIN = 10.0
NEW_CALLBACK_ACCEPT_PERCENT = 50.0


@dataclass(frozen=True)
class Lever:
    """One figure a planner may change on the page.

    ``value`` is the base's, in ``unit``; ``field`` is the YAML field it writes (dotted, pools
    and shifts by name or place). A shown value ``v`` is written as ``v * per_shown`` (so 15 %
    is 0.15 with ``per_shown`` 0.01; 10 min is 600 s with 60); a ``switch`` is 1 (on) or 0.
    """

    key: str
    group: str
    label: str
    unit: str
    value: float
    minimum: float
    maximum: float
    step: float
    field: str
    per_shown: float = 1.0
    whole: bool = False
    switch: bool = False
    help: str = ""

    def as_json(self) -> dict[str, Any]:
        """The lever as the page's script reads it."""
        return asdict(self)

    def to_yaml(self, shown: float) -> float | int:
        """A shown value as the YAML value: whole numbers as integers."""
        if self.whole or self.switch:
            return round(shown)
        if self.per_shown == 0.01:
            return round(shown / 100, YAML_DECIMALS)  # division by 100 rounds once, exactly
        return round(shown * self.per_shown, YAML_DECIMALS)


def levers_of(raw: dict[str, Any]) -> list[Lever]:
    """The levers of a base scenario, from its fields after ``extends`` (``raw``)."""
    levers: list[Lever] = []
    for pool in raw.get("pools", []):
        levers += _pool_levers(pool, has_own_shrinkage=pool.get("shrinkage") is not None)
    levers.append(_share("shrinkage", "Shrinkage", "Shrinkage (pools without their own)",
                         float(raw.get("shrinkage", 0.0)), "shrinkage", below_one=True,
                         help="share of rostered duties absent: a person's shift lost whole"))
    levers += _callback_levers(raw.get("callback"))
    for line, demand in raw.get("demand", {}).items():
        levers.append(Lever(
            key=f"demand.{line}.growth", group="Demand", label=f"{line} demand growth",
            unit="%", value=round(float(demand.get("growth", 1.0)) * 100, 4), minimum=0,
            maximum=1000, step=1, field=f"demand.{line}.growth", per_shown=0.01,
            help="callers as a % of the base's (110 = 10% more)"))
        if line != EMERGENCY_LINE:
            levers.append(_share(
                f"demand.{line}.online_shift", "Demand", f"{line} callers who go online instead",
                float(demand.get("online_shift", 0.0)), f"demand.{line}.online_shift",
                below_one=True, help="report online or by IVR and never queue"))
    rc = raw.get("resolution_centre")
    if rc is not None:
        levers += _staffing_levers("resolution_centre", "Resolution Centre", "investigators",
                                   rc.get("staffing", {}), "resolution_centre.staffing")
    return levers


def _pool_levers(pool: dict[str, Any], has_own_shrinkage: bool) -> list[Lever]:
    name = str(pool["name"])
    levers = _staffing_levers(f"pools.{name}", f"Staff: {name}", "operators",
                              pool.get("staffing", {}), f"pools.{name}.staffing")
    if has_own_shrinkage:
        levers.append(_share(f"pools.{name}.shrinkage", f"Staff: {name}",
                             f"{name} shrinkage", float(pool["shrinkage"]),
                             f"pools.{name}.shrinkage", below_one=True))
    return levers


def _staffing_levers(key: str, group: str, people: str, staffing: dict[str, Any],
                     field: str) -> list[Lever]:
    """A staff % of the rostered numbers (every scale of the plan times it), and the people of
    each shift or the flat number."""
    levers = [Lever(
        key=f"{key}.staff_percent", group=group, label=f"{group.split(': ')[-1]} staff, % of "
        "the roster", unit="%", value=100.0, minimum=1, maximum=1000, step=1,
        field=f"{field}.scale", per_shown=0.01,
        help="multiplies the plan's scale (and each dated change of it): 110 = 10% more people "
             "at every hour")]
    shifts = staffing.get("shifts")
    if isinstance(shifts, list):
        for index, shift in enumerate(shifts):
            label = shift.get("name") or f"{shift.get('start')} for {shift.get('length_h'):g} h"
            levers.append(Lever(
                key=f"{key}.shifts.{index}.count", group=group, label=f"shift {label}",
                unit=people, value=float(shift.get("count", 0)), minimum=0, maximum=1000,
                step=1, field=f"{field}.shifts.{shift.get('name') or index}.count", whole=True))
    elif staffing.get("flat") is not None:
        levers.append(Lever(
            key=f"{key}.flat", group=group, label=f"{people} rostered", unit=people,
            value=float(staffing["flat"]), minimum=0, maximum=10_000, step=1,
            field=f"{field}.flat", whole=True))
    return levers


def _share(key: str, group: str, label: str, value: float, field: str,
           below_one: bool = False, help: str = "") -> Lever:
    return Lever(key=key, group=group, label=label, unit="%", value=round(value * 100, 4),
                 minimum=0, maximum=99.9 if below_one else 100, step=0.5, field=field,
                 per_shown=0.01, help=help)


def _callback_levers(callback: dict[str, Any] | None) -> list[Lever]:
    on = callback is not None
    given = callback or {}
    line = given.get("line", "101")
    return [
        Lever(key="callback.on", group="Callbacks", label=f"Offer {line} callers a callback",
              unit="", value=1.0 if on else 0.0, minimum=0, maximum=1, step=1,
              field="callback", switch=True),
        Lever(key="callback.offer_after_min", group="Callbacks",
              label="Offer after queueing", unit="min",
              value=float(given["offer_after_s"]) / 60 if on else NEW_CALLBACK_AFTER_MIN,
              minimum=0, maximum=24 * 60, step=0.5, field="callback.offer_after_s",
              per_shown=60.0, help="the force moved it from 3 to 10 minutes in 2018"),
        _share("callback.accept_probability", "Callbacks", "Callers who accept",
               float(given["accept_probability"]) if on else NEW_CALLBACK_ACCEPT_PERCENT / 100,
               "callback.accept_probability"),
    ]


def overlay_for(raw: dict[str, Any], values: dict[str, float]) -> dict[str, Any]:
    """The fields an overlay on the base (``raw``, its fields after ``extends``) must give for
    the lever ``values`` (shown units, by key); levers not moved are left out. An unknown key
    or a value outside its lever's range raises :class:`ContactsimError` naming it."""
    levers = {lever.key: lever for lever in levers_of(raw)}
    moved: dict[str, float] = {}
    for key, shown in values.items():
        lever = levers.get(key)
        if lever is None:
            raise ContactsimError(f"{key!r} is not a lever of this scenario")
        if not isinstance(shown, int | float) or shown != shown:
            raise ContactsimError(f"{lever.label}: got {shown!r}; expected a number")
        if not lever.minimum <= shown <= lever.maximum:
            raise ContactsimError(f"{lever.label}: got {shown:g}; expected a value from "
                                  f"{lever.minimum:g} to {lever.maximum:g} {lever.unit}")
        if lever.to_yaml(shown) != lever.to_yaml(lever.value):
            moved[key] = float(shown)
    out: dict[str, Any] = {}
    for key, shown in moved.items():
        _write(out, raw, levers[key], shown, moved)
    return out


def _write(out: dict[str, Any], raw: dict[str, Any], lever: Lever, shown: float,
           moved: dict[str, float]) -> None:
    parts = lever.key.split(".")
    value = lever.to_yaml(shown)
    if parts[0] == "shrinkage":
        out["shrinkage"] = value
    elif parts[0] == "demand":
        out.setdefault("demand", {}).setdefault(parts[1], {})[parts[2]] = value
    elif parts[0] == "callback":
        _write_callback(out, raw, parts[1], value, moved)
    elif parts[0] == "pools":
        entry = _pool_entry(out, parts[1])
        base = next(p for p in raw["pools"] if str(p["name"]) == parts[1])
        if parts[2] == "shrinkage":
            entry["shrinkage"] = value
        else:
            _write_staffing(entry.setdefault("staffing", {}), base.get("staffing", {}),
                            parts[2:], value)
    elif parts[0] == "resolution_centre":
        rc = out.setdefault("resolution_centre", {}).setdefault("staffing", {})
        _write_staffing(rc, raw["resolution_centre"].get("staffing", {}), parts[1:], value)


def _pool_entry(out: dict[str, Any], name: str) -> dict[str, Any]:
    """The overlay's entry of pool ``name`` (pools merge by name in ``extends``)."""
    pools = out.setdefault("pools", [])
    for entry in pools:
        if entry["name"] == name:
            return entry
    entry = {"name": name}
    pools.append(entry)
    return entry


def _write_staffing(out: dict[str, Any], base: dict[str, Any], parts: list[str],
                    value: float | int) -> None:
    if parts[0] == "staff_percent":
        factor = value
        out["scale"] = round(float(base.get("scale", 1.0)) * factor, YAML_DECIMALS)
        if base.get("changes"):
            out["changes"] = [
                {**change, "scale": round(float(change["scale"]) * factor, YAML_DECIMALS)}
                for change in base["changes"]
            ]
    elif parts[0] == "flat":
        out["flat"] = value
    elif parts[0] == "shifts":
        index = int(parts[1])
        shifts = base["shifts"]
        if all(isinstance(s, dict) and s.get("name") for s in shifts):
            # named shifts merge by name: write only the changed one's count
            entries = out.setdefault("shifts", [])
            entries.append({"name": shifts[index]["name"], "count": value})
        else:  # unnamed shifts replace the base's list whole: write it all, counts changed
            written = out.setdefault("shifts", copy.deepcopy(shifts))
            written[index]["count"] = value


def _write_callback(out: dict[str, Any], raw: dict[str, Any], part: str, value: float | int,
                    moved: dict[str, float]) -> None:
    had = raw.get("callback") is not None
    on = bool(moved.get("callback.on", 1.0 if had else 0.0))
    if not on:
        out["callback"] = None  # null removes the base's callbacks
        return
    callback = out.setdefault("callback", {})
    if not had:  # switched on: both required fields, from the levers (moved or not)
        callback.setdefault("offer_after_s", NEW_CALLBACK_AFTER_MIN * 60)
        callback.setdefault("accept_probability", NEW_CALLBACK_ACCEPT_PERCENT / 100)
    if part == "offer_after_min":
        callback["offer_after_s"] = value
    elif part == "accept_probability":
        callback["accept_probability"] = value
