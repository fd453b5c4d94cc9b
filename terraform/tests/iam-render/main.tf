# The IAM the stack renders, over the deploy CLI's test world: the deployer policy and the GitHub OIDC trust policy
# (modules/deployer), the reader's and writer's task and execution roles and the migrate task's (modules/service),
# and the key policy of the stack's KMS key (modules/kms). The names are those the deploy CLI's tests use
# (deploy/test/fixtures/terraform-output.dev.json, read here, not copied), so every request those tests record can
# be evaluated against exactly what Terraform would send to IAM.
#
# Rendered by `terraform test` (tests/render.tftest.hcl: the shared mock provider, no AWS account) and read by
# deploy/test/iam-render.ts through `terraform test -json -verbose`, which prints the planned values.
# Tracing and ECS Exec are on, so their statements are rendered and evaluated too.
#
# Progressive delivery (issue 27): the deploy CLI's IAM scenarios also deploy dev's services with a CANARY delivery
# (deploy/test/fake-aws.ts, canaryDelivery: dev's names, <name>-ecs-infrastructure and <name>-smoke-hook-invoke),
# although envs/dev rolls. So module.delivery renders that CANARY over dev's names (the infrastructure role, the
# smoke hook with its roles, the rollback alarms) and the deployer gets its roles to pass, as modules/stack wires it
# for an environment that deploys progressively.

locals {
  world     = jsondecode(file("${path.module}/../../../deploy/test/fixtures/terraform-output.dev.json"))
  services  = { for k, s in local.world.services.value : k => s }
  migration = local.world.migration.value
  database  = local.world.database.value
  cluster   = local.world.ecs_cluster_name.value
  region    = local.world.aws_region.value
  account   = "123456789012"
  name      = local.cluster # <project>-<environment>, like the cluster
  aws       = { partition = "aws", region = local.region, account_id = local.account }

  # <account>.dkr.ecr.<region>.amazonaws.com/<repository>
  repository_names = { for k, s in local.services : k => join("/", slice(split("/", s.ecr_repository_url), 1, length(split("/", s.ecr_repository_url)))) }
  repository_arns  = { for k, r in local.repository_names : k => "arn:aws:ecr:${local.region}:${local.account}:repository/${r}" }

  # The env root's provider default_tags for dev (terraform/envs/dev/versions.tf; the deploy tests' fakes read them
  # from there and return them on Terraform's revisions, so a difference shows as a denied tag-on-create).
  default_tags = { Project = "library", Environment = "dev", ManagedBy = "terraform" }

  # Fixed stand-ins for what only AWS assigns.
  db_resource_id = "db-ABCDEFGHIJKLMNOPQRSTUVWXY0"
  db_users       = { reader = "library_reader", writer = "library_writer" }
}

module "kms" {
  source = "../../modules/kms"

  name              = local.name
  alerts_topic_name = "${local.name}-alerts"
}

module "service" {
  source   = "../../modules/service"
  for_each = local.services

  name               = each.value.task_family
  aws                = local.aws
  environment        = local.world.environment.value
  cluster_arn        = "arn:aws:ecs:${local.region}:${local.account}:cluster/${local.cluster}"
  cluster_name       = local.cluster
  subnet_ids         = local.migration.subnet_ids
  security_group_ids = local.migration.security_group_ids
  target_group_arn   = "arn:aws:elasticloadbalancing:${local.region}:${local.account}:targetgroup/${each.value.service_name}/0123456789abcdef"
  alb_resource_label = "app/${local.name}/0123456789abcdef/targetgroup/${each.value.service_name}/0123456789abcdef"
  listener_rule_arns = ["arn:aws:elasticloadbalancing:${local.region}:${local.account}:listener-rule/app/${local.name}/0123456789abcdef/0123456789abcdef/1111111111111111"]
  ecr_repository_arn = local.repository_arns[each.key]
  image              = "${each.value.ecr_repository_url}:bootstrap"
  container_name     = each.value.container_name
  container_port     = 8000

  database = {
    host         = split(":", local.database.endpoint)[0]
    user         = local.db_users[each.key]
    resource_ids = [local.db_resource_id]
  }
  migration = each.key != "writer" ? null : {
    family             = local.migration.task_family
    master_user        = "library_admin"
    secret_arn         = local.database.secret_arn
    secret_kms_key_arn = module.kms.key_arn
  }

  enable_execute_command = true
  exec_log_group_name    = "/aws/ecs/${local.cluster}/exec"
  exec_kms_key_arn       = module.kms.key_arn
  tracing                = { enabled = true }
  # The collector from this stack's mirror, as modules/stack wires it: the execution role pulls it from there.
  otel_collector = {
    repository_url = "${local.account}.dkr.ecr.${local.region}.amazonaws.com/${local.name}/otel-collector"
    repository_arn = "arn:aws:ecr:${local.region}:${local.account}:repository/${local.name}/otel-collector"
  }
  logs = { retention_days = 30, kms_key_arn = module.kms.key_arn }
}

# The CANARY of envs/prod over dev's names, with stand-ins for what modules/load_balancer would build.
module "delivery" {
  source = "../../modules/delivery"

  name                = local.name
  aws                 = local.aws
  progressive         = true
  rollback_alarms     = { error_rate_percent = 1, min_requests = 10, p99_seconds = 2, evaluation_minutes = 2 }
  test_traffic_header = { name = "x-deploy-test", value = local.world.environment.value }
  services = {
    for k, s in local.services : k => {
      service_name = s.service_name
      load_balancer = {
        target_group_arn             = "arn:aws:elasticloadbalancing:${local.region}:${local.account}:targetgroup/${s.service_name}/0123456789abcdef"
        alternate_target_group_arn   = "arn:aws:elasticloadbalancing:${local.region}:${local.account}:targetgroup/${s.service_name}-alt/0abc"
        target_group_arn_suffixes    = ["targetgroup/${s.service_name}/0123456789abcdef", "targetgroup/${s.service_name}-alt/0abc"]
        production_listener_rule_arn = "arn:aws:elasticloadbalancing:${local.region}:${local.account}:listener-rule/app/${local.name}/0123456789abcdef/fedcba9876543210/1111111111111111"
        test_listener_rule_arn       = "arn:aws:elasticloadbalancing:${local.region}:${local.account}:listener-rule/app/${local.name}/0123456789abcdef/fedcba9876543210/2222222222222222"
      }
    }
  }
  alb  = { arn_suffix = "app/${local.name}/0123456789abcdef", app_url = local.world.app_url.value }
  logs = { retention_days = 30, kms_key_arn = module.kms.key_arn }
}

module "deployer" {
  source = "../../modules/deployer"

  name        = local.name
  environment = local.world.environment.value
  targets = {
    cluster_name        = local.cluster
    services            = { for k, s in local.services : k => { service_name = s.service_name, task_family = s.task_family } }
    migrate_task_family = local.migration.task_family
    # The app repositories and the collector's mirror (<name>/otel-collector), as modules/stack passes them.
    ecr_repository_names   = concat([for k in sort(keys(local.repository_names)) : local.repository_names[k]], ["${local.name}/otel-collector"])
    log_group_names        = concat([for k in sort(keys(local.services)) : local.services[k].log_group_name], [local.migration.log_group_name])
    db_instance_identifier = local.database.instance_identifier
    execution_role_names   = concat([for k in sort(keys(local.services)) : module.service[k].task.role_names.execution], [module.service["writer"].migration.role_names.execution])
    task_role_names        = concat([for k in sort(keys(local.services)) : module.service[k].task.role_names.task], [module.service["writer"].migration.role_names.task])
    delivery_role_names    = module.delivery.passable_role_names
  }
  terraform_state = { bucket = "library-tfstate-${local.account}-${local.region}", key = "library/dev/terraform.tfstate" }
  default_tags    = local.default_tags
  github_oidc = {
    repository   = "example-org/library"
    provider_arn = "arn:aws:iam::${local.account}:oidc-provider/token.actions.githubusercontent.com"
  }
}

# What the requests are built from besides the deploy CLI's recordings: the inputs only AWS would assign, and the
# names the running tasks use. The policies themselves are read from the rendered resources, never from here.
# (A terraform_data resource, not an output: `terraform test -verbose` prints the state's resources only.)
resource "terraform_data" "inputs" {
  input = {
    account_id           = local.account
    region               = local.region
    cluster_arn          = "arn:aws:ecs:${local.region}:${local.account}:cluster/${local.cluster}"
    db_resource_id       = local.db_resource_id
    exec_log_group_name  = "/aws/ecs/${local.cluster}/exec"
    exec_kms_key_arn     = module.kms.key_arn
    secret_kms_key_arn   = module.kms.key_arn
    collector_repository = "${local.name}/otel-collector"
    github_subject       = module.deployer.github_subject
    github_provider_arn  = "arn:aws:iam::${local.account}:oidc-provider/token.actions.githubusercontent.com"
    state                = { bucket = "library-tfstate-${local.account}-${local.region}", key = "library/dev/terraform.tfstate" }
    default_tags         = local.default_tags
  }
}
