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

/** A rule no import may break: from the files matching `from` to those matching `to`. */
const forbid = (name, comment, from, to) => ({ name, comment, severity: 'error', from, to });

const deployRules = DEPLOY_LAYERS.slice(1).map((layer, index) => {
  const above = DEPLOY_LAYERS.slice(0, index + 1);
  return forbid(
    `deploy-${layer.name.replace(/ /g, '-')}-imports-no-layer-above`,
    `deploy/src layers (.dependency-cruiser.mjs DEPLOY_LAYERS): ${layer.name} may not import ${above.map((a) => a.name).join(', ')}`,
    { path: layer.path },
    { path: above.map((a) => a.path) },
  );
});

/** @type {import('dependency-cruiser').IConfiguration} */
export default {
  forbidden: [
    forbid(
      'apps-enter-libs-by-their-front-door',
      'An app imports a lib only as #libs/<name> (its src/index.ts), never a file behind it.',
      { path: '^apps/' },
      { path: '^libs/', pathNot: '^libs/[^/]+/src/index\\.ts$' },
    ),
    forbid(
      'libs-enter-other-libs-by-their-front-door',
      'A lib imports another lib only as #libs/<name>.',
      { path: '^libs/([^/]+)/' },
      { path: '^libs/', pathNot: ['^libs/$1/', '^libs/[^/]+/src/index\\.ts$'] },
    ),
    forbid('libs-do-not-import-apps', 'Libs sit below the apps: no lib imports an app.', { path: '^libs/' }, { path: '^apps/' }),
    forbid(
      'apps-do-not-import-each-other',
      'The reader and the writer share code only through libs.',
      { path: '^apps/([^/]+)/' },
      { path: '^apps/', pathNot: '^apps/$1/' },
    ),
    forbid(
      'contracts-import-no-other-lib',
      'libs/contracts is the definition everything else derives from; it depends on no lib.',
      { path: '^libs/contracts/' },
      { path: '^libs/', pathNot: '^libs/contracts/' },
    ),
    forbid(
      'only-modules-import-controllers',
      'Controllers → services → repository: nothing but a Nest module (the composition root) imports a controller.',
      { path: '^apps/', pathNot: '\\.module\\.ts$' },
      { path: '\\.controller\\.ts$' },
    ),
    forbid(
      'controllers-reach-the-database-through-services',
      'Controllers → services → repository: a controller never imports the persistence lib (its repositories).',
      { path: '\\.controller\\.ts$' },
      { path: '^libs/persistence/' },
    ),
    forbid(
      'repositories-know-no-service',
      'Controllers → services → repository: the persistence lib imports no Nest service, controller or app.',
      { path: '^libs/persistence/' },
      { path: '\\.(service|controller)\\.ts$' },
    ),
    forbid(
      'no-import-cycles',
      'Files that import each other (type imports too) are one unit pretending to be two: move what both need into a file of its own.',
      { path: '^(apps|libs|deploy/src)/' },
      { circular: true },
    ),
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
