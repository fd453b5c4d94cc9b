output "name" {
  description = "Name of the ECS cluster."
  value       = aws_ecs_cluster.this.name
}

output "arn" {
  description = "ARN of the ECS cluster, available once its capacity providers are associated (services may use FARGATE_SPOT)."
  value       = aws_ecs_cluster.this.arn

  depends_on = [aws_ecs_cluster_capacity_providers.this]
}

output "capacity_providers" {
  description = "Capacity providers associated with the cluster."
  value       = sort(tolist(aws_ecs_cluster_capacity_providers.this.capacity_providers))
}

output "container_insights" {
  description = "Container Insights mode of the cluster."
  value       = one([for s in aws_ecs_cluster.this.setting : s.value if s.name == "containerInsights"])
}

output "exec_log_group_name" {
  description = "Log group that records ECS Exec sessions."
  value       = aws_cloudwatch_log_group.exec.name
}

output "exec_kms_key_arn" {
  description = "KMS key that encrypts ECS Exec sessions (null without one)."
  value       = var.logs.kms_key_arn
}
