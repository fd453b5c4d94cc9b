# Load balancer module: method routing, HTTPS, target groups, WAF, access logs (docs/reliability.md#alb-and-target-groups, DP-6..DP-8).

mock_provider "aws" {
  source = "../../tests/mocks"
}

run "alb_is_hardened" {
  command = plan

  assert {
    condition     = aws_lb.this.drop_invalid_header_fields == true
    error_message = "L1: invalid header fields are dropped."
  }
  assert {
    condition     = contains(["defensive", "strictest"], aws_lb.this.desync_mitigation_mode)
    error_message = "L2: desync mitigation defensive or strictest."
  }
  assert {
    condition     = aws_lb.this.enable_deletion_protection == true
    error_message = "L5: deletion protection by default."
  }
  assert {
    condition     = length(aws_lb.this.subnets) >= 2 && aws_lb.this.security_groups == toset(["sg-alb"])
    error_message = "L7: the ALB spans at least two AZs, behind its own security group."
  }
  assert {
    condition     = aws_lb.this.internal == false && aws_lb.this.load_balancer_type == "application"
    error_message = "L10: the ALB is the one public entry point (waived in waivers.yaml)."
  }
  assert {
    condition     = aws_lb.this.idle_timeout == 60
    error_message = "DP-8: idle timeout 60 s, below the app's 72 s keep-alive."
  }
}

run "target_groups_are_tuned" {
  command = plan

  assert {
    condition     = toset(keys(aws_lb_target_group.this)) == toset(["reader", "writer"])
    error_message = "One target group per service."
  }
  assert {
    condition     = alltrue([for tg in aws_lb_target_group.this : tg.target_type == "ip" && tg.port == 8000 && tg.protocol == "HTTP"])
    error_message = "L9: target type ip on port 8000."
  }
  assert {
    condition     = alltrue([for tg in aws_lb_target_group.this : tg.deregistration_delay <= 30])
    error_message = "DP-6: deregistration delay at most 30 s."
  }
  assert {
    condition     = alltrue([for k, tg in aws_lb_target_group.this : length(tg.name_prefix) <= 6 && tg.tags.Name == "library-test-${k}"]) && aws_lb_target_group.this["reader"].name_prefix != aws_lb_target_group.this["writer"].name_prefix
    error_message = "R-6: target groups take a generated name (name_prefix, at most 6 characters), so a replacement can exist next to the old group."
  }
  assert {
    condition = alltrue([for tg in aws_lb_target_group.this :
      tg.health_check[0].path == "/health" && tg.health_check[0].matcher == "200" &&
      tg.health_check[0].interval >= 10 && tg.health_check[0].interval <= 15 &&
      tg.health_check[0].timeout < tg.health_check[0].interval &&
      tg.health_check[0].healthy_threshold >= 2 && tg.health_check[0].healthy_threshold <= 3 &&
      tg.health_check[0].unhealthy_threshold >= 2 && tg.health_check[0].unhealthy_threshold <= 3
    ])
    error_message = "L9/DP-7: health check on /health, matcher 200, interval 10-15 s, thresholds 2-3, timeout below interval."
  }
}

run "https_with_certificate_http_only_redirects" {
  command = plan

  assert {
    condition = (
      aws_lb_listener.http.default_action[0].type == "redirect" &&
      aws_lb_listener.http.default_action[0].redirect[0].protocol == "HTTPS" &&
      aws_lb_listener.http.default_action[0].redirect[0].port == "443" &&
      aws_lb_listener.http.default_action[0].redirect[0].status_code == "HTTP_301"
    )
    error_message = "L3: with a certificate, HTTP only redirects to HTTPS."
  }
  assert {
    condition     = length(aws_lb_listener.https) == 1 && aws_lb_listener.https[0].protocol == "HTTPS" && aws_lb_listener.https[0].port == 443 && aws_lb_listener.https[0].certificate_arn == var.https.certificate_arn
    error_message = "L3: an HTTPS listener with the certificate."
  }
  assert {
    condition     = contains(["ELBSecurityPolicy-TLS13-1-2-2021-06", "ELBSecurityPolicy-TLS13-1-2-Res-2021-06", "ELBSecurityPolicy-TLS13-1-3-2021-06"], aws_lb_listener.https[0].ssl_policy)
    error_message = "L4: TLS 1.2+ policy."
  }
  assert {
    condition     = aws_lb_listener.https[0].default_action[0].type == "fixed-response" && aws_lb_listener.https[0].default_action[0].fixed_response[0].status_code == "405"
    error_message = "Methods outside the routing rules get a 405."
  }
}

run "routing_by_method" {
  command = apply

  assert {
    condition     = aws_lb_listener_rule.route["reader"].condition == toset([for c in aws_lb_listener_rule.route["reader"].condition : c if try(toset(c.http_request_method[0].values), null) == toset(["GET", "HEAD"])]) && length(aws_lb_listener_rule.route["reader"].condition) == 1
    error_message = "GET and HEAD (only) go to the reader."
  }
  assert {
    condition     = toset(one(aws_lb_listener_rule.route["writer"].condition).http_request_method[0].values) == toset(["POST", "PUT", "PATCH", "DELETE"])
    error_message = "POST, PUT, PATCH and DELETE go to the writer."
  }
  assert {
    condition     = alltrue([for k, r in aws_lb_listener_rule.route : r.action[0].type == "forward" && r.action[0].target_group_arn == aws_lb_target_group.this[k].arn])
    error_message = "Each rule forwards to its own service's target group."
  }
  assert {
    condition     = alltrue([for r in aws_lb_listener_rule.route : r.listener_arn == aws_lb_listener.https[0].arn])
    error_message = "With a certificate, the routing rules sit on the HTTPS listener."
  }
  assert {
    condition     = length(setintersection(toset(one(aws_lb_listener_rule.route["reader"].condition).http_request_method[0].values), toset(one(aws_lb_listener_rule.route["writer"].condition).http_request_method[0].values))) == 0
    error_message = "No method is routed to both services."
  }
  assert {
    condition     = output.url == "https://mock-123456789.eu-west-1.elb.amazonaws.com" && output.resource_labels["reader"] == "app/mock/0123456789abcdef/targetgroup/mock/0123456789abcdef"
    error_message = "Outputs: https URL and ALBRequestCountPerTarget labels."
  }
  assert {
    condition     = output.listener_rule_arns == { for k, r in aws_lb_listener_rule.route : k => r.arn } && alltrue([for a in values(output.listener_rule_arns) : strcontains(a, ":listener-rule/")])
    error_message = "R-6: each service's listener rule ARN is output, so the service can be created after it."
  }
}

run "dev_without_certificate_forwards_on_http" {
  command = apply

  variables {
    https = {}
  }

  assert {
    condition     = length(aws_lb_listener.https) == 0 && aws_lb_listener.http.default_action[0].type == "fixed-response"
    error_message = "Without a certificate there is no HTTPS listener and HTTP does not redirect."
  }
  assert {
    condition     = alltrue([for r in aws_lb_listener_rule.route : r.listener_arn == aws_lb_listener.http.arn])
    error_message = "Without a certificate, the routing rules sit on the HTTP listener."
  }
  assert {
    condition     = startswith(output.url, "http://")
    error_message = "app URL is http:// without a certificate."
  }
}

run "certificate_arn_alone_still_works" {
  command = plan

  assert {
    condition     = length(aws_acm_certificate.this) == 0 && length(aws_route53_record.validation) == 0 && length(aws_route53_record.alias_a) == 0 && aws_lb_listener.https[0].certificate_arn == var.https.certificate_arn
    error_message = "With a given certificate_arn and no domain: no ACM request, no DNS records, the listener serves the given certificate."
  }
}

run "waf_rate_rule_and_private_encrypted_access_logs" {
  command = plan

  assert {
    condition     = length(aws_wafv2_web_acl_association.this) == (var.safeguards.enable_waf ? 1 : 0) && var.safeguards.enable_waf
    error_message = "L8: WAF is on by default and associated with the ALB."
  }
  assert {
    condition     = anytrue([for r in aws_wafv2_web_acl.this[0].rule : try(r.statement[0].rate_based_statement[0].limit == 2000 && r.statement[0].rate_based_statement[0].aggregate_key_type == "IP" && length(r.action[0].block) == 1, false)])
    error_message = "L8: a per-IP rate-based rule that blocks."
  }
  assert {
    condition     = anytrue([for r in aws_wafv2_web_acl.this[0].rule : try(r.statement[0].managed_rule_group_statement[0].name, "") == "AWSManagedRulesKnownBadInputsRuleSet"])
    error_message = "CKV_AWS_192: the known-bad-inputs (Log4j) managed rules."
  }
  assert {
    condition     = aws_cloudwatch_log_group.waf[0].retention_in_days == 365 && startswith(aws_cloudwatch_log_group.waf[0].name, "aws-waf-logs-")
    error_message = "CKV2_AWS_31: WAF logs to a log group with retention."
  }
  assert {
    condition     = aws_lb.this.access_logs[0].enabled == true
    error_message = "L6: access logs on by default."
  }
  assert {
    condition = (
      aws_s3_bucket_public_access_block.access_logs[0].block_public_acls && aws_s3_bucket_public_access_block.access_logs[0].block_public_policy &&
      aws_s3_bucket_public_access_block.access_logs[0].ignore_public_acls && aws_s3_bucket_public_access_block.access_logs[0].restrict_public_buckets
    )
    error_message = "The log bucket blocks every form of public access."
  }
  assert {
    condition     = one(aws_s3_bucket_server_side_encryption_configuration.access_logs[0].rule).apply_server_side_encryption_by_default[0].sse_algorithm == "AES256"
    error_message = "The log bucket is encrypted (SSE-S3: ALB log delivery supports no KMS)."
  }
  assert {
    condition     = anytrue([for s in jsondecode(aws_s3_bucket_policy.access_logs[0].policy).Statement : try(s.Effect == "Deny" && s.Condition.Bool["aws:SecureTransport"] == "false", false)])
    error_message = "The log bucket refuses plain HTTP."
  }
  assert {
    condition     = alltrue([for s in jsondecode(aws_s3_bucket_policy.access_logs[0].policy).Statement : s.Principal != "*" || s.Effect == "Deny"])
    error_message = "No statement allows a '*' principal."
  }
  assert {
    condition = one([for st in jsondecode(aws_s3_bucket_policy.access_logs[0].policy).Statement : st if st.Sid == "ElbLogDelivery"]) == {
      Sid       = "ElbLogDelivery", Effect = "Allow", Action = "s3:PutObject"
      Principal = { Service = "logdelivery.elasticloadbalancing.amazonaws.com" }
      Resource  = "${aws_s3_bucket.access_logs[0].arn}/library-test/AWSLogs/123456789012/*"
    }
    error_message = "L6: ELB writes access logs as the logdelivery.elasticloadbalancing.amazonaws.com service principal (every Region; the only form Regions from August 2022 accept), under this account's prefix only."
  }
}

run "dev_cheap_values" {
  command = plan

  variables {
    safeguards = { deletion_protection = false, access_logs = false, enable_waf = false }
  }

  assert {
    condition     = length(aws_wafv2_web_acl.this) == 0 && length(aws_wafv2_web_acl_association.this) == 0 && length(aws_s3_bucket.access_logs) == 0 && length(aws_lb.this.access_logs) == 0 && !aws_lb.this.enable_deletion_protection
    error_message = "Dev may drop WAF, access logs and deletion protection."
  }
}

run "prod_safe_values_plan" {
  command = plan
  variables {
    environment = "prod"
  }
  assert {
    condition     = length(aws_lb_listener.https) == 1
    error_message = "Prod plans with the defaults and a certificate."
  }
}

# Each prod guard must fire on its own variable (expect_failures fails if any listed one stays silent).
run "prod_rejects_each_unsafe_value" {
  command = plan

  variables {
    environment = "prod"
    https       = {}
    safeguards  = { deletion_protection = false, access_logs = false, enable_waf = false }
  }

  expect_failures = [var.https, var.safeguards]
}

# The safeguards' prod check reads each switch, not only the first: one off alone is refused too.
run "prod_rejects_one_safeguard_off" {
  command = plan
  variables {
    environment = "prod"
    safeguards  = { enable_waf = false }
  }
  expect_failures = [var.safeguards]
}

run "rejects_retention_and_rate_limit_out_of_range" {
  command = plan
  variables {
    safeguards = { access_logs_retention_days = 0, waf_rate_limit = 50 }
  }
  expect_failures = [var.safeguards]
}

run "rejects_bad_values" {
  command = plan

  variables {
    targets    = { port = 8000, deregistration_delay = 300 }
    ssl_policy = "ELBSecurityPolicy-2016-08"
    https      = { certificate_arn = "arn:aws:iam::123456789012:server-certificate/x", hosted_zone_id = "/hostedzone/Z0123456789" }
    network    = { vpc_id = "subnet-123", public_subnet_ids = ["subnet-pub-a"], security_group_id = "sg-alb" }
  }

  expect_failures = [
    var.targets,
    var.ssl_policy,
    var.https,
    var.network,
  ]
}
