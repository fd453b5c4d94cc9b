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

variable "keep_last_images" {
  description = "How many images the lifecycle policy keeps (older ones expire); these are the rollback targets."
  type        = number
  default     = 30

  validation {
    condition     = var.keep_last_images >= 5 && var.keep_last_images <= 1000 && floor(var.keep_last_images) == var.keep_last_images
    error_message = "keep_last_images must be a whole number between 5 and 1000 (keep enough to roll back)."
  }
}

variable "untagged_expire_days" {
  description = "Days after which untagged images expire."
  type        = number
  default     = 7

  validation {
    condition     = var.untagged_expire_days >= 1 && var.untagged_expire_days <= 365 && floor(var.untagged_expire_days) == var.untagged_expire_days
    error_message = "untagged_expire_days must be a whole number between 1 and 365."
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
