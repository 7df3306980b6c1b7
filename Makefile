# Two commands set everything up on a fresh machine: `make up` and `make test`.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

.PHONY: up down status test unit lint bench fuzz certs clean deps etcd-bin

$(PY): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[test]'
	touch $(PY)

etcd-bin:
	@command -v etcd >/dev/null 2>&1 && command -v etcdctl >/dev/null 2>&1 || { \
	  $(SUDO) apt-get update -qq && $(SUDO) DEBIAN_FRONTEND=noninteractive apt-get install -y -qq etcd-server etcd-client; }

deps: $(PY) etcd-bin

certs: $(PY)
	$(PY) -m certs --dir state/pki

up: deps
	$(PY) -m cluster up

down: $(PY)
	$(PY) -m cluster down

status: $(PY)
	$(PY) -m cluster status

test: deps lint
	$(PY) -m pytest -q

# the configuration of both is in pyproject.toml
lint: $(PY)
	$(PY) -m ruff check .
	$(PY) -m mypy

unit: $(PY)
	$(PY) -m pytest -q tests/unit

bench: deps
	@command -v haproxy >/dev/null 2>&1 || [ -x /usr/sbin/haproxy ] || { \
	  $(SUDO) apt-get update -qq && $(SUDO) DEBIAN_FRONTEND=noninteractive apt-get install -y -qq haproxy; }
	$(PY) -m bench

# requests generated from the server's own /openapi/v3 against a cluster of its own (tools/fuzz); the figures at the end
FUZZ_REQUESTS ?= 3000
fuzz: deps
	$(PY) -m tools.fuzz --requests=$(FUZZ_REQUESTS)

clean:
	-[ -x $(PY) ] && $(PY) -m cluster down
	rm -rf state $(VENV) *.egg-info
