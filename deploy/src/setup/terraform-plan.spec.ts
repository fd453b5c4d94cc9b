import { describe, expect, it } from '@jest/globals';
import { CliError } from '../errors.js';
import { terraformErrorLine } from '../targets/terraform.js';
import { versionAtLeast } from './prerequisites.js';
import { deletions, planHazards, planLine, summarisePlan, type PlanDocument, type ResourceChange } from './terraform-plan.js';

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

describe('planHazards (issue 23: what init refuses to apply silently)', () => {
  const svc = 'module.stack.module.service["reader"].aws_ecs_service.this';
  const change = (address: string, type: string, actions: string[], extra: Partial<ResourceChange> = {}): ResourceChange => ({
    address,
    mode: 'managed',
    type,
    change: { actions },
    ...extra,
  });

  it('a replaced ECS service is named with the arguments that force it', () => {
    const hazards = planHazards({
      format_version: '1.2',
      resource_changes: [
        change(svc, 'aws_ecs_service', ['delete', 'create'], { replace_paths: [['launch_type'], ['capacity_provider_strategy']] }),
      ],
    });
    expect(hazards).toHaveLength(1);
    expect(hazards[0]!.cause).toBe(
      `terraform plan replaces ${svc} (launch_type, capacity_provider_strategy cannot change in place): the new service would start on Terraform's revision, image tag bootstrap, never pushed — an outage until the next deploy`,
    );
    expect(hazards[0]!.fix).toContain('--replace-services');
  });

  it('a service moving between the rolling and the progressive address names the state mv that keeps it', () => {
    const rolling = 'module.stack.module.service["reader"].aws_ecs_service.this[0]';
    const progressive = 'module.stack.module.service["reader"].aws_ecs_service.progressive[0]';
    const hazards = planHazards({
      format_version: '1.2',
      resource_changes: [
        change(rolling, 'aws_ecs_service', ['delete']),
        change(progressive, 'aws_ecs_service', ['create']),
        change('module.stack.module.service["writer"].aws_ecs_service.this[0]', 'aws_ecs_service', ['update']),
      ],
    });
    expect(hazards).toHaveLength(1);
    expect(hazards[0]!.address).toBe(rolling);
    expect(hazards[0]!.fix).toBe(`move the state first: terraform state mv '${rolling}' '${progressive}' (in the env folder), then re-run`);
    // A service deleted with nothing created beside it (a destroy-like change) is reported by the plan summary, not here.
    expect(planHazards({ format_version: '1.2', resource_changes: [change(rolling, 'aws_ecs_service', ['delete'])] })).toEqual([]);
  });

  it('an updated or newly created service is no hazard (the first init creates it on purpose)', () => {
    expect(
      planHazards({
        format_version: '1.2',
        resource_changes: [
          change(svc, 'aws_ecs_service', ['update']),
          change(svc.replace('reader', 'writer'), 'aws_ecs_service', ['create']),
        ],
      }),
    ).toEqual([]);
  });

  const db = 'module.stack.module.database.aws_db_instance.this';
  const version = 'module.stack.module.database.aws_secretsmanager_secret_version.master';
  it('a secret version replaced while the instance is sent no password is refused', () => {
    const hazards = planHazards({
      format_version: '1.2',
      resource_changes: [
        change(version, 'aws_secretsmanager_secret_version', ['delete', 'create']),
        change(db, 'aws_db_instance', ['no-op'], {
          change: { actions: ['no-op'], before: { password_wo_version: 42 }, after: { password_wo_version: 42 } },
        }),
      ],
    });
    expect(hazards.map((h) => h.address)).toEqual([version]);
    expect(hazards[0]!.cause).toContain('the secret would hold a password RDS never received');
  });

  it('a new secret version together with a new password generation, or a new instance, is fine', () => {
    const withDb = (dbChange: ResourceChange['change']) =>
      planHazards({
        format_version: '1.2',
        resource_changes: [
          change(version, 'aws_secretsmanager_secret_version', ['delete', 'create']),
          { ...change(db, 'aws_db_instance', []), change: dbChange },
        ],
      });
    expect(
      withDb({ actions: ['update'], before: { password_wo_version: 1 }, after: {}, after_unknown: { password_wo_version: true } }),
    ).toEqual([]);
    expect(withDb({ actions: ['update'], before: { password_wo_version: 1 }, after: { password_wo_version: 2 } })).toEqual([]);
    expect(withDb({ actions: ['create'], before: null, after: {} })).toEqual([]);
  });
});
