# Two set-up commands: `make serve` and `make test`. Both create .venv when missing.
VENV ?= .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed-stamp
ARGS ?=
PYTEST_ARGS ?=

.PHONY: serve test bench wheel-check

# uv installs the project and its test tools in about 8 s where pip takes about 25 (it resolves and
# unpacks in parallel and leaves bytecode to the first import); pip stays the fallback.
$(STAMP): pyproject.toml
	test -x $(PY) || python3 -m venv $(VENV)
	$(PY) -m pip install --quiet uv && $(VENV)/bin/uv pip install --quiet --python $(PY) -e '.[test]' \
		|| $(PY) -m pip install --quiet -e '.[test]'
	touch $(STAMP)

serve: $(STAMP)
	$(VENV)/bin/trustpilot-mock serve $(ARGS)

# The contract's schemathesis tests run in one process (its last test reads what the customer runs
# counted in that process) beside everything else under pytest-xdist, both at once, so every core
# stays busy to the end. The xdist part runs at a slightly lower priority (NICE) so the contract,
# one process that cannot be split, is not the tail: at 5 both parts end within seconds of each
# other (at 15 the contract ended 70 s before the rest). Tests that compute a read-only fixture once per session use
# conftest.shared. The contract's report is printed when both end. A part that PYTEST_ARGS leaves
# without tests (pytest's exit status 5) is not a failure; both without tests is.
# Python may cache bytecode during the run (an environment may turn that off): pytest otherwise
# rewrites the asserts of every module of its plugins again in each of the run's processes.
unexport PYTHONDONTWRITEBYTECODE
CONTRACT := tests/test_contract.py
TEST_WORKERS ?= 4
NICE ?= 5
test: $(STAMP)
	@log=$$(mktemp); echo "make test: the contract (tests/test_contract.py) runs beside the rest; its report follows theirs"; \
	$(PY) -m pytest $(CONTRACT) -o cache_dir=.pytest_cache/contract $(PYTEST_ARGS) >$$log 2>&1 & contract=$$!; \
	nice -n $(NICE) $(PY) -m pytest -n $(TEST_WORKERS) --dist loadgroup --ignore=$(CONTRACT) $(PYTEST_ARGS); rest=$$?; \
	wait $$contract; status=$$?; echo "---- the contract (tests/test_contract.py) ----"; cat $$log; rm -f $$log; \
	for code in $$rest $$status; do [ $$code -eq 0 ] || [ $$code -eq 5 ] || exit 1; done; \
	[ $$rest -ne 5 ] || [ $$status -ne 5 ] || exit 5

bench: $(STAMP)
	$(PY) bench/startup.py

# The wheel built, installed in a clean venv and used from outside the checkout (also run by CI).
wheel-check:
	.ci/wheel-check python3
