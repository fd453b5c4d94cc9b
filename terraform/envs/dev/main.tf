# dev: cheap (<= $60/month idle, itemised in terraform/README.md). A NAT instance instead of a NAT gateway,
# Fargate Spot, single-AZ micro database without protection, short log retention, one small task per service,
# no WAF or access logs. Every module default is the production-safe value; each cheap choice below is
# explicit (modules/stack's `settings` variable requires every attribute) and prod's guards refuse it.
#
# This root is thin: modules/stack is the whole stack, with the description, default and check of every input.
# Here: what dev chooses (environment, settings). The rest of the root is the same for every env and lives
# once in terraform/env-common, linked here: stack.tf (provider, default tags, the module "stack" call that
# passes these locals on), variables.tf (what a person sets in terraform.tfvars), outputs.tf (the deploy
# contract), versions.tf (backend) and moved.tf.

locals {
  environment = "dev"

  settings = {
    vpc_cidr = "10.10.0.0/16"
    az_count = 2
    # One t4g.nano NAT instance (~$3.07 + $0.64 disk + $3.65 public IPv4 per month) instead of a NAT gateway
    # (~$32.85 + $3.65) or 4 interface endpoints x 2 AZs (~$58.40). No failover: refused in prod.
    egress_mode        = "nat_instance"
    single_nat_gateway = false # no NAT gateway at all
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
      # Fargate Spot (X86_64 only): ~$5.40 instead of ~$18.02 for the two tasks; a Spot stop replaces the task
      # after two minutes' warning. ARM64 would save only ~$3.60 and cannot run on Spot. Refused in prod.
      fargate_spot = true
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

    # No ADOT sidecar and no X-Ray in dev (turn it on here to debug a trace); prod records traces.
    tracing = {
      enabled      = false
      sample_ratio = 0.1
    }
  }

  # How ECS deploys the services: rolling, the fastest (no alternate target groups, hook or rollback alarms; the
  # circuit breaker and the 5xx alarm roll a failed deployment back). CANARY, LINEAR or BLUE_GREEN as in
  # envs/prod (terraform/README.md, "Progressive delivery"; switching an existing env moves the service's state).
  delivery = {
    strategy          = "ROLLING"
    bake_time_minutes = 0
  }
}
