output "key_arn" {
  description = "ARN of the customer-managed key (for log groups and the SNS topic)."
  value       = aws_kms_key.this.arn
}

output "alerts_topic_arn" {
  description = "ARN of the alerts topic the key policy lets EventBridge encrypt for (must equal the monitoring module's topic)."
  value       = local.alerts_topic_arn
}
