# Progressive delivery (issue 27): a service ECS deploys with a blue/green-based strategy gets an alternate target
# group with the primary's settings, and a production and a test listener rule that forward to both groups; ECS
# owns their weights once it deploys, so a later apply must keep what was applied. Here the writer is progressive,
# the reader rolls as before.

mock_provider "aws" {
  source = "../../tests/mocks"
}

variables {
  environment = "prod"
  progressive = { services = ["writer"], test_header = { name = "x-deploy-test", value = "prod" } }
}

# Distinct ARNs for the writer's two groups (the shared mocks give every group the same one).
override_resource {
  target = aws_lb_target_group.this["writer"]
  values = {
    arn        = "arn:aws:elasticloadbalancing:eu-west-1:123456789012:targetgroup/write-20260101/aaaaaaaaaaaaaaaa"
    arn_suffix = "targetgroup/write-20260101/aaaaaaaaaaaaaaaa"
  }
}

override_resource {
  target = aws_lb_target_group.this["writer-alt"]
  values = {
    arn        = "arn:aws:elasticloadbalancing:eu-west-1:123456789012:targetgroup/write-20260102/bbbbbbbbbbbbbbbb"
    arn_suffix = "targetgroup/write-20260102/bbbbbbbbbbbbbbbb"
  }
}

run "progressive_writer" {
  command = apply

  assert {
    condition     = toset(keys(aws_lb_target_group.this)) == toset(["reader", "writer", "writer-alt"]) && aws_lb_target_group.this["writer-alt"].tags.Name == "library-test-writer-alt"
    error_message = "The progressive writer has an alternate target group, <name>-writer-alt; the rolling reader none."
  }
  assert {
    condition = alltrue([for a in ["port", "protocol", "target_type", "vpc_id", "deregistration_delay", "health_check", "name_prefix"] :
      jsonencode(aws_lb_target_group.this["writer"][a]) == jsonencode(aws_lb_target_group.this["writer-alt"][a])
    ])
    error_message = "The alternate group has the primary's settings (ECS Developer Guide, \"Application Load Balancer resources for blue/green, linear, and canary deployments\")."
  }
  assert {
    condition     = keys(aws_lb_listener_rule.route) == ["reader"] && toset(keys(aws_lb_listener_rule.progressive)) == toset(["writer/production", "writer/test"])
    error_message = "The reader keeps its one rule; the writer has a production and a test rule instead."
  }
  assert {
    condition = alltrue([for r in aws_lb_listener_rule.progressive : jsonencode(r.action[0].forward[0].target_group) == jsonencode(toset([
      { arn = aws_lb_target_group.this["writer"].arn, weight = 100 },
      { arn = aws_lb_target_group.this["writer-alt"].arn, weight = 0 },
    ])) && r.action[0].type == "forward" && r.listener_arn == aws_lb_listener.https[0].arn])
    error_message = "Both rules forward to both groups, all weight on the primary (ECS moves it while it deploys)."
  }
  assert {
    condition = (
      aws_lb_listener_rule.progressive["writer/test"].priority < aws_lb_listener_rule.progressive["writer/production"].priority &&
      !contains([aws_lb_listener_rule.route["reader"].priority], aws_lb_listener_rule.progressive["writer/production"].priority) &&
      !contains([aws_lb_listener_rule.route["reader"].priority], aws_lb_listener_rule.progressive["writer/test"].priority)
    )
    error_message = "The test rule is evaluated before the production rule, and neither takes a rolling rule's priority."
  }
  assert {
    condition = (
      length(aws_lb_listener_rule.progressive["writer/production"].condition) == 1 &&
      toset(one(aws_lb_listener_rule.progressive["writer/production"].condition).http_request_method[0].values) == toset(["POST", "PUT", "PATCH", "DELETE"]) &&
      length(aws_lb_listener_rule.progressive["writer/test"].condition) == 2 &&
      anytrue([for c in aws_lb_listener_rule.progressive["writer/test"].condition : try(c.http_header[0].http_header_name == "x-deploy-test" && c.http_header[0].values == toset(["prod"]), false)]) &&
      anytrue([for c in aws_lb_listener_rule.progressive["writer/test"].condition : try(toset(c.http_request_method[0].values) == toset(["POST", "PUT", "PATCH", "DELETE"]), false)])
    )
    error_message = "Production rule: the writer's methods; test rule: the same methods and x-deploy-test: prod."
  }
  assert {
    condition = output.delivery == {
      writer = {
        target_group_arn             = "arn:aws:elasticloadbalancing:eu-west-1:123456789012:targetgroup/write-20260101/aaaaaaaaaaaaaaaa"
        alternate_target_group_arn   = "arn:aws:elasticloadbalancing:eu-west-1:123456789012:targetgroup/write-20260102/bbbbbbbbbbbbbbbb"
        target_group_arn_suffixes    = ["targetgroup/write-20260101/aaaaaaaaaaaaaaaa", "targetgroup/write-20260102/bbbbbbbbbbbbbbbb"]
        production_listener_rule_arn = aws_lb_listener_rule.progressive["writer/production"].arn
        test_listener_rule_arn       = aws_lb_listener_rule.progressive["writer/test"].arn
      }
    }
    error_message = "output.delivery: the writer's groups (primary first) and its two rules."
  }
}

# A later apply with changed inputs (here both of the writer's groups replaced, as a port change would): the rules'
# configuration names other groups than their state, and the plan keeps the action that was applied, whatever
# ECS has made of it since. (A mock provider plans no replacement of its own, hence plan_options.replace.)
run "later_apply_keeps_the_rules_actions" {
  command = plan

  plan_options {
    replace = [aws_lb_target_group.this["writer"], aws_lb_target_group.this["writer-alt"]]
  }

  # The replacement groups' ARNs, known at plan (mock values are otherwise unknown until apply).
  override_resource {
    target          = aws_lb_target_group.this["writer"]
    override_during = plan
    values          = { arn = "arn:aws:elasticloadbalancing:eu-west-1:123456789012:targetgroup/write-20260201/cccccccccccccccc" }
  }
  override_resource {
    target          = aws_lb_target_group.this["writer-alt"]
    override_during = plan
    values          = { arn = "arn:aws:elasticloadbalancing:eu-west-1:123456789012:targetgroup/write-20260202/dddddddddddddddd" }
  }

  assert {
    condition = alltrue([for r in aws_lb_listener_rule.progressive : jsonencode(r.action[0].forward[0].target_group) == jsonencode(toset([
      { arn = "arn:aws:elasticloadbalancing:eu-west-1:123456789012:targetgroup/write-20260101/aaaaaaaaaaaaaaaa", weight = 100 },
      { arn = "arn:aws:elasticloadbalancing:eu-west-1:123456789012:targetgroup/write-20260102/bbbbbbbbbbbbbbbb", weight = 0 },
    ]))])
    error_message = "The plan keeps the applied forward action of the production and the test rule (ignore_changes = [action])."
  }
  assert {
    condition     = aws_lb_target_group.this["writer"].arn == "arn:aws:elasticloadbalancing:eu-west-1:123456789012:targetgroup/write-20260201/cccccccccccccccc"
    error_message = "The writer's groups are replaced in this plan: the rules' configuration now names other ARNs than their state."
  }
}

run "rejects_an_unknown_service" {
  command = plan

  variables {
    progressive = { services = ["reader", "search"], test_header = { name = "x-deploy-test", value = "prod" } }
  }

  expect_failures = [var.progressive]
}

run "rejects_a_header_that_is_no_token" {
  command = plan

  variables {
    progressive = { services = ["writer"], test_header = { name = "X Deploy Test", value = "prod" } }
  }

  expect_failures = [var.progressive]
}
