# Delivery module: with ROLLING nothing exists and each service's delivery says so; with CANARY, LINEAR or
# BLUE_GREEN the infrastructure role, the smoke hook with its roles and log group, and three rollback alarms per
# service over both of its target groups, handed to the deploy CLI in the contract's shape.

mock_provider "aws" {
  source = "../../tests/mocks"
}

variables {
  name                = "library-test"
  aws                 = { partition = "aws", region = "eu-west-1", account_id = "123456789012" }
  test_traffic_header = { name = "x-deploy-test", value = "prod" }
  progressive         = false
  rollback_alarms     = { error_rate_percent = 1, min_requests = 10, p99_seconds = 2, evaluation_minutes = 2 }
  # Both services as modules/load_balancer builds them for a blue/green-based strategy (ROLLING's run drops them).
  services = {
    reader = {
      service_name = "library-test-reader"
      load_balancer = {
        target_group_arn             = "arn:aws:elasticloadbalancing:eu-west-1:123456789012:targetgroup/read-a/1111111111111111"
        alternate_target_group_arn   = "arn:aws:elasticloadbalancing:eu-west-1:123456789012:targetgroup/read-b/2222222222222222"
        target_group_arn_suffixes    = ["targetgroup/read-a/1111111111111111", "targetgroup/read-b/2222222222222222"]
        production_listener_rule_arn = "arn:aws:elasticloadbalancing:eu-west-1:123456789012:listener-rule/app/library-test/0123456789abcdef/fedcba9876543210/1111111111111111"
        test_listener_rule_arn       = "arn:aws:elasticloadbalancing:eu-west-1:123456789012:listener-rule/app/library-test/0123456789abcdef/fedcba9876543210/2222222222222222"
      }
    }
    writer = {
      service_name = "library-test-writer"
      load_balancer = {
        target_group_arn             = "arn:aws:elasticloadbalancing:eu-west-1:123456789012:targetgroup/write-a/3333333333333333"
        alternate_target_group_arn   = "arn:aws:elasticloadbalancing:eu-west-1:123456789012:targetgroup/write-b/4444444444444444"
        target_group_arn_suffixes    = ["targetgroup/write-a/3333333333333333", "targetgroup/write-b/4444444444444444"]
        production_listener_rule_arn = "arn:aws:elasticloadbalancing:eu-west-1:123456789012:listener-rule/app/library-test/0123456789abcdef/fedcba9876543210/3333333333333333"
        test_listener_rule_arn       = "arn:aws:elasticloadbalancing:eu-west-1:123456789012:listener-rule/app/library-test/0123456789abcdef/fedcba9876543210/4444444444444444"
      }
    }
  }
  alb  = { arn_suffix = "app/library-test/0123456789abcdef", app_url = "https://books.example.com" }
  logs = { retention_days = 365, kms_key_arn = "arn:aws:kms:eu-west-1:123456789012:key/00000000-0000-0000-0000-000000000000" }
}

run "rolling_builds_nothing" {
  command = apply

  variables {
    services = {
      reader = { service_name = "library-test-reader" }
      writer = { service_name = "library-test-writer" }
    }
  }

  assert {
    condition = (length(aws_iam_role.infrastructure) + length(aws_lambda_function.hook) + length(aws_iam_role.hook_invoke) +
    length(aws_cloudwatch_log_group.hook) + length(aws_cloudwatch_metric_alarm.rollback)) == 0
    error_message = "ROLLING: no infrastructure role, hook or rollback alarm."
  }
  assert {
    condition = jsonencode(output.services.reader) == jsonencode({
      load_balancer = null, hook = null, rollback_alarm_names = [], test_traffic_header = null
    }) && length(output.passable_role_names) == 0 && jsonencode(output.rollback_alarm_names) == jsonencode({ reader = [], writer = [] })
    error_message = "ROLLING: no load balancer part, hook, rollback alarms or test header; no role for the deployer to pass."
  }
}

run "progressive_builds_the_contract" {
  command = apply

  variables {
    progressive = true
  }

  override_resource {
    target = aws_iam_role.infrastructure[0]
    values = { arn = "arn:aws:iam::123456789012:role/library-test-ecs-infrastructure" }
  }
  override_resource {
    target = aws_iam_role.hook_invoke[0]
    values = { arn = "arn:aws:iam::123456789012:role/library-test-smoke-hook-invoke" }
  }
  override_resource {
    target = aws_lambda_function.hook[0]
    values = { arn = "arn:aws:lambda:eu-west-1:123456789012:function:library-test-smoke-hook" }
  }

  assert {
    condition = jsonencode(output.services.writer) == jsonencode({
      load_balancer = {
        target_group_arn             = "arn:aws:elasticloadbalancing:eu-west-1:123456789012:targetgroup/write-a/3333333333333333"
        alternate_target_group_arn   = "arn:aws:elasticloadbalancing:eu-west-1:123456789012:targetgroup/write-b/4444444444444444"
        production_listener_rule_arn = "arn:aws:elasticloadbalancing:eu-west-1:123456789012:listener-rule/app/library-test/0123456789abcdef/fedcba9876543210/3333333333333333"
        test_listener_rule_arn       = "arn:aws:elasticloadbalancing:eu-west-1:123456789012:listener-rule/app/library-test/0123456789abcdef/fedcba9876543210/4444444444444444"
        role_arn                     = "arn:aws:iam::123456789012:role/library-test-ecs-infrastructure"
      }
      hook = {
        function_arn     = "arn:aws:lambda:eu-west-1:123456789012:function:library-test-smoke-hook"
        role_arn         = "arn:aws:iam::123456789012:role/library-test-smoke-hook-invoke"
        lifecycle_stages = ["POST_TEST_TRAFFIC_SHIFT"]
      }
      rollback_alarm_names = ["library-test-writer-5xx-rate", "library-test-writer-p99", "library-test-writer-healthy-hosts"]
      test_traffic_header  = { name = "x-deploy-test", value = "prod" }
    })
    error_message = "services.writer.delivery: exactly the contract's shape and values (terraform/README.md, \"Progressive delivery\")."
  }
  assert {
    condition     = jsonencode(output.rollback_alarm_names.reader) == jsonencode(output.services.reader.rollback_alarm_names) && jsonencode(output.passable_role_names) == jsonencode(["library-test-ecs-infrastructure", "library-test-smoke-hook-invoke"])
    error_message = "The services' deployment alarms are the rollback alarms of the contract; the deployer may pass the two roles."
  }
  assert {
    condition = (
      jsondecode(aws_iam_role.infrastructure[0].assume_role_policy).Statement[0].Principal == { Service = "ecs.amazonaws.com" } &&
      aws_iam_role_policy_attachment.infrastructure[0].policy_arn == "arn:aws:iam::aws:policy/AmazonECSInfrastructureRolePolicyForLoadBalancers" &&
      aws_iam_role.infrastructure[0].name == "library-test-ecs-infrastructure"
    )
    error_message = "The infrastructure role: trusted by ecs.amazonaws.com, with the AWS managed policy for load balancers."
  }
  assert {
    condition = (
      aws_iam_role.hook_invoke[0].name == "library-test-smoke-hook-invoke" &&
      jsondecode(aws_iam_role.hook_invoke[0].assume_role_policy).Statement[0].Principal == { Service = "ecs.amazonaws.com" } &&
      jsondecode(aws_iam_role_policy.hook_invoke[0].policy).Statement == [{
        Sid = "InvokeSmokeHook", Effect = "Allow", Action = ["lambda:InvokeFunction"], Resource = ["arn:aws:lambda:eu-west-1:123456789012:function:library-test-smoke-hook"]
      }]
    )
    error_message = "The invoke role: trusted by ecs.amazonaws.com, lambda:InvokeFunction on the smoke hook only."
  }
  assert {
    condition = (
      aws_lambda_function.hook[0].function_name == "library-test-smoke-hook" && aws_lambda_function.hook[0].runtime == "nodejs22.x" &&
      aws_lambda_function.hook[0].handler == "smoke-hook.handler" && aws_lambda_function.hook[0].source_code_hash == filebase64sha256("hook/smoke-hook.zip") &&
      jsonencode(aws_lambda_function.hook[0].environment[0].variables) == jsonencode({
        APP_URL  = "https://books.example.com", TEST_HEADER_NAME = "x-deploy-test", TEST_HEADER_VALUE = "prod"
        SERVICES = jsonencode({ "library-test-reader" = "reader", "library-test-writer" = "writer" })
      })
    )
    error_message = "The hook: Node.js 22, the committed zip (its hash), the app URL, the test header and which checks each service gets."
  }
  assert {
    condition = (
      aws_cloudwatch_log_group.hook[0].name == "/aws/lambda/library-test-smoke-hook" && aws_cloudwatch_log_group.hook[0].retention_in_days == 365 &&
      aws_cloudwatch_log_group.hook[0].kms_key_id == var.logs.kms_key_arn && aws_lambda_function.hook[0].logging_config[0].log_group == aws_cloudwatch_log_group.hook[0].name &&
      jsondecode(aws_iam_role_policy.hook[0].policy).Statement[0].Resource == ["arn:aws:logs:eu-west-1:123456789012:log-group:/aws/lambda/library-test-smoke-hook:*"] &&
      jsondecode(aws_iam_role.hook[0].assume_role_policy).Statement[0].Principal == { Service = "lambda.amazonaws.com" }
    )
    error_message = "The hook's log group has the stack's log settings; the function's own role writes to it and nothing else."
  }
  assert {
    condition     = toset(keys(aws_cloudwatch_metric_alarm.rollback)) == toset(["reader-5xx-rate", "reader-p99", "reader-healthy-hosts", "writer-5xx-rate", "writer-p99", "writer-healthy-hosts"])
    error_message = "Three rollback alarms per service."
  }
  assert {
    condition = alltrue([for k, a in aws_cloudwatch_metric_alarm.rollback : toset(compact([for q in a.metric_query : try(q.metric[0].dimensions.TargetGroup, null)])) == toset(
      k == "reader" || startswith(k, "reader-") ? ["targetgroup/read-a/1111111111111111", "targetgroup/read-b/2222222222222222"] : ["targetgroup/write-a/3333333333333333", "targetgroup/write-b/4444444444444444"]
    ) && alltrue([for q in a.metric_query : try(q.metric[0].dimensions.LoadBalancer, var.alb.arn_suffix) == var.alb.arn_suffix])])
    error_message = "Every rollback alarm reads both of its service's target groups (the new revision can be in either) on this ALB."
  }
  assert {
    condition = (
      one([for q in aws_cloudwatch_metric_alarm.rollback["writer-5xx-rate"].metric_query : q if q.return_data]).expression == "MAX([ax, bx])" &&
      one([for q in aws_cloudwatch_metric_alarm.rollback["writer-5xx-rate"].metric_query : q if q.id == "bx"]).expression == "IF(FILL(br, 0) >= 10, 100 * FILL(be, 0) / br, 0)" &&
      one([for q in aws_cloudwatch_metric_alarm.rollback["writer-5xx-rate"].metric_query : q if q.id == "be"]).metric[0].metric_name == "HTTPCode_Target_5XX_Count" &&
      aws_cloudwatch_metric_alarm.rollback["writer-5xx-rate"].threshold == 1 &&
      one([for q in aws_cloudwatch_metric_alarm.rollback["writer-p99"].metric_query : q if q.id == "at"]).metric[0].stat == "p99" &&
      aws_cloudwatch_metric_alarm.rollback["writer-p99"].threshold == 2 &&
      one([for q in aws_cloudwatch_metric_alarm.rollback["writer-healthy-hosts"].metric_query : q if q.id == "bu"]).metric[0].metric_name == "UnHealthyHostCount" &&
      alltrue([for a in aws_cloudwatch_metric_alarm.rollback : a.treat_missing_data == "notBreaching" && a.evaluation_periods == 2 && a.datapoints_to_alarm == 2])
    )
    error_message = "5xx rate per group (with at least min_requests requests), p99 per group, unhealthy targets per group; the worse group decides; missing data (an empty group) never breaches."
  }
}
