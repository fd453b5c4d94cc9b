variable "name" {
  description = "Prefix of the topic, alarms, rule and dashboard: <project>-<environment> (modules/stack checks both)."
  type        = string
}

variable "alerts" {
  description = "Where the alarms go: the customer-managed KMS key of the SNS topic (N1; its policy must let cloudwatch and events use it) and an e-mail address subscribed to the topic (confirm the e-mail AWS sends), null for none."
  type = object({
    kms_key_arn = string
    email       = optional(string)
  })

  validation {
    condition     = can(regex("^arn:aws[a-z-]*:kms:", var.alerts.kms_key_arn)) && (var.alerts.email == null || can(regex("^[^@\\s]+@[^@\\s]+\\.[^@\\s]+$", coalesce(var.alerts.email, "-"))))
    error_message = "alerts: kms_key_arn must be a KMS key ARN (the AWS-managed alias/aws/sns key would silently drop alarm notifications) and email (alarm_email) an e-mail address or null."
  }
}

variable "targets" {
  description = "What the alarms watch: the ECS cluster; the services by key (reader, writer) with their ECS service name and the ARN suffixes of their target groups, the primary first, then the alternate of a service ECS deploys with CANARY, LINEAR or BLUE_GREEN; the ALB's ARN suffix (LoadBalancer dimension); the primary RDS instance's identifier."
  type = object({
    cluster_name = string
    services = map(object({
      service_name              = string
      target_group_arn_suffixes = list(string)
    }))
    alb_arn_suffix         = string
    db_instance_identifier = string
  })

  validation {
    condition = length(var.targets.services) >= 1 && alltrue([for s in values(var.targets.services) :
      length(s.service_name) > 0 && contains([1, 2], length(s.target_group_arn_suffixes)) && alltrue([for t in s.target_group_arn_suffixes : startswith(t, "targetgroup/")])
    ]) && can(regex("^app/[^/]+/[^/]+$", var.targets.alb_arn_suffix)) && can(regex("^[a-z][a-z0-9-]{0,62}$", var.targets.db_instance_identifier))
    error_message = "targets: at least one service, each with a name and one or two target_group_arn_suffixes (primary, alternate) like targetgroup/<name>/<id>; alb_arn_suffix like app/<name>/<id>; db_instance_identifier an RDS instance identifier."
  }
}

variable "thresholds" {
  description = "When the alarms fire: service CPU and memory (percent, 4 of 5 minutes), target 5xx per minute per service (2 minutes; also rolls back a deployment), load-balancer 5xx per minute (2 minutes), p95 target response time in seconds, database CPU (percent), free storage (bytes) and connections (set from the pool budget: services x max tasks x DB_POOL_MAX). Each attribute defaults on its own."
  type = object({
    service_cpu_percent       = optional(number, 85)
    service_memory_percent    = optional(number, 85)
    target_5xx_per_minute     = optional(number, 5)
    alb_5xx_per_minute        = optional(number, 5)
    response_time_p95_seconds = optional(number, 1) # at most the ALB idle timeout, 60 s
    db_cpu_percent            = optional(number, 80)
    db_free_storage_bytes     = optional(number, 2147483648) # 2 GiB
    db_connections            = optional(number, 80)
  })
  default  = {}
  nullable = false

  validation {
    condition = alltrue([
      for p in [var.thresholds.service_cpu_percent, var.thresholds.service_memory_percent, var.thresholds.db_cpu_percent] : p > 0 && p <= 100
      ]) && var.thresholds.target_5xx_per_minute >= 1 && var.thresholds.alb_5xx_per_minute >= 1 && var.thresholds.db_free_storage_bytes > 0 && var.thresholds.db_connections >= 1 && (
      var.thresholds.response_time_p95_seconds > 0 && var.thresholds.response_time_p95_seconds <= 60
    )
    error_message = "thresholds: the percentages must be 1-100, the 5xx counts at least 1, response_time_p95_seconds between 0 and 60 (the ALB idle timeout) db_free_storage_bytes positive and db_connections at least 1."
  }
}
