# Service module as the writer's call makes it: with var.migration, the one-off migrate task (R-1, R-3). Every run
# here starts from the writer's inputs below and changes only what it tests.

mock_provider "aws" {
  source = "../../tests/mocks"
}

variables {
  tracing   = { enabled = false }
  name      = "library-test-writer"
  database  = { host = "db.internal", user = "library_writer", resource_ids = ["db-PRIMARY0000000000000000001"] }
  migration = { family = "library-test-migrate", master_user = "library_admin", secret_arn = "arn:aws:secretsmanager:eu-west-1:123456789012:secret:library-test-master-AbCdEf" }
}

run "migrate_task_for_the_writer" {
  command = plan

  variables {
    migration = merge(var.migration, { secret_kms_key_arn = "arn:aws:kms:eu-west-1:123456789012:key/22222222-2222-2222-2222-222222222222" })
  }

  assert {
    condition     = aws_ecs_task_definition.migrate[0].family == "library-test-migrate" && jsondecode(aws_ecs_task_definition.migrate[0].container_definitions)[0].command == ["migrate"]
    error_message = "The migrate family <name>-migrate runs the image's migrate command."
  }
  assert {
    condition     = jsondecode(aws_ecs_task_definition.migrate[0].container_definitions)[0].image == jsondecode(aws_ecs_task_definition.this.container_definitions)[0].image
    error_message = "Migrations run the writer's image."
  }
  assert {
    condition     = jsondecode(aws_ecs_task_definition.migrate[0].container_definitions)[0].secrets == [{ name = "DB_PASSWORD", valueFrom = "arn:aws:secretsmanager:eu-west-1:123456789012:secret:library-test-master-AbCdEf:password::" }]
    error_message = "E6: the migrate task's DB_PASSWORD comes only from the master secret's password key."
  }
  assert {
    condition = (
      contains(jsondecode(aws_ecs_task_definition.migrate[0].container_definitions)[0].environment, { name = "DB_AUTH", value = "password" }) &&
      contains(jsondecode(aws_ecs_task_definition.migrate[0].container_definitions)[0].environment, { name = "DB_USER", value = "library_admin" }) &&
      contains(jsondecode(aws_ecs_task_definition.migrate[0].container_definitions)[0].environment, { name = "DB_SSL", value = "verify-full" }) &&
      contains(jsondecode(aws_ecs_task_definition.migrate[0].container_definitions)[0].environment, { name = "AWS_REGION", value = "eu-west-1" }) &&
      alltrue([for e in jsondecode(aws_ecs_task_definition.migrate[0].container_definitions)[0].environment : !can(regex("(?i)PASSWORD|SECRET|TOKEN", e.name))])
    )
    error_message = "migrate logs in with the master password over verified TLS; no secret in its plain environment."
  }
  assert {
    condition = alltrue([for c in jsondecode(aws_ecs_task_definition.migrate[0].container_definitions) :
      c.readonlyRootFilesystem && !c.privileged && c.user == "node" && c.linuxParameters.initProcessEnabled &&
      c.logConfiguration.logDriver == "awslogs" && c.logConfiguration.options["awslogs-group"] == "/ecs/library-test-migrate" &&
      c.mountPoints == [{ sourceVolume = "tmp", containerPath = "/tmp", readOnly = false }]
    ]) && [for v in aws_ecs_task_definition.migrate[0].volume : v.name] == ["tmp"]
    error_message = "E2-E4, E7, DP-9: the migrate container is hardened like the services and logs to its own group."
  }
  assert {
    condition     = aws_cloudwatch_log_group.migrate[0].name == "/ecs/library-test-migrate" && aws_cloudwatch_log_group.migrate[0].kms_key_id == var.logs.kms_key_arn && aws_cloudwatch_log_group.migrate[0].retention_in_days == 365
    error_message = "C1-C3: the migrate log group has a retention and the CMK."
  }
  assert {
    condition     = one([for st in jsondecode(aws_iam_role_policy.migrate_execution[0].policy).Statement : st.Resource if contains(st.Action, "secretsmanager:GetSecretValue")]) == [var.migration.secret_arn]
    error_message = "R-1: the migrate execution role reads exactly the master secret."
  }
  assert {
    condition = one([for st in jsondecode(aws_iam_role_policy.migrate_execution[0].policy).Statement : st if contains(st.Action, "kms:Decrypt")]) == {
      Sid       = "DecryptMasterSecret", Effect = "Allow", Action = ["kms:Decrypt"], Resource = [var.migration.secret_kms_key_arn]
      Condition = { StringEquals = { "kms:ViaService" = "secretsmanager.eu-west-1.amazonaws.com" } }
    }
    error_message = "The migrate execution role decrypts the secret's CMK through Secrets Manager only."
  }
  assert {
    condition     = one([for st in jsondecode(aws_iam_role_policy.migrate_execution[0].policy).Statement : st.Resource if contains(st.Action, "logs:PutLogEvents")]) == ["arn:aws:logs:eu-west-1:123456789012:log-group:/ecs/library-test-migrate:*"]
    error_message = "The migrate execution role writes only to its own log group."
  }
  assert {
    condition     = alltrue([for st in jsondecode(aws_iam_role_policy.execution.policy).Statement : !contains(flatten([st.Action]), "secretsmanager:GetSecretValue")])
    error_message = "R-1: the writer service's own execution role still reads no secret."
  }
  assert {
    condition     = aws_iam_role.migrate_task[0].name == "library-test-migrate-task" && aws_iam_role.migrate_execution[0].name == "library-test-migrate-execution"
    error_message = "E10: the migrate task has its own task role, separate from its execution role (and no policy on it)."
  }
}

run "apply_outputs_with_migration" {
  command = apply

  assert {
    condition = (
      output.migration.task_family == "library-test-migrate" && output.migration.container_name == "app" &&
      output.migration.log_group_name == "/ecs/library-test-migrate" && output.migration.task_definition_arn == aws_ecs_task_definition.migrate[0].arn &&
      output.migration.secret_value_from == "arn:aws:secretsmanager:eu-west-1:123456789012:secret:library-test-master-AbCdEf:password::"
    )
    error_message = "The migrate task's family, container, revision ARN and log group are output for the deploy CLI."
  }
  assert {
    condition     = length([for st in jsondecode(aws_iam_role_policy.migrate_execution[0].policy).Statement : st if contains(st.Action, "kms:Decrypt")]) == 0
    error_message = "A secret on the AWS-managed key needs no kms:Decrypt statement."
  }
}

run "migrate_task_has_no_sidecar" {
  command = plan

  variables {
    tracing = { enabled = true }
  }

  assert {
    condition     = [for c in jsondecode(aws_ecs_task_definition.migrate[0].container_definitions) : c.name] == ["app"] && length([for e in jsondecode(aws_ecs_task_definition.migrate[0].container_definitions)[0].environment : e if startswith(e.name, "OTEL_")]) == 0
    error_message = "The one-off migrate task runs no collector and exports no traces (its exit code, not its spans, is the signal)."
  }
}
