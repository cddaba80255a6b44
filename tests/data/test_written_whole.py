"""Files and folders are written whole or not at all, one routine for each: a reader sees the
old results or the new ones, never half of either; an error leaves nothing behind."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest

from contactsim.data.files import file_written_whole, write_text_atomic
from contactsim.data.folders import (
    MARKER,
    atomic_folder,
    check_replaceable,
    folder_written_whole,
    read_marker,
)
from contactsim.data.record_file import RecordFile
from contactsim.errors import ContactsimError


def names(folder: Path) -> list[str]:
    return sorted(path.name for path in folder.iterdir())


def test_a_file_replaces_the_old_one_only_when_whole(tmp_path: Path) -> None:
    path = tmp_path / "table.csv"
    write_text_atomic(path, "old")
    with pytest.raises(RuntimeError), file_written_whole(path) as temporary:
        temporary.write_text("half", encoding="utf-8")
        raise RuntimeError("stopped")
    assert path.read_text(encoding="utf-8") == "old" and names(tmp_path) == ["table.csv"]
    with file_written_whole(path) as temporary:
        temporary.write_text("new", encoding="utf-8")
        assert names(tmp_path) == [temporary.name, "table.csv"]
        assert temporary.name.startswith(".table.csv.partial-")
    assert path.read_text(encoding="utf-8") == "new" and names(tmp_path) == ["table.csv"]


def test_a_folder_replaces_the_old_one_only_when_whole(tmp_path: Path) -> None:
    destination = tmp_path / "runs" / "point-1"
    with folder_written_whole(destination) as temporary:
        (temporary / "kpis.parquet").write_text("first", encoding="utf-8")
    assert names(destination) == ["kpis.parquet"]
    with pytest.raises(KeyboardInterrupt), folder_written_whole(destination) as temporary:
        (temporary / "kpis.parquet").write_text("half", encoding="utf-8")
        raise KeyboardInterrupt
    assert (destination / "kpis.parquet").read_text(encoding="utf-8") == "first"
    with folder_written_whole(destination) as temporary:
        (temporary / "meta.json").write_text("{}", encoding="utf-8")
    assert names(destination) == ["meta.json"]  # the old folder went whole, not merged
    assert names(destination.parent) == ["point-1"]  # no .partial- or .old- left beside it


def test_a_results_folder_is_marked_with_what_it_holds(tmp_path: Path) -> None:
    destination = tmp_path / "results" / "run"
    with atomic_folder(destination, "run", {"seed": 7}) as folder:
        (folder / "summary.csv").write_text("scope,kpi\n", encoding="utf-8")
    marker = read_marker(destination)
    assert marker is not None and marker["command"] == "run" and marker["seed"] == 7
    assert marker["files"] == ["summary.csv"]
    assert json.loads((destination / MARKER).read_text(encoding="utf-8"))["made_by"] == (
        "contactsim")


def test_a_failed_results_folder_leaves_no_folder_it_made(tmp_path: Path) -> None:
    destination = tmp_path / "new" / "deeper" / "run"
    with pytest.raises(RuntimeError), atomic_folder(destination) as folder:
        (folder / "summary.csv").write_text("x", encoding="utf-8")
        raise RuntimeError("stopped")
    assert names(tmp_path) == []


def test_a_planner_s_folder_is_never_replaced(tmp_path: Path) -> None:
    mine = tmp_path / "mine"
    mine.mkdir()
    (mine / "budget.xlsx").write_text("precious", encoding="utf-8")
    with pytest.raises(ContactsimError, match="did not make"):
        check_replaceable(mine)
    with pytest.raises(ContactsimError, match="did not make"), atomic_folder(mine):
        pass
    assert names(mine) == ["budget.xlsx"]


def test_records_are_written_whole_by_the_file_routine(tmp_path: Path) -> None:
    path = tmp_path / "records" / "replication-000.parquet"
    with pytest.raises(RuntimeError), RecordFile(path, 0, date(2018, 1, 1)) as records:
        records([(1, "101", 5.0, "answered", 1.0, "all", 60.0, 1, 1)])  # type: ignore[list-item]
        raise RuntimeError("stopped")
    assert names(path.parent) == []
    with RecordFile(path, 0, date(2018, 1, 1)) as records:
        records([(1, "101", 5.0, "answered", 1.0, "all", 60.0, 1, 1)])  # type: ignore[list-item]
    assert names(path.parent) == [path.name] and records.rows == 1
