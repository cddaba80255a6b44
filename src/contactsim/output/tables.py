"""Numbers as a planner reads them, and tables that fit the terminal.

Every KPI is shown in its unit, which comes from the KPI registry (:mod:`contactsim.analysis.kpis`):

- a **share** as a percentage, ``13.5% [13.4, 13.6]``, and a difference of two shares in
  percentage points, ``−0.3 pt [−0.5, −0.1]``;
- a **time** in seconds or hours, ``210.5 s [207.0, 214.0]`` (whole seconds once the interval
  is ±10 s or wider: ``692 s [650, 734]``);
- a **count** with thousands separators, ``171,820 [171,100, 172,540]``.

A row's mean and interval share one precision: a share one decimal (two below 1%), a
difference of shares and any other KPI as the interval's half-width asks (its first
significant figure for points, two for times and counts, within the unit's bounds), so that a
digit the replications do not support is not shown, and a difference they do resolve is not
hidden. Nothing is ever shown as a
negative zero, and a minus is a minus sign (−).

Tables are laid out by rich: on a terminal they fit its width (long names wrap, never cut);
elsewhere (a pipe, a file, a test) they are plain text without colour or control codes.
"""

from __future__ import annotations

import io
import itertools
import math
import os
import sys
from typing import Any

from rich import box
from rich.console import Console
from rich.table import Table

from contactsim.analysis.kpi_names import SERVICE_LEVEL
from contactsim.analysis.kpis import RC_SCOPE, kpi_named

__all__ = [
    "MINUS", "decimals", "difference_text", "interval_text", "kind", "kpi_label", "mean_text",
    "new_table", "number", "render", "scope_label", "skills_words",
]

MINUS = "\N{MINUS SIGN}"

#: the kinds of number a KPI unit is shown as
SHARE, TIME, COUNT, NUMBER = "share", "time", "count", "number"

#: decimals a kind may be shown with: (fewest, most)
DECIMALS = {SHARE: (1, 2), TIME: (0, 1), COUNT: (0, 1), NUMBER: (0, 3)}
#: significant figures of an interval's half-width a kind's precision follows
SIGNIFICANT = {SHARE: 1, TIME: 2, COUNT: 2, NUMBER: 2}

#: width a table may take when the output is not a terminal (a pipe or a file): wide enough
#: that a comparison of three scenarios keeps its names on one line
PLAIN_WIDTH = 160


def kind(kpi: str) -> str:
    """How KPI ``kpi`` is shown, from its unit in the registry: share, time, count or (a name
    the registry does not know) number."""
    found = kpi_named(kpi)
    if found is None:
        return NUMBER
    if found.unit == "share":
        return SHARE
    if found.unit in ("s", "h"):
        return TIME
    return COUNT


def _unit(kpi: str) -> str:
    found = kpi_named(kpi)
    return found.unit if found is not None and found.unit in ("s", "h") else ""


def decimals(kpi: str, mean: float, low: float = math.nan, high: float = math.nan,
             difference: bool = False) -> int:
    """Decimals to show a KPI's value and interval with.

    A share (in %) has one decimal, two below 1%; a difference of shares (in points) and
    every other KPI as many as the interval's half-width asks (:data:`SIGNIFICANT` figures of
    it) within the kind's bounds (:data:`DECIMALS`), or without an interval the kind's usual
    precision."""
    fewest, most = DECIMALS[kind(kpi)]
    scale = _scale(kpi)
    value = abs(mean) * scale if math.isfinite(mean) else 0.0
    if kind(kpi) == SHARE and not difference:
        return most if 0 < value < 1 else fewest
    half = (high - low) / 2 * scale if math.isfinite(low) and math.isfinite(high) else math.nan
    if math.isfinite(half) and half > 0:
        wanted = SIGNIFICANT[kind(kpi)] - 1 - math.floor(math.log10(half))
        return min(most, max(fewest, wanted))
    if kind(kpi) == SHARE:
        return most if 0 < value < 1 else fewest
    if kind(kpi) == COUNT:
        return fewest if value >= 100 or float(value).is_integer() else most
    return fewest if value >= 1000 else most


def number(value: float, places: int, signed: bool = False) -> str:
    """``value`` with ``places`` decimals and thousands separators; a minus sign (−) for a
    negative number, a plus for a positive one if ``signed``, and no sign on a zero; — for
    NaN."""
    if value != value:
        return "—"
    if math.isinf(value):
        return ("" if value > 0 else MINUS) + "∞"
    text = f"{abs(value):,.{places}f}"
    if float(text.replace(",", "")) == 0:
        return text  # never -0.0
    if value < 0:
        return MINUS + text
    return "+" + text if signed else text


def _scale(kpi: str) -> float:
    return 100.0 if kind(kpi) == SHARE else 1.0


def mean_text(kpi: str, mean: float, low: float = math.nan, high: float = math.nan,
              places: int | None = None) -> str:
    """A KPI's value in its unit, at the precision its interval supports (or with ``places``
    decimals): ``13.5%``, ``210.5 s``, ``7,556``."""
    if mean != mean:
        return "—"
    scale = _scale(kpi)
    text = number(mean * scale, decimals(kpi, mean, low, high) if places is None else places)
    if kind(kpi) == SHARE:
        return text + "%"
    unit = _unit(kpi)
    return f"{text} {unit}" if unit else text


def interval_text(kpi: str, mean: float, low: float, high: float) -> str:
    """The interval ``[low, high]`` in the KPI's unit (without the unit), at the row's
    precision; empty when there is none."""
    if low != low and high != high:
        return ""
    scale = _scale(kpi)
    places = decimals(kpi, mean, low, high)
    return f"[{number(low * scale, places)}, {number(high * scale, places)}]"


def difference_text(kpi: str, mean: float, low: float, high: float) -> str:
    """A paired difference with its interval: ``−0.3 pt [−0.5, −0.1]`` for a share (percentage
    points), ``+12.4 s [8.0, 16.8]`` for a time, ``−1,204 [−1,530, −878]`` for a count."""
    if mean != mean:
        return "—"
    scale = _scale(kpi)
    places = decimals(kpi, mean, low, high, difference=True)
    unit = " pt" if kind(kpi) == SHARE else (f" {_unit(kpi)}" if _unit(kpi) else "")
    text = number(mean * scale, places, signed=True) + unit
    if low == low or high == high:
        text += f" [{number(low * scale, places)}, {number(high * scale, places)}]"
    return text


def kpi_label(kpi: str, service_level_s: float | None = None) -> str:
    """A KPI's label from the registry (its name if the registry does not know it); the service
    level with its threshold when given: "Service level (within 10 s)"."""
    found = kpi_named(kpi)
    label = found.label if found is not None else kpi
    if kpi == SERVICE_LEVEL and service_level_s is not None:
        label += f" (within {service_level_s:g} s)"
    return label


def scope_label(scope: str, kpi: str | None = None) -> str:
    """What a summary's scope is, in words: "line 999", "pool blended", "Resolution Centre".
    Whether a scope is a line or a pool is read from the kind of KPI it has."""
    if scope == RC_SCOPE:
        return "Resolution Centre"
    found = kpi_named(kpi) if kpi is not None else None
    if found is not None and found.scope == "line":
        return f"line {scope}"
    if found is not None:
        return f"pool {scope}"
    return scope


#: the narrowest a column may be made to fold a header longer than its values into
HEADER_FOLD_WIDTH = 16


class _Table(Table):
    """A rich table that knows its columns' widest cells, so that a long header (a scenario's
    name) folds to its values' width rather than squeezing the values."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.widest: list[int] = []

    def add_row(self, *cells: Any, **kwargs: Any) -> None:
        super().add_row(*cells, **kwargs)
        widths = [max((len(line) for line in str(cell).splitlines()), default=0)
                  for cell in cells]
        self.widest = [max(pair) for pair in itertools.zip_longest(self.widest, widths,
                                                                    fillvalue=0)]

    def fold_headers(self, console: Console) -> None:
        """If the table is wider than ``console``, limit each column whose header is wider
        than its cells to its cells' width (at least :data:`HEADER_FOLD_WIDTH`): the header
        folds onto more lines rather than squeezing the values."""
        unlimited = console.options.update(max_width=10**6)
        if console.measure(self, options=unlimited).maximum <= console.width:
            return
        for column, widest in zip(self.columns, self.widest, strict=False):
            header = max((len(line) for line in str(column.header).splitlines()), default=0)
            if header > max(widest, HEADER_FOLD_WIDTH):
                column.max_width = max(widest, HEADER_FOLD_WIDTH)


def new_table(*columns: str | tuple[str, str]) -> Table:
    """A table with a line under its header and none between columns (so that a pipe gets
    plain, aligned text). A column is a header, or ``(header, "right")`` for numbers."""
    table = _Table(box=box.SIMPLE_HEAD, show_edge=False, pad_edge=False, header_style="bold")
    for column in columns:
        header, justify = column if isinstance(column, tuple) else (column, "left")
        # a header too long for its column folds onto more lines; it is never cut
        table.add_column(header, justify=justify, overflow="fold")  # type: ignore[arg-type]
    return table


def _width() -> int:
    """The terminal's width, or :data:`PLAIN_WIDTH` (``COLUMNS`` if set) for a pipe or file."""
    columns = os.environ.get("COLUMNS", "")
    if columns.isdigit() and int(columns) > 0:
        return int(columns)
    if sys.stdout.isatty():
        return os.get_terminal_size(sys.stdout.fileno()).columns
    return PLAIN_WIDTH


def render(*tables: Table | str, width: int | None = None) -> str:
    """The tables (and lines of text) as text to print: coloured on a terminal, plain
    elsewhere; fitted to ``width`` (the terminal's by default)."""
    terminal = sys.stdout.isatty()
    buffer = io.StringIO()
    console = Console(file=buffer, width=width or _width(), force_terminal=terminal,
                      color_system="standard" if terminal else None, highlight=False,
                      emoji=False, markup=False, soft_wrap=False)
    for table in tables:
        if isinstance(table, _Table):
            table.fold_headers(console)
        console.print(table)
    return "\n".join(line.rstrip() for line in buffer.getvalue().rstrip("\n").splitlines())



def skills_words(skills: list[str], lines: list[str]) -> str:
    """What a pool answers, in words: "multi-skilled: 999 and 101"; "999 only" where the
    centre has other lines; just the line where it has one."""
    named = " and ".join(skills) if len(skills) < 3 else (
        ", ".join(skills[:-1]) + " and " + skills[-1])
    if len(skills) == 1:
        return f"{named} only" if len(lines) > 1 else named
    return f"multi-skilled: {named}"
