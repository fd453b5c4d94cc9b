# One ECS Fargate service (instantiated once for the reader and once for the writer).
# Terraform creates the first task-definition revision; after that the deploy CLI registers revisions
# pinned to a commit's image and Terraform ignores task_definition and desired_count (DESIGN.md).

data "aws_region" "current" {}
data "aws_caller_identity" "current" {}
data "aws_partition" "current" {}

locals {
  region     = data.aws_region.current.name
  account_id = data.aws_caller_identity.current.account_id
  partition  = data.aws_partition.current.partition

  log_group_name = "/ecs/${var.name}"
  # Built from names rather than the log group's computed ARN, so policies are known at plan.
  log_group_arn = "arn:${local.partition}:logs:${local.region}:${local.account_id}:log-group:${local.log_group_name}"

  # Everything except the password is plain configuration (DESIGN.md "Configuration").
  environment = merge(
    {
      PORT        = tostring(var.container_port)
      DB_HOST     = var.database.host
      DB_PORT     = tostring(var.database.port)
      DB_NAME     = var.database.name
      DB_USER     = var.database.user
      DB_SSL      = var.db_ssl
      DB_POOL_MAX = tostring(var.db_pool_max)
      LOG_LEVEL   = var.log_level
    },
    var.db_read_host == null ? {} : { DB_READ_HOST = var.db_read_host },
    var.extra_environment,
  )

  # E6: the password comes from the RDS-managed secret's JSON key "password", injected by the agent.
  secrets = [{
    name      = "DB_PASSWORD"
    valueFrom = "${var.database.secret_arn}:password::"
  }]

  container = {
    name      = var.container_name
    image     = var.image
    essential = true
    user      = var.container_user # E4: the image's non-root user

    portMappings = [{
      name          = "http"
      containerPort = var.container_port
      hostPort      = var.container_port
      protocol      = "tcp"
    }]

    environment = [for k in sort(keys(local.environment)) : { name = k, value = local.environment[k] }]
    secrets     = local.secrets

    readonlyRootFilesystem = true  # E2
    privileged             = false # E3
    mountPoints = [{
      sourceVolume  = "tmp"
      containerPath = "/tmp"
      readOnly      = false
    }]

    # DP-9: an init process reaps zombies and forwards SIGTERM to node.
    linuxParameters = { initProcessEnabled = true }

    # DP-4: liveness only (/health, no DB call), with the node binary the image already has.
    healthCheck = {
      command     = ["CMD", "node", "-e", "fetch('http://127.0.0.1:${var.container_port}/health').then(r=>process.exit(r.ok?0:1)).catch(()=>process.exit(1))"]
      interval    = 30
      timeout     = 5
      retries     = 3
      startPeriod = var.health_check_start_period
    }

    stopTimeout = var.stop_timeout # DP-5

    logConfiguration = { # E7
      logDriver = "awslogs"
      options = {
        awslogs-group         = local.log_group_name
        awslogs-region        = local.region
        awslogs-stream-prefix = "ecs"
      }
    }
  }
}

################################################################################
# Logs
################################################################################

resource "aws_cloudwatch_log_group" "this" {
  name              = local.log_group_name
  retention_in_days = var.log_retention_days # C1/C2
  kms_key_id        = var.log_kms_key_arn    # C3
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
    {
      Sid      = "ReadDatabaseSecret"
      Effect   = "Allow"
      Action   = ["secretsmanager:GetSecretValue"]
      Resource = [var.database.secret_arn]
    },
  ]

  # The app itself calls no AWS API. ECS Exec, when on, needs the SSM message channels (no resource-level
  # permissions, waived in waivers.yaml), the cluster's exec log group and its KMS key.
  exec_log_group_arn = var.exec_log_group_name == null ? null : "arn:${local.partition}:logs:${local.region}:${local.account_id}:log-group:${var.exec_log_group_name}"

  # Each statement is kept only when its condition holds (a filter keeps the list's element type uniform).
  task_statements = [for st in [
    {
      keep     = var.enable_execute_command
      Sid      = "EcsExecChannels"
      Action   = ["ssmmessages:CreateControlChannel", "ssmmessages:CreateDataChannel", "ssmmessages:OpenControlChannel", "ssmmessages:OpenDataChannel"]
      Resource = ["*"]
    },
    {
      keep     = var.enable_execute_command && local.exec_log_group_arn != null
      Sid      = "EcsExecFindLogGroup"
      Action   = ["logs:DescribeLogGroups"]
      Resource = ["arn:${local.partition}:logs:${local.region}:${local.account_id}:log-group:*"]
    },
    {
      keep     = var.enable_execute_command && local.exec_log_group_arn != null
      Sid      = "EcsExecSessionLogs"
      Action   = ["logs:CreateLogStream", "logs:DescribeLogStreams", "logs:PutLogEvents"]
      Resource = ["${coalesce(local.exec_log_group_arn, "none")}:*"]
    },
    {
      keep     = var.enable_execute_command && var.exec_kms_key_arn != null
      Sid      = "EcsExecSessionKey"
      Action   = ["kms:Decrypt"]
      Resource = [coalesce(var.exec_kms_key_arn, "none")]
    },
  ] : { Sid = st.Sid, Effect = "Allow", Action = st.Action, Resource = st.Resource } if st.keep]
}

resource "aws_iam_role" "execution" {
  name               = "${var.name}-execution"
  description        = "ECS agent for ${var.name}: pull its image, write its logs, read the DB secret"
  assume_role_policy = local.assume_role_policy
}

resource "aws_iam_role_policy" "execution" {
  name   = "pull-log-secret"
  role   = aws_iam_role.execution.id
  policy = jsonencode({ Version = "2012-10-17", Statement = local.execution_statements })
}

resource "aws_iam_role" "task" {
  name               = "${var.name}-task"
  description        = "Application in ${var.name}: no AWS permissions unless ECS Exec is on"
  assume_role_policy = local.assume_role_policy
}

resource "aws_iam_role_policy" "task" {
  count = var.enable_execute_command ? 1 : 0

  name   = "ecs-exec"
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
  cpu                      = tostring(var.cpu)
  memory                   = tostring(var.memory)
  execution_role_arn       = aws_iam_role.execution.arn # E10: two roles
  task_role_arn            = aws_iam_role.task.arn
  container_definitions    = jsonencode([local.container])

  runtime_platform {
    operating_system_family = "LINUX"
    cpu_architecture        = var.cpu_architecture
  }

  # Writable scratch space on the task's ephemeral storage (the root filesystem is read-only).
  volume {
    name = "tmp"
  }
}

################################################################################
# Service
################################################################################

resource "aws_ecs_service" "this" {
  name             = var.name
  cluster          = var.cluster_arn
  task_definition  = aws_ecs_task_definition.this.arn
  desired_count    = var.desired_count
  launch_type      = "FARGATE" # E8
  platform_version = "LATEST"

  deployment_minimum_healthy_percent = 100 # DP-2
  deployment_maximum_percent         = 200
  health_check_grace_period_seconds  = var.health_check_grace_period_seconds # DP-3
  enable_execute_command             = var.enable_execute_command            # E12
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
}

################################################################################
# Autoscaling: target tracking on CPU and on ALB requests per target
################################################################################

resource "aws_appautoscaling_target" "this" {
  service_namespace  = "ecs"
  scalable_dimension = "ecs:service:DesiredCount"
  resource_id        = "service/${var.cluster_name}/${aws_ecs_service.this.name}"
  min_capacity       = var.min_capacity
  max_capacity       = var.max_capacity
}

resource "aws_appautoscaling_policy" "cpu" {
  name               = "${var.name}-cpu"
  policy_type        = "TargetTrackingScaling"
  service_namespace  = aws_appautoscaling_target.this.service_namespace
  scalable_dimension = aws_appautoscaling_target.this.scalable_dimension
  resource_id        = aws_appautoscaling_target.this.resource_id

  target_tracking_scaling_policy_configuration {
    target_value       = var.cpu_target_percent
    scale_in_cooldown  = 300
    scale_out_cooldown = 60

    predefined_metric_specification {
      predefined_metric_type = "ECSServiceAverageCPUUtilization"
    }
  }
}

resource "aws_appautoscaling_policy" "requests" {
  name               = "${var.name}-requests"
  policy_type        = "TargetTrackingScaling"
  service_namespace  = aws_appautoscaling_target.this.service_namespace
  scalable_dimension = aws_appautoscaling_target.this.scalable_dimension
  resource_id        = aws_appautoscaling_target.this.resource_id

  target_tracking_scaling_policy_configuration {
    target_value       = var.requests_per_target
    scale_in_cooldown  = 300
    scale_out_cooldown = 60

    predefined_metric_specification {
      predefined_metric_type = "ALBRequestCountPerTarget"
      resource_label         = var.alb_resource_label
    }
  }
}
