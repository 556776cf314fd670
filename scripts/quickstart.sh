#!/usr/bin/env bash
# From a fresh Debian machine (root, Node.js installed) to a streamed, sandboxed agent run on the embedded
# defaults: PGlite, in-process coordination, a local workspace store and the scripted model. Idempotent:
# run it again and it reuses what is there. `scripts/quickstart.sh stop` stops the daemon it started.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
repo="$(pwd)"
export AGENTD_STATE_DIR="${AGENTD_STATE_DIR:-/var/lib/agentd}"
export APP_PORT="${APP_PORT:-8000}"
export AGENTD_URL="http://127.0.0.1:${APP_PORT}"
pidfile="$AGENTD_STATE_DIR/quickstart.pid"
logfile="$AGENTD_STATE_DIR/agentd.log"

if [ "${1:-}" = "stop" ]; then
  if [ -f "$pidfile" ] && kill -0 "$(cat "$pidfile")" 2>/dev/null; then
    kill -TERM "$(cat "$pidfile")"
    for _ in $(seq 1 100); do kill -0 "$(cat "$pidfile")" 2>/dev/null || break; sleep 0.3; done
    echo "quickstart: agentd stopped"
  fi
  rm -f "$pidfile"
  exit 0
fi

step() { printf '\n\033[1m==> %s\033[0m\n' "$*"; }

step "Prerequisites (Docker engine, debootstrap for the offline runner image, curl and jq for the README examples)"
if [ "$(id -u)" = 0 ]; then
  missing=()
  for p in docker.io debootstrap curl jq ca-certificates; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
  done
  if [ ${#missing[@]} -gt 0 ]; then
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq && apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  fi
  mountpoint -q /sys/kernel/security || mount -t securityfs securityfs /sys/kernel/security 2>/dev/null || true
fi
. scripts/ensure-node.sh
bash scripts/ensure-docker.sh

step "Dependencies and build"
if [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  npm ci --no-audit --no-fund
fi
npm run build --silent >/dev/null
# `agentd` on PATH from here on (and in your shell, through /usr/local/bin as root).
PATH="$(bash scripts/link-cli.sh):$PATH"

step "Runner image (built offline; cached after the first time)"
agentd image build

step "agentd (embedded: PGlite, local coordination and workspaces, scripted model)"
mkdir -p "$AGENTD_STATE_DIR"
if curl -fsS "$AGENTD_URL/health/ready" >/dev/null 2>&1; then
  echo "agentd already answers on $AGENTD_URL"
else
  nohup agentd serve >>"$logfile" 2>&1 &
  echo $! >"$pidfile"
  for _ in $(seq 1 120); do
    curl -fsS "$AGENTD_URL/health/ready" >/dev/null 2>&1 && break
    if ! kill -0 "$(cat "$pidfile")" 2>/dev/null; then echo "agentd exited; last log lines:" >&2; tail -n 30 "$logfile" >&2; exit 1; fi
    sleep 0.5
  done
  curl -fsS "$AGENTD_URL/health/ready" >/dev/null || { echo "agentd did not become ready; see $logfile" >&2; exit 1; }
  echo "agentd listens on $AGENTD_URL (log: $logfile)"
fi

step "A sandboxed agent run, streamed: the tools write a file in the sandbox and read it back"
message='@think The user wants a file written and read back inside the sandbox.
@say Writing hello.txt in the sandbox workspace.
@tool write_file {"path":"hello.txt","content":"Hello from an agentd sandbox!\n"}
@tool bash {"command":"echo \"uid $(id -u), network interfaces: $(ls /sys/class/net)\"; ls -l /workspace"}
@tool read_file {"path":"hello.txt"}
@say The file says:
@result'
agentd run --tenant-name quickstart "$message"

cat <<NEXT

Where to go next:
  - API docs:        $AGENTD_URL/docs          (admin key: $AGENTD_STATE_DIR/admin.key)
  - Your own run:    agentd run --tenant-name quickstart "hello"
  - With curl:       see README.md ("Run a turn with curl")
  - Sandboxes:       agentd sandboxes ls
  - Isolation audit: agentd audit
  - Stop agentd:     bash scripts/quickstart.sh stop

Web console (sign in with the admin key in $AGENTD_STATE_DIR/admin.key):
  $AGENTD_URL/console/
NEXT
