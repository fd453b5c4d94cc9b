output "instance_identifier" {
  description = "Identifier of the primary instance."
  value       = aws_db_instance.this.identifier
}

output "address" {
  description = "Host name of the primary (DB_HOST)."
  value       = aws_db_instance.this.address
}

output "port" {
  description = "Port of the database (DB_PORT)."
  value       = aws_db_instance.this.port
}

output "db_name" {
  description = "Name of the application database (DB_NAME)."
  value       = aws_db_instance.this.db_name
}

output "username" {
  description = "Master user name (DB_USER of the migrate task only; the services log in as their own roles)."
  value       = aws_db_instance.this.username
}

output "secret_arn" {
  description = "ARN of the Secrets Manager secret holding the master credentials (JSON keys \"username\", \"password\")."
  value       = aws_secretsmanager_secret.master.arn
}

output "secret_kms_key_arn" {
  description = "KMS key of the master secret (null: aws/secretsmanager); whoever reads the secret needs kms:Decrypt on it."
  value       = var.secret_kms_key_arn
}

output "resource_id" {
  description = "DbiResourceId of the primary, for rds-db:connect ARNs (arn:...:rds-db:<region>:<account>:dbuser:<id>/<user>)."
  value       = aws_db_instance.this.resource_id
}

output "replica_resource_id" {
  description = "DbiResourceId of the read replica, or null without one."
  value       = local.db.create_read_replica ? aws_db_instance.replica[0].resource_id : null
}

output "iam_database_authentication" {
  description = "Whether IAM database authentication is on (primary and replica)."
  value       = aws_db_instance.this.iam_database_authentication_enabled
}

output "read_endpoint" {
  description = "Host name of the read replica (DB_READ_HOST), or null without one."
  value       = local.db.create_read_replica ? aws_db_instance.replica[0].address : null
}

output "replica_identifier" {
  description = "Identifier of the read replica, or null without one."
  value       = local.db.create_read_replica ? aws_db_instance.replica[0].identifier : null
}

output "multi_az" {
  description = "Whether the primary runs Multi-AZ."
  value       = aws_db_instance.this.multi_az
}

output "deletion_protection" {
  description = "Whether the primary is protected from deletion."
  value       = aws_db_instance.this.deletion_protection
}

output "backup_retention_days" {
  description = "Days of automated backups of the primary."
  value       = aws_db_instance.this.backup_retention_period
}

output "master_password_generation" {
  description = "The write-only version the instance (password_wo_version) and the master secret (secret_string_wo_version) were last sent the password at: one number, new when master_password_version or the secret changes."
  value       = local.master_password_generation
}
