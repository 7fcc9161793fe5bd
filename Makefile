# The two set-up commands of the README, and a few helpers.
.PHONY: sample test test-floors lint golden bench

VENV ?= .venv

sample:          ## install pubkit and render the sample content into output/
	scripts/setup.sh
	$(VENV)/bin/pubkit render --all --large-print
	$(VENV)/bin/pubkit newsletter newsletters/sample.md

test:            ## install the test tools and run the whole suite
	scripts/setup.sh test
	$(VENV)/bin/ruff check src tests bench
	$(VENV)/bin/mypy
	$(VENV)/bin/python -m pytest -n 2 --dist loadgroup
	scripts/test-floors.sh

test-floors:     ## the suite again with every dependency at its floor (in .venv-floors/)
	scripts/test-floors.sh

lint:
	$(VENV)/bin/ruff check src tests bench
	$(VENV)/bin/mypy

golden:          ## regenerate the golden files under tests/golden/
	$(VENV)/bin/python -m tests.golden.regenerate

bench:
	$(VENV)/bin/python bench/run.py
