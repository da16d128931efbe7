#!/usr/bin/env bash
# One-time setup on a fresh machine: Node 24 (from the npm registry if the system Node is older)
# and the workspace's npm packages. Safe to run again.
set -euo pipefail
source "$(dirname "$0")/env.sh"
cd "$GATEHOUSE_ROOT"
if [ -f package-lock.json ]; then npm ci --no-audit --no-fund --loglevel=error; else npm install --no-audit --no-fund --loglevel=error; fi
echo "gatehouse: ready with Node $(node --version)" >&2
