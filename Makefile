# contactsim: `make run` sets up and runs the 2018 baseline with its plots; `make test` sets up
# and runs the tests. Both need only Python 3.11+, pip and make.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
REPS ?= 10

.PHONY: setup run quick calibrate staff serve schema test test-fast lint bench example-log clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[dev]"
	touch $(STAMP)

setup: $(STAMP)  ## create .venv and install contactsim with its test tools

run: $(STAMP)  ## the baseline year, REPS replications, into results/baseline-2018/
	$(BIN)/contactsim run scenarios/baseline-2018.yaml --reps $(REPS) --out results/baseline-2018

quick: $(STAMP)  ## a one-week demo in seconds, into results/quick-week/
	$(BIN)/contactsim run scenarios/quick-week.yaml --reps $(REPS) --out results/quick-week

calibrate: $(STAMP)  ## the full calibration check of the baseline against targets/2018.yaml (5-10 min)
	$(BIN)/contactsim calibrate scenarios/baseline-2018.yaml --targets targets/2018.yaml --out results/calibrate-2018

staff: $(STAMP)  ## staffing for 90% of 999 in 10 s and 101 ASA <= 2 min, by hour of week
	$(BIN)/contactsim staff scenarios/baseline-2018.yaml --target "999: service_level >= 0.90" --target "101: asa_s <= 120" --out results/staff-2018

serve: $(STAMP)  ## the what-if page on http://127.0.0.1:8050/ (Ctrl-C stops it)
	$(BIN)/contactsim serve scenarios/quick-week.yaml scenarios/baseline-2018.yaml

schema: $(STAMP)  ## the JSON Schema editors use to check scenario files, into scenarios/
	$(BIN)/contactsim schema --out scenarios/scenario.schema.json

test: $(STAMP)  ## the import layers (.importlinter), then the whole test suite on every core
	$(BIN)/lint-imports --no-cache
	$(BIN)/python -m pytest -n auto

test-fast: $(STAMP)  ## the fast tests only (skips the slow statistical ones)
	$(BIN)/python -m pytest -n auto -m "not slow"

lint: $(STAMP)  ## ruff, mypy and the import layers
	$(BIN)/ruff check .
	$(BIN)/mypy src
	$(BIN)/lint-imports --no-cache

bench: $(STAMP)  ## speed, scale and memory against a minimal heapq event loop; sweeps locally and on Dask; start-up; loading a 1M-row log
	$(BIN)/python bench/bench_erlang_a.py
	$(BIN)/python bench/bench_baseline.py
	$(BIN)/python bench/bench_scale.py
	$(BIN)/python bench/bench_memory.py
	$(BIN)/python bench/bench_sweep.py
	$(BIN)/python bench/bench_dask.py
	$(BIN)/python bench/bench_breaks.py
	$(BIN)/python bench/bench_startup.py
	$(BIN)/python bench/bench_load_log.py

example-log: $(STAMP)  ## a 2018-shaped call log (a year, ~517,000 calls) to replay or fit
	$(BIN)/contactsim demand synth scenarios/baseline-2018.yaml --out scenarios/data/calls-2018.parquet

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache .hypothesis
