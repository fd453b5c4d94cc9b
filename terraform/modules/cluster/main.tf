# The ECS cluster both services and the migration task run in. Fargate only; no capacity to manage.

resource "aws_cloudwatch_log_group" "exec" {
  name              = "/ecs/${var.name}/exec"
  retention_in_days = var.logs.retention_days
  kms_key_id        = var.logs.kms_key_arn
}

resource "aws_ecs_cluster" "this" {
  name = var.name

  # E9: Container Insights (per-task CPU/memory metrics and the performance dashboards).
  setting {
    name  = "containerInsights"
    value = var.container_insights
  }

  # E12: ECS Exec sessions (off by default in the service module) are always logged and encrypted.
  configuration {
    execute_command_configuration {
      kms_key_id = var.logs.kms_key_arn
      logging    = "OVERRIDE"

      log_configuration {
        cloud_watch_log_group_name     = aws_cloudwatch_log_group.exec.name
        cloud_watch_encryption_enabled = var.logs.kms_key_arn != null
      }
    }
  }
}

# Both Fargate capacity providers are associated (free), so a service may choose FARGATE_SPOT (a dev choice,
# refused in prod by the service module). The default stays on-demand FARGATE for anything run without a
# strategy, such as the migrate task (ECS Developer Guide, "AWS Fargate capacity providers": they must be
# associated with the cluster before a service or task can use them).
resource "aws_ecs_cluster_capacity_providers" "this" {
  cluster_name       = aws_ecs_cluster.this.name
  capacity_providers = ["FARGATE", "FARGATE_SPOT"]

  default_capacity_provider_strategy {
    capacity_provider = "FARGATE"
    weight            = 1
    base              = 0
  }
}
