# Service module inputs: bad values are refused, and prod refuses the unsafe ones (PROD-VAR items).

mock_provider "aws" {
  source = "../../tests/mocks"
}

run "prod_with_safe_values_plans" {
  command = plan

  variables {
    environment = "prod"
  }

  assert {
    condition     = aws_ecs_service.this[0].name == "library-test-reader"
    error_message = "The service plans with these values."
  }
}

# Each prod guard must fire on its own variable (expect_failures fails if any listed one stays silent).
# min_capacity has its own run: its checks read desired_count, and Terraform skips checks that read an invalid variable.
run "prod_rejects_each_unsafe_value" {
  command = plan

  variables {
    environment   = "prod"
    db_ssl        = "require"
    desired_count = 1
    subnet_ids    = ["subnet-aaaa"]
    fargate_spot  = true
    tracing       = { enabled = false }
  }

  expect_failures = [
    var.db_ssl,
    var.desired_count,
    var.subnet_ids,
    var.fargate_spot,
    var.tracing,
  ]
}

# memory has its own run: its check reads cpu.
run "rejects_bad_values" {
  command = plan

  variables {
    cpu                               = 300
    cpu_architecture                  = "arm"
    container_user                    = "root"
    image                             = "123456789012.dkr.ecr.eu-west-1.amazonaws.com/library-test/reader:latest"
    extra_environment                 = { API_TOKEN = "abc" }
    database                          = { host = "db", user = "postgres", resource_ids = ["db-ABC"] }
    health_check_grace_period_seconds = 10
    stop_timeout                      = 200
    container_port                    = 80
    target_group_arn                  = "arn:aws:elasticloadbalancing:eu-west-1:123456789012:listener/app/x/1/2"
    alb_resource_label                = "app/x"
    cluster_arn                       = "library-test"
    listener_rule_arns                = []
    migration                         = { family = "Library_Migrate", master_user = "postgres", secret_arn = "hunter2", secret_kms_key_arn = "alias/aws/secretsmanager" }
    tracing                           = { enabled = true, sample_ratio = 1.5 }
    otel_collector                    = { image_path = "aws-observability/aws-otel-collector:latest" }
  }

  expect_failures = [
    var.cpu,
    var.cpu_architecture,
    var.container_user,
    var.image,
    var.extra_environment,
    var.database,
    var.health_check_grace_period_seconds,
    var.stop_timeout,
    var.container_port,
    var.target_group_arn,
    var.alb_resource_label,
    var.cluster_arn,
    var.listener_rule_arns,
    var.migration,
    var.tracing,
    var.otel_collector,
  ]
}

run "prod_rejects_scaling_below_two" {
  command = plan

  variables {
    environment  = "prod"
    min_capacity = 1
  }

  expect_failures = [var.min_capacity]
}

run "dev_allows_cheap_values" {
  command = plan

  variables {
    logs          = { retention_days = 14, kms_key_arn = null }
    desired_count = 1
    min_capacity  = 1
    max_capacity  = 2
    subnet_ids    = ["subnet-aaaa"]
    fargate_spot  = true
  }

  assert {
    condition = (aws_ecs_service.this[0].desired_count == 1 && aws_appautoscaling_target.this.min_capacity == 1 &&
      aws_appautoscaling_target.this.max_capacity == 2 && aws_cloudwatch_log_group.this.retention_in_days == 14 &&
    one(aws_ecs_service.this[0].capacity_provider_strategy).capacity_provider == "FARGATE_SPOT")
    error_message = "Dev plans with one task, a 14-day log retention and Fargate Spot, as asked."
  }
}

run "rejects_fargate_spot_on_arm64" {
  command = plan

  variables {
    fargate_spot     = true
    cpu_architecture = "ARM64"
  }

  expect_failures = [var.fargate_spot]
}

run "rejects_database_without_resource_ids" {
  command = plan

  variables {
    database = { host = "db", user = "library_reader", resource_ids = [] }
  }

  expect_failures = [var.database]
}

run "rejects_invalid_cpu_memory_pair" {
  command = plan

  variables {
    cpu    = 256
    memory = 4096
  }

  expect_failures = [var.memory]
}

run "rejects_uid_zero" {
  command = plan

  variables {
    container_user = "0:0"
  }

  expect_failures = [var.container_user]
}

run "rejects_untagged_image" {
  command = plan

  variables {
    image = "123456789012.dkr.ecr.eu-west-1.amazonaws.com/library-test/reader"
  }

  expect_failures = [var.image]
}

run "rejects_non_secret_arn" {
  command = plan

  variables {
    migration = { family = "library-test-migrate", master_user = "library_admin", secret_arn = "hunter2" }
  }

  expect_failures = [var.migration]
}

run "rejects_max_below_min" {
  command = plan

  variables {
    max_capacity = 1
  }

  expect_failures = [var.max_capacity]
}

