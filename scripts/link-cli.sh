#!/usr/bin/env bash
# Puts `agentd` on PATH: a small wrapper in $AGENTD_BIN_DIR (default /usr/local/bin as root, else ~/.local/bin)
# that runs this checkout's CLI (orchestrator/bin/agentd.js; `npm run build` first) with the Node 22 that
# scripts/ensure-node.sh chose, since the machines' own Node 20 is too old. Not `npx agentd`: an unrelated
# package of that name is on the public registry. Prints the directory on stdout (messages go to stderr).
set -euo pipefail
repo="$(cd "$(dirname "$0")/.." && pwd)"
. "$repo/scripts/ensure-node.sh"
node_bin="$(command -v node)"
if [ "$(id -u)" = 0 ]; then default_dir=/usr/local/bin; else default_dir="$HOME/.local/bin"; fi
bin_dir="${AGENTD_BIN_DIR:-$default_dir}"
mkdir -p "$bin_dir"
tmp="$(mktemp "$bin_dir/.agentd.XXXXXX")"
cat >"$tmp" <<WRAPPER
#!/bin/sh
# Written by $repo/scripts/link-cli.sh: this checkout's agentd CLI on Node 22.
exec "$node_bin" "$repo/orchestrator/bin/agentd.js" "\$@"
WRAPPER
chmod 755 "$tmp"
mv -f "$tmp" "$bin_dir/agentd"
echo "link-cli: $bin_dir/agentd -> $repo ($("$bin_dir/agentd" --version))" >&2
case ":$PATH:" in
  *":$bin_dir:"*) ;;
  *) echo "link-cli: $bin_dir is not on your PATH; add it to use \`agentd\`" >&2 ;;
esac
echo "$bin_dir"
