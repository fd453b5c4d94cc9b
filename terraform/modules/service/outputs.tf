output "service" {
  description = "The ECS service: name, ARN (id), the task count it was created with, whether it runs on Fargate Spot, and the listener rules it waited for before it was created."
  value = {
    name               = local.service.name
    arn                = local.service.id
    desired_count      = local.service.desired_count
    fargate_spot       = var.task.fargate_spot
    listener_rule_arns = terraform_data.listener_rules.output
  }
}

output "task" {
  description = <<-EOT
    The task Terraform registered: its family (the deploy CLI registers new revisions in it), definition_arn (with
    revision: the base every deploy copies, swapping only the image), the app's container_name, the containers'
    log_group_name, container_environment (plain: IAM database login, no password and no secret at all; the OTEL_*
    variables while tracing is on), db_connect_arns (the task role's rds-db:connect resources: this service's
    database user on each instance), the task-execution role (image pull, logs) and task role (the application's
    own AWS identity) by ARN, and role_names (execution, task: the deployer may pass them to ECS).
  EOT
  value = {
    family                = aws_ecs_task_definition.this.family
    definition_arn        = aws_ecs_task_definition.this.arn
    container_name        = var.container_name
    log_group_name        = aws_cloudwatch_log_group.this.name
    container_environment = local.app_environment
    db_connect_arns       = local.db_connect_arns
    execution_role_arn    = aws_iam_role.execution.arn
    task_role_arn         = aws_iam_role.task.arn
    role_names            = { execution = aws_iam_role.execution.name, task = aws_iam_role.task.name }
  }
}

output "migration" {
  description = "The one-off migrate task (null without var.migration): task_family, container_name, task_definition_arn (with revision), log_group_name, the secret DB_PASSWORD comes from, its environment and its two roles."
  value = local.migrate ? {
    task_family         = aws_ecs_task_definition.migrate[0].family
    container_name      = var.container_name
    task_definition_arn = aws_ecs_task_definition.migrate[0].arn
    log_group_name      = aws_cloudwatch_log_group.migrate[0].name
    secret_value_from   = local.migrate_secrets[0].valueFrom
    environment         = local.migrate_environment
    execution_role_arn  = aws_iam_role.migrate_execution[0].arn
    task_role_arn       = aws_iam_role.migrate_task[0].arn
    role_names          = { execution = aws_iam_role.migrate_execution[0].name, task = aws_iam_role.migrate_task[0].name }
  } : null
}

output "tracing" {
  description = "Whether the ADOT collector sidecar runs, the image it pulls, the pinned upstream image the deploy CLI mirrors into this account's repository (source_image), and the OTEL_* variables the app gets (empty without tracing)."
  value = {
    enabled      = local.tracing
    image        = local.tracing ? local.otel_collector_image : null
    source_image = local.tracing ? local.otel_collector_source_image : null
    tag          = local.tracing ? local.otel_collector_tag : null
    environment  = local.tracing_environment
  }
}
