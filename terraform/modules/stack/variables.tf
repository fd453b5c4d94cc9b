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
  description = "Project name; prefixes every resource name as <project>-<environment>. Validated in the env roots."
  type        = string
}

variable "aws_region" {
  description = "Region the calling root configured its provider for; returned as the aws_region output."
  type        = string
}

################################################################################
# What a person sets (the env roots' variables.tf validates each)
################################################################################

variable "certificate_arn" {
  description = "ACM certificate for the HTTPS listener (then HTTP only redirects), instead of domain_name; null with no domain is HTTP only, which prod refuses."
  type        = string
  default     = null

  validation {
    condition     = var.environment != "prod" || var.certificate_arn != null || var.domain_name != null
    error_message = "prod serves HTTPS only: set domain_name and hosted_zone_id (a DNS-validated certificate is created) or certificate_arn when environment = \"prod\"."
  }

  validation {
    condition     = var.certificate_arn == null || var.domain_name == null
    error_message = "Set either certificate_arn or domain_name + hosted_zone_id, not both."
  }
}

variable "domain_name" {
  description = "Your domain for the app (e.g. books.example.com): with hosted_zone_id the load balancer gets a DNS-validated ACM certificate and an alias A record in that zone, and app_url becomes https://<domain_name>."
  type        = string
  default     = null
}

variable "hosted_zone_id" {
  description = "Route 53 hosted zone of domain_name; both or neither."
  type        = string
  default     = null

  validation {
    condition     = (var.hosted_zone_id == null) == (var.domain_name == null)
    error_message = "domain_name and hosted_zone_id go together: set both or neither."
  }
}

variable "app_hostname" {
  description = "DNS name users reach the app at (a record you manage, with certificate_arn); null uses the ALB's own DNS name in app_url. With domain_name, the domain is the host name."
  type        = string
  default     = null

  validation {
    condition     = var.app_hostname == null || var.domain_name == null
    error_message = "app_hostname is for a DNS record you manage yourself; with domain_name the domain is the host name (leave app_hostname null)."
  }
}

variable "alarm_email" {
  description = "E-mail address that receives alarms and deployment events; null for none."
  type        = string
  default     = null
}

variable "initial_image_tag" {
  description = "Image tag of the first task-definition revision; the deploy CLI registers commit-tagged revisions afterwards."
  type        = string
  default     = "bootstrap"
}

variable "cpu_architecture" {
  description = "CPU architecture of the tasks (X86_64 or ARM64)."
  type        = string
  default     = "X86_64"
}

variable "create_read_replica" {
  description = "Create a PostgreSQL read replica; the reader then gets DB_READ_HOST and database.read_endpoint is set."
  type        = bool
  default     = false
}

variable "db_master_password_version" {
  description = "Version of the database master password; bump it to rotate (written to RDS and the master secret, never to state)."
  type        = number
  default     = 1
}

variable "enable_execute_command" {
  description = "Allow ECS Exec into the tasks (sessions logged); adds the ssmmessages and kms endpoints where there is no NAT."
  type        = bool
  default     = false
}

variable "state_bucket" {
  description = "S3 bucket of the Terraform state (the deployer may read this environment's state); null: <project>-tfstate-<account>-<region>, the bucket `deploy init` creates."
  type        = string
  default     = null
}

variable "state_key" {
  description = "Key of this environment's state in state_bucket; null: <project>/<environment>/terraform.tfstate (backend.hcl.example, the deploy workflow)."
  type        = string
  default     = null
}

variable "default_tags" {
  description = "The env root's provider default_tags (its one definition): the deployer policy lets the deploy CLI copy exactly these onto the task-definition revisions it registers."
  type        = map(string)
}

variable "github_oidc" {
  description = "GitHub Actions deploy role through OIDC: { repository = \"owner/repo\", subject (optional, exact), provider_arn (optional: the account's existing token.actions.githubusercontent.com provider) }; null: no role (the deployer policy alone)."
  type = object({
    repository   = string
    subject      = optional(string)
    provider_arn = optional(string)
  })
  default = null
}

################################################################################
# What an environment chooses (the env roots' settings.tf)
################################################################################

variable "settings" {
  description = "Everything an environment chooses: network, logs, task size and scale, database, ALB and tracing. Every attribute is required so each env spells out its choices; the modules refuse prod-unsafe values."
  type = object({
    vpc_cidr             = string
    az_count             = number
    egress_mode          = string # endpoints, nat or nat_instance
    single_nat_gateway   = bool
    flow_logs            = bool
    log_retention_days   = number
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
