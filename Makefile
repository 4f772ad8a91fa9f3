# Osmi developer commands. Only Python 3.11+ and make are needed: the first
# target you run builds .venv from the lock file.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-$(shell cat requirements.lock pyproject.toml | cksum | cut -d' ' -f1)
GENERATED := src/osmi/v1 src/osmi/classic
PROTOS := $(shell find proto -name '*.proto')
# Regenerated only when a .proto (or the generator) changed since the last run.
GEN_STAMP := $(VENV)/.proto-generated

.DEFAULT_GOAL := help
.PHONY: help venv proto proto-check migrate seed run lint format test test-fast lock clean

help: ## List the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  %-12s %s\n", $$1, $$2}'

$(STAMP): requirements.lock pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11))' || \
		{ echo "Osmi needs Python 3.11 or newer (set PYTHON=...)"; exit 1; }
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --disable-pip-version-check --require-hashes -r requirements.lock
	$(BIN)/pip install --quiet --disable-pip-version-check --no-deps --no-build-isolation -e .
	rm -f $(VENV)/.installed-*
	touch $@

venv: $(STAMP) ## Create the virtual environment from requirements.lock

$(GEN_STAMP): $(STAMP) $(PROTOS) scripts/generate_proto.sh
	@PYTHON=$(BIN)/python scripts/generate_proto.sh >/dev/null
	@touch $@

proto: $(STAMP) ## Generate Python code from proto/
	PYTHON=$(BIN)/python scripts/generate_proto.sh
	@touch $(GEN_STAMP)

proto-check: proto ## Fail when the committed generated code differs from proto/
	@git diff --exit-code --stat -- $(GENERATED) && \
	test -z "$$(git status --porcelain --untracked-files=all -- $(GENERATED))" || \
		{ echo "generated protobuf code is stale: run 'make proto' and commit"; exit 1; }

migrate: $(GEN_STAMP) ## Apply database migrations
	$(BIN)/osmi migrate

seed: $(GEN_STAMP) ## Load demo data (works with or without a running server)
	$(BIN)/osmi seed

run: $(GEN_STAMP) ## Migrate and serve (GRPC_PORT 50051, HTTP_PORT 8080, HEALTH_PORT 8081)
	$(BIN)/osmi serve --migrate

lint: $(STAMP) ## Ruff, formatting, mypy and the layering contract
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy
	$(BIN)/lint-imports

format: $(STAMP) ## Apply ruff fixes and formatting
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

test: $(GEN_STAMP) lint ## Lint, then the whole test suite (unit, integration, e2e)
	$(BIN)/pytest

test-fast: $(GEN_STAMP) ## Only the unit tests
	$(BIN)/pytest tests/unit

lock: $(STAMP) ## Re-resolve requirements.lock from pyproject.toml
	$(BIN)/uv pip compile pyproject.toml --extra dev --python-version 3.11 \
		--generate-hashes -o requirements.lock

clean: ## Remove the environment and caches (not your database)
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache .import_linter_cache
