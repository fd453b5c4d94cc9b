// The layers of the code, enforced by `npm run lint` (dependency-cruiser). No exceptions list: a rule that
// does not hold is fixed in the code, not excused here. scripts/dependency-layers.spec.ts shows a back-edge failing it.
//
//   npm run lint:layers          apps/, libs/ and deploy/src/ (part of npm run lint)

/** deploy/src, top to bottom: a layer may import its own and the layers below it, never one above. */
const DEPLOY_LAYERS = [
  { name: 'entry', path: '^deploy/src/(main|cli)\\.ts$' },
  { name: 'commands', path: '^deploy/src/commands/' },
  { name: 'actions', path: '^deploy/src/actions/' },
  { name: 'phases', path: '^deploy/src/(deploy|rollout|setup)/' },
  // What every command is handed: the context and the dependencies (clients, CLIs) it is built from.
  { name: 'wiring', path: '^deploy/src/(context|deps)\\.ts$' },
  // Presentation: it depends on nothing above it.
  { name: 'output', path: '^deploy/src/output/' },
  // The AWS calls, a leaf: only the foundation below (the error type and exit codes it fails with, the
  // targets' schema).
  { name: 'aws', path: '^deploy/src/aws/' },
  { name: 'foundation', path: '^deploy/src/(errors|exit-codes|exec)\\.ts$|^deploy/src/(docker|git|targets|poll)/' },
];

const deployRules = DEPLOY_LAYERS.slice(1).map((layer, index) => ({
  name: `deploy-${layer.name.replace(/ /g, '-')}-imports-no-layer-above`,
  comment: `deploy/src layers (.dependency-cruiser.mjs DEPLOY_LAYERS): ${layer.name} may not import ${DEPLOY_LAYERS.slice(0, index + 1)
    .map((above) => above.name)
    .join(', ')}`,
  severity: 'error',
  from: { path: layer.path },
  to: { path: DEPLOY_LAYERS.slice(0, index + 1).map((above) => above.path) },
}));

/** @type {import('dependency-cruiser').IConfiguration} */
export default {
  forbidden: [
    {
      name: 'apps-enter-libs-by-their-front-door',
      comment: 'An app imports a lib only as #libs/<name> (its src/index.ts), never a file behind it.',
      severity: 'error',
      from: { path: '^apps/' },
      to: { path: '^libs/', pathNot: '^libs/[^/]+/src/index\\.ts$' },
    },
    {
      name: 'libs-enter-other-libs-by-their-front-door',
      comment: 'A lib imports another lib only as #libs/<name>.',
      severity: 'error',
      from: { path: '^libs/([^/]+)/' },
      to: { path: '^libs/', pathNot: ['^libs/$1/', '^libs/[^/]+/src/index\\.ts$'] },
    },
    {
      name: 'libs-do-not-import-apps',
      severity: 'error',
      from: { path: '^libs/' },
      to: { path: '^apps/' },
    },
    {
      name: 'apps-do-not-import-each-other',
      severity: 'error',
      from: { path: '^apps/([^/]+)/' },
      to: { path: '^apps/', pathNot: '^apps/$1/' },
    },
    {
      name: 'contracts-import-no-other-lib',
      comment: 'libs/contracts is the definition everything else derives from; it depends on no lib.',
      severity: 'error',
      from: { path: '^libs/contracts/' },
      to: { path: '^libs/', pathNot: '^libs/contracts/' },
    },
    {
      name: 'only-modules-import-controllers',
      comment: 'Controllers → services → repository: nothing but a Nest module (the composition root) imports a controller.',
      severity: 'error',
      from: { path: '^apps/', pathNot: '\\.module\\.ts$' },
      to: { path: '\\.controller\\.ts$' },
    },
    {
      name: 'controllers-reach-the-database-through-services',
      comment: 'Controllers → services → repository: a controller never imports the persistence lib (its repositories).',
      severity: 'error',
      from: { path: '\\.controller\\.ts$' },
      to: { path: '^libs/persistence/' },
    },
    {
      name: 'repositories-know-no-service',
      comment: 'Controllers → services → repository: the persistence lib imports no Nest service, controller or app.',
      severity: 'error',
      from: { path: '^libs/persistence/' },
      to: { path: '\\.(service|controller)\\.ts$' },
    },
    ...deployRules,
  ],
  options: {
    // Tests may reach anywhere (fixtures, support code, a file behind a front door); the rules are about the product.
    exclude: { path: ['\\.spec\\.ts$', '(^|/)node_modules/', '^dist/'] },
    doNotFollow: { path: 'node_modules' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    // "#libs/<name>" resolves through package.json "imports" to the source (the "source" condition, as tsc does).
    enhancedResolveOptions: {
      conditionNames: ['source', 'import', 'require', 'node', 'default'],
      extensions: ['.ts', '.js', '.mjs', '.cjs', '.json'],
    },
  },
};
