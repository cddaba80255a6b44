"""From a scenario file to a validated scenario: YAML → ``extends`` merge → ``--set``
overrides → replayed demand spread over its lines → validation.

Each step has its own module (:mod:`~contactsim.config.yaml_reading`,
:mod:`~contactsim.config.extends`, :mod:`~contactsim.config.overrides`,
:mod:`~contactsim.config.replay`, :mod:`~contactsim.config.messages`); this one chains them.
Every problem is a :class:`~contactsim.errors.ScenarioError` naming the file, the dotted field,
the value and what was expected.

The files a scenario names (profiles, staffing tables, call logs) are not read here:
:func:`contactsim.build.loading.load_scenario` reads them, and refuses a scenario too big to
simulate, before any work. That is the function to call to run a scenario.
"""

from __future__ import annotations

import typing
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from contactsim import limits
from contactsim.config.extends import document_with_extends, read_with_extends, text_keys
from contactsim.config.messages import validate
from contactsim.config.origins import Origins
from contactsim.config.overrides import apply_override
from contactsim.config.replay import prepare_replay
from contactsim.config.scenario import Scenario
from contactsim.config.yaml_reading import parse_yaml
from contactsim.errors import ScenarioError


@dataclass(frozen=True)
class LoadedScenario:
    """A validated scenario, the file it came from, and notices worth a planner's eye (a call
    log that had to be sorted, say). ``origins`` says which file gave each field, so that a
    problem found later (in a file the scenario names) names the file to open."""

    scenario: Scenario
    source: Path
    notices: tuple[str, ...] = ()
    origins: Origins = field(default_factory=dict, compare=False, repr=False)


def read_scenario(path: str | Path, overrides: typing.Sequence[str] = ()) -> LoadedScenario:
    """Read a scenario file, follow ``extends``, apply ``--set`` overrides and validate it,
    without reading the files it names (see :func:`contactsim.build.loading.load_scenario`).

    Parameters
    ----------
    path
        The scenario YAML file.
    overrides
        ``dotted.path=value`` texts; the value is read as YAML (``180``, ``0.3``, ``[1, 2]``).
        A list item is picked by index (``pools.0``) or by name (``pools.blended``);
        ``dotted.path.+=value`` appends to a list; ``null`` removes a field or a list item.

    Raises
    ------
    ScenarioError
        If the scenario file (or one it extends) cannot be read or any field is wrong.
    """
    source = Path(path)
    origins: Origins = {}
    raw = read_with_extends(source, chain=(), origins=origins)
    return _finish(raw, source, overrides, origins)


def read_scenario_text(text: str, path: str | Path) -> LoadedScenario:
    """Read a scenario given as YAML ``text``, exactly as :func:`read_scenario` would read it
    from the file ``path`` (which need not exist yet: ``extends`` and file names are relative to
    its folder). The text is checked against the same limits as a file's."""
    source = Path(path)
    if len(text.encode("utf-8")) > limits.MAX_YAML_BYTES:
        raise ScenarioError.single(
            "", f"{len(text.encode('utf-8'))} bytes",
            f"a scenario of at most {limits.MAX_YAML_BYTES} bytes", str(source))
    origins: Origins = {}
    data = parse_yaml(text, str(source))
    raw = document_with_extends(data, source, chain=(), origins=origins)
    return _finish(raw, source, (), origins)


def _finish(raw: dict[str, Any], source: Path, overrides: typing.Sequence[str],
            origins: Origins) -> LoadedScenario:
    """The steps after ``extends``: overrides, replayed demand, validation."""
    for text in overrides:
        try:
            apply_override(raw, text, origins)
        except ScenarioError as exc:
            raise exc.in_file(str(source)) from None
    prepare_replay(raw, origins, str(source))
    scenario = validate(raw, origins, str(source))
    return LoadedScenario(scenario=scenario, source=source, origins=origins)


def validate_mapping(raw: dict[str, Any], name_for_errors: str = "<mapping>") -> Scenario:
    """Validate a scenario given as a plain mapping (paths must already be absolute), without
    reading the files it names (see :func:`contactsim.build.loading.scenario_from_mapping`)."""
    raw = text_keys(raw)
    prepare_replay(raw, {}, name_for_errors)
    return validate(raw, {}, name_for_errors)
