#!/usr/bin/env bash
# Loads demo data; works whether or not `osmi serve` is running.
set -euo pipefail
cd "$(dirname "$0")/.."
exec make seed
