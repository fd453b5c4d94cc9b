# prod: safe. Module defaults are already the production-safe values; they are spelled out here so a
# reader sees prod's choices in one place (modules/stack's `settings` variable requires every attribute),
# and the modules refuse the unsafe ones for environment = "prod".
#
# This root is thin: modules/stack is the whole stack, with the description, default and check of every input.
# Here: what prod chooses (environment, settings). The rest of the root is the same for every env and lives
# once in terraform/env-common, linked here: stack.tf (provider, default tags, the module "stack" call that
# passes these locals on), variables.tf (what a person sets in terraform.tfvars), outputs.tf (the deploy
# contract), versions.tf (backend) and moved.tf.

locals {
  environment = "prod"

  settings = {
    vpc_cidr           = "10.20.0.0/16"
    az_count           = 3
    egress_mode        = "endpoints" # private ECR/Logs/Secrets Manager pulls, no internet egress (FSBP EC2.55/56)
    single_nat_gateway = false
    flow_logs          = true
    log_retention_days = 365
    container_insights = "enabled"
    ecr_force_delete   = false

    stop_timeout         = 30
    deregistration_delay = 15

    task = {
      cpu           = 512
      memory        = 1024
      desired_count = 2
      min_capacity  = 2
      max_capacity  = 6
      db_pool_max   = 10
      log_level     = "info"
      fargate_spot  = false # on-demand Fargate: Spot may stop tasks at any time
    }

    db = {
      instance_class        = "db.t4g.medium"
      allocated_storage     = 50
      max_allocated_storage = 200
      multi_az              = true
      deletion_protection   = true
      backup_retention_days = 14
      skip_final_snapshot   = false
      monitoring_interval   = 60
      performance_insights  = true
      connections_alarm     = 300 # of ~400 on a t4g.medium; 2 services x 6 tasks x 10 = 120 at full scale
    }

    alb = {
      deletion_protection = true
      access_logs         = true
      enable_waf          = true
    }

    # Traces to X-Ray through an ADOT collector sidecar per task (64 cpu / 64 MiB of the task), 10 % of new
    # traces (parent-based); plus the xray interface endpoint (endpoints mode). X-Ray: first 100,000 traces a month
    # free, then $5.00 per million recorded.
    tracing = {
      enabled      = true
      sample_ratio = 0.1
    }
  }

  # How ECS deploys the services (issue 27; terraform/README.md, "Progressive delivery"): a canary. After the test
  # listener rule's smoke hook passes, 10 % of production traffic for 5 minutes, then all of it; both revisions run
  # 10 more minutes (the bake) before the old one stops. Any rollback alarm (5xx rate, p99, unhealthy targets,
  # over both target groups) during the deployment or the bake sends the traffic back to the old revision.
  delivery = {
    strategy          = "CANARY"
    bake_time_minutes = 10
    canary            = { percent = 10, bake_time_minutes = 5 }
    rollback_alarms   = { error_rate_percent = 1, min_requests = 10, p99_seconds = 2, evaluation_minutes = 2 }
  }
}

# A prod stack created before canaries has each service at the rolling address (aws_ecs_service.this, then
# this[0]); with a progressive strategy modules/service keeps it at progressive[0]. These blocks carry that state
# over, so the plan moves the running services instead of deleting them (moves chain with the module's own
# this -> this[0]). They belong with the strategy above: switching prod back to ROLLING means deleting them.
moved {
  from = module.stack.module.service["reader"].aws_ecs_service.this[0]
  to   = module.stack.module.service["reader"].aws_ecs_service.progressive[0]
}

moved {
  from = module.stack.module.service["writer"].aws_ecs_service.this[0]
  to   = module.stack.module.service["writer"].aws_ecs_service.progressive[0]
}
