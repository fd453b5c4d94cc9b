# RDS PostgreSQL for both services, in the database subnets, reachable only from the services' security
# group. The services log in with IAM database authentication as their own least-privilege roles
# (library_reader, library_writer, created by the app's migration); only the one-off migrate task uses the
# master user, whose password lives in a Secrets Manager secret of ours and never in tfvars or state.

data "aws_partition" "current" {}
data "aws_caller_identity" "current" {}

locals {
  major_version = local.db.engine_version
  # iam-db-auth-error: the services log in with IAM tokens, and a refused token is logged only there (Amazon RDS
  # User Guide, "Troubleshooting for IAM DB authentication": export iam-db-auth-error; RDS API reference,
  # CreateDBInstance EnableCloudwatchLogsExports, RDS for PostgreSQL: postgresql | upgrade | iam-db-auth-error).
  log_exports = ["postgresql", "upgrade", "iam-db-auth-error"]
}

################################################################################
# Master password (D14): write-only, so it is in neither tfvars, plan nor state
################################################################################

# Why not manage_master_user_password (RDS keeps the password in Secrets Manager)? Amazon RDS User Guide,
# "Password management with Amazon RDS and AWS Secrets Manager", Limitations: creating a read replica is not
# supported when the source manages its master password with Secrets Manager (all engines but SQL Server).
# So both configurations (with and without replica) share one path: Terraform generates the password and hands
# it only to write-only arguments (password_wo, secret_string_wo; provider 5.100 "Write-only arguments"),
# which Terraform never stores in plan or state.
#
# Source: two random UUIDs (Terraform's uuid() reads crypto/rand; 244 random bits, 64 hex characters, within
# RDS's 8-128 printable characters without / " @ or space). The AWS-side generator, the ephemeral resource
# aws_secretsmanager_random_password, cannot be used here: Terraform 1.11's mock providers refuse any
# ephemeral resource ("No ephemeral resource types in mock providers"), even with count = 0, which would stop
# every `terraform test` of this stack. A local is evaluated once per apply, so the instance and the secret
# receive the same value; the *_wo_version arguments decide when it is sent at all (creation and each new
# generation below), so later applies send nothing.
#
# One value by construction: a password reaches RDS and the secret only together. Both *_wo_version arguments are
# the same generation number, derived from master_password_version and the secret's identity, so a new secret
# (replaced, e.g. a new name or deleted outside Terraform) makes a new generation the instance receives in the same
# apply, and a replaced instance replaces the secret version (replace_triggered_by below). The only write left
# that could split them, a `terraform apply -replace` of the secret version alone, is refused by the deploy CLI's
# plan check (deploy/src/setup/terraform-plan.ts). Write-only arguments: Terraform AWS provider 5.100,
# aws_db_instance password_wo_version and aws_secretsmanager_secret_version secret_string_wo_version.
locals {
  master_password = sensitive("${replace(uuid(), "-", "")}${replace(uuid(), "-", "")}")
  # 48 bits of a hash: a whole number both arguments accept, new whenever either input changes.
  master_password_generation = parseint(substr(sha256("${local.db.master_password_version}/${aws_secretsmanager_secret.master.id}"), 0, 12), 16)
}

resource "aws_secretsmanager_secret" "master" {
  # A prefix, not a fixed name: a deleted secret keeps its name for the recovery window, which would block
  # re-creating a torn-down environment.
  name_prefix             = "${var.identifier}-master-"
  description             = "Master user of RDS ${var.identifier} (JSON username/password); read only by the migrate task"
  kms_key_id              = var.secret_kms_key_arn
  recovery_window_in_days = 30
}

resource "aws_secretsmanager_secret_version" "master" {
  secret_id                = aws_secretsmanager_secret.master.id
  secret_string_wo         = jsonencode({ username = local.db.username, password = local.master_password })
  secret_string_wo_version = local.master_password_generation

  lifecycle {
    # A replaced instance (e.g. after a failed create) was given this apply's password: write it here too.
    replace_triggered_by = [aws_db_instance.this.resource_id]
  }
}

resource "aws_db_subnet_group" "this" {
  name        = var.identifier
  description = "Database subnets of ${var.identifier}"
  subnet_ids  = var.placement.subnet_ids
}

################################################################################
# Parameters: TLS forced (D7), DDL and slow statements logged (D8)
################################################################################

resource "aws_db_parameter_group" "this" {
  name        = "${var.identifier}-pg${local.major_version}"
  family      = "postgres${local.major_version}"
  description = "${var.identifier}: TLS only, DDL and slow statements logged"

  parameter {
    name  = "rds.force_ssl"
    value = "1"
  }

  parameter {
    name  = "log_statement"
    value = "ddl"
  }

  parameter {
    name  = "log_min_duration_statement"
    value = tostring(local.db.log_min_duration_ms)
  }

  parameter {
    name  = "log_connections"
    value = "1"
  }

  parameter {
    name  = "log_disconnections"
    value = "1"
  }

  lifecycle {
    create_before_destroy = true
  }
}

################################################################################
# Log groups (created here so they get a retention and a key; RDS would make them without either)
################################################################################

resource "aws_cloudwatch_log_group" "this" {
  for_each = toset(local.log_exports)

  name              = "/aws/rds/instance/${var.identifier}/${each.key}"
  retention_in_days = var.logs.retention_days
  kms_key_id        = var.logs.kms_key_arn
}

resource "aws_cloudwatch_log_group" "replica" {
  for_each = local.db.create_read_replica ? toset(local.log_exports) : toset([])

  name              = "/aws/rds/instance/${var.identifier}-replica/${each.key}"
  retention_in_days = var.logs.retention_days
  kms_key_id        = var.logs.kms_key_arn
}

################################################################################
# Enhanced monitoring role (D15)
################################################################################

resource "aws_iam_role" "monitoring" {
  count = local.db.monitoring_interval > 0 ? 1 : 0

  name = "${var.identifier}-rds-monitoring"
  # Confused-deputy guard: Amazon RDS User Guide, "Setting up and enabling Enhanced Monitoring" (the role's
  # trust policy may carry aws:SourceAccount / aws:SourceArn) and IAM User Guide "The confused deputy problem".
  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Allow"
      Principal = { Service = "monitoring.rds.amazonaws.com" }
      Action    = "sts:AssumeRole"
      Condition = { StringEquals = { "aws:SourceAccount" = data.aws_caller_identity.current.account_id } }
    }]
  })
}

resource "aws_iam_role_policy_attachment" "monitoring" {
  count = local.db.monitoring_interval > 0 ? 1 : 0

  role       = aws_iam_role.monitoring[0].name
  policy_arn = "arn:${data.aws_partition.current.partition}:iam::aws:policy/service-role/AmazonRDSEnhancedMonitoringRole"
}

################################################################################
# Primary
################################################################################

resource "aws_db_instance" "this" {
  identifier     = var.identifier
  engine         = "postgres"
  engine_version = local.db.engine_version
  instance_class = local.db.instance_class

  db_name             = local.db.db_name
  username            = local.db.username
  password_wo         = local.master_password # D14: write-only, never in state (see above)
  password_wo_version = local.master_password_generation
  port                = local.db.port

  allocated_storage     = local.db.allocated_storage
  max_allocated_storage = local.db.max_allocated_storage
  storage_type          = "gp3"
  storage_encrypted     = true # D1

  db_subnet_group_name   = aws_db_subnet_group.this.name
  vpc_security_group_ids = [var.placement.security_group_id]
  publicly_accessible    = false # D2
  multi_az               = local.db.multi_az
  parameter_group_name   = aws_db_parameter_group.this.name
  ca_cert_identifier     = "rds-ca-rsa2048-g1"

  backup_retention_period   = local.db.backup_retention_days
  backup_window             = "02:00-03:00"
  maintenance_window        = "sun:03:30-sun:04:30"
  copy_tags_to_snapshot     = true
  deletion_protection       = local.db.deletion_protection
  skip_final_snapshot       = local.db.skip_final_snapshot
  final_snapshot_identifier = local.db.skip_final_snapshot ? null : "${var.identifier}-final"

  # engine_version is the major only ("17"): RDS picks the current minor and upgrades it in the maintenance
  # window (Amazon RDS User Guide, "Automatically upgrading the minor engine version"); a pinned "17.x" would
  # make Terraform try to move the instance back after every automatic minor upgrade (Terraform AWS provider,
  # aws_db_instance: with auto_minor_version_upgrade, give a version prefix such as the major).
  auto_minor_version_upgrade  = true
  allow_major_version_upgrade = false
  # D17: the services log in as their own roles with IAM auth tokens (Amazon RDS User Guide, "IAM database
  # authentication for MariaDB, MySQL, and PostgreSQL"); rds.force_ssl = 1 stays, IAM auth requires TLS anyway.
  iam_database_authentication_enabled = true

  enabled_cloudwatch_logs_exports       = local.log_exports
  monitoring_interval                   = local.db.monitoring_interval
  monitoring_role_arn                   = local.db.monitoring_interval > 0 ? aws_iam_role.monitoring[0].arn : null
  performance_insights_enabled          = local.db.performance_insights
  performance_insights_retention_period = local.db.performance_insights ? 7 : null

  depends_on = [aws_cloudwatch_log_group.this]

  lifecycle {
    # var.instance's checks (checks.tf), prod's refusals among them: every message that applies.
    precondition {
      condition     = length(local.instance_problems) == 0
      error_message = "instance: ${join(" ", local.instance_problems)}"
    }
  }
}

################################################################################
# Optional read replica (the reader gets its address as DB_READ_HOST)
################################################################################

resource "aws_db_instance" "replica" {
  count = local.db.create_read_replica ? 1 : 0

  identifier          = "${var.identifier}-replica"
  replicate_source_db = aws_db_instance.this.identifier
  instance_class      = coalesce(local.db.replica_instance_class, local.db.instance_class)

  storage_type          = "gp3"
  storage_encrypted     = true
  max_allocated_storage = local.db.max_allocated_storage

  vpc_security_group_ids = [var.placement.security_group_id]
  publicly_accessible    = false
  multi_az               = false
  parameter_group_name   = aws_db_parameter_group.this.name
  ca_cert_identifier     = "rds-ca-rsa2048-g1"

  backup_retention_period = 0 # the primary holds the backups
  copy_tags_to_snapshot   = true
  deletion_protection     = local.db.deletion_protection
  skip_final_snapshot     = true # a replica's data is the primary's

  auto_minor_version_upgrade          = true
  iam_database_authentication_enabled = true # the reader logs in here with its IAM token too
  enabled_cloudwatch_logs_exports     = local.log_exports
  monitoring_interval                 = local.db.monitoring_interval
  monitoring_role_arn                 = local.db.monitoring_interval > 0 ? aws_iam_role.monitoring[0].arn : null
  performance_insights_enabled        = local.db.performance_insights

  depends_on = [aws_cloudwatch_log_group.replica]
}
