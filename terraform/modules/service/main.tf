# One ECS Fargate service (instantiated once for the reader and once for the writer).
# Terraform creates the first task-definition revision; after that the deploy CLI registers revisions
# pinned to a commit's image and Terraform ignores task_definition and desired_count (docs/deploy-contract.md#who-owns-the-task-definition).

locals {
  region     = var.aws.region
  account_id = var.aws.account_id
  partition  = var.aws.partition

  log_group_name = "/ecs/${var.name}"
  # Built from names rather than the log group's computed ARN, so policies are known at plan.
  log_group_arn = "arn:${local.partition}:logs:${local.region}:${local.account_id}:log-group:${local.log_group_name}"

  # E7: every container logs through awslogs, to its task's log group under a stream prefix of its own.
  log_destinations = {
    app     = { group = local.log_group_name, prefix = "ecs" }
    otel    = { group = local.log_group_name, prefix = "otel" }
    migrate = { group = local.migrate_log_group_name, prefix = "ecs" }
  }
  log_configurations = { for container, to in local.log_destinations : container => {
    logDriver = "awslogs"
    options   = { awslogs-group = to.group, awslogs-region = local.region, awslogs-stream-prefix = to.prefix }
  } }

  # Plain configuration only (docs/deploy-contract.md#task-environment): the services log in with IAM database authentication
  # as their own role (DB_AUTH=iam, DB_USER=library_reader|library_writer), generating a token per connection,
  # so no password or secret reaches their tasks at all.
  environment = merge(
    {
      PORT        = tostring(var.container_port)
      AWS_REGION  = local.region
      DB_AUTH     = "iam"
      DB_HOST     = var.database.host
      DB_PORT     = tostring(var.database.port)
      DB_NAME     = var.database.name
      DB_USER     = var.database.user
      DB_SSL      = var.db_ssl
      DB_POOL_MAX = tostring(var.task.db_pool_max)
      LOG_LEVEL   = var.task.log_level
    },
    var.db_read_host == null ? {} : { DB_READ_HOST = var.db_read_host },
    var.extra_environment,
  )

  # The service's containers also get the OTEL_* variables while tracing is on (tracing.tf); the migrate task
  # (migration.tf) starts from local.environment, without them: it runs no collector.
  app_environment = merge(local.environment, local.tracing_environment)

  # rds-db:connect as this service's own database user on each instance it connects to (primary, and the
  # replica for the reader). Amazon RDS User Guide, "Creating and using an IAM policy for IAM database access":
  # arn:<partition>:rds-db:<region>:<account>:dbuser:<DbiResourceId>/<db user name>.
  db_connect_arns = [for id in var.database.resource_ids : "arn:${local.partition}:rds-db:${local.region}:${local.account_id}:dbuser:${id}/${var.database.user}"]

  # ECS Exec with a read-only root filesystem. The ECS Developer Guide ("Using Amazon ECS Exec",
  # Considerations) says the SSM agent must create directories and files and calls readonlyRootFilesystem
  # unsupported; it names no paths. ECS bind-mounts the agent's bin/, certs/ and config/ under
  # /managed-agents/execute-command (amazon-ecs-agent, agent/engine/execcmd: ecsAgentExecDepsDir), mount points it
  # must be able to create; the agent keeps its state under /var/lib/amazon (ssm) and its logs under
  # /var/log/amazon/ssm (execcmd ContainerLogDir). The three trees become writable task volumes, the workaround of
  # aws/containers-roadmap#1359 and aws-containers/amazon-ecs-exec-checker#71 (both mount /managed-agents,
  # /var/lib/amazon/ssm and /var/log/amazon/ssm). The agent runs as root (same Considerations), so root-owned
  # volumes suffice. Only a real session proves it (terraform/README.md, what only a real account proves).
  exec_volumes = var.enable_execute_command ? {
    managed-agents = "/managed-agents"
    ssm-var-lib    = "/var/lib/amazon"
    ssm-var-log    = "/var/log/amazon"
  } : {}

  # /tmp: a Fargate bind mount is owned by root with mode 0755 unless the image declares the path as a VOLUME,
  # whose ownership and mode it then copies (ECS Developer Guide, "Use bind mounts with Amazon ECS",
  # Considerations). The Dockerfile declares VOLUME ["/tmp"]: the base image's /tmp, owned by root with mode 1777
  # (world-writable, sticky), so uid 1000 (node) can write here while the root stays read-only (E2).
  tmp_mount = { sourceVolume = "tmp", containerPath = "/tmp", readOnly = false }

  # What every container of this module shares (service and migrate task): E2-E4, E7, DP-9.
  container_base = {
    image     = var.image
    essential = true
    user      = var.container_user # E4: the image's non-root user

    readonlyRootFilesystem = true  # E2
    privileged             = false # E3

    # DP-9: an init process reaps zombies and forwards SIGTERM to node.
    linuxParameters = { initProcessEnabled = true }

    stopTimeout = var.task.stop_timeout # DP-5
  }

  container = merge(local.container_base, local.tracing_depends_on, {
    name = var.container_name

    portMappings = [{
      name          = "http"
      containerPort = var.container_port
      hostPort      = var.container_port
      protocol      = "tcp"
    }]

    environment = [for k in sort(keys(local.app_environment)) : { name = k, value = local.app_environment[k] }]

    mountPoints = concat([local.tmp_mount], [for v, path in local.exec_volumes : { sourceVolume = v, containerPath = path, readOnly = false }])

    # DP-4: liveness only (/health, no DB call), with the node binary the image already has.
    healthCheck = {
      command     = ["CMD", "node", "-e", "fetch('http://127.0.0.1:${var.container_port}/health').then(r=>process.exit(r.ok?0:1)).catch(()=>process.exit(1))"]
      interval    = 30
      timeout     = 5
      retries     = 3
      startPeriod = var.task.health_check_start_period
    }

    logConfiguration = local.log_configurations.app
  })
}

################################################################################
# Logs
################################################################################

resource "aws_cloudwatch_log_group" "this" {
  name              = local.log_group_name
  retention_in_days = var.logs.retention_days # C1/C2
  kms_key_id        = var.logs.kms_key_arn    # C3
}

################################################################################
# IAM: execution role (agent: pull image, write logs, read the DB secret) and task role (the app)
################################################################################

locals {
  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Allow"
      Principal = { Service = "ecs-tasks.amazonaws.com" }
      Action    = "sts:AssumeRole"
      Condition = {
        StringEquals = { "aws:SourceAccount" = local.account_id }
        ArnLike      = { "aws:SourceArn" = "arn:${local.partition}:ecs:${local.region}:${local.account_id}:*" }
      }
    }]
  })

  execution_statements = [
    {
      # The one action that cannot be scoped to a resource (I2).
      Sid      = "EcrAuthToken"
      Effect   = "Allow"
      Action   = ["ecr:GetAuthorizationToken"]
      Resource = "*"
    },
    {
      Sid      = "PullOwnImage"
      Effect   = "Allow"
      Action   = ["ecr:BatchCheckLayerAvailability", "ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer"]
      Resource = [var.ecr_repository_arn]
    },
    {
      Sid      = "WriteOwnLogs"
      Effect   = "Allow"
      Action   = ["logs:CreateLogStream", "logs:PutLogEvents"]
      Resource = ["${local.log_group_arn}:*"]
    },
  ]

  # The app's one AWS permission is rds-db:connect as its own database user. ECS Exec, when on, adds the SSM
  # message channels (no resource-level permissions, waived in waivers.yaml), the cluster's exec log group and its key;
  # tracing adds the collector's X-Ray calls (tracing.tf).
  exec_log_group_arn = var.exec_log_group_name == null ? null : "arn:${local.partition}:logs:${local.region}:${local.account_id}:log-group:${var.exec_log_group_name}"

  # Each statement is kept only when its condition holds (a filter keeps the list's element type uniform).
  task_statements = [for st in [
    {
      keep     = true
      Sid      = "RdsIamConnect"
      Action   = ["rds-db:connect"]
      Resource = local.db_connect_arns
    },
    {
      keep     = var.enable_execute_command
      Sid      = "EcsExecChannels"
      Action   = ["ssmmessages:CreateControlChannel", "ssmmessages:CreateDataChannel", "ssmmessages:OpenControlChannel", "ssmmessages:OpenDataChannel"]
      Resource = ["*"]
    },
    {
      keep   = var.enable_execute_command && local.exec_log_group_arn != null
      Sid    = "EcsExecFindLogGroup"
      Action = ["logs:DescribeLogGroups"]
      # No resource type for DescribeLogGroups (Service Authorization Reference, "Actions, resources, and condition
      # keys for Amazon CloudWatch Logs"): only "*" grants it; a log-group ARN matches nothing.
      Resource = ["*"]
    },
    {
      keep   = var.enable_execute_command && local.exec_log_group_arn != null
      Sid    = "EcsExecSessionLogs"
      Action = ["logs:CreateLogStream", "logs:DescribeLogStreams", "logs:PutLogEvents"]
      # Streams (log-group:<name>:log-stream:<stream>) and, for DescribeLogStreams, the group itself, whose ARN in the
      # Service Authorization Reference has no :* ("Actions, resources, and condition keys for Amazon CloudWatch Logs").
      Resource = ["${coalesce(local.exec_log_group_arn, "none")}:*", coalesce(local.exec_log_group_arn, "none")]
    },
    {
      keep     = var.enable_execute_command && var.exec_kms_key_arn != null
      Sid      = "EcsExecSessionKey"
      Action   = ["kms:Decrypt"]
      Resource = [coalesce(var.exec_kms_key_arn, "none")]
    },
    local.tracing_task_statement,
  ] : { Sid = st.Sid, Effect = "Allow", Action = st.Action, Resource = st.Resource } if st.keep]
}

resource "aws_iam_role" "execution" {
  name               = "${var.name}-execution"
  description        = "ECS agent for ${var.name}: pull its image, write its logs (no secrets: the app uses IAM DB auth)"
  assume_role_policy = local.assume_role_policy
}

resource "aws_iam_role_policy" "execution" {
  name   = "pull-and-log"
  role   = aws_iam_role.execution.id
  policy = jsonencode({ Version = "2012-10-17", Statement = concat(local.execution_statements, local.tracing_execution_statements) })
}

resource "aws_iam_role" "task" {
  name               = "${var.name}-task"
  description        = "Application in ${var.name}: rds-db:connect as its own DB user (plus ECS Exec and X-Ray traces when on)"
  assume_role_policy = local.assume_role_policy
}

resource "aws_iam_role_policy" "task" {
  name   = "rds-connect-and-exec"
  role   = aws_iam_role.task.id
  policy = jsonencode({ Version = "2012-10-17", Statement = local.task_statements })
}

################################################################################
# Task definition (first revision; later ones come from the deploy CLI)
################################################################################

resource "aws_ecs_task_definition" "this" {
  family                   = var.name
  requires_compatibilities = ["FARGATE"]
  network_mode             = "awsvpc" # E11
  cpu                      = tostring(var.task.cpu)
  memory                   = tostring(var.task.memory)
  execution_role_arn       = aws_iam_role.execution.arn # E10: two roles
  task_role_arn            = aws_iam_role.task.arn
  container_definitions    = jsonencode(concat([local.container], local.tracing ? [local.otel_collector_container] : []))

  runtime_platform {
    operating_system_family = "LINUX"
    cpu_architecture        = var.task.cpu_architecture
  }

  # Writable scratch space on the task's ephemeral storage (the root filesystem is read-only; see tmp_mount).
  volume {
    name = "tmp"
  }

  # The SSM agent's writable paths while ECS Exec is on (see exec_volumes).
  dynamic "volume" {
    for_each = local.exec_volumes
    content {
      name = volume.key
    }
  }
}

################################################################################
# Service
################################################################################

# The listener rules that forward to this service's target group. CreateService rejects a target group that no
# listener uses yet (InvalidParameterException "The target group ... does not have an associated load
# balancer"; the AWS CloudFormation User Guide's AWS::ECS::Service examples add DependsOn on the listener rule
# for this reason). Nothing in the service's arguments references the rules, so their ARNs pass through this
# resource and the service depends on it: Terraform creates the rules first.
resource "terraform_data" "listener_rules" {
  input = var.listener_rule_arns
}

# A rolling service (ECS's ROLLING strategy, the default). A service ECS deploys with CANARY, LINEAR or BLUE_GREEN
# is aws_ecs_service.progressive (delivery.tf): the same arguments, and ECS's own changes to it ignored.
resource "aws_ecs_service" "this" {
  count = var.progressive ? 0 : 1

  name            = var.name
  cluster         = var.cluster_arn
  task_definition = aws_ecs_task_definition.this.arn
  desired_count   = var.task.desired_count
  # E8: Fargate on LATEST, either on demand (launch type) or, as a dev choice, on Fargate Spot through a
  # capacity provider strategy (the two are mutually exclusive in CreateService).
  launch_type      = var.task.fargate_spot ? null : "FARGATE"
  platform_version = "LATEST"

  # Fargate Spot: up to 70 % off, tasks can be stopped with a two-minute warning, X86_64 only (ECS Developer
  # Guide, "AWS Fargate capacity providers", considerations). The cluster associates FARGATE_SPOT.
  dynamic "capacity_provider_strategy" {
    for_each = var.task.fargate_spot ? [1] : []
    content {
      capacity_provider = "FARGATE_SPOT"
      weight            = 1
      base              = 0
    }
  }

  deployment_minimum_healthy_percent = 100 # DP-2
  deployment_maximum_percent         = 200
  health_check_grace_period_seconds  = var.task.health_check_grace_period_seconds # DP-3
  enable_execute_command             = var.enable_execute_command                 # E12
  enable_ecs_managed_tags            = true
  propagate_tags                     = "SERVICE"
  wait_for_steady_state              = false

  deployment_controller {
    type = "ECS"
  }

  deployment_circuit_breaker { # DP-1
    enable   = true
    rollback = true
  }

  dynamic "alarms" { # DP-10
    for_each = length(var.deployment_alarm_names) > 0 ? [1] : []
    content {
      enable      = true
      rollback    = true
      alarm_names = var.deployment_alarm_names
    }
  }

  network_configuration { # E1
    subnets          = var.subnet_ids
    security_groups  = var.security_group_ids
    assign_public_ip = false
  }

  load_balancer {
    target_group_arn = var.target_group_arn
    container_name   = var.container_name
    container_port   = var.container_port
  }

  lifecycle {
    # The deploy CLI owns the running revision; autoscaling owns the count.
    ignore_changes = [task_definition, desired_count]
  }

  depends_on = [terraform_data.listener_rules]
}

################################################################################
# Autoscaling: target tracking on CPU and on ALB requests per target
################################################################################

resource "aws_appautoscaling_target" "this" {
  service_namespace  = "ecs"
  scalable_dimension = "ecs:service:DesiredCount"
  resource_id        = "service/${var.cluster_name}/${local.service.name}"
  min_capacity       = var.task.min_capacity
  max_capacity       = var.task.max_capacity
}

# One target-tracking policy per metric; each scales out fast and in slowly.
locals {
  scaling_policies = {
    cpu      = { target = var.task.cpu_target_percent, metric = "ECSServiceAverageCPUUtilization", resource_label = null }
    requests = { target = var.task.requests_per_target, metric = "ALBRequestCountPerTarget", resource_label = var.alb_resource_label }
  }
}

resource "aws_appautoscaling_policy" "this" {
  for_each = local.scaling_policies

  name               = "${var.name}-${each.key}"
  policy_type        = "TargetTrackingScaling"
  service_namespace  = aws_appautoscaling_target.this.service_namespace
  scalable_dimension = aws_appautoscaling_target.this.scalable_dimension
  resource_id        = aws_appautoscaling_target.this.resource_id

  target_tracking_scaling_policy_configuration {
    target_value       = each.value.target
    scale_in_cooldown  = 300
    scale_out_cooldown = 60

    predefined_metric_specification {
      predefined_metric_type = each.value.metric
      resource_label         = each.value.resource_label
    }
  }
}

moved {
  from = aws_appautoscaling_policy.cpu
  to   = aws_appautoscaling_policy.this["cpu"]
}

moved {
  from = aws_appautoscaling_policy.requests
  to   = aws_appautoscaling_policy.this["requests"]
}
