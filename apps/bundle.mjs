#!/usr/bin/env node
// Bundles each service's build (dist/apps/<service>/src/main.js, tsc's output with its decorator metadata)
// into one ES module with esbuild, and writes the entry the image runs:
//
//   dist/<service>/service.js     the bundle: the service and its dependencies in one file
//   dist/<service>/main.js        enables Node's compile cache (dist/<service>/.compile-cache), then imports it
//   dist/<service>/.compile-cache V8 code cache for the bundle, made here by running `main.js help` once
//
// Why (BENCHMARKS.md): the tsc output makes Node resolve, read and compile ~2,500 module files at every
// start; one file with a code cache is most of the way to starting in under half a second. `nest start`
// and the tests keep running the tsc output.
//
//   node apps/bundle.mjs [reader|writer …]    (npm run build runs it for both)
import { execFileSync } from 'node:child_process';
import { builtinModules } from 'node:module';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'acorn';
import { build } from 'esbuild';

const root = fileURLToPath(new URL('..', import.meta.url));
const services = process.argv.slice(2).length > 0 ? process.argv.slice(2) : ['reader', 'writer'];

/**
 * Packages that load a peer at run time with `createRequire(import.meta.url)('name')`, which esbuild leaves
 * to Node (evanw/esbuild#1828): in a bundle that loads a second copy of the peer from node_modules, with
 * its own state. @nestjs/mapped-types would then copy PartialType's @Transform metadata from an empty
 * class-transformer storage (PATCH would stop trimming titles and normalising ISBNs), and
 * @nestjs/typeorm would load all of TypeORM a second time. Their `require` is replaced by one that answers
 * these names with the bundled modules.
 */
const SHARED_PEERS = ['class-validator', 'class-transformer', 'class-transformer/cjs/storage', 'typeorm'];

const samePeers = {
  name: 'same-peers',
  setup(bundler) {
    bundler.onLoad({ filter: /node_modules[\\/]@nestjs[\\/](mapped-types|typeorm)[\\/]dist[\\/].*\.js$/ }, (args) => {
      const source = readFileSync(args.path, 'utf8');
      const pattern = /const require = createRequire\(import\.meta\.url\);/;
      if (!pattern.test(source)) return undefined;
      const imports = SHARED_PEERS.map((name, i) => `import * as __peer${i} from '${name}';`).join('\n');
      const table = `const __peers = { ${SHARED_PEERS.map((name, i) => `'${name}': __peer${i}`).join(', ')} };`;
      const shim =
        'const __nodeRequire = createRequire(import.meta.url);\n' +
        'const require = (name) => (Object.hasOwn(__peers, name) ? (__peers[name].default ?? __peers[name]) : __nodeRequire(name));';
      return { contents: `${imports}\n${table}\n${source.replace(pattern, shim)}`, loader: 'js', resolveDir: dirname(args.path) };
    });
  },
};

/**
 * TypeORM loads its driver with `require(name)` (PlatformTools.load), which esbuild cannot follow: PostgreSQL's
 * driver is named statically instead, so `pg` is in the bundle (and its code cache) rather than read from
 * 30 files of node_modules at every start. Other names still go to node_modules, as before.
 */
const bundledPg = {
  name: 'bundled-pg',
  setup(bundler) {
    bundler.onLoad({ filter: /node_modules[\\/]typeorm[\\/]platform[\\/]PlatformTools\.js$/ }, (args) => {
      const source = readFileSync(args.path, 'utf8');
      const pattern = /return require\(name\);/;
      if (!pattern.test(source)) {
        console.warn(`apps/bundle.mjs: TypeORM's PlatformTools.load changed; pg stays in node_modules`);
        return undefined;
      }
      return { contents: source.replace(pattern, 'return name === "pg" ? require("pg") : require(name);'), loader: 'js' };
    });
  },
};

/**
 * TypeORM's DriverFactory requires the driver of every database it supports; the services only ever use
 * PostgreSQL. The other drivers' modules become empty in the bundle (a DataSource of another type would
 * fail to construct with "… is not a constructor"); MssqlParameter stays, as the migration executor and
 * the query cache name it.
 */
const OTHER_DATABASES =
  /^\.\.?\/(?:driver\/)?(aurora-mysql|better-sqlite3|capacitor|cockroachdb|cordova|expo|mongodb|mysql|nativescript|oracle|react-native|sap|spanner|sqljs|sqlite-abstract|sqlserver)\//;
const postgresOnly = {
  name: 'postgres-only',
  setup(bundler) {
    bundler.onResolve({ filter: OTHER_DATABASES }, (args) => {
      if (!/node_modules[\\/]typeorm[\\/]driver$/.test(args.resolveDir) || args.path.endsWith('/MssqlParameter')) return undefined;
      return { path: args.path, namespace: 'other-database-driver' };
    });
    bundler.onLoad({ filter: /.*/, namespace: 'other-database-driver' }, () => ({ contents: 'module.exports = {};', loader: 'js' }));
  },
};

/**
 * Nest's two console loggers build an Intl.DateTimeFormat when their module loads, which maps ~7 MB of
 * ICU locale data into memory; the services log JSON through ServiceLogger and never print a Nest console
 * line. The formatter is created on first use instead. If Nest changes that code the bundle is built
 * unchanged (and says so).
 */
const lazyDateFormatter = {
  name: 'lazy-date-formatter',
  setup(bundler) {
    bundler.onLoad({ filter: /node_modules[\\/]@nestjs[\\/]common[\\/]services[\\/](console-logger|logger)\.service\.js$/ }, (args) => {
      const source = readFileSync(args.path, 'utf8');
      const pattern = /const dateTimeFormatter = new Intl\.DateTimeFormat\(undefined, (\{[^}]*\})\);/;
      if (!pattern.test(source)) {
        console.warn(`apps/bundle.mjs: no module-level Intl.DateTimeFormat in ${args.path} any more; left as it is`);
        return undefined;
      }
      const lazy =
        'let lazyDateTimeFormatter;\n' +
        'const dateTimeFormatter = { format: (date) => (lazyDateTimeFormatter ??= new Intl.DateTimeFormat(undefined, $1)).format(date) };';
      return { contents: source.replace(pattern, lazy), loader: 'js', resolveDir: dirname(args.path) };
    });
  },
};

/**
 * Optional integrations the code names but this service never installs (other databases' drivers, Nest's
 * Express and microservice packages, Terminus's other indicators): left as imports that fail only if
 * they were ever used, exactly as they behave outside the bundle.
 */
const missingStayExternal = {
  name: 'missing-stay-external',
  setup(bundler) {
    bundler.onResolve({ filter: /^[^./]/ }, async (args) => {
      if (args.pluginData?.probe || args.path.startsWith('node:')) return undefined;
      const resolved = await bundler.resolve(args.path, {
        kind: args.kind,
        resolveDir: args.resolveDir,
        importer: args.importer,
        pluginData: { probe: true },
      });
      return resolved.errors.length > 0 ? { path: args.path, external: true } : resolved;
    });
  },
};

/**
 * The bundle runs only with tracing off (the generated main.js runs the tsc output when tracing is on), so
 * the OpenTelemetry SDK that startTracing imports on demand (libs/telemetry sdk.js: ~1 MB with its
 * exporters and instrumentations) stays out of it: left as an import nothing ever reaches.
 */
const noTracingSdk = {
  name: 'no-tracing-sdk',
  setup(bundler) {
    bundler.onResolve({ filter: /^\.\/sdk\.js$/ }, (args) =>
      /[\\/]libs[\\/]telemetry[\\/]/.test(args.importer) ? { path: args.path, external: true } : undefined,
    );
  },
};

/**
 * An ES module's `import … from 'node:http'` makes Node build the built-in's ES module facade, which reads
 * every export once (lib/internal/bootstrap/realm.js, syncExports); node:http's lazy `WebSocket`-family
 * getters then load Node's bundled undici (~15 ms of a ~400 ms start, measured with --cpu-prof). The
 * bundle's ES module dependencies (Nest, light-my-request…) import built-ins that way; here each such import
 * becomes `require()` of the built-in, the way the bundle's CommonJS dependencies load them, whose exports
 * are read only when used.
 */
const builtinsByRequire = {
  name: 'builtins-by-require',
  setup(bundler) {
    const builtins = new Set(builtinModules.filter((name) => !name.startsWith('_')));
    bundler.onResolve({ filter: /^(node:)?[a-z_/]+$/ }, (args) => {
      if (args.kind !== 'import-statement' || !builtins.has(args.path.replace(/^node:/, ''))) return undefined;
      return { path: args.path.replace(/^node:/, ''), namespace: 'builtin-by-require' };
    });
    bundler.onLoad({ filter: /.*/, namespace: 'builtin-by-require' }, (args) => ({
      contents: `module.exports = require(${JSON.stringify(`node:${args.path}`)});`,
      loader: 'js',
    }));
  },
};

/**
 * Dependencies a bundled package loads when it loads, for a feature these services never use: class-validator
 * loads libphonenumber-js's full metadata for @IsPhoneNumber, @fastify/static loads glob for its
 * `wildcard: false` mode (Swagger UI's assets use the wildcard route). ~16 ms of a start and their heap
 * (--cpu-prof). Each becomes a function that loads the real package from node_modules on its first call,
 * so the feature still works if it is ever used.
 */
const LOADED_ON_FIRST_CALL = [
  { importer: /node_modules[\\/]class-validator[\\/]/, name: 'libphonenumber-js/max', exports: ['parsePhoneNumber'] },
  { importer: /node_modules[\\/]@fastify[\\/]static[\\/]/, name: 'glob', exports: ['glob'] },
];
const loadedOnFirstCall = {
  name: 'loaded-on-first-call',
  setup(bundler) {
    for (const { importer, name } of LOADED_ON_FIRST_CALL) {
      bundler.onResolve({ filter: new RegExp(`^${name.replace(/[/.]/g, '\\$&')}$`) }, (args) => {
        // The stand-in's own require() of the package stays a run-time require from node_modules.
        if (args.namespace === 'loaded-on-first-call') return { path: name, external: true };
        return importer.test(args.importer) ? { path: name, namespace: 'loaded-on-first-call' } : undefined;
      });
    }
    bundler.onLoad({ filter: /.*/, namespace: 'loaded-on-first-call' }, (args) => {
      const { exports } = LOADED_ON_FIRST_CALL.find(({ name }) => name === args.path);
      const load = `const load = () => require(${JSON.stringify(args.path)});`;
      return {
        contents: [load, ...exports.map((name) => `exports.${name} = (...args) => load().${name}(...args);`)].join('\n'),
        loader: 'js',
      };
    });
  },
};

/**
 * V8 keeps a module's source for its lifetime, as one byte per character only if every character fits in
 * Latin-1: one letter above U+00FF (validator.js's alphabets in regular expression literals, which esbuild
 * does not escape) doubles the memory of the whole 3.5 MB bundle. Every non-ASCII UTF-16 unit becomes a
 * \uXXXX escape, which means the same in strings, identifiers and regular expressions (a surrogate pair
 * written as two escapes is one code point under /u too); an identity escape of such a character (a
 * backslash before it) becomes the plain escape.
 */
function asciiOnly(source) {
  return source.replace(/(\\*)([\u0080-\uffff])/g, (_, backslashes, char) => {
    const unit = `\\u${char.charCodeAt(0).toString(16).padStart(4, '0')}`;
    return (backslashes.length % 2 === 1 ? backslashes.slice(1) : backslashes) + unit;
  });
}

/**
 * Two edits to the minified bundle, made on its syntax tree (acorn):
 *
 * 1. Module bodies into the code cache. Node's compile cache holds V8's code for the functions compiled
 *    when the module is compiled, which is the top level only: each bundled module's body (esbuild's
 *    `var x = __commonJS((exports, module) => {…})` and `__esm(() => {…})` wrappers) is a lazy function,
 *    compiled at every start the first time it runs (~70 ms of a start, --cpu-prof). V8 compiles a
 *    function eagerly when it is wrapped in parentheses (its "PIFE" heuristic,
 *    https://v8.dev/blog/preparser), so each wrapper's function is parenthesised and lands in the cache.
 *    Measured side by side: start to /health/ready 442 -> 366 ms (median of 8), idle RSS +1.6 MiB.
 *
 * 2. No name-keeping for closures made per call. `keepNames` (which Nest, TypeORM and the logs need for
 *    classes and module-level functions) makes esbuild follow every function declaration with
 *    `__name(fn, "fn")`, an Object.defineProperty; inside a function that runs per request (Fastify's hook
 *    runner declares three closures per hook per request, pg-pool two per query) it was 2.6 % of the
 *    reader's CPU under load. Those statements are dropped for function declarations nested in other
 *    functions: such a closure's `name` becomes its minified identifier, and nothing reads it. Classes and
 *    module-level functions keep theirs.
 */
function postProcess(source) {
  const program = parse(source, { ecmaVersion: 'latest', sourceType: 'module' });
  const topLevelDeclarations = program.body
    .filter((statement) => statement.type === 'VariableDeclaration')
    .flatMap((statement) => statement.declarations);
  const edits = [];

  const moduleBodies = topLevelDeclarations
    .map((declaration) => declaration.init)
    .filter(
      (init) =>
        init?.type === 'CallExpression' &&
        init.callee.type === 'Identifier' &&
        init.arguments.length === 1 &&
        /^(Arrow)?Function/.test(init.arguments[0].type),
    )
    .map((init) => init.arguments[0]);
  for (const body of moduleBodies) edits.push({ at: body.start, text: '(' }, { at: body.end, text: ')' });

  // esbuild's helper: `var o=(r,e)=>iv(r,"name",{value:e,configurable:!0})`.
  const keepName = topLevelDeclarations.find(
    (declaration) =>
      declaration.init &&
      /^\(([\w$]+),([\w$]+)\)=>[\w$]+\(\1,"name",\{value:\2,configurable:!0\}\)$/.test(
        source.slice(declaration.init.start, declaration.init.end),
      ),
  )?.id.name;
  let namesDropped = 0;
  const visit = (node, insideFunction) => {
    if (!node || typeof node.type !== 'string') return;
    const statements = node.type === 'BlockStatement' || node.type === 'StaticBlock' ? node.body : undefined;
    if (statements && insideFunction && keepName) {
      const declared = new Set(statements.filter((s) => s.type === 'FunctionDeclaration').map((s) => s.id.name));
      for (const statement of statements) {
        const call = statement.type === 'ExpressionStatement' ? statement.expression : undefined;
        if (
          call?.type === 'CallExpression' &&
          call.callee.type === 'Identifier' &&
          call.callee.name === keepName &&
          call.arguments.length === 2 &&
          call.arguments[0].type === 'Identifier' &&
          declared.has(call.arguments[0].name) &&
          typeof call.arguments[1].value === 'string'
        ) {
          edits.push({ at: statement.start, end: statement.end, text: '' });
          namesDropped++;
        }
      }
    }
    const nested = insideFunction || /Function/.test(node.type);
    for (const key of Object.keys(node)) {
      const child = node[key];
      if (Array.isArray(child)) for (const item of child) visit(item, nested);
      else if (child && typeof child === 'object') visit(child, nested);
    }
  };
  visit(program, false);

  let result = source;
  for (const { at, end = at, text } of edits.sort((a, b) => b.at - a.at)) result = result.slice(0, at) + text + result.slice(end);
  return { source: result, moduleBodies: moduleBodies.length, namesDropped };
}

for (const service of services) {
  const outDir = join(root, 'dist', service);
  rmSync(outDir, { recursive: true, force: true });
  await build({
    entryPoints: [join(root, 'dist/apps', service, 'src/main.js')],
    outfile: join(outDir, 'service.js'),
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node22',
    // Nest, TypeORM and the logs name classes; minified identifiers would rename them.
    keepNames: true,
    minify: true,
    // ASCII only (see asciiOnly for the regular expressions esbuild leaves as they are).
    charset: 'ascii',
    legalComments: 'none',
    sourcemap: false,
    // The IAM signer is loaded on first use (only with DB_AUTH=iam) from node_modules, as before.
    external: ['@aws-sdk/*'],
    plugins: [
      noTracingSdk,
      builtinsByRequire,
      loadedOnFirstCall,
      samePeers,
      bundledPg,
      postgresOnly,
      lazyDateFormatter,
      missingStayExternal,
    ],
    // CommonJS dependencies call require() for Node's built-ins.
    banner: { js: "import { createRequire as __bundleRequire } from 'node:module'; const require = __bundleRequire(import.meta.url);" },
    logLevel: 'warning',
  });
  const bundleFile = join(outDir, 'service.js');
  const { source, moduleBodies, namesDropped } = postProcess(asciiOnly(readFileSync(bundleFile, 'utf8')));
  writeFileSync(bundleFile, source);
  if (moduleBodies < 100 || namesDropped < 100) {
    console.warn(
      `apps/bundle.mjs: ${service}: ${moduleBodies} module bodies, ${namesDropped} names edited; has esbuild's output changed shape?`,
    );
  }
  writeFileSync(
    join(outDir, 'main.js'),
    `// Generated by apps/bundle.mjs: the ${service} service's entry. The compile cache holds V8's code for the
// bundle; it is portable (keyed relative to this directory) and read-only in the image, where it was made.
//
// Tracing on (OTEL_EXPORTER_OTLP_ENDPOINT set): the tsc output runs instead of the bundle. OpenTelemetry's
// pg instrumentation patches pg as it is loaded from node_modules (require-in-the-middle and the ESM hook
// startTracing registers); inside the bundle pg is never loaded that way and its queries would have no
// spans. Tracing off, nothing of tracing is loaded and the bundle starts in a fraction of the time.
import { existsSync } from 'node:fs';
import module from 'node:module';
if (process.env.OTEL_EXPORTER_OTLP_ENDPOINT) {
  // dist/${service}/main.js in a checkout, dist/main.js beside dist/apps in the image.
  const unbundled = ['../apps/${service}/src/main.js', './apps/${service}/src/main.js'].map((path) => new URL(path, import.meta.url));
  await import(unbundled.find((url) => existsSync(url)) ?? unbundled[0]);
} else {
  module.enableCompileCache?.({ directory: new URL('./.compile-cache', import.meta.url).pathname, portable: true });
  await import('./service.js');
}
`,
  );
  // Loading the bundle once fills the compile cache (`help` prints the usage and exits).
  execFileSync(process.execPath, [join(outDir, 'main.js'), 'help'], { cwd: root, stdio: 'ignore' });
}
