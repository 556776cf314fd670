// Which folder of orchestrator/src may import which (type-only imports count: they couple as much).
// Dependencies point one way: a folder lists only folders below it, and the map itself must stay acyclic,
// so no folder cycle can form. `npm run lint` runs this check.
const MAY_IMPORT = {
  common: [],
  metrics: [],
  protocol: [],
  config: ['common'],
  // Outbound address rules and the guarded connect/fetch (remote MCP servers, egress).
  outbound: ['common', 'config'],
  model: ['common'],
  health: ['common'],
  docker: ['common'],
  storage: ['common', 'config'],
  callhome: ['common', 'protocol'],
  security: ['common', 'config', 'docker'],
  image: ['common', 'docker'],
  sandbox: ['common', 'config', 'docker', 'callhome', 'metrics'],
  store: ['common', 'config', 'sandbox'],
  db: ['common', 'config', 'store', 'sandbox'],
  auth: ['common', 'store'],
  // Tenant secrets: encrypted values, references in strings, the resolver other services use.
  secrets: ['common', 'config', 'metrics', 'store'],
  runs: ['common', 'config', 'metrics', 'model', 'protocol', 'callhome', 'sandbox', 'store'],
  controlplane: ['common', 'auth', 'model', 'store'],
  // Credential injection: the per-sandbox CA and the TLS-terminating interceptor (issue 14, part 3).
  interception: ['common', 'config', 'secrets'],
  egress: ['common', 'config', 'metrics', 'callhome', 'outbound', 'runs', 'store', 'interception'],
  policy: ['common', 'config', 'controlplane', 'egress', 'sandbox', 'store'],
  operators: ['common', 'controlplane', 'policy', 'runs', 'sandbox'],
  workspace: [
    'common',
    'config',
    'health',
    'metrics',
    'protocol',
    'callhome',
    'runs',
    'sandbox',
    'storage',
    'store',
  ],
  skills: [
    'common',
    'config',
    'metrics',
    'protocol',
    'callhome',
    'controlplane',
    'runs',
    'sandbox',
    'storage',
    'store',
    'workspace',
  ],
  audit: ['common', 'callhome', 'docker', 'sandbox', 'security'],
  coordination: ['common', 'auth', 'runs', 'sandbox'],
  mcp: [
    'common',
    'config',
    'metrics',
    'model',
    'protocol',
    'callhome',
    'controlplane',
    'outbound',
    'runs',
    'secrets',
    'store',
  ],
  api: [
    'common',
    'auth',
    'config',
    'controlplane',
    'health',
    'metrics',
    'operators',
    'runs',
    'secrets',
    'store',
    'workspace',
    'audit',
    'skills',
    'mcp',
    'egress',
  ],
  cli: ['common', 'config', 'policy', 'sandbox', 'audit', 'runs'],
  // The composition layer: wires everything, imported by nothing but the entry points.
  daemon: null,
};

(function assertAcyclic() {
  const state = new Map();
  const visit = (folder, path) => {
    if (state.get(folder) === 'done') return;
    if (state.get(folder) === 'visiting')
      throw new Error(`folder map has a cycle: ${[...path, folder].join(' -> ')}`);
    state.set(folder, 'visiting');
    for (const next of MAY_IMPORT[folder] ?? []) visit(next, [...path, folder]);
    state.set(folder, 'done');
  };
  for (const folder of Object.keys(MAY_IMPORT)) visit(folder, []);
})();

const SRC = '^orchestrator/src/';
const folders = Object.keys(MAY_IMPORT);

/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: 'no-circular',
      comment: 'No import cycles between files.',
      severity: 'error',
      from: { path: SRC },
      to: { circular: true },
    },
    // One rule per folder: anything in orchestrator/src outside the folder itself and its list is refused.
    ...folders
      .filter((folder) => MAY_IMPORT[folder] !== null)
      .map((folder) => ({
        name: `folder-direction:${folder}`,
        comment: `${folder}/ may import only ${MAY_IMPORT[folder].join(', ') || 'nothing else'} (.dependency-cruiser.cjs).`,
        severity: 'error',
        from: { path: `${SRC}${folder}/` },
        to: { path: SRC, pathNot: `${SRC}(${[folder, ...MAY_IMPORT[folder]].join('|')})/` },
      })),
    {
      name: 'routes-call-services',
      comment:
        'Routes parse, authorise, call a service and serialise: no store, adapters or sandbox internals.',
      severity: 'error',
      from: { path: `${SRC}api/routes/` },
      to: { path: `${SRC}(store|coordination|docker|db|storage|sandbox)/` },
    },
    {
      name: 'entry-points-only-wire',
      comment: 'Only the entry points (main.ts, cli.ts) import the composition layer (daemon/).',
      severity: 'error',
      from: { path: `${SRC}[^/]+/`, pathNot: `${SRC}daemon/` },
      to: { path: `${SRC}(daemon/|main\\.ts$)` },
    },
  ],
  options: {
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'orchestrator/tsconfig.json' },
    exclude: { path: ['orchestrator/src/db/generated', 'node_modules'] },
    doNotFollow: { path: 'node_modules' },
    enhancedResolveOptions: { extensions: ['.ts', '.js'] },
  },
};
