#!/usr/bin/env bash
# The test command: works on a fresh Debian 12 machine (as root). Installs what is missing, starts a Docker
# engine if none answers, installs npm dependencies, then runs `npm test` (build, lint, unit and integration
# suites against the real engine).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
bash scripts/prerequisites.sh
# agentd reads the kernel's LSM list from securityfs to tell whether AppArmor is enforced.
if [ "$(id -u)" = 0 ] && ! mountpoint -q /sys/kernel/security; then
  mount -t securityfs securityfs /sys/kernel/security 2>/dev/null || true
fi
. scripts/ensure-node.sh
bash scripts/ensure-docker.sh
bash scripts/ensure-postgres.sh
bash scripts/ensure-redis.sh
if [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  npm ci --no-audit --no-fund
fi
npm test
