# Progressive delivery (issue 27): what the ALB needs for a service ECS deploys with its CANARY, LINEAR or
# BLUE_GREEN strategy. Such a service gets a second, alternate target group and, instead of the one forwarding
# rule of a rolling service, a production rule and a test rule that ECS itself re-weights while it deploys.

variable "progressive" {
  description = "Services (keys of the routes: reader, writer) ECS deploys with a blue/green-based strategy, and the HTTP header whose exact value sends a request to the test listener rule (the new revision, once ECS has shifted test traffic). null: every service rolls (one rule and one target group each)."
  type = object({
    services    = set(string)
    test_header = object({ name = string, value = string })
  })
  default = null

  validation {
    condition     = var.progressive == null || length(setsubtract(try(var.progressive.services, []), ["reader", "writer"])) == 0
    error_message = "progressive.services must name routes of this module: reader, writer."
  }

  validation {
    # ALB header conditions: the name is an HTTP token (Application Load Balancers Guide, "Listener rules for
    # your Application Load Balancer", HTTP header conditions).
    condition     = var.progressive == null || (can(regex("^[a-z0-9-]{1,40}$", try(var.progressive.test_header.name, ""))) && can(regex("^[A-Za-z0-9._-]{1,128}$", try(var.progressive.test_header.value, ""))))
    error_message = "progressive.test_header must be a lowercase header name (letters, digits, hyphens) and a plain value (letters, digits, . _ -)."
  }
}

locals {
  progressive_routes = var.progressive == null ? {} : { for k, r in local.routes : k => r if contains(var.progressive.services, k) }
  rolling_routes     = { for k, r in local.routes : k => r if !contains(keys(local.progressive_routes), k) }

  # "Application Load Balancer resources for blue/green, linear, and canary deployments" (ECS Developer Guide):
  # two target groups per service with the same settings, the primary (the revision in production) and the
  # alternate (the new revision); ECS registers each revision's tasks in one of them.
  target_groups = merge(local.routes, { for k, r in local.progressive_routes : "${k}-alt" => r })

  # Two rules per progressive service. The test rule matches the same methods plus the test header and is
  # evaluated first (a lower number is a higher priority). Neither takes the rolling rule's priority, so switching
  # an environment's strategy creates the new rules beside the old one instead of colliding with it
  # (ELB CreateRule: PriorityInUse).
  progressive_rules = merge([for k, r in local.progressive_routes : {
    "${k}/production" = { service = k, priority = r.priority + 1, methods = r.methods, header = null }
    "${k}/test"       = { service = k, priority = r.priority - 1, methods = r.methods, header = var.progressive.test_header }
  }]...)
}

resource "aws_lb_listener_rule" "progressive" {
  for_each = local.progressive_rules

  listener_arn = local.app_listener_arn
  priority     = each.value.priority

  # Both rules forward to both groups, all weight on the primary. ECS deploys by changing these weights (test
  # traffic first, TEST_TRAFFIC_SHIFT; then production, in the strategy's steps) and, when the deployment
  # succeeds, leaves all weight on the group of the new revision, whose role becomes primary (ECS Developer
  # Guide, "Amazon ECS blue/green deployments" and "Application Load Balancer resources for blue/green, linear,
  # and canary deployments"). Naming the alternate group here also associates it with the load balancer, which
  # CreateService and UpdateService require of every group they are given ("The target group ... does not have
  # an associated load balancer").
  action {
    type = "forward"

    forward {
      target_group {
        arn    = aws_lb_target_group.this[each.value.service].arn
        weight = 100
      }
      target_group {
        arn    = aws_lb_target_group.this["${each.value.service}-alt"].arn
        weight = 0
      }
    }
  }

  condition {
    http_request_method {
      values = each.value.methods
    }
  }

  dynamic "condition" {
    for_each = each.value.header == null ? [] : [each.value.header]
    content {
      http_header {
        http_header_name = condition.value.name
        values           = [condition.value.value]
      }
    }
  }

  tags = { Name = "${var.name}-${replace(each.key, "/", "-")}" }

  lifecycle {
    # The weights (and which group holds the new revision) are ECS's after the first deployment: applying the
    # configured 100/0 again would send production traffic to a group whose tasks ECS has already stopped.
    ignore_changes = [action]
  }
}

output "delivery" {
  description = "Per progressive service (reader, writer): its primary and alternate target groups (ARNs and CloudWatch TargetGroup dimensions, primary first) and its production and test listener rules; {} when every service rolls."
  value = {
    for k in keys(local.progressive_routes) : k => {
      target_group_arn             = aws_lb_target_group.this[k].arn
      alternate_target_group_arn   = aws_lb_target_group.this["${k}-alt"].arn
      target_group_arn_suffixes    = [aws_lb_target_group.this[k].arn_suffix, aws_lb_target_group.this["${k}-alt"].arn_suffix]
      production_listener_rule_arn = aws_lb_listener_rule.progressive["${k}/production"].arn
      test_listener_rule_arn       = aws_lb_listener_rule.progressive["${k}/test"].arn
    }
  }
}
