#!/usr/bin/env bash
# One-time setup on a fresh machine: Node 24 (from the npm registry if the system Node is older)
# and the workspace's npm packages. Safe to run again.
set -euo pipefail
source "$(dirname "$0")/env.sh"
cd "$GATEHOUSE_ROOT"
# `npm install` rather than `npm ci`: it installs the locked versions too, and unlike `npm ci` it
# tolerates optional platform packages the registry does not serve (Biome lists Android builds).
npm install --no-audit --no-fund --loglevel=error
echo "gatehouse: ready with Node $(node --version)" >&2
