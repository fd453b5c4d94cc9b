# envs/prod, issue 27: a canary through modules/stack, as the deploy CLI reads it (services.<svc>.delivery), and the
# pieces wired to each other: the rules and groups modules/load_balancer built, the roles the deployer may pass,
# the rollback alarms the services roll back on.

mock_provider "aws" {
  source = "../../tests/mocks"
}

run "canary_contract" {
  command = apply

  assert {
    condition = alltrue([for k, s in output.services : toset(keys(s.delivery)) == toset([
      "strategy", "bake_time_minutes", "canary", "linear", "load_balancer", "hook", "rollback_alarm_names", "test_traffic_header",
      ]) && s.delivery.strategy == "CANARY" && s.delivery.bake_time_minutes == 10 && jsonencode(s.delivery.canary) == jsonencode({ percent = 10, bake_time_minutes = 5 }) &&
      s.delivery.linear == null && jsonencode(s.delivery.test_traffic_header) == jsonencode({ name = "x-deploy-test", value = "prod" }) &&
      jsonencode(s.delivery.rollback_alarm_names) == jsonencode(["library-prod-${k}-5xx-rate", "library-prod-${k}-p99", "library-prod-${k}-healthy-hosts"])
    ])
    error_message = "prod: CANARY, 10 % for 5 minutes, 10 minutes' bake, the x-deploy-test: prod header and three rollback alarms per service."
  }
  assert {
    condition = alltrue([for k, s in output.services :
      s.delivery.load_balancer.target_group_arn == module.stack.modules.load_balancer.target_group_arns[k] &&
      s.delivery.load_balancer.alternate_target_group_arn == module.stack.modules.load_balancer.delivery[k].alternate_target_group_arn &&
      s.delivery.load_balancer.production_listener_rule_arn == module.stack.modules.load_balancer.delivery[k].production_listener_rule_arn &&
      s.delivery.load_balancer.test_listener_rule_arn == module.stack.modules.load_balancer.delivery[k].test_listener_rule_arn &&
      jsonencode(module.stack.modules.service[k].service.listener_rule_arns) == jsonencode([s.delivery.load_balancer.production_listener_rule_arn, s.delivery.load_balancer.test_listener_rule_arn]) &&
      s.delivery.hook.lifecycle_stages == ["POST_TEST_TRAFFIC_SHIFT"]
    ])
    error_message = "Each service's delivery names its own groups and rules, which the service waits for; the hook runs after the test traffic shift."
  }
  assert {
    condition     = jsonencode(module.stack.modules.delivery.passable_role_names) == jsonencode(["library-prod-ecs-infrastructure", "library-prod-smoke-hook-invoke"]) && module.stack.modules.delivery.hook_function_name == "library-prod-smoke-hook"
    error_message = "The infrastructure role, the hook and its invoke role carry the contract's names."
  }
  assert {
    condition = one([for st in module.stack.modules.deployer.statements : st if st.Sid == "DeliveryRoles"]) == {
      Sid       = "DeliveryRoles", Effect = "Allow", Action = ["iam:PassRole"]
      Resource  = ["arn:aws:iam::123456789012:role/library-prod-ecs-infrastructure", "arn:aws:iam::123456789012:role/library-prod-smoke-hook-invoke"]
      Condition = { StringEquals = { "iam:PassedToService" = "ecs.amazonaws.com" } }
    }
    error_message = "The deployer may pass exactly the two delivery roles, to ECS only."
  }
}
