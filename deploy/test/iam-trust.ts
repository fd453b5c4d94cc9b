/**
 * A trust policy decided without iam-simulate's request validation, for the one request that needs it: GitHub's
 * OIDC claims token.actions.githubusercontent.com:sub and :aud, which the IAM User Guide documents ("Available keys
 * for AWS OIDC federation"; aws-actions/configure-aws-credentials' trust policy uses both) but the Service
 * Authorization Reference's list for sts:AssumeRoleWithWebIdentity lacks, so runSimulation would drop them. Same
 * engine (authorize), the same steps as its runUnsafeSimulation, which in 0.1.x cannot take an unnamed resource policy.
 */
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import type { IamRequest } from './iam-requests.js';

const require = createRequire(import.meta.url);
const engine = dirname(require.resolve('@cloud-copilot/iam-simulate'));
const fromEngine = createRequire(join(engine, 'index.js'));
const { authorize } = fromEngine('./core_engine/CoreSimulatorEngine.js');
const { AwsRequestImpl } = fromEngine('./request/request.js');
const { RequestContextImpl } = fromEngine('./requestContext.js');
const { DiscoveryContextKeyConstraints } = fromEngine('./context_keys/discoveryContextKeyConstraints.js');
const { loadPolicy } = fromEngine('@cloud-copilot/iam-policy');

export function evaluateTrustUnvalidated(r: IamRequest, account: string): 'Allowed' | 'ExplicitlyDenied' | 'ImplicitlyDenied' {
  if (!('federated' in r.principal) || !r.resourcePolicy) throw new Error('a trust policy request of an identity provider');
  const request = new AwsRequestImpl(
    r.principal.federated,
    { resource: r.resource, accountId: account },
    r.action,
    new RequestContextImpl(r.context),
  );
  const analysis = authorize({
    request,
    sessionPolicy: undefined,
    identityPolicies: [],
    serviceControlPolicies: [],
    resourceControlPolicies: [],
    resourcePolicy: loadPolicy(r.resourcePolicy, { name: 'trust policy' }),
    permissionBoundaries: undefined,
    vpcEndpointPolicies: undefined,
    simulationParameters: { simulationMode: 'Strict', discoveryContextKeyConstraints: new DiscoveryContextKeyConstraints([]) },
    serviceSettings: { s3: {} },
  }) as { result: 'Allowed' | 'ExplicitlyDenied' | 'ImplicitlyDenied' };
  return analysis.result;
}
