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
# A dockerd that was told to stop may still be shutting down (unpausing, detaching live-restored containers):
# it holds its pid file, and a second one would refuse to start. Give it up to 30 s to go.
for _ in $(seq 1 60); do
  pgrep -x dockerd >/dev/null 2>&1 || break
  if engine_answers; then
    echo "ensure-docker: engine already answers on $sock"
    exit 0
  fi
  sleep 0.5
done
# The engine outlives this checkout and its caller: it gets its own copy of the configuration (a clone deleted
# later must not take its config with it), none of this shell's open descriptors (a caller's `flock` would
# otherwise stay held for as long as dockerd runs), and a session of its own (a caller whose process group is
# killed when it ends, such as a test run or a terminal job, would otherwise take dockerd with it).
config=/etc/agentd/dockerd-daemon.json
mkdir -p /etc/agentd /var/log
install -m 0644 "$repo/deployment/docker/daemon.json" "$config"
echo "ensure-docker: starting dockerd with $config (from deployment/docker/daemon.json)"
(
  for fd in /proc/$BASHPID/fd/*; do
    fd="${fd##*/}"
    if [ "$fd" -gt 2 ]; then eval "exec $fd>&-" 2>/dev/null || true; fi
  done
  exec setsid nohup dockerd --config-file "$config" >/var/log/agentd-dockerd.log 2>&1
) &
for _ in $(seq 1 120); do
  if engine_answers; then echo "ensure-docker: engine is up"; exit 0; fi
  sleep 0.5
done
echo "ensure-docker: dockerd did not answer within 60 s; last log lines:" >&2
tail -n 30 /var/log/agentd-dockerd.log >&2
exit 1
