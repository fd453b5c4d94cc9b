variable "name" {
  description = "Repository name (e.g. library-dev/reader)."
  type        = string

  validation {
    condition     = can(regex("^[a-z0-9]+(?:[._-][a-z0-9]+)*(?:/[a-z0-9]+(?:[._-][a-z0-9]+)*)*$", var.name)) && length(var.name) <= 256
    error_message = "name must be a valid ECR repository name: lowercase letters, digits, . _ - and / separators."
  }
}

variable "environment" {
  description = "dev or prod; prod refuses force_delete (modules/stack checks it is one of the two)."
  type        = string
}

variable "expiry" {
  description = "The lifecycle policy: how many images it keeps (older ones expire; these are the rollback targets) and after how many days untagged images expire."
  type = object({
    keep_last_images     = optional(number, 30)
    untagged_expire_days = optional(number, 7)
  })
  default  = {}
  nullable = false

  validation {
    condition = (
      var.expiry.keep_last_images >= 5 && var.expiry.keep_last_images <= 1000 && floor(var.expiry.keep_last_images) == var.expiry.keep_last_images &&
      var.expiry.untagged_expire_days >= 1 && var.expiry.untagged_expire_days <= 365 && floor(var.expiry.untagged_expire_days) == var.expiry.untagged_expire_days
    )
    error_message = "expiry: keep_last_images must be a whole number between 5 and 1000 (keep enough to roll back), untagged_expire_days a whole number between 1 and 365."
  }
}

variable "force_delete" {
  description = "Let terraform destroy delete the repository with its images (dev teardown). Safe default false; refused in prod."
  type        = bool
  default     = false

  validation {
    condition     = !(var.environment == "prod" && var.force_delete)
    error_message = "force_delete = true is not allowed in prod: destroying the stack must not delete the images a rollback needs."
  }
}

variable "kms_key_arn" {
  description = "Customer-managed KMS key for the repository; null uses the AWS-managed aws/ecr key (still KMS, free)."
  type        = string
  default     = null
}
