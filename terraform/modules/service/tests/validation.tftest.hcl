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

# Each prod guard must fire on its own variable (expect_failures fails if any listed one stays silent). The task
# object's prod guards have a run each below, so each one is seen to fire.
run "prod_rejects_each_unsafe_value" {
  command = plan

  variables {
    environment = "prod"
    db_ssl      = "require"
    subnet_ids  = ["subnet-aaaa"]
    tracing     = { enabled = false }
  }

  expect_failures = [
    var.db_ssl,
    var.subnet_ids,
    var.tracing,
  ]
}

run "prod_rejects_fargate_spot" {
  command = plan

  variables {
    environment = "prod"
    task        = { fargate_spot = true }
  }

  expect_failures = [var.task]
}

# The task object's checks have a run each below.
run "rejects_bad_values" {
  command = plan

  variables {
    container_user     = "root"
    image              = "123456789012.dkr.ecr.eu-west-1.amazonaws.com/library-test/reader:latest"
    extra_environment  = { API_TOKEN = "abc" }
    database           = { host = "db", user = "postgres", resource_ids = ["db-ABC"] }
    container_port     = 80
    target_group_arn   = "arn:aws:elasticloadbalancing:eu-west-1:123456789012:listener/app/x/1/2"
    alb_resource_label = "app/x"
    cluster_arn        = "library-test"
    listener_rule_arns = []
    migration          = { family = "Library_Migrate", master_user = "postgres", secret_arn = "hunter2", secret_kms_key_arn = "alias/aws/secretsmanager" }
    tracing            = { enabled = true, sample_ratio = 1.5 }
    otel_collector     = { image_path = "aws-observability/aws-otel-collector:latest" }
  }

  expect_failures = [
    var.container_user,
    var.image,
    var.extra_environment,
    var.database,
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
    environment = "prod"
    task        = { min_capacity = 1 }
  }

  expect_failures = [var.task]
}

# One run per check of the task object (a run passes when any check of the variable fails, so each run breaks
# exactly one rule).
run "rejects_a_cpu_that_is_no_fargate_size" {
  command = plan

  variables {
    task = { cpu = 300, memory = 512 }
  }

  expect_failures = [var.task]
}

run "rejects_an_unknown_cpu_architecture" {
  command = plan

  variables {
    task = { cpu_architecture = "arm" }
  }

  expect_failures = [var.task]
}

run "rejects_a_stop_timeout_above_fargates_120_seconds" {
  command = plan

  variables {
    task = { stop_timeout = 200 }
  }

  expect_failures = [var.task]
}

run "rejects_a_grace_period_below_30_seconds" {
  command = plan

  variables {
    task = { health_check_grace_period_seconds = 10 }
  }

  expect_failures = [var.task]
}

run "rejects_a_pool_of_no_connections" {
  command = plan

  variables {
    task = { db_pool_max = 0 }
  }

  expect_failures = [var.task]
}

run "rejects_an_unknown_log_level" {
  command = plan

  variables {
    task = { log_level = "verbose" }
  }

  expect_failures = [var.task]
}

run "rejects_autoscaling_targets_out_of_range" {
  command = plan

  variables {
    task = { cpu_target_percent = 95 }
  }

  expect_failures = [var.task]
}

run "dev_allows_cheap_values" {
  command = plan

  variables {
    logs       = { retention_days = 14, kms_key_arn = null }
    task       = { desired_count = 1, min_capacity = 1, max_capacity = 2, fargate_spot = true }
    subnet_ids = ["subnet-aaaa"]
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
    task = { fargate_spot = true, cpu_architecture = "ARM64" }
  }

  expect_failures = [var.task]
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
    task = { cpu = 256, memory = 4096 }
  }

  expect_failures = [var.task]
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
    task = { min_capacity = 2, max_capacity = 1 }
  }

  expect_failures = [var.task]
}

