// Jest globalSetup of the "compose" project (plain JavaScript, like test/support/global-setup.mjs): the run's
// PostgreSQL is docker-compose.yml's database, published on the port test/compose/stack.ts chose and wrote to
// the stack file. The services project's setup does the rest (DB_HOST: a server of the caller's).
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import setup from '../support/global-setup.mjs';

const STACK_FILE = fileURLToPath(new URL('../../.test-results/compose/stack.json', import.meta.url));

export default async function composeSetup() {
  if (!existsSync(STACK_FILE)) {
    const error = new Error(
      'the compose stack is not up; fix: run the compose project through `npm test` (scripts/test-all.mjs brings it up)',
    );
    error.stack = error.message;
    throw error;
  }
  const { db } = JSON.parse(readFileSync(STACK_FILE, 'utf8'));
  Object.assign(process.env, { DB_HOST: db.host, DB_PORT: String(db.port), DB_USER: db.user, DB_PASSWORD: db.password, DB_NAME: db.name });
  await setup();
}
