output "service_name" {
  description = "Name of the ECS service."
  value       = aws_ecs_service.this.name
}

output "service_arn" {
  description = "ARN (id) of the ECS service."
  value       = aws_ecs_service.this.id
}

output "task_family" {
  description = "Task-definition family; the deploy CLI registers new revisions in it."
  value       = aws_ecs_task_definition.this.family
}

output "task_definition_arn" {
  description = "ARN of the first revision Terraform registered (later ones come from the deploy CLI)."
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

output "desired_count" {
  description = "Task count the service was created with."
  value       = aws_ecs_service.this.desired_count
}

output "container_environment" {
  description = "Plain environment of the first revision (no secrets: DB_PASSWORD comes through `secrets`), for review and tests."
  value       = local.environment
}

output "secret_value_from" {
  description = "Where DB_PASSWORD comes from: the RDS-managed secret ARN plus the JSON key selector `:password::`."
  value       = local.secrets[0].valueFrom
}
