// Imported first by `npm run dev` and `npm test`: on a Node older than package.json "engines" they stop at
// once with one line saying what to install, instead of failing later on a flag or syntax that Node lacks.
import { readFileSync } from 'node:fs';

const { engines } = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'));
const [needMajor, needMinor] = /(\d+)\.(\d+)/.exec(engines.node).slice(1).map(Number);
const [major, minor] = process.versions.node.split('.').map(Number);
if (major < needMajor || (major === needMajor && minor < needMinor)) {
  const wanted = readFileSync(new URL('../.nvmrc', import.meta.url), 'utf8').trim();
  process.stderr.write(
    `Node ${process.versions.node} is too old: this project needs Node ${engines.node} (Node ${wanted} LTS recommended, as in .nvmrc: \`nvm install\`).\n`,
  );
  process.exit(1);
}
