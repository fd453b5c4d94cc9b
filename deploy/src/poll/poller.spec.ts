import { describe, expect, it, jest } from '@jest/globals';
import { poll, PollAbortedError, PollTimeoutError, type Tick } from './poller.js';

function fakeClock() {
  const c = { now: 0, sleeps: [] as number[] };
  return {
    c,
    now: () => c.now,
    sleep: async (ms: number, signal?: AbortSignal) => {
      if (signal?.aborted) throw new PollAbortedError('aborted');
      c.sleeps.push(ms);
      c.now += ms;
    },
  };
}

describe('poll', () => {
  it('returns the value of the first done tick', async () => {
    const clock = fakeClock();
    let n = 0;
    const v = await poll(async () => (++n === 3 ? { done: true, value: 'ok' } : { done: false }), {
      intervalMs: 100,
      maxIntervalMs: 1000,
      deadline: 10_000,
      ...clock,
    });
    expect(v).toBe('ok');
    expect(n).toBe(3);
  });

  it('backs off while nothing moves, up to the ceiling, and resets when something moved', async () => {
    const clock = fakeClock();
    const script: Tick<string>[] = [
      { done: false },
      { done: false },
      { done: false },
      { done: false },
      { done: false, progressed: true },
      { done: false },
      { done: true, value: 'x' },
    ];
    await poll(async () => script.shift()!, { intervalMs: 100, maxIntervalMs: 300, backoff: 2, deadline: 100_000, ...clock });
    expect(clock.c.sleeps).toEqual([200, 300, 300, 300, 100, 200]);
  });

  it('throws PollTimeoutError at the deadline, after one last look', async () => {
    const clock = fakeClock();
    const tick = jest.fn(async (): Promise<Tick<string>> => ({ done: false }));
    await expect(poll(tick, { intervalMs: 1000, maxIntervalMs: 1000, deadline: 3500, ...clock })).rejects.toBeInstanceOf(PollTimeoutError);
    expect(clock.c.now).toBe(3500); // never sleeps past the deadline
    expect(tick).toHaveBeenCalledTimes(5); // 0s, 1s, 2s, 3s, and the last look at 3.5s
  });

  it('a tick that completes exactly at the deadline is not a timeout', async () => {
    const clock = fakeClock();
    let n = 0;
    const v = await poll(async () => (++n === 3 ? { done: true, value: 'in time' } : { done: false }), {
      intervalMs: 1000,
      maxIntervalMs: 1000,
      deadline: 2000,
      ...clock,
    });
    expect(v).toBe('in time');
  });

  it('keeps polling through throttling, with backoff, and reports it', async () => {
    const clock = fakeClock();
    const seen: string[] = [];
    let n = 0;
    const v = await poll(
      async () => {
        n++;
        if (n <= 2) throw Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException' });
        return { done: true, value: n };
      },
      {
        intervalMs: 100,
        maxIntervalMs: 1000,
        backoff: 2,
        deadline: 10_000,
        onTransientError: (e) => seen.push((e as Error).name),
        ...clock,
      },
    );
    expect(v).toBe(3);
    expect(seen).toEqual(['ThrottlingException', 'ThrottlingException']);
    expect(clock.c.sleeps).toEqual([200, 400]);
  });

  it('rethrows errors that are not transient', async () => {
    const clock = fakeClock();
    await expect(
      poll(
        async () => {
          throw Object.assign(new Error('nope'), { name: 'AccessDeniedException' });
        },
        { intervalMs: 1, maxIntervalMs: 1, deadline: 100, ...clock },
      ),
    ).rejects.toThrow('nope');
  });

  it('stops when aborted', async () => {
    const ac = new AbortController();
    const clock = fakeClock();
    let n = 0;
    const p = poll(
      async () => {
        if (++n === 2) ac.abort();
        return { done: false };
      },
      { intervalMs: 10, maxIntervalMs: 10, deadline: 10_000, signal: ac.signal, ...clock },
    );
    await expect(p).rejects.toBeInstanceOf(PollAbortedError);
  });

  it('the real sleep honours abort', async () => {
    const { sleep } = await import('./poller.js');
    const ac = new AbortController();
    const p = sleep(60_000, ac.signal);
    ac.abort();
    await expect(p).rejects.toBeInstanceOf(PollAbortedError);
  });
});
