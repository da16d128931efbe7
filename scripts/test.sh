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
# The tests run with a TMPDIR of their own, removed at exit with whatever a test left in it (the
# services above keep theirs where they were started). Sticky and world-writable like /tmp: run as
# root, the tests start PostgreSQL as the postgres user in a folder there.
test_tmp="$(mktemp -d "${TMPDIR:-/tmp}/gatehouse-run.XXXXXX")"
chmod 1777 "$test_tmp"
trap 'bash scripts/services.sh stop >/dev/null 2>&1 || true; rm -rf "$test_tmp"' EXIT
npm run --silent lint
npm run --silent typecheck
npm run --silent schema:check
npm run --silent deps:check
TMPDIR="$test_tmp" npm run --silent test:unit
