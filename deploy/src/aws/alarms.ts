import { DisableAlarmActionsCommand, EnableAlarmActionsCommand, type CloudWatchClient } from '@aws-sdk/client-cloudwatch';

/** DisableAlarmActions / EnableAlarmActions take at most 100 alarm names a call (CloudWatch API reference). */
const BATCH = 100;

/**
 * Turns the actions of the stack's outage alarms (Terraform output `outage_alarm_names`) off or on. Their state
 * keeps being evaluated either way; only the notifications stop (CloudWatch API reference, DisableAlarmActions).
 * Returns the names it switched (none when the outputs name none, e.g. a stack older than the output).
 */
export async function setOutageAlarmActions(
  cloudwatch: CloudWatchClient,
  names: string[] | undefined,
  enabled: boolean,
): Promise<string[]> {
  const all = names ?? [];
  for (let i = 0; i < all.length; i += BATCH) {
    const AlarmNames = all.slice(i, i + BATCH);
    await cloudwatch.send(enabled ? new EnableAlarmActionsCommand({ AlarmNames }) : new DisableAlarmActionsCommand({ AlarmNames }));
  }
  return all;
}
