# Two commands on a fresh machine: `make demo` and `make test`.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: demo test lint bench golden frameworks clean screenshots

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $(STAMP)

demo: $(STAMP)
	$(BIN)/cbct-docs demo --out out --overwrite

test: $(STAMP)
	$(BIN)/python -m pytest -q

lint: $(STAMP)
	$(BIN)/ruff check cbct_docs tests bench
	$(BIN)/mypy cbct_docs bench tests
	$(BIN)/lint-imports

bench: $(STAMP)
	$(BIN)/python -m bench
	$(BIN)/python -m bench.commands

golden: $(STAMP)
	$(BIN)/python -m tests.golden regenerate

# The parsed copies beside the shipped framework files (after editing kib.yaml or zoo.yaml).
frameworks: $(STAMP)
	$(BIN)/python -m cbct_docs.domain.framework_yaml

clean:
	rm -rf $(VENV) out build dist *.egg-info

# The screenshots of the web app in docs/screenshots/, made by its end-to-end test (needs
# the system's chromium and chromium-driver).
screenshots: $(STAMP)
	CBCT_SCREENSHOTS=docs/screenshots $(BIN)/python -m pytest -q tests/test_web_e2e.py
