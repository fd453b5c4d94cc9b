import { existsSync, readdirSync } from 'node:fs';
import { join, relative } from 'node:path';
import { createProgress, outputs, type BaseContext, type CommonOptions } from '../context.js';
import type { Deps } from '../deps.js';
import { CliError } from '../errors.js';
import { ExitCode } from '../exit-codes.js';
import { readEnvConfig, type EnvConfig } from './env-config.js';

/**
 * The context of `init` and `destroy`: they run before Terraform has outputs (or to remove them), so the env's
 * own Terraform files say where it lives, not `terraform output`.
 */
export interface SetupContext extends BaseContext {
  env: string;
  /** Repository root. */
  root: string;
  config: EnvConfig;
  region: string;
  /** A path relative to the repository root, for messages. */
  rel(path: string): string;
}

/** The setup context opener for one command (its name appears in the errors it raises). */
export const openSetupContextFor =
  (command: string) =>
  (deps: Deps, common: CommonOptions): Promise<SetupContext> =>
    openSetupContext(deps, common, command);

export async function openSetupContext(deps: Deps, common: CommonOptions, command: string): Promise<SetupContext> {
  if (common.targets || deps.env.DEPLOY_TARGETS || deps.env.DEPLOY_TARGETS_JSON) {
    throw new CliError(
      `${command} works from the env's Terraform root, not from saved outputs (--targets, DEPLOY_TARGETS)`,
      ExitCode.Usage,
      `run \`npm run deploy -- ${command} --env <env>\` without them`,
    );
  }
  const root = await deps.git.root().catch(() => deps.cwd);
  const envs = existsSync(join(root, 'terraform', 'envs')) ? readdirSync(join(root, 'terraform', 'envs')).sort() : [];
  if (!common.env || !envs.includes(common.env)) {
    throw new CliError(
      common.env ? `there is no Terraform root for env "${common.env}" (terraform/envs/${common.env})` : `${command} needs --env <env>`,
      ExitCode.Usage,
      `name one of: ${envs.join(', ') || '(none found under terraform/envs)'}, e.g. \`npm run deploy -- ${command} --env dev\``,
    );
  }
  const config = readEnvConfig(root, common.env, deps.env);
  if (common.region && config.region && common.region !== config.region) {
    throw new CliError(
      `--region ${common.region}, but Terraform deploys env ${common.env} to ${config.region} (${config.regionFrom})`,
      ExitCode.Usage,
      `drop --region, or set aws_region = "${common.region}" in terraform/envs/${common.env}/terraform.tfvars`,
    );
  }
  const region = common.region ?? config.region ?? deps.env.AWS_REGION;
  if (!region) {
    throw new CliError(
      `no region for env ${common.env}: terraform/envs/${common.env} sets no aws_region`,
      ExitCode.Usage,
      `set aws_region in terraform/envs/${common.env}/terraform.tfvars`,
    );
  }
  const progress = createProgress(deps, common);
  if (deps.env.AWS_REGION && deps.env.AWS_REGION !== region) {
    progress.note(`note: AWS_REGION=${deps.env.AWS_REGION} but Terraform deploys ${common.env} to ${region}; using ${region}`);
  }
  return {
    deps,
    common,
    env: common.env,
    root,
    config,
    region,
    aws: deps.createAws(region),
    progress,
    rel: (path) => relative(root, path) || '.',
    ...outputs(deps),
  };
}
