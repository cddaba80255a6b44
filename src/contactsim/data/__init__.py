"""The files a planner gives contactsim, and the files and folders it writes back.

Reading: call logs and interval counts (:mod:`~contactsim.data.calllog`), demand profiles
(:mod:`~contactsim.data.demand_profiles`), staffing tables (:mod:`~contactsim.data.staffing_table`)
and samples of durations (:mod:`~contactsim.data.empirical`) are read and checked here — every
error names the file, the row, the column, the value and what was expected — and each version
of a file is read once (:mod:`~contactsim.data.file_cache`). Readers return plain data (arrays,
tables); making a scenario's inputs from them is :mod:`contactsim.build`'s work.

Writing: a file is written whole or not at all (:mod:`~contactsim.data.files`), and so is a
results folder, which carries a marker so that contactsim only ever replaces its own folders
(:mod:`~contactsim.data.folders`); a results folder keeps copies of its scenario's input files,
so it reruns wherever it is moved (:mod:`~contactsim.data.portable`). Per-call records
(:mod:`~contactsim.data.record_file`) and call logs (:mod:`~contactsim.data.calllog_writer`) are
written here too.

This package sits low: it imports only the engine's record type, :mod:`contactsim.errors` and
:mod:`contactsim.limits`, never the scenario schema.
"""
