#!/usr/bin/env bash
# The README's second command: set up, then lint, type-check, check the generated JSON Schema, check
# that every package declares exactly what it imports (scripts/check-deps.ts) and
# run every test. A throwaway PostgreSQL on loopback (scripts/services.sh) backs the tests that
# need a real database; it is stopped when the tests end.
set -euo pipefail
"$(dirname "$0")/setup.sh"
source "$(dirname "$0")/env.sh"
cd "$GATEHOUSE_ROOT"
# The MCP servers nobody here wrote that the host's tests run against (the conformance run uses
# them too): installed from the npm registry, once.
[ -f conformance/third-party/node_modules/mcp-handler/package.json ] ||
  (cd conformance/third-party && npm ci --no-audit --no-fund --loglevel=error)
source scripts/services.sh
trap 'bash scripts/services.sh stop >/dev/null 2>&1 || true' EXIT
npm run --silent lint
npm run --silent typecheck
npm run --silent schema:check
npm run --silent deps:check
npm run --silent test:unit
