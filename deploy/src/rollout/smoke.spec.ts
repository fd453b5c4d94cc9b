import { afterEach, describe, expect, it } from '@jest/globals';
import { startAlb } from '../../test/harness.js';
import { smokeCheck } from './smoke.js';

let close: (() => Promise<void>) | undefined;
afterEach(async () => close?.());
const opts = { attempts: 2, delayMs: 1, sleep: async () => {} };

describe('smokeCheck (through a local ALB stand-in on 127.0.0.1)', () => {
  it('GET /health/ready for the reader route, POST for the writer route', async () => {
    const alb = await startAlb();
    close = alb.close;
    const res = await smokeCheck(fetch, `${alb.url}/`, ['reader', 'writer'], opts);
    expect(res.map((r) => [r.service, r.method, r.ok, r.status])).toEqual([
      ['reader', 'GET', true, 200],
      ['writer', 'POST', true, 404],
    ]);
    expect(alb.hits).toEqual(['GET /health/ready', 'POST /health/ready']);
  });

  it('fails on 503 from readiness and on an ALB 502 page; retries before failing', async () => {
    const alb = await startAlb({ reader: [503, '{"status":"error"}'], writer: [502, '<html>502 Bad Gateway</html>'] });
    close = alb.close;
    const res = await smokeCheck(fetch, alb.url, ['reader', 'writer'], opts);
    expect(res.every((r) => !r.ok)).toBe(true);
    expect(alb.hits).toHaveLength(4);
  });

  it.each([
    [404, 'Not found'],
    [405, '{"statusCode":405,"error":"Method Not Allowed","message":"Method not allowed"}'],
  ])('an answer that is not the writer app (%i %s, e.g. the ALB default action) fails the writer route', async (status, body) => {
    const alb = await startAlb({ writer: [status, body] });
    close = alb.close;
    const [w] = await smokeCheck(fetch, alb.url, ['writer'], opts);
    expect(w!.ok).toBe(false);
  });

  it('an unreachable URL fails with the network error', async () => {
    const [r] = await smokeCheck(fetch, 'http://127.0.0.1:1', ['reader'], { ...opts, attempts: 1 });
    expect(r!.ok).toBe(false);
    expect(r!.detail).toMatch(/fetch failed|ECONNREFUSED/);
  });
});
