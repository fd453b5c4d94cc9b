variable "name" {
  description = "Name of the ECS cluster (e.g. library-dev)."
  type        = string

  validation {
    condition     = can(regex("^[a-zA-Z0-9_-]{1,255}$", var.name))
    error_message = "name must be 1-255 letters, digits, hyphens or underscores."
  }
}

variable "container_insights" {
  description = "Container Insights mode: \"enhanced\", \"enabled\" or \"disabled\" (E9, CKV_AWS_65). Safe default \"enabled\"; prod refuses \"disabled\"."
  type        = string
  default     = "enabled"

  validation {
    condition     = contains(["enhanced", "enabled", "disabled"], var.container_insights) && !(var.environment == "prod" && var.container_insights == "disabled")
    error_message = var.container_insights == "disabled" ? "prod keeps Container Insights on (FSBP ECS.12)." : "container_insights must be \"enhanced\", \"enabled\" or \"disabled\"."
  }
}

variable "environment" {
  description = "dev or prod; prod refuses container_insights = \"disabled\" (modules/stack checks it is one of the two)."
  type        = string
}

variable "logs" {
  description = "Retention (days) and customer-managed KMS key of the ECS Exec audit log group; the key also encrypts exec sessions. Validated once, in modules/stack (settings.log_retention_days; prod: 365 days or more, always the stack's key)."
  type        = object({ retention_days = number, kms_key_arn = string })
}
