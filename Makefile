# Two set-up commands: `make serve` and `make test`. Both create .venv when missing.
VENV ?= .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed-stamp
ARGS ?=
PYTEST_ARGS ?=

.PHONY: serve test bench wheel-check

$(STAMP): pyproject.toml
	test -x $(PY) || python3 -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[test]'
	touch $(STAMP)

serve: $(STAMP)
	$(VENV)/bin/trustpilot-mock serve $(ARGS)

# Everything but the contract in parallel (pytest-xdist), 4 workers even on 2 cores: the kit's
# tests spend much of their time waiting on integration processes and back-off sleeps (measured:
# the variant file takes 4.0 min with 4 workers, about twice as long with 2). Tests that must
# share one process carry an xdist_group mark. The contract's schemathesis tests then run in one
# process: under xdist, schemathesis runs each parametrized test as one item and its per-operation
# tests are not reported one by one.
CONTRACT := tests/test_contract.py
TEST_WORKERS ?= 4
test: $(STAMP)
	$(PY) -m pytest -n $(TEST_WORKERS) --dist loadgroup --ignore=$(CONTRACT) $(PYTEST_ARGS)
	$(PY) -m pytest $(CONTRACT) $(PYTEST_ARGS)

bench: $(STAMP)
	$(PY) bench/startup.py

# The wheel built, installed in a clean venv and used from outside the checkout (also run by CI).
wheel-check:
	.ci/wheel-check python3
