import { randomUUID } from 'node:crypto';
import { type Sample, now } from '../../reliability/support/load.js';
import { RELEASE_HEADER, STAGE_HEADER } from './canary-gateway.js';

/**
 * Steady traffic through the gateway for the whole drill: `users` virtual users, each running the API's
 * life cycle of a book of its own, one request at a time, paced so the total rate stays at `ratePerSecond`
 * (a user whose request took longer than its interval goes on at once, so a slow stage lowers the rate
 * rather than piling requests up). Every request checks its status against what the contract says for that
 * step (docs/http-contract.md); anything else is a failed request, as are network errors and timeouts.
 *
 * One cycle: create (with an Idempotency-Key) → get by id → list a page → the next page with its cursor →
 * update → get → delete → get (404). Reads go to the reader, writes to the writer, each release chosen by the
 * gateway per request: so a book made by one release is read, changed and deleted by the other, and a cursor
 * from one release's page is followed on the other's.
 */

export interface DrillSample extends Sample {
  /** The status the contract says this step answers. */
  expected: number;
  /** Which release served it (the gateway's header), or '' without a response. */
  release: string;
  /** The gateway config's stage that routed it, or '' without a response. */
  routedBy: string;
}

export interface TrafficOptions {
  gateway: string;
  ratePerSecond: number;
  users: number;
  /** Hard cap on requests, whatever happens to the drill. */
  maxRequests: number;
  /** Per-request client timeout. */
  timeoutMs: number;
  /** Marks the drill's own rows (author), so they are told apart from anything else in the database. */
  runId: string;
}

export interface Traffic {
  samples: DrillSample[];
  /** Stops issuing requests and resolves when every in-flight request has finished. */
  stop(): Promise<void>;
}

interface Step {
  name: string;
  method: string;
  path: string;
  body?: unknown;
  headers?: Record<string, string>;
  expected: number;
}

const json = { 'content-type': 'application/json' };
/**
 * A new connection per request. The ALB changes weights without touching client connections, but an nginx
 * reload closes the old workers' idle keep-alive connections, and a request written at that instant is
 * reset: a failure of the stand-in, not of a release. The gateway still keeps its connections to the
 * services alive, as the ALB does to its targets.
 */
const newConnection = { connection: 'close' };

export function startTraffic(options: TrafficOptions): Traffic {
  const samples: DrillSample[] = [];
  let stopping = false;
  let issued = 0;
  const intervalMs = (1000 * options.users) / options.ratePerSecond;

  async function send(step: Step): Promise<{ sample: DrillSample; body: unknown }> {
    issued += 1;
    const startedAt = now();
    let body: unknown;
    let sample: DrillSample;
    try {
      const response = await fetch(`${options.gateway}${step.path}`, {
        method: step.method,
        headers: { ...newConnection, ...(step.body === undefined ? {} : json), ...step.headers },
        body: step.body === undefined ? undefined : JSON.stringify(step.body),
        signal: AbortSignal.timeout(options.timeoutMs),
      });
      const text = await response.text();
      body = text && response.headers.get('content-type')?.includes('json') ? JSON.parse(text) : text;
      sample = {
        name: step.name,
        startedAt,
        endedAt: now(),
        status: response.status,
        expected: step.expected,
        release: response.headers.get(RELEASE_HEADER) ?? '',
        routedBy: response.headers.get(STAGE_HEADER) ?? '',
        ...(response.status === step.expected ? {} : { error: `${step.method} ${step.path}: ${text.slice(0, 200)}` }),
      };
    } catch (error) {
      const cause = (error as Error & { cause?: { code?: string } }).cause?.code;
      sample = {
        name: step.name,
        startedAt,
        endedAt: now(),
        status: 0,
        expected: step.expected,
        release: '',
        routedBy: '',
        error: `${step.method} ${step.path}: ${(error as Error).name}${cause ? ` ${cause}` : ''}`,
      };
    }
    samples.push(sample);
    return { sample, body };
  }

  async function user(index: number): Promise<void> {
    const author = `canary-drill ${options.runId} u${index}`;
    let nextAt = now() + (intervalMs * index) / options.users; // users spread over one interval
    let cycle = 0;
    const pace = async (): Promise<boolean> => {
      const wait = nextAt - now();
      if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
      nextAt = Math.max(nextAt + intervalMs, now());
      return !stopping && issued < options.maxRequests;
    };
    /** Runs a step in pace; undefined when the drill is over or the step failed (the cycle starts again). */
    const step = async (spec: Step): Promise<{ body: unknown } | undefined> => {
      if (!(await pace())) return undefined;
      const { sample, body } = await send(spec);
      return sample.status === spec.expected ? { body } : undefined;
    };

    while (!stopping && issued < options.maxRequests) {
      cycle += 1;
      const created = await step({
        name: 'create',
        method: 'POST',
        path: '/books',
        body: { title: `Cycle ${cycle}`, author },
        headers: { 'idempotency-key': randomUUID() },
        expected: 201,
      });
      if (!created) continue;
      const id = (created.body as { id: number }).id;
      if (!(await step({ name: 'get', method: 'GET', path: `/books/${id}`, expected: 200 }))) continue;
      const page = await step({ name: 'list', method: 'GET', path: '/books?limit=2', expected: 200 });
      if (!page) continue;
      const cursor = (page.body as { nextCursor: string | null }).nextCursor;
      if (
        cursor &&
        !(await step({ name: 'list next page', method: 'GET', path: `/books?limit=2&cursor=${encodeURIComponent(cursor)}`, expected: 200 }))
      )
        continue;
      const update = { title: `Cycle ${cycle}, revised`, description: `changed by the drill in cycle ${cycle}` };
      if (!(await step({ name: 'update', method: 'PATCH', path: `/books/${id}`, body: update, expected: 200 }))) continue;
      if (!(await step({ name: 'get', method: 'GET', path: `/books/${id}`, expected: 200 }))) continue;
      if (!(await step({ name: 'delete', method: 'DELETE', path: `/books/${id}`, expected: 204 }))) continue;
      await step({ name: 'get deleted', method: 'GET', path: `/books/${id}`, expected: 404 });
    }
  }

  const running = Promise.all(Array.from({ length: options.users }, (_, index) => user(index)));
  return {
    samples,
    stop: async () => {
      stopping = true;
      await running;
    },
  };
}

export const failed = (sample: DrillSample): boolean => sample.status !== sample.expected;
