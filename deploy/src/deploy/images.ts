import { ecrDigest, ecrLogin } from '../aws/ecr.js';
import type { Context } from '../context.js';
import { DockerError } from '../docker/docker.js';
import { CliError } from '../errors.js';
import { ExitCode } from '../exit-codes.js';
import { shortDigest } from '../output/format.js';
import { parseRepositoryUrl } from '../targets/schema.js';
import type { DeployInput, ImageResult, PreflightResult, ServicePlan } from './types.js';

/** The images of a plan without building anything: the ones in ECR pinned by digest, the others still to build. */
export function knownImages(pre: PreflightResult): ImageResult[] {
  return pre.plans.map((p) => {
    const digest = pre.inEcr.get(p.key) ?? null;
    return { service: p.key, image: p.imageRef, digest, pinned: digest && `${p.target.ecr_repository_url}@${digest}`, built: false };
  });
}

/**
 * Build ∥ push the images ECR does not have yet (W-4), then check that ECR holds exactly the digest docker
 * pushed under the commit tag. Throws CliError(Build) when a build or push fails.
 */
export async function buildAndPush(ctx: Context, input: DeployInput, pre: PreflightResult): Promise<ImageResult[]> {
  const images = knownImages(pre);
  const toBuild = pre.plans.filter((p) => !pre.inEcr.has(p.key));
  if (!toBuild.length) return images;
  await logIn(ctx, toBuild);
  const context = await ctx.deps.git.root().catch(() => ctx.deps.cwd);
  const built = await ctx.progress
    .parallel(
      toBuild.map((p) => ({
        title: `Build and push ${p.key} :${pre.imageTag.slice(0, 12)}`,
        run: (step) => buildOne(ctx, input, p, pre.imageTag, context, step),
      })),
    )
    .catch((err: unknown) => {
      throw err instanceof DockerError ? dockerFailure(err) : err;
    });
  return images.map((i) => built.find((b) => b.service === i.service) ?? i);
}

async function buildOne(
  ctx: Context,
  input: DeployInput,
  p: ServicePlan,
  imageTag: string,
  context: string,
  step: import('../output/progress.js').Step,
): Promise<ImageResult> {
  const { docker } = ctx.deps;
  step.update(`docker buildx build --platform ${p.platform} --build-arg APP=${p.key}`);
  const onLine = (l: string) => step.update(l.slice(0, 160));
  await docker.build({ app: p.key, image: p.imageRef, platform: p.platform, context, dockerfile: input.dockerfile, onLine });
  step.update(`docker push ${p.imageRef}`);
  await docker.push(p.imageRef, onLine);
  const local = await docker.repoDigest(p.imageRef);
  const localDigest = local.slice(local.indexOf('@') + 1);
  const remote = await ecrDigest(ctx.aws.ecr, p.target.ecr_repository_url, imageTag);
  if (!remote) {
    throw new CliError(
      `pushed ${p.imageRef} but ECR does not list the tag`,
      ExitCode.Build,
      `check that services.${p.key}.ecr_repository_url names the registry docker pushed to (account, region, AWS_ENDPOINT_URL), then deploy again; a tag already in ECR is not pushed twice`,
    );
  }
  if (remote !== localDigest) {
    throw new CliError(
      `ECR has ${p.imageRef} with digest ${remote}, but the pushed image is ${localDigest}`,
      ExitCode.Build,
      'tags are immutable and name a commit: someone pushed a different image under this tag; investigate before deploying',
    );
  }
  step.update(`pushed ${shortDigest(remote)}`);
  return { service: p.key, image: p.imageRef, digest: remote, pinned: `${p.target.ecr_repository_url}@${remote}`, built: true };
}

export interface CollectorMirror {
  /** This account's image the task definitions pull: <repository_url>:<tag>. */
  image: string;
  source: string;
  /** Pushed by this run (false: ECR already had the tag). */
  mirrored: boolean;
}

/**
 * The tracing collector's image in this stack's own repository (Terraform output `otel_collector`): when
 * DescribeImages says the tag is missing, docker pull the pinned upstream image for the tasks' platform, tag it
 * and push it, before anything rolls out. Prod tasks have no route to public.ecr.aws, and an ECR pull-through
 * cache's first pull over interface endpoints needs one (Amazon ECR User Guide, "Amazon ECR interface VPC
 * endpoints (AWS PrivateLink)", Considerations; "Sync an upstream registry with an Amazon ECR private registry"),
 * so the deploy machine, which has the internet, fills the repository once. Tags are immutable: a present tag is
 * never pushed again.
 */
export async function mirrorCollector(ctx: Context, pre: PreflightResult): Promise<CollectorMirror | undefined> {
  const c = ctx.targets.otel_collector;
  if (!c) return undefined;
  const image = `${c.repository_url}:${c.tag}`;
  if (await ecrDigest(ctx.aws.ecr, c.repository_url, c.tag)) return { image, source: c.source_image, mirrored: false };
  const platform = pre.plans[0]?.platform ?? 'linux/amd64';
  await logIn(ctx, [c.repository_url]);
  await ctx.progress
    .step(`Mirror the tracing collector ${c.source_image} → ${image}`, async (step) => {
      const onLine = (l: string) => step.update(l.slice(0, 160));
      step.update(`docker pull --platform ${platform} ${c.source_image}`);
      await ctx.deps.docker.pull(c.source_image, platform, onLine);
      await ctx.deps.docker.tag(c.source_image, image);
      step.update(`docker push ${image}`);
      await ctx.deps.docker.push(image, onLine);
      const digest = await ecrDigest(ctx.aws.ecr, c.repository_url, c.tag);
      if (!digest) {
        throw new CliError(
          `pushed ${image} but ECR does not list the tag`,
          ExitCode.Build,
          'check that otel_collector.repository_url names the registry docker pushed to (account, region), then deploy again',
        );
      }
      step.update(`mirrored ${shortDigest(digest)}`);
    })
    .catch((err: unknown) => {
      if (!(err instanceof DockerError)) throw err;
      throw new CliError(
        `mirroring the tracing collector failed: ${err.message}`,
        ExitCode.Build,
        err.step === 'pull'
          ? `this machine must reach ${c.source_image.split('/')[0]} once (docker pull ${c.source_image}); then deploy again. Nothing was rolled out`
          : 'check `docker login` to ECR and the network, then deploy again. Nothing was rolled out',
        { cause: err },
      );
    });
  return { image, source: c.source_image, mirrored: true };
}

async function logIn(ctx: Context, plans: ServicePlan[] | string[]): Promise<void> {
  const urls = plans.map((p) => (typeof p === 'string' ? p : p.target.ecr_repository_url));
  await ctx.progress.step('Log in to ECR', async (step) => {
    const { username, password } = await ecrLogin(ctx.aws.ecr);
    for (const registry of new Set(urls.map((u) => parseRepositoryUrl(u).registry))) {
      try {
        await ctx.deps.docker.login(registry, username, password);
      } catch (err) {
        throw new CliError(
          `docker login to ${registry} failed: ${(err as Error).message}`,
          ExitCode.Preflight,
          'check that docker is running',
          {
            cause: err,
          },
        );
      }
      step.update(`logged in to ${registry}`);
    }
  });
}

function dockerFailure(err: DockerError): CliError {
  const build = err.step === 'build';
  return new CliError(
    build ? `docker build failed: ${err.message}` : err.message,
    ExitCode.Build,
    build ? 'fix the build (run the same `docker buildx build` locally), then deploy again' : 'check `docker login` to ECR and the network',
    { cause: err },
  );
}
