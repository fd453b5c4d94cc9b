# Monitoring module: encrypted topic, alarms that act, deployment events, dashboard (RELIABILITY C4, N1, N2, DP-10, DP-11).

mock_provider "aws" {
  source = "../../tests/mocks"
}

variables {
  name                   = "library-test"
  kms_key_arn            = "arn:aws:kms:eu-west-1:123456789012:key/00000000-0000-0000-0000-000000000000"
  cluster_name           = "library-test"
  alb_arn_suffix         = "app/library-test/0123456789abcdef"
  db_instance_identifier = "library-test"
  services = {
    reader = { service_name = "library-test-reader", target_group_arn_suffix = "targetgroup/library-test-reader/1" }
    writer = { service_name = "library-test-writer", target_group_arn_suffix = "targetgroup/library-test-writer/2" }
  }
}

run "topic_is_encrypted_and_not_public" {
  command = plan

  assert {
    condition     = aws_sns_topic.alerts.kms_master_key_id == var.kms_key_arn
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
}

run "email_subscription" {
  command = plan
  variables {
    alarm_email = "oncall@example.com"
  }
  assert {
    condition     = aws_sns_topic_subscription.email[0].protocol == "email" && aws_sns_topic_subscription.email[0].endpoint == "oncall@example.com"
    error_message = "An optional e-mail subscription."
  }
}

run "alarms_cover_services_alb_and_database" {
  command = plan

  assert {
    condition = toset(keys(aws_cloudwatch_metric_alarm.this)) == toset([
      "reader-cpu", "reader-memory", "reader-unhealthy-hosts", "reader-5xx",
      "writer-cpu", "writer-memory", "writer-unhealthy-hosts", "writer-5xx",
      "alb-5xx", "db-cpu", "db-free-storage", "db-connections",
    ])
    error_message = "Alarms per service (CPU, memory, unhealthy hosts, 5xx), on the ALB 5xx and on RDS CPU, storage and connections."
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
}

run "deployment_events_go_to_the_topic" {
  command = plan

  assert {
    condition     = jsondecode(aws_cloudwatch_event_rule.deployments.event_pattern)["detail-type"] == ["ECS Deployment State Change"] && jsondecode(aws_cloudwatch_event_rule.deployments.event_pattern).source == ["aws.ecs"]
    error_message = "DP-11: the rule matches ECS deployment state changes."
  }
  assert {
    condition     = contains(jsondecode(aws_cloudwatch_event_rule.deployments.event_pattern).detail.eventName, "SERVICE_DEPLOYMENT_FAILED") && contains(jsondecode(aws_cloudwatch_event_rule.deployments.event_pattern).detail.eventName, "SERVICE_DEPLOYMENT_COMPLETED")
    error_message = "DP-11: failed and completed deployments are reported."
  }
  assert {
    condition     = jsondecode(aws_cloudwatch_event_rule.deployments.event_pattern).resources[0].prefix == "arn:aws:ecs:eu-west-1:123456789012:service/library-test/"
    error_message = "Only this cluster's services."
  }
  assert {
    condition     = aws_cloudwatch_event_target.deployments.rule == aws_cloudwatch_event_rule.deployments.name
    error_message = "The rule targets the topic."
  }
}

run "dashboard_shows_the_alarmed_metrics" {
  command = plan

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
      a.actions_enabled && a.alarm_actions == toset([aws_sns_topic.alerts.arn])
    ])
    error_message = "C4: every alarm acts, to the alerts topic."
  }
  assert {
    condition     = aws_sns_topic_policy.alerts.arn == aws_sns_topic.alerts.arn && aws_cloudwatch_event_target.deployments.arn == aws_sns_topic.alerts.arn
    error_message = "The topic policy and the deployment-event target are on the alerts topic."
  }
  assert {
    condition     = output.service_5xx_alarm_names == { reader = "library-test-reader-5xx", writer = "library-test-writer-5xx" }
    error_message = "Each service's 5xx alarm name is output for alarm-based rollback."
  }
  assert {
    condition     = length(output.alarm_names) == 13
    error_message = "13 alarms: 4 per service, ALB 5xx, p95 latency, 3 on the database."
  }
}

run "rejects_bad_values" {
  command = plan

  variables {
    alarm_email           = "not-an-email"
    kms_key_arn           = "alias/aws/sns"
    alb_arn_suffix        = "library-test"
    service_cpu_threshold = 150
  }

  expect_failures = [
    var.alarm_email,
    var.kms_key_arn,
    var.alb_arn_suffix,
    var.service_cpu_threshold,
  ]
}
