# Customer value warehouse. `make help` lists the targets.
SHELL := /bin/bash
.DEFAULT_GOAL := help

PYTHON ?= python3.11
VENV ?= .venv
BIN := $(VENV)/bin
UV_VERSION := 0.13.8

SEED ?= 42
CUSTOMERS ?= 2000
DAYS ?= 365
END_DATE ?= 2026-10-31
# The console of `make load/materialize/backfill`: INFO prints a line per step, DEBUG adds
# Dagster's own event log.
LOG_LEVEL ?= INFO
# The customer marts' observation day (YYYY-MM-DD; empty = the latest order day) and the CLV
# holdout in days (empty = the clv_holdout_days default): dbt vars for every dbt run of the night.
AS_OF ?=
HOLDOUT_DAYS ?=
export CVW_AS_OF := $(AS_OF)
export CVW_HOLDOUT_DAYS := $(HOLDOUT_DAYS)
# make query SQL="...": the query reaches the recipe through the environment, quotes intact.
export SQL

export CVW_DATA_DIR ?= $(CURDIR)/data
export DAGSTER_HOME ?= $(CURDIR)/.dagster_home
export GX_ANALYTICS_ENABLED := false
export DO_NOT_TRACK := 1
export DBT_SEND_ANONYMOUS_USAGE_STATS := false
export PATH := $(CURDIR)/$(BIN):$(PATH)

DBT := $(BIN)/dbt
DBT_FLAGS := --profiles-dir $(CURDIR) --project-dir $(CURDIR)

.PHONY: help
help: ## List the targets
	@awk 'BEGIN {FS = ":.*## "} /^[a-zA-Z_-]+:.*## / {printf "  %-18s %s\n", $$1, $$2}' $(MAKEFILE_LIST)

$(VENV)/.installed: pyproject.toml requirements.lock
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check uv==$(UV_VERSION)
	$(BIN)/uv pip install --quiet --python $(BIN)/python -r requirements.lock
	$(BIN)/uv pip install --quiet --python $(BIN)/python --no-deps -e .
	@touch $@

.PHONY: install
install: $(VENV)/.installed ## Create the virtualenv with the pinned dependencies (no Spark)

# Two locks: requirements.lock (the default install, no Spark) and requirements-spark.lock (the
# same plus the `spark` extra, for `make test-spark`). The default lock is constrained by the Spark
# one, so every package they share has one version.
LOCK := $(BIN)/uv pip compile pyproject.toml --extra dev --python-version 3.11 --no-header -q

.PHONY: lock
lock: ## Re-resolve requirements.lock and requirements-spark.lock from pyproject.toml
	$(LOCK) --extra spark -o requirements-spark.lock
	$(LOCK) -c requirements-spark.lock -o requirements.lock

.PHONY: demo-data
demo-data: install ## Generate deterministic demo landing files (SEED, CUSTOMERS, DAYS, END_DATE)
	$(BIN)/python -m dagster_project.cli.demo_data --seed $(SEED) --customers $(CUSTOMERS) \
		--days $(DAYS) --end-date $(END_DATE) --out $(CVW_DATA_DIR)/landing

.PHONY: generate
generate: install ## Render the dbt files and doc sections owned by the contract and the base models
	$(BIN)/python -m dagster_project.cli.generate

.PHONY: dbt-parse
dbt-parse: install ## Parse the dbt project (writes target/manifest.json for Dagster)
	$(DBT) parse $(DBT_FLAGS) --quiet

.PHONY: dagster-home
dagster-home: ## Create DAGSTER_HOME with Dagster's telemetry off (as dbt's and GX's are)
	@mkdir -p $(DAGSTER_HOME) && touch $(DAGSTER_HOME)/dagster.yaml
	@grep -q '^telemetry:' $(DAGSTER_HOME)/dagster.yaml || \
		printf 'telemetry:\n  enabled: false\n' >> $(DAGSTER_HOME)/dagster.yaml

.PHONY: materialize
materialize: dbt-parse dagster-home ## One Dagster run over every landing export day: every asset and check
	$(BIN)/python -m dagster_project.cli.launch --log-level $(LOG_LEVEL)

.PHONY: summary
summary: install ## Print rows per mart and the latest run's check outcomes
	$(BIN)/python -m dagster_project.cli.run_summary

.PHONY: query
query: install ## Run SQL="..." read-only on the published snapshot with the project's DuckDB
	@test -n "$$SQL" || { echo 'usage: make query SQL="select * from marts.customer_rfm limit 10"'; exit 2; }
	$(BIN)/python -m dagster_project.cli.query "$$SQL"

.PHONY: report
report: install ## Write the HTML report to $(CVW_DATA_DIR)/reports/warehouse_report.html
	$(BIN)/python -m dagster_project.cli.report

# Debian packages the tests need; the package lists are refreshed only when the install fails.
APT_GET := DEBIAN_FRONTEND=noninteractive apt-get -y -q
apt_install = { $(APT_GET) install --no-install-recommends $(1) || \
	{ $(APT_GET) update && $(APT_GET) install --no-install-recommends $(1); }; }

.PHONY: chromium-packages
chromium-packages: ## Install Debian's headless Chromium (the report test loads the report in it)
	@test -x /usr/bin/chromium || $(call apt_install,chromium)

.PHONY: postgres-server-packages
postgres-server-packages: ## Install Debian's PostgreSQL server (the Postgres extraction test starts one)
	@ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || $(call apt_install,postgresql)

.PHONY: backfill
backfill: dbt-parse dagster-home ## Re-run export days START..END (YYYY-MM-DD) in one Dagster run
	@test -n "$(START)" && test -n "$(END)" || \
		{ echo 'usage: make backfill START=YYYY-MM-DD END=YYYY-MM-DD'; exit 2; }
	$(BIN)/python -m dagster_project.cli.launch --start $(START) --end $(END) --log-level $(LOG_LEVEL)

.PHONY: load
# A landing folder is loaded whole: the raw layer becomes exactly its files and the incremental
# models are rebuilt from every raw day (the nightly run merges one day instead).
load: export CVW_DBT_FULL_REFRESH ?= 1
load: export CVW_LANDING_DIR := $(if $(DATA),$(abspath $(DATA)),$(CVW_DATA_DIR)/landing)
load: install materialize summary ## Load DATA=path/to/exports (any days, any sources; AS_OF=, HOLDOUT_DAYS=)

.PHONY: run
run: install demo-data load ## Install, generate demo data, load it through `make load`

.PHONY: nightly
# The demo's next night: one more export day, then only that night, merged incrementally.
nightly: export CVW_DBT_FULL_REFRESH :=
nightly: dbt-parse dagster-home ## Append the next demo export day, run that night (no full refresh), summary
	@day=$$($(BIN)/python -m dagster_project.cli.demo_data --append-day --out $(CVW_DATA_DIR)/landing) \
		&& $(BIN)/python -m dagster_project.cli.launch --start $$day --end $$day --log-level $(LOG_LEVEL)
	@$(MAKE) --no-print-directory summary

.PHONY: dev
dev: dbt-parse dagster-home ## Open the Dagster UI on http://localhost:3000
	$(BIN)/dagster dev -m dagster_project.definitions

.PHONY: docs
docs: dbt-parse ## Build and serve the dbt docs on http://localhost:8080
	$(DBT) docs generate $(DBT_FLAGS)
	$(DBT) docs serve $(DBT_FLAGS) --port 8080

.PHONY: lint
lint: install ## ruff, import-linter's layer contracts, dbt-score's dbt conventions and sqlfluff
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports
	@# dbt-score reads a manifest parsed aside, so linting never rewrites Dagster's; the rules
	@# are in pyproject.toml ([tool.dbt-score]) and dbt_rules/.
	@mkdir -p target/lint
	DBT_TARGET_PATH=$(CURDIR)/target/lint CVW_DUCKDB_PATH=$(CURDIR)/target/lint/lint.duckdb \
		$(DBT) parse $(DBT_FLAGS) --quiet
	$(BIN)/dbt-score lint --manifest target/lint/manifest.json
	@# sqlfluff compiles the project with dbt: its artifacts and the DuckDB file it opens go
	@# aside, so linting needs no data and never touches Dagster's manifest.
	@mkdir -p target/sqlfluff
	DBT_TARGET_PATH=$(CURDIR)/target/sqlfluff CVW_DUCKDB_PATH=$(CURDIR)/target/sqlfluff/lint.duckdb \
		$(BIN)/sqlfluff lint dbt_models

.PHONY: fix
fix: install ## Apply ruff's fixes and formatting
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

.PHONY: test-deps
test-deps: chromium-packages postgres-server-packages ## Debian packages the tests need (Chromium, PostgreSQL)

.PHONY: test
test: install dbt-parse lint test-deps ## Run the whole test suite
	$(BIN)/pytest

SCALE ?= small
BENCH_DIR ?= /tmp/cvw_bench_$(SCALE)

.PHONY: bench
bench: bench-pipeline bench-clv bench-incremental ## All three benchmarks below (SCALE=small|medium|large)

.PHONY: bench-pipeline
bench-pipeline: install ## Time and size every step at SCALE, with the floor and pandas references
	$(BIN)/python benchmarks/bench.py --scale $(SCALE) --data-dir $(BENCH_DIR)

.PHONY: bench-clv
bench-clv: install ## BG/NBD and Gamma-Gamma fit and scoring times at 1,000,000 customers
	$(BIN)/python benchmarks/bench_clv.py

.PHONY: bench-incremental
bench-incremental: install ## Nightly incremental dbt run next to the full build at SCALE
	$(BIN)/python benchmarks/bench_incremental.py --scale $(SCALE) --data-dir $(BENCH_DIR)_incremental

# The Spark extra (pyspark, dbt-spark) on top of the default install, from its own lock.
$(VENV)/.installed-spark: $(VENV)/.installed requirements-spark.lock
	$(BIN)/uv pip install --quiet --python $(BIN)/python -r requirements-spark.lock
	@touch $@

.PHONY: install-spark
install-spark: $(VENV)/.installed-spark ## Add pyspark and dbt-spark from requirements-spark.lock

.PHONY: test-spark
test-spark: install-spark ## Build on DuckDB and on Spark and compare every mart (Java 17)
	CVW_SPARK_TESTS=1 $(BIN)/pytest tests/spark

.PHONY: clean
clean: ## Remove generated data, dbt artifacts and the Dagster home
	rm -rf data target dbt_packages logs $(DAGSTER_HOME)
