variable "name" {
  description = "Name of the ECS cluster (e.g. library-dev)."
  type        = string

  validation {
    condition     = can(regex("^[a-zA-Z0-9_-]{1,255}$", var.name))
    error_message = "name must be 1-255 letters, digits, hyphens or underscores."
  }
}

variable "environment" {
  description = "dev or prod; prod refuses the unsafe settings below."
  type        = string

  validation {
    condition     = contains(["dev", "prod"], var.environment)
    error_message = "environment must be \"dev\" or \"prod\"."
  }
}

variable "container_insights" {
  description = "Container Insights mode: \"enhanced\", \"enabled\" or \"disabled\" (E9, CKV_AWS_65). Safe default \"enabled\"; prod refuses \"disabled\"."
  type        = string
  default     = "enabled"

  validation {
    condition     = contains(["enhanced", "enabled", "disabled"], var.container_insights)
    error_message = "container_insights must be \"enhanced\", \"enabled\" or \"disabled\"."
  }

  validation {
    condition     = !(var.environment == "prod" && var.container_insights == "disabled")
    error_message = "prod keeps Container Insights on (FSBP ECS.12)."
  }
}

variable "log_retention_days" {
  description = "Retention of the ECS Exec audit log group, in days (default 365)."
  type        = number
  default     = 365

  validation {
    condition     = contains([1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653], var.log_retention_days)
    error_message = "log_retention_days must be a value CloudWatch Logs accepts (1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, ...)."
  }

  validation {
    condition     = !(var.environment == "prod" && var.log_retention_days < 365)
    error_message = "prod keeps logs for at least 365 days."
  }
}

variable "log_kms_key_arn" {
  description = "Customer-managed KMS key for the exec log group and exec sessions; required in prod."
  type        = string
  default     = null

  validation {
    condition     = var.log_kms_key_arn == null || can(regex("^arn:aws[a-z-]*:kms:", var.log_kms_key_arn))
    error_message = "log_kms_key_arn must be a KMS key ARN (arn:aws:kms:...)."
  }

  validation {
    condition     = !(var.environment == "prod" && var.log_kms_key_arn == null)
    error_message = "prod encrypts its log groups with a customer-managed key: set log_kms_key_arn."
  }
}
