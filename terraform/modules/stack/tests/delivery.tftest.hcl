# modules/stack's `delivery` input (issue 27): the one check of an environment's delivery choice. Each bad value is
# refused at plan with the message that names the fix (ranges: ECS API Reference, "DeploymentConfiguration",
# "CanaryConfiguration", "LinearConfiguration").

mock_provider "aws" {
  source = "../../tests/mocks"
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

run "blue_green_shifts_at_once" {
  command = plan
  variables {
    delivery = { strategy = "BLUE_GREEN", bake_time_minutes = 15 }
  }
  assert {
    condition = alltrue([for k, s in output.services : s.delivery.strategy == "BLUE_GREEN" && s.delivery.bake_time_minutes == 15 &&
    s.delivery.canary == null && s.delivery.linear == null && length(s.delivery.rollback_alarm_names) == 3])
    error_message = "BLUE_GREEN: no canary or linear steps; the hook and three rollback alarms per service as with the other blue/green-based strategies."
  }
}
