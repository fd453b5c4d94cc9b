# What the primary's precondition (main.tf) refuses in var.instance, as message => refused: the plan fails with
# every message that applies. prod_unsafe is what prod refuses (with the Foundational Security Best Practices
# control that asks for it); the tests read it to show that each unsafe value trips its own guard.

locals {
  db = var.instance

  prod_unsafe = {
    "prod runs the database Multi-AZ (FSBP RDS.5)."                          = !local.db.multi_az
    "prod keeps deletion protection on (FSBP RDS.8)."                        = !local.db.deletion_protection
    "prod keeps at least 7 days of backups (FSBP RDS.11)."                   = local.db.backup_retention_days < 7
    "prod takes a final snapshot when the database is deleted (D6)."         = local.db.skip_final_snapshot
    "prod keeps enhanced monitoring on (FSBP RDS.6): monitoring_interval 0." = local.db.monitoring_interval == 0
    "prod keeps Performance Insights on (CKV_AWS_353)."                      = !local.db.performance_insights
  }

  instance_problems = concat([for why, refused in {
    "engine_version must be the major \"17\" only: a full \"17.x\" would fight RDS's automatic minor upgrades (auto_minor_version_upgrade = true)." = local.db.engine_version != "17"
    "instance_class and replica_instance_class must look like db.<family>.<size>, e.g. db.t4g.micro."                                               = !alltrue([for c in compact([local.db.instance_class, local.db.replica_instance_class]) : can(regex("^db\\.[a-z0-9]+\\.[a-z0-9]+$", c))])
    "db_name must start with a letter and hold at most 63 lowercase letters, digits or underscores."                                                = !can(regex("^[a-z][a-z0-9_]{0,62}$", local.db.db_name))
    "username must be a lowercase identifier and not a default or reserved name (postgres, admin, rdsadmin, root)."                                 = !can(regex("^[a-z][a-z0-9_]{0,62}$", local.db.username)) || contains(["postgres", "admin", "rdsadmin", "root"], local.db.username)
    "port must be between 1150 and 65535."                                                                                                          = local.db.port < 1150 || local.db.port > 65535
    "master_password_version must be a whole number >= 1."                                                                                          = local.db.master_password_version < 1 || floor(local.db.master_password_version) != local.db.master_password_version
    "allocated_storage must be between 20 and 65536 GiB, max_allocated_storage from allocated_storage to 65536."                                    = local.db.allocated_storage < 20 || local.db.max_allocated_storage < local.db.allocated_storage || local.db.max_allocated_storage > 65536
    "log_min_duration_ms must be between 0 and 60000."                                                                                              = local.db.log_min_duration_ms < 0 || local.db.log_min_duration_ms > 60000
    "backup_retention_days must be a whole number between 1 and 35 (0 would turn backups off)."                                                     = local.db.backup_retention_days < 1 || local.db.backup_retention_days > 35 || floor(local.db.backup_retention_days) != local.db.backup_retention_days
    "monitoring_interval must be one of 0, 1, 5, 10, 15, 30, 60."                                                                                   = !contains([0, 1, 5, 10, 15, 30, 60], local.db.monitoring_interval)
  } : why if refused], [for why, unsafe in local.prod_unsafe : why if var.environment == "prod" && unsafe])
}
