# Monitoring module: encrypted topic, alarms that act, deployment events, dashboard (docs/reliability.md C4, N1, N2, DP-10, DP-11).

mock_provider "aws" {
  source = "../../tests/mocks"
}

variables {
  name   = "library-test"
  alerts = { kms_key_arn = "arn:aws:kms:eu-west-1:123456789012:key/00000000-0000-0000-0000-000000000000" }
  targets = {
    cluster_name           = "library-test"
    alb_arn_suffix         = "app/library-test/0123456789abcdef"
    db_instance_identifier = "library-test"
    services = {
      reader = { service_name = "library-test-reader", target_group_arn_suffixes = ["targetgroup/library-test-reader/1"] }
      writer = { service_name = "library-test-writer", target_group_arn_suffixes = ["targetgroup/library-test-writer/2"] }
    }
  }
}

run "topic_and_alarms_cover_services_alb_and_database" {
  command = plan

  assert {
    condition     = aws_sns_topic.alerts.kms_master_key_id == var.alerts.kms_key_arn
    error_message = "N1: the topic is encrypted with the CMK (not alias/aws/sns, which alarms cannot use)."
  }
  assert {
    condition = alltrue([for s in local.topic_policy_statements :
      s.Principal != "*" && toset(s.Principal.Service) == toset(["cloudwatch.amazonaws.com", "events.amazonaws.com"]) && s.Condition.StringEquals["aws:SourceAccount"] == "123456789012"
    ])
    error_message = "N2: only CloudWatch and EventBridge of this account may publish."
  }
  assert {
    condition     = length(aws_sns_topic_subscription.email) == 0
    error_message = "No e-mail subscription without an address."
  }
  assert {
    condition = toset(keys(aws_cloudwatch_metric_alarm.this)) == toset([
      "reader-cpu", "reader-memory", "reader-unhealthy-hosts", "reader-no-healthy-hosts", "reader-5xx",
      "writer-cpu", "writer-memory", "writer-unhealthy-hosts", "writer-no-healthy-hosts", "writer-5xx",
      "alb-5xx", "db-cpu", "db-down", "db-free-storage", "db-connections",
    ])
    error_message = "Alarms per service (CPU, memory, unhealthy hosts, no healthy host, 5xx), on the ALB 5xx and on RDS CPU, availability, storage and connections."
  }
  assert {
    condition     = aws_cloudwatch_metric_alarm.target_response_time.metric_name == "TargetResponseTime" && aws_cloudwatch_metric_alarm.target_response_time.extended_statistic == "p95"
    error_message = "An alarm on p95 target response time."
  }
  assert {
    condition     = aws_cloudwatch_metric_alarm.this["reader-cpu"].dimensions == tomap({ ClusterName = "library-test", ServiceName = "library-test-reader" })
    error_message = "Service alarms watch their own service."
  }
  assert {
    condition     = aws_cloudwatch_metric_alarm.this["writer-unhealthy-hosts"].dimensions == tomap({ LoadBalancer = "app/library-test/0123456789abcdef", TargetGroup = "targetgroup/library-test-writer/2" })
    error_message = "Unhealthy-host alarms watch their own target group."
  }
  assert {
    condition     = aws_cloudwatch_metric_alarm.this["db-free-storage"].comparison_operator == "LessThanOrEqualToThreshold"
    error_message = "Free storage alarms when it runs low."
  }
  assert {
    condition = alltrue([for k in ["reader", "writer"] :
      aws_cloudwatch_metric_alarm.this["${k}-no-healthy-hosts"].metric_name == "HealthyHostCount" &&
      aws_cloudwatch_metric_alarm.this["${k}-no-healthy-hosts"].namespace == "AWS/ApplicationELB" &&
      aws_cloudwatch_metric_alarm.this["${k}-no-healthy-hosts"].comparison_operator == "LessThanThreshold" &&
      aws_cloudwatch_metric_alarm.this["${k}-no-healthy-hosts"].threshold == 1 &&
      aws_cloudwatch_metric_alarm.this["${k}-no-healthy-hosts"].treat_missing_data == "breaching" &&
      aws_cloudwatch_metric_alarm.this["${k}-no-healthy-hosts"].dimensions == tomap({ LoadBalancer = var.targets.alb_arn_suffix, TargetGroup = var.targets.services[k].target_group_arn_suffixes[0] }) &&
      length(aws_cloudwatch_metric_alarm.this["${k}-no-healthy-hosts"].metric_query) == 0
    ])
    error_message = "R-5: each target group alarms when it has fewer than one healthy target, and when its metrics stop (total outage)."
  }
  assert {
    condition = (
      aws_cloudwatch_metric_alarm.this["db-down"].namespace == "AWS/RDS" && aws_cloudwatch_metric_alarm.this["db-down"].metric_name == "CPUUtilization" &&
      aws_cloudwatch_metric_alarm.this["db-down"].statistic == "SampleCount" && aws_cloudwatch_metric_alarm.this["db-down"].comparison_operator == "LessThanThreshold" &&
      aws_cloudwatch_metric_alarm.this["db-down"].threshold == 1 && aws_cloudwatch_metric_alarm.this["db-down"].treat_missing_data == "breaching" &&
      aws_cloudwatch_metric_alarm.this["db-down"].dimensions == tomap({ DBInstanceIdentifier = "library-test" })
    )
    error_message = "R-5: a stopped or missing database (no CPUUtilization samples) raises an alarm."
  }
  assert {
    condition     = alltrue([for k, a in aws_cloudwatch_metric_alarm.this : a.treat_missing_data == "notBreaching" if !contains(["reader-no-healthy-hosts", "writer-no-healthy-hosts", "db-down"], k)])
    error_message = "Only the outage alarms treat missing data as breaching; a quiet service is not an incident."
  }
}

run "deployments_and_database_events_are_reported_quietly_and_on_the_dashboard" {
  command = plan

  assert {
    condition     = jsondecode(aws_cloudwatch_event_rule.deployments.event_pattern).detail.eventName == ["SERVICE_DEPLOYMENT_FAILED"]
    error_message = "Noise: only failed (rolled back) deployments are e-mailed, not IN_PROGRESS/COMPLETED of every deploy."
  }
  assert {
    condition = alltrue([for k in ["reader-cpu", "reader-memory", "writer-cpu", "writer-memory", "reader-unhealthy-hosts", "writer-unhealthy-hosts"] :
      aws_cloudwatch_metric_alarm.this[k].evaluation_periods >= 5 && aws_cloudwatch_metric_alarm.this[k].datapoints_to_alarm >= 3
    ]) && aws_cloudwatch_metric_alarm.target_response_time.datapoints_to_alarm >= 4
    error_message = "Noise: start-up CPU, memory and target churn of a rolling deploy need 3+ of 5 minutes before they alarm."
  }
  assert {
    condition = jsondecode(aws_cloudwatch_event_rule.database.event_pattern) == {
      source        = ["aws.rds"]
      "detail-type" = ["RDS DB Instance Event"]
      detail = {
        SourceIdentifier = ["library-test", "library-test-replica"]
        "$or"            = [{ EventCategories = ["availability", "failure"] }, { EventID = ["RDS-EVENT-0087"] }]
      }
    }
    error_message = "R-5: RDS stop, availability and failure events of the instance and its replica go to the topic."
  }
  assert {
    condition     = aws_cloudwatch_event_target.database.rule == aws_cloudwatch_event_rule.database.name
    error_message = "The database rule targets the topic."
  }
  assert {
    condition     = jsondecode(aws_cloudwatch_event_rule.deployments.event_pattern)["detail-type"] == ["ECS Deployment State Change"] && jsondecode(aws_cloudwatch_event_rule.deployments.event_pattern).source == ["aws.ecs"]
    error_message = "DP-11: the rule matches ECS deployment state changes."
  }
  assert {
    condition     = contains(jsondecode(aws_cloudwatch_event_rule.deployments.event_pattern).detail.eventName, "SERVICE_DEPLOYMENT_FAILED")
    error_message = "DP-11: failed deployments are reported."
  }
  assert {
    condition     = jsondecode(aws_cloudwatch_event_rule.deployments.event_pattern).resources[0].prefix == "arn:aws:ecs:eu-west-1:123456789012:service/library-test/"
    error_message = "Only this cluster's services."
  }
  assert {
    condition     = aws_cloudwatch_event_target.deployments.rule == aws_cloudwatch_event_rule.deployments.name
    error_message = "The rule targets the topic."
  }
  assert {
    condition = alltrue([for m in ["CPUUtilization", "MemoryUtilization", "HTTPCode_ELB_5XX_Count", "HTTPCode_Target_5XX_Count", "TargetResponseTime", "UnHealthyHostCount", "DatabaseConnections", "FreeStorageSpace"] :
      strcontains(aws_cloudwatch_dashboard.this.dashboard_body, "\"${m}\"")
    ])
    error_message = "The dashboard shows every alarmed metric."
  }
  assert {
    condition     = length([for w in jsondecode(aws_cloudwatch_dashboard.this.dashboard_body).widgets : w if w.type == "alarm"]) == 1
    error_message = "The dashboard has an alarm-status widget."
  }
}

run "apply_outputs" {
  command = apply

  assert {
    condition = alltrue([for a in concat(values(aws_cloudwatch_metric_alarm.this), [aws_cloudwatch_metric_alarm.target_response_time]) :
      a.actions_enabled == !contains(output.outage_alarm_names, a.alarm_name) && a.alarm_actions == toset([aws_sns_topic.alerts.arn])
    ])
    error_message = "C4: every alarm acts, to the alerts topic; the outage alarms start with their actions off (the deploy CLI turns them on after the first healthy rollout)."
  }
  assert {
    condition     = output.outage_alarm_names == ["library-test-db-down", "library-test-reader-no-healthy-hosts", "library-test-writer-no-healthy-hosts"]
    error_message = "The outage alarms a pause or the bootstrap period trips on purpose: no healthy target per service, database down."
  }
  assert {
    condition     = alltrue([for n in output.outage_alarm_names : startswith(n, "library-test-")])
    error_message = "Every outage alarm is named <name>-*, the prefix the deployer policy grants Enable/DisableAlarmActions on."
  }
  assert {
    condition     = aws_sns_topic_policy.alerts.arn == aws_sns_topic.alerts.arn && aws_cloudwatch_event_target.deployments.arn == aws_sns_topic.alerts.arn && aws_cloudwatch_event_target.database.arn == aws_sns_topic.alerts.arn
    error_message = "The topic policy and both event targets are on the alerts topic."
  }
  assert {
    condition     = output.names.topic == "library-test-alerts"
    error_message = "The topic is <name>-alerts (the KMS key policy names it for EventBridge)."
  }
  assert {
    condition     = output.service_5xx_alarm_names == { reader = "library-test-reader-5xx", writer = "library-test-writer-5xx" }
    error_message = "Each service's 5xx alarm name is output for alarm-based rollback."
  }
  assert {
    condition     = length(output.names.alarms) == 16
    error_message = "16 alarms: 5 per service, ALB 5xx, p95 latency, 4 on the database."
  }
}

run "rejects_bad_values" {
  command         = plan
  expect_failures = [var.alerts, var.targets, var.thresholds]

  variables {
    alerts     = { kms_key_arn = "arn:aws:kms:eu-west-1:123456789012:key/00000000-0000-0000-0000-000000000000", email = "not-an-email" }
    targets    = { cluster_name = "library-test", alb_arn_suffix = "library-test", db_instance_identifier = "library-test", services = {} }
    thresholds = { service_cpu_percent = 150 }
  }
}

run "rejects_the_aws_managed_sns_key" {
  command = plan

  variables {
    alerts     = { kms_key_arn = "alias/aws/sns" }
    thresholds = { db_connections = 0 }
  }

  expect_failures = [var.alerts, var.thresholds]
}

# ECS CANARY (issue 27): after a successful deployment the new revision serves from the group that was the
# alternate, so every target-group alarm reads both groups; rolling services (above) keep the plain metric.
run "canary_services_alarm_on_both_target_groups" {
  command = apply

  variables {
    alerts = { kms_key_arn = "arn:aws:kms:eu-west-1:123456789012:key/00000000-0000-0000-0000-000000000000", email = "oncall@example.com" }
    targets = {
      cluster_name           = "library-test"
      alb_arn_suffix         = "app/library-test/0123456789abcdef"
      db_instance_identifier = "library-test"
      services = {
        reader = { service_name = "library-test-reader", target_group_arn_suffixes = ["targetgroup/library-test-reader/1", "targetgroup/library-test-reader-alt/3"] }
        writer = { service_name = "library-test-writer", target_group_arn_suffixes = ["targetgroup/library-test-writer/2", "targetgroup/library-test-writer-alt/4"] }
      }
    }
  }

  assert {
    condition = alltrue(flatten([for k, s in var.targets.services : [
      for kind, combine in { "no-healthy-hosts" = "SUM", "unhealthy-hosts" = "MAX", "5xx" = "MAX" } : (
        aws_cloudwatch_metric_alarm.this["${k}-${kind}"].metric_name == null &&
        one([for q in aws_cloudwatch_metric_alarm.this["${k}-${kind}"].metric_query : q.expression if q.return_data]) == "${combine}([a, b])" &&
        toset([for q in aws_cloudwatch_metric_alarm.this["${k}-${kind}"].metric_query : one(q.metric).dimensions.TargetGroup if !q.return_data]) == toset(s.target_group_arn_suffixes)
      )
    ]]))
    error_message = "With an alternate group, no healthy host is the sum of HealthyHostCount over both groups, and unhealthy hosts and 5xx the worse group."
  }
  assert {
    condition = alltrue([for k in keys(var.targets.services) :
      aws_cloudwatch_metric_alarm.this["${k}-no-healthy-hosts"].threshold == 1 && aws_cloudwatch_metric_alarm.this["${k}-no-healthy-hosts"].comparison_operator == "LessThanThreshold" &&
      aws_cloudwatch_metric_alarm.this["${k}-no-healthy-hosts"].treat_missing_data == "breaching" &&
      one([for q in aws_cloudwatch_metric_alarm.this["${k}-no-healthy-hosts"].metric_query : one(q.metric).metric_name if !q.return_data && q.id == "b"]) == "HealthyHostCount"
    ])
    error_message = "R-5 still holds over both groups: fewer than one healthy target, or no data, alarms."
  }
  assert {
    condition     = output.outage_alarm_names == ["library-test-db-down", "library-test-reader-no-healthy-hosts", "library-test-writer-no-healthy-hosts"] && output.service_5xx_alarm_names.reader == "library-test-reader-5xx"
    error_message = "The alarm names the deploy CLI turns on and off do not change with the strategy."
  }
  assert {
    condition     = alltrue([for k in ["reader-cpu", "db-down"] : aws_cloudwatch_metric_alarm.this[k].metric_name != null && length(aws_cloudwatch_metric_alarm.this[k].metric_query) == 0])
    error_message = "Alarms that are not per target group keep their plain metric."
  }
  assert {
    condition     = strcontains(aws_cloudwatch_dashboard.this.dashboard_body, "targetgroup/library-test-writer-alt/4") && strcontains(aws_cloudwatch_dashboard.this.dashboard_body, "reader alt healthy")
    error_message = "The dashboard shows the alternate groups too."
  }
  assert {
    condition     = aws_sns_topic_subscription.email[0].protocol == "email" && aws_sns_topic_subscription.email[0].endpoint == "oncall@example.com"
    error_message = "An optional e-mail subscription."
  }
}
