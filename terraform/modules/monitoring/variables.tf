variable "name" {
  description = "Prefix of the topic, alarms, rule and dashboard (e.g. library-dev)."
  type        = string

  validation {
    condition     = can(regex("^[a-z][a-z0-9-]{1,60}$", var.name))
    error_message = "name must be 2-61 lowercase letters, digits or hyphens, starting with a letter."
  }
}

variable "kms_key_arn" {
  description = "Customer-managed KMS key of the SNS topic (N1); its policy must let cloudwatch and events use it."
  type        = string

  validation {
    condition     = can(regex("^arn:aws[a-z-]*:kms:", var.kms_key_arn))
    error_message = "kms_key_arn must be a KMS key ARN; the AWS-managed alias/aws/sns key would silently drop alarm notifications."
  }
}

variable "alarm_email" {
  description = "E-mail address subscribed to the alerts topic (confirm the e-mail AWS sends); null for none."
  type        = string
  default     = null

  validation {
    condition     = var.alarm_email == null || can(regex("^[^@\\s]+@[^@\\s]+\\.[^@\\s]+$", var.alarm_email))
    error_message = "alarm_email must be an e-mail address or null."
  }
}

variable "cluster_name" {
  description = "ECS cluster of the services."
  type        = string
}

variable "services" {
  description = "Services to alarm on, by key (reader, writer): their ECS service name and the ARN suffixes of their target groups, the primary first, then the alternate of a service ECS deploys with CANARY, LINEAR or BLUE_GREEN."
  type = map(object({
    service_name              = string
    target_group_arn_suffixes = list(string)
  }))

  validation {
    condition     = length(var.services) >= 1
    error_message = "services must list at least one service."
  }

  validation {
    condition = alltrue([for s in values(var.services) :
      length(s.service_name) > 0 && contains([1, 2], length(s.target_group_arn_suffixes)) && alltrue([for t in s.target_group_arn_suffixes : startswith(t, "targetgroup/")])
    ])
    error_message = "each service needs a name and one or two target_group_arn_suffixes (primary, alternate) like targetgroup/<name>/<id>."
  }
}

variable "alb_arn_suffix" {
  description = "ARN suffix of the ALB (LoadBalancer dimension)."
  type        = string

  validation {
    condition     = can(regex("^app/[^/]+/[^/]+$", var.alb_arn_suffix))
    error_message = "alb_arn_suffix must look like app/<name>/<id>."
  }
}

variable "db_instance_identifier" {
  description = "Identifier of the primary RDS instance."
  type        = string

  validation {
    condition     = can(regex("^[a-z][a-z0-9-]{0,62}$", var.db_instance_identifier))
    error_message = "db_instance_identifier must be an RDS instance identifier."
  }
}

variable "thresholds" {
  description = "When the alarms fire: service CPU and memory (percent, 4 of 5 minutes), target 5xx per minute per service (2 minutes; also rolls back a deployment), load-balancer 5xx per minute (2 minutes), p95 target response time in seconds, database CPU (percent) and free storage (bytes). Each attribute defaults on its own."
  type = object({
    service_cpu_percent       = optional(number, 85)
    service_memory_percent    = optional(number, 85)
    target_5xx_per_minute     = optional(number, 5)
    alb_5xx_per_minute        = optional(number, 5)
    response_time_p95_seconds = optional(number, 1) # at most the ALB idle timeout, 60 s
    db_cpu_percent            = optional(number, 80)
    db_free_storage_bytes     = optional(number, 2147483648) # 2 GiB
  })
  default  = {}
  nullable = false

  validation {
    condition = alltrue([
      for p in [var.thresholds.service_cpu_percent, var.thresholds.service_memory_percent, var.thresholds.db_cpu_percent] : p > 0 && p <= 100
      ]) && var.thresholds.target_5xx_per_minute >= 1 && var.thresholds.alb_5xx_per_minute >= 1 && var.thresholds.db_free_storage_bytes > 0 && (
      var.thresholds.response_time_p95_seconds > 0 && var.thresholds.response_time_p95_seconds <= 60
    )
    error_message = "thresholds: the percentages must be 1-100, the 5xx counts at least 1, response_time_p95_seconds between 0 and 60 (the ALB idle timeout) and db_free_storage_bytes positive."
  }
}

variable "db_connections_threshold" {
  description = "Database connections that raise the alarm; set from the pool budget (services x max tasks x DB_POOL_MAX)."
  type        = number
  default     = 80

  validation {
    condition     = var.db_connections_threshold >= 1
    error_message = "db_connections_threshold must be at least 1."
  }
}
