# Progressive delivery (issue 27): what ECS's CANARY, LINEAR and BLUE_GREEN strategies need besides the ALB's
# alternate target groups and listener rules (modules/load_balancer, delivery.tf): the infrastructure role ECS
# moves traffic with, the lifecycle hook that smoke-tests the new revision through the test listener rule, and
# the alarms that roll a deployment back. With ROLLING nothing here exists and every service's `delivery` says
# so. The deploy CLI hands all of it to ECS through UpdateService (provider 5.100 cannot); the shape it reads is
# the `services` output (terraform/README.md, "Progressive delivery").

locals {
  region      = var.aws.region
  account_id  = var.aws.account_id
  partition   = var.aws.partition
  progressive = var.progressive

  hook_name          = "${var.name}-smoke-hook"
  hook_log_group     = "/aws/lambda/${local.hook_name}"
  hook_function_arn  = "arn:${local.partition}:lambda:${local.region}:${local.account_id}:function:${local.hook_name}"
  hook_package       = "${path.module}/hook/smoke-hook.zip"
  hook_log_group_arn = "arn:${local.partition}:logs:${local.region}:${local.account_id}:log-group:${local.hook_log_group}"
}

################################################################################
# ECS infrastructure role for load balancers
################################################################################

# ECS assumes it to re-weight the listener rules and register tasks in the target groups during a deployment
# (ECS Developer Guide, "Amazon ECS infrastructure IAM role for load balancers": trust ecs.amazonaws.com, the AWS
# managed policy AmazonECSInfrastructureRolePolicyForLoadBalancers). The deploy CLI passes it in the service's
# loadBalancers[].advancedConfiguration.roleArn.
resource "aws_iam_role" "infrastructure" {
  count = local.progressive ? 1 : 0

  name        = "${var.name}-ecs-infrastructure"
  description = "ECS moving traffic between the target groups of ${var.name}'s services during blue/green, canary and linear deployments"
  assume_role_policy = jsonencode({
    Version   = "2012-10-17"
    Statement = [{ Sid = "EcsInfrastructure", Effect = "Allow", Principal = { Service = "ecs.amazonaws.com" }, Action = "sts:AssumeRole" }]
  })
}

resource "aws_iam_role_policy_attachment" "infrastructure" {
  count = local.progressive ? 1 : 0

  role       = aws_iam_role.infrastructure[0].name
  policy_arn = "arn:${local.partition}:iam::aws:policy/AmazonECSInfrastructureRolePolicyForLoadBalancers"
}

################################################################################
# Lifecycle hook: smoke test through the test listener rule (hook/smoke-hook.mjs)
################################################################################

# ECS invokes the hook at POST_TEST_TRAFFIC_SHIFT, when the new revision takes 100 % of the test traffic and none
# of the production traffic; FAILED (or no valid answer) rolls the deployment back before any user reaches the
# new revision (ECS Developer Guide, "Lifecycle hooks for Amazon ECS service deployments"). It runs on AWS's side:
# a CI runner that dies mid-deploy cannot leave a release half-checked.
resource "aws_cloudwatch_log_group" "hook" {
  count = local.progressive ? 1 : 0

  name              = local.hook_log_group
  retention_in_days = var.logs.retention_days
  kms_key_id        = var.logs.kms_key_arn
}

# The function's own role: write its log lines, nothing else (it calls the public app_url, no AWS API).
resource "aws_iam_role" "hook" {
  count = local.progressive ? 1 : 0

  name        = local.hook_name
  description = "The ${local.hook_name} Lambda function: its own log lines only"
  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Sid       = "LambdaRuns"
      Effect    = "Allow"
      Principal = { Service = "lambda.amazonaws.com" }
      Action    = "sts:AssumeRole"
      Condition = { StringEquals = { "aws:SourceAccount" = local.account_id } }
    }]
  })
}

resource "aws_iam_role_policy" "hook" {
  count = local.progressive ? 1 : 0

  name = "own-logs"
  role = aws_iam_role.hook[0].id
  policy = jsonencode({
    Version   = "2012-10-17"
    Statement = [{ Sid = "WriteOwnLogs", Effect = "Allow", Action = ["logs:CreateLogStream", "logs:PutLogEvents"], Resource = ["${local.hook_log_group_arn}:*"] }]
  })
}

# The zip is committed beside its source and built reproducibly by scripts/build-smoke-hook.mjs (its unit test
# rebuilds it and compares the bytes), so a plan needs no archive provider and its hash changes only with the code.
resource "aws_lambda_function" "hook" {
  count = local.progressive ? 1 : 0

  function_name    = local.hook_name
  description      = "ECS lifecycle hook (POST_TEST_TRAFFIC_SHIFT): smoke-tests the new revision of ${var.name}'s services through the test listener rule"
  role             = aws_iam_role.hook[0].arn
  runtime          = "nodejs22.x"
  handler          = "smoke-hook.handler"
  filename         = local.hook_package
  source_code_hash = filebase64sha256(local.hook_package)
  memory_size      = 128
  # Its requests time out after 5 s each; three in a row, with room to answer ECS.
  timeout = 30

  environment {
    variables = {
      APP_URL           = var.alb.app_url
      TEST_HEADER_NAME  = var.test_traffic_header.name
      TEST_HEADER_VALUE = var.test_traffic_header.value
      # Which checks to run, by the ECS service name in the event's serviceArn.
      SERVICES = jsonencode({ for k, s in var.services : s.service_name => k })
    }
  }

  logging_config {
    log_format = "Text"
    log_group  = aws_cloudwatch_log_group.hook[0].name
  }

  depends_on = [aws_iam_role_policy.hook]
}

# ECS invokes the hook as this role (ECS Developer Guide, "Permissions required for Lambda functions in Amazon ECS
# blue/green deployments": trust ecs.amazonaws.com, lambda:InvokeFunction), here on this one function only.
resource "aws_iam_role" "hook_invoke" {
  count = local.progressive ? 1 : 0

  name        = "${local.hook_name}-invoke"
  description = "ECS invoking ${local.hook_name} during ${var.name}'s deployments"
  assume_role_policy = jsonencode({
    Version   = "2012-10-17"
    Statement = [{ Sid = "EcsInvokesHook", Effect = "Allow", Principal = { Service = "ecs.amazonaws.com" }, Action = "sts:AssumeRole" }]
  })
}

resource "aws_iam_role_policy" "hook_invoke" {
  count = local.progressive ? 1 : 0

  name = "invoke-smoke-hook"
  role = aws_iam_role.hook_invoke[0].id
  policy = jsonencode({
    Version   = "2012-10-17"
    Statement = [{ Sid = "InvokeSmokeHook", Effect = "Allow", Action = ["lambda:InvokeFunction"], Resource = [local.hook_function_arn] }]
  })
}

################################################################################
# Rollback alarms
################################################################################

# ECS rolls a deployment back when one of the service's deployment alarms goes to ALARM during the deployment or
# its bake time (ECS Developer Guide, "How CloudWatch alarms detect Amazon ECS deployment failures"). The new
# revision may sit in either target group (ECS swaps their roles after each deployment), so each alarm reads
# both groups and takes the worse one; 60 s periods, as the ALB publishes (Application Load Balancer Guide,
# "CloudWatch metrics for your Application Load Balancer").
locals {
  thresholds = var.rollback_alarms

  # Per kind: the metrics read from each target group and the expression per group, where %[1]s stands for the
  # group's prefix (a: the group created as primary, b: the alternate); the alarm's value is the larger of the two.
  alarm_kinds = {
    # The share of a group's requests its targets answered with a 5xx, in percent, once the group saw at least
    # min_requests requests in the minute (a canary's first requests would otherwise swing it to 100 %).
    "5xx-rate" = {
      metrics    = { e = ["HTTPCode_Target_5XX_Count", "Sum"], r = ["RequestCount", "Sum"] }
      expression = "IF(FILL(%[1]sr, 0) >= ${local.thresholds.min_requests}, 100 * FILL(%[1]se, 0) / %[1]sr, 0)"
      threshold  = local.thresholds.error_rate_percent
      what       = "5xx responses >= ${local.thresholds.error_rate_percent} % of the requests"
    }
    "p99" = {
      metrics    = { t = ["TargetResponseTime", "p99"] }
      expression = "FILL(%[1]st, 0)"
      threshold  = local.thresholds.p99_seconds
      what       = "p99 target response time >= ${local.thresholds.p99_seconds} s"
    }
    # HealthyHostCount cannot say it: between deployments the alternate group is empty, so its HealthyHostCount is
    # 0 (or missing) all the time, and the sum over both groups stays up on the old revision's healthy tasks while
    # the new one fails. A failing new revision shows as targets its group keeps unhealthy; an empty group has none.
    # (No healthy host at all is the outage alarm <name>-<svc>-no-healthy-hosts of modules/monitoring.)
    "healthy-hosts" = {
      metrics    = { u = ["UnHealthyHostCount", "Maximum"] }
      expression = "FILL(%[1]su, 0)"
      threshold  = 1
      what       = "a target group keeps unhealthy targets (HealthyHostCount short of its registered targets)"
    }
  }

  rollback_alarms = local.progressive ? merge([for k, s in var.services : {
    for kind, a in local.alarm_kinds : "${k}-${kind}" => merge(a, {
      service      = k
      service_name = s.service_name
      groups       = zipmap(["a", "b"], s.load_balancer.target_group_arn_suffixes)
    })
  }]...) : {}

  # In the order of the contract (terraform/README.md): error rate, latency, health.
  alarm_order          = ["5xx-rate", "p99", "healthy-hosts"]
  rollback_alarm_names = { for k in keys(var.services) : k => [for kind in local.alarm_order : "${var.name}-${k}-${kind}" if local.progressive] }
}

resource "aws_cloudwatch_metric_alarm" "rollback" {
  for_each = local.rollback_alarms

  alarm_name          = "${var.name}-${each.key}"
  alarm_description   = "Rolls back a deployment of ${each.value.service_name}: in either target group, ${each.value.what} for ${local.thresholds.evaluation_minutes} minutes"
  comparison_operator = "GreaterThanOrEqualToThreshold"
  threshold           = each.value.threshold
  evaluation_periods  = local.thresholds.evaluation_minutes
  datapoints_to_alarm = local.thresholds.evaluation_minutes
  # No traffic, or an empty group, is no evidence of a bad revision.
  treat_missing_data = "notBreaching"

  metric_query {
    id          = "worst"
    expression  = "MAX([${join(", ", [for g in keys(each.value.groups) : "${g}x"])}])"
    label       = each.key
    return_data = true
  }

  dynamic "metric_query" {
    for_each = each.value.groups
    content {
      id          = "${metric_query.key}x"
      expression  = format(each.value.expression, metric_query.key)
      return_data = false
    }
  }

  dynamic "metric_query" {
    for_each = merge([for g, suffix in each.value.groups : {
      for m, def in each.value.metrics : "${g}${m}" => { metric = def[0], stat = def[1], target_group = suffix }
    }]...)
    content {
      id          = metric_query.key
      return_data = false

      metric {
        namespace   = "AWS/ApplicationELB"
        metric_name = metric_query.value.metric
        stat        = metric_query.value.stat
        period      = 60
        dimensions  = { LoadBalancer = var.alb.arn_suffix, TargetGroup = metric_query.value.target_group }
      }
    }
  }
}
