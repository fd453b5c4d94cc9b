import { Database } from '#libs/persistence';
import { describe, expect, it } from '@jest/globals';
import { type RunningService, servicesOnMigratedDatabase } from '../support/services.js';

const stack = servicesOnMigratedDatabase('settings', ['reader', 'writer'], { DB_STATEMENT_TIMEOUT_MS: '1500' });

const setting = async (service: RunningService, name: string): Promise<string> =>
  (await service.app.get(Database).pool.query<{ value: string }>(`SELECT current_setting($1) AS value`, [name])).rows[0]!.value;

describe('database session settings', () => {
  it('bounds statements and idle transactions on both services', async () => {
    for (const service of [stack.reader, stack.writer]) {
      expect(await setting(service, 'statement_timeout')).toBe('1500ms');
      expect(await setting(service, 'idle_in_transaction_session_timeout')).toBe('10s');
    }
  });

  it('makes only the reader read-only', async () => {
    expect(await setting(stack.reader, 'default_transaction_read_only')).toBe('on');
    expect(await setting(stack.writer, 'default_transaction_read_only')).toBe('off');
  });

  it('cancels a statement that outlives statement_timeout', async () => {
    const started = performance.now();
    await expect(stack.writer.app.get(Database).pool.query('SELECT pg_sleep(5)')).rejects.toThrow(/statement timeout/);
    expect(performance.now() - started).toBeLessThan(4000);
  });
});
