#!/usr/bin/env bash
# The README's first command: set up, then run the demo — the sandbox, the gateway with the five
# domain servers, embedded storage and a key per demo role, kept across restarts (see
# `gatehouse demo --help`; `./scripts/start.sh --rotate-keys` replaces them).
# GATEHOUSE_CONFIG picks another configuration; then only the gateway is started (`serve`).
set -euo pipefail
"$(dirname "$0")/setup.sh"
source "$(dirname "$0")/env.sh"
cd "$GATEHOUSE_ROOT"
if [[ -n "${GATEHOUSE_CONFIG:-}" ]]; then
  exec gatehouse serve --config "$GATEHOUSE_CONFIG" "$@"
fi
exec gatehouse demo --config examples/demo/gatehouse.yaml "$@"
