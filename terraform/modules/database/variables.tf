variable "identifier" {
  description = "RDS instance identifier (e.g. library-dev); the replica gets the suffix -replica."
  type        = string

  validation {
    condition     = can(regex("^[a-z][a-z0-9-]{0,54}$", var.identifier)) && !endswith(var.identifier, "-") && !strcontains(var.identifier, "--")
    error_message = "identifier must start with a letter and hold at most 55 lowercase letters, digits or single hyphens, not ending in a hyphen."
  }
}

variable "environment" {
  description = "dev or prod; prod refuses the unsafe settings below (modules/stack checks it is one of the two)."
  type        = string
}

variable "subnet_ids" {
  description = "Database subnet ids, in at least two AZs (RDS requires it even for single-AZ)."
  type        = list(string)

  validation {
    condition     = length(var.subnet_ids) >= 2
    error_message = "subnet_ids must name at least two subnets in different AZs."
  }
}

variable "security_group_id" {
  description = "Security group of the database (admits only the services' group on 5432)."
  type        = string
}

variable "engine_version" {
  description = "PostgreSQL major version (\"17\"): RDS chooses and auto-upgrades the minor. Same major as docker-compose.yml and the embedded test Postgres."
  type        = string
  default     = "17"

  validation {
    condition     = var.engine_version == "17"
    error_message = "engine_version must be the major \"17\" only: a full \"17.x\" would fight RDS's automatic minor upgrades (auto_minor_version_upgrade = true)."
  }
}

variable "instance_class" {
  description = "Instance class of the primary (and of the replica unless replica_instance_class is set)."
  type        = string
  default     = "db.t4g.medium"

  validation {
    condition     = can(regex("^db\\.[a-z0-9]+\\.[a-z0-9]+$", var.instance_class))
    error_message = "instance_class must look like db.<family>.<size>, e.g. db.t4g.micro."
  }
}

variable "replica_instance_class" {
  description = "Instance class of the read replica; null uses instance_class."
  type        = string
  default     = null

  validation {
    condition     = var.replica_instance_class == null || can(regex("^db\\.[a-z0-9]+\\.[a-z0-9]+$", var.replica_instance_class))
    error_message = "replica_instance_class must look like db.<family>.<size> or be null."
  }
}

variable "db_name" {
  description = "Name of the application database (DB_NAME)."
  type        = string
  default     = "library_db"

  validation {
    condition     = can(regex("^[a-z][a-z0-9_]{0,62}$", var.db_name))
    error_message = "db_name must start with a letter and hold at most 63 lowercase letters, digits or underscores."
  }
}

variable "username" {
  description = "Master user name (DB_USER). Not the engine default \"postgres\" (FSBP RDS.25)."
  type        = string
  default     = "library_admin"

  validation {
    condition     = can(regex("^[a-z][a-z0-9_]{0,62}$", var.username)) && !contains(["postgres", "admin", "rdsadmin", "root"], var.username)
    error_message = "username must be a lowercase identifier and not a default or reserved name (postgres, admin, rdsadmin, root)."
  }
}

variable "master_password_version" {
  description = "Bump (1, 2, ...) to rotate the master password: the next apply writes a new one to the instance and to the secret (write-only, never in state)."
  type        = number
  default     = 1

  validation {
    condition     = var.master_password_version >= 1 && floor(var.master_password_version) == var.master_password_version
    error_message = "master_password_version must be a whole number >= 1."
  }
}

variable "secret_kms_key_arn" {
  description = "Customer-managed KMS key for the master secret (CKV_AWS_149); null uses aws/secretsmanager."
  type        = string
  default     = null
}

variable "port" {
  description = "PostgreSQL port (DB_PORT)."
  type        = number
  default     = 5432

  validation {
    condition     = var.port >= 1150 && var.port <= 65535
    error_message = "port must be between 1150 and 65535."
  }
}

variable "allocated_storage" {
  description = "Initial storage in GiB (gp3, minimum 20)."
  type        = number
  default     = 20

  validation {
    condition     = var.allocated_storage >= 20 && var.allocated_storage <= 65536
    error_message = "allocated_storage must be between 20 and 65536 GiB."
  }
}

variable "max_allocated_storage" {
  description = "Upper bound for storage autoscaling in GiB (>= allocated_storage)."
  type        = number
  default     = 100

  validation {
    condition     = var.max_allocated_storage >= var.allocated_storage && var.max_allocated_storage <= 65536
    error_message = "max_allocated_storage must be at least allocated_storage and at most 65536."
  }
}

variable "log_min_duration_ms" {
  description = "Statements slower than this many milliseconds are logged (log_min_duration_statement)."
  type        = number
  default     = 500

  validation {
    condition     = var.log_min_duration_ms >= 0 && var.log_min_duration_ms <= 60000
    error_message = "log_min_duration_ms must be between 0 and 60000."
  }
}

variable "multi_az" {
  description = "Standby in a second AZ (D3, about 2x the instance cost). Safe default true; refused as false in prod."
  type        = bool
  default     = true

  validation {
    condition     = !(var.environment == "prod" && !var.multi_az)
    error_message = "prod runs the database Multi-AZ (FSBP RDS.5)."
  }
}

variable "deletion_protection" {
  description = "Refuse deletion of the instance (D4). Safe default true; refused as false in prod."
  type        = bool
  default     = true

  validation {
    condition     = !(var.environment == "prod" && !var.deletion_protection)
    error_message = "prod keeps deletion protection on (FSBP RDS.8)."
  }
}

variable "backup_retention_days" {
  description = "Days of automated backups (D5): 1-35, never 0. Safe default 7; prod refuses less than 7."
  type        = number
  default     = 7

  validation {
    condition     = var.backup_retention_days >= 1 && var.backup_retention_days <= 35 && floor(var.backup_retention_days) == var.backup_retention_days
    error_message = "backup_retention_days must be a whole number between 1 and 35 (0 would turn backups off)."
  }

  validation {
    condition     = !(var.environment == "prod" && var.backup_retention_days < 7)
    error_message = "prod keeps at least 7 days of backups (FSBP RDS.11)."
  }
}

variable "skip_final_snapshot" {
  description = "Delete without a final snapshot (D6). Safe default false; refused as true in prod."
  type        = bool
  default     = false

  validation {
    condition     = !(var.environment == "prod" && var.skip_final_snapshot)
    error_message = "prod takes a final snapshot when the database is deleted."
  }
}

variable "monitoring_interval" {
  description = "Enhanced monitoring interval in seconds (D15): 0 (off), 1, 5, 10, 15, 30 or 60. Safe default 60; prod refuses 0."
  type        = number
  default     = 60

  validation {
    condition     = contains([0, 1, 5, 10, 15, 30, 60], var.monitoring_interval)
    error_message = "monitoring_interval must be one of 0, 1, 5, 10, 15, 30, 60."
  }

  validation {
    condition     = !(var.environment == "prod" && var.monitoring_interval == 0)
    error_message = "prod keeps enhanced monitoring on (FSBP RDS.6)."
  }
}

variable "performance_insights" {
  description = "Performance Insights, 7 days free retention (D16). Safe default true; refused as false in prod. Check support for small burstable classes; dev turns it off."
  type        = bool
  default     = true

  validation {
    condition     = !(var.environment == "prod" && !var.performance_insights)
    error_message = "prod keeps Performance Insights on (CKV_AWS_353)."
  }
}

variable "create_read_replica" {
  description = "Create one read replica; the reader service then gets its address as DB_READ_HOST."
  type        = bool
  default     = false
}

variable "logs" {
  description = "Retention (days) and customer-managed KMS key of the exported PostgreSQL log groups. Validated once, in modules/stack (settings.log_retention_days; prod: 365 days or more, always the stack's key)."
  type        = object({ retention_days = number, kms_key_arn = string })
}
