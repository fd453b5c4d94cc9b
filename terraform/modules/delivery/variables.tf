variable "name" {
  description = "Stack name (<project>-<environment>): names the infrastructure role, the hook and its roles, and the rollback alarms."
  type        = string

  validation {
    condition     = can(regex("^[a-z][a-z0-9-]{1,40}$", var.name))
    error_message = "name must be 2-41 lowercase letters, digits or hyphens (role names append -smoke-hook-invoke)."
  }
}

variable "test_traffic_header" {
  description = "The request header (name and exact value) the ALB's test listener rules match (modules/load_balancer): the smoke hook sends it, and the deploy CLI learns it from the services output."
  type        = object({ name = string, value = string })
}

variable "progressive" {
  description = "The environment deploys with CANARY, LINEAR or BLUE_GREEN (modules/stack's delivery.strategy, checked there): build the infrastructure role, the smoke hook and the rollback alarms. false (ROLLING): build nothing."
  type        = bool
  nullable    = false
}

variable "rollback_alarms" {
  description = "Thresholds of the rollback alarms: error_rate_percent of 5xx responses, once a target group saw min_requests requests in the minute; p99_seconds; evaluation_minutes in a row. Defaults and checks: modules/stack (delivery.rollback_alarms)."
  type = object({
    error_rate_percent = number
    min_requests       = number
    p99_seconds        = number
    evaluation_minutes = number
  })
}

variable "services" {
  description = "The services by key (reader, writer): ECS service name, and for a progressive strategy what modules/load_balancer built for it (its `delivery` output: both target groups, primary first, and the production and test listener rules); load_balancer is null for ROLLING."
  type = map(object({
    service_name = string
    load_balancer = optional(object({
      target_group_arn             = string
      alternate_target_group_arn   = string
      target_group_arn_suffixes    = list(string)
      production_listener_rule_arn = string
      test_listener_rule_arn       = string
    }))
  }))
}

variable "alb" {
  description = "The stack's ALB: its ARN suffix (the LoadBalancer dimension of the rollback alarms) and the application's base URL (the stack's app_url), where the smoke hook sends its test requests."
  type        = object({ arn_suffix = string, app_url = string })

  validation {
    condition     = can(regex("^app/[^/]+/[0-9a-f]+$", var.alb.arn_suffix)) && can(regex("^https?://[^/]+$", var.alb.app_url))
    error_message = "alb.arn_suffix must be app/<name>/<id> (an ALB's ARN suffix) and alb.app_url http(s)://<host> without a path."
  }
}

variable "logs" {
  description = "Retention (days) and customer-managed KMS key of the hook's log group. Validated once, in modules/stack."
  type        = object({ retention_days = number, kms_key_arn = string })
}

variable "aws" {
  description = "Where the stack runs: partition, region and account id (modules/stack reads them once from the provider), so ARNs are built from names and known at plan."
  type        = object({ partition = string, region = string, account_id = string })
}
