/**
 * carebot's layers, top to bottom. A module may import its own layer and the layers below it,
 * never one above: ARCHITECTURE.md explains each cut. `npm run deps` checks it (in .ci/run).
 */
const layers = [
  { name: 'app', path: '^src/(cli\\.ts|app/)' },
  { name: 'workers', path: '^workers/' },
  { name: 'http', path: '^src/http/' },
  { name: 'connectors', path: '^connectors/(?!networks\\.ts|[^/]+/meta\\.ts)' },
  { name: 'pipeline', path: '^src/pipeline/' },
  { name: 'slack', path: '^src/slack/' },
  { name: 'incidents', path: '^src/incidents/' },
  { name: 'spikes', path: '^src/spikes/' },
  { name: 'db', path: '^src/db/' },
  // Below db: the mentions table stores a TriageResult, and triage itself needs no storage.
  { name: 'triage', path: '^src/triage/' },
  { name: 'queues', path: '^src/queues/' },
  { name: 'model', path: '^src/(mention|connector)\\.ts$' },
  { name: 'shared', path: '^src/shared/' },
  { name: 'config', path: '^config/' },
  // What the core may know of each network without loading it: ids, names, limits. Data only.
  { name: 'networks', path: '^connectors/(networks\\.ts|[^/]+/meta\\.ts)$' },
];

const product = '^(src|connectors|workers|config)/';
// src/context.ts names every handle for Ctx<K>: types only, and only types of it are imported.
const vocabulary = '^src/context\\.ts$';

module.exports = {
  forbidden: [
    ...layers.flatMap((lower, i) =>
      layers.slice(0, i).map((upper) => ({
        name: `${lower.name}-not-to-${upper.name}`,
        comment: `${lower.name} sits below ${upper.name}: it may not import it (ARCHITECTURE.md, "Layers")`,
        severity: 'error',
        from: { path: lower.path, pathNot: vocabulary },
        to: { path: upper.path },
      })),
    ),
    {
      name: 'connectors-only-through-the-port',
      comment:
        'a connector reaches the core only through src/connector.ts, the Mention model and src/shared/ (ARCHITECTURE.md, "Connectors")',
      severity: 'error',
      from: { path: '^connectors/' },
      to: { path: '^src/', pathNot: '^src/(connector\\.ts|mention\\.ts|shared/|context\\.ts)' },
    },
    {
      name: 'networks-stay-apart',
      comment: 'one network never imports another: what they share belongs in src/shared/',
      severity: 'error',
      from: { path: '^connectors/([^/]+)/' },
      to: { path: '^connectors/[^/]+/', pathNot: '^connectors/$1/' },
    },
    {
      name: 'context-is-types-only',
      comment: 'src/context.ts is a vocabulary of types: import it with `import type`',
      severity: 'error',
      from: {},
      to: { path: vocabulary, dependencyTypesNot: ['type-only'] },
    },
    {
      name: 'context-imports-types-only',
      severity: 'error',
      from: { path: vocabulary },
      to: { dependencyTypesNot: ['type-only', 'core'] },
    },
    {
      name: 'no-circular',
      comment: 'a cycle means two modules are one; merge them or cut one edge',
      severity: 'error',
      from: { pathNot: vocabulary },
      to: { circular: true, viaOnly: { pathNot: vocabulary } },
    },
    {
      name: 'product-not-to-tests',
      comment: 'the product never loads tests, fakes, the sandbox, benchmarks or scripts',
      severity: 'error',
      from: { path: product },
      to: { path: '^(test|fakes|sandbox|bench|scripts)/' },
    },
    {
      name: 'product-not-to-dev-deps',
      comment: 'a production install (npm ci --omit=dev) lacks devDependencies',
      severity: 'error',
      from: { path: product },
      to: { dependencyTypes: ['npm-dev'], dependencyTypesNot: ['type-only'] },
    },
    {
      name: 'not-to-unresolvable',
      severity: 'error',
      from: {},
      to: { couldNotResolve: true },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: { exportsFields: ['exports'], conditionNames: ['import', 'require', 'node', 'default', 'types'] },
  },
};
