################################################################################
# The Terraform -> deploy contract of docs/deploy-contract.md#terraform-outputs: envs/dev and envs/prod output exactly these values
# (`terraform output -json`), passed through unchanged: the seven the deploy CLI reads, and deploy_role_arn for the
# repository variable AWS_<ENV>_DEPLOY_ROLE_ARN. Add nothing here that nobody reads.
################################################################################

output "aws_region" {
  description = "AWS region of the stack."
  value       = var.aws_region
}

output "ecs_cluster_name" {
  description = "Name of the ECS cluster the services and the migration task run in."
  value       = module.cluster.name
}

output "services" {
  description = "Per service (reader, writer): ECS service name, task family, container name, ECR repository URL, log group, task_definition_arn (the revision Terraform registered last, with revision number: the base of every deploy) and delivery (strategy, bake times, alternate target group, listener rules, infrastructure role, smoke hook, rollback alarms, test header)."
  value = {
    for k in local.service_keys : k => {
      service_name        = module.service[k].service.name
      task_family         = module.service[k].task.family
      container_name      = module.service[k].task.container_name
      ecr_repository_url  = module.registry[k].repository_url
      log_group_name      = module.service[k].task.log_group_name
      task_definition_arn = module.service[k].task.definition_arn
      # How ECS deploys it and with what (terraform/README.md, "Progressive delivery"): the deploy CLI's input for
      # the UpdateService parts provider 5.100 cannot express.
      delivery = merge(local.delivery_strategy, module.delivery.services[k])
    }
  }
}

output "migration" {
  description = "How the deploy CLI runs `migrate`: the <name>-migrate task family (writer image, master credentials), its container, the revision Terraform registered last, its log group, in the private subnets with the services' security group and no public IP."
  value = {
    task_family         = module.service["writer"].migration.task_family
    container_name      = module.service["writer"].migration.container_name
    task_definition_arn = module.service["writer"].migration.task_definition_arn
    log_group_name      = module.service["writer"].migration.log_group_name
    subnet_ids          = module.network.private_subnet_ids
    security_group_ids  = [module.network.services_security_group_id]
    assign_public_ip    = false
  }
}

output "database" {
  description = "Primary instance identifier, its host name, the read replica's host name (null without one) and the master secret's ARN (JSON username/password; only the migrate task reads it)."
  value = {
    instance_identifier = module.database.instance_identifier
    endpoint            = module.database.address
    read_endpoint       = one(module.database.replica[*].address)
    secret_arn          = module.database.secret_arn
  }
}

output "environment" {
  description = "dev or prod, so the deploy CLI can refuse what is unsafe in production."
  value       = var.environment
}

output "app_url" {
  description = "Base URL of the application: https://<domain_name> with a domain, else the app_hostname when set, else the ALB's DNS name (https with a certificate)."
  value       = local.app_url
}

output "deploy_role_arn" {
  description = "ARN of the role GitHub Actions assumes to deploy this environment (repository variable AWS_<ENV>_DEPLOY_ROLE_ARN of .github/workflows/deploy.yml); null without github_oidc."
  value       = module.deployer.role_arn
}

output "otel_collector" {
  description = "The tracing collector's image for the deploy CLI to mirror before the first rollout: source_image (pinned upstream, public.ecr.aws), repository_url (this stack's <name>/otel-collector) and tag (the upstream tag, which the task definitions pull); null with tracing off."
  value = var.settings.tracing.enabled ? {
    source_image   = module.service["writer"].tracing.source_image
    repository_url = module.collector_registry[0].repository_url
    tag            = module.service["writer"].tracing.tag
  } : null
}

output "outage_alarm_names" {
  description = "The alarms a pause or the bootstrap period trips on purpose (no healthy target per service, database down): created with actions off, the deploy CLI enables them after the first healthy rollout, disables them for `deploy pause` and enables them for `deploy resume`."
  value       = module.monitoring.outage_alarm_names
}

################################################################################
# Not part of the contract: the env roots do not output it
################################################################################

output "modules" {
  description = "Every composed module's outputs (kms, network, cluster, registry[k], collector_registry, database, load_balancer, monitoring, service[k], deployer, delivery), so the env roots' tests can check what their settings built; also handy in `terraform console` as module.stack.modules."
  value = {
    kms      = module.kms
    network  = module.network
    cluster  = module.cluster
    registry = module.registry
    # [] with tracing off, else the one <name>/otel-collector repository.
    collector_registry = module.collector_registry
    database           = module.database
    load_balancer      = module.load_balancer
    monitoring         = module.monitoring
    service            = module.service
    deployer           = module.deployer
    delivery           = module.delivery
  }
}
