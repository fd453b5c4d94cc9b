// Runs `npm run build` (the tsc output under dist/: the one artifact the image, `npm run dev`, the bench and
// the tests run) whenever any output is missing or older than its source, so tests that start the real
// processes never run yesterday's code, whatever ran before: nothing, `npm run dev`'s watch build, an
// interrupted build, a branch switch. Every source is compared with its own output, not one entry point.
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, rmSync, statSync, utimesSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
/** Files whose change changes every output: the compiler's settings and Nest CLI's (the Swagger plugin). */
const BUILD_SETTINGS = ['tsconfig.json', 'nest-cli.json'];

/** Every TypeScript file tsc compiles (tsconfig.json: apps/ and libs/, no tests), as paths from the root. */
function sources(dir = join(root, 'apps'), found = []) {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) {
      if (entry.name !== 'test' && entry.name !== 'node_modules') sources(path, found);
    } else if (entry.name.endsWith('.ts') && !entry.name.endsWith('.d.ts') && !/\.(spec|e2e-spec)\.ts$/.test(entry.name)) {
      found.push(relative(root, path));
    }
  }
  return found;
}

const outputOf = (source) => join(root, 'dist', source.replace(/\.ts$/, '.js'));

/** The sources whose output is missing or older than the source (or than the build settings). */
export function staleSources() {
  const settingsMtime = Math.max(...BUILD_SETTINGS.map((file) => statSync(join(root, file)).mtimeMs));
  return [...sources(join(root, 'apps')), ...sources(join(root, 'libs'))].filter((source) => {
    const output = outputOf(source);
    if (!existsSync(output)) return true;
    const built = statSync(output).mtimeMs;
    return built < statSync(join(root, source)).mtimeMs || built < settingsMtime;
  });
}

export function ensureBuild({ log = (line) => process.stderr.write(`${line}\n`) } = {}) {
  const stale = staleSources();
  if (stale.length === 0) return false;
  log(`building (npm run build: ${stale.length} output(s) missing or older than their source, e.g. ${stale[0]})…`);
  // tsc's incremental state (tsconfig.json: dist/.tsbuildinfo) records what it emitted, not what is still on
  // disk: with an output deleted it would emit nothing. Without the state, tsc emits every file once more.
  if (stale.some((source) => !existsSync(outputOf(source)))) rmSync(join(root, 'dist', '.tsbuildinfo'), { force: true });
  execFileSync('npm', ['run', '--silent', 'build'], { cwd: root, stdio: ['ignore', 'inherit', 'inherit'] });
  // tsc rewrites only the files whose output changed, so an output can keep an older mtime than a source that
  // was touched (saved unchanged, checked out again) after a good build: mark them all as built now.
  const now = new Date();
  const still = staleSources();
  for (const source of still) if (existsSync(outputOf(source))) utimesSync(outputOf(source), now, now);
  const missing = still.filter((source) => !existsSync(outputOf(source)));
  if (missing.length > 0) throw new Error(`npm run build left no output for ${missing.join(', ')}`);
  return true;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  try {
    ensureBuild();
  } catch (error) {
    process.stderr.write(`ensure-build: ${error.message.split('\n')[0]} (fix: run \`npm run build\` and read its errors)\n`);
    process.exitCode = 1;
  }
}
