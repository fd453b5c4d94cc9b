import { PassThrough } from 'node:stream';
import { describe, expect, it } from '@jest/globals';
import { createProgress } from '../context.js';
import { createDefaultDeps } from '../deps.js';
import { ListrProgress } from './listr.js';
import { PlainProgress } from './plain.js';

describe('renderer selection', () => {
  const deps = (interactive: boolean) => createDefaultDeps({ interactive, stderr: new PassThrough(), stdout: new PassThrough() });
  it('listr2 task list on a TTY', () => {
    expect(createProgress(deps(true), { json: false, plain: false })).toBeInstanceOf(ListrProgress);
  });
  it('plain lines when not a TTY (CI sets interactive=false), with --plain, and with --json', () => {
    expect(createProgress(deps(false), { json: false, plain: false })).toBeInstanceOf(PlainProgress);
    expect(createProgress(deps(true), { json: false, plain: true })).toBeInstanceOf(PlainProgress);
    expect(createProgress(deps(true), { json: true, plain: false })).toBeInstanceOf(PlainProgress);
  });
  it('CI in the environment means not interactive', () => {
    expect(createDefaultDeps({ env: { CI: 'true' } }).interactive).toBe(false);
  });
});

describe('PlainProgress', () => {
  it('writes one timestamped line per event: start, updates, kept lines, skip, success, failure', async () => {
    const out = new PassThrough();
    let text = '';
    out.on('data', (c: Buffer) => (text += c.toString()));
    let t = Date.UTC(2026, 10, 27, 12, 0, 0);
    const p = new PlainProgress(out, () => new Date(t));
    await p.step('Build', async (s) => {
      s.update('layer 1');
      t += 2500;
      s.log('kept');
    });
    await p.step('Push', async (s) => s.skip('tag exists'));
    await p.step('Fail', async () => Promise.reject(new Error('boom'))).catch(() => undefined);
    expect(text.trim().split('\n')).toEqual([
      '2026-11-27T12:00:00Z ▶ Build',
      '2026-11-27T12:00:00Z   Build: layer 1',
      '2026-11-27T12:00:02Z   │ kept',
      '2026-11-27T12:00:02Z ✔ Build (2.5s)',
      '2026-11-27T12:00:02Z ▶ Push',
      '2026-11-27T12:00:02Z ↓ Push: skipped (tag exists)',
      '2026-11-27T12:00:02Z ▶ Fail',
      '2026-11-27T12:00:02Z ✖ Fail: boom',
    ]);
  });

  it('parallel steps all settle before the first error is thrown', async () => {
    const p = new PlainProgress(new PassThrough());
    let finished = false;
    await expect(
      p.parallel([
        { title: 'a', run: async () => Promise.reject(new Error('a failed')) },
        { title: 'b', run: async () => void (await new Promise((r) => setTimeout(r, 10)), (finished = true)) },
      ]),
    ).rejects.toThrow('a failed');
    expect(finished).toBe(true);
  });
});
