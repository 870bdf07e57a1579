# Safer Communities quarterly report. `make report` builds the default quarter;
# `make report QUARTER=2021-22-Q3` another; `make all-partnerships` every partnership's pack;
# `make test` lints, type-checks and runs the tests. PARTNERSHIP (an id), PARTNERSHIPS (another force's partnerships file) and
# POLICE_UK (a folder of police.uk files) choose what is built, and GROUP the packs of all-partnerships, e.g.
#   make report PARTNERSHIP=preston PARTNERSHIPS=params/lancashire.yaml POLICE_UK=data/police_uk/lancashire
#   make all-partnerships GROUP=leicestershire
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
QUARTER ?=
PARTNERSHIP ?=
PARTNERSHIPS ?=
GROUP ?=
POLICE_UK ?=
STAMP := $(VENV)/.installed
CHOSEN = $(if $(QUARTER),--quarter "$(QUARTER)") $(if $(PARTNERSHIPS),--partnerships "$(PARTNERSHIPS)") \
	$(if $(POLICE_UK),--police-uk "$(POLICE_UK)")

.PHONY: report all-partnerships test lab bench validate clean

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	@[ -f node_modules/axe-core/axe.min.js ] || ! command -v npm >/dev/null || npm ci --silent --no-audit --no-fund || true
	touch $(STAMP)

report: $(STAMP)
	$(BIN)/safer-report build $(CHOSEN) $(if $(PARTNERSHIP),--partnership "$(PARTNERSHIP)")

all-partnerships: $(STAMP)
	$(BIN)/safer-report build --all-partnerships $(CHOSEN) $(if $(GROUP),--group "$(GROUP)")

validate: $(STAMP)
	$(BIN)/safer-report validate $(CHOSEN) $(if $(PARTNERSHIP),--partnership "$(PARTNERSHIP)")

test: $(STAMP)
	$(BIN)/ruff check src tests scripts benchmarks
	$(BIN)/ruff format --check src tests scripts benchmarks
	$(BIN)/mypy
	$(BIN)/python -m pytest -q

lab: $(STAMP)
	$(BIN)/python -m pip install --quiet -e '.[lab]'
	$(BIN)/jupyter lab notebooks/

bench: $(STAMP)
	$(BIN)/python benchmarks/bench.py

clean:
	rm -rf outputs/*/ .cache
