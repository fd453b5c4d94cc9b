output "services" {
  description = "Per service (reader, writer): the `delivery` entry of the stack's services output, the deploy CLI's input for UpdateService (deploymentConfiguration: strategy, bakeTimeInMinutes, canaryConfiguration, linearConfiguration, lifecycleHooks, alarms; loadBalancers[0].advancedConfiguration). Shape: terraform/README.md, \"Progressive delivery\"."
  value = {
    for k, s in var.services : k => {
      strategy          = var.settings.strategy
      bake_time_minutes = var.settings.bake_time_minutes
      canary            = var.settings.strategy == "CANARY" ? { percent = var.settings.canary.percent, bake_time_minutes = var.settings.canary.bake_time_minutes } : null
      linear            = var.settings.strategy == "LINEAR" ? { step_percent = var.settings.linear.step_percent, step_bake_time_minutes = var.settings.linear.step_bake_time_minutes } : null
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
