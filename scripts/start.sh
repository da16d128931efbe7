#!/usr/bin/env bash
# The README's first command: set up, then start the gateway with the demo configuration.
set -euo pipefail
"$(dirname "$0")/setup.sh"
source "$(dirname "$0")/env.sh"
cd "$GATEHOUSE_ROOT"
exec gatehouse serve --config "${GATEHOUSE_CONFIG:-examples/demo/gatehouse.yaml}" "$@"
