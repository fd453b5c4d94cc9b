# Progressive delivery (issue 27): with progressive = true the service is aws_ecs_service.progressive, and a later
# apply leaves alone what ECS changes. After each successful blue/green-based deployment ECS swaps the service's
# primary and alternate target groups (ECS Developer Guide, "Amazon ECS blue/green deployments"): Terraform then
# holds group A while the service names group B, which to a plan is the same difference as A in the state and B in
# the configuration. So: apply with A, plan with B, and the plan must keep A (a rolling service follows B).

mock_provider "aws" {
  source = "../../tests/mocks"
}

variables {
  name               = "library-test-writer"
  environment        = "prod"
  cluster_arn        = "arn:aws:ecs:eu-west-1:123456789012:cluster/library-test"
  cluster_name       = "library-test"
  subnet_ids         = ["subnet-aaaa", "subnet-bbbb"]
  security_group_ids = ["sg-services"]
  target_group_arn   = "arn:aws:elasticloadbalancing:eu-west-1:123456789012:targetgroup/write-a/aaaaaaaaaaaaaaaa"
  alb_resource_label = "app/library-test/0123456789abcdef/targetgroup/write-a/aaaaaaaaaaaaaaaa"
  ecr_repository_arn = "arn:aws:ecr:eu-west-1:123456789012:repository/library-test/writer"
  image              = "123456789012.dkr.ecr.eu-west-1.amazonaws.com/library-test/writer:bootstrap"
  listener_rule_arns = [
    "arn:aws:elasticloadbalancing:eu-west-1:123456789012:listener-rule/app/library-test/0123456789abcdef/0123456789abcdef/2222222222222222",
    "arn:aws:elasticloadbalancing:eu-west-1:123456789012:listener-rule/app/library-test/0123456789abcdef/0123456789abcdef/3333333333333333",
  ]
  database = {
    host         = "db.internal"
    user         = "library_writer"
    resource_ids = ["db-PRIMARY0000000000000000001"]
  }
  logs                   = { retention_days = 365, kms_key_arn = "arn:aws:kms:eu-west-1:123456789012:key/00000000-0000-0000-0000-000000000000" }
  deployment_alarm_names = ["library-test-writer-5xx-rate", "library-test-writer-p99", "library-test-writer-healthy-hosts"]
  progressive            = true
}

run "progressive_service_with_group_a" {
  command = apply

  assert {
    condition     = length(aws_ecs_service.this) == 0 && length(aws_ecs_service.progressive) == 1 && output.service.name == "library-test-writer"
    error_message = "progressive = true: the service is aws_ecs_service.progressive alone, and the outputs read it."
  }
  assert {
    condition     = one(aws_ecs_service.progressive[0].load_balancer).target_group_arn == var.target_group_arn
    error_message = "Created on the primary target group (A)."
  }
  assert {
    condition     = aws_ecs_service.progressive[0].alarms[0].alarm_names == toset(var.deployment_alarm_names) && aws_ecs_service.progressive[0].alarms[0].rollback
    error_message = "The rollback alarms, the same list the deploy CLI sends, so neither undoes the other."
  }
  assert {
    condition     = aws_ecs_service.progressive[0].deployment_controller[0].type == "ECS" && aws_appautoscaling_target.this.resource_id == "service/library-test/library-test-writer"
    error_message = "ECS deployment controller (blue/green-based strategies need it), and autoscaling on the same service."
  }
  assert {
    condition     = terraform_data.listener_rules.input == var.listener_rule_arns
    error_message = "The service waits for the production and the test listener rule."
  }
}

run "later_apply_keeps_the_swapped_target_group" {
  command = plan

  variables {
    target_group_arn = "arn:aws:elasticloadbalancing:eu-west-1:123456789012:targetgroup/write-a/bbbbbbbbbbbbbbbb"
  }

  assert {
    condition     = one(aws_ecs_service.progressive[0].load_balancer).target_group_arn == "arn:aws:elasticloadbalancing:eu-west-1:123456789012:targetgroup/write-a/aaaaaaaaaaaaaaaa"
    error_message = "The plan keeps the service's applied target group: load_balancer is ECS's after the first deployment."
  }
}

run "rolling_service_with_group_a" {
  command = apply

  variables {
    name                   = "library-test-reader"
    progressive            = false
    deployment_alarm_names = ["library-test-reader-5xx"]
  }

  assert {
    condition     = length(aws_ecs_service.this) == 1 && length(aws_ecs_service.progressive) == 0 && output.service.name == "library-test-reader"
    error_message = "progressive = false: the service is aws_ecs_service.this[0] alone (dev's address, moved from aws_ecs_service.this)."
  }
}

run "rolling_service_follows_a_new_target_group" {
  command = plan

  variables {
    name                   = "library-test-reader"
    progressive            = false
    deployment_alarm_names = ["library-test-reader-5xx"]
    target_group_arn       = "arn:aws:elasticloadbalancing:eu-west-1:123456789012:targetgroup/write-a/bbbbbbbbbbbbbbbb"
  }

  assert {
    condition     = one(aws_ecs_service.this[0].load_balancer).target_group_arn == "arn:aws:elasticloadbalancing:eu-west-1:123456789012:targetgroup/write-a/bbbbbbbbbbbbbbbb"
    error_message = "A rolling service follows its configured target group as before (R-6: a replaced group is updated in place)."
  }
}
