# Composition of the stack: the eight modules wired together, once for both environments.
# envs/dev and envs/prod each call this module with their own settings (a literal in their main.tf: what differs)
# and the inputs a person sets (their variables.tf), which variables.tf here describes and checks.

data "aws_caller_identity" "current" {}
data "aws_partition" "current" {}

# Regular AZs only (no Local Zones or Wavelength zones, which lack Fargate and RDS Multi-AZ).
data "aws_availability_zones" "available" {
  state = "available"

  filter {
    name   = "opt-in-status"
    values = ["opt-in-not-required"]
  }
}

locals {
  name         = "${var.project}-${var.environment}"
  azs          = slice(sort(data.aws_availability_zones.available.names), 0, var.settings.az_count)
  service_keys = toset(["reader", "writer"])
  # The port the services listen on (PORT): the security groups, the target groups and the task definitions all
  # take this one.
  app_port = 8000

  # Where the stack runs, read once: the services and the delivery module build their ARNs from it.
  aws = {
    partition  = data.aws_partition.current.partition
    region     = var.aws_region
    account_id = data.aws_caller_identity.current.account_id
  }

  # Names are fixed strings so monitoring can alarm on the services before they exist.
  service_names = { for k in local.service_keys : k => "${local.name}-${k}" }

  # The PostgreSQL roles each service logs in as with IAM auth; the app's migration creates them and grants
  # them rds_iam (reader: SELECT only; writer: DML). Contract shared with the app and the deploy CLI.
  db_users = { reader = "library_reader", writer = "library_writer" }

  # The one-off migrate task's family (docs/deploy-contract.md: the deploy CLI runs it before it rolls the services).
  migrate_family = "${local.name}-migrate"

  # The alerts topic's name, shared by the topic (monitoring) and the key policy that lets EventBridge use
  # the key for it (kms), so neither waits for the other.
  alerts_topic_name = "${local.name}-alerts"

  # Where users reach the application (the app_url output; the smoke hook's requests go there too).
  app_url = (var.domain_name != null ? "https://${var.domain_name}"
    : var.app_hostname == null ? module.load_balancer.url
    : "${module.load_balancer.https_enabled ? "https" : "http"}://${var.app_hostname}"
  )

  # Every log group of the stack: retention as settings.log_retention_days (validated once, in variables.tf),
  # encrypted with the stack's customer-managed key.
  logs = {
    retention_days = var.settings.log_retention_days
    kms_key_arn    = module.kms.key_arn
  }
}

module "kms" {
  source = "../kms"

  name              = local.name
  alerts_topic_name = local.alerts_topic_name
}

module "network" {
  source = "../network"

  name               = local.name
  environment        = var.environment
  availability_zones = local.azs
  # ECS Exec in endpoints mode: the SSM agent needs ssmmessages, and because the cluster always encrypts exec
  # sessions with the stack's CMK, kms too (ECS Developer Guide, "Using Amazon ECS Exec", Considerations:
  # with interface endpoints create the Session Manager endpoints, and the KMS endpoint when a KMS key encrypts).
  # Tracing in endpoints mode: the collectors send spans to X-Ray (xray.<region>.amazonaws.com, interface endpoint
  # com.amazonaws.<region>.xray; AWS PrivateLink guide, "AWS services that integrate with AWS PrivateLink").
  settings = {
    cidr_block         = var.settings.vpc_cidr
    egress_mode        = var.settings.egress_mode
    single_nat_gateway = var.settings.single_nat_gateway
    flow_logs          = var.settings.flow_logs
    app_port           = local.app_port
    extra_interface_endpoints = concat(
      var.enable_execute_command ? ["ssmmessages", "kms"] : [],
      var.settings.tracing.enabled ? ["xray"] : [],
    )
  }
  logs = local.logs
}

module "cluster" {
  source = "../cluster"

  name               = local.name
  environment        = var.environment
  container_insights = var.settings.container_insights
  logs               = local.logs
}

module "registry" {
  source   = "../registry"
  for_each = local.service_keys

  name         = "${local.name}/${each.key}"
  environment  = var.environment
  force_delete = var.settings.ecr_force_delete
}

module "database" {
  source = "../database"

  identifier  = local.name
  environment = var.environment
  placement = {
    subnet_ids        = module.network.database_subnet_ids
    security_group_id = module.network.database_security_group_id
  }
  # settings.db without the alarm threshold (monitoring's), the replica at the primary's class.
  instance = merge({ for k, v in var.settings.db : k => v if k != "connections_alarm" }, {
    create_read_replica     = var.create_read_replica
    master_password_version = var.db_master_password_version
  })
  logs               = local.logs
  secret_kms_key_arn = module.kms.key_arn
}

# Tracing: the ADOT collector's image lives in a repository of this stack, <name>/otel-collector beside the
# app repositories, which the deploy CLI fills by mirroring the pinned upstream image (docker pull, tag, push)
# before the first rollout when DescribeImages says the tag is missing. An ECR pull-through cache cannot serve
# prod: its first pull over interface endpoints needs a NAT route to the upstream (Amazon ECR User Guide, "Amazon
# ECR interface VPC endpoints (AWS PrivateLink)", Considerations, and "Sync an upstream registry with an Amazon
# ECR private registry"); tasks then pull only from this account's repositories, which prod's endpoints reach.
module "collector_registry" {
  source = "../registry"
  count  = var.settings.tracing.enabled ? 1 : 0

  name         = "${local.name}/otel-collector"
  environment  = var.environment
  force_delete = var.settings.ecr_force_delete
}

module "load_balancer" {
  source = "../load_balancer"

  name        = local.name
  environment = var.environment
  network     = { vpc_id = module.network.vpc_id, public_subnet_ids = module.network.public_subnet_ids, security_group_id = module.network.alb_security_group_id }
  https       = { certificate_arn = var.certificate_arn, domain_name = var.domain_name, hosted_zone_id = var.hosted_zone_id }
  targets     = { port = local.app_port, deregistration_delay = var.settings.deregistration_delay }
  safeguards  = var.settings.alb
  logs        = local.logs
  # A blue/green-based strategy: an alternate target group and a production and a test rule per service.
  progressive = local.progressive ? { services = local.service_keys, test_header = local.test_traffic_header } : null
}

module "monitoring" {
  source = "../monitoring"

  name   = local.name
  alerts = { kms_key_arn = module.kms.key_arn, email = var.alarm_email }
  targets = {
    cluster_name           = module.cluster.name
    alb_arn_suffix         = module.load_balancer.arn_suffix
    db_instance_identifier = module.database.instance_identifier
    services = {
      for k in local.service_keys : k => {
        service_name = local.service_names[k]
        # With a progressive strategy both groups: after a deployment the new revision serves from either.
        target_group_arn_suffixes = local.progressive ? module.load_balancer.delivery[k].target_group_arn_suffixes : [module.load_balancer.target_group_arn_suffixes[k]]
      }
    }
  }
  thresholds = { db_connections = var.settings.db.connections_alarm }
}

module "service" {
  source   = "../service"
  for_each = local.service_keys

  name               = local.service_names[each.key]
  aws                = local.aws
  environment        = var.environment
  cluster_arn        = module.cluster.arn
  cluster_name       = module.cluster.name
  subnet_ids         = module.network.private_subnet_ids
  security_group_ids = [module.network.services_security_group_id]
  target_group_arn   = module.load_balancer.target_group_arns[each.key]
  # The rules that must exist before the service: its one rule, or with a progressive strategy its production
  # and test rules.
  listener_rule_arns = (local.progressive
    ? [module.load_balancer.delivery[each.key].production_listener_rule_arn, module.load_balancer.delivery[each.key].test_listener_rule_arn]
    : [module.load_balancer.listener_rule_arns[each.key]]
  )
  progressive        = local.progressive
  alb_resource_label = module.load_balancer.resource_labels[each.key]
  ecr_repository_arn = module.registry[each.key].repository_arn
  container_port     = local.app_port

  # First revision only: the deploy CLI registers commit-tagged revisions afterwards.
  image = "${module.registry[each.key].repository_url}:${var.initial_image_tag}"
  # Size, scale and runtime settings: the env's settings.task, with the stack-wide stop timeout and architecture.
  task = merge(var.settings.task, { stop_timeout = var.settings.stop_timeout, cpu_architecture = var.cpu_architecture })

  # IAM database login as the service's own role: rds-db:connect on the primary, and on the replica for the
  # reader (which falls back to DB_HOST without one).
  database = {
    host = module.database.address
    port = module.database.port
    name = module.database.db_name
    user = local.db_users[each.key]
    resource_ids = compact([
      module.database.resource_id,
      each.key == "reader" ? one(module.database.replica[*].resource_id) : null,
    ])
  }
  # Only the writer's module registers the migrate task: same image, the master user, the master secret.
  migration = each.key != "writer" ? null : {
    family             = local.migrate_family
    master_user        = module.database.username
    secret_arn         = module.database.secret_arn
    secret_kms_key_arn = module.database.secret_kms_key_arn
  }
  # Only the reader reads from the replica; null leaves DB_READ_HOST out.
  db_read_host = each.key == "reader" ? one(module.database.replica[*].address) : null

  # ROLLING: the target 5xx alarm. A progressive strategy: the rollback alarms over both target groups, the same
  # list the deploy CLI sends in UpdateService, so neither undoes the other.
  deployment_alarm_names = local.progressive ? module.delivery.rollback_alarm_names[each.key] : [module.monitoring.service_5xx_alarm_names[each.key]]
  enable_execute_command = var.enable_execute_command
  exec_log_group_name    = module.cluster.exec_log_group_name
  exec_kms_key_arn       = module.cluster.exec_kms_key_arn

  # Traces to X-Ray through the ADOT sidecar, its image from the collector repository above.
  tracing = var.settings.tracing
  otel_collector = {
    repository_url = one(module.collector_registry[*].repository_url)
    repository_arn = one(module.collector_registry[*].repository_arn)
  }

  logs = local.logs
}

# The deploy CLI's permissions: one managed policy over exactly this stack's resources (actions in
# modules/deployer/actions.json), and with github_oidc a role GitHub Actions assumes to run `npm run deploy`.
module "deployer" {
  source = "../deployer"

  name        = local.name
  environment = var.environment
  targets = {
    cluster_name           = module.cluster.name
    services               = { for k in local.service_keys : k => { service_name = local.service_names[k], task_family = module.service[k].task.family } }
    migrate_task_family    = local.migrate_family
    ecr_repository_names   = concat([for k in sort(local.service_keys) : module.registry[k].repository_name], module.collector_registry[*].repository_name)
    log_group_names        = concat([for k in sort(local.service_keys) : module.service[k].task.log_group_name], [module.service["writer"].migration.log_group_name])
    db_instance_identifier = module.database.instance_identifier
    execution_role_names   = concat([for k in sort(local.service_keys) : module.service[k].task.role_names.execution], [module.service["writer"].migration.role_names.execution])
    task_role_names        = concat([for k in sort(local.service_keys) : module.service[k].task.role_names.task], [module.service["writer"].migration.role_names.task])
    # UpdateService passes the infrastructure role and the hook's invoke role to ECS (none with ROLLING).
    delivery_role_names = module.delivery.passable_role_names
  }
  # The state `terraform output -json` reads: by default the bucket `deploy init` creates and the key the workflow
  # and backend.hcl.example use.
  terraform_state = {
    bucket = coalesce(var.state_bucket, "${var.project}-tfstate-${data.aws_caller_identity.current.account_id}-${var.aws_region}")
    key    = coalesce(var.state_key, "${var.project}/${var.environment}/terraform.tfstate")
  }
  default_tags = var.default_tags
  github_oidc  = var.github_oidc
}
