"""Overlays a planner can trust (issue 13, items 2 and 3).

- ``extends`` merges lists of named things by name: an overlay naming one pool changes that
  pool and keeps the others; a new name is added; ``{name: X, remove: true}`` removes one;
  ``--set`` appends to a list with ``FIELD.+=VALUE``; ``validate`` lists what an overlay and
  ``--set`` change.

What overlays and ``--set`` do to results folders is in ``test_overlay_results_folders.py``.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from contactsim.build.loading import load_scenario
from contactsim.config.overlays import overlay_changes
from contactsim.errors import ScenarioError
from helpers.cli import cli, ok
from helpers.overlays import BASE, overlay
from helpers.scenarios import write

# --- extends: lists of named things merge by name ----------------------------------------------


def test_an_overlay_naming_one_pool_keeps_the_others(tmp_path: Path) -> None:
    path = overlay(tmp_path, "pools:\n  - {name: non_emergency, staffing: {flat: 4}}\n")
    scenario = load_scenario(path).scenario
    assert [p.name for p in scenario.pools] == ["emergency", "blended", "non_emergency"]
    changed = scenario.pools[2]
    assert changed.staffing.flat == 4
    assert (changed.skills, changed.shrinkage) == (("101",), 0.1)  # the rest of the pool kept
    base = load_scenario(tmp_path / "base.yaml").scenario
    assert scenario.pools[:2] == base.pools[:2]


def test_a_pool_of_a_new_name_is_added_at_the_end(tmp_path: Path) -> None:
    path = overlay(tmp_path, "pools:\n  - {name: extra, skills: ['101'], staffing: {flat: 3}}\n")
    pools = load_scenario(path).scenario.pools
    assert [p.name for p in pools] == ["emergency", "blended", "non_emergency", "extra"]
    assert pools[3].staffing.flat == 3


def test_a_pool_is_removed_by_name(tmp_path: Path) -> None:
    path = overlay(tmp_path, "pools:\n  - {name: non_emergency, remove: true}\n")
    assert [p.name for p in load_scenario(path).scenario.pools] == ["emergency", "blended"]


@pytest.mark.parametrize(("body", "field", "expected"), [
    ("pools:\n  - {name: nobody, remove: true}\n", "pools.nobody",
     "a name the base gives, to remove"),
    ("pools:\n  - {name: blended, remove: yes, skills: ['101']}\n", "pools.blended.remove",
     "and nothing else"),
    ("pools:\n  - {name: extra, skills: ['101'], staffing: {flat: 1}}\n"
     "  - {name: extra, skills: ['999'], staffing: {flat: 1}}\n", "pools.extra", "each name once"),
])
def test_a_removal_or_a_name_that_cannot_be_meant_is_refused(
    tmp_path: Path, body: str, field: str, expected: str
) -> None:
    path = overlay(tmp_path, body)
    with pytest.raises(ScenarioError, match=expected) as caught:
        load_scenario(path)
    (problem,) = caught.value.problems
    assert problem.field == field
    assert problem.file == str(path.resolve())


def test_named_shifts_merge_by_name_and_the_staffing_keeps_its_scale(tmp_path: Path) -> None:
    path = overlay(tmp_path, """\
        pools:
          - name: blended
            staffing:
              shifts:
                - {name: late, count: 3}
                - {name: evening, start: "18:00", length_h: 6, count: 1}
        """)
    staffing = load_scenario(path).scenario.pools[1].staffing
    assert [(s.name, s.start, s.count) for s in staffing.shifts or ()] == [
        ("early", "07:00", 2), ("late", "15:00", 3), ("evening", "18:00", 1)]
    assert staffing.scale == 1.5


def test_shifts_without_names_replace_whole(tmp_path: Path) -> None:
    path = overlay(tmp_path, """\
        pools:
          - name: blended
            staffing:
              shifts: [{start: "08:00", length_h: 8, count: 4}]
        """)
    staffing = load_scenario(path).scenario.pools[1].staffing
    assert [(s.start, s.count) for s in staffing.shifts or ()] == [("08:00", 4)]
    assert staffing.scale == 1.5


def test_a_staffing_plan_of_another_kind_takes_the_place_of_the_base_s(tmp_path: Path) -> None:
    path = overlay(tmp_path, "pools:\n  - {name: blended, staffing: {flat: 6}}\n")
    staffing = load_scenario(path).scenario.pools[1].staffing
    assert (staffing.flat, staffing.shifts, staffing.scale) == (6, None, 1.5)


def test_a_problem_is_blamed_on_the_file_that_gave_the_pool(tmp_path: Path) -> None:
    write(tmp_path / "base.yaml", BASE.replace("staffing: {flat: 1}, shrinkage: 0.1",
                                               "staffing: {flat: many}"))
    path = write(tmp_path / "overlay.yaml", "extends: base.yaml\npools:\n"
                 "  - {name: emergency, remove: true}\n"
                 "  - {name: extra, skills: ['999'], staffing: {flat: lots}}\n")
    with pytest.raises(ScenarioError) as caught:
        load_scenario(path)
    blamed = {p.field: p.file for p in caught.value.problems}
    # emergency removed: non_emergency is now pools[1], extra pools[2]
    assert blamed == {"pools[1].staffing.flat": str((tmp_path / "base.yaml").resolve()),
                      "pools[2].staffing.flat": str(path.resolve())}


# --- --set appends ----------------------------------------------------------------------------


def test_set_appends_a_shift_and_a_pool(tmp_path: Path) -> None:
    path = write(tmp_path / "base.yaml", BASE)
    scenario = load_scenario(path, [
        'pools.blended.staffing.shifts.+={start: "20:00", length_h: 8, count: 5}',
        "pools.+={name: extra, skills: ['101'], staffing: {flat: 2}}",
    ]).scenario
    shifts = scenario.pools[1].staffing.shifts or ()
    assert [(s.start, s.count) for s in shifts] == [("07:00", 2), ("15:00", 2), ("20:00", 5)]
    assert [p.name for p in scenario.pools] == ["emergency", "blended", "non_emergency", "extra"]


def test_set_null_removes_a_list_entry(tmp_path: Path) -> None:
    path = write(tmp_path / "base.yaml", BASE)
    scenario = load_scenario(path, ["pools.non_emergency=null",
                                    "pools.blended.staffing.shifts.early=null"]).scenario
    assert [p.name for p in scenario.pools] == ["emergency", "blended"]
    assert [s.name for s in scenario.pools[1].staffing.shifts or ()] == ["late"]


@pytest.mark.parametrize(("override", "expected"), [
    ("pools.blended.staffing.shifts.5={start: '08:00', length_h: 8, count: 5}",
     r"an index below 2 or a name among \['early', 'late'\] \(or "
     r"pools\.blended\.staffing\.shifts\.\+=VALUE to append"),
    ("shrinkage.+=0.1", "shrinkage to be a list to append to"),
    ("pools.+.name=x", r"\+ only at the end"),
])
def test_set_tells_how_to_append(tmp_path: Path, override: str, expected: str) -> None:
    path = write(tmp_path / "base.yaml", BASE)
    with pytest.raises(ScenarioError, match=expected):
        load_scenario(path, [override])


# --- validate says what an overlay changes ----------------------------------------------------


def test_overlay_changes_lists_added_changed_and_removed_fields(tmp_path: Path) -> None:
    path = overlay(tmp_path, """\
        name: variant
        shrinkage: 0.25
        pools:
          - {name: non_emergency, remove: true}
          - name: blended
            staffing:
              shifts: [{name: evening, start: "18:00", length_h: 6, count: 1}]
        """)
    changes = overlay_changes(path, ["pools.blended.staffing.scale=1.2"])
    assert changes.base == (tmp_path / "base.yaml").resolve()
    shown = [str(change) for change in changes.from_base]
    assert shown == [
        "changed name: base → variant",
        "added   pools.blended.staffing.shifts.evening: {start: '18:00', length_h: 6, count: 1}",
        "removed pools.non_emergency",
        "changed shrinkage: 0.2 → 0.25",
    ]
    assert [str(c) for c in changes.from_overrides] == [
        "changed pools.blended.staffing.scale: 1.5 → 1.2"]


def test_validate_prints_what_an_overlay_and_set_change(here: Path) -> None:
    write(here / "overlay.yaml", "extends: base.yaml\npools:\n"
          "  - {name: non_emergency, staffing: {flat: 3}}\n")
    result = ok(cli("validate", "overlay.yaml", "--set", "shrinkage=0.3"))
    lines = result.output.splitlines()
    assert lines[0].startswith("overlay.yaml: ok — base:")
    assert "pools emergency, blended, non_emergency" in lines[0]
    assert lines[1:] == [
        "  1 change against base.yaml (extends):",
        "    changed pools.non_emergency.staffing.flat: 1 → 3",
        "  1 change by --set:",
        "    changed shrinkage: 0.2 → 0.3",
    ]
    # a file without extends, without --set: one line, as before
    assert len(ok(cli("validate", "base.yaml")).output.splitlines()) == 1
