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

output "replica" {
  description = "The read replica: identifier, host name (DB_READ_HOST) and DbiResourceId (for rds-db:connect); null without one."
  value = local.db.create_read_replica ? {
    identifier  = aws_db_instance.replica[0].identifier
    address     = aws_db_instance.replica[0].address
    resource_id = aws_db_instance.replica[0].resource_id
  } : null
}

output "protection" {
  description = "How the primary is protected, as applied: multi_az, deletion_protection, backup_retention_days (days of automated backups) and iam_database_authentication (primary and replica)."
  # Named as the stack's settings name them, read from the instance's own attribute names.
  value = { for setting, attribute in {
    multi_az                    = "multi_az"
    deletion_protection         = "deletion_protection"
    backup_retention_days       = "backup_retention_period"
    iam_database_authentication = "iam_database_authentication_enabled"
  } : setting => aws_db_instance.this[attribute] }
}

output "master_password_generation" {
  description = "The write-only version the instance (password_wo_version) and the master secret (secret_string_wo_version) were last sent the password at: one number, new when master_password_version or the secret changes."
  value       = local.master_password_generation
}
