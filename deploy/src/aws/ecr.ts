import { DescribeImagesCommand, GetAuthorizationTokenCommand, type ECRClient } from '@aws-sdk/client-ecr';
import { CliError } from '../errors.js';
import { ExitCode } from '../exit-codes.js';
import { parseRepositoryUrl } from '../targets/schema.js';

/** The digest ECR holds under `repositoryUrl:tag`, or undefined when the tag is not there. */
export async function ecrDigest(ecr: ECRClient, repositoryUrl: string, tag: string): Promise<string | undefined> {
  const repo = parseRepositoryUrl(repositoryUrl);
  try {
    const res = await ecr.send(
      new DescribeImagesCommand({
        repositoryName: repo.repositoryName,
        registryId: repo.registryId || undefined,
        imageIds: [{ imageTag: tag }],
      }),
    );
    return res.imageDetails?.[0]?.imageDigest;
  } catch (err) {
    // DescribeImages with an imageIds entry that matches nothing fails with ImageNotFoundException (ECR API reference).
    if ((err as { name?: string }).name === 'ImageNotFoundException') return undefined;
    throw err;
  }
}

/**
 * Credentials for `docker login`: GetAuthorizationToken returns base64 of `AWS:<password>`, valid for 12 hours
 * and for every registry the caller may reach (ECR API reference, GetAuthorizationToken).
 */
export async function ecrLogin(ecr: ECRClient): Promise<{ username: string; password: string }> {
  const res = await ecr.send(new GetAuthorizationTokenCommand({}));
  const token = res.authorizationData?.[0]?.authorizationToken;
  if (!token) {
    throw new CliError(
      'ECR returned no authorization token',
      ExitCode.Preflight,
      'check ecr:GetAuthorizationToken for the deploy role, then re-run',
    );
  }
  const decoded = Buffer.from(token, 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  return { username: decoded.slice(0, colon) || 'AWS', password: decoded.slice(colon + 1) };
}
