# Training suite for Odoo 18.0 Community. See README.md.
.PHONY: help setup run serve test lint clean bench-data bench loadtest screenshots

help:
	@echo "make run    set up and serve Odoo on http://localhost:8069 with the suite and demo data"
	@echo "make serve  production profile: multi-worker Odoo, cron and websocket workers, local read replica"
	@echo "make test   set up and run the whole test suite in a fresh throw-away database"
	@echo "make lint   ruff and pylint-odoo (OCA 18.0 settings)"
	@echo "make clean  stop the local PostgreSQL and its replica, remove .state/ (virtualenv, databases)"
	@echo "make bench-data SCALE=N   fill the benchmark database with N x 1 000 students (resumable)"
	@echo "make bench  time the operations people wait for (see benchmarks/RESULTS.md)"
	@echo "make loadtest USERS=20 RUN_TIME=60s   Locust against make serve (HOST=http://localhost:8069)"
	@echo "make screenshots   retake the README's screens (docs/screenshots/) in the browser"

setup:
	@bash scripts/setup.sh

run:
	@bash scripts/run.sh

serve:
	@bash scripts/serve.sh

test:
	@bash scripts/test.sh

# In the database of `make run` (the demo school's five years; stop `make run` first: same
# port), without installing the test addon there.
screenshots:
	@PREPARE_ONLY=1 bash scripts/run.sh
	@TRAINING_SCREENSHOTS=1 .state/venv/bin/python -m pytest --odoo-config=.state/odoo-test.conf \
		--odoo-database=$$(.state/venv/bin/python scripts/odoo_conf.py get db_name) --odoo-http \
		tests/training_suite_tests/tests/test_screenshots.py

lint: setup
	.state/venv/bin/ruff check .
	.state/venv/bin/ruff format --check .
	.state/venv/bin/pylint --rcfile=.pylintrc --load-plugins=pylint_odoo --valid-odoo-versions=18.0 \
		$$(ls -d */__manifest__.py tests/*/__manifest__.py | xargs -n1 dirname)

clean:
	@bash scripts/clean.sh

SCALE ?= 1
bench-data:
	@SCALE=$(SCALE) bash scripts/bench.sh data

bench:
	@SCALE=$(SCALE) bash scripts/bench.sh run

USERS ?= 20
SPAWN_RATE ?= 5
RUN_TIME ?= 60s
HOST ?= http://localhost:8069
loadtest:
	@USERS=$(USERS) SPAWN_RATE=$(SPAWN_RATE) RUN_TIME=$(RUN_TIME) HOST=$(HOST) bash scripts/loadtest.sh
