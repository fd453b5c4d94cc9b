# dev: cheap. One NAT gateway, single-AZ micro database without protection, short log retention, one
# small task per service, no WAF or access logs. Every module default is the production-safe value;
# each cheap choice below is explicit (modules/stack's `settings` variable requires every attribute).

locals {
  environment = "dev"

  settings = {
    vpc_cidr           = "10.10.0.0/16"
    az_count           = 2
    egress_mode        = "nat" # one NAT (~$32/month) is cheaper than 4 interface endpoints x 2 AZs (~$58)
    single_nat_gateway = true
    flow_logs          = false
    log_retention_days = 14
    container_insights = "disabled"
    ecr_force_delete   = true

    stop_timeout         = 30
    deregistration_delay = 15

    task = {
      cpu           = 256
      memory        = 512
      desired_count = 1
      min_capacity  = 1
      max_capacity  = 2
      db_pool_max   = 5
      log_level     = "debug"
    }

    db = {
      instance_class        = "db.t4g.micro"
      allocated_storage     = 20
      max_allocated_storage = 50
      multi_az              = false
      deletion_protection   = false
      backup_retention_days = 1
      skip_final_snapshot   = true
      monitoring_interval   = 0
      performance_insights  = false
      connections_alarm     = 60 # of ~80 usable on a micro
    }

    alb = {
      deletion_protection = false
      access_logs         = false
      enable_waf          = false
    }
  }
}
