# Service module: task definition, IAM, ECS service and autoscaling (RELIABILITY 1.1, 1.6 I1/I2, DP-1..DP-10).

mock_provider "aws" {
  source = "../../tests/mocks"
}

variables {
  name               = "library-test-reader"
  environment        = "dev"
  cluster_arn        = "arn:aws:ecs:eu-west-1:123456789012:cluster/library-test"
  cluster_name       = "library-test"
  subnet_ids         = ["subnet-aaaa", "subnet-bbbb"]
  security_group_ids = ["sg-services"]
  target_group_arn   = "arn:aws:elasticloadbalancing:eu-west-1:123456789012:targetgroup/library-test-reader/0123456789abcdef"
  alb_resource_label = "app/library-test/0123456789abcdef/targetgroup/library-test-reader/0123456789abcdef"
  ecr_repository_arn = "arn:aws:ecr:eu-west-1:123456789012:repository/library-test/reader"
  image              = "123456789012.dkr.ecr.eu-west-1.amazonaws.com/library-test/reader:bootstrap"
  database = {
    host       = "db.internal"
    port       = 5432
    name       = "library_db"
    user       = "library_admin"
    secret_arn = "arn:aws:secretsmanager:eu-west-1:123456789012:secret:rds!db-1234-AbCdEf"
  }
  log_kms_key_arn = "arn:aws:kms:eu-west-1:123456789012:key/00000000-0000-0000-0000-000000000000"
}

run "task_definition_is_hardened" {
  command = plan

  assert {
    condition     = alltrue([for c in jsondecode(aws_ecs_task_definition.this.container_definitions) : c.readonlyRootFilesystem == true])
    error_message = "E2: every container must have a read-only root filesystem."
  }
  assert {
    condition     = alltrue([for c in jsondecode(aws_ecs_task_definition.this.container_definitions) : !try(c.privileged, false)])
    error_message = "E3: no container may be privileged."
  }
  assert {
    condition     = alltrue([for c in jsondecode(aws_ecs_task_definition.this.container_definitions) : try(c.user, "") != "" && !contains(["root", "0"], split(":", c.user)[0])])
    error_message = "E4: every container must run as a non-root user."
  }
  assert {
    condition     = jsondecode(aws_ecs_task_definition.this.container_definitions)[0].user == "node"
    error_message = "E4: the container runs as the image's node user (uid 1000)."
  }
  assert {
    condition     = aws_ecs_task_definition.this.pid_mode == null && aws_ecs_task_definition.this.ipc_mode == null
    error_message = "E5: no host PID or IPC namespace."
  }
  assert {
    condition     = aws_ecs_task_definition.this.network_mode == "awsvpc" && tonumber(aws_ecs_task_definition.this.memory) > 0 && aws_ecs_task_definition.this.requires_compatibilities == toset(["FARGATE"])
    error_message = "E11: awsvpc mode, explicit memory, Fargate."
  }
  assert {
    condition     = alltrue([for c in jsondecode(aws_ecs_task_definition.this.container_definitions) : c.logConfiguration.logDriver == "awslogs" && c.logConfiguration.options["awslogs-group"] == "/ecs/library-test-reader"])
    error_message = "E7: every container logs through awslogs to the service's log group."
  }
  assert {
    condition     = anytrue([for m in jsondecode(aws_ecs_task_definition.this.container_definitions)[0].mountPoints : m.containerPath == "/tmp" && m.sourceVolume == "tmp" && !m.readOnly]) && anytrue([for v in aws_ecs_task_definition.this.volume : v.name == "tmp"])
    error_message = "E2: the only writable path is the /tmp volume."
  }
  assert {
    condition     = aws_ecs_task_definition.this.runtime_platform[0].cpu_architecture == "X86_64" && aws_ecs_task_definition.this.runtime_platform[0].operating_system_family == "LINUX"
    error_message = "The CPU architecture comes from the variable."
  }
  assert {
    condition     = aws_ecs_task_definition.this.cpu == "256" && aws_ecs_task_definition.this.memory == "512"
    error_message = "cpu and memory come from the variables."
  }
}

run "secrets_only_through_secrets_manager" {
  command = plan

  assert {
    condition     = alltrue([for e in jsondecode(aws_ecs_task_definition.this.container_definitions)[0].environment : !can(regex("(?i)PASSWORD|SECRET|TOKEN|AWS_SECRET", e.name))])
    error_message = "E6: no environment variable may look like a secret."
  }
  assert {
    condition     = jsondecode(aws_ecs_task_definition.this.container_definitions)[0].secrets == [{ name = "DB_PASSWORD", valueFrom = "arn:aws:secretsmanager:eu-west-1:123456789012:secret:rds!db-1234-AbCdEf:password::" }]
    error_message = "E6: DB_PASSWORD is the only secret and comes from the RDS-managed secret's password key."
  }
  assert {
    condition = {
      for e in jsondecode(aws_ecs_task_definition.this.container_definitions)[0].environment : e.name => e.value
      } == {
      PORT        = "8000"
      DB_HOST     = "db.internal"
      DB_PORT     = "5432"
      DB_NAME     = "library_db"
      DB_USER     = "library_admin"
      DB_SSL      = "verify-full"
      DB_POOL_MAX = "10"
      LOG_LEVEL   = "info"
    }
    error_message = "The environment is exactly the DESIGN.md configuration (no DB_READ_HOST without a replica)."
  }
}

run "reader_gets_the_replica_host" {
  command = plan

  variables {
    db_read_host = "replica.internal"
  }

  assert {
    condition     = contains(jsondecode(aws_ecs_task_definition.this.container_definitions)[0].environment, { name = "DB_READ_HOST", value = "replica.internal" })
    error_message = "With a replica, the container gets DB_READ_HOST."
  }
}

run "health_check_stop_timeout_and_port" {
  command = plan

  assert {
    condition     = jsondecode(aws_ecs_task_definition.this.container_definitions)[0].healthCheck.command == ["CMD", "node", "-e", "fetch('http://127.0.0.1:8000/health').then(r=>process.exit(r.ok?0:1)).catch(()=>process.exit(1))"]
    error_message = "DP-4: the container health check calls /health with node (no curl in the image)."
  }
  assert {
    condition = (
      jsondecode(aws_ecs_task_definition.this.container_definitions)[0].healthCheck.interval == 30 &&
      jsondecode(aws_ecs_task_definition.this.container_definitions)[0].healthCheck.timeout == 5 &&
      jsondecode(aws_ecs_task_definition.this.container_definitions)[0].healthCheck.retries == 3 &&
      jsondecode(aws_ecs_task_definition.this.container_definitions)[0].healthCheck.startPeriod <= 300
    )
    error_message = "DP-4: interval 30 s, timeout 5 s, retries 3, startPeriod within 0-300 s."
  }
  assert {
    condition     = jsondecode(aws_ecs_task_definition.this.container_definitions)[0].stopTimeout == 30
    error_message = "DP-5: stopTimeout is set (30 s)."
  }
  assert {
    condition     = jsondecode(aws_ecs_task_definition.this.container_definitions)[0].portMappings[0].containerPort == 8000
    error_message = "The container listens on 8000."
  }
  assert {
    condition     = jsondecode(aws_ecs_task_definition.this.container_definitions)[0].linuxParameters.initProcessEnabled == true
    error_message = "DP-9: an init process forwards signals to node."
  }
}

run "service_is_private_and_rolls_back" {
  command = plan

  assert {
    condition     = aws_ecs_service.this.network_configuration[0].assign_public_ip == false
    error_message = "E1: tasks get no public IP."
  }
  assert {
    condition     = aws_ecs_service.this.network_configuration[0].subnets == toset(["subnet-aaaa", "subnet-bbbb"]) && aws_ecs_service.this.network_configuration[0].security_groups == toset(["sg-services"])
    error_message = "Tasks run in the given private subnets with the services security group."
  }
  assert {
    condition     = aws_ecs_service.this.launch_type == "FARGATE" && contains(["LATEST"], aws_ecs_service.this.platform_version)
    error_message = "E8: Fargate on LATEST."
  }
  assert {
    condition     = aws_ecs_service.this.deployment_circuit_breaker[0].enable && aws_ecs_service.this.deployment_circuit_breaker[0].rollback
    error_message = "DP-1: circuit breaker with rollback."
  }
  assert {
    condition     = aws_ecs_service.this.deployment_minimum_healthy_percent == 100 && aws_ecs_service.this.deployment_maximum_percent == 200
    error_message = "DP-2: explicit rolling bounds 100/200."
  }
  assert {
    condition     = aws_ecs_service.this.health_check_grace_period_seconds >= 30 && aws_ecs_service.this.health_check_grace_period_seconds <= 120
    error_message = "DP-3: health-check grace period between 30 and 120 s."
  }
  assert {
    condition     = aws_ecs_service.this.deployment_controller[0].type == "ECS"
    error_message = "DP-1: the circuit breaker needs the ECS (rolling) deployment controller."
  }
  assert {
    condition     = aws_ecs_service.this.load_balancer == toset([{ target_group_arn = var.target_group_arn, container_name = "app", container_port = 8000, elb_name = null }]) || (one(aws_ecs_service.this.load_balancer).target_group_arn == var.target_group_arn && one(aws_ecs_service.this.load_balancer).container_port == 8000)
    error_message = "The service registers container app:8000 in its target group."
  }
  assert {
    condition     = aws_ecs_service.this.enable_execute_command == false
    error_message = "E12: ECS Exec is off by default."
  }
  assert {
    condition     = length(aws_ecs_service.this.alarms) == 0
    error_message = "Without alarm names there is no alarm-based rollback block."
  }
  assert {
    condition     = aws_ecs_service.this.desired_count == 2
    error_message = "Terraform creates the service with desired_count (then ignored: autoscaling and the CLI own it)."
  }
}

run "alarm_based_rollback" {
  command = plan

  variables {
    deployment_alarm_names = ["library-test-reader-5xx"]
  }

  assert {
    condition     = aws_ecs_service.this.alarms[0].enable && aws_ecs_service.this.alarms[0].rollback && aws_ecs_service.this.alarms[0].alarm_names == toset(["library-test-reader-5xx"])
    error_message = "DP-10: the 5xx alarm rolls a deployment back."
  }
}

run "roles_are_separate_and_least_privilege" {
  command = plan

  assert {
    condition     = aws_iam_role.execution.name != aws_iam_role.task.name
    error_message = "E10: execution role and task role are different roles."
  }
  assert {
    condition = alltrue([
      for r in [aws_iam_role.execution, aws_iam_role.task] :
      alltrue([for s in jsondecode(r.assume_role_policy).Statement : s.Principal == { Service = "ecs-tasks.amazonaws.com" } && s.Condition.StringEquals["aws:SourceAccount"] == "123456789012"])
    ])
    error_message = "I1: both roles trust only ecs-tasks.amazonaws.com, scoped to this account."
  }
  assert {
    condition = alltrue([
      for s in jsondecode(aws_iam_role_policy.execution.policy).Statement :
      alltrue([for a in flatten([s.Action]) : a != "*" && !endswith(a, ":*")])
    ])
    error_message = "I2: no wildcard actions in the execution role."
  }
  assert {
    condition = alltrue([
      for s in jsondecode(aws_iam_role_policy.execution.policy).Statement :
      s.Resource != "*" || flatten([s.Action]) == ["ecr:GetAuthorizationToken"]
    ])
    error_message = "I2: the only '*' resource is ecr:GetAuthorizationToken, alone in its statement."
  }
  assert {
    condition = alltrue([
      for s in jsondecode(aws_iam_role_policy.execution.policy).Statement :
      !contains(flatten([s.Action]), "iam:PassRole")
    ])
    error_message = "I2: no iam:PassRole."
  }
  assert {
    condition     = one([for s in jsondecode(aws_iam_role_policy.execution.policy).Statement : s.Resource if contains(s.Action, "secretsmanager:GetSecretValue")]) == [var.database.secret_arn]
    error_message = "The execution role reads exactly the DB secret."
  }
  assert {
    condition     = one([for s in jsondecode(aws_iam_role_policy.execution.policy).Statement : s.Resource if contains(s.Action, "ecr:BatchGetImage")]) == [var.ecr_repository_arn]
    error_message = "The execution role pulls only from the service's own repository."
  }
  assert {
    condition     = one([for s in jsondecode(aws_iam_role_policy.execution.policy).Statement : s.Resource if contains(s.Action, "logs:PutLogEvents")]) == ["arn:aws:logs:eu-west-1:123456789012:log-group:/ecs/library-test-reader:*"]
    error_message = "The execution role writes only to the service's log group."
  }
  assert {
    condition     = length(aws_iam_role_policy.task) == 0
    error_message = "The task role has no permissions while ECS Exec is off (the app calls no AWS API)."
  }
}

run "ecs_exec_when_enabled" {
  command = plan

  variables {
    enable_execute_command = true
  }

  assert {
    condition     = aws_ecs_service.this.enable_execute_command == true
    error_message = "ECS Exec can be turned on."
  }
  assert {
    condition     = alltrue([for s in jsondecode(aws_iam_role_policy.task[0].policy).Statement : alltrue([for a in s.Action : startswith(a, "ssmmessages:")])])
    error_message = "With ECS Exec and no exec log group or key, the task role gets only the ssmmessages channel actions."
  }
}

run "ecs_exec_logs_and_key_are_scoped" {
  command = plan

  variables {
    enable_execute_command = true
    exec_log_group_name    = "/ecs/library-test/exec"
    exec_kms_key_arn       = "arn:aws:kms:eu-west-1:123456789012:key/11111111-1111-1111-1111-111111111111"
  }

  assert {
    condition     = one([for s in jsondecode(aws_iam_role_policy.task[0].policy).Statement : s.Resource if contains(s.Action, "logs:PutLogEvents")]) == ["arn:aws:logs:eu-west-1:123456789012:log-group:/ecs/library-test/exec:*"]
    error_message = "ECS Exec session logs go only to the cluster's exec log group."
  }
  assert {
    condition     = one([for s in jsondecode(aws_iam_role_policy.task[0].policy).Statement : s.Resource if contains(s.Action, "kms:Decrypt")]) == [var.exec_kms_key_arn]
    error_message = "The task role may decrypt only with the exec session key."
  }
  assert {
    condition     = alltrue([for s in jsondecode(aws_iam_role_policy.task[0].policy).Statement : s.Resource != ["*"] || alltrue([for a in s.Action : startswith(a, "ssmmessages:")])])
    error_message = "I2: the only '*' resource in the task role is the ssmmessages channels (waived, AVD-AWS-0057)."
  }
}

run "logs_and_autoscaling" {
  command = plan

  assert {
    condition     = aws_cloudwatch_log_group.this.retention_in_days == 365 && aws_cloudwatch_log_group.this.kms_key_id == var.log_kms_key_arn
    error_message = "C1-C3: the log group has a retention (default 365 d) and a CMK."
  }
  assert {
    condition     = aws_appautoscaling_target.this.min_capacity == 2 && aws_appautoscaling_target.this.max_capacity == 6 && aws_appautoscaling_target.this.resource_id == "service/library-test/library-test-reader"
    error_message = "Autoscaling targets the service with min/max from the variables."
  }
  assert {
    condition     = aws_appautoscaling_policy.cpu.target_tracking_scaling_policy_configuration[0].predefined_metric_specification[0].predefined_metric_type == "ECSServiceAverageCPUUtilization"
    error_message = "Target tracking on CPU."
  }
  assert {
    condition = (
      aws_appautoscaling_policy.requests.target_tracking_scaling_policy_configuration[0].predefined_metric_specification[0].predefined_metric_type == "ALBRequestCountPerTarget" &&
      aws_appautoscaling_policy.requests.target_tracking_scaling_policy_configuration[0].predefined_metric_specification[0].resource_label == var.alb_resource_label
    )
    error_message = "Target tracking on ALB requests per target, for this service's target group."
  }
}

run "apply_outputs" {
  command = apply

  assert {
    condition     = output.task_family == "library-test-reader" && output.service_name == "library-test-reader" && output.container_name == "app" && output.log_group_name == "/ecs/library-test-reader"
    error_message = "Outputs name the family, service, container and log group the deploy CLI uses."
  }
  assert {
    condition     = output.execution_role_arn != null && output.task_role_arn != null
    error_message = "Both role ARNs are output."
  }
  assert {
    condition     = aws_ecs_service.this.task_definition == aws_ecs_task_definition.this.arn
    error_message = "Terraform creates the service on the first revision it registered (later revisions are the CLI's, ignore_changes)."
  }
}
