# envs/dev, issue 27: dev rolls, as before: no alternate target group, no hook, no rollback alarm, the services'
# deployment alarm is still the target 5xx alarm, and services.<svc>.delivery says ROLLING with nothing else.

mock_provider "aws" {
  source = "../../tests/mocks"
}

run "dev_rolls" {
  command = plan

  assert {
    condition = alltrue([for k, s in output.services : jsonencode(s.delivery) == jsonencode({
      strategy = "ROLLING", bake_time_minutes = 0, canary = null, linear = null, load_balancer = null, hook = null, rollback_alarm_names = [], test_traffic_header = null
    })])
    error_message = "dev: delivery ROLLING, everything else null, no rollback alarms."
  }
  assert {
    condition     = length(module.stack.modules.load_balancer.delivery) == 0 && length(module.stack.modules.delivery.passable_role_names) == 0 && module.stack.modules.delivery.hook_function_name == null
    error_message = "dev: no alternate groups or progressive rules, no infrastructure role, no hook."
  }
}
