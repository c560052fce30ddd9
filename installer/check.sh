#!/usr/bin/env bash
# Linters, type checks, import boundaries, then the whole test suite.
set -euo pipefail
cd "$(dirname "$0")/.."
echo "==> ruff";          ruff check .
echo "==> mypy";          mypy prep_core
echo "==> import boundaries"; lint-imports
echo "==> pytest";        exec python -m pytest "$@"
