# The one-off `migrate` task (docs/deploy-contract.md#container-contract), registered next to the writer service: same
# image and hardening, command ["migrate"], but its own family, log group and roles. It is the only place the
# master credentials reach: DB_AUTH=password as the master user, DB_PASSWORD from the master secret. The
# migration creates the services' roles (library_reader, library_writer) and grants them rds_iam.
# No ECS service runs it; the deploy CLI starts it with RunTask (output `migration`).

locals {
  migrate      = var.migration != null
  migrate_name = local.migrate ? var.migration.family : ""

  migrate_log_group_name = "/ecs/${local.migrate_name}"
  migrate_log_group_arn  = "arn:${local.partition}:logs:${local.region}:${local.account_id}:log-group:${local.migrate_log_group_name}"

  # The services' environment with the master user instead of their IAM login (no PORT use, no DB_READ_HOST:
  # the writer never has one).
  migrate_environment = merge(local.environment, local.migrate ? {
    DB_AUTH = "password"
    DB_USER = var.migration.master_user
  } : {})

  # E6: the master password only through secrets[].valueFrom: "<secret arn>:<json key>::" (ECS Developer Guide,
  # "Pass Secrets Manager secrets through Amazon ECS environment variables").
  migrate_secrets = local.migrate ? [{
    name      = "DB_PASSWORD"
    valueFrom = "${var.migration.secret_arn}:password::"
  }] : []

  migrate_container = merge(local.container_base, {
    name        = var.container_name
    command     = ["migrate"]
    environment = [for k in sort(keys(local.migrate_environment)) : { name = k, value = local.migrate_environment[k] }]
    secrets     = local.migrate_secrets
    mountPoints = [local.tmp_mount]

    logConfiguration = local.log_configurations.migrate
  })

  # Same agent permissions as the service's execution role, for this family's log group, plus the master secret.
  migrate_execution_statements = [for st in [
    {
      keep     = true
      Sid      = "EcrAuthToken"
      Action   = ["ecr:GetAuthorizationToken"]
      Resource = "*"
    },
    {
      keep     = true
      Sid      = "PullOwnImage"
      Action   = ["ecr:BatchCheckLayerAvailability", "ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer"]
      Resource = [var.ecr_repository_arn]
    },
    {
      keep     = true
      Sid      = "WriteOwnLogs"
      Action   = ["logs:CreateLogStream", "logs:PutLogEvents"]
      Resource = ["${local.migrate_log_group_arn}:*"]
    },
    {
      keep     = true
      Sid      = "ReadMasterSecret"
      Action   = ["secretsmanager:GetSecretValue"]
      Resource = [local.migrate ? var.migration.secret_arn : "none"]
    },
    {
      # A secret on a customer-managed key: the agent decrypts through Secrets Manager only.
      keep     = local.migrate && try(var.migration.secret_kms_key_arn, null) != null
      Sid      = "DecryptMasterSecret"
      Action   = ["kms:Decrypt"]
      Resource = [coalesce(try(var.migration.secret_kms_key_arn, null), "none")]
      Condition = {
        StringEquals = { "kms:ViaService" = "secretsmanager.${local.region}.amazonaws.com" }
      }
    },
  ] : merge({ Sid = st.Sid, Effect = "Allow", Action = st.Action, Resource = st.Resource }, try({ Condition = st.Condition }, {})) if st.keep]
}

resource "aws_cloudwatch_log_group" "migrate" {
  count = local.migrate ? 1 : 0

  name              = local.migrate_log_group_name
  retention_in_days = var.logs.retention_days # C1/C2
  kms_key_id        = var.logs.kms_key_arn    # C3
}

resource "aws_iam_role" "migrate_execution" {
  count = local.migrate ? 1 : 0

  name               = "${local.migrate_name}-execution"
  description        = "ECS agent for ${local.migrate_name}: pull the writer image, write its logs, read the DB master secret"
  assume_role_policy = local.assume_role_policy
}

resource "aws_iam_role_policy" "migrate_execution" {
  count = local.migrate ? 1 : 0

  name   = "pull-log-master-secret"
  role   = aws_iam_role.migrate_execution[0].id
  policy = jsonencode({ Version = "2012-10-17", Statement = local.migrate_execution_statements })
}

# E10: a task role of its own, without any permission (migrations call no AWS API).
resource "aws_iam_role" "migrate_task" {
  count = local.migrate ? 1 : 0

  name               = "${local.migrate_name}-task"
  description        = "The migrate command in ${local.migrate_name}: no AWS permissions"
  assume_role_policy = local.assume_role_policy
}

resource "aws_ecs_task_definition" "migrate" {
  count = local.migrate ? 1 : 0

  family                   = local.migrate_name
  requires_compatibilities = ["FARGATE"]
  network_mode             = "awsvpc" # E11
  cpu                      = tostring(var.task.cpu)
  memory                   = tostring(var.task.memory)
  execution_role_arn       = aws_iam_role.migrate_execution[0].arn
  task_role_arn            = aws_iam_role.migrate_task[0].arn
  container_definitions    = jsonencode([local.migrate_container])

  runtime_platform {
    operating_system_family = "LINUX"
    cpu_architecture        = var.task.cpu_architecture
  }

  volume {
    name = "tmp"
  }
}
