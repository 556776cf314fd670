#!/usr/bin/env bash
# Installs the Debian packages agentd's build and tests need, when they are missing (root only).
#   docker.io    the Docker engine (agentd's one hard requirement)
#   debootstrap  builds the runner image's offline base (no registry is needed)
#   apparmor     apparmor_parser, to validate the AppArmor profile offline
#   curl, jq     health checks of the engine socket; the README's curl examples (and the test that runs them)
#   postgresql   the integration tests' database (agentd itself embeds PGlite when DATABASE_URL is unset)
#   redis-server the integration tests' Redis (fleet coordination, rate limits)
#   docker-compose, systemd   to validate docker-compose.yml and the systemd unit offline
#   rclone       the baseline of the workspace sync benchmark
#   chromium     the headless browser of the browser tests (EventSource and WebSocket with tickets);
#                fonts-liberation so its pages (and screenshots) have a font without recommended packages
#   openssl, git the tests' certificates (HTTP/2, egress) and the egress test's git repository
#   prometheus   promtool, to check the alert rules and every dashboard expression offline
set -euo pipefail
packages=(docker.io debootstrap apparmor curl jq ca-certificates postgresql redis-server docker-compose systemd rclone chromium fonts-liberation openssl git prometheus)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi
if [ "$(id -u)" != 0 ]; then
  echo "prerequisites: missing Debian packages: ${missing[*]} (install them as root: apt-get install ${missing[*]})" >&2
  exit 1
fi
echo "prerequisites: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
