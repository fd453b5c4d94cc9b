// `npm run dev`: the whole stack on this machine without Docker.
//   embedded PostgreSQL (data in .data/postgres) → build → migrate → reader on 8000 and writer on 8001,
//   both restarted on every source change. With DB_HOST set, that database is used instead.
// `npm run seed` (or `npm run dev -- --seed`): load sample books.
import './require-node.mjs';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import net from 'node:net';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { startEmbeddedPostgres } from './embedded-postgres.mjs';
import { ensureBuild } from './ensure-build.mjs';
import { sampleBooks } from './sample-books.mjs';

const root = fileURLToPath(new URL('..', import.meta.url));
const seedOnly = process.argv.includes('--seed-only');
const seed = seedOnly || process.argv.includes('--seed');
const DEV_DB_PORT = Number(process.env.DEV_DB_PORT ?? 54320);
const children = [];
let embedded;

const say = (line) => process.stdout.write(`[dev] ${line}\n`);

function portOpen(port) {
  return new Promise((resolve) => {
    const socket = net.connect(port, '127.0.0.1');
    socket.once('connect', () => (socket.destroy(), resolve(true)));
    socket.once('error', () => resolve(false));
  });
}

async function database() {
  if (process.env.DB_HOST) {
    say(`using PostgreSQL at ${process.env.DB_HOST}:${process.env.DB_PORT ?? 5432} (DB_HOST is set)`);
    return {};
  }
  const settings = {
    DB_HOST: '127.0.0.1',
    DB_PORT: String(DEV_DB_PORT),
    DB_USER: 'postgres',
    DB_PASSWORD: 'password',
    DB_NAME: process.env.DB_NAME ?? 'library_db',
  };
  if (await portOpen(DEV_DB_PORT)) {
    say(`using the embedded PostgreSQL already running on 127.0.0.1:${DEV_DB_PORT}`);
    return settings;
  }
  say(`starting embedded PostgreSQL on 127.0.0.1:${DEV_DB_PORT} (data in .data/postgres)…`);
  embedded = await startEmbeddedPostgres({ dataDir: `${root}.data/postgres`, port: DEV_DB_PORT });
  await embedded.createDatabase(settings.DB_NAME);
  return settings;
}

async function seedBooks(env) {
  const client = new pg.Client({
    host: env.DB_HOST,
    port: Number(env.DB_PORT ?? 5432),
    user: env.DB_USER ?? 'postgres',
    password: env.DB_PASSWORD,
    database: env.DB_NAME ?? 'library_db',
  });
  await client.connect();
  let added = 0;
  for (const book of sampleBooks) {
    const { rowCount } = await client.query(
      'INSERT INTO books (title, author, description, isbn) VALUES ($1, $2, $3, $4) ON CONFLICT (isbn) DO NOTHING',
      [book.title, book.author, book.description, book.isbn],
    );
    added += rowCount;
  }
  await client.end();
  say(`seeded ${added} sample books (${sampleBooks.length - added} were already there)`);
}

function shutdown(code = 0) {
  for (const child of children) child.kill('SIGTERM');
  const stopDb = embedded ? embedded.stop() : Promise.resolve();
  stopDb.finally(() => process.exit(code));
}
process.on('SIGINT', () => shutdown(0));
process.on('SIGTERM', () => shutdown(0));

try {
  const dbEnv = await database();
  const env = { ...process.env, ...dbEnv };
  ensureBuild({ log: say });
  const migrate = spawnSync(process.execPath, ['dist/apps/writer/src/main.js', 'migrate'], { cwd: root, env, stdio: 'inherit' });
  if (migrate.status !== 0) throw new Error('migrations failed (see above)');
  if (seed) await seedBooks(env);
  if (seedOnly) shutdown(0);
  else {
    // One compiler in watch mode (both apps share the tsconfig), one node --watch per service.
    children.push(
      spawn('npx', ['nest', 'build', 'reader', '--watch', '--preserveWatchOutput'], { cwd: root, stdio: ['ignore', 'ignore', 'inherit'] }),
    );
    for (const [name, port] of [
      ['reader', 8000],
      ['writer', 8001],
    ]) {
      const entry = `dist/apps/${name}/src/main.js`;
      if (!existsSync(`${root}${entry}`)) throw new Error(`${entry} is missing after the build`);
      children.push(
        spawn(process.execPath, ['--watch', entry], {
          cwd: root,
          env: { PORT: String(port), LOG_LEVEL: 'info', ...env },
          stdio: 'inherit',
        }),
      );
    }
    say('reader  http://localhost:8000/books   docs http://localhost:8000/docs');
    say('writer  http://localhost:8001/books   docs http://localhost:8001/docs');
    say('Ctrl-C stops everything.');
  }
} catch (error) {
  process.stderr.write(`[dev] ${error.message}\n`);
  shutdown(1);
}
