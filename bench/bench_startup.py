"""Benchmark (issue 18, item 4): how long a command takes as a planner types it, whole process.

Each command runs as a fresh process, as from a shell — interpreter start, imports, the work,
exit — and ``python -c pass`` beside them as the reference (the interpreter's own start). The
commands are taken in turns (round 1 of each, then round 2, ...), after one warm-up round that
is not counted, and the median of the rounds is kept, of the wall-clock time and of the CPU time
of the process and its children (``os.wait4``; steadier on a busy machine). Targets, from the
issue, on the wall-clock median: ``contactsim --help`` <= 0.3 s and ``contactsim validate
scenarios/quick-week.yaml`` <= 0.8 s. The one-day runs (of ``quick-week``'s centre, one
replication on one worker, with plots and without) are shown for what importing costs a short
run; they have no target.

Python writes no bytecode cache when ``PYTHONDONTWRITEBYTECODE`` is set (some development
set-ups do): every module is then compiled from source at each start. ``--cached-bytecode``
gives the commands a bytecode cache of their own in a temporary folder (``PYTHONPYCACHEPREFIX``)
filled by the warm-up round, as an installed contactsim has.

Run: ``python bench/bench_startup.py [--rounds 5] [--cached-bytecode]``
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
#: Wall-clock medians the issue sets, seconds.
TARGETS = {"contactsim --help": 0.3, "contactsim validate quick-week": 0.8}


def contactsim_command() -> list[str]:
    """The ``contactsim`` command of this interpreter's environment."""
    beside = Path(sys.executable).parent / "contactsim"
    if beside.exists():
        return [str(beside)]
    found = shutil.which("contactsim")
    if found is None:
        sys.exit("contactsim is not installed in this environment (pip install -e .)")
    return [found]


def commands(out: Path) -> dict[str, list[str]]:
    """What is timed, by label: the reference first."""
    contactsim = contactsim_command()
    one_day = [*contactsim, "run", "scenarios/quick-week.yaml", "--set", "horizon.days=1",
               "--set", "horizon.warmup_hours=0", "--reps", "1", "--workers", "1"]
    return {
        "python -c pass": [sys.executable, "-c", "pass"],
        "contactsim --help": [*contactsim, "--help"],
        "contactsim validate quick-week": [*contactsim, "validate", "scenarios/quick-week.yaml"],
        "one-day run, no plots": [*one_day, "--no-plots", "--out", str(out / "no-plots")],
        "one-day run with plots": [*one_day, "--out", str(out / "plots")],
    }


def timed(command: list[str], env: dict[str, str]) -> tuple[float, float]:
    """Wall-clock and CPU seconds (user + system, the process and its children) of one run of
    ``command`` from the repository's folder."""
    started = time.perf_counter()
    process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.DEVNULL,
                               stderr=subprocess.PIPE)
    assert process.stderr is not None
    errors = process.stderr.read()
    _, status, usage = os.wait4(process.pid, 0)
    wall = time.perf_counter() - started
    process.returncode = os.waitstatus_to_exitcode(status)
    process.stderr.close()
    if process.returncode != 0:
        sys.exit(f"{' '.join(command)} failed ({process.returncode}):\n{errors.decode()}")
    return wall, usage.ru_utime + usage.ru_stime


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5, help="timed runs of each (median)")
    parser.add_argument("--cached-bytecode", action="store_true",
                        help="give the commands a bytecode cache (as an installed package has)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        env = dict(os.environ)
        if args.cached_bytecode:
            env.pop("PYTHONDONTWRITEBYTECODE", None)
            env["PYTHONPYCACHEPREFIX"] = str(Path(folder) / "pycache")
        cached = "PYTHONDONTWRITEBYTECODE" not in env
        todo = commands(Path(folder))
        walls: dict[str, list[float]] = {label: [] for label in todo}
        cpus: dict[str, list[float]] = {label: [] for label in todo}
        for round_ in range(args.rounds + 1):
            for label, command in todo.items():
                wall, cpu = timed(command, env)
                if round_:  # the first round warms the disk cache (and the bytecode cache)
                    walls[label].append(wall)
                    cpus[label].append(cpu)
    print(f"whole-process times, median of {args.rounds} taken in turns after a warm-up round; "
          f"bytecode cache {'on' if cached else 'off (PYTHONDONTWRITEBYTECODE)'}")
    reference = statistics.median(walls["python -c pass"])
    reference_cpu = statistics.median(cpus["python -c pass"])
    print(f"{'command':<32} {'wall s':>7} {'÷ pass':>7} {'CPU s':>7} {'÷ pass':>7}  target")
    for label in todo:
        wall, cpu = statistics.median(walls[label]), statistics.median(cpus[label])
        target = TARGETS.get(label)
        verdict = (f"<= {target:g} s: {'met' if wall <= target else 'NOT met'}"
                   if target is not None else "")
        print(f"{label:<32} {wall:>7.3f} {wall / reference:>7.1f} {cpu:>7.3f} "
              f"{cpu / max(reference_cpu, 1e-3):>7.1f}  {verdict}")
    print("one-day run: contactsim run scenarios/quick-week.yaml --set horizon.days=1 "
          "--set horizon.warmup_hours=0 --reps 1 --workers 1 [--no-plots]")


if __name__ == "__main__":
    main()
