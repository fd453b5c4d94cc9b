output "service_name" {
  description = "Name of the ECS service."
  value       = local.service.name
}

output "service_arn" {
  description = "ARN (id) of the ECS service."
  value       = local.service.id
}

output "task_family" {
  description = "Task-definition family; the deploy CLI registers new revisions in it."
  value       = aws_ecs_task_definition.this.family
}

output "task_definition_arn" {
  description = "ARN with revision of the task definition Terraform registered last: the base every deploy copies, swapping only the image."
  value       = aws_ecs_task_definition.this.arn
}

output "container_name" {
  description = "Name of the application container."
  value       = var.container_name
}

output "log_group_name" {
  description = "CloudWatch log group of the service's containers."
  value       = aws_cloudwatch_log_group.this.name
}

output "execution_role_arn" {
  description = "ARN of the task-execution role (image pull, logs, DB secret)."
  value       = aws_iam_role.execution.arn
}

output "task_role_arn" {
  description = "ARN of the task role (the application's own AWS identity)."
  value       = aws_iam_role.task.arn
}

output "role_names" {
  description = "Names of the task-execution role and the task role (the deployer may pass them to ECS)."
  value       = { execution = aws_iam_role.execution.name, task = aws_iam_role.task.name }
}

output "desired_count" {
  description = "Task count the service was created with."
  value       = local.service.desired_count
}

output "container_environment" {
  description = "Plain environment of the app container in Terraform's revision (IAM database login: no password and no secret at all; the OTEL_* variables while tracing is on), for review and tests."
  value       = local.app_environment
}

output "db_connect_arns" {
  description = "The rds-db:connect resources of the task role: this service's database user on each instance it connects to."
  value       = local.db_connect_arns
}

output "listener_rule_arns" {
  description = "The listener rules the service waits for before it is created."
  value       = terraform_data.listener_rules.output
}

output "fargate_spot" {
  description = "Whether the service runs on Fargate Spot."
  value       = var.fargate_spot
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
