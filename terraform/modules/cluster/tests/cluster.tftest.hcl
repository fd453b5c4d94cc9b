# Cluster module: Container Insights and logged ECS Exec (docs/reliability.md#ecs E9, E12).

mock_provider "aws" {
  source = "../../tests/mocks"
}

run "insights_and_exec_logging" {
  command = plan

  assert {
    condition     = contains(["enabled", "enhanced"], one([for s in aws_ecs_cluster.this.setting : s.value if s.name == "containerInsights"]))
    error_message = "E9: Container Insights on by default."
  }
  assert {
    condition     = aws_ecs_cluster.this.configuration[0].execute_command_configuration[0].logging != "NONE"
    error_message = "E12: ECS Exec sessions are logged."
  }
  assert {
    condition = (
      aws_ecs_cluster.this.configuration[0].execute_command_configuration[0].log_configuration[0].cloud_watch_log_group_name == aws_cloudwatch_log_group.exec.name &&
      aws_ecs_cluster.this.configuration[0].execute_command_configuration[0].log_configuration[0].cloud_watch_encryption_enabled &&
      aws_ecs_cluster.this.configuration[0].execute_command_configuration[0].kms_key_id == var.logs.kms_key_arn
    )
    error_message = "CKV_AWS_224: exec logs go to an encrypted log group; sessions use the CMK."
  }
  assert {
    condition     = aws_cloudwatch_log_group.exec.retention_in_days == 365 && aws_cloudwatch_log_group.exec.kms_key_id == var.logs.kms_key_arn
    error_message = "C1-C3: the exec log group has retention and a CMK."
  }
}

run "fargate_and_fargate_spot" {
  command = plan

  assert {
    condition     = aws_ecs_cluster_capacity_providers.this.capacity_providers == toset(["FARGATE", "FARGATE_SPOT"]) && aws_ecs_cluster_capacity_providers.this.cluster_name == "library-test"
    error_message = "The cluster offers FARGATE and FARGATE_SPOT, so a dev service can choose Spot."
  }
  assert {
    condition     = [for st in aws_ecs_cluster_capacity_providers.this.default_capacity_provider_strategy : st.capacity_provider] == ["FARGATE"]
    error_message = "Anything started without a strategy (the migrate task) runs on on-demand FARGATE."
  }
}

run "dev_may_disable_insights" {
  command = plan
  variables {
    container_insights = "disabled"
  }
  assert {
    condition     = one([for s in aws_ecs_cluster.this.setting : s.value if s.name == "containerInsights"]) == "disabled"
    error_message = "Dev can save the Container Insights cost."
  }
}

# Each prod guard must fire on its own variable (expect_failures fails if any listed one stays silent).
run "prod_rejects_each_unsafe_value" {
  command = plan

  variables {
    environment        = "prod"
    container_insights = "disabled"
  }

  expect_failures = [
    var.container_insights,
  ]
}

run "rejects_unknown_insights_mode" {
  command = plan
  variables {
    container_insights = "on"
  }
  expect_failures = [var.container_insights]
}
