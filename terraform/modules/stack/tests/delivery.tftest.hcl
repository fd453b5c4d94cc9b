# modules/stack's `delivery` input (issue 27): the one check of an environment's delivery choice. Each bad value is
# refused at plan with the message that names the fix (ranges: ECS API Reference, "DeploymentConfiguration",
# "CanaryConfiguration", "LinearConfiguration").

mock_provider "aws" {
  source = "../../tests/mocks"
}

variables {
  environment     = "prod"
  project         = "shop"
  aws_region      = "eu-west-1"
  certificate_arn = "arn:aws:acm:eu-west-1:123456789012:certificate/00000000-0000-0000-0000-000000000000"
  default_tags    = { Project = "shop", Environment = "prod", ManagedBy = "terraform" }

  # Prod-safe (the modules accept it for prod and dev), NAT per AZ so both egress paths are covered between
  # this file and envs/prod (endpoints).
  settings = {
    vpc_cidr             = "10.30.0.0/16"
    az_count             = 2
    egress_mode          = "nat"
    single_nat_gateway   = false
    flow_logs            = true
    log_retention_days   = 365
    container_insights   = "enhanced"
    ecr_force_delete     = false
    stop_timeout         = 40
    deregistration_delay = 20
    task                 = { cpu = 512, memory = 1024, desired_count = 2, min_capacity = 2, max_capacity = 3, db_pool_max = 7, log_level = "warn", fargate_spot = false }
    db = {
      instance_class        = "db.t4g.small", allocated_storage = 30, max_allocated_storage = 60, multi_az = true, deletion_protection = true,
      backup_retention_days = 10, skip_final_snapshot = false, monitoring_interval = 30, performance_insights = true, connections_alarm = 100
    }
    alb     = { deletion_protection = true, access_logs = true, enable_waf = true }
    tracing = { enabled = true, sample_ratio = 0.2 }
  }
}

run "rejects_an_unknown_strategy" {
  command = plan
  variables {
    delivery = { strategy = "RED_BLACK", bake_time_minutes = 10 }
  }
  expect_failures = [var.delivery]
}

run "rejects_canary_without_its_steps_and_linear_steps_with_canary" {
  command = plan
  variables {
    delivery = { strategy = "CANARY", bake_time_minutes = 10, linear = { step_percent = 25, step_bake_time_minutes = 2 } }
  }
  expect_failures = [var.delivery]
}

run "rejects_a_canary_percent_off_the_0_1_grid" {
  command = plan
  variables {
    delivery = { strategy = "CANARY", bake_time_minutes = 10, canary = { percent = 10.05, bake_time_minutes = 5 } }
  }
  expect_failures = [var.delivery]
}

run "rejects_a_linear_step_below_3_percent" {
  command = plan
  variables {
    delivery = { strategy = "LINEAR", bake_time_minutes = 10, linear = { step_percent = 2, step_bake_time_minutes = 2 } }
  }
  expect_failures = [var.delivery]
}

run "rejects_a_bake_over_a_day" {
  command = plan
  variables {
    delivery = { strategy = "BLUE_GREEN", bake_time_minutes = 1441 }
  }
  expect_failures = [var.delivery]
}

run "rejects_rollback_alarms_that_never_evaluate" {
  command = plan
  variables {
    delivery = { strategy = "BLUE_GREEN", bake_time_minutes = 10, rollback_alarms = { evaluation_minutes = 0 } }
  }
  expect_failures = [var.delivery]
}

run "accepts_linear_and_wires_it" {
  command = plan
  variables {
    delivery = { strategy = "LINEAR", bake_time_minutes = 5, linear = { step_percent = 33.3, step_bake_time_minutes = 2 } }
  }
  assert {
    condition     = alltrue([for k, s in output.services : s.delivery.strategy == "LINEAR" && s.delivery.linear.step_percent == 33.3 && s.delivery.canary == null])
    error_message = "A valid LINEAR choice passes the checks and reaches every service's delivery."
  }
  assert {
    condition     = toset(keys(module.load_balancer.delivery)) == toset(["reader", "writer"])
    error_message = "Both services get their alternate group and progressive rules."
  }
}
