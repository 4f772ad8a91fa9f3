#!/usr/bin/env bash
# Regenerates the Python protobuf/gRPC code (and its type stubs) from proto/.
# The output is committed; CI regenerates it and fails when it differs.
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${PYTHON:-.venv/bin/python}

site=$("$PY" -c 'import google.api, os; print(os.path.dirname(os.path.dirname(google.api.__path__[0])))')
wkt=$("$PY" -c 'import grpc_tools, os; print(os.path.join(os.path.dirname(grpc_tools.__file__), "_proto"))')
plugins=$(dirname "$PY")

out=src
rm -rf "$out/osmi/v1" "$out/osmi/classic"
mapfile -t files < <(find proto -name '*.proto' | sort)

"$PY" -m grpc_tools.protoc \
  -I proto -I "$site" -I "$wkt" \
  --python_out="$out" \
  --grpc_python_out="$out" \
  --plugin=protoc-gen-mypy="$plugins/protoc-gen-mypy" \
  --plugin=protoc-gen-mypy_grpc="$plugins/protoc-gen-mypy_grpc" \
  --mypy_out="$out" \
  --mypy_grpc_out="$out" \
  "${files[@]}"

for pkg in "$out/osmi/v1" "$out/osmi/classic"; do
  printf '"""Generated from proto/ by scripts/generate_proto.sh; do not edit."""\n' >"$pkg/__init__.py"
done
echo "generated Python code for ${#files[@]} proto files"
