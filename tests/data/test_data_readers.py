"""The readers of a planner's files give clear errors: the file, the row (the header is row 1,
as in a spreadsheet), the column, the value found and what was expected; and they return plain
data (numbers, tables), never scenario objects."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from contactsim.data.calllog import CallLog, IntervalCounts, read_replay
from contactsim.data.demand_profiles import HOURS_PER_WEEK, Profile, read_profile
from contactsim.data.empirical import read_empirical
from contactsim.data.staffing_table import StaffingTable, read_per_interval
from contactsim.errors import Problem, ScenarioError

PROFILE = "component,key,weight\n" + "".join(f"hour_of_week,{h},1\n" for h in range(168)) + (
    "".join(f"month,{m},1\n" for m in range(1, 13)))
BY_HOUR = "hour_of_week,operators\n" + "".join(f"{h},{h % 5}\n" for h in range(168))


def problem_of(reader: object, path: Path, *args: object) -> Problem:
    with pytest.raises(ScenarioError) as caught:
        reader(str(path), *args)  # type: ignore[operator]
    [problem] = caught.value.problems
    return problem


def written(tmp_path: Path, text: str, name: str = "input.csv") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_readers_return_plain_data(tmp_path: Path) -> None:
    samples = read_empirical(str(written(tmp_path, "seconds\n60\n90\n", "s.csv")))
    assert isinstance(samples, np.ndarray) and samples.tolist() == [60.0, 90.0]
    table = read_per_interval(str(written(tmp_path, BY_HOUR, "roster.csv")))
    assert isinstance(table, StaffingTable) and len(table.operators) == HOURS_PER_WEEK
    profile = read_profile(str(written(tmp_path, PROFILE, "profile.csv")))
    assert isinstance(profile, Profile) and profile.month.tolist() == [1.0] * 12
    log = read_replay(str(written(tmp_path, "arrival_time,line\n2018-01-01T09:00,101\n",
                                  "log.csv")))
    assert isinstance(log, CallLog) and list(log.lines) == ["101"]
    counts = read_replay(str(written(
        tmp_path, "interval_start,line,calls\n2018-01-01T09:00,101,3\n2018-01-01T09:15,101,4\n",
        "counts.csv")))
    assert isinstance(counts, IntervalCounts) and counts.calls["101"].tolist() == [3, 4]


def test_an_empirical_value_that_is_not_seconds_names_file_row_column_and_value(
    tmp_path: Path,
) -> None:
    path = written(tmp_path, "seconds\n60\nsoon\n")
    problem = problem_of(read_empirical, path)
    assert (problem.file, problem.row, problem.field, problem.value) == (
        str(path), 3, "seconds", "soon")
    assert "a number of seconds" in problem.expected


def test_an_empirical_column_that_is_absent_names_the_columns_there(tmp_path: Path) -> None:
    path = written(tmp_path, "duration\n60\n")
    problem = problem_of(read_empirical, path, "seconds")
    assert (problem.file, problem.field, problem.value) == (str(path), "column", "seconds")
    assert "duration" in problem.expected


def test_a_staffing_count_that_is_not_whole_names_its_row(tmp_path: Path) -> None:
    path = written(tmp_path, BY_HOUR.replace("\n7,2\n", "\n7,two\n"))
    problem = problem_of(read_per_interval, path)
    assert (problem.file, problem.row, problem.field, problem.value) == (
        str(path), 9, "operators", "two")
    assert problem.expected == "a whole number >= 0"


def test_a_staffing_time_with_a_zone_is_refused_with_its_row(tmp_path: Path) -> None:
    path = written(tmp_path, "interval_start,operators\n2018-01-01T00:00+01:00,3\n")
    problem = problem_of(read_per_interval, path)
    assert (problem.row, problem.field) == (2, "interval_start")
    assert "without a time zone" in problem.expected


def test_a_profile_weight_out_of_range_names_its_row(tmp_path: Path) -> None:
    path = written(tmp_path, PROFILE.replace("hour_of_week,3,1\n", "hour_of_week,3,1e12\n"))
    problem = problem_of(read_profile, path)
    assert (problem.file, problem.row, problem.field, problem.value) == (
        str(path), 5, "weight", 1e12)
    assert "1e-9 to 1e9" in problem.expected


def test_a_call_log_time_that_is_not_a_date_names_its_row(tmp_path: Path) -> None:
    path = written(tmp_path, "arrival_time,line\n2018-01-01T09:00,101\n2018-02-30T09:00,101\n")
    problem = problem_of(read_replay, path)
    assert (problem.file, problem.row, problem.field, problem.value) == (
        str(path), 3, "arrival_time", "2018-02-30T09:00")
    assert "ISO date-time" in problem.expected


def test_a_missing_file_is_the_field_s_problem_not_a_file_s(tmp_path: Path) -> None:
    problem = problem_of(read_profile, tmp_path / "nope.csv")
    assert problem.file is None  # the scenario's field that named it is to blame
    assert problem.value == str(tmp_path / "nope.csv")
    assert "an existing profile CSV" in problem.expected
