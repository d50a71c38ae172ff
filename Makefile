# Haven — the two commands are `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
# The offline app's scripts and the form engine (ODK Web Forms): npm packages from
# package-lock.json, bundled by esbuild into the apps' static files.
BUNDLE := haven/field/static/field/build/app.js
BUNDLE_SOURCES := $(wildcard haven/field/assets/*.js haven/field/assets/*.mjs \
	haven/assessments/assets/*.js haven/assessments/assets/*.mjs)

.PHONY: run test test-e2e lint lock format schema messages bench bench-linkage bench-privacy bench-sync bench-engine clean

# Python packages at the versions of requirements.lock (`make lock` rewrites it after a
# change of pyproject.toml's dependencies).
$(STAMP): pyproject.toml requirements.lock
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -c requirements.lock -e '.[dev]'
	touch $(STAMP)

lock: $(STAMP)
	$(BIN)/pip install --quiet -e '.[dev]'
	( echo "# Every Python package Haven installs, at the version CI tested (make lock rewrites it)."; \
	  $(BIN)/pip freeze --exclude-editable ) > requirements.lock

node_modules/.package-lock.json: package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

$(BUNDLE): node_modules/.package-lock.json $(BUNDLE_SOURCES)
	npm run --silent build

run: $(STAMP) $(BUNDLE)
	HAVEN_DEMO=1 $(BIN)/haven run

test: $(STAMP) $(BUNDLE)
	$(BIN)/pytest -m "not e2e" -n 2 -q

test-e2e: $(STAMP) $(BUNDLE)
	$(BIN)/pytest -m e2e -q -p no:xdist

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

format: $(STAMP)
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

schema: $(STAMP)
	$(BIN)/haven manage spectacular --file docs/api/openapi.yaml --validate

# Needs GNU gettext (Debian package gettext) on the developer's machine.
messages: $(STAMP)
	cd haven && ../$(BIN)/haven manage makemessages -l fr -l es -l ar --no-obsolete
	cd haven && ../$(BIN)/haven manage compilemessages

# The registration measure drives the server with wrk (Debian package wrk).
bench: $(STAMP)
	command -v wrk >/dev/null || (apt-get update -qq && apt-get install -y -qq wrk)
	$(BIN)/python bench/run.py

# Installs Splink into bench/.venv-anchor on first use; needs ../shared/data/linkage.
bench-linkage: $(STAMP)
	$(BIN)/python -u bench/linkage/run.py --million --lookup

# Installs anjana into bench/.venv-privacy on first use; needs ../shared/data/adult.
bench-privacy: $(STAMP)
	$(BIN)/python -u bench/privacy/run.py --repeats 5 --million

# The offline app over an emulated poor link and 50 devices at once; needs Debian's chromium.
bench-sync: $(STAMP) $(BUNDLE)
	$(BIN)/python -u bench/sync.py

bench-engine: $(STAMP) $(BUNDLE)
	$(BIN)/python -u bench/engine.py

clean:
	rm -rf $(VENV) var build *.egg-info node_modules haven/field/static/field/build \
		haven/assessments/static/assessments/build
