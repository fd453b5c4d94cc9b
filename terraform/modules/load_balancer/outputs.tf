output "arn" {
  description = "ARN of the ALB."
  value       = aws_lb.this.arn
}

output "arn_suffix" {
  description = "ARN suffix of the ALB (CloudWatch LoadBalancer dimension)."
  value       = aws_lb.this.arn_suffix
}

output "dns_name" {
  description = "DNS name of the ALB."
  value       = aws_lb.this.dns_name
}

output "zone_id" {
  description = "Route 53 zone id of the ALB (for an alias record)."
  value       = aws_lb.this.zone_id
}

output "url" {
  description = "Base URL of the ALB: https:// with a certificate, else http://."
  value       = "${local.https ? "https" : "http"}://${aws_lb.this.dns_name}"
}

output "certificate" {
  description = "The HTTPS listener's certificate: arn (the DNS-validated one with https.domain_name, else the given https.certificate_arn) and domain_name (the domain with its own certificate and alias A record, or null); null without HTTPS."
  value       = local.https ? { arn = local.certificate_arn, domain_name = var.https.domain_name } : null
}

output "https_enabled" {
  description = "Whether an HTTPS listener exists (and HTTP only redirects)."
  value       = local.https
}

output "target_group_arns" {
  description = "Target group ARNs by service (reader, writer)."
  value       = { for k, tg in aws_lb_target_group.this : k => tg.arn }
}

output "target_group_arn_suffixes" {
  description = "Target group ARN suffixes by service (CloudWatch TargetGroup dimension)."
  value       = { for k, tg in aws_lb_target_group.this : k => tg.arn_suffix }
}

output "listener_rule_arns" {
  description = "ARN of the listener rule that forwards to each service's target group (reader, writer); each service is created after its rule."
  value       = { for k, r in aws_lb_listener_rule.route : k => r.arn }
}

output "resource_labels" {
  description = "ALBRequestCountPerTarget resource labels by service (<alb suffix>/<target group suffix>)."
  value       = { for k, tg in aws_lb_target_group.this : k => "${aws_lb.this.arn_suffix}/${tg.arn_suffix}" }
}

output "web_acl_arn" {
  description = "ARN of the WAF web ACL, or null without WAF."
  value       = var.safeguards.enable_waf ? aws_wafv2_web_acl.this[0].arn : null
}

output "access_logs_bucket" {
  description = "Name of the access-log bucket, or null without access logs."
  value       = var.safeguards.access_logs ? aws_s3_bucket.access_logs[0].id : null
}
