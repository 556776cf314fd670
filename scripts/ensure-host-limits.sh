#!/usr/bin/env bash
# Raises host limits that cap how many sandboxes one node can hold. With userns-remap every container runs as
# the same remapped uid, and runc gives each one a session keyring charged to that uid: the kernel's default
# per-user quota (kernel.keys.maxkeys 200, maxbytes 20000) refuses the ~200th container with "unable to
# create session key: disk quota exceeded". Only raises a limit that is lower; needs root (else it says so).
set -euo pipefail
want_keys="${AGENTD_HOST_MAXKEYS:-5000}"
want_bytes="${AGENTD_HOST_MAXBYTES:-5000000}"

raise() {
  local file="/proc/sys/kernel/keys/$1" want="$2" have
  have="$(cat "$file" 2>/dev/null || echo "")"
  if [ -z "$have" ]; then
    echo "ensure-host-limits: $file not readable; leaving it" >&2
    return 0
  fi
  if [ "$have" -ge "$want" ]; then
    echo "ensure-host-limits: kernel.keys.$1 is $have (>= $want)"
    return 0
  fi
  if [ "$(id -u)" != 0 ] || ! echo "$want" >"$file" 2>/dev/null; then
    echo "ensure-host-limits: kernel.keys.$1 is $have, which caps the sandboxes one node holds;" \
      "raise it as root: sysctl -w kernel.keys.$1=$want" >&2
    return 0
  fi
  echo "ensure-host-limits: kernel.keys.$1 $have -> $want"
}

raise maxkeys "$want_keys"
raise maxbytes "$want_bytes"
