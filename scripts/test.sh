#!/usr/bin/env bash
# The README's second command: set up, then lint, type-check, check the generated JSON Schema and
# run every test. Extra services the tests need are started by the tests themselves.
set -euo pipefail
"$(dirname "$0")/setup.sh"
source "$(dirname "$0")/env.sh"
cd "$GATEHOUSE_ROOT"
npm run --silent lint
npm run --silent typecheck
npm run --silent schema:check
npm run --silent test:unit
