################################################################################
# Environment and naming
################################################################################

variable "environment" {
  description = "dev or prod. Names every resource <project>-<environment>; with prod the modules refuse their unsafe values."
  type        = string

  validation {
    condition     = contains(["dev", "prod"], var.environment)
    error_message = "environment must be dev or prod (the deploy CLI and the modules' prod guards know only these)."
  }
}

variable "project" {
  description = "Project name; prefixes every resource name as <project>-<environment>."
  type        = string

  validation {
    condition     = can(regex("^[a-z][a-z0-9-]{1,15}$", var.project))
    error_message = "project must be 2-16 lowercase letters, digits or hyphens, starting with a letter."
  }
}

variable "aws_region" {
  description = "Region the calling root configured its provider for; returned as the aws_region output."
  type        = string

  validation {
    condition     = can(regex("^[a-z]{2}(-gov)?-[a-z]+-[0-9]$", var.aws_region))
    error_message = "aws_region must be a region name such as eu-west-1."
  }
}

################################################################################
# What a person sets in an env's terraform.tfvars. The env roots declare these bare (type, default null) and
# pass them on: the description, the default and every check are here or, where a module uses the value as it
# is, in that module (load_balancer's https input: certificate_arn, domain_name, hosted_zone_id and prod's HTTPS;
# monitoring: alarm_email; service: cpu_architecture; database: the password version; deployer: github_oidc and
# the state object). nullable = false: an env root's null means "the default below".
################################################################################

variable "certificate_arn" {
  description = "ACM certificate for the HTTPS listener (then HTTP only redirects), instead of domain_name. Prod needs one of the two (modules/load_balancer refuses HTTP only in prod)."
  type        = string
  default     = null
}

variable "domain_name" {
  description = "Your domain for the app (e.g. books.example.com), in the Route 53 zone hosted_zone_id: a DNS-validated ACM certificate is requested for it, HTTPS served with it and an alias A record points at the ALB; app_url becomes https://<domain_name>. Instead of certificate_arn."
  type        = string
  default     = null
}

variable "hosted_zone_id" {
  description = "Route 53 public hosted zone (Z...) that holds domain_name; both or neither."
  type        = string
  default     = null
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
}

variable "initial_image_tag" {
  description = "Image tag of the first task-definition revision. Tasks cannot start until the first `npm run deploy` pushes a commit-tagged image and registers its revision."
  type        = string
  default     = "bootstrap"
  nullable    = false

  # Checked here, not only as part of the service's image: the repository URL in front of it is unknown until
  # the repository exists, so a bad tag would otherwise pass the plan and fail halfway through the apply.
  validation {
    condition     = can(regex("^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$", var.initial_image_tag)) && var.initial_image_tag != "latest"
    error_message = "initial_image_tag must be a valid Docker tag and not latest."
  }
}

variable "cpu_architecture" {
  description = "CPU architecture of the tasks (X86_64 or ARM64); the deploy CLI must build images for it."
  type        = string
  default     = "X86_64"
  nullable    = false
}

variable "create_read_replica" {
  description = "Create a PostgreSQL read replica; the reader then reads from it (DB_READ_HOST) and database.read_endpoint is set."
  type        = bool
  default     = false
  nullable    = false
}

variable "db_master_password_version" {
  description = "Version of the database master password (used only by the migrate task). Bump it (2, 3, ...) to rotate: the next apply writes a new password to RDS and to the master secret, never to tfvars or state."
  type        = number
  default     = 1
  nullable    = false
}

variable "enable_execute_command" {
  description = "Allow ECS Exec into the tasks (off by default; sessions are logged); adds the ssmmessages and kms endpoints where there is no NAT."
  type        = bool
  default     = false
  nullable    = false
}

variable "state_bucket" {
  description = "S3 bucket holding this environment's Terraform state (the deployer policy may read the state; `terraform output -json` is how the deploy CLI finds its targets). null: <project>-tfstate-<account>-<region>, the bucket `deploy init` creates (README)."
  type        = string
  default     = null
}

variable "state_key" {
  description = "Key of this environment's state in state_bucket (as in backend.hcl). null: <project>/<environment>/terraform.tfstate."
  type        = string
  default     = null
}

variable "default_tags" {
  description = "The env root's provider default_tags (its one definition): the deployer policy lets the deploy CLI copy exactly these onto the task-definition revisions it registers."
  type        = map(string)
}

variable "github_oidc" {
  description = "Deploy from GitHub Actions through OIDC: { repository = \"owner/repo\" } creates a role with the deployer policy that trusts exactly pushes to main (dev) or jobs in the prod environment (prod) of that repository (deploy_role_arn). Optional: subject (the exact part after repo:<owner>/<repo>:, e.g. environment:dev) and provider_arn (the account's existing token.actions.githubusercontent.com provider: one per account). null: no role."
  type = object({
    repository   = string
    subject      = optional(string)
    provider_arn = optional(string)
  })
  default = null
}

################################################################################
# What an environment chooses (local.settings, literal in each env root's main.tf)
################################################################################

variable "settings" {
  description = "Everything an environment chooses: network, logs, task size and scale, database, ALB and tracing. Every attribute is required so each env spells out its choices; the modules refuse prod-unsafe values."
  type = object({
    vpc_cidr             = string
    az_count             = number
    egress_mode          = string # endpoints, nat or nat_instance
    single_nat_gateway   = bool
    flow_logs            = bool
    log_retention_days   = number # every log group of the stack (with the stack's CMK: local.logs)
    container_insights   = string
    ecr_force_delete     = bool
    stop_timeout         = number # seconds ECS waits after SIGTERM
    deregistration_delay = number # seconds the ALB drains a target
    task = object({
      cpu           = number
      memory        = number
      desired_count = number
      min_capacity  = number
      max_capacity  = number
      db_pool_max   = number
      log_level     = string
      fargate_spot  = bool # dev only: the service module refuses it in prod
    })
    db = object({
      instance_class        = string
      allocated_storage     = number
      max_allocated_storage = number
      multi_az              = bool
      deletion_protection   = bool
      backup_retention_days = number
      skip_final_snapshot   = bool
      monitoring_interval   = number
      performance_insights  = bool
      connections_alarm     = number
    })
    alb = object({
      deletion_protection = bool
      access_logs         = bool
      enable_waf          = bool
    })
    tracing = object({
      enabled      = bool   # ADOT collector sidecar -> X-Ray; the service module refuses it off in prod
      sample_ratio = number # share of new traces recorded (parent-based), 0-1
    })
  })

  # The one check of the log settings every module's log groups get (local.logs in main.tf). Allowed values:
  # Amazon CloudWatch Logs API Reference, "PutRetentionPolicy" (retentionInDays).
  validation {
    condition     = contains([1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653], var.settings.log_retention_days)
    error_message = "settings.log_retention_days must be a value CloudWatch Logs accepts (1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653)."
  }
  validation {
    condition     = var.environment != "prod" || var.settings.log_retention_days >= 365
    error_message = "prod keeps logs for at least 365 days: settings.log_retention_days must be 365 or more (CKV_AWS_338)."
  }
  validation {
    condition     = var.settings.az_count >= 2 && var.settings.az_count <= 4 && floor(var.settings.az_count) == var.settings.az_count
    error_message = "settings.az_count must be a whole number from 2 to 4 (the region's first regular AZs, sorted by name)."
  }
  validation {
    condition     = var.settings.deregistration_delay < var.settings.stop_timeout
    error_message = "DP-6: settings.deregistration_delay must be shorter than settings.stop_timeout, so a task is drained before it is stopped."
  }
  validation {
    condition     = var.environment != "prod" || var.settings.tracing.enabled
    error_message = "prod records traces: settings.tracing.enabled must be true (lower settings.tracing.sample_ratio to spend less)."
  }
  validation {
    condition     = 2 * var.settings.task.max_capacity * var.settings.task.db_pool_max < var.settings.db.connections_alarm
    error_message = "P-4: both services at max_capacity with db_pool_max connections each must stay below settings.db.connections_alarm."
  }
}
