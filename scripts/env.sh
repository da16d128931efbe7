# Source this file: it puts a Node 24 first on PATH, installing one from the npm registry into
# .tools/ when the system Node is older. Used by setup.sh, test.sh, start.sh and .ci/run.
GATEHOUSE_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
_gh_node_major() { "${1:-node}" -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0; }
if [ "$(_gh_node_major node)" -lt 24 ]; then
  _gh_local="$GATEHOUSE_ROOT/.tools/node_modules/node/bin"
  if [ "$(_gh_node_major "$_gh_local/node")" -lt 24 ]; then
    echo "gatehouse: system Node is $(node --version 2>/dev/null || echo absent); installing Node 24 into .tools/ (a download of about 30 MB from the npm registry; from under a minute to several on a slow network)" >&2
    npm install --prefix "$GATEHOUSE_ROOT/.tools" --no-save --no-package-lock --no-audit --no-fund --loglevel=error node@24 >&2
  fi
  export PATH="$_gh_local:$PATH"
fi
export PATH="$GATEHOUSE_ROOT/node_modules/.bin:$PATH"
