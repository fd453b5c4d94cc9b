variable "aws_region" {
  description = "AWS region of the stack."
  type        = string
  default     = "eu-west-1"

  validation {
    condition     = can(regex("^[a-z]{2}(-gov)?-[a-z]+-[0-9]$", var.aws_region))
    error_message = "aws_region must be a region name such as eu-west-1."
  }
}

variable "project" {
  description = "Project name; prefixes every resource name as <project>-<environment>."
  type        = string
  default     = "library"

  validation {
    condition     = can(regex("^[a-z][a-z0-9-]{1,15}$", var.project))
    error_message = "project must be 2-16 lowercase letters, digits or hyphens, starting with a letter."
  }
}

variable "certificate_arn" {
  description = "ACM certificate for the HTTPS listener (HTTP then only redirects), instead of domain_name. Prod needs one of the two."
  type        = string
  default     = null

  validation {
    condition     = var.certificate_arn != null || var.domain_name != null
    error_message = "prod serves HTTPS only: set domain_name and hosted_zone_id (Terraform creates a DNS-validated certificate) or certificate_arn (an ACM certificate you already have)."
  }

  validation {
    condition     = var.certificate_arn == null || can(regex("^arn:aws[a-z-]*:acm:[a-z0-9-]+:[0-9]{12}:certificate/", coalesce(var.certificate_arn, "x")))
    error_message = "certificate_arn must be an ACM certificate ARN (arn:aws:acm:<region>:<account>:certificate/...)."
  }

  validation {
    condition     = var.certificate_arn == null || var.domain_name == null
    error_message = "Set either certificate_arn or domain_name + hosted_zone_id, not both."
  }
}

variable "domain_name" {
  description = "Your domain for the app (e.g. books.example.com), in the Route 53 zone hosted_zone_id: Terraform requests a DNS-validated ACM certificate for it, serves HTTPS with it and points an alias A record at the ALB; app_url becomes https://<domain_name>. Instead of certificate_arn."
  type        = string
  default     = null

  validation {
    condition     = var.domain_name == null || can(regex("^([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\\.)+[a-z]{2,63}$", coalesce(var.domain_name, "x")))
    error_message = "domain_name must be a lowercase DNS name without scheme, path or trailing dot (e.g. books.example.com)."
  }
}

variable "hosted_zone_id" {
  description = "Route 53 public hosted zone (Z...) that holds domain_name; both or neither."
  type        = string
  default     = null

  validation {
    condition     = (var.hosted_zone_id == null) == (var.domain_name == null)
    error_message = "domain_name and hosted_zone_id go together: set both (the certificate is validated in that zone) or neither."
  }

  validation {
    condition     = var.hosted_zone_id == null || can(regex("^Z[A-Z0-9]{1,31}$", coalesce(var.hosted_zone_id, "x")))
    error_message = "hosted_zone_id must be a Route 53 hosted zone id (Z...), without the /hostedzone/ prefix."
  }
}

variable "app_hostname" {
  description = "DNS name users reach the app at when you manage the record yourself (a CNAME/alias to the ALB, with certificate_arn); null uses the ALB's own DNS name in app_url. Not with domain_name."
  type        = string
  default     = null

  validation {
    condition     = var.app_hostname == null || can(regex("^([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\\.)+[a-z]{2,}$", coalesce(var.app_hostname, "x")))
    error_message = "app_hostname must be a lowercase DNS name without scheme or path (e.g. books.example.com)."
  }

  validation {
    condition     = var.app_hostname == null || var.domain_name == null
    error_message = "With domain_name the domain is the host name: leave app_hostname null."
  }
}

variable "alarm_email" {
  description = "E-mail address that receives alarms and deployment events; null for none."
  type        = string
  default     = null

  validation {
    condition     = var.alarm_email == null || can(regex("^[^@\\s]+@[^@\\s]+\\.[^@\\s]+$", var.alarm_email))
    error_message = "alarm_email must be an e-mail address or null."
  }
}

variable "initial_image_tag" {
  description = "Image tag of the first task-definition revision. Tasks cannot start until the first `npm run deploy` pushes a commit-tagged image and registers its revision."
  type        = string
  default     = "bootstrap"

  validation {
    condition     = can(regex("^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$", var.initial_image_tag)) && var.initial_image_tag != "latest"
    error_message = "initial_image_tag must be a valid Docker tag and not latest."
  }
}

variable "cpu_architecture" {
  description = "CPU architecture of the tasks (X86_64 or ARM64); the deploy CLI must build images for it."
  type        = string
  default     = "X86_64"

  validation {
    condition     = contains(["X86_64", "ARM64"], var.cpu_architecture)
    error_message = "cpu_architecture must be X86_64 or ARM64."
  }
}

variable "create_read_replica" {
  description = "Create a PostgreSQL read replica; the reader then reads from it (DB_READ_HOST) and database.read_endpoint is set."
  type        = bool
  default     = false
}

variable "db_master_password_version" {
  description = "Version of the database master password (used only by the migrate task). Bump it (2, 3, ...) to rotate: the next apply writes a new password to RDS and to the master secret, never to tfvars or state."
  type        = number
  default     = 1

  validation {
    condition     = var.db_master_password_version >= 1 && floor(var.db_master_password_version) == var.db_master_password_version
    error_message = "db_master_password_version must be a whole number >= 1."
  }
}

variable "enable_execute_command" {
  description = "Allow ECS Exec into the tasks (off by default; sessions are logged)."
  type        = bool
  default     = false
}

variable "state_bucket" {
  description = "S3 bucket holding this environment's Terraform state (the deployer policy may read the state; `terraform output -json` is how the deploy CLI finds its targets). null: <project>-tfstate-<account>-<region>, the bucket `deploy init` creates (README)."
  type        = string
  default     = null

  validation {
    condition     = var.state_bucket == null || can(regex("^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$", coalesce(var.state_bucket, "x")))
    error_message = "state_bucket must be an S3 bucket name (3-63 lowercase letters, digits, dots or hyphens)."
  }
}

variable "state_key" {
  description = "Key of this environment's state in state_bucket (as in backend.hcl). null: <project>/<environment>/terraform.tfstate."
  type        = string
  default     = null

  validation {
    condition     = var.state_key == null || can(regex("^[A-Za-z0-9!_.()/-]+$", coalesce(var.state_key, "x")))
    error_message = "state_key must be an exact S3 object key (no wildcard)."
  }
}

variable "github_oidc" {
  description = "Deploy from GitHub Actions through OIDC: { repository = \"owner/repo\" } creates a role with the deployer policy that trusts exactly jobs in its prod environment (environment:prod) of that repository (deploy_role_arn). Optional: subject (the exact part after repo:<owner>/<repo>:, e.g. environment:prod) and provider_arn (the account's existing token.actions.githubusercontent.com provider: one per account). null: no role."
  type = object({
    repository   = string
    subject      = optional(string)
    provider_arn = optional(string)
  })
  default = null

  validation {
    condition     = var.github_oidc == null || can(regex("^[A-Za-z0-9][A-Za-z0-9-]{0,38}/[A-Za-z0-9._-]{1,100}$", try(var.github_oidc.repository, "")))
    error_message = "github_oidc.repository must be exactly owner/repo (no wildcard: docs/reliability.md#i4)."
  }
}
