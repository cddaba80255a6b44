"""What a sweep killed part-way leaves beside its run folders, and what the next start makes of
it: a half-written run (``.rNNN.partial-*``) is deleted; an earlier run moved aside by a run
killed between its two renames (``.rNNN.old-*``) is put back when the run has no folder, and
deleted when it has one (the newer run is whole)."""

from __future__ import annotations

from pathlib import Path

from contactsim.runs.sweep import _remove_partial_runs


def run_folder(path: Path, note: str) -> Path:
    path.mkdir(parents=True)
    (path / "meta.json").write_text(note, encoding="utf-8")
    return path


def test_leftovers_of_killed_runs_are_cleared_and_whole_runs_kept(tmp_path: Path) -> None:
    point = tmp_path / "runs" / "p000"
    run_folder(point / ".r000.partial-1a2b3c4d", "half written")
    run_folder(point / ".r001.old-5e6f7a8b", "earlier run, moved aside")
    run_folder(point / "r002", "newer run")
    run_folder(point / ".r002.old-9c0d1e2f", "earlier run of r002")
    run_folder(point / "r003", "untouched")

    _remove_partial_runs(tmp_path)

    assert sorted(p.name for p in point.iterdir()) == ["r001", "r002", "r003"]
    assert (point / "r001" / "meta.json").read_text() == "earlier run, moved aside"
    assert (point / "r002" / "meta.json").read_text() == "newer run"
    assert (point / "r003" / "meta.json").read_text() == "untouched"


def test_nothing_to_clear_is_fine(tmp_path: Path) -> None:
    _remove_partial_runs(tmp_path)  # no runs/ folder yet: a first start
    (tmp_path / "runs" / "p001").mkdir(parents=True)
    _remove_partial_runs(tmp_path)
    assert list((tmp_path / "runs" / "p001").iterdir()) == []
