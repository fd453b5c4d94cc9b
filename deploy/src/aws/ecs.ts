import {
  DescribeServiceDeploymentsCommand,
  DescribeServicesCommand,
  DescribeTasksCommand,
  ListServiceDeploymentsCommand,
  ListTasksCommand,
  StopServiceDeploymentCommand,
  UpdateServiceCommand,
  type Deployment,
  type ECSClient,
  type Service,
  type ServiceDeployment,
  type ServiceDeploymentBrief,
  ServiceDeploymentStatus,
  type Task,
  type UpdateServiceCommandInput,
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

/** What else an UpdateService may set besides the revision: the strategy and the load balancer's pair (rollout/strategy.ts). */
export type DeploymentSettings = Pick<UpdateServiceCommandInput, 'deploymentConfiguration' | 'loadBalancers'>;

/** UpdateService with forceNewDeployment; returns the id of the deployment it created (the new PRIMARY). */
export async function updateService(
  ecs: ECSClient,
  cluster: string,
  service: string,
  taskDefinitionArn: string,
  settings: DeploymentSettings = {},
): Promise<{ deploymentId: string; service: Service }> {
  const res = await ecs.send(
    new UpdateServiceCommand({ cluster, service, taskDefinition: taskDefinitionArn, forceNewDeployment: true, ...settings }),
  );
  const svc = res.service!;
  const primary =
    svc.deployments?.find((d) => d.status === 'PRIMARY' && d.taskDefinition === taskDefinitionArn) ??
    svc.deployments?.find((d) => d.status === 'PRIMARY');
  if (!primary?.id) throw new Error(`UpdateService on ${service} returned no PRIMARY deployment`);
  return { deploymentId: primary.id, service: svc };
}

/** Service deployments still under way: ECS works on them or rolls them back (ECS API Reference, ServiceDeployment: status). */
export const UNFINISHED_SERVICE_DEPLOYMENT: ServiceDeploymentStatus[] = [
  'PENDING',
  'IN_PROGRESS',
  'STOP_REQUESTED',
  'ROLLBACK_REQUESTED',
  'ROLLBACK_IN_PROGRESS',
];
/** Every other status the SDK knows: ECS does nothing more with the deployment (SUCCESSFUL, STOPPED, ROLLBACK_SUCCESSFUL, ROLLBACK_FAILED). */
const FINISHED_SERVICE_DEPLOYMENT = new Set<string>(
  Object.values(ServiceDeploymentStatus).filter((status) => !UNFINISHED_SERVICE_DEPLOYMENT.includes(status)),
);
export const isFinishedServiceDeployment = (status: string | undefined): boolean => FINISHED_SERVICE_DEPLOYMENT.has(status ?? '');
/** Rolling forward, so StopServiceDeployment applies; a deployment already stopping or rolling back is left to ECS. */
export const isStoppableServiceDeployment = (status: string | undefined): boolean => status === 'PENDING' || status === 'IN_PROGRESS';

/** ListServiceDeployments of one service, newest first, optionally only those created after a time or in some states. */
export async function listServiceDeployments(
  ecs: ECSClient,
  cluster: string,
  service: string,
  filter: { createdAfter?: Date; status?: ServiceDeploymentStatus[] } = {},
): Promise<ServiceDeploymentBrief[]> {
  const out: ServiceDeploymentBrief[] = [];
  let nextToken: string | undefined;
  do {
    const res = await ecs.send(
      new ListServiceDeploymentsCommand({
        cluster,
        service,
        status: filter.status,
        createdAt: filter.createdAfter ? { after: filter.createdAfter } : undefined,
        nextToken,
      }),
    );
    out.push(...(res.serviceDeployments ?? []));
    nextToken = res.nextToken;
  } while (nextToken);
  return out.sort((a, b) => (b.createdAt?.getTime() ?? 0) - (a.createdAt?.getTime() ?? 0));
}

export async function describeServiceDeployment(ecs: ECSClient, arn: string): Promise<ServiceDeployment> {
  const res = await ecs.send(new DescribeServiceDeploymentsCommand({ serviceDeploymentArns: [arn] }));
  const found = res.serviceDeployments?.find((d) => d.serviceDeploymentArn === arn);
  if (!found) throw new Error(`DescribeServiceDeployments does not know ${arn}: ${res.failures?.[0]?.reason ?? 'no answer'}`);
  return found;
}

/** StopServiceDeployment with ROLLBACK: ECS puts the previous service revision back (ECS API Reference, StopServiceDeployment). */
export async function stopServiceDeploymentWithRollback(ecs: ECSClient, arn: string): Promise<void> {
  await ecs.send(new StopServiceDeploymentCommand({ serviceDeploymentArn: arn, stopType: 'ROLLBACK' }));
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

/** The id at the end of a service deployment's ARN (…:service-deployment/<cluster>/<service>/<id>), as the CLI prints it. */
export function serviceDeploymentId(arn: string): string {
  return arn.split('/').pop() ?? arn;
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
