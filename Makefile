# The two set-up commands of the README: `make run` and `make test`. Both create .venv if needed.
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
INSTALLED := $(VENV)/.installed

.PHONY: install run test test-spark ui lint demo-data bench-identity bench-probabilistic bench-e2e clean

$(INSTALLED): pyproject.toml
	@command -v $(PYTHON) >/dev/null 2>&1 || { echo "error: $(PYTHON) not found; install Python 3.11 or run 'make PYTHON=/path/to/python3.11 ...'"; exit 1; }
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev,demo]'
	@touch $(INSTALLED)

install: $(INSTALLED)

# On a fresh clone the landing folder is empty: demo data first (never beside real loads).
run: install
	$(BIN)/cdp run --demo-if-empty

# Two workers, each module's tests on one of them (tests/conftest.py: pytest_xdist_make_scheduler).
test: install
	$(BIN)/python -m pytest -n 2 --dist loadscope

# The same pipeline with dbt on Spark (local PySpark, the machine's Java 17+), compared with
# DuckDB: docs/scaling-out.md. Installs the `spark` extra on top of the dev install.
$(VENV)/.installed-spark: pyproject.toml $(INSTALLED)
	$(BIN)/python -m pip install --quiet -e '.[dev,demo,spark]'
	@touch $@

test-spark: $(VENV)/.installed-spark
	CDP_SPARK_TESTS=1 $(BIN)/python -m pytest tests/spark

# Benchmarks are run by hand, never by CI (benchmarks/README.md). The identity benchmark needs
# the `bench` extra (recordlinkage, scipy, psutil; Splink is a core dependency) and writes
# benchmarks/results/.
$(VENV)/.installed-bench: pyproject.toml $(INSTALLED)
	$(BIN)/python -m pip install --quiet -e '.[dev,demo,bench]'
	@touch $@

bench-identity: $(VENV)/.installed-bench
	PYTHONPATH=. $(BIN)/python benchmarks/identity.py

# Probabilistic matching (Splink + the dbt link models) on 100k and 1M synthetic records.
bench-probabilistic: $(VENV)/.installed-bench
	PYTHONPATH=. $(BIN)/python benchmarks/probabilistic.py

# The whole `cdp run` on demo exports of 100k and 1M people, monthly and daily files, against
# DuckDB's bare readers. Demo data is kept in benchmarks/.work/e2e for the next run.
bench-e2e: $(VENV)/.installed-bench
	PYTHONPATH=. $(BIN)/python benchmarks/e2e.py

ui: install
	$(BIN)/cdp ui

demo-data: install
	$(BIN)/cdp demo-data

# sqlfluff runs from dbt_project/, where its dbt templater finds dbt_project/.sqlfluff; it
# compiles against the profile's empty in-memory `lint` target (no warehouse needed) and keeps
# its dbt artifacts in target/sqlfluff, apart from the manifest a running pipeline reads.
lint: install
	$(BIN)/ruff check cdp ingestion exports orchestration tests $(wildcard benchmarks)
	$(BIN)/ruff format --check cdp ingestion exports orchestration tests $(wildcard benchmarks)
	cd dbt_project && DBT_TARGET_PATH=target/sqlfluff $(abspath $(BIN))/sqlfluff lint .

clean:
	rm -rf warehouse exports_out data .dagster_home dbt_project/target dbt_project/logs
