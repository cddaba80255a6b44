"""A what-if as a scenario file: its text, loading it, and saving it beside its base.

The page holds nothing a file cannot reproduce: a what-if *is* the text of a scenario file that
``extends`` its base with only the moved levers' fields. That text is what the page runs
(loaded as if it were already saved in the scenarios folder) and what "Save as scenario"
writes, byte for byte, so ``contactsim run`` on the saved file gives the page's numbers.

A saved file starts with the page's mark; the page overwrites a file only if it carries that
mark, so a planner's own scenario is never replaced.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from contactsim.build.loading import load_scenario_text
from contactsim.config.extends import read_with_extends
from contactsim.config.json_schema import SCHEMA_FILE_NAME, schema_comment
from contactsim.config.loader import LoadedScenario
from contactsim.data.files import child, safe_component, write_text_atomic
from contactsim.errors import ContactsimError
from contactsim.web.levers import Lever, levers_of, overlay_for

#: The line that marks a file the page wrote (the only files it may overwrite).
PAGE_MARK = "# A what-if made on the contactsim page (contactsim serve)."


@dataclass(frozen=True)
class WhatIf:
    """A what-if's name, its file's text and where that file is (or would be) saved."""

    name: str
    text: str
    path: Path


def base_fields(base: Path) -> dict[str, Any]:
    """The base scenario's fields after ``extends`` (what the levers read)."""
    return read_with_extends(base, chain=(), origins={})


def whatif_for(base: Path, folder: Path, name: str, values: dict[str, float],
               reps: int, seed: int) -> WhatIf:
    """The what-if ``name`` on the scenario file ``base`` with lever ``values``: the text of
    its file in ``folder`` (which says how to get the page's numbers: ``reps`` and ``seed``)."""
    component = safe_component(name, "what-if name")
    path = child(folder, component, "what-if name", ".yaml")
    raw = base_fields(base)
    overlay = overlay_for(raw, values)
    document: dict[str, Any] = {
        "extends": Path(os.path.relpath(base, folder)).as_posix(),
        "name": component,
        "description": _description(base, levers_of(raw), values),
        **overlay,
    }
    lines = []
    if (folder / SCHEMA_FILE_NAME).is_file():  # the editor checks the file as it is changed
        lines.append(schema_comment(SCHEMA_FILE_NAME))
    lines += [
        PAGE_MARK,
        f"# The page's numbers: contactsim run {path.name} --reps {reps} --seed {seed}",
        yaml.safe_dump(document, sort_keys=False, allow_unicode=True, width=96),
    ]
    return WhatIf(name=component, text="\n".join(lines), path=path)


def _description(base: Path, levers: list[Lever], values: dict[str, float]) -> str:
    """The moved levers in words: "blended staff, % of the roster 100 → 110 %"."""
    changes = []
    for lever in levers:
        shown = values.get(lever.key, lever.value)
        if lever.to_yaml(shown) != lever.to_yaml(lever.value):
            if lever.switch:
                changes.append(f"{lever.label}: {'yes' if shown else 'no'}")
            else:
                changes.append(f"{lever.label} {lever.value:g} → {shown:g} {lever.unit}".strip())
    moved = "; ".join(changes) if changes else "no change"
    return f"{base.stem} with {moved}"


def load_whatif(whatif: WhatIf) -> LoadedScenario:
    """The what-if loaded (files read, size checked) exactly as its saved file would be."""
    return load_scenario_text(whatif.text, whatif.path)


def save_whatif(whatif: WhatIf) -> Path:
    """Write the what-if's file whole; refuse to replace a file the page did not write."""
    path = whatif.path
    if path.exists() and not _made_by_page(path):
        raise ContactsimError(
            f"{path.name} already exists in {path.parent} and was not made by this page; "
            "give the what-if another name (the page never replaces a planner's own file)")
    write_text_atomic(path, whatif.text)
    return path


def _made_by_page(path: Path) -> bool:
    try:
        with path.open(encoding="utf-8") as file:
            head = [file.readline().rstrip("\n") for _ in range(2)]
    except (OSError, UnicodeDecodeError):
        return False
    return PAGE_MARK in head
