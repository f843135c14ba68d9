#!/usr/bin/env bash
# tests/browser/run.sh - installs playwright-core (npm) once and runs the
# browser tests with node's test runner against Debian's Chromium.
set -euo pipefail
cd "$(dirname "$0")"
if [ ! -d node_modules/playwright-core ]; then
  npm ci --no-audit --no-fund --loglevel=error >/dev/null
fi
exec node --test --test-concurrency=1 --test-reporter=tap test-*.mjs
