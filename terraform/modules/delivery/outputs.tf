output "services" {
  description = "Per service (reader, writer): what this module built for the `delivery` entry of the stack's services output (load_balancer with the infrastructure role, hook, rollback_alarm_names, test_traffic_header; modules/stack adds the strategy and its steps): the deploy CLI's input for UpdateService (deploymentConfiguration.lifecycleHooks and alarms; loadBalancers[0].advancedConfiguration). Shape: terraform/README.md, \"Progressive delivery\"."
  value = {
    for k, s in var.services : k => {
      load_balancer = local.progressive ? {
        target_group_arn             = s.load_balancer.target_group_arn
        alternate_target_group_arn   = s.load_balancer.alternate_target_group_arn
        production_listener_rule_arn = s.load_balancer.production_listener_rule_arn
        test_listener_rule_arn       = s.load_balancer.test_listener_rule_arn
        role_arn                     = aws_iam_role.infrastructure[0].arn
      } : null
      hook = local.progressive ? {
        function_arn     = aws_lambda_function.hook[0].arn
        role_arn         = aws_iam_role.hook_invoke[0].arn
        lifecycle_stages = ["POST_TEST_TRAFFIC_SHIFT"]
      } : null
      rollback_alarm_names = [for kind in local.alarm_order : aws_cloudwatch_metric_alarm.rollback["${k}-${kind}"].alarm_name if local.progressive]
      test_traffic_header  = local.progressive ? var.test_traffic_header : null
    }
  }
}

output "rollback_alarm_names" {
  description = "Per service: its rollback alarms (5xx rate, p99, healthy hosts over both target groups); empty with ROLLING. Known at plan, so the services can take them as their deployment alarms."
  value       = local.rollback_alarm_names
}

output "passable_role_names" {
  description = "The roles the deploy CLI passes to ECS in UpdateService (the infrastructure role and the hook's invoke role); empty with ROLLING."
  value       = local.progressive ? [aws_iam_role.infrastructure[0].name, aws_iam_role.hook_invoke[0].name] : []
}

output "hook_function_name" {
  description = "Name of the smoke-hook Lambda function, or null with ROLLING."
  value       = local.progressive ? aws_lambda_function.hook[0].function_name : null
}
