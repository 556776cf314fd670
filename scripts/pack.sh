#!/usr/bin/env bash
# Packs agentd into one npm tarball that `npm install -g <tarball>` installs, with `agentd` on PATH.
# The runner (@agentd/sandbox-runner) is not on the public registry, so it is bundled inside. Files keep the
# checkout's layout (orchestrator/dist, sandbox-runner/dist, deployment/, prisma/migrations) because agentd finds
# its Dockerfiles, profiles and migrations relative to its own code. build-info.json records the commit, since
# an installed copy has no git history.
# Usage: bash scripts/pack.sh [output-dir]   (after `npm run build`; prints the tarball's path)
set -euo pipefail
repo="$(cd "$(dirname "$0")/.." && pwd)"
out="$(mkdir -p "${1:-$repo}" && cd "${1:-$repo}" && pwd)"
if [ ! -f "$repo/orchestrator/dist/cli.js" ] || [ ! -f "$repo/sandbox-runner/dist/protocol.js" ]; then
  echo "pack: run \`npm run build\` first" >&2
  exit 1
fi
stage="$(mktemp -d)"
trap 'rm -rf "$stage"' EXIT
mkdir -p "$stage/orchestrator" "$stage/sandbox-runner" "$stage/prisma" "$stage/node_modules/@agentd/sandbox-runner"
cp -R "$repo/orchestrator/dist" "$repo/orchestrator/bin" "$repo/orchestrator/package.json" "$stage/orchestrator/"
# Twice: once where the runner image build reads it, once as the package the orchestrator imports.
cp -R "$repo/sandbox-runner/dist" "$repo/sandbox-runner/package.json" "$stage/sandbox-runner/"
cp -R "$repo/sandbox-runner/dist" "$repo/sandbox-runner/package.json" "$stage/node_modules/@agentd/sandbox-runner/"
cp -R "$repo/prisma/migrations" "$repo/prisma/schema.prisma" "$stage/prisma/"
cp -R "$repo/deployment" "$stage/"
find "$stage" -name '*.tsbuildinfo' -delete
commit="$(git -C "$repo" rev-parse --short=12 HEAD)"
printf '{"commit":"%s"}\n' "$commit" >"$stage/build-info.json"
node - "$repo/orchestrator/package.json" "$stage/package.json" <<'JS'
const { readFileSync, writeFileSync } = require('node:fs');
const [source, target] = process.argv.slice(2);
const orchestrator = JSON.parse(readFileSync(source, 'utf8'));
writeFileSync(
  target,
  `${JSON.stringify(
    {
      // Scoped: an unrelated package named `agentd` exists on the public registry.
      name: '@agentd/agentd',
      version: orchestrator.version,
      description: orchestrator.description,
      license: 'Apache-2.0',
      type: 'module',
      engines: orchestrator.engines,
      bin: { agentd: 'orchestrator/bin/agentd.js' },
      dependencies: orchestrator.dependencies,
      bundleDependencies: ['@agentd/sandbox-runner'],
    },
    null,
    2,
  )}\n`,
);
JS
(cd "$stage" && npm pack --silent --pack-destination "$out" >/dev/null)
echo "$out/agentd-agentd-$(node -p "require('$stage/package.json').version").tgz"
