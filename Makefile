# Two commands on a fresh machine: `make demo` and `make test`.
# Both create .venv if it is missing and install what they need.
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: demo test lint bench clean venv libreoffice pyodide fuzz-excel fuzz

# the compiled helpers are built by the install: a changed source rebuilds them
$(STAMP): pyproject.toml $(wildcard addin/*/*.[ch] addin/*/*/*.[ch])
	test -x $(BIN)/python || $(PY) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -e '.[dev]'
	touch $(STAMP)

venv: $(STAMP)

# Node packages (Pyodide, WPS's API types, TypeScript) and the Pyodide wheels pinned
# by sha256 in scripts/pyodide-wheels.json, for the Lite-in-Pyodide and WPS tests.
PYODIDE_STAMP := node_modules/.jixiao-installed
$(PYODIDE_STAMP): package.json package-lock.json scripts/pyodide-wheels.json scripts/install_pyodide.py $(STAMP)
	$(BIN)/python scripts/install_pyodide.py
	touch $(PYODIDE_STAMP)

pyodide: $(PYODIDE_STAMP)

demo: $(STAMP)
	$(BIN)/python -m addin.demo

test: $(STAMP) $(PYODIDE_STAMP)
	$(BIN)/ruff check .
	$(BIN)/mypy
	$(BIN)/python -m pytest -n 2 --dist loadgroup -q

# Longer than make test: the hostile corpus at full size (1 GB bombs, 150 sheets, a 900 MB video,
# a million shared-formula rows) plus 200 mutants — 100 of bytes, XML attribute values and
# formula text (classic), 100 of the structure (elements and attributes deleted, duplicated
# or moved, parts removed, renamed or truncated, junk text) — every command on each; prints
# the table docs/refresh-output.md reports. Then
# many more office shapes per template and 3,000-person offices
# (tests/test_templates_shapes.py), and 30,000 mutated sheets through the
# compiled cell scanner (tests/test_colscan_mutations.py).
fuzz: $(STAMP)
	$(BIN)/python tests/hostile_corpus.py --fuzz 100 --fuzz-kinds all
	JIXIAO_SHAPE_SEEDS=12 JIXIAO_SHAPE_BIG=1 $(BIN)/python -m pytest -n 2 -q tests/test_templates_shapes.py
	JIXIAO_SCAN_MUTANTS=30000 $(BIN)/python -m pytest -q -p no:cacheprovider tests/test_colscan_mutations.py

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/mypy

# Excel fidelity fuzzing, long: formula text against the engine, and the built-in
# functions against LibreOffice (make test runs both bounded).
fuzz-excel: $(STAMP)
	JIXIAO_FUZZ_EXAMPLES=3000 JIXIAO_FUZZ_RANDOM=1 JIXIAO_LO_EXAMPLES=40 \
		$(BIN)/python -m pytest -q -p no:cacheprovider \
		tests/test_fuzz_formulas.py tests/test_libreoffice_functions.py

bench: $(STAMP)
	$(BIN)/python bench/kernel.py

# LibreOffice >= 25.2 headless (bookworm-backports) for the differential tests and the
# live Calc add-in test, with the SDK's unoidl-write that jixiao calc-addin compiles with.
libreoffice:
	bash scripts/install-libreoffice.sh

clean:
	rm -rf $(VENV) build *.egg-info .pytest_cache .hypothesis .mypy_cache .ruff_cache
