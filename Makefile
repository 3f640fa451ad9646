# Two commands on a fresh machine: `make demo` and `make test`.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
DEVSTAMP := $(VENV)/.installed-dev
DEMO_DIR ?= demo

.PHONY: demo test test-fast install dev lint bench clean pdf-preview wheel

$(PY):
	$(PYTHON) -m venv $(VENV)

$(STAMP): pyproject.toml | $(PY)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -e .
	touch $@

$(DEVSTAMP): pyproject.toml $(STAMP)
	$(PY) -m pip install -q -e '.[dev]'
	touch $@

install: $(STAMP)
dev: $(DEVSTAMP)

demo: $(STAMP)
	rm -rf $(DEMO_DIR)
	$(VENV)/bin/muskari demo $(DEMO_DIR)
	# the demo's key and erased-ids list stay in the demo folder, never in the owner's configuration
	XDG_CONFIG_HOME=$(abspath $(DEMO_DIR))/.config $(VENV)/bin/muskari semester $(DEMO_DIR)/rekisteri.xlsx \
		--out $(DEMO_DIR)/lukukausi --forms $(DEMO_DIR)/ilmoittautumiset.csv --apply
	$(VENV)/bin/muskari check $(DEMO_DIR)/rekisteri.xlsx

# every test, on every core (LibreOffice tests are skipped, with the reason, when soffice is absent)
test: $(DEVSTAMP)
	$(PY) -m pytest -n auto

# the developers' loop: everything but the slow, the LibreOffice and the Chromium tests, under 2 minutes on
# 2 cores. Test by test (--dist load): the modules whose fixtures are worth sharing are slow or LibreOffice ones.
test-fast: $(DEVSTAMP)
	$(PY) -m pytest -n auto --dist load -m "not slow and not libreoffice and not chromium"

# the file the owner installs (README: Asennus): dist/muskari-<version>-py3-none-any.whl; build/lib is emptied
# first, or a module deleted since the last build would still be packed
wheel: | $(PY)
	rm -rf build/lib build/bdist.* $(wildcard dist/muskari-*.whl)
	$(PY) -m pip wheel --quiet --no-deps --wheel-dir dist .
	@ls dist/muskari-*.whl

lint: $(DEVSTAMP)
	$(VENV)/bin/ruff check toolkit workbook_schema tests benchmarks

bench: $(DEVSTAMP)
	$(PY) benchmarks/run.py

# certificates (demo + the fullest possible) as PNG pages in build/pdf-preview, to look at the layout
pdf-preview: $(DEVSTAMP)
	$(PY) tools/preview_certificates.py --out build/pdf-preview

clean:
	rm -rf $(VENV) $(DEMO_DIR) .pytest_cache build/lib build/bdist.* dist
