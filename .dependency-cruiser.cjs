// Import rules, checked by `npm run lint` (depcruise). Dependencies point one way:
// http -> services -> stores and adapters, wired in one composition root (src/services.ts); no
// cycles; the product (src/) never imports its stand-ins (packages/stand-ins: the Platform
// simulator, the local ML platform, the storage emulators), which only the local entry
// (scripts/start-local.ts, `npm start`) and the tests start; and the stand-ins never import the
// product: each side meets the other only over its protocols. test/architecture/import-rules.test.ts
// plants a violation of each rule in a fixture and proves the rule fails it.
/** Modules of the product. */
const product = '^src/';
/** The stand-ins' workspace package. */
const standIns = '^packages/stand-ins/';
/** The HTTP layer and the entries that build it. */
const httpSide = '^src/(http/|app\\.ts$|server\\.ts$|local-service\\.ts$|dashboard/)';
/** Stores and adapters: persistence, the Platform client, storage, queues. */
const below = '(-store\\.ts$|^src/(db|platform|storage)/|^src/jobs/queue\\.ts$|^src/platform-registry\\.ts$)';

/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: 'no-circular',
      severity: 'error',
      comment: 'Modules import each other in a circle (type-only imports count too).',
      from: {},
      to: { circular: true },
    },
    {
      name: 'no-stand-ins-in-product',
      severity: 'error',
      comment: 'Product code reaches the simulator and the ML platform only over their protocols.',
      from: { path: product },
      to: { path: standIns },
    },
    {
      name: 'no-product-in-stand-ins',
      severity: 'error',
      comment: 'The stand-ins play the outside world: they read the contracts from the docs, not from the product code.',
      from: { path: standIns },
      to: { path: product },
    },
    {
      name: 'http-on-top',
      severity: 'error',
      comment: 'Only the HTTP layer and its entries import from src/http/; services and below are HTTP-free.',
      from: { path: product, pathNot: httpSide },
      to: { path: '^src/http/' },
    },
    {
      name: 'services-above-stores',
      severity: 'error',
      comment: 'Stores and adapters do not call services or the composition root.',
      from: { path: below },
      // src/platform/ names its modules after Adobe's APIs (query-service.ts is Query Service's client).
      to: { path: '(-service\\.ts$|^src/services\\.ts$)', pathNot: '^src/platform/' },
    },
    {
      name: 'composition-root-at-entries',
      severity: 'error',
      comment: 'Services are built only in src/services.ts, which only the process entries import.',
      from: { path: product, pathNot: '^src/(app|worker|server|services)\\.ts$|^src/http/routes/index\\.ts$' },
      to: { path: '^src/services\\.ts$' },
    },
    {
      name: 'pipelines-apart-from-export-worker',
      severity: 'error',
      comment: 'Pipelines share job machinery through src/jobs/ (and destinations, the Platform client), not through the export worker.',
      from: { path: '^src/pipelines/' },
      to: { path: '^src/exports/worker/' },
    },
    {
      name: 'export-worker-apart-from-pipelines',
      severity: 'error',
      comment: 'The export worker knows nothing of pipelines (a pipeline step drives an export through the exports service).',
      from: { path: '^src/exports/worker/' },
      to: { path: '^src/pipelines/' },
    },
    {
      name: 'webhooks-below-pipelines',
      severity: 'error',
      comment: 'src/webhooks is the Standard Webhooks protocol and its receipts; pipelines use it, not the reverse.',
      from: { path: '^src/webhooks/' },
      to: { path: '^src/pipelines/' },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '^src/generated/' },
    tsConfig: { fileName: 'tsconfig.json' },
    tsPreCompilationDeps: true,
    enhancedResolveOptions: { extensions: ['.ts', '.js', '.mjs', '.json'] },
  },
};
