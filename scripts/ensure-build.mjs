// Builds dist/ when it is missing or older than any TypeScript source, so tests that start the real
// processes (as the container does) never run yesterday's code.
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, statSync, utimesSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const entries = ['dist/apps/reader/src/main.js', 'dist/apps/writer/src/main.js'].map((path) => join(root, path));

function newestMtime(dir) {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) newest = Math.max(newest, newestMtime(path));
    else if (entry.name.endsWith('.ts') && !entry.name.endsWith('.spec.ts')) newest = Math.max(newest, statSync(path).mtimeMs);
  }
  return newest;
}

export function ensureBuild({ log = (line) => process.stderr.write(`${line}\n`) } = {}) {
  const built = entries.every(existsSync) ? Math.min(...entries.map((path) => statSync(path).mtimeMs)) : 0;
  const sources = Math.max(newestMtime(join(root, 'apps')), newestMtime(join(root, 'libs')), statSync(join(root, 'nest-cli.json')).mtimeMs);
  if (built >= sources) return false;
  log('building reader and writer (dist/ is missing or older than the sources)…');
  execFileSync('npx', ['nest', 'build', 'reader', 'writer'], { cwd: root, stdio: ['ignore', 'inherit', 'inherit'] });
  // tsc rewrites only the files that changed, so an entry point can keep an old mtime after a good build.
  const now = new Date();
  for (const entry of entries) utimesSync(entry, now, now);
  return true;
}

if (import.meta.url === `file://${process.argv[1]}`) ensureBuild();
