output "name" {
  description = "Name of the ECS cluster."
  value       = aws_ecs_cluster.this.name
}

output "arn" {
  description = "ARN of the ECS cluster."
  value       = aws_ecs_cluster.this.arn
}

output "container_insights" {
  description = "Container Insights mode of the cluster."
  value       = one([for s in aws_ecs_cluster.this.setting : s.value if s.name == "containerInsights"])
}
