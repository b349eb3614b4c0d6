# The project's embedded offline Galaxy server (see embedded_galaxy/README.md).
# Included by the top-level Makefile; every target is safe to repeat.
PYTHON ?= python3
GALAXY_CTL = $(PYTHON) embedded_galaxy/galaxy_ctl.py
# Tools and workflows to test (default: every tool XML of tools/, every workflow folder of workflows/).
TOOLS ?=
WORKFLOWS ?=

.PHONY: galaxy-install galaxy-start galaxy-stop galaxy-status tool-tests workflow-tests pulsar-test

galaxy-install:
	$(GALAXY_CTL) install

# Configure on every start so that new tool XMLs reach the panel.
galaxy-start: galaxy-install
	$(GALAXY_CTL) configure
	$(GALAXY_CTL) start

galaxy-stop:
	$(GALAXY_CTL) stop

galaxy-status:
	$(GALAXY_CTL) status

tool-tests: galaxy-start
	$(GALAXY_CTL) test-tools $(TOOLS)

workflow-tests: galaxy-start
	$(GALAXY_CTL) test-workflow $(WORKFLOWS)

# The tutorial workflow on the IMDB sample, training and prediction sent to Pulsar by TPV.
pulsar-test: galaxy-start
	$(GALAXY_CTL) test-pulsar
