"""The data files a scenario names, as the input-file tests write them: a valid and a garbled
file of each kind, a one-day scenario naming one, the command's clean refusal, and a watch
that stops a command blocked reading a FIFO."""

from __future__ import annotations

import os
import threading
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import Any

import yaml
from click.testing import Result

from helpers.cli import cli

HOUR = "2018-03-05T09"

#: A valid file of each kind the scenario names, by target.
GOOD = {
    "profile": "component,key,weight\n" + "".join(
        f"hour_of_week,{h},1\n" for h in range(168)) + "".join(
        f"month,{m},1\n" for m in range(1, 13)),
    "staffing": "hour_of_week,operators\n" + "".join(f"{h},1\n" for h in range(168)),
    "empirical": "seconds\n60\n120\n",
    "log": f"arrival_time,line,handle_s\n{HOUR}:00,101,60\n{HOUR}:10,101,60\n",
}
#: Each file with a byte that is not UTF-8 on its third line.
NOT_UTF8 = {
    "profile": b"component,key,weight\nhour_of_week,0,1\nmonth,1,caf\xe9\n",
    "staffing": b"hour_of_week,operators\n0,1\n\xe9,1\n",
    "empirical": b"seconds\n60\n12\xe9\n",
    "log": f"arrival_time,line,handle_s\n{HOUR}:00,101,60\n{HOUR}:10,10".encode()
    + b"\xe91,60\n",
}
#: Where each target is named, and the scenario's field for it.
TARGETS = ("profile", "staffing", "empirical", "replay-all", "replay-line")


def scenario(folder: Path, target: str = "", file: Path | str = "", **line: Any) -> Path:
    """A one-day scenario of line 101 naming ``file`` as its ``target`` (profile, staffing,
    empirical, replay-all: ``demand: {replay: FILE}``, or replay-line: ``"101": {replay:
    FILE}``); ``line`` adds to line 101's demand."""
    demand_101: dict[str, Any] = {"rate_per_hour": 4}
    staffing: dict[str, Any] = {"flat": 1}
    handle: dict[str, Any] = {"dist": "fixed", "value_s": 60}
    demand_spec: dict[str, Any] = {}
    if target == "profile":
        demand_101 = {"annual_volume": 5000, "profile": str(file)}
    elif target == "staffing":
        staffing = {"per_interval": str(file)}
    elif target == "empirical":
        handle = {"dist": "empirical", "file": str(file), "column": "seconds"}
    elif target == "replay-all":
        demand_spec = {"replay": str(file)}
    elif target == "replay-line":
        demand_101 = {"replay": str(file)}
    demand_spec.setdefault("101", None)
    if "replay" not in demand_spec:
        demand_spec["101"] = {**demand_101, **line}
    else:
        del demand_spec["101"]
    raw = {
        "name": "files",
        "horizon": {"start": "2018-03-05", "days": 1, "warmup_hours": 0},
        "demand": demand_spec,
        "handling": {"101": {"handle_time": handle}},
        "pools": [{"name": "all", "skills": ["101"], "staffing": staffing}],
    }
    path = folder / f"scenario-{target or 'plain'}.yaml"
    path.write_text(yaml.safe_dump(raw, sort_keys=False), encoding="utf-8")
    return path


def kind_of(target: str) -> str:
    """The kind of file a target names (replays name logs)."""
    return "log" if target.startswith("replay") else target


def refused(result: Result, *fragments: str) -> str:
    """Assert the command exited 2 with a message holding ``fragments`` and no traceback."""
    output = result.output
    assert result.exit_code == 2, output
    assert "Traceback" not in output and "unexpectedly" not in output, output
    for fragment in fragments:
        assert fragment in output, (fragment, output)
    return output


def validate_and_run(path: Path, tmp_path: Path, *fragments: str) -> None:
    """``validate`` and ``run`` both refuse ``path``, and ``run`` writes nothing."""
    refused(cli("validate", path), *fragments)
    out = tmp_path / "results"
    refused(cli("run", path, "--reps", 1, "--workers", 1, "--out", out), *fragments)
    assert not out.exists()
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".results")]


@contextmanager
def released_after(pipe: Path, seconds: float = 20) -> Iterator[threading.Event]:
    """Watch a command that is given the FIFO ``pipe``: if it is still running after
    ``seconds``, open the FIFO's other end and close it again (and again), so that whatever
    blocks reading it sees its end and the test fails rather than hangs. The event says whether
    that had to be done. (An alarm would not do: a reader in C retries an interrupted open.)"""
    fired = threading.Event()
    done = threading.Event()

    def watch() -> None:
        if done.wait(seconds):
            return
        fired.set()
        while not done.is_set():
            with suppress(OSError):  # nobody is reading it at this moment
                os.close(os.open(pipe, os.O_WRONLY | os.O_NONBLOCK))
            done.wait(0.05)

    watcher = threading.Thread(target=watch, daemon=True)
    watcher.start()
    try:
        yield fired
    finally:
        done.set()
        watcher.join()
