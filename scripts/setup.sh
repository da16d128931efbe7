#!/usr/bin/env bash
# One-time setup on a fresh machine: Node 24 (from the npm registry if the system Node is older)
# and the workspace's npm packages, exactly as package-lock.json lists them (`npm ci`, which
# never rewrites the lock file). Safe to run again: when node_modules was installed from this
# very lock file, the install is skipped. Each step says what it does on stderr.
set -euo pipefail
source "$(dirname "$0")/env.sh"
cd "$GATEHOUSE_ROOT"
echo "gatehouse: Node: $(node --version) ($(command -v node))" >&2
# The lock file's hash, recorded in node_modules after a successful `npm ci`.
stamp=node_modules/.gatehouse-installed
lock_hash="$(node -e 'process.stdout.write(require("node:crypto").createHash("sha256").update(require("node:fs").readFileSync("package-lock.json")).digest("hex"))')"
if [[ -f "$stamp" && "$(cat "$stamp")" == "$lock_hash" ]]; then
  echo "gatehouse: packages: node_modules matches package-lock.json; nothing to install" >&2
else
  echo "gatehouse: packages: installing exactly what package-lock.json lists (npm ci; under a minute on a fast network, a few on a slow one)…" >&2
  started=$SECONDS
  npm ci --no-audit --no-fund --loglevel=error >&2
  echo "$lock_hash" >"$stamp"
  echo "gatehouse: packages: installed in $((SECONDS - started)) s" >&2
fi
echo "gatehouse: set-up done" >&2
