import {
  DescribeServicesCommand,
  DescribeTasksCommand,
  ListTasksCommand,
  UpdateServiceCommand,
  type Deployment,
  type ECSClient,
  type Service,
  type Task,
} from '@aws-sdk/client-ecs';
import { CliError } from '../errors.js';
import { ExitCode } from '../exit-codes.js';

/** Small, typed helpers over the ECS client; tests mock the client with aws-sdk-client-mock. */

export async function describeServices(ecs: ECSClient, cluster: string, names: string[]): Promise<Service[]> {
  const res = await ecs.send(new DescribeServicesCommand({ cluster, services: names }));
  const missing = (res.failures ?? []).map((f) => `${f.arn?.split('/').pop() ?? '?'} (${f.reason})`);
  if (missing.length) {
    throw new CliError(
      `ECS service not found in cluster ${cluster}: ${missing.join(', ')}`,
      ExitCode.Preflight,
      'run `terraform apply` for this env, or check --env / services.*.service_name',
    );
  }
  const services = res.services ?? [];
  for (const s of services) {
    if (s.status !== 'ACTIVE') {
      throw new CliError(
        `ECS service ${s.serviceName} is ${s.status}, not ACTIVE`,
        ExitCode.Preflight,
        'run `terraform apply` for this env',
      );
    }
  }
  return names.map((n) => services.find((s) => s.serviceName === n || s.serviceArn?.endsWith(`/${n}`))!);
}

export async function describeService(ecs: ECSClient, cluster: string, name: string): Promise<Service> {
  const [s] = await describeServices(ecs, cluster, [name]);
  return s!;
}

/** UpdateService with forceNewDeployment; returns the id of the deployment it created (the new PRIMARY). */
export async function updateService(
  ecs: ECSClient,
  cluster: string,
  service: string,
  taskDefinitionArn: string,
): Promise<{ deploymentId: string; service: Service }> {
  const res = await ecs.send(new UpdateServiceCommand({ cluster, service, taskDefinition: taskDefinitionArn, forceNewDeployment: true }));
  const svc = res.service!;
  const primary =
    svc.deployments?.find((d) => d.status === 'PRIMARY' && d.taskDefinition === taskDefinitionArn) ??
    svc.deployments?.find((d) => d.status === 'PRIMARY');
  if (!primary?.id) throw new Error(`UpdateService on ${service} returned no PRIMARY deployment`);
  return { deploymentId: primary.id, service: svc };
}

export function primaryDeployment(svc: Service): Deployment | undefined {
  return svc.deployments?.find((d) => d.status === 'PRIMARY');
}

/** A deployment that has not finished: refuse to start another on top of it (unless --force). */
export function inProgressDeployment(svc: Service): Deployment | undefined {
  return (
    svc.deployments?.find((d) => d.rolloutState === 'IN_PROGRESS') ??
    ((svc.deployments?.length ?? 0) > 1 ? svc.deployments?.find((d) => d.status !== 'PRIMARY') : undefined)
  );
}

export function revisionLabel(arn: string | undefined): string {
  return arn?.split('/').pop() ?? '?';
}

export function taskId(taskArn: string): string {
  return taskArn.split('/').pop() ?? taskArn;
}

export async function stoppedTasksOf(ecs: ECSClient, cluster: string, deploymentId: string): Promise<string[]> {
  const res = await ecs.send(new ListTasksCommand({ cluster, startedBy: deploymentId, desiredStatus: 'STOPPED' }));
  return res.taskArns ?? [];
}

export async function describeTasks(ecs: ECSClient, cluster: string, arns: string[]): Promise<Task[]> {
  if (!arns.length) return [];
  const out: Task[] = [];
  for (let i = 0; i < arns.length; i += 100) {
    const res = await ecs.send(new DescribeTasksCommand({ cluster, tasks: arns.slice(i, i + 100) }));
    out.push(...(res.tasks ?? []));
  }
  return out;
}

export function taskPrivateIp(task: Task): string | undefined {
  for (const a of task.attachments ?? []) {
    const d = a.details?.find((x) => x.name === 'privateIPv4Address');
    if (d?.value) return d.value;
  }
  return task.containers?.[0]?.networkInterfaces?.[0]?.privateIpv4Address;
}
