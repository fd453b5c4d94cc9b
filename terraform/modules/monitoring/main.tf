# Alerts and the operator's view: an encrypted SNS topic, alarms on the services, the ALB and the
# database, ECS deployment events to the same topic, and one dashboard showing the same metrics.
# Service names are passed in as strings (not module outputs), so the services can take the 5xx alarm
# names from here for alarm-based rollback without a dependency cycle.

data "aws_caller_identity" "current" {}
data "aws_region" "current" {}

locals {
  account_id = data.aws_caller_identity.current.account_id
  region     = data.aws_region.current.name
  # format(local.arn, service, resource): an ARN in this account and region. The partition (aws, aws-cn,
  # aws-us-gov) is the second field of the caller's own ARN (IAM User Guide, "IAM identifiers", ARNs).
  arn       = "arn:${split(":", data.aws_caller_identity.current.arn)[1]}:%s:${local.region}:${local.account_id}:%s"
  topic_arn = aws_sns_topic.alerts.arn

  # Noise: one normal deploy must not page anyone. A rolling deploy briefly raises CPU and memory (start-up),
  # leaves old targets draining and new ones in "initial" health, so the symptom alarms want most of a
  # 5-minute window (datapoints < periods: "M out of N", CloudWatch User Guide, "Evaluating an alarm") and
  # only the outage alarms fire fast. Deployment events are the FAILED ones only (see below).
  service_alarms = merge([
    for svc_key, svc in var.targets.services : {
      "${svc_key}-cpu" = {
        service     = svc_key, namespace = "AWS/ECS", metric = "CPUUtilization", statistic = "Average"
        threshold   = var.thresholds.service_cpu_percent, periods = 5, datapoints = 4, operator = "GreaterThanOrEqualToThreshold", missing = "notBreaching"
        dimensions  = { ClusterName = var.targets.cluster_name, ServiceName = svc.service_name }
        description = "${svc.service_name}: average CPU >= ${var.thresholds.service_cpu_percent}% in 4 of 5 minutes"
      }
      "${svc_key}-memory" = {
        service     = svc_key, namespace = "AWS/ECS", metric = "MemoryUtilization", statistic = "Average"
        threshold   = var.thresholds.service_memory_percent, periods = 5, datapoints = 4, operator = "GreaterThanOrEqualToThreshold", missing = "notBreaching"
        dimensions  = { ClusterName = var.targets.cluster_name, ServiceName = svc.service_name }
        description = "${svc.service_name}: average memory >= ${var.thresholds.service_memory_percent}% in 4 of 5 minutes"
      }
      "${svc_key}-unhealthy-hosts" = {
        service     = svc_key, namespace = "AWS/ApplicationELB", metric = "UnHealthyHostCount", statistic = "Maximum"
        threshold   = 1, periods = 5, datapoints = 3, operator = "GreaterThanOrEqualToThreshold", missing = "notBreaching"
        dimensions  = { LoadBalancer = var.targets.alb_arn_suffix, TargetGroup = svc.target_group_arn_suffixes[0] }
        across      = { groups = svc.target_group_arn_suffixes, combine = "MAX" }
        description = "${svc.service_name}: at least one unhealthy target in 3 of 5 minutes"
      }
      # Total outage (R-5): no healthy target at all. When every task is gone the metric may stop arriving,
      # so missing data counts as breaching (CloudWatch User Guide, "Configuring how CloudWatch alarms treat
      # missing data"). HealthyHostCount per TargetGroup and LoadBalancer: Application Load Balancer Guide,
      # "CloudWatch metrics for your Application Load Balancer".
      "${svc_key}-no-healthy-hosts" = {
        service     = svc_key, namespace = "AWS/ApplicationELB", metric = "HealthyHostCount", statistic = "Minimum"
        threshold   = 1, periods = 3, datapoints = 3, operator = "LessThanThreshold", missing = "breaching"
        dimensions  = { LoadBalancer = var.targets.alb_arn_suffix, TargetGroup = svc.target_group_arn_suffixes[0] }
        across      = { groups = svc.target_group_arn_suffixes, combine = "SUM" }
        description = "${svc.service_name}: no healthy target (or no data) for 3 minutes: the service is down"
      }
      "${svc_key}-5xx" = {
        service     = svc_key, namespace = "AWS/ApplicationELB", metric = "HTTPCode_Target_5XX_Count", statistic = "Sum"
        threshold   = var.thresholds.target_5xx_per_minute, periods = 2, datapoints = 2, operator = "GreaterThanOrEqualToThreshold", missing = "notBreaching"
        dimensions  = { LoadBalancer = var.targets.alb_arn_suffix, TargetGroup = svc.target_group_arn_suffixes[0] }
        across      = { groups = svc.target_group_arn_suffixes, combine = "MAX" }
        description = "${svc.service_name}: >= ${var.thresholds.target_5xx_per_minute} target 5xx per minute for 2 minutes (also rolls back a deployment)"
      }
    }
  ]...)

  stack_alarms = {
    alb-5xx = {
      namespace   = "AWS/ApplicationELB", metric = "HTTPCode_ELB_5XX_Count", statistic = "Sum"
      threshold   = var.thresholds.alb_5xx_per_minute, periods = 2, datapoints = 2, operator = "GreaterThanOrEqualToThreshold", missing = "notBreaching"
      dimensions  = { LoadBalancer = var.targets.alb_arn_suffix }
      description = "ALB: >= ${var.thresholds.alb_5xx_per_minute} load-balancer 5xx (502/503/504) per minute for 2 minutes"
    }
    db-cpu = {
      namespace   = "AWS/RDS", metric = "CPUUtilization", statistic = "Average"
      threshold   = var.thresholds.db_cpu_percent, periods = 5, datapoints = 5, operator = "GreaterThanOrEqualToThreshold", missing = "notBreaching"
      dimensions  = { DBInstanceIdentifier = var.targets.db_instance_identifier }
      description = "Database: CPU >= ${var.thresholds.db_cpu_percent}% for 5 minutes"
    }
    # A stopped, deleted or failed instance publishes no metrics at all, and a "notBreaching" alarm would stay
    # OK. RDS sends CPUUtilization every minute while the instance runs (Amazon RDS User Guide, "Amazon
    # CloudWatch metrics for Amazon RDS"), so fewer than one sample per minute, missing data included, means
    # the database is not running.
    db-down = {
      namespace   = "AWS/RDS", metric = "CPUUtilization", statistic = "SampleCount"
      threshold   = 1, periods = 5, datapoints = 5, operator = "LessThanThreshold", missing = "breaching"
      dimensions  = { DBInstanceIdentifier = var.targets.db_instance_identifier }
      description = "Database: no metrics for 5 minutes: the instance is stopped, missing or failed"
    }
    db-free-storage = {
      namespace   = "AWS/RDS", metric = "FreeStorageSpace", statistic = "Minimum"
      threshold   = var.thresholds.db_free_storage_bytes, periods = 5, datapoints = 5, operator = "LessThanOrEqualToThreshold", missing = "notBreaching"
      dimensions  = { DBInstanceIdentifier = var.targets.db_instance_identifier }
      description = "Database: free storage <= ${var.thresholds.db_free_storage_bytes} bytes"
    }
    db-connections = {
      namespace   = "AWS/RDS", metric = "DatabaseConnections", statistic = "Maximum"
      threshold   = var.thresholds.db_connections, periods = 5, datapoints = 5, operator = "GreaterThanOrEqualToThreshold", missing = "notBreaching"
      dimensions  = { DBInstanceIdentifier = var.targets.db_instance_identifier }
      description = "Database: >= ${var.thresholds.db_connections} connections (pool budget, P-4)"
    }
  }

  # Target response time uses a percentile (extended statistic), so it has its own resource.
  alarms = merge(local.service_alarms, local.stack_alarms)

  # A service ECS deploys with CANARY, LINEAR or BLUE_GREEN has two target groups, and after each successful
  # deployment the new revision serves from the group that was the alternate (ECS Developer Guide, "Amazon ECS
  # blue/green deployments"): its target-group alarms read both, as metric math over one query per group. No
  # healthy host is the SUM over both groups (an array function skips a group without a datapoint, and no data
  # at all stays missing, which the outage alarm treats as breaching: CloudWatch User Guide, "Using math
  # expressions with CloudWatch metrics"); the others take the worse group (MAX). One group: the plain metric.
  alarm_groups = {
    for k, a in local.alarms : k => zipmap(slice(["a", "b"], 0, length(a.across.groups)), a.across.groups)
    if length(try(a.across.groups, [])) > 1
  }

  # The outage alarms a paused or not yet deployed stack trips on purpose: no healthy target (tasks at 0, or still
  # on Terraform's bootstrap revision) and no database metrics (instance stopped). They are created with their
  # actions off; the deploy CLI turns them on after the first healthy rollout, off for `deploy pause`, on again
  # for `deploy resume` (CloudWatch API reference, EnableAlarmActions / DisableAlarmActions). Missing data
  # cannot tell these periods apart from an outage: bootstrap tasks that fail health checks publish
  # HealthyHostCount = 0, a real datapoint (Application Load Balancer Guide, "CloudWatch metrics for your
  # Application Load Balancer"), so treat_missing_data alone would still page.
  outage_alarm_keys = toset(concat([for k in keys(var.targets.services) : "${k}-no-healthy-hosts"], ["db-down"]))

  response_time_alarm_name = "${var.name}-alb-response-time-p95"
  alarm_names              = concat([for k in sort(keys(local.alarms)) : "${var.name}-${k}"], [local.response_time_alarm_name])
}

################################################################################
# SNS topic (N1, N2)
################################################################################

resource "aws_sns_topic" "alerts" {
  name              = "${var.name}-alerts"
  kms_master_key_id = var.alerts.kms_key_arn # a CMK: alarms cannot publish to a topic on alias/aws/sns
}

locals {
  topic_policy_statements = [
    {
      Sid       = "AlarmsAndEventsPublish"
      Effect    = "Allow"
      Principal = { Service = ["cloudwatch.amazonaws.com", "events.amazonaws.com"] }
      Action    = "sns:Publish"
      Resource  = local.topic_arn
      Condition = { StringEquals = { "aws:SourceAccount" = local.account_id } }
    },
  ]
}

resource "aws_sns_topic_policy" "alerts" {
  arn    = aws_sns_topic.alerts.arn
  policy = jsonencode({ Version = "2012-10-17", Statement = local.topic_policy_statements })
}

resource "aws_sns_topic_subscription" "email" {
  count = var.alerts.email == null ? 0 : 1

  topic_arn = aws_sns_topic.alerts.arn
  protocol  = "email"
  endpoint  = var.alerts.email
}

################################################################################
# Alarms (C4: every alarm acts, to the topic)
################################################################################

resource "aws_cloudwatch_metric_alarm" "this" {
  for_each = local.alarms

  alarm_name          = "${var.name}-${each.key}"
  alarm_description   = each.value.description
  namespace           = contains(keys(local.alarm_groups), each.key) ? null : each.value.namespace
  metric_name         = contains(keys(local.alarm_groups), each.key) ? null : each.value.metric
  statistic           = contains(keys(local.alarm_groups), each.key) ? null : each.value.statistic
  dimensions          = contains(keys(local.alarm_groups), each.key) ? null : each.value.dimensions
  period              = contains(keys(local.alarm_groups), each.key) ? null : 60
  evaluation_periods  = each.value.periods
  datapoints_to_alarm = each.value.datapoints
  threshold           = each.value.threshold
  comparison_operator = each.value.operator
  treat_missing_data  = each.value.missing
  actions_enabled     = !contains(local.outage_alarm_keys, each.key)
  alarm_actions       = [local.topic_arn]
  ok_actions          = [local.topic_arn]

  # Two target groups (see alarm_groups): the alarm's value is the groups' combination.
  dynamic "metric_query" {
    for_each = contains(keys(local.alarm_groups), each.key) ? [each.value.across.combine] : []
    content {
      id          = "across"
      expression  = "${metric_query.value}([${join(", ", keys(local.alarm_groups[each.key]))}])"
      label       = "${var.name}-${each.key}"
      return_data = true
    }
  }

  dynamic "metric_query" {
    for_each = lookup(local.alarm_groups, each.key, {})
    content {
      id          = metric_query.key
      return_data = false

      metric {
        namespace   = each.value.namespace
        metric_name = each.value.metric
        stat        = each.value.statistic
        period      = 60
        dimensions  = merge(each.value.dimensions, { TargetGroup = metric_query.value })
      }
    }
  }

  lifecycle {
    # The deploy CLI owns the outage alarms' actions after creation (see outage_alarm_keys).
    ignore_changes = [actions_enabled]
  }
}

resource "aws_cloudwatch_metric_alarm" "target_response_time" {
  alarm_name          = local.response_time_alarm_name
  alarm_description   = "ALB: p95 target response time >= ${var.thresholds.response_time_p95_seconds}s in 4 of 5 minutes"
  namespace           = "AWS/ApplicationELB"
  metric_name         = "TargetResponseTime"
  extended_statistic  = "p95"
  dimensions          = { LoadBalancer = var.targets.alb_arn_suffix }
  period              = 60
  evaluation_periods  = 5
  datapoints_to_alarm = 4
  threshold           = var.thresholds.response_time_p95_seconds
  comparison_operator = "GreaterThanOrEqualToThreshold"
  treat_missing_data  = "notBreaching"
  actions_enabled     = true
  alarm_actions       = [local.topic_arn]
  ok_actions          = [local.topic_arn]
}

################################################################################
# ECS deployment failures -> SNS (DP-11)
################################################################################

# Only failures: a normal deploy emits SERVICE_DEPLOYMENT_IN_PROGRESS and _COMPLETED for each service (four
# e-mails per deploy), which teaches people to ignore the topic. SERVICE_DEPLOYMENT_FAILED is sent when the
# circuit breaker or a deployment alarm fails a deployment, and its reason says it is rolling back (ECS
# Developer Guide, "Amazon ECS service deployment state change events"). The deploy CLI reports successes.
resource "aws_cloudwatch_event_rule" "deployments" {
  name        = "${var.name}-ecs-deployments"
  description = "Failed (rolled back) ECS deployments of the ${var.targets.cluster_name} services"
  event_pattern = jsonencode({
    source        = ["aws.ecs"]
    "detail-type" = ["ECS Deployment State Change"]
    resources     = [{ prefix = format(local.arn, "ecs", "service/${var.targets.cluster_name}/") }]
    detail = {
      eventName = ["SERVICE_DEPLOYMENT_FAILED"]
    }
  })
}

resource "aws_cloudwatch_event_target" "deployments" {
  rule      = aws_cloudwatch_event_rule.deployments.name
  target_id = "alerts-topic"
  arn       = aws_sns_topic.alerts.arn
}

################################################################################
# Database stopped or failed -> SNS (R-5), faster than the db-down alarm
################################################################################

# RDS sends "RDS DB Instance Event" to EventBridge (EventBridge events reference, Amazon RDS). Categories and
# ids from the Amazon RDS User Guide, "Amazon RDS event categories and event messages": "availability"
# (shutdown, restart), "failure", and RDS-EVENT-0087 (the DB instance has been stopped, category notification).
resource "aws_cloudwatch_event_rule" "database" {
  name        = "${var.name}-rds-availability"
  description = "The ${var.targets.db_instance_identifier} instance (or its replica) stopped, shut down, restarted or failed"
  event_pattern = jsonencode({
    source        = ["aws.rds"]
    "detail-type" = ["RDS DB Instance Event"]
    detail = {
      SourceIdentifier = [var.targets.db_instance_identifier, "${var.targets.db_instance_identifier}-replica"]
      "$or" = [
        { EventCategories = ["availability", "failure"] },
        { EventID = ["RDS-EVENT-0087"] },
      ]
    }
  })
}

resource "aws_cloudwatch_event_target" "database" {
  rule      = aws_cloudwatch_event_rule.database.name
  target_id = "alerts-topic"
  arn       = aws_sns_topic.alerts.arn
}
