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
  description = "Services to alarm on, by key (reader, writer): their ECS service name and target group ARN suffix."
  type = map(object({
    service_name            = string
    target_group_arn_suffix = string
  }))

  validation {
    condition     = length(var.services) >= 1
    error_message = "services must list at least one service."
  }

  validation {
    condition     = alltrue([for s in values(var.services) : startswith(s.target_group_arn_suffix, "targetgroup/") && length(s.service_name) > 0])
    error_message = "each service needs a name and a target_group_arn_suffix like targetgroup/<name>/<id>."
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

variable "service_cpu_threshold" {
  description = "Service CPU alarm threshold, percent."
  type        = number
  default     = 85

  validation {
    condition     = var.service_cpu_threshold > 0 && var.service_cpu_threshold <= 100
    error_message = "service_cpu_threshold must be a percentage (1-100)."
  }
}

variable "service_memory_threshold" {
  description = "Service memory alarm threshold, percent."
  type        = number
  default     = 85

  validation {
    condition     = var.service_memory_threshold > 0 && var.service_memory_threshold <= 100
    error_message = "service_memory_threshold must be a percentage (1-100)."
  }
}

variable "target_5xx_threshold" {
  description = "Target 5xx responses per minute per service that raise the alarm (and roll back a deployment)."
  type        = number
  default     = 5

  validation {
    condition     = var.target_5xx_threshold >= 1
    error_message = "target_5xx_threshold must be at least 1."
  }
}

variable "alb_5xx_threshold" {
  description = "Load-balancer-generated 5xx (502/503/504) per minute that raise the alarm."
  type        = number
  default     = 5

  validation {
    condition     = var.alb_5xx_threshold >= 1
    error_message = "alb_5xx_threshold must be at least 1."
  }
}

variable "response_time_p95_seconds" {
  description = "p95 target response time in seconds that raises the alarm."
  type        = number
  default     = 1

  validation {
    condition     = var.response_time_p95_seconds > 0 && var.response_time_p95_seconds <= 60
    error_message = "response_time_p95_seconds must be between 0 and 60 (the ALB idle timeout)."
  }
}

variable "db_cpu_threshold" {
  description = "Database CPU alarm threshold, percent."
  type        = number
  default     = 80

  validation {
    condition     = var.db_cpu_threshold > 0 && var.db_cpu_threshold <= 100
    error_message = "db_cpu_threshold must be a percentage (1-100)."
  }
}

variable "db_free_storage_bytes" {
  description = "Free database storage, in bytes, below which the alarm fires (default 2 GiB)."
  type        = number
  default     = 2147483648

  validation {
    condition     = var.db_free_storage_bytes > 0
    error_message = "db_free_storage_bytes must be positive."
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
