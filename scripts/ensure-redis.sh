#!/usr/bin/env bash
# Starts redis-server for the integration tests (installing it when missing), bound to loopback.
set -euo pipefail
if ! command -v redis-server >/dev/null 2>&1; then
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends redis-server >/dev/null
fi
if ! redis-cli -h 127.0.0.1 ping >/dev/null 2>&1; then
  redis-server --daemonize yes --bind 127.0.0.1 --port 6379 --save '' --appendonly no
fi
for _ in $(seq 1 60); do
  if redis-cli -h 127.0.0.1 ping >/dev/null 2>&1; then echo "ensure-redis: Redis answers on 127.0.0.1:6379"; exit 0; fi
  sleep 0.2
done
echo "ensure-redis: redis-server did not answer" >&2
exit 1
