# Safer Communities quarterly report. `make report` builds the default quarter;
# `make report QUARTER=2021-22-Q3` another; `make all-partnerships` every partnership's pack;
# `make test` runs the tests.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
QUARTER ?=
STAMP := $(VENV)/.installed

.PHONY: report all-partnerships test lab bench validate clean

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	@[ -f node_modules/axe-core/axe.min.js ] || ! command -v npm >/dev/null || npm ci --silent --no-audit --no-fund || true
	touch $(STAMP)

report: $(STAMP)
	$(BIN)/safer-report build $(if $(QUARTER),--quarter "$(QUARTER)")

all-partnerships: $(STAMP)
	$(BIN)/safer-report build --all-partnerships $(if $(QUARTER),--quarter "$(QUARTER)")

validate: $(STAMP)
	$(BIN)/safer-report validate $(if $(QUARTER),--quarter "$(QUARTER)")

test: $(STAMP)
	$(BIN)/python -m pytest -q

lab: $(STAMP)
	$(BIN)/python -m pip install --quiet -e '.[lab]'
	$(BIN)/jupyter lab notebooks/

bench: $(STAMP)
	$(BIN)/python benchmarks/bench.py

clean:
	rm -rf outputs/*/ .cache
