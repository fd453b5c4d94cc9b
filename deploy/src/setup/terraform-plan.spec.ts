import { describe, expect, it } from '@jest/globals';
import { CliError } from '../errors.js';
import { terraformErrorLine } from '../targets/terraform.js';
import { versionAtLeast } from './prerequisites.js';
import { deletions, planLine, summarisePlan, type PlanDocument } from './terraform-plan.js';

const rc = (address: string, actions: string[], mode: 'managed' | 'data' = 'managed') => ({
  address,
  mode,
  type: 'aws_x',
  change: { actions },
});

describe('summarisePlan (counts as Terraform’s "Plan:" line does)', () => {
  it('a replacement is one add and one destroy either way round; no-op and data reads are not changes', () => {
    const doc: PlanDocument = {
      format_version: '1.2',
      resource_changes: [
        rc('a', ['create']),
        rc('b', ['update']),
        rc('c', ['delete']),
        rc('d', ['delete', 'create']),
        rc('e', ['create', 'delete']),
        rc('f', ['no-op']),
        rc('data.g', ['read'], 'data'),
        rc('h', ['forget']),
      ],
    };
    const s = summarisePlan(doc);
    expect(s).toMatchObject({ add: 3, change: 1, destroy: 3, forget: 1, destroyed: ['c'], replaced: ['d', 'e'], changed: true });
    expect(planLine(s)).toBe('Plan: 3 to add, 1 to change, 3 to destroy, 1 to forget.');
    expect(deletions(doc).map((r) => r.address)).toEqual(['c', 'd', 'e']);
  });

  it('only no-ops is "no changes"; a changed output alone is still something to apply', () => {
    expect(
      summarisePlan({ format_version: '1.2', resource_changes: [rc('a', ['no-op'])], output_changes: { x: { actions: ['no-op'] } } })
        .changed,
    ).toBe(false);
    expect(summarisePlan({ format_version: '1.2', resource_changes: [], output_changes: { x: { actions: ['update'] } } }).changed).toBe(
      true,
    );
  });

  it('refuses a plan format it does not know (major 2)', () => {
    expect(() => summarisePlan({ format_version: '2.0' })).toThrow(CliError);
  });
});

describe('terraformErrorLine', () => {
  it('takes the first Error line out of Terraform’s box, with its first detail line when short', () => {
    const box = '╷\n│ Error: Backend configuration changed\n│ \n│ A change in the backend configuration has been detected.\n╵\n';
    expect(terraformErrorLine(box, 1)).toBe(
      'Error: Backend configuration changed (A change in the backend configuration has been detected.)',
    );
    const long = `╷\n│ Error: creating RDS DB Instance (x): ${'y'.repeat(90)}\n│ \n│   with module.stack.module.database.aws_db_instance.this,\n╵\n`;
    expect(terraformErrorLine(long, 1)).toBe(`Error: creating RDS DB Instance (x): ${'y'.repeat(90)}`);
    expect(terraformErrorLine('', 3)).toBe('terraform exited 3');
  });
});

describe('versionAtLeast', () => {
  it.each([
    ['1.11.0', true],
    ['1.11.4', true],
    ['1.12.0-beta1', true],
    ['2.0.0', true],
    ['1.10.5', false],
    ['1.9.8', false],
    ['v1.11.0', true],
  ])('%s ≥ 1.11.0: %s', (v, ok) => expect(versionAtLeast(v, [1, 11, 0])).toBe(ok));
});
