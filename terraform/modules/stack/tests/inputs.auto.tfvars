# The inputs every test file of this module starts from: a prod stack "shop" in eu-west-1 with a prod-safe
# configuration of its own. terraform test reads the *.auto.tfvars files of its test directory; a test file's
# variables block and a run's override them.

environment     = "prod"
project         = "shop"
aws_region      = "eu-west-1"
certificate_arn = "arn:aws:acm:eu-west-1:123456789012:certificate/00000000-0000-0000-0000-000000000000"
default_tags    = { Project = "shop", Environment = "prod", ManagedBy = "terraform" }

# Prod-safe (the modules accept it for prod and dev), NAT per AZ so both egress paths are covered between
# this file and envs/prod (endpoints).
settings = {
  vpc_cidr             = "10.30.0.0/16"
  az_count             = 2
  egress_mode          = "nat"
  single_nat_gateway   = false
  flow_logs            = true
  log_retention_days   = 365
  container_insights   = "enhanced"
  ecr_force_delete     = false
  stop_timeout         = 40
  deregistration_delay = 20
  task                 = { cpu = 512, memory = 1024, desired_count = 2, min_capacity = 2, max_capacity = 3, db_pool_max = 7, log_level = "warn", fargate_spot = false }
  db = {
    instance_class        = "db.t4g.small", allocated_storage = 30, max_allocated_storage = 60, multi_az = true, deletion_protection = true,
    backup_retention_days = 10, skip_final_snapshot = false, monitoring_interval = 30, performance_insights = true, connections_alarm = 100
  }
  alb     = { deletion_protection = true, access_logs = true, enable_waf = true }
  tracing = { enabled = true, sample_ratio = 0.2 }
}
