# The two commands a newcomer needs:  `make demo`  and  `make test`.
# Everything else here is what they are built from.

PYTHON ?= python3.11
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: help setup system-deps data release demo test test-fast bench clean

help:
	@echo "make demo    set up, release every assignment, grade a simulated class, export grades and feedback"
	@echo "make test    set up and run the whole grader_tests suite"
	@echo "make release regenerate release/ from source/ (nbgrader generate_assignment)"
	@echo "make data    rebuild the ECG data sets deterministically (checksums verified)"
	@echo "make bench   grading benchmark: plain nbgrader vs coursekit grade, side by side"

# A virtual environment with the exact versions in requirements.lock, then the kit itself.
$(STAMP): requirements.lock pyproject.toml
	@command -v $(PYTHON) >/dev/null 2>&1 || { echo "Python 3.11 is required (set PYTHON=...)"; exit 1; }
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements.lock
	$(BIN)/python -m pip install --quiet --no-deps --no-build-isolation -e .
	touch $(STAMP)

# bubblewrap sandboxes student kernels during grading (Debian package `bubblewrap`).
system-deps:
	@command -v bwrap >/dev/null 2>&1 || { \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	    echo "Installing bubblewrap (sandbox for student kernels)"; \
	    (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq bubblewrap) >/dev/null; \
	  else \
	    echo "WARNING: bubblewrap (bwrap) is missing; grading will refuse to run student code unsandboxed."; \
	  fi; }

setup: $(STAMP) system-deps

data: setup
	$(BIN)/coursekit data build --check

release: setup data
	$(BIN)/coursekit release

demo: release
	$(BIN)/coursekit demo

test: setup data
	$(BIN)/python -m pytest -n 2 --dist loadfile -q $(PYTEST_ARGS)

test-fast: setup
	$(BIN)/python -m pytest -n 2 -q -m "not slow" $(PYTEST_ARGS)

bench: setup data
	$(BIN)/python benchmarks/grading_benchmark.py

clean:
	rm -rf submitted autograded/*/ feedback gradebook.db grades.csv exports reports .coursekit/grading demo .pytest_cache
