import { GetLogEventsCommand, type CloudWatchLogsClient } from '@aws-sdk/client-cloudwatch-logs';

/** awslogs driver stream name: <prefix>/<container>/<task id>. */
export function awslogsStream(prefix: string, container: string, taskId: string): string {
  return `${prefix}/${container}/${taskId}`;
}

/** The last `limit` log lines of a stream; [] when the stream does not exist (yet). */
export async function lastLogLines(logs: CloudWatchLogsClient, group: string, stream: string, limit = 5): Promise<string[]> {
  try {
    const res = await logs.send(new GetLogEventsCommand({ logGroupName: group, logStreamName: stream, limit, startFromHead: false }));
    return (res.events ?? []).map((e) => (e.message ?? '').trimEnd()).filter(Boolean);
  } catch (err) {
    if ((err as { name?: string }).name === 'ResourceNotFoundException') return [];
    throw err;
  }
}

/** Reads a stream forward from a token; used to stream the migration task's output while it runs. */
export async function readForward(
  logs: CloudWatchLogsClient,
  group: string,
  stream: string,
  token: string | undefined,
): Promise<{ lines: string[]; token: string | undefined }> {
  try {
    const res = await logs.send(
      new GetLogEventsCommand({ logGroupName: group, logStreamName: stream, startFromHead: true, ...(token ? { nextToken: token } : {}) }),
    );
    return { lines: (res.events ?? []).map((e) => (e.message ?? '').trimEnd()), token: res.nextForwardToken ?? token };
  } catch (err) {
    if ((err as { name?: string }).name === 'ResourceNotFoundException') return { lines: [], token };
    throw err;
  }
}
