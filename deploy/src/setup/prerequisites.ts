import { GetCallerIdentityCommand } from '@aws-sdk/client-sts';
import { DockerError } from '../docker/docker.js';
import { CliError, toCliError } from '../errors.js';
import { ExitCode } from '../exit-codes.js';
import { TerraformError } from '../targets/terraform.js';
import type { SetupContext } from './context.js';

/** The env roots need Terraform 1.11 (S3-native state locking, `use_lockfile`; terraform/envs/*\/versions.tf). */
export const MIN_TERRAFORM = [1, 11, 0] as const;

export interface Prerequisites {
  terraformVersion: string;
  account: string;
  /** Caller ARN, e.g. arn:aws:sts::123456789012:assumed-role/admin/alice */
  actor: string;
  /** aws, aws-cn, aws-us-gov: from the caller's ARN, for the ARNs init writes. */
  partition: string;
}

export function versionAtLeast(version: string, min: readonly number[]): boolean {
  const parts = version.replace(/^v/, '').split(/[.-]/).slice(0, 3).map(Number);
  for (let i = 0; i < min.length; i++) {
    const p = parts[i] ?? 0;
    if (p !== min[i]) return p > min[i]!;
  }
  return true;
}

/**
 * Everything init and destroy need before they touch anything: terraform, docker (init deploys), credentials,
 * a committed tree (init deploys the commit). Every missing one is reported, each on its own line with its fix.
 */
export async function prerequisites(
  ctx: SetupContext,
  need: { docker: boolean; cleanTree?: { allowDirty: boolean } },
): Promise<Prerequisites> {
  const problems: CliError[] = [];
  const found = await ctx.progress.step(`Prerequisites: terraform${need.docker ? ', docker' : ''}, credentials`, async (step) => {
    let terraformVersion = '';
    try {
      terraformVersion = await ctx.deps.terraform.version();
      if (!versionAtLeast(terraformVersion, MIN_TERRAFORM)) {
        problems.push(
          new CliError(
            `Terraform ${terraformVersion} is older than ${MIN_TERRAFORM.join('.')}, which the env roots require (S3-native state locking)`,
            ExitCode.Preflight,
            'upgrade Terraform (https://developer.hashicorp.com/terraform/install) and re-run',
          ),
        );
      } else step.update(`terraform ${terraformVersion}`);
    } catch (err) {
      problems.push(
        err instanceof TerraformError && err.step === 'missing'
          ? new CliError(
              'terraform is not installed (or not on PATH)',
              ExitCode.Preflight,
              `install Terraform ${MIN_TERRAFORM.join('.')} or later (https://developer.hashicorp.com/terraform/install), or set TERRAFORM_BIN`,
            )
          : new CliError(
              `terraform does not run: ${(err as Error).message}`,
              ExitCode.Preflight,
              'run `terraform version` by hand to see why',
            ),
      );
    }
    if (need.docker) {
      try {
        await ctx.deps.docker.ping();
        step.update('docker is running');
      } catch (err) {
        const missing = err instanceof DockerError && /^cannot run docker/.test(err.message);
        problems.push(
          new CliError(
            missing ? 'docker is not installed (or not on PATH)' : `docker is not running or not reachable: ${(err as Error).message}`,
            ExitCode.Preflight,
            missing
              ? 'install Docker with buildx (Docker Desktop, or Docker Engine), or set DOCKER_BIN; init builds both images for the first deploy'
              : 'start Docker Desktop (or dockerd), check `docker info`, then re-run',
          ),
        );
      }
    }
    let who: { account: string; actor: string; partition: string } | undefined;
    try {
      const res = await ctx.aws.sts.send(new GetCallerIdentityCommand({}));
      who = { account: res.Account ?? '', actor: res.Arn ?? '', partition: res.Arn?.split(':')[1] || 'aws' };
      step.update(`credentials ok: ${who.actor}`);
    } catch (err) {
      problems.push(toCliError(err));
    }
    if (need.cleanTree && !need.cleanTree.allowDirty && (await ctx.deps.git.isDirty())) {
      problems.push(
        new CliError(
          'the working tree has uncommitted changes; the first deploy tags its images with the commit',
          ExitCode.Preflight,
          'commit your changes, or pass --allow-dirty',
        ),
      );
    }
    if (problems.length) step.fail(`${problems.length} problem${problems.length > 1 ? 's' : ''}, each below with its fix`);
    return { terraformVersion, ...who! };
  });
  if (problems.length) {
    for (const p of problems.slice(0, -1)) ctx.printError(p);
    throw problems.at(-1)!;
  }
  return found;
}
