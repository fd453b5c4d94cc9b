output "topic_arn" {
  description = "ARN of the alerts SNS topic."
  value       = aws_sns_topic.alerts.arn
}

output "topic_name" {
  description = "Name of the alerts SNS topic (the KMS key lets EventBridge encrypt for this name)."
  value       = aws_sns_topic.alerts.name
}

output "service_5xx_alarm_names" {
  description = "Name of each service's target-5xx alarm, by service key (for alarm-based deployment rollback)."
  value       = { for k in keys(var.services) : k => aws_cloudwatch_metric_alarm.this["${k}-5xx"].alarm_name }
}

output "alarm_names" {
  description = "Names of every alarm this module creates."
  value       = local.alarm_names
}

output "dashboard_name" {
  description = "Name of the CloudWatch dashboard."
  value       = aws_cloudwatch_dashboard.this.dashboard_name
}

output "deployment_events_rule_name" {
  description = "EventBridge rule that forwards failed ECS deployments to the topic."
  value       = aws_cloudwatch_event_rule.deployments.name
}

output "database_events_rule_name" {
  description = "EventBridge rule that forwards RDS stop/availability/failure events to the topic."
  value       = aws_cloudwatch_event_rule.database.name
}

output "outage_alarm_names" {
  description = "The alarms a paused or not yet deployed stack trips on purpose (no healthy target per service, database down), created with their actions off: the deploy CLI turns them on after the first healthy rollout, off for `deploy pause`, on for `deploy resume`."
  value       = [for k in sort(tolist(local.outage_alarm_keys)) : aws_cloudwatch_metric_alarm.this[k].alarm_name]
}
