output "topic_arn" {
  description = "ARN of the alerts SNS topic."
  value       = aws_sns_topic.alerts.arn
}

output "names" {
  description = "Names of what this module creates: the alerts topic (the KMS key lets EventBridge encrypt for this name), every alarm, the dashboard and the EventBridge rules that forward failed ECS deployments and RDS stop/availability/failure events to the topic."
  value = {
    topic                  = aws_sns_topic.alerts.name
    alarms                 = local.alarm_names
    dashboard              = aws_cloudwatch_dashboard.this.dashboard_name
    deployment_events_rule = aws_cloudwatch_event_rule.deployments.name
    database_events_rule   = aws_cloudwatch_event_rule.database.name
  }
}

output "service_5xx_alarm_names" {
  description = "Name of each service's target-5xx alarm, by service key (for alarm-based deployment rollback)."
  value       = { for k in keys(var.targets.services) : k => aws_cloudwatch_metric_alarm.this["${k}-5xx"].alarm_name }
}

output "outage_alarm_names" {
  description = "The alarms a paused or not yet deployed stack trips on purpose (no healthy target per service, database down), created with their actions off: the deploy CLI turns them on after the first healthy rollout, off for `deploy pause`, on for `deploy resume`."
  value       = [for k in sort(tolist(local.outage_alarm_keys)) : aws_cloudwatch_metric_alarm.this[k].alarm_name]
}
