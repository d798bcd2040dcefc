# Plan Portal: `make run` serves the portal with the demo data (gunicorn and a task worker);
# `make test` runs the tests (`make test-all` also the exhaustive crawls).
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-$(shell cat requirements.txt | cksum | cut -d' ' -f1)

# Local serving: production settings over plain HTTP on localhost (HTTPS_ONLY=0;
# a real deployment keeps the default, HTTPS only, behind a TLS proxy).
RUN_ENV = DEBUG=0 HTTPS_ONLY=0 SECRET_KEY="$$(cat .secret_key)" ALLOWED_HOSTS=127.0.0.1,localhost

.PHONY: run test test-all install migrate seed superuser lint clean system-packages-run system-packages-test

install: $(STAMP)

$(STAMP): requirements.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -r requirements.txt
	rm -f $(VENV)/.installed-*
	touch $@

.secret_key:
	$(PYTHON) -c "import secrets; print(secrets.token_urlsafe(50))" > $@
	chmod 600 $@

# Debian packages first (bin/ensure-system-packages): installed when root, else stop at once.
system-packages-run system-packages-test: system-packages-%:
	@bin/ensure-system-packages $*

run: system-packages-run install .secret_key
	$(RUN_ENV) $(BIN)/python manage.py migrate --noinput
	$(RUN_ENV) $(BIN)/python manage.py setup_staff_roles
	$(RUN_ENV) $(BIN)/python manage.py collectstatic --noinput --verbosity 0
	$(RUN_ENV) $(BIN)/python manage.py seed_demo
	@echo "Plan Portal: http://127.0.0.1:8000/  (admin: http://127.0.0.1:8000/admin/)"
	@# A task-queue worker (PDFs) beside gunicorn, niced so that pages get the CPU first;
	@# its id names host and pid, so that a job it leaves behind when killed is requeued
	@# (planportal/task_queue.py) by the sweep beside it (sweep_tasks, once a minute).
	$(RUN_ENV) sh -c 'exec nice -n 19 $(BIN)/python manage.py db_worker --no-reload --worker-id "$$(hostname):$$$$"' & \
	worker=$$!; \
	$(RUN_ENV) nice -n 19 $(BIN)/python manage.py sweep_tasks --every 60 & \
	sweep=$$!; \
	trap 'kill $$worker $$sweep 2>/dev/null' EXIT INT TERM; \
	$(RUN_ENV) $(BIN)/gunicorn --config gunicorn.conf.py planportal.wsgi

test test-all: system-packages-test install
	$(BIN)/lint-imports --no-cache
	$(BIN)/python -m pytest $(PYTEST_ARGS)

# The exhaustive crawls too (every page, every PDF): CI's PostgreSQL pass.
test-all: PYTEST_ARGS += -m "exhaustive or not exhaustive"

superuser: install .secret_key
	$(RUN_ENV) $(BIN)/python manage.py createsuperuser

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports --no-cache

clean:
	rm -rf $(VENV) staticfiles .pytest_cache
