import { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import { CloudWatchLogsClient } from '@aws-sdk/client-cloudwatch-logs';
import { EC2Client } from '@aws-sdk/client-ec2';
import { ECRClient } from '@aws-sdk/client-ecr';
import { ECSClient } from '@aws-sdk/client-ecs';
import { ElasticLoadBalancingV2Client } from '@aws-sdk/client-elastic-load-balancing-v2';
import { IAMClient } from '@aws-sdk/client-iam';
import { RDSClient } from '@aws-sdk/client-rds';
import { S3Client } from '@aws-sdk/client-s3';
import { STSClient } from '@aws-sdk/client-sts';

export interface AwsClients {
  region: string;
  endpoint?: string;
  ecs: ECSClient;
  ecr: ECRClient;
  sts: STSClient;
  logs: CloudWatchLogsClient;
  cloudwatch: CloudWatchClient;
  elbv2: ElasticLoadBalancingV2Client;
  rds: RDSClient;
  iam: IAMClient;
  ec2: EC2Client;
  /** Only `init` (the Terraform state bucket). */
  s3: S3Client;
}

/** Attempts per call, with the SDK's adaptive (client-side rate limited) retry on throttling. */
export const AWS_MAX_ATTEMPTS = 8;

/**
 * All clients are built once per run. The region comes from the Terraform outputs (then AWS_REGION);
 * AWS_ENDPOINT_URL points every client at an AWS-compatible endpoint (LocalStack, a proxy, …).
 */
export function createAwsClients(region: string, env: NodeJS.ProcessEnv = process.env): AwsClients {
  const endpoint = env.AWS_ENDPOINT_URL || undefined;
  const config = { region, maxAttempts: AWS_MAX_ATTEMPTS, retryMode: 'adaptive' as const, ...(endpoint ? { endpoint } : {}) };
  return {
    region,
    endpoint,
    ecs: new ECSClient(config),
    ecr: new ECRClient(config),
    sts: new STSClient(config),
    logs: new CloudWatchLogsClient(config),
    cloudwatch: new CloudWatchClient(config),
    elbv2: new ElasticLoadBalancingV2Client(config),
    rds: new RDSClient(config),
    // IAM is global; a custom endpoint still applies.
    iam: new IAMClient(config),
    ec2: new EC2Client(config),
    // A custom endpoint (LocalStack, a proxy) rarely resolves virtual-hosted bucket names (<bucket>.localhost),
    // so S3 goes path-style there; against AWS itself the SDK's default (virtual-hosted) stays.
    s3: new S3Client({ ...config, forcePathStyle: !!endpoint }),
  };
}
