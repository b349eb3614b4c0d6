# Keras deep-learning tools for Galaxy: set-up, tests and the tutorial.
# `make test` and `make tutorial` do all the set-up themselves on a fresh machine.
PYTHON ?= python3
VENV := .venv
TOOLS_VENV := $(VENV)/tools

.PHONY: help venv unit lint test tutorial serve benchmark macros requirements test-data browser-install

help:
	@echo "make test       - the whole test suite (unit, lint, tool, workflow and browser tests against a real Galaxy, benchmark smoke run)"
	@echo "make tutorial   - the GTN RNN tutorial on the full IMDB tables in the embedded Galaxy"
	@echo "make serve      - keep Galaxy running with the tools, the IMDB data and the workflow, for a browser"
	@echo "make benchmark  - the tools against bare Keras and galaxy-ml on the full tutorial tables (about 35 min)"
	@echo "make unit       - unit tests only;  make lint - planemo lint only"

# The tools' own environment (what Galaxy jobs run with), plus pytest for the unit tests.
venv: $(TOOLS_VENV)/.installed
$(TOOLS_VENV)/.installed: requirements.txt
	$(PYTHON) -m venv $(TOOLS_VENV)
	$(TOOLS_VENV)/bin/pip install -q --upgrade pip
	$(TOOLS_VENV)/bin/pip install -q -r requirements.txt pytest==9.0.3 pytest-xdist==3.8.0
	touch $@

include embedded_galaxy/galaxy.mk

unit: venv
	$(PYTHON) scripts/dev/test_suite.py --only unit

lint: galaxy-install
	$(PYTHON) scripts/dev/test_suite.py --only lint

# Debian's chromium and chromium-driver for the browser check (apt-get, only when missing).
browser-install:
	bash embedded_galaxy/install_browser.sh

test: venv galaxy-install browser-install
	$(PYTHON) scripts/dev/test_suite.py

# The main job: the GTN tutorial on the full IMDB tables (IMDB_DIR=... or IMDB_SOURCE=zenodo to change the source).
IMDB_DIR ?= ../shared/data/imdb/tutorial
IMDB_ARGS = $(if $(filter zenodo,$(IMDB_SOURCE)),--zenodo,--data-dir $(IMDB_DIR))
tutorial: venv galaxy-install
	$(VENV)/planemo/bin/python embedded_galaxy/run_tutorial.py $(IMDB_ARGS)

serve: venv galaxy-install
	$(VENV)/planemo/bin/python embedded_galaxy/run_tutorial.py $(IMDB_ARGS) --serve

# Speed and memory against bare Keras and galaxy-ml (installs galaxy-ml into .venv/galaxy-ml where Python 3.12 exists).
benchmark: venv
	$(PYTHON) benchmarks/run_benchmark.py

# Regenerate derived files (each has a --check run by the unit tests).
macros: venv
	$(TOOLS_VENV)/bin/python scripts/dev/generate_form_macros.py
requirements:
	$(PYTHON) scripts/dev/sync_requirements.py
test-data: venv
	$(TOOLS_VENV)/bin/python scripts/dev/make_test_data.py
	$(TOOLS_VENV)/bin/python scripts/dev/make_text_test_data.py
	$(TOOLS_VENV)/bin/python scripts/dev/make_workflow_test_data.py
