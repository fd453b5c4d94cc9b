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
  description = "Master user name (DB_USER)."
  value       = aws_db_instance.this.username
}

output "secret_arn" {
  description = "ARN of the RDS-managed Secrets Manager secret holding the master password (JSON key \"password\")."
  value       = aws_db_instance.this.master_user_secret[0].secret_arn
}

output "read_endpoint" {
  description = "Host name of the read replica (DB_READ_HOST), or null without one."
  value       = var.create_read_replica ? aws_db_instance.replica[0].address : null
}

output "replica_identifier" {
  description = "Identifier of the read replica, or null without one."
  value       = var.create_read_replica ? aws_db_instance.replica[0].identifier : null
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
