#!/usr/bin/env bash
# Makes sure a Docker engine answers on /var/run/docker.sock. Installs docker.io (Debian) when dockerd is
# missing and starts it with deployment/docker/daemon.json (userns-remap on) when no engine answers.
# An engine that already runs is left alone: agentd itself reports whether it has userns remapping.
set -euo pipefail
repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
sock="${DOCKER_SOCK:-/var/run/docker.sock}"
# Host limits that cap the sandbox count hold whether or not the engine already runs.
bash "$repo/scripts/ensure-host-limits.sh"

engine_answers() { curl -fsS --max-time 3 --unix-socket "$sock" http://localhost/_ping >/dev/null 2>&1; }

if engine_answers; then
  echo "ensure-docker: engine already answers on $sock"
  exit 0
fi
if ! command -v dockerd >/dev/null 2>&1; then
  echo "ensure-docker: installing docker.io"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq docker.io >/dev/null
fi
if [ "$(id -u)" != 0 ]; then
  echo "ensure-docker: no engine answers on $sock and starting dockerd needs root" >&2
  exit 1
fi
echo "ensure-docker: starting dockerd with $repo/deployment/docker/daemon.json"
mkdir -p /var/log
nohup dockerd --config-file "$repo/deployment/docker/daemon.json" >/var/log/agentd-dockerd.log 2>&1 &
for _ in $(seq 1 120); do
  if engine_answers; then echo "ensure-docker: engine is up"; exit 0; fi
  sleep 0.5
done
echo "ensure-docker: dockerd did not answer within 60 s; last log lines:" >&2
tail -n 30 /var/log/agentd-dockerd.log >&2
exit 1
