variable "name" {
  description = "Alias name of the key, without the alias/ prefix (e.g. library-dev)."
  type        = string

  validation {
    condition     = can(regex("^[a-zA-Z0-9/_-]{1,200}$", var.name)) && !startswith(var.name, "aws/")
    error_message = "name must be 1-200 characters of letters, digits, /, _ or -, and must not start with aws/."
  }
}

variable "key" {
  description = "What the key says it protects, and the days a scheduled deletion waits before the key is gone (7-30; longer gives more time to cancel)."
  type = object({
    description          = optional(string, "Logs and alerts of the library stack")
    deletion_window_days = optional(number, 30)
  })
  default  = {}
  nullable = false

  validation {
    condition     = var.key.deletion_window_days >= 7 && var.key.deletion_window_days <= 30
    error_message = "key.deletion_window_days must be between 7 and 30."
  }
}

variable "alerts_topic_name" {
  description = "Name of the SNS alerts topic this key encrypts (in this account and region); EventBridge may use the key for that topic only."
  type        = string

  validation {
    condition     = can(regex("^[A-Za-z0-9_-]{1,256}$", var.alerts_topic_name))
    error_message = "alerts_topic_name must be an SNS topic name (letters, digits, hyphens, underscores; up to 256)."
  }
}
