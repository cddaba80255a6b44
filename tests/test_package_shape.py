"""The shape issue 14 gave the package, kept: no module over 400 lines, SimPy's private state
touched in the kernel only, and processes started only by the executors. (The import layers
are checked by ``lint-imports``, which ``make test`` runs first.)"""

from __future__ import annotations

import re
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[1] / "src" / "contactsim"
MODULES = sorted(PACKAGE.rglob("*.py"))


def source(path: Path) -> str:
    return path.read_text(encoding="utf-8")


def test_the_package_is_found() -> None:
    assert len(MODULES) > 50


def test_no_module_is_over_400_lines() -> None:
    long = {str(p.relative_to(PACKAGE)): n for p in MODULES
            if (n := len(source(p).splitlines())) > 400}
    assert long == {}


def test_simpy_private_state_is_touched_in_the_kernel_only() -> None:
    private = re.compile(r"\._(eid|now|queue)\b")
    touching = {str(p.relative_to(PACKAGE)) for p in MODULES if private.search(source(p))}
    assert touching == {"engine/kernel.py"}


def test_processes_are_started_by_the_executors_only() -> None:
    processes = re.compile(r"^\s*(from|import) (multiprocessing|concurrent\.futures)", re.M)
    starting = {str(p.relative_to(PACKAGE)) for p in MODULES if processes.search(source(p))}
    # the executors, and the warm workers a server keeps (built on the local executor)
    assert starting == {"runs/executors.py", "runs/warm_workers.py"}
