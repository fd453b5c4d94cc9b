import { bucketSettings, createBucket, probeBucket, type BucketSetting } from '../aws/state-bucket.js';
import { CliError, toCliError } from '../errors.js';
import { ExitCode } from '../exit-codes.js';
import { backendPath } from './backend.js';
import type { SetupContext } from './context.js';

export interface StateBucketResult {
  bucket: string;
  region: string;
  created: boolean;
  /** Settings put now: all of them on a new bucket, the missing ones on an existing one. */
  fixed: string[];
  /** Settings that were already in place. */
  inPlace: string[];
}

/**
 * The state bucket, created if missing with every setting; on an existing bucket of ours each setting is checked
 * and only the missing ones are put (and named). Never deleted by the CLI.
 */
export function ensureStateBucket(
  ctx: SetupContext,
  want: { bucket: string; region: string; account: string; partition: string },
): Promise<StateBucketResult> {
  return ctx.progress.step(`State bucket s3://${want.bucket}`, async (step) => {
    // The bucket may live in another region than the stack (a backend.hcl a person wrote): its own client.
    const s3 = want.region === ctx.region ? ctx.aws.s3 : ctx.deps.createAws(want.region).s3;
    const hint = ctx.rel(backendPath(ctx));
    const found = await probeBucket(s3, want.bucket, want.account, hint);
    let created = false;
    if (!found.exists) {
      created = (await createBucket(s3, want.bucket, want.region, want.account, hint)) === 'created';
      step.update(created ? `created in ${want.region}` : 'already ours (created by an earlier run)');
    }
    const result: StateBucketResult = { bucket: want.bucket, region: want.region, created, fixed: [], inPlace: [] };
    for (const setting of bucketSettings(s3, want.bucket, want.account, want.partition)) {
      // A new bucket gets every setting said explicitly, whatever S3's defaults are today.
      if (!created && (await named(setting, 'read', () => setting.inPlace()))) {
        result.inPlace.push(setting.name);
        continue;
      }
      await named(setting, 'write', () => setting.apply());
      result.fixed.push(setting.name);
      if (!created) step.log(`state bucket: ${setting.name} was missing, now set`);
    }
    step.update(
      created
        ? `created with: ${result.fixed.join(', ')}`
        : result.fixed.length
          ? `in place; was missing and now set: ${result.fixed.join(', ')}`
          : `in place: ${result.inPlace.join(', ')}`,
    );
    return result;
  });
}

/** A failed get or put names the setting and the IAM action it needs: S3's own "Access Denied" names neither. */
async function named<T>(setting: BucketSetting, what: 'read' | 'write', call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (err) {
    const e = toCliError(err);
    const denied = e.exitCode === ExitCode.Preflight && /^access denied/.test(e.message);
    throw new CliError(
      `state bucket: ${what === 'read' ? 'reading' : 'setting'} ${setting.name} (${setting[what]}) failed: ${e.message}`,
      e.exitCode,
      denied ? `allow ${setting[what]} on the state bucket for whoever runs init, then re-run` : e.hint,
      { cause: err },
    );
  }
}
