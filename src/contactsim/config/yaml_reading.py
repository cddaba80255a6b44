"""Reading a planner's YAML safely: a scenario, a sweep, a targets file.

PyYAML's safe loader only (nothing in a file is ever run as code), with the checks a planner's
file deserves before any of it is used: the size of the file, a key given twice in one mapping
(the second would silently replace the first), an impossible date such as 2018-02-30, and
aliases (``*name``) that would expand a small file into a huge one. Each problem is a
:class:`~contactsim.errors.ScenarioError` naming the file and the line.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from contactsim import limits
from contactsim.data.files import read_input_text
from contactsim.errors import ScenarioError


def read_yaml(path: Path, what: str = "scenario file") -> tuple[str, Any]:
    """The text of a YAML file (a scenario, a sweep, a targets file: ``what``) and what it holds,
    loaded safely. ScenarioError naming the file if it is missing, not a regular file, larger
    than :data:`~contactsim.limits.MAX_YAML_BYTES`, not UTF-8, not YAML, holds a key twice, an
    impossible date, or expands through its aliases beyond
    :data:`~contactsim.limits.MAX_YAML_NODES` nodes."""
    text = read_input_text(path, what, limits.MAX_YAML_BYTES, file=str(path))
    return text, parse_yaml(text, str(path))


def parse_yaml(text: str, file: str) -> Any:
    """What YAML ``text`` holds, loaded safely and within the limits (see :func:`read_yaml`);
    problems are attributed to ``file`` (a path, or ``--set``)."""
    loader = None
    try:
        loader = _PlannerLoader(text)
        loader.file_for_errors = file
        node = loader.get_single_node()
        if node is None:
            return None
        _check_nodes(node, Path(file))
        return loader.construct_document(node)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        problem = getattr(exc, "problem", None) or str(exc)
        raise ScenarioError.single(where, problem, "valid YAML", file=file) from None
    except RecursionError:
        raise ScenarioError.single(
            "", "YAML nested too deeply to read", "a scenario's few levels of nesting",
            file=file,
        ) from None
    finally:
        if loader is not None:
            loader.dispose()


class _PlannerLoader(yaml.SafeLoader):
    """PyYAML's safe loader, with an impossible date (2018-02-30) reported where it stands."""

    file_for_errors: str | None = None

    def construct_yaml_timestamp(self, node: yaml.Node) -> Any:
        try:
            return super().construct_yaml_timestamp(node)
        except ValueError as exc:
            raise ScenarioError.single(
                f"line {node.start_mark.line + 1}, column {node.start_mark.column + 1}",
                node.value, f"a real date ({exc})", self.file_for_errors,
            ) from None


_PlannerLoader.add_constructor(
    "tag:yaml.org,2002:timestamp", _PlannerLoader.construct_yaml_timestamp
)


def _check_nodes(root: yaml.Node, path: Path) -> None:
    """Refuse a document that holds a key twice in one mapping, or whose aliases expand it
    beyond the node budget (a "billion laughs" file), before any of it is built."""
    sizes: dict[int, int] = {}

    def size(node: yaml.Node) -> int:
        known = sizes.get(id(node))
        if known is not None:  # an alias: the same node again, counted again in full
            if known < 0:
                raise ScenarioError.single(
                    f"line {node.start_mark.line + 1}", "an alias inside the value it names",
                    "values that do not contain themselves", file=str(path),
                )
            return known
        sizes[id(node)] = -1  # being counted: met again inside itself, it is a loop
        total = 1
        if isinstance(node, yaml.MappingNode):
            _no_duplicate_keys(node, path)
            for key, value in node.value:
                total += size(key) + size(value)
        elif isinstance(node, yaml.SequenceNode):
            for item in node.value:
                total += size(item)
        sizes[id(node)] = total
        if total > limits.MAX_YAML_NODES:
            raise ScenarioError.single(
                f"line {node.start_mark.line + 1}",
                f"over {limits.MAX_YAML_NODES:,} values once its aliases (*name) are expanded",
                "a scenario-sized document (aliases are allowed, but not to build a huge one)",
                file=str(path),
            )
        return total

    size(root)


def _no_duplicate_keys(node: yaml.MappingNode, path: Path) -> None:
    seen: dict[str, int] = {}
    for key, _ in node.value:
        if not isinstance(key, yaml.ScalarNode) or key.value == "<<":
            continue
        line = key.start_mark.line + 1
        if key.value in seen:  # 999 and "999" are the same line once read
            raise ScenarioError.single(
                f"lines {seen[key.value]} and {line}", f"the key {key.value!r} twice",
                "each key once in a mapping (the second would silently replace the first)",
                file=str(path),
            )
        seen[key.value] = line


def read_yaml_mapping(path: Path, what: str) -> tuple[str, dict[str, Any]]:
    """As :func:`read_yaml`, for a file that must hold a mapping of fields (empty: none)."""
    text, data = read_yaml(path, what)
    if data is None:
        return text, {}
    if not isinstance(data, dict):
        raise ScenarioError.single("", type(data).__name__, "a mapping of fields", str(path))
    return text, data
