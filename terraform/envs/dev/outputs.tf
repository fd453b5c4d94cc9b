# Exactly the Terraform -> deploy contract of DESIGN.md (`terraform output -json`), passed through from
# modules/stack, which builds the values and describes them in detail: the seven values the deploy CLI reads, and
# deploy_role_arn for the repository variable AWS_<ENV>_DEPLOY_ROLE_ARN. Add nothing nobody reads.

output "aws_region" {
  description = "AWS region of the stack."
  value       = module.stack.aws_region
}

output "ecs_cluster_name" {
  description = "Name of the ECS cluster the services and the migration task run in."
  value       = module.stack.ecs_cluster_name
}

output "services" {
  description = "Per service (reader, writer): service_name, task_family, container_name, ecr_repository_url, log_group_name, task_definition_arn (Terraform's latest revision, the base of every deploy)."
  value       = module.stack.services
}

output "migration" {
  description = "How the deploy CLI runs `migrate`: task_family (<name>-migrate), container_name, task_definition_arn, log_group_name, subnet_ids, security_group_ids, assign_public_ip."
  value       = module.stack.migration
}

output "database" {
  description = "instance_identifier, endpoint (host name), read_endpoint (null without a replica), secret_arn (the master secret, read only by the migrate task)."
  value       = module.stack.database
}

output "environment" {
  description = "dev or prod, so the deploy CLI can refuse what is unsafe in production."
  value       = module.stack.environment
}

output "app_url" {
  description = "Base URL of the application (https://<app_hostname> when set, else the ALB's URL)."
  value       = module.stack.app_url
}

output "deploy_role_arn" {
  description = "Role GitHub Actions assumes to deploy this environment (set it as the repository variable AWS_<ENV>_DEPLOY_ROLE_ARN); null without github_oidc."
  value       = module.stack.deploy_role_arn
}

output "otel_collector" {
  description = "The tracing collector image the deploy CLI mirrors before the first rollout: source_image (pinned upstream), repository_url (this stack's <name>/otel-collector), tag; null with tracing off."
  value       = module.stack.otel_collector
}

output "outage_alarm_names" {
  description = "Alarms a pause or the bootstrap period trips on purpose; the deploy CLI turns their actions on after the first healthy rollout, off for pause, on for resume."
  value       = module.stack.outage_alarm_names
}
