variable "identifier" {
  description = "RDS instance identifier (e.g. library-dev); the replica gets the suffix -replica."
  type        = string

  validation {
    condition     = can(regex("^[a-z][a-z0-9-]{0,54}$", var.identifier)) && !endswith(var.identifier, "-") && !strcontains(var.identifier, "--")
    error_message = "identifier must start with a letter and hold at most 55 lowercase letters, digits or single hyphens, not ending in a hyphen."
  }
}

variable "environment" {
  description = "dev or prod; prod refuses the unsafe instance settings (modules/stack checks it is one of the two)."
  type        = string
}

variable "placement" {
  description = "Where the database sits: the database subnet ids, in at least two AZs (RDS requires it even for single-AZ), and its security group (admits only the services' group on the port)."
  type = object({
    subnet_ids        = list(string)
    security_group_id = string
  })

  validation {
    condition     = length(var.placement.subnet_ids) >= 2
    error_message = "placement.subnet_ids must name at least two subnets in different AZs."
  }
}

variable "secret_kms_key_arn" {
  description = "Customer-managed KMS key for the master secret (CKV_AWS_149); null uses aws/secretsmanager."
  type        = string
  default     = null
}

variable "instance" {
  description = <<-EOT
    The database's settings, each with a safe default (prod refuses the unsafe ones; D3-D6, D15, D16):
    engine_version, the PostgreSQL major ("17": RDS chooses and auto-upgrades the minor; same major as docker-compose.yml and the embedded test Postgres);
    instance_class of the primary (and of the replica unless replica_instance_class is set); create_read_replica (the reader service then gets its address as DB_READ_HOST);
    db_name (DB_NAME), username of the master (DB_USER, not the engine default "postgres", FSBP RDS.25), port (DB_PORT);
    master_password_version: bump (1, 2, ...) to rotate the master password: the next apply writes a new one to the instance and to the secret (write-only, never in state);
    allocated_storage (GiB, gp3, minimum 20) and max_allocated_storage (storage autoscaling bound); log_min_duration_ms (log_min_duration_statement);
    multi_az (a standby in a second AZ, about 2x the cost); deletion_protection; backup_retention_days (1-35, never 0); skip_final_snapshot;
    monitoring_interval (enhanced monitoring seconds: 0 off, 1, 5, 10, 15, 30 or 60); performance_insights (7 days free retention; check support for small burstable classes).
  EOT
  type = object({
    engine_version          = optional(string, "17")
    instance_class          = optional(string, "db.t4g.medium")
    replica_instance_class  = optional(string)
    create_read_replica     = optional(bool, false)
    db_name                 = optional(string, "library_db")
    username                = optional(string, "library_admin")
    port                    = optional(number, 5432)
    master_password_version = optional(number, 1)
    allocated_storage       = optional(number, 20)
    max_allocated_storage   = optional(number, 100)
    log_min_duration_ms     = optional(number, 500)
    multi_az                = optional(bool, true)
    deletion_protection     = optional(bool, true)
    backup_retention_days   = optional(number, 7)
    skip_final_snapshot     = optional(bool, false)
    monitoring_interval     = optional(number, 60)
    performance_insights    = optional(bool, true)
  })
  default  = {}
  nullable = false
}

variable "logs" {
  description = "Retention (days) and customer-managed KMS key of the exported PostgreSQL log groups. Validated once, in modules/stack (settings.log_retention_days; prod: 365 days or more, always the stack's key)."
  type        = object({ retention_days = number, kms_key_arn = string })
}
