# Service module inputs: bad values are refused, and prod refuses the unsafe ones (PROD-VAR items).

mock_provider "aws" {
  source = "../../tests/mocks"
}

variables {
  name               = "library-test-reader"
  environment        = "dev"
  cluster_arn        = "arn:aws:ecs:eu-west-1:123456789012:cluster/library-test"
  cluster_name       = "library-test"
  subnet_ids         = ["subnet-aaaa", "subnet-bbbb"]
  security_group_ids = ["sg-services"]
  target_group_arn   = "arn:aws:elasticloadbalancing:eu-west-1:123456789012:targetgroup/library-test-reader/0123456789abcdef"
  alb_resource_label = "app/library-test/0123456789abcdef/targetgroup/library-test-reader/0123456789abcdef"
  ecr_repository_arn = "arn:aws:ecr:eu-west-1:123456789012:repository/library-test/reader"
  image              = "123456789012.dkr.ecr.eu-west-1.amazonaws.com/library-test/reader:bootstrap"
  database = {
    host       = "db.internal"
    port       = 5432
    name       = "library_db"
    user       = "library_admin"
    secret_arn = "arn:aws:secretsmanager:eu-west-1:123456789012:secret:rds!db-1234-AbCdEf"
  }
  log_kms_key_arn = "arn:aws:kms:eu-west-1:123456789012:key/00000000-0000-0000-0000-000000000000"
}

run "prod_with_safe_values_plans" {
  command = plan

  variables {
    environment = "prod"
  }

  assert {
    condition     = aws_ecs_service.this.name == "library-test-reader"
    error_message = "The service plans with these values."
  }
}

run "prod_rejects_short_log_retention" {
  command = plan

  variables {
    environment        = "prod"
    log_retention_days = 14
  }

  expect_failures = [var.log_retention_days]
}

run "prod_rejects_log_group_without_cmk" {
  command = plan

  variables {
    environment     = "prod"
    log_kms_key_arn = null
  }

  expect_failures = [var.log_kms_key_arn]
}

run "prod_rejects_db_ssl_below_verify_full" {
  command = plan

  variables {
    environment = "prod"
    db_ssl      = "require"
  }

  expect_failures = [var.db_ssl]
}

run "prod_rejects_a_single_task" {
  command = plan

  variables {
    environment   = "prod"
    desired_count = 1
  }

  expect_failures = [var.desired_count]
}

run "prod_rejects_scaling_below_two" {
  command = plan

  variables {
    environment  = "prod"
    min_capacity = 1
  }

  expect_failures = [var.min_capacity]
}

run "prod_rejects_a_single_subnet" {
  command = plan

  variables {
    environment = "prod"
    subnet_ids  = ["subnet-aaaa"]
  }

  expect_failures = [var.subnet_ids]
}

run "dev_allows_cheap_values" {
  command = plan

  variables {
    log_retention_days = 14
    desired_count      = 1
    min_capacity       = 1
    max_capacity       = 2
    log_kms_key_arn    = null
    subnet_ids         = ["subnet-aaaa"]
  }

  assert {
    condition     = aws_ecs_service.this.name == "library-test-reader"
    error_message = "The service plans with these values."
  }
}

run "rejects_unknown_environment" {
  command = plan

  variables {
    environment = "staging"
  }

  expect_failures = [var.environment]
}

run "rejects_invalid_fargate_cpu" {
  command = plan

  variables {
    cpu = 300
  }

  expect_failures = [var.cpu]
}

run "rejects_invalid_cpu_memory_pair" {
  command = plan

  variables {
    cpu    = 256
    memory = 4096
  }

  expect_failures = [var.memory]
}

run "rejects_unknown_architecture" {
  command = plan

  variables {
    cpu_architecture = "arm"
  }

  expect_failures = [var.cpu_architecture]
}

run "rejects_root_user" {
  command = plan

  variables {
    container_user = "root"
  }

  expect_failures = [var.container_user]
}

run "rejects_uid_zero" {
  command = plan

  variables {
    container_user = "0:0"
  }

  expect_failures = [var.container_user]
}

run "rejects_latest_image_tag" {
  command = plan

  variables {
    image = "123456789012.dkr.ecr.eu-west-1.amazonaws.com/library-test/reader:latest"
  }

  expect_failures = [var.image]
}

run "rejects_untagged_image" {
  command = plan

  variables {
    image = "123456789012.dkr.ecr.eu-west-1.amazonaws.com/library-test/reader"
  }

  expect_failures = [var.image]
}

run "rejects_secrets_in_environment" {
  command = plan

  variables {
    extra_environment = { API_TOKEN = "abc" }
  }

  expect_failures = [var.extra_environment]
}

run "rejects_postgres_user" {
  command = plan

  variables {
    database = { host = "db", user = "postgres", secret_arn = "arn:aws:secretsmanager:eu-west-1:123456789012:secret:x" }
  }

  expect_failures = [var.database]
}

run "rejects_non_secret_arn" {
  command = plan

  variables {
    database = { host = "db", user = "library_admin", secret_arn = "hunter2" }
  }

  expect_failures = [var.database]
}

run "rejects_short_grace_period" {
  command = plan

  variables {
    health_check_grace_period_seconds = 10
  }

  expect_failures = [var.health_check_grace_period_seconds]
}

run "rejects_stop_timeout_above_fargate_max" {
  command = plan

  variables {
    stop_timeout = 200
  }

  expect_failures = [var.stop_timeout]
}

run "rejects_invalid_log_retention" {
  command = plan

  variables {
    log_retention_days = 13
  }

  expect_failures = [var.log_retention_days]
}

run "rejects_max_below_min" {
  command = plan

  variables {
    max_capacity = 1
  }

  expect_failures = [var.max_capacity]
}

run "rejects_privileged_port" {
  command = plan

  variables {
    container_port = 80
  }

  expect_failures = [var.container_port]
}

run "rejects_cidrs_as_subnet_ids" {
  command = plan

  variables {
    subnet_ids = ["10.0.1.0/24"]
  }

  expect_failures = [var.subnet_ids]
}

run "rejects_a_listener_arn_as_target_group" {
  command = plan

  variables {
    target_group_arn = "arn:aws:elasticloadbalancing:eu-west-1:123456789012:listener/app/x/1/2"
  }

  expect_failures = [var.target_group_arn]
}
