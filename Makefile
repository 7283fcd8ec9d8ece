# The two commands a newcomer needs: `make run` and `make test`.
VENV ?= .venv
PY := $(VENV)/bin/python
FLASK := $(VENV)/bin/flask --app wsgi

.PHONY: run test lint install install-dev chromium clean screenshots bench

$(VENV)/.installed: requirements.txt
	python3 -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements.txt
	touch $@

$(VENV)/.installed-dev: $(VENV)/.installed requirements-dev.txt
	$(PY) -m pip install --quiet -r requirements-dev.txt
	touch $@

install: $(VENV)/.installed
install-dev: $(VENV)/.installed-dev

# SEED_DEMO=0 starts from an empty database: open /setup to create the first admin.
SEED_DEMO ?= 1

run: install
	$(FLASK) db upgrade
ifneq ($(SEED_DEMO),0)
	$(FLASK) seed-demo --if-empty
endif
	@echo "Serving on http://127.0.0.1:5000 (Ctrl+C to stop)"
	$(FLASK) run --host 127.0.0.1 --port 5000

# Browser tests need Debian's Chromium; install it from apt when missing and we are root.
chromium:
	@command -v chromium >/dev/null 2>&1 || { \
	  if [ "$$(id -u)" = 0 ]; then apt-get update -qq && apt-get install -y -qq chromium >/dev/null; \
	  else echo "chromium missing: run 'sudo apt-get install chromium'"; fi; }

# docs/screenshots/*.png: each role's dashboard and a measure page at 360 and 1366 px, demo data.
screenshots: install-dev chromium
	$(PY) docs/screenshots.py

lint: install-dev
	$(VENV)/bin/ruff check .

test: install-dev chromium lint
	$(VENV)/bin/pytest

# The benchmark (bench/bench.py): builds the national data set (BENCH_SCALE=10x for growth) on
# SQLite and on PostgreSQL (BENCH_PG, emptied first!), then measures the key pages under gunicorn
# with wrk (`apt-get install wrk`), appending the tables to bench/RESULTS.md.
BENCH_SCALE ?= national
BENCH_SQLITE ?= sqlite:///$(CURDIR)/instance/bench-$(BENCH_SCALE).db
BENCH_PG ?= postgresql+psycopg://postgres:postgres@127.0.0.1:5432/bench_national
BENCH_ARGS ?= --rounds 3 --seconds 5

bench: install
	@for url in "$(BENCH_SQLITE)" "$(BENCH_PG)"; do \
	  export DATABASE_URL="$$url"; \
	  $(PY) bench/reset_db.py && $(FLASK) db upgrade && \
	  $(FLASK) seed-demo --scale $(BENCH_SCALE) && \
	  $(PY) bench/bench.py --label "$${url%%:*}, $(BENCH_SCALE)" --out bench/RESULTS.md \
	    $(BENCH_ARGS) || exit 1; \
	done

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache
