import { POSTGRES_SERVER_VARIABLE } from './global-setup.mjs';

/** The run's PostgreSQL server, published by test/support/global-setup.mjs to every Jest worker. */
export interface PostgresServer {
  host: string;
  port: number;
  user: string;
  password: string;
}

export function postgresServer(): PostgresServer {
  const published = process.env[POSTGRES_SERVER_VARIABLE];
  if (!published) {
    throw new Error(
      `${POSTGRES_SERVER_VARIABLE} is not set: run this file through Jest's "services" project, whose globalSetup starts PostgreSQL`,
    );
  }
  return JSON.parse(published) as PostgresServer;
}
