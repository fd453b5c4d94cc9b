import type { Context } from '../context.js';
import type { ServiceName } from '../targets/schema.js';

export interface SmokeResult {
  service: ServiceName;
  method: 'GET' | 'POST';
  url: string;
  ok: boolean;
  status?: number;
  detail: string;
}

/**
 * Post-rollout smoke check through the ALB (docs/http-contract.md: the ALB routes by method: GET/HEAD → reader, writes → writer).
 *
 * - reader route: `GET {app_url}/health/ready` must answer 200 (the reader is up and reaches the database).
 * - writer route: `POST {app_url}/health/ready` with an empty body. The ALB sends it to the writer; nothing
 *   writes (no /books route is touched). A 200 means the writer serves readiness on POST; the app's own JSON
 *   404 naming the path ("Cannot POST /health/ready") still proves a writer task answered through the ALB.
 *   A 5xx (the ALB's 502/503/504 included), a non-JSON body, or the ALB's own fixed 405 ("Method not
 *   allowed", no path) fails. The writer's database path is partly proven earlier by the migration gate
 *   (same image, subnets and security groups) and by its start-up DB check (its own IAM-auth login).
 */
export async function smokeCheck(
  fetchImpl: typeof fetch,
  appUrl: string,
  services: ServiceName[],
  opts: { attempts: number; delayMs: number; sleep: (ms: number) => Promise<void>; timeoutMs?: number },
): Promise<SmokeResult[]> {
  const base = appUrl.replace(/\/+$/, '');
  const check = async (service: ServiceName): Promise<SmokeResult> => {
    const method = service === 'reader' ? 'GET' : 'POST';
    const url = `${base}/health/ready`;
    let last: SmokeResult = { service, method, url, ok: false, detail: 'not tried' };
    for (let i = 1; i <= opts.attempts; i++) {
      try {
        const res = await fetchImpl(url, {
          method,
          headers: { 'user-agent': 'library-deploy-cli smoke', ...(method === 'POST' ? { 'content-length': '0' } : {}) },
          signal: AbortSignal.timeout(opts.timeoutMs ?? 5_000),
        });
        const text = await res.text();
        let body: { message?: unknown } | undefined;
        try {
          body = JSON.parse(text) as { message?: unknown };
        } catch {
          /* not JSON */
        }
        const appAnswered = res.status === 404 && typeof body?.message === 'string' && body.message.includes('/health/ready');
        const ok = res.status === 200 || (service === 'writer' && appAnswered);
        last = { service, method, url, ok, status: res.status, detail: `${res.status} ${text.slice(0, 120).replace(/\s+/g, ' ')}` };
      } catch (err) {
        last = { service, method, url, ok: false, detail: (err as Error).message };
      }
      if (last.ok) return last;
      if (i < opts.attempts) await opts.sleep(opts.delayMs);
    }
    return last;
  };
  return Promise.all(services.map(check));
}

/** The smoke check as a step of the deploy: a failure is shown on the step and returned, never thrown. */
export function smokeStep(ctx: Context, services: ServiceName[]): Promise<SmokeResult[]> {
  const { targets, deps } = ctx;
  return ctx.progress.step(`Smoke check ${targets.app_url} /health/ready`, async (step) => {
    const results = await smokeCheck(deps.fetch, targets.app_url, services, {
      attempts: 3,
      delayMs: deps.timing.pollMs,
      sleep: (ms) => deps.sleep(ms),
    });
    for (const s of results) step.log(`${s.ok ? '✔' : '✖'} ${s.service}: ${s.method} ${s.url} → ${s.detail}`);
    const bad = results.filter((s) => !s.ok);
    if (bad.length) step.fail(`${bad.map((s) => s.service).join(', ')} failed the smoke check`);
    return results;
  });
}
