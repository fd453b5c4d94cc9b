# One dashboard with the alarmed metrics, so an operator looks instead of reading.

locals {
  svc_keys = sort(keys(var.targets.services))

  # Every target group of every service, labelled: one per rolling service, two (the alternate "<key> alt") for a
  # service whose new revision may serve from either (see alarm_groups).
  target_group_lines = flatten([for k in local.svc_keys : [
    for i, suffix in var.targets.services[k].target_group_arn_suffixes : { label = i == 0 ? k : "${k} alt", suffix = suffix }
  ]])

  dashboard_widgets = concat(
    [
      for i, k in local.svc_keys : {
        type = "metric", x = (i % 2) * 12, y = 0, width = 12, height = 6
        properties = {
          title  = "${var.targets.services[k].service_name}: CPU and memory (%)"
          region = local.region, view = "timeSeries", stat = "Average", period = 60
          metrics = [
            ["AWS/ECS", "CPUUtilization", "ClusterName", var.targets.cluster_name, "ServiceName", var.targets.services[k].service_name],
            ["AWS/ECS", "MemoryUtilization", "ClusterName", var.targets.cluster_name, "ServiceName", var.targets.services[k].service_name],
          ]
        }
      }
    ],
    [
      {
        type = "metric", x = 0, y = 6, width = 12, height = 6
        properties = {
          title  = "ALB requests and 5xx"
          region = local.region, view = "timeSeries", stat = "Sum", period = 60
          metrics = concat(
            [["AWS/ApplicationELB", "RequestCount", "LoadBalancer", var.targets.alb_arn_suffix]],
            [["AWS/ApplicationELB", "HTTPCode_ELB_5XX_Count", "LoadBalancer", var.targets.alb_arn_suffix]],
            [for g in local.target_group_lines : ["AWS/ApplicationELB", "HTTPCode_Target_5XX_Count", "LoadBalancer", var.targets.alb_arn_suffix, "TargetGroup", g.suffix, { label = "${g.label} target 5xx" }]],
          )
        }
      },
      {
        type = "metric", x = 12, y = 6, width = 12, height = 6
        properties = {
          title  = "Target response time p95 (s) and healthy/unhealthy targets"
          region = local.region, view = "timeSeries", period = 60
          metrics = concat(
            [["AWS/ApplicationELB", "TargetResponseTime", "LoadBalancer", var.targets.alb_arn_suffix, { stat = "p95" }]],
            flatten([for g in local.target_group_lines : [
              ["AWS/ApplicationELB", "HealthyHostCount", "LoadBalancer", var.targets.alb_arn_suffix, "TargetGroup", g.suffix, { stat = "Minimum", label = "${g.label} healthy", yAxis = "right" }],
              ["AWS/ApplicationELB", "UnHealthyHostCount", "LoadBalancer", var.targets.alb_arn_suffix, "TargetGroup", g.suffix, { stat = "Maximum", label = "${g.label} unhealthy", yAxis = "right" }],
            ]]),
          )
        }
      },
      {
        type = "alarm", x = 0, y = 18, width = 24, height = 4
        properties = {
          title  = "Alarms"
          alarms = [for n in local.alarm_names : format(local.arn, "cloudwatch", "alarm:${n}")]
        }
      },
    ],
    # The database row: one third each.
    [for i, w in [
      { title = "Database CPU (%)", metric = "CPUUtilization", stat = "Average", period = 60 },
      { title = "Database connections", metric = "DatabaseConnections", stat = "Maximum", period = 60 },
      { title = "Database free storage (bytes)", metric = "FreeStorageSpace", stat = "Minimum", period = 300 },
      ] : {
      type = "metric", x = i * 8, y = 12, width = 8, height = 6
      properties = {
        title   = w.title
        region  = local.region, view = "timeSeries", stat = w.stat, period = w.period
        metrics = [["AWS/RDS", w.metric, "DBInstanceIdentifier", var.targets.db_instance_identifier]]
      }
    }],
  )
}

resource "aws_cloudwatch_dashboard" "this" {
  dashboard_name = var.name
  dashboard_body = jsonencode({ widgets = local.dashboard_widgets })
}
