import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { readerService } from '../../apps/reader/src/reader.module.js';
import { writerService } from '../../apps/writer/src/writer.module.js';
import { createServiceApp } from '#libs/platform';
import { type Environment, environmentFor } from './database.js';

export interface RunningService {
  url: string;
  app: NestFastifyApplication;
  close: () => Promise<void>;
}

/** Starts a service in this process exactly as `serve` builds it, on a free loopback port. */
export async function startService(name: 'reader' | 'writer', database: string, overrides: Environment = {}): Promise<RunningService> {
  const spec = name === 'reader' ? readerService : writerService;
  const app = await createServiceApp(spec, environmentFor(database, overrides));
  await app.listen({ port: 0, host: '127.0.0.1' });
  const address = app.getHttpServer().address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return { url: `http://127.0.0.1:${port}`, app, close: () => app.close() };
}

export async function json(response: Response): Promise<any> {
  const text = await response.text();
  return text ? JSON.parse(text) : undefined;
}

export function postJson(url: string, body: unknown, headers: Record<string, string> = {}): Promise<Response> {
  return sendJson('POST', url, body, headers);
}

export function sendJson(method: string, url: string, body: unknown, headers: Record<string, string> = {}): Promise<Response> {
  return fetch(url, { method, headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) });
}
