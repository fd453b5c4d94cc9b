################################################################################
# Identity and placement
################################################################################

variable "name" {
  description = "Name of the service; also the task family, the roles' prefix and the log group /ecs/<name> (e.g. library-dev-reader)."
  type        = string

  validation {
    condition     = can(regex("^[a-z][a-z0-9-]{1,45}$", var.name))
    error_message = "name must be 2-46 lowercase letters, digits or hyphens, starting with a letter (IAM role names append -execution)."
  }
}

variable "aws" {
  description = "Where the service runs: partition, region and account id (modules/stack reads them once from the provider), so ARNs are built from names and known at plan."
  type        = object({ partition = string, region = string, account_id = string })
}

variable "environment" {
  description = "dev or prod; prod refuses the unsafe settings below (modules/stack checks it is one of the two)."
  type        = string
}

variable "cluster_arn" {
  description = "ARN of the ECS cluster to run in."
  type        = string

  validation {
    condition     = can(regex("^arn:aws[a-z-]*:ecs:[a-z0-9-]+:[0-9]{12}:cluster/", var.cluster_arn))
    error_message = "cluster_arn must be an ECS cluster ARN."
  }
}

variable "cluster_name" {
  description = "Name of the ECS cluster (for the autoscaling resource id)."
  type        = string
}

variable "subnet_ids" {
  description = "Private subnets for the tasks (no public IPs are assigned)."
  type        = list(string)

  validation {
    condition     = length(var.subnet_ids) >= 1
    error_message = "subnet_ids must list at least one private subnet."
  }

  validation {
    condition     = !(var.environment == "prod" && length(var.subnet_ids) < 2)
    error_message = "prod spreads tasks over at least two private subnets (DP-2)."
  }
}

variable "security_group_ids" {
  description = "Security groups of the tasks (the shared services group)."
  type        = list(string)

  validation {
    condition     = length(var.security_group_ids) >= 1
    error_message = "security_group_ids must list at least one security group."
  }
}

variable "target_group_arn" {
  description = "ALB target group (type ip) the service registers its tasks in."
  type        = string

  validation {
    condition     = can(regex("^arn:aws[a-z-]*:elasticloadbalancing:.*:targetgroup/", var.target_group_arn))
    error_message = "target_group_arn must be an ALB target group ARN."
  }
}

variable "alb_resource_label" {
  description = "\"<alb arn_suffix>/<target group arn_suffix>\" for the ALBRequestCountPerTarget scaling metric."
  type        = string

  validation {
    condition     = can(regex("^app/[^/]+/[^/]+/targetgroup/[^/]+/[^/]+$", var.alb_resource_label))
    error_message = "alb_resource_label must be app/<alb>/<id>/targetgroup/<tg>/<id>."
  }
}

variable "listener_rule_arns" {
  description = "ARNs of the listener rules that forward to target_group_arn; the service is created only after them (CreateService needs the target group attached to a load balancer)."
  type        = list(string)

  validation {
    condition     = length(var.listener_rule_arns) >= 1 && alltrue([for a in var.listener_rule_arns : can(regex("^arn:aws[a-z-]*:elasticloadbalancing:.*:listener-rule/", a))])
    error_message = "listener_rule_arns must list at least one ALB listener-rule ARN (the rules that use target_group_arn)."
  }
}

variable "deployment_alarm_names" {
  description = "CloudWatch alarms that, in ALARM during a deployment, roll it back (DP-10). Empty = circuit breaker only."
  type        = list(string)
  default     = []
}

################################################################################
# Container
################################################################################

variable "image" {
  description = "Image of the first task-definition revision (<repository url>:<tag>); later revisions come from the deploy CLI."
  type        = string

  validation {
    condition     = can(regex("^[^:@]+(:[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}|@sha256:[a-f0-9]{64})$", var.image)) && !endswith(var.image, ":latest")
    error_message = "image must carry an explicit tag or digest, and not :latest (ECR tags are immutable; the CLI tags by commit)."
  }
}

variable "container_name" {
  description = "Name of the application container (the deploy CLI overrides its command for migrations)."
  type        = string
  default     = "app"

  validation {
    condition     = can(regex("^[a-zA-Z0-9_-]{1,255}$", var.container_name))
    error_message = "container_name must be 1-255 letters, digits, hyphens or underscores."
  }
}

variable "container_user" {
  description = "User the container runs as: the image's non-root node user (uid 1000)."
  type        = string
  default     = "node"

  validation {
    condition     = length(var.container_user) > 0 && !contains(["root", "0"], split(":", var.container_user)[0])
    error_message = "container_user must be a non-root user (not root or uid 0)."
  }
}

variable "container_port" {
  description = "Port the app listens on (PORT) and the target group sends traffic to."
  type        = number
  default     = 8000

  validation {
    condition     = var.container_port >= 1024 && var.container_port <= 65535
    error_message = "container_port must be an unprivileged port (1024-65535): the container is not root."
  }
}

variable "cpu" {
  description = "Fargate task CPU units: 256, 512, 1024, 2048, 4096, 8192 or 16384."
  type        = number
  default     = 256

  validation {
    condition     = contains([256, 512, 1024, 2048, 4096, 8192, 16384], var.cpu)
    error_message = "cpu must be a Fargate size: 256, 512, 1024, 2048, 4096, 8192 or 16384."
  }
}

variable "memory" {
  description = "Fargate task memory in MiB; must be a valid combination with cpu (e.g. 256 -> 512/1024/2048)."
  type        = number
  default     = 512

  validation {
    condition = (
      (var.cpu == 256 && contains([512, 1024, 2048], var.memory)) ||
      (var.cpu == 512 && var.memory >= 1024 && var.memory <= 4096 && var.memory % 1024 == 0) ||
      (var.cpu == 1024 && var.memory >= 2048 && var.memory <= 8192 && var.memory % 1024 == 0) ||
      (var.cpu == 2048 && var.memory >= 4096 && var.memory <= 16384 && var.memory % 1024 == 0) ||
      (var.cpu == 4096 && var.memory >= 8192 && var.memory <= 30720 && var.memory % 1024 == 0) ||
      (var.cpu == 8192 && var.memory >= 16384 && var.memory <= 61440 && var.memory % 4096 == 0) ||
      (var.cpu == 16384 && var.memory >= 32768 && var.memory <= 122880 && var.memory % 8192 == 0)
    )
    error_message = "memory is not a valid Fargate combination for this cpu (see the Fargate task size table)."
  }
}

variable "cpu_architecture" {
  description = "CPU architecture of the task: X86_64 or ARM64 (Graviton, about 20% cheaper; the image must be built for it)."
  type        = string
  default     = "X86_64"

  validation {
    condition     = contains(["X86_64", "ARM64"], var.cpu_architecture)
    error_message = "cpu_architecture must be X86_64 or ARM64."
  }
}

variable "fargate_spot" {
  description = "Run the service on Fargate Spot (about 70% cheaper, tasks may be stopped with two minutes' warning; X86_64 only). Safe default false; refused in prod."
  type        = bool
  default     = false

  validation {
    condition     = !(var.environment == "prod" && var.fargate_spot)
    error_message = "prod runs on regular Fargate: Fargate Spot may stop tasks at any time (two minutes' warning)."
  }

  validation {
    condition     = !(var.fargate_spot && var.cpu_architecture == "ARM64")
    error_message = "Fargate Spot supports X86_64 Linux tasks only (ECS Developer Guide, \"AWS Fargate capacity providers\"): use cpu_architecture = \"X86_64\" or fargate_spot = false."
  }
}

variable "stop_timeout" {
  description = "Seconds between SIGTERM and SIGKILL (DP-5); above the app's drain budget and the target group's deregistration delay."
  type        = number
  default     = 30

  validation {
    condition     = var.stop_timeout >= 10 && var.stop_timeout <= 120
    error_message = "stop_timeout must be between 10 and 120 seconds (Fargate maximum)."
  }
}

variable "health_check_start_period" {
  description = "Seconds of container start-up during which failed health checks do not count (DP-4)."
  type        = number
  default     = 30

  validation {
    condition     = var.health_check_start_period >= 0 && var.health_check_start_period <= 300
    error_message = "health_check_start_period must be between 0 and 300 seconds."
  }
}

variable "health_check_grace_period_seconds" {
  description = "Seconds ECS ignores ALB health checks after a task starts (DP-3); above the measured cold start."
  type        = number
  default     = 60

  validation {
    condition     = var.health_check_grace_period_seconds >= 30 && var.health_check_grace_period_seconds <= 120
    error_message = "health_check_grace_period_seconds must be between 30 and 120."
  }
}

################################################################################
# Application settings (docs/configuration.md#services)
################################################################################

variable "database" {
  description = "Where the app finds PostgreSQL and who it logs in as with IAM database authentication: host, port, database name, the service's own database role (user) and the DbiResourceIds of the instances it connects to (rds-db:connect)."
  type = object({
    host         = string
    port         = optional(number, 5432)
    name         = optional(string, "library_db")
    user         = string
    resource_ids = list(string)
  })

  validation {
    condition     = can(regex("^[a-z][a-z0-9_]{0,62}$", var.database.user)) && !contains(["postgres", "rdsadmin"], var.database.user)
    error_message = "database.user must be the service's own PostgreSQL role (e.g. library_reader), not the engine default \"postgres\" (FSBP RDS.25) or rdsadmin."
  }

  validation {
    condition     = length(var.database.resource_ids) >= 1 && alltrue([for id in var.database.resource_ids : can(regex("^db-[A-Z0-9]+$", id))])
    error_message = "database.resource_ids must list the DbiResourceId (db-...) of each instance the service connects to."
  }
}

variable "migration" {
  description = "Also register the one-off migrate task definition (writer only): its family, the master user and the Secrets Manager secret (JSON key \"password\") with the key that encrypts it. null: no migrate task."
  type = object({
    family             = string
    master_user        = string
    secret_arn         = string
    secret_kms_key_arn = optional(string)
  })
  default = null

  validation {
    condition     = var.migration == null || can(regex("^[a-z][a-z0-9-]{1,45}$", try(var.migration.family, "")))
    error_message = "migration.family must be 2-46 lowercase letters, digits or hyphens (IAM role names append -execution)."
  }

  validation {
    condition     = var.migration == null || can(regex("^arn:aws[a-z-]*:secretsmanager:", try(var.migration.secret_arn, "")))
    error_message = "migration.secret_arn must be a Secrets Manager secret ARN (the master secret)."
  }

  validation {
    condition     = var.migration == null || try(var.migration.secret_kms_key_arn, null) == null || can(regex("^arn:aws[a-z-]*:kms:", try(var.migration.secret_kms_key_arn, "")))
    error_message = "migration.secret_kms_key_arn must be a KMS key ARN or null."
  }

  validation {
    condition     = var.migration == null || !contains(["postgres", ""], try(var.migration.master_user, ""))
    error_message = "migration.master_user must be the instance's master user name, not the engine default \"postgres\" (FSBP RDS.25)."
  }
}

variable "db_read_host" {
  description = "Read replica host for the reader (DB_READ_HOST); null leaves the variable out (the app falls back to DB_HOST)."
  type        = string
  default     = null
}

variable "db_ssl" {
  description = "DB_SSL: off, require or verify-full (with the RDS CA bundle). Safe default verify-full; prod refuses anything else."
  type        = string
  default     = "verify-full"

  validation {
    condition     = contains(["off", "require", "verify-full"], var.db_ssl)
    error_message = "db_ssl must be off, require or verify-full."
  }

  validation {
    condition     = !(var.environment == "prod" && var.db_ssl != "verify-full")
    error_message = "prod verifies the database certificate: db_ssl must be verify-full."
  }
}

variable "db_pool_max" {
  description = "DB_POOL_MAX: connections per task. services x max_capacity x this must stay below the instance's max_connections."
  type        = number
  default     = 10

  validation {
    condition     = var.db_pool_max >= 1 && var.db_pool_max <= 100
    error_message = "db_pool_max must be between 1 and 100."
  }
}

variable "log_level" {
  description = "LOG_LEVEL of the app."
  type        = string
  default     = "info"

  validation {
    condition     = contains(["fatal", "error", "warn", "info", "debug", "trace"], var.log_level)
    error_message = "log_level must be fatal, error, warn, info, debug or trace."
  }
}

variable "extra_environment" {
  description = "Further plain environment variables. Never secrets: names that look like passwords, secrets or tokens are refused (E6)."
  type        = map(string)
  default     = {}

  validation {
    condition     = alltrue([for k in keys(var.extra_environment) : !can(regex("(?i)PASSWORD|SECRET|TOKEN|AWS_SECRET", k))])
    error_message = "extra_environment must not carry secrets (PASSWORD, SECRET, TOKEN); use Secrets Manager and the task's secrets."
  }
}

################################################################################
# Scaling
################################################################################

variable "desired_count" {
  description = "Tasks at creation; afterwards autoscaling and the deploy CLI own the count (ignored by Terraform)."
  type        = number
  default     = 2

  validation {
    condition     = var.desired_count >= 0 && floor(var.desired_count) == var.desired_count
    error_message = "desired_count must be a whole number >= 0."
  }

  validation {
    condition     = !(var.environment == "prod" && var.desired_count < 2)
    error_message = "prod runs at least two tasks per service (DP-2)."
  }
}

variable "min_capacity" {
  description = "Lowest task count autoscaling may set."
  type        = number
  default     = 2

  validation {
    condition     = var.min_capacity >= 1 && var.min_capacity <= var.desired_count
    error_message = "min_capacity must be at least 1 and at most desired_count."
  }

  validation {
    condition     = !(var.environment == "prod" && var.min_capacity < 2)
    error_message = "prod never scales below two tasks per service."
  }
}

variable "max_capacity" {
  description = "Highest task count autoscaling may set (mind DB_POOL_MAX x max against max_connections)."
  type        = number
  default     = 6

  validation {
    condition     = var.max_capacity >= var.min_capacity && var.max_capacity <= 100
    error_message = "max_capacity must be between min_capacity and 100."
  }
}

variable "cpu_target_percent" {
  description = "Average CPU utilisation autoscaling aims for."
  type        = number
  default     = 60

  validation {
    condition     = var.cpu_target_percent >= 20 && var.cpu_target_percent <= 90
    error_message = "cpu_target_percent must be between 20 and 90."
  }
}

variable "requests_per_target" {
  description = "ALB requests per task per minute autoscaling aims for."
  type        = number
  default     = 1000

  validation {
    condition     = var.requests_per_target >= 10 && var.requests_per_target <= 100000
    error_message = "requests_per_target must be between 10 and 100000."
  }
}

################################################################################
# Operations
################################################################################

variable "enable_execute_command" {
  description = "Allow ECS Exec into running tasks (E12). Off by default; sessions are logged by the cluster."
  type        = bool
  default     = false
}

variable "exec_log_group_name" {
  description = "The cluster's ECS Exec log group; with ECS Exec on, the task role may write session logs to it."
  type        = string
  default     = null
}

variable "exec_kms_key_arn" {
  description = "KMS key of the cluster's ECS Exec sessions; with ECS Exec on, the task role may decrypt with it."
  type        = string
  default     = null
}

variable "logs" {
  description = "Retention (days, C1/C2) and customer-managed KMS key (C3) of the service's and the migrate task's log groups. Validated once, in modules/stack (settings.log_retention_days; prod: 365 days or more, always the stack's key)."
  type        = object({ retention_days = number, kms_key_arn = string })
}

variable "ecr_repository_arn" {
  description = "ARN of the service's ECR repository; the execution role may pull from it only."
  type        = string

  validation {
    condition     = can(regex("^arn:aws[a-z-]*:ecr:", var.ecr_repository_arn))
    error_message = "ecr_repository_arn must be an ECR repository ARN."
  }
}

################################################################################
# Tracing (tracing.tf)
################################################################################

variable "tracing" {
  description = "Traces to AWS X-Ray through an ADOT collector sidecar: enabled, and the share of new traces sampled (0-1, parent-based). Safe default on; prod refuses it off."
  type = object({
    enabled      = bool
    sample_ratio = optional(number, 0.1)
  })
  default = { enabled = true, sample_ratio = 0.1 }

  validation {
    condition     = var.tracing.sample_ratio > 0 && var.tracing.sample_ratio <= 1
    error_message = "tracing.sample_ratio must be greater than 0 and at most 1 (the share of new traces that are recorded)."
  }

  validation {
    condition     = !(var.environment == "prod" && !var.tracing.enabled)
    error_message = "prod records traces: tracing.enabled must be true (lower tracing.sample_ratio to spend less)."
  }
}

variable "otel_collector" {
  description = "The ADOT collector sidecar: image path on Amazon ECR Public (pinned tag, the one the deploy CLI mirrors), this account's ECR repository the CLI mirrors it into (URL and ARN; null pulls from public.ecr.aws, which needs internet egress), and its cpu units / memory reservation (MiB)."
  type = object({
    image_path         = optional(string, "aws-observability/aws-otel-collector:v0.49.0")
    repository_url     = optional(string)
    repository_arn     = optional(string)
    cpu                = optional(number, 64)
    memory_reservation = optional(number, 64)
  })
  default = {}

  validation {
    condition     = can(regex("^[a-z0-9][a-z0-9._/-]*:v[0-9]+\\.[0-9]+\\.[0-9]+$", var.otel_collector.image_path))
    error_message = "otel_collector.image_path must be <repository>:<pinned vX.Y.Z tag> on public.ecr.aws (never latest)."
  }

  validation {
    condition     = (var.otel_collector.repository_url == null) == (var.otel_collector.repository_arn == null) && (var.otel_collector.repository_arn == null || can(regex("^arn:aws[a-z-]*:ecr:[a-z0-9-]+:[0-9]{12}:repository/", coalesce(var.otel_collector.repository_arn, "x"))))
    error_message = "otel_collector.repository_url and repository_arn come together (an ECR repository of this account), or neither."
  }

  validation {
    condition     = var.otel_collector.cpu >= 0 && var.otel_collector.memory_reservation >= 6
    error_message = "otel_collector.cpu must be >= 0 and memory_reservation at least 6 MiB (ECS minimum)."
  }
}
