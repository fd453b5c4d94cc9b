import type { SetupContext } from '../setup/context.js';
import { CliError } from '../errors.js';
import { ExitCode } from '../exit-codes.js';
import { confirm } from '../output/prompt.js';
import { backendPath, completeBackend, readBackend, terraformInit } from '../setup/backend.js';
import { prerequisites } from '../setup/prerequisites.js';
import { clearBlockers, inspectTeardown, teardownLines } from '../setup/teardown.js';
import { applyPlan, makePlan, planLine } from '../setup/terraform-plan.js';

export interface DestroyInput {
  /** The explicit flag production needs, together with --yes. */
  destroyProduction: boolean;
}

/**
 * `destroy --env <env>`: plan -destroy, say exactly what goes (resources, images, the database and its final
 * snapshot), confirm, clear what AWS would refuse (images in a repository that is not force_delete, deletion
 * protection), apply the destroy plan. The state bucket stays: deploy never deletes it.
 */
export async function destroyAction(input: DestroyInput, ctx: SetupContext): Promise<ExitCode> {
  const { config, env } = ctx;
  // Production: refused before anything is read, unless both the explicit flag and --yes are given.
  if (config.production && !(input.destroyProduction && ctx.common.yes)) {
    throw new CliError(
      `refusing to destroy ${env}: it is production (terraform/envs/${env}/main.tf)`,
      ExitCode.Usage,
      `if you really mean to delete production, pass --destroy-production --yes (its database keeps a final snapshot)`,
    );
  }
  const pre = await prerequisites(ctx, { docker: false });
  const existing = await readBackend(ctx);
  if (!existing) {
    throw new CliError(
      `${ctx.rel(backendPath(ctx))} does not exist: there is no state of env ${env} to destroy from here`,
      ExitCode.Preflight,
      `if init set it up elsewhere, run destroy there; \`npm run deploy -- init --env ${env}\` writes the file`,
    );
  }
  const backend = completeBackend(ctx, existing);
  const kept = `the state bucket s3://${backend.bucket} and ${ctx.rel(backendPath(ctx))} (deploy never deletes them)`;
  await terraformInit(ctx, backend);

  const plan = await makePlan(ctx, { destroy: true });
  try {
    if (!plan.summary.destroy) {
      ctx.progress.note(`nothing to destroy: the state of ${env} holds no resources`);
      if (ctx.common.json)
        ctx.json({ command: 'destroy', env, exitCode: ExitCode.Ok, destroyed: 0, kept: { stateBucket: backend.bucket } });
      else ctx.print(`NOTHING TO DESTROY — env ${env} (exit 0)\nkept: ${kept}`);
      return ExitCode.Ok;
    }
    const teardown = await inspectTeardown(ctx, plan.doc);
    const lines = [
      `Destroy env ${env}: account ${pre.account}, ${ctx.region} (as ${pre.actor})`,
      `  ${plan.summary.destroy} resources (terraform plan -destroy: ${planLine(plan.summary)})`,
      ...teardownLines(teardown).map((l) => `  ${l}`),
      `  kept: ${kept}`,
    ];
    ctx.deps.stderr.write(`${lines.join('\n')}\n`);
    await confirm(ctx, `Destroy ${env} (${plan.summary.destroy} resources in account ${pre.account})?`, {
      nonInteractiveHint: 'pass --yes to destroy without a prompt',
    });
    const cleared = await clearBlockers(ctx, teardown);
    await applyPlan(
      ctx,
      plan,
      'terraform destroy',
      `what could not be deleted is still in the state; fix the cause above and run \`npm run deploy -- destroy --env ${env}\` again${
        cleared.length ? ` (already done: ${cleared.join('; ')})` : ''
      }`,
    );
    const snapshots = teardown.databases.flatMap((d) => (d.finalSnapshot ? [d.finalSnapshot] : []));
    if (ctx.common.json) {
      ctx.json({
        command: 'destroy',
        env,
        account: pre.account,
        region: ctx.region,
        exitCode: ExitCode.Ok,
        destroyed: plan.summary.destroy,
        cleared,
        finalSnapshots: snapshots,
        kept: { stateBucket: backend.bucket },
      });
    } else {
      ctx.print(
        [
          `DESTROYED — env ${env}, ${plan.summary.destroy} resources (exit 0)`,
          ...cleared.map((c) => `first: ${c}`),
          ...snapshots.map((s) => `final snapshot kept: ${s}`),
          `kept: ${kept}; \`npm run deploy -- init --env ${env}\` builds the env again`,
        ].join('\n'),
      );
    }
    return ExitCode.Ok;
  } finally {
    await plan.discard();
  }
}
