# Database module: RDS PostgreSQL 17 hardening and the prod guards (docs/reliability.md#rds-postgresql).

mock_provider "aws" {
  source = "../../tests/mocks"
}

variables {
  identifier  = "library-test"
  environment = "dev"
  placement   = { subnet_ids = ["subnet-db-a", "subnet-db-b"], security_group_id = "sg-database" }
  logs        = { retention_days = 365, kms_key_arn = "arn:aws:kms:eu-west-1:123456789012:key/00000000-0000-0000-0000-000000000000" }
}

run "safe_defaults" {
  command = plan

  assert {
    condition     = aws_db_instance.this.engine == "postgres" && aws_db_instance.this.engine_version == "17" && aws_db_parameter_group.this.family == "postgres17"
    error_message = "PostgreSQL 17, the major of docker-compose.yml and the embedded test database."
  }
  assert {
    condition     = aws_db_instance.this.storage_encrypted == true
    error_message = "D1: storage encrypted."
  }
  assert {
    condition     = aws_db_instance.this.publicly_accessible == false
    error_message = "D2: not publicly accessible."
  }
  assert {
    condition     = aws_db_instance.this.multi_az == true && aws_db_instance.this.deletion_protection == true
    error_message = "D3/D4: Multi-AZ and deletion protection by default."
  }
  assert {
    condition     = aws_db_instance.this.backup_retention_period >= 7 && aws_db_instance.this.skip_final_snapshot == false && aws_db_instance.this.final_snapshot_identifier == "library-test-final"
    error_message = "D5/D6: 7+ days of backups and a final snapshot by default."
  }
  assert {
    condition     = toset(aws_db_instance.this.enabled_cloudwatch_logs_exports) == toset(["postgresql", "upgrade", "iam-db-auth-error"]) && toset(keys(aws_cloudwatch_log_group.this)) == toset(["postgresql", "upgrade", "iam-db-auth-error"])
    error_message = "D9: postgresql, upgrade and iam-db-auth-error (refused IAM logins) exported to CloudWatch, each into a log group of ours."
  }
  assert {
    condition     = aws_db_instance.this.auto_minor_version_upgrade == true && aws_db_instance.this.copy_tags_to_snapshot == true
    error_message = "D10/D11: minor upgrades and tags copied to snapshots."
  }
  assert {
    condition     = contains(["rds-ca-rsa2048-g1", "rds-ca-rsa4096-g1", "rds-ca-ecc384-g1"], aws_db_instance.this.ca_cert_identifier)
    error_message = "D12: a current CA."
  }
  assert {
    condition     = aws_db_instance.this.username != "postgres" && aws_db_instance.this.db_name == "library_db"
    error_message = "D13: admin user is not the engine default; the database is library_db."
  }
  assert {
    condition     = aws_db_instance.this.password == null && aws_db_instance.this.password_wo == null
    error_message = "D14: the master password reaches RDS only through the write-only password_wo (null in plan and state), sent for version 1."
  }
  assert {
    condition     = aws_db_instance.this.manage_master_user_password != true
    error_message = "R-2: no RDS-managed master password (RDS cannot create a read replica of such an instance)."
  }
  assert {
    condition     = aws_secretsmanager_secret_version.master.secret_string == null && aws_secretsmanager_secret_version.master.secret_string_wo == null
    error_message = "D14: the secret gets the same password write-only, at the same version as the instance."
  }
  assert {
    condition     = aws_db_instance.this.iam_database_authentication_enabled == true
    error_message = "D17: IAM database authentication is on (the services log in with IAM tokens)."
  }
  assert {
    condition     = contains([1, 5, 10, 15, 30, 60], aws_db_instance.this.monitoring_interval) && length(aws_iam_role.monitoring) == 1
    error_message = "D15: enhanced monitoring with its role."
  }
  assert {
    condition = alltrue([for st in jsondecode(aws_iam_role.monitoring[0].assume_role_policy).Statement :
      st.Principal == { Service = "monitoring.rds.amazonaws.com" } && st.Condition.StringEquals["aws:SourceAccount"] == "123456789012"
    ])
    error_message = "I1: the enhanced-monitoring role trusts only RDS monitoring acting for this account (confused deputy)."
  }
  assert {
    condition     = aws_db_instance.this.performance_insights_enabled == true
    error_message = "D16: Performance Insights on by default."
  }
  assert {
    condition     = aws_db_instance.this.vpc_security_group_ids == toset(["sg-database"]) && aws_db_subnet_group.this.subnet_ids == toset(["subnet-db-a", "subnet-db-b"])
    error_message = "The database sits in the database subnets behind its own security group."
  }
  assert {
    condition     = length(aws_db_instance.replica) == 0
    error_message = "No replica unless asked for."
  }
}

run "master_secret" {
  command = plan

  variables {
    secret_kms_key_arn = "arn:aws:kms:eu-west-1:123456789012:key/22222222-2222-2222-2222-222222222222"
    instance           = { master_password_version = 3 }
  }

  assert {
    condition     = aws_secretsmanager_secret.master.kms_key_id == var.secret_kms_key_arn && startswith(aws_secretsmanager_secret.master.name_prefix, "library-test-master-")
    error_message = "The master secret is encrypted with the given CMK and named after the instance."
  }
}

# Issue 23 (6): the instance and the secret receive a password only together, at one generation number.
run "one_password_generation" {
  command = apply

  assert {
    condition     = aws_db_instance.this.password_wo_version == output.master_password_generation && aws_secretsmanager_secret_version.master.secret_string_wo_version == output.master_password_generation
    error_message = "The instance and the secret version are sent the password at the same generation."
  }
}

run "a_new_secret_sends_the_password_to_rds_too" {
  command = apply

  plan_options {
    replace = [aws_secretsmanager_secret.master]
  }

  # A new secret gets a new ARN from Secrets Manager (the mock's is fixed).
  override_resource {
    target = aws_secretsmanager_secret.master
    values = {
      arn = "arn:aws:secretsmanager:eu-west-1:123456789012:secret:library-test-master-20250101000000000000000002-GhIjKl"
      id  = "arn:aws:secretsmanager:eu-west-1:123456789012:secret:library-test-master-20250101000000000000000002-GhIjKl"
    }
  }

  assert {
    condition     = output.master_password_generation != run.one_password_generation.master_password_generation
    error_message = "A replaced secret starts a new generation: its new version's password is sent to the instance in the same apply."
  }
  assert {
    condition     = aws_db_instance.this.password_wo_version == output.master_password_generation && aws_secretsmanager_secret_version.master.secret_string_wo_version == output.master_password_generation
    error_message = "Both receive the new generation: RDS is never left with the old password while the secret holds a new one."
  }
}

run "bumping_the_version_rotates_both" {
  command = apply

  variables {
    instance = { master_password_version = 2 }
  }

  assert {
    condition     = output.master_password_generation != run.a_new_secret_sends_the_password_to_rds_too.master_password_generation
    error_message = "Bumping master_password_version makes a new generation."
  }
  assert {
    condition     = aws_db_instance.this.password_wo_version == output.master_password_generation && aws_secretsmanager_secret_version.master.secret_string_wo_version == output.master_password_generation
    error_message = "Bumping master_password_version rotates the password on the instance and in the secret together."
  }
}

run "parameter_group_forces_tls_and_logs_statements_to_retained_encrypted_groups" {
  command = plan

  assert {
    condition     = anytrue([for p in aws_db_parameter_group.this.parameter : p.name == "rds.force_ssl" && p.value == "1"])
    error_message = "D7: rds.force_ssl = 1."
  }
  assert {
    condition     = anytrue([for p in aws_db_parameter_group.this.parameter : p.name == "log_statement" && p.value == "ddl"]) && anytrue([for p in aws_db_parameter_group.this.parameter : p.name == "log_min_duration_statement" && p.value == "500"])
    error_message = "D8: log_statement = ddl and log_min_duration_statement = 500."
  }
  assert {
    condition     = aws_db_instance.this.parameter_group_name == aws_db_parameter_group.this.name
    error_message = "The instance uses that parameter group."
  }
  assert {
    condition     = toset(keys(aws_cloudwatch_log_group.this)) == toset(["postgresql", "upgrade", "iam-db-auth-error"]) && alltrue([for g in aws_cloudwatch_log_group.this : g.retention_in_days == 365 && g.kms_key_id == var.logs.kms_key_arn && startswith(g.name, "/aws/rds/instance/library-test/")])
    error_message = "C1-C3: exported log groups exist up front with retention and a CMK."
  }
}

run "dev_cheap_values" {
  command = plan

  variables {
    instance = {
      instance_class = "db.t4g.micro", backup_retention_days = 1, monitoring_interval = 0,
      multi_az       = false, deletion_protection = false, skip_final_snapshot = true, performance_insights = false
    }
  }

  assert {
    condition     = !aws_db_instance.this.multi_az && !aws_db_instance.this.deletion_protection && aws_db_instance.this.skip_final_snapshot && aws_db_instance.this.final_snapshot_identifier == null
    error_message = "Dev may run single-AZ, unprotected, without a final snapshot."
  }
  assert {
    condition     = aws_db_instance.this.backup_retention_period == 1 && aws_db_instance.this.monitoring_interval == 0 && length(aws_iam_role.monitoring) == 0
    error_message = "Dev keeps 1 day of backups (never 0) and no enhanced monitoring."
  }
  assert {
    condition     = alltrue(values(local.prod_unsafe)) && length(local.instance_problems) == 0
    error_message = "Each of the six cheap values trips its own prod guard, and dev accepts them all."
  }
}

run "read_replica" {
  command = plan

  variables {
    instance = { create_read_replica = true }
  }

  assert {
    condition     = length(aws_db_instance.replica) == 1 && aws_db_instance.replica[0].replicate_source_db == "library-test" && aws_db_instance.replica[0].identifier == "library-test-replica"
    error_message = "The replica replicates the primary."
  }
  assert {
    condition     = aws_db_instance.replica[0].publicly_accessible == false && aws_db_instance.replica[0].storage_encrypted == true && aws_db_instance.replica[0].vpc_security_group_ids == toset(["sg-database"])
    error_message = "D1/D2 hold for the replica too."
  }
  assert {
    condition     = aws_db_instance.replica[0].manage_master_user_password == null && aws_db_instance.replica[0].password == null && aws_db_instance.replica[0].password_wo_version == null
    error_message = "The replica carries no credentials of its own."
  }
  assert {
    condition     = aws_db_instance.this.manage_master_user_password != true
    error_message = "R-2: the source of a replica must not have an RDS-managed master password (RDS refuses the replica)."
  }
  assert {
    condition     = aws_db_instance.replica[0].iam_database_authentication_enabled == true
    error_message = "D17: the reader logs in to the replica with IAM auth too."
  }
}

run "apply_outputs_with_replica" {
  command = apply

  variables {
    instance = { create_read_replica = true }
  }

  assert {
    condition     = output.secret_arn == aws_secretsmanager_secret.master.arn && aws_secretsmanager_secret_version.master.secret_id == aws_secretsmanager_secret.master.id
    error_message = "secret_arn is our master secret, the one the password version is written to."
  }
  assert {
    condition     = output.resource_id == aws_db_instance.this.resource_id && output.replica.resource_id == aws_db_instance.replica[0].resource_id && startswith(output.resource_id, "db-")
    error_message = "The DbiResourceIds of primary and replica are output for rds-db:connect policies."
  }
  assert {
    condition     = output.replica.address != null && output.instance_identifier == "library-test" && output.db_name == "library_db" && output.username == "library_admin"
    error_message = "Outputs give host, replica host, database and user."
  }
}

run "apply_outputs_without_replica" {
  command = apply

  assert {
    condition     = output.replica == null
    error_message = "read_endpoint and the replica's resource id are null without a replica."
  }
}

run "prod_safe_values_plan" {
  command = plan

  variables {
    environment = "prod"
  }

  assert {
    condition     = aws_db_instance.this.multi_az && !anytrue(values(local.prod_unsafe))
    error_message = "Prod plans with the defaults: none of them is unsafe."
  }
}

run "prod_rejects_the_unsafe_values" {
  command = plan

  variables {
    environment = "prod"
    instance    = { multi_az = false, backup_retention_days = 3, performance_insights = false }
  }

  expect_failures = [aws_db_instance.this]
}

run "rejects_bad_values" {
  command = plan

  variables {
    instance = {
      engine_version    = "17.4", instance_class = "t4g.micro", db_name = "Library", username = "postgres", port = 80, master_password_version = 0,
      allocated_storage = 100, max_allocated_storage = 50, log_min_duration_ms = -1, backup_retention_days = 0, monitoring_interval = 45,
    }
  }

  expect_failures = [aws_db_instance.this]
}

run "rejects_a_single_subnet" {
  command = plan
  variables {
    placement = { subnet_ids = ["subnet-db-a"], security_group_id = "sg-database" }
  }
  expect_failures = [var.placement]
}

run "rejects_another_major" {
  command = plan
  variables {
    instance = { engine_version = "16" }
  }
  expect_failures = [aws_db_instance.this]
}
