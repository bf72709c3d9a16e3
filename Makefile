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
# The lock pins every package, so it installs without resolving (--no-deps; `pip check` proves
# nothing is missing), in two pip processes side by side, one per core: torch and every other
# package in one, the rest in the other. Unpacking and byte-compiling run on one core per pip
# process: 26 s instead of 48 s here (pip's cache warm).
$(STAMP): requirements.lock pyproject.toml
	@command -v $(PYTHON) >/dev/null 2>&1 || { echo "Python 3.11 is required (set PYTHON=...)"; exit 1; }
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	awk '!/^#/ && NF { if ($$0 ~ /^torch==/ || n++ % 2 == 0) print > "$(VENV)/lock-a.txt"; else print > "$(VENV)/lock-b.txt" }' requirements.lock
	$(BIN)/python -m pip install --quiet --no-deps -r $(VENV)/lock-a.txt & a=$$!; \
	  $(BIN)/python -m pip install --quiet --no-deps -r $(VENV)/lock-b.txt; b=$$?; \
	  wait $$a && test $$b = 0
	$(BIN)/python -m pip check
	$(BIN)/python -m pip install --quiet --no-deps --no-build-isolation -e .
	touch $(STAMP)

# Debian packages the kit needs, installed when missing (as root, through apt-get):
#   bubblewrap               sandbox for student kernels during grading
#   chromium chromium-driver the real browser the browser tests drive (Playwright, executable_path)
#   postgresql               a real PostgreSQL server for the multi-grader gradebook test
SYSTEM_PACKAGES := bwrap:bubblewrap chromium:chromium chromedriver:chromium-driver pg_ctlcluster:postgresql

system-deps:
	@missing=""; for pair in $(SYSTEM_PACKAGES); do \
	  cmd=$${pair%%:*}; pkg=$${pair##*:}; \
	  command -v $$cmd >/dev/null 2>&1 || missing="$$missing $$pkg"; done; \
	if [ -n "$$missing" ]; then \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	    echo "Installing Debian packages:$$missing"; \
	    (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing) >/dev/null \
	      || { echo "apt-get install$$missing failed"; exit 1; }; \
	  else \
	    echo "WARNING: missing Debian packages:$$missing (grading refuses to run unsandboxed without bubblewrap;"; \
	    echo "         browser and PostgreSQL tests need chromium and postgresql). Install them as root."; \
	  fi; fi

setup: $(STAMP) system-deps

data: setup
	$(BIN)/coursekit data build --check

release: setup data
	$(BIN)/coursekit release

# DEMO_ARGS=--full grades the whole class on the capstone too (15-20 minutes on two cores).
# The demo releases every assignment itself, after forgetting an earlier demo's students
# (nbgrader refuses to re-release a changed notebook while submissions of it are graded).
demo: setup data
	$(BIN)/coursekit demo $(DEMO_ARGS)

# Three workers on two cores, one test file each at a time (a file's shared graded class is built
# once), heaviest files first; grader_tests/conftest.py holds the order and the files dealt out test
# by test. A third worker fills the seconds the other two wait (browsers, servers, kernels starting):
# measured side by side on the idle 2-core machine, 612 s with two workers, 588 s with three.
TEST_WORKERS ?= 3
test: setup data
	$(BIN)/python -m pytest -n $(TEST_WORKERS) --dist loadfile -q $(PYTEST_ARGS)

test-fast: setup
	$(BIN)/python -m pytest -n $(TEST_WORKERS) --dist loadfile -q -m "not slow" $(PYTEST_ARGS)

bench: setup data
	$(BIN)/python benchmarks/grading_benchmark.py

clean:
	rm -rf submitted autograded/*/ feedback gradebook.db grades.csv exports reports .coursekit/grading demo .pytest_cache
