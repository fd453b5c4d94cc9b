# Service module: task definition, IAM, ECS service and autoscaling (docs/reliability.md#ecs, I1/I2, DP-1..DP-10).

mock_provider "aws" {
  source = "../../tests/mocks"
}

variables {
  # Off here so the runs below see the app container and its roles alone; the tracing runs turn it on.
  tracing = { enabled = false }
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
    condition     = jsondecode(aws_ecs_task_definition.this.container_definitions)[0].mountPoints == [{ sourceVolume = "tmp", containerPath = "/tmp", readOnly = false }] && [for v in aws_ecs_task_definition.this.volume : v.name] == ["tmp"]
    error_message = "E2: the only writable path is the /tmp task volume (uid 1000 writes there: the image declares VOLUME /tmp)."
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

run "iam_database_login_without_secrets" {
  command = plan

  assert {
    condition     = alltrue([for e in jsondecode(aws_ecs_task_definition.this.container_definitions)[0].environment : !can(regex("(?i)PASSWORD|SECRET|TOKEN|AWS_SECRET", e.name))])
    error_message = "E6: no environment variable may look like a secret."
  }
  assert {
    condition     = length(try(jsondecode(aws_ecs_task_definition.this.container_definitions)[0].secrets, [])) == 0
    error_message = "R-1: the service gets no secret at all (no DB_PASSWORD, no master secret): it logs in with IAM auth."
  }
  assert {
    condition = {
      for e in jsondecode(aws_ecs_task_definition.this.container_definitions)[0].environment : e.name => e.value
      } == {
      PORT        = "8000"
      AWS_REGION  = "eu-west-1"
      DB_AUTH     = "iam"
      DB_HOST     = "db.internal"
      DB_PORT     = "5432"
      DB_NAME     = "library_db"
      DB_USER     = "library_reader"
      DB_SSL      = "verify-full"
      DB_POOL_MAX = "10"
      LOG_LEVEL   = "info"
    }
    error_message = "The environment is exactly the task environment of docs/deploy-contract.md with IAM login as the service's own role (no DB_READ_HOST without a replica)."
  }
  assert {
    condition     = one([for st in jsondecode(aws_iam_role_policy.task.policy).Statement : st.Resource if contains(st.Action, "rds-db:connect")]) == ["arn:aws:rds-db:eu-west-1:123456789012:dbuser:db-PRIMARY0000000000000000001/library_reader"]
    error_message = "R-1: the task role may connect only as its own database user, on the instance's DbiResourceId."
  }
  assert {
    condition     = alltrue([for st in jsondecode(aws_iam_role_policy.execution.policy).Statement : alltrue([for a in flatten([st.Action]) : !startswith(a, "secretsmanager:") && !startswith(a, "kms:")])])
    error_message = "R-1: the service's execution role reads no secret (only the migrate task's role may read the master secret)."
  }
}

run "reader_connects_to_primary_and_replica" {
  command = plan

  variables {
    database = {
      host         = "db.internal"
      user         = "library_reader"
      resource_ids = ["db-PRIMARY0000000000000000001", "db-REPLICA0000000000000000001"]
    }
  }

  assert {
    condition = one([for st in jsondecode(aws_iam_role_policy.task.policy).Statement : st.Resource if contains(st.Action, "rds-db:connect")]) == [
      "arn:aws:rds-db:eu-west-1:123456789012:dbuser:db-PRIMARY0000000000000000001/library_reader",
      "arn:aws:rds-db:eu-west-1:123456789012:dbuser:db-REPLICA0000000000000000001/library_reader",
    ]
    error_message = "With a replica the reader may connect to the primary and to the replica, as library_reader only."
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
    condition     = aws_ecs_service.this[0].network_configuration[0].assign_public_ip == false
    error_message = "E1: tasks get no public IP."
  }
  assert {
    condition     = aws_ecs_service.this[0].network_configuration[0].subnets == toset(["subnet-aaaa", "subnet-bbbb"]) && aws_ecs_service.this[0].network_configuration[0].security_groups == toset(["sg-services"])
    error_message = "Tasks run in the given private subnets with the services security group."
  }
  assert {
    condition     = aws_ecs_service.this[0].launch_type == "FARGATE" && contains(["LATEST"], aws_ecs_service.this[0].platform_version)
    error_message = "E8: Fargate on LATEST."
  }
  assert {
    condition     = aws_ecs_service.this[0].deployment_circuit_breaker[0].enable && aws_ecs_service.this[0].deployment_circuit_breaker[0].rollback
    error_message = "DP-1: circuit breaker with rollback."
  }
  assert {
    condition     = aws_ecs_service.this[0].deployment_minimum_healthy_percent == 100 && aws_ecs_service.this[0].deployment_maximum_percent == 200
    error_message = "DP-2: explicit rolling bounds 100/200."
  }
  assert {
    condition     = aws_ecs_service.this[0].health_check_grace_period_seconds >= 30 && aws_ecs_service.this[0].health_check_grace_period_seconds <= 120
    error_message = "DP-3: health-check grace period between 30 and 120 s."
  }
  assert {
    condition     = aws_ecs_service.this[0].deployment_controller[0].type == "ECS"
    error_message = "DP-1: the circuit breaker needs the ECS (rolling) deployment controller."
  }
  assert {
    condition     = aws_ecs_service.this[0].load_balancer == toset([{ target_group_arn = var.target_group_arn, container_name = "app", container_port = 8000, elb_name = null }]) || (one(aws_ecs_service.this[0].load_balancer).target_group_arn == var.target_group_arn && one(aws_ecs_service.this[0].load_balancer).container_port == 8000)
    error_message = "The service registers container app:8000 in its target group."
  }
  assert {
    condition     = aws_ecs_service.this[0].enable_execute_command == false
    error_message = "E12: ECS Exec is off by default."
  }
  assert {
    condition     = length(aws_ecs_service.this[0].alarms) == 0
    error_message = "Without alarm names there is no alarm-based rollback block."
  }
  assert {
    condition     = terraform_data.listener_rules.input == var.listener_rule_arns
    error_message = "R-6: the service waits for the listener rules that use its target group (depends_on terraform_data.listener_rules)."
  }
  assert {
    condition     = length(aws_ecs_service.this[0].capacity_provider_strategy) == 0
    error_message = "On demand by default: launch type FARGATE, no capacity provider strategy."
  }
  assert {
    condition     = aws_ecs_service.this[0].desired_count == 2
    error_message = "Terraform creates the service with desired_count (then ignored: autoscaling and the CLI own it)."
  }
}

run "alarm_based_rollback" {
  command = plan

  variables {
    deployment_alarm_names = ["library-test-reader-5xx"]
  }

  assert {
    condition     = aws_ecs_service.this[0].alarms[0].enable && aws_ecs_service.this[0].alarms[0].rollback && aws_ecs_service.this[0].alarms[0].alarm_names == toset(["library-test-reader-5xx"])
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
    condition     = one([for s in jsondecode(aws_iam_role_policy.execution.policy).Statement : s.Resource if contains(s.Action, "ecr:BatchGetImage")]) == [var.ecr_repository_arn]
    error_message = "The execution role pulls only from the service's own repository."
  }
  assert {
    condition     = one([for s in jsondecode(aws_iam_role_policy.execution.policy).Statement : s.Resource if contains(s.Action, "logs:PutLogEvents")]) == ["arn:aws:logs:eu-west-1:123456789012:log-group:/ecs/library-test-reader:*"]
    error_message = "The execution role writes only to the service's log group."
  }
  assert {
    condition     = [for st in jsondecode(aws_iam_role_policy.task.policy).Statement : st.Action] == [["rds-db:connect"]]
    error_message = "While ECS Exec is off the task role may only connect to the database (IAM auth)."
  }
  assert {
    condition     = length(aws_iam_role.migrate_execution) == 0 && length(aws_ecs_task_definition.migrate) == 0
    error_message = "No migrate task unless asked for (the writer's call passes var.migration)."
  }
}

run "ecs_exec_when_enabled" {
  command = plan

  variables {
    enable_execute_command = true
  }

  assert {
    condition     = aws_ecs_service.this[0].enable_execute_command == true
    error_message = "ECS Exec can be turned on."
  }
  assert {
    condition     = toset(flatten([for st in jsondecode(aws_iam_role_policy.task.policy).Statement : st.Action])) == toset(["rds-db:connect", "ssmmessages:CreateControlChannel", "ssmmessages:CreateDataChannel", "ssmmessages:OpenControlChannel", "ssmmessages:OpenDataChannel"])
    error_message = "With ECS Exec and no exec log group or key, the task role adds only the ssmmessages channel actions."
  }
  assert {
    condition = (
      toset([for v in aws_ecs_task_definition.this.volume : v.name]) == toset(["tmp", "managed-agents", "ssm-var-lib", "ssm-var-log"]) &&
      toset(jsondecode(aws_ecs_task_definition.this.container_definitions)[0].mountPoints) == toset([
        { sourceVolume = "tmp", containerPath = "/tmp", readOnly = false },
        { sourceVolume = "managed-agents", containerPath = "/managed-agents", readOnly = false },
        { sourceVolume = "ssm-var-lib", containerPath = "/var/lib/amazon", readOnly = false },
        { sourceVolume = "ssm-var-log", containerPath = "/var/log/amazon", readOnly = false },
      ])
    )
    error_message = "R-4: with ECS Exec /managed-agents (the agent's bind mounts) and the SSM agent's state and log trees are writable task volumes."
  }
  assert {
    condition     = jsondecode(aws_ecs_task_definition.this.container_definitions)[0].readonlyRootFilesystem == true
    error_message = "E2: ECS Exec does not cost the read-only root filesystem."
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
    condition = one([for s in jsondecode(aws_iam_role_policy.task.policy).Statement : s.Resource if contains(s.Action, "logs:PutLogEvents")]) == [
      "arn:aws:logs:eu-west-1:123456789012:log-group:/ecs/library-test/exec:*", "arn:aws:logs:eu-west-1:123456789012:log-group:/ecs/library-test/exec",
    ]
    error_message = "ECS Exec session logs go only to the cluster's exec log group (its streams, and the group for DescribeLogStreams)."
  }
  assert {
    condition     = one([for s in jsondecode(aws_iam_role_policy.task.policy).Statement : s.Resource if contains(s.Action, "kms:Decrypt")]) == [var.exec_kms_key_arn]
    error_message = "The task role may decrypt only with the exec session key."
  }
  assert {
    condition     = alltrue([for s in jsondecode(aws_iam_role_policy.task.policy).Statement : s.Resource != ["*"] || alltrue([for a in s.Action : startswith(a, "ssmmessages:") || a == "logs:DescribeLogGroups"])])
    error_message = "I2: the only '*' resources in the task role are the ssmmessages channels and logs:DescribeLogGroups, which have no resource type (waived, AVD-AWS-0057)."
  }
}

run "logs_and_autoscaling" {
  command = plan

  assert {
    condition     = aws_cloudwatch_log_group.this.retention_in_days == 365 && aws_cloudwatch_log_group.this.kms_key_id == var.logs.kms_key_arn
    error_message = "C1-C3: the log group has a retention (default 365 d) and a CMK."
  }
  assert {
    condition     = aws_appautoscaling_target.this.min_capacity == 2 && aws_appautoscaling_target.this.max_capacity == 6 && aws_appautoscaling_target.this.resource_id == "service/library-test/library-test-reader"
    error_message = "Autoscaling targets the service with min/max from the variables."
  }
  assert {
    condition     = aws_appautoscaling_policy.this["cpu"].target_tracking_scaling_policy_configuration[0].predefined_metric_specification[0].predefined_metric_type == "ECSServiceAverageCPUUtilization"
    error_message = "Target tracking on CPU."
  }
  assert {
    condition = (
      aws_appautoscaling_policy.this["requests"].target_tracking_scaling_policy_configuration[0].predefined_metric_specification[0].predefined_metric_type == "ALBRequestCountPerTarget" &&
      aws_appautoscaling_policy.this["requests"].target_tracking_scaling_policy_configuration[0].predefined_metric_specification[0].resource_label == var.alb_resource_label
    )
    error_message = "Target tracking on ALB requests per target, for this service's target group."
  }
}

run "fargate_spot" {
  command = plan

  variables {
    task = { fargate_spot = true }
  }

  assert {
    condition = (
      one(aws_ecs_service.this[0].capacity_provider_strategy).capacity_provider == "FARGATE_SPOT" &&
      one(aws_ecs_service.this[0].capacity_provider_strategy).weight == 1 &&
      aws_ecs_service.this[0].platform_version == "LATEST"
    )
    error_message = "E8: a dev service on Fargate Spot uses only the FARGATE_SPOT capacity provider (instead of a launch type) on LATEST."
  }
}

run "apply_outputs" {
  command = apply

  assert {
    condition     = output.task.family == "library-test-reader" && output.service.name == "library-test-reader" && output.task.container_name == "app" && output.task.log_group_name == "/ecs/library-test-reader"
    error_message = "Outputs name the family, service, container and log group the deploy CLI uses."
  }
  assert {
    condition     = output.task.execution_role_arn != null && output.task.task_role_arn != null
    error_message = "Both role ARNs are output."
  }
  assert {
    condition     = aws_ecs_service.this[0].task_definition == aws_ecs_task_definition.this.arn
    error_message = "Terraform creates the service on the first revision it registered (later revisions are the CLI's, ignore_changes)."
  }
  assert {
    condition     = output.task.definition_arn == aws_ecs_task_definition.this.arn && can(regex(":task-definition/[^:]+:[0-9]+$", output.task.definition_arn))
    error_message = "R-3: task_definition_arn is the ARN with revision of Terraform's latest registration."
  }
  assert {
    condition     = output.migration == null && output.service.listener_rule_arns == var.listener_rule_arns
    error_message = "No migrate task without var.migration; the listener rules are passed through."
  }
}

################################################################################
# Tracing: ADOT collector sidecar -> X-Ray (tracing.tf)
################################################################################

run "tracing_off_has_no_sidecar_and_no_xray" {
  command = plan

  assert {
    condition     = [for c in jsondecode(aws_ecs_task_definition.this.container_definitions) : c.name] == ["app"]
    error_message = "Without tracing the task runs the app container alone."
  }
  assert {
    condition     = length([for e in jsondecode(aws_ecs_task_definition.this.container_definitions)[0].environment : e if startswith(e.name, "OTEL_")]) == 0 && try(jsondecode(aws_ecs_task_definition.this.container_definitions)[0].dependsOn, null) == null
    error_message = "Without tracing the app gets no OTEL_* variable (no exporter: tracing off) and depends on nothing."
  }
  assert {
    condition     = alltrue([for st in jsondecode(aws_iam_role_policy.task.policy).Statement : alltrue([for a in st.Action : !startswith(a, "xray:")])])
    error_message = "Without tracing the task role has no X-Ray permission."
  }
}

run "tracing_adds_a_hardened_collector_sidecar" {
  command = plan

  variables {
    tracing = { enabled = true, sample_ratio = 0.25 }
  }

  assert {
    condition     = [for c in jsondecode(aws_ecs_task_definition.this.container_definitions) : c.name] == ["app", "aws-otel-collector"]
    error_message = "With tracing the task runs the app and the ADOT collector (app first: the deploy CLI swaps the app's image by name)."
  }
  assert {
    condition = alltrue([for c in jsondecode(aws_ecs_task_definition.this.container_definitions) :
      c.readonlyRootFilesystem == true && !try(c.privileged, false) && try(c.user, "") != "" && !contains(["root", "0"], split(":", c.user)[0]) &&
      c.logConfiguration.logDriver == "awslogs" && c.logConfiguration.options["awslogs-group"] == "/ecs/library-test-reader"
    ])
    error_message = "E2/E3/E4/E7 over every container: read-only root, not privileged, non-root, awslogs to the service's log group."
  }
  assert {
    condition = one([for c in jsondecode(aws_ecs_task_definition.this.container_definitions) : c if c.name == "aws-otel-collector"]) == {
      name                   = "aws-otel-collector"
      image                  = "public.ecr.aws/aws-observability/aws-otel-collector:v0.49.0"
      essential              = false
      user                   = "4317"
      command                = ["--config=/etc/ecs/ecs-xray.yaml"]
      readonlyRootFilesystem = true
      privileged             = false
      cpu                    = 64
      memoryReservation      = 64
      healthCheck            = { command = ["CMD", "/healthcheck"], interval = 30, timeout = 5, retries = 3, startPeriod = 10 }
      logConfiguration = {
        logDriver = "awslogs"
        options   = { awslogs-group = "/ecs/library-test-reader", awslogs-region = "eu-west-1", awslogs-stream-prefix = "otel" }
      }
    }
    error_message = "The collector: pinned ADOT image, non-essential, its uid 4317, the ECS traces-to-X-Ray config, a small reservation, its own awslogs stream prefix, no mounts."
  }
  assert {
    condition = {
      for e in jsondecode(aws_ecs_task_definition.this.container_definitions)[0].environment : e.name => e.value if startswith(e.name, "OTEL_")
      } == {
      OTEL_EXPORTER_OTLP_ENDPOINT = "http://127.0.0.1:4318"
      OTEL_SERVICE_NAME           = "library-test-reader"
      OTEL_TRACES_SAMPLER         = "parentbased_traceidratio"
      OTEL_TRACES_SAMPLER_ARG     = "0.25"
    }
    error_message = "The app exports OTLP/HTTP to the sidecar on loopback, names itself after the service and samples parent-based at the ratio."
  }
  assert {
    condition     = jsondecode(aws_ecs_task_definition.this.container_definitions)[0].dependsOn == [{ containerName = "aws-otel-collector", condition = "START" }]
    error_message = "The app starts after the collector has started."
  }
  assert {
    condition     = alltrue([for e in jsondecode(aws_ecs_task_definition.this.container_definitions)[0].environment : !can(regex("(?i)PASSWORD|SECRET|TOKEN|AWS_SECRET", e.name))])
    error_message = "E6: the OTEL_* variables carry no secret."
  }
  assert {
    condition = one([for st in jsondecode(aws_iam_role_policy.task.policy).Statement : st if st.Sid == "XRayWriteTraces"]) == {
      Sid    = "XRayWriteTraces", Effect = "Allow", Resource = ["*"]
      Action = ["xray:PutTraceSegments", "xray:PutTelemetryRecords", "xray:GetSamplingRules", "xray:GetSamplingTargets", "xray:GetSamplingStatisticSummaries"]
    }
    error_message = "The task role may write traces and read sampling rules/targets (AWSXRayDaemonWriteAccess's actions), nothing else of X-Ray."
  }
  assert {
    condition     = alltrue([for st in jsondecode(aws_iam_role_policy.execution.policy).Statement : st.Sid != "PullCollectorMirror"])
    error_message = "A public.ecr.aws collector image needs no execution-role permission."
  }
  assert {
    condition     = [for v in aws_ecs_task_definition.this.volume : v.name] == ["tmp"]
    error_message = "The collector needs no volume: the task's only writable path is still the app's /tmp."
  }
}

run "tracing_from_this_accounts_collector_repository" {
  command = plan

  variables {
    tracing = { enabled = true }
    otel_collector = {
      repository_url = "123456789012.dkr.ecr.eu-west-1.amazonaws.com/library-test/otel-collector"
      repository_arn = "arn:aws:ecr:eu-west-1:123456789012:repository/library-test/otel-collector"
    }
  }

  assert {
    condition     = one([for c in jsondecode(aws_ecs_task_definition.this.container_definitions) : c.image if c.name == "aws-otel-collector"]) == "123456789012.dkr.ecr.eu-west-1.amazonaws.com/library-test/otel-collector:v0.49.0"
    error_message = "Without internet egress the collector comes from this account's repository, under the pinned upstream tag."
  }
  assert {
    condition     = output.tracing.source_image == "public.ecr.aws/aws-observability/aws-otel-collector:v0.49.0" && output.tracing.image == "123456789012.dkr.ecr.eu-west-1.amazonaws.com/library-test/otel-collector:v0.49.0"
    error_message = "The output names the upstream image the deploy CLI mirrors and the mirror the task pulls."
  }
  assert {
    condition = one([for st in jsondecode(aws_iam_role_policy.execution.policy).Statement : st if st.Sid == "PullCollectorMirror"]) == {
      Sid      = "PullCollectorMirror", Effect = "Allow"
      Action   = ["ecr:BatchCheckLayerAvailability", "ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer"]
      Resource = ["arn:aws:ecr:eu-west-1:123456789012:repository/library-test/otel-collector"]
    }
    error_message = "The execution role may pull exactly the collector repository: no import, no repository creation."
  }
  assert {
    condition     = contains([for e in jsondecode(aws_ecs_task_definition.this.container_definitions)[0].environment : e.name], "OTEL_TRACES_SAMPLER_ARG") && one([for e in jsondecode(aws_ecs_task_definition.this.container_definitions)[0].environment : e.value if e.name == "OTEL_TRACES_SAMPLER_ARG"]) == "0.1"
    error_message = "The default sample ratio is 0.1."
  }
}
