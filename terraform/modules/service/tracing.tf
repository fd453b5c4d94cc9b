# Traces to AWS X-Ray through an AWS Distro for OpenTelemetry (ADOT) collector sidecar (var.tracing).
#
# The app (OpenTelemetry SDK for Node.js) exports OTLP over HTTP to the collector on the task's loopback; the
# collector batches the spans and sends them to X-Ray with the task role's credentials. With tracing off the app
# gets no OTEL_* variable at all, so it configures no exporter (tracing off), and the task has no sidecar.

locals {
  tracing = var.tracing.enabled

  otel_collector_name = "aws-otel-collector"

  # ADOT's image runs /awscollector as the user aoc, uid and gid 4317 (aws-otel-collector
  # cmd/awscollector/Dockerfile: ARG USER_UID=4317, USER aoc), and ships config/ under /etc (COPY config/ /etc/).
  otel_collector_user = "4317"

  # Where the image comes from. Amazon ECR Public (public.ecr.aws) needs internet egress, which prod's endpoints
  # mode does not have: interface endpoints reach this account's private registry only. An ECR pull-through cache
  # does not help there: its first pull of an image needs a route to the upstream registry (Amazon ECR User Guide,
  # "Amazon ECR interface VPC endpoints (AWS PrivateLink)", Considerations: the first pull through a cache rule
  # over interface endpoints needs a NAT gateway; "Sync an upstream registry with an Amazon ECR private registry").
  # So the stack owns a repository, <name>/otel-collector, and the deploy CLI mirrors the pinned upstream image
  # into it (docker pull, tag, push) before the first rollout; tasks then pull it through the ECR and S3
  # endpoints like their own images. Its tag is the upstream one (source_image below, output for the CLI).
  otel_collector_source_image = "public.ecr.aws/${var.otel_collector.image_path}"
  otel_collector_tag          = split(":", var.otel_collector.image_path)[1]
  otel_collector_mirrored     = var.otel_collector.repository_url != null
  otel_collector_image = (local.otel_collector_mirrored
    ? "${coalesce(var.otel_collector.repository_url, "none")}:${local.otel_collector_tag}"
    : local.otel_collector_source_image
  )

  # What the app's OpenTelemetry SDK reads (OpenTelemetry specification, "Environment Variable Specification" and
  # "OTLP Exporter Configuration"): OTLP/HTTP to the sidecar on 4318, the service name on every span, and a
  # parent-based ratio sampler (a request the ALB or a caller already sampled stays sampled).
  tracing_environment = local.tracing ? {
    OTEL_EXPORTER_OTLP_ENDPOINT = "http://127.0.0.1:4318"
    OTEL_SERVICE_NAME           = var.name
    OTEL_TRACES_SAMPLER         = "parentbased_traceidratio"
    OTEL_TRACES_SAMPLER_ARG     = tostring(var.tracing.sample_ratio)
  } : {}

  # The app starts once the collector has started (ECS Developer Guide, "Container dependency": condition START),
  # so the first spans find the receiver; it does not wait for HEALTHY, and a collector that dies later does not
  # stop the task (essential = false): tracing is never worth an outage.
  tracing_depends_on = local.tracing ? { dependsOn = [{ containerName = local.otel_collector_name, condition = "START" }] } : {}

  otel_collector_container = {
    name      = local.otel_collector_name
    image     = local.otel_collector_image
    essential = false
    user      = local.otel_collector_user # E4

    # ADOT's ECS configuration that receives OTLP (gRPC 4317, HTTP 4318) and exports only traces, to X-Ray
    # (aws-otel-collector config/ecs/ecs-xray.yaml, shipped in the image as /etc/ecs/ecs-xray.yaml). The ECS
    # default config (/etc/ecs/ecs-default-config.yaml) would also turn metrics into EMF logs in
    # /aws/ecs/application/metrics, a log group without retention or CMK that Terraform does not own (C1-C3),
    # and needs logs:CreateLogGroup on the task role.
    command = ["--config=/etc/ecs/ecs-xray.yaml"]

    # E2: the collector writes nothing to disk with this config (no file exporter or storage extension), so the
    # root stays read-only without a volume (ADOT on a read-only root: guardian/dotcom-rendering#16653).
    readonlyRootFilesystem = true
    privileged             = false # E3

    # A small reservation out of the task's size: the app container keeps the rest (ECS Developer Guide, task
    # definition parameters "cpu" and "memoryReservation": container shares within the Fargate task size).
    cpu               = var.otel_collector.cpu
    memoryReservation = var.otel_collector.memory_reservation

    # The image's own health probe against the health_check extension that ecs-xray.yaml enables.
    healthCheck = {
      command     = ["CMD", "/healthcheck"]
      interval    = 30
      timeout     = 5
      retries     = 3
      startPeriod = 10
    }

    logConfiguration = local.log_configurations.otel # the service's log group, its own stream prefix
  }

  # Task role: the collector's X-Ray calls (AWS managed policy AWSXRayDaemonWriteAccess; ECS Developer Guide,
  # "Required IAM permissions for AWS Distro for OpenTelemetry integration with AWS X-Ray"). X-Ray has no
  # resource-level permissions for these actions (Service Authorization Reference, "Actions, resources, and
  # condition keys for AWS X-Ray": no resource type), hence "*" (AVD-AWS-0057, waivers.yaml).
  tracing_task_statement = {
    keep     = local.tracing
    Sid      = "XRayWriteTraces"
    Action   = ["xray:PutTraceSegments", "xray:PutTelemetryRecords", "xray:GetSamplingRules", "xray:GetSamplingTargets", "xray:GetSamplingStatisticSummaries"]
    Resource = ["*"]
  }

  # Execution role, when the image comes from this account's collector repository: pull from it, nothing else
  # (the repository exists before the task does; nothing is imported or created at pull time).
  tracing_execution_statements = local.tracing && local.otel_collector_mirrored ? [{
    Sid      = "PullCollectorMirror"
    Effect   = "Allow"
    Action   = ["ecr:BatchCheckLayerAvailability", "ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer"]
    Resource = [var.otel_collector.repository_arn]
  }] : []
}
