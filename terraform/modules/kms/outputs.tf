output "key_arn" {
  description = "ARN of the customer-managed key (for log groups and the SNS topic)."
  value       = aws_kms_key.this.arn
}

output "key_id" {
  description = "Id of the key."
  value       = aws_kms_key.this.key_id
}

output "alias_name" {
  description = "Alias of the key (alias/<name>)."
  value       = aws_kms_alias.this.name
}

output "alerts_topic_arn" {
  description = "ARN of the alerts topic the key policy lets EventBridge encrypt for (must equal the monitoring module's topic)."
  value       = local.alerts_topic_arn
}
