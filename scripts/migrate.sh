#!/usr/bin/env bash
# Applies database migrations (DATABASE_URL, or the embedded PostgreSQL when unset).
set -euo pipefail
cd "$(dirname "$0")/.."
exec make migrate
