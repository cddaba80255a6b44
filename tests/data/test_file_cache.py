"""The one cache of what a file reader made: a file is read once per version, and read again
as soon as it changes (its modification time or its size), never served stale."""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pytest

from contactsim.data.calllog import read_replay
from contactsim.data.demand_profiles import read_profile
from contactsim.data.empirical import read_empirical
from contactsim.data.file_cache import CachedReader, file_version, read_once_per_version
from contactsim.data.staffing_table import read_per_interval


def counting_reader() -> tuple[list[str], object]:
    """A reader that records each time it really reads, cached by the one cache."""
    reads: list[str] = []

    @read_once_per_version(files_kept=4)
    def read_text(path: str, suffix: str = "") -> str:
        reads.append(path)
        return Path(path).read_text(encoding="utf-8") + suffix

    return reads, read_text


def touch(path: Path, mtime_ns: int) -> None:
    os.utime(path, ns=(mtime_ns, mtime_ns))


def test_an_unchanged_file_is_read_once(tmp_path: Path) -> None:
    reads, read_text = counting_reader()
    path = tmp_path / "a.csv"
    path.write_text("one", encoding="utf-8")
    assert [read_text(str(path)) for _ in range(3)] == ["one"] * 3  # type: ignore[operator]
    assert reads == [str(path)]


def test_a_file_whose_content_and_size_changed_is_read_again(tmp_path: Path) -> None:
    reads, read_text = counting_reader()
    path = tmp_path / "a.csv"
    path.write_text("one", encoding="utf-8")
    touch(path, 1_000_000_000_000_000_000)
    assert read_text(str(path)) == "one"  # type: ignore[operator]
    path.write_text("three", encoding="utf-8")
    touch(path, 1_000_000_000_000_000_000)  # the same time: the size tells the versions apart
    assert read_text(str(path)) == "three"  # type: ignore[operator]
    assert len(reads) == 2


def test_a_file_rewritten_to_the_same_size_is_read_again_by_its_time(tmp_path: Path) -> None:
    reads, read_text = counting_reader()
    path = tmp_path / "a.csv"
    path.write_text("one", encoding="utf-8")
    touch(path, 1_000_000_000_000_000_000)
    assert read_text(str(path)) == "one"  # type: ignore[operator]
    path.write_text("two", encoding="utf-8")
    touch(path, 1_000_000_000_500_000_000)
    assert read_text(str(path)) == "two"  # type: ignore[operator]
    assert len(reads) == 2


def test_arguments_are_part_of_the_key(tmp_path: Path) -> None:
    reads, read_text = counting_reader()
    path = tmp_path / "a.csv"
    path.write_text("one", encoding="utf-8")
    assert read_text(str(path), "!") == "one!"  # type: ignore[operator]
    assert read_text(str(path), "?") == "one?"  # type: ignore[operator]
    assert read_text(str(path), "!") == "one!"  # type: ignore[operator]
    assert len(reads) == 2


def test_a_missing_file_has_no_version_and_its_reader_says_why(tmp_path: Path) -> None:
    assert file_version(str(tmp_path / "nope.csv")) == (0, 0)
    assert file_version("bad\0path") == (0, 0)
    _, read_text = counting_reader()
    with pytest.raises(FileNotFoundError):
        read_text(str(tmp_path / "nope.csv"))  # type: ignore[operator]


@pytest.mark.parametrize(("reader", "first", "second", "check"), [
    (read_empirical, "seconds\n60\n", "seconds\n60\n120\n",
     lambda value: float(np.mean(value))),
    (read_per_interval, "hour_of_week,operators\n" + "".join(f"{h},1\n" for h in range(168)),
     "hour_of_week,operators\n" + "".join(f"{h},22\n" for h in range(168)),
     lambda table: table.operators[0]),
    (read_profile, "component,key,weight\n" + "".join(f"hour_of_week,{h},1\n" for h in range(168))
     + "".join(f"month,{m},1\n" for m in range(1, 13)),
     "component,key,weight\n" + "".join(f"hour_of_week,{h},2\n" for h in range(168))
     + "".join(f"month,{m},1\n" for m in range(1, 13)),
     lambda profile: profile.hour_of_week[0]),
    (read_replay, "arrival_time,line\n2018-01-01T00:00:00,101\n",
     "arrival_time,line\n2018-01-01T00:00:00,101\n2018-01-01T00:10:00,999\n",
     lambda log: sorted(log.lines)),
])
def test_every_reader_of_a_planner_s_file_uses_the_one_cache(
    tmp_path: Path, reader: object, first: str, second: str, check: object
) -> None:
    assert isinstance(reader, CachedReader)  # the one cache, not a cache of its own
    path = tmp_path / "input.csv"
    path.write_text(first, encoding="utf-8")
    before = reader(str(path))  # type: ignore[operator]
    assert reader(str(path)) is before  # type: ignore[operator]  # the same, not read again
    path.write_text(second, encoding="utf-8")
    after = reader(str(path))  # type: ignore[operator]
    assert after is not before
    assert check(after) != check(before)  # type: ignore[operator]
