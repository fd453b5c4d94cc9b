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
# Container and task
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
  description = "Port the app listens on (PORT) and the target group sends traffic to: modules/stack's app_port."
  type        = number

  validation {
    condition     = var.container_port >= 1024 && var.container_port <= 65535
    error_message = "container_port must be an unprivileged port (1024-65535): the container is not root."
  }
}

variable "task" {
  description = <<-EOT
    The task's size, timing and scale (one object, as modules/stack's settings.task):
    cpu (Fargate units 256-16384) and memory (MiB, a valid Fargate combination with cpu); cpu_architecture X86_64
    or ARM64 (Graviton, about 20 % cheaper; the image must be built for it); fargate_spot (about 70 % cheaper, tasks
    may be stopped with two minutes' warning; X86_64 only; refused in prod); stop_timeout (seconds between SIGTERM
    and SIGKILL, DP-5, above the app's drain budget and the deregistration delay); health_check_start_period
    (seconds of start-up whose failed container health checks do not count, DP-4); health_check_grace_period_seconds
    (seconds ECS ignores ALB health checks after a task starts, DP-3, above the measured cold start); db_pool_max
    (DB_POOL_MAX, connections per task: services x max_capacity x this stays below max_connections); log_level
    (LOG_LEVEL); desired_count (tasks at creation; afterwards autoscaling and the deploy CLI own the count),
    min_capacity and max_capacity (autoscaling's bounds), cpu_target_percent (average CPU autoscaling aims for) and
    requests_per_target (ALB requests per task per minute autoscaling aims for).
  EOT
  type = object({
    cpu                               = optional(number, 256)
    memory                            = optional(number, 512)
    cpu_architecture                  = optional(string, "X86_64")
    fargate_spot                      = optional(bool, false)
    stop_timeout                      = optional(number, 30)
    health_check_start_period         = optional(number, 30)
    health_check_grace_period_seconds = optional(number, 60)
    db_pool_max                       = optional(number, 10)
    log_level                         = optional(string, "info")
    desired_count                     = optional(number, 2)
    min_capacity                      = optional(number, 2)
    max_capacity                      = optional(number, 6)
    cpu_target_percent                = optional(number, 60)
    requests_per_target               = optional(number, 1000)
  })
  default  = {}
  nullable = false

  validation {
    condition     = contains([256, 512, 1024, 2048, 4096, 8192, 16384], var.task.cpu)
    error_message = "task.cpu must be a Fargate size: 256, 512, 1024, 2048, 4096, 8192 or 16384."
  }
  # Fargate task sizes: ECS Developer Guide, "Amazon ECS task definition parameters for Fargate", Task size.
  validation {
    condition = (
      (var.task.cpu == 256 && contains([512, 1024, 2048], var.task.memory)) ||
      (var.task.cpu == 512 && var.task.memory >= 1024 && var.task.memory <= 4096 && var.task.memory % 1024 == 0) ||
      (var.task.cpu == 1024 && var.task.memory >= 2048 && var.task.memory <= 8192 && var.task.memory % 1024 == 0) ||
      (var.task.cpu == 2048 && var.task.memory >= 4096 && var.task.memory <= 16384 && var.task.memory % 1024 == 0) ||
      (var.task.cpu == 4096 && var.task.memory >= 8192 && var.task.memory <= 30720 && var.task.memory % 1024 == 0) ||
      (var.task.cpu == 8192 && var.task.memory >= 16384 && var.task.memory <= 61440 && var.task.memory % 4096 == 0) ||
      (var.task.cpu == 16384 && var.task.memory >= 32768 && var.task.memory <= 122880 && var.task.memory % 8192 == 0)
    )
    error_message = "task.memory is not a valid Fargate combination for task.cpu (see the Fargate task size table)."
  }
  validation {
    condition     = contains(["X86_64", "ARM64"], var.task.cpu_architecture)
    error_message = "task.cpu_architecture must be X86_64 or ARM64."
  }
  validation {
    condition     = !(var.environment == "prod" && var.task.fargate_spot)
    error_message = "prod runs on regular Fargate: Fargate Spot may stop tasks at any time (two minutes' warning)."
  }
  validation {
    condition     = !(var.task.fargate_spot && var.task.cpu_architecture == "ARM64")
    error_message = "Fargate Spot supports X86_64 Linux tasks only (ECS Developer Guide, \"AWS Fargate capacity providers\"): use task.cpu_architecture = \"X86_64\" or task.fargate_spot = false."
  }
  validation {
    condition = (var.task.stop_timeout >= 10 && var.task.stop_timeout <= 120 &&
      var.task.health_check_start_period >= 0 && var.task.health_check_start_period <= 300 &&
    var.task.health_check_grace_period_seconds >= 30 && var.task.health_check_grace_period_seconds <= 120)
    error_message = "task.stop_timeout must be 10-120 seconds (Fargate maximum), task.health_check_start_period 0-300 and task.health_check_grace_period_seconds 30-120."
  }
  validation {
    condition     = var.task.db_pool_max >= 1 && var.task.db_pool_max <= 100
    error_message = "task.db_pool_max must be between 1 and 100."
  }
  validation {
    condition     = contains(["fatal", "error", "warn", "info", "debug", "trace"], var.task.log_level)
    error_message = "task.log_level must be fatal, error, warn, info, debug or trace."
  }
  validation {
    condition = (var.task.desired_count >= 0 && floor(var.task.desired_count) == var.task.desired_count &&
      var.task.min_capacity >= 1 && var.task.min_capacity <= var.task.desired_count &&
    var.task.max_capacity >= var.task.min_capacity && var.task.max_capacity <= 100)
    error_message = "task: desired_count must be a whole number >= 0, min_capacity from 1 to desired_count, max_capacity from min_capacity to 100."
  }
  validation {
    condition     = !(var.environment == "prod" && (var.task.desired_count < 2 || var.task.min_capacity < 2))
    error_message = "prod runs and scales down to at least two tasks per service (DP-2): task.desired_count and task.min_capacity must be 2 or more."
  }
  validation {
    condition     = var.task.cpu_target_percent >= 20 && var.task.cpu_target_percent <= 90 && var.task.requests_per_target >= 10 && var.task.requests_per_target <= 100000
    error_message = "task.cpu_target_percent must be between 20 and 90 and task.requests_per_target between 10 and 100000."
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
