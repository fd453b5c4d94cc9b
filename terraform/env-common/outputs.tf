# Exactly the Terraform -> deploy contract (`terraform output -json`): the seven values the deploy
# CLI reads and deploy_role_arn (the repository variable AWS_<ENV>_DEPLOY_ROLE_ARN), passed through from
# modules/stack, which builds and describes each (modules/stack/outputs.tf). Add nothing nobody reads.

output "aws_region" {
  value = module.stack.aws_region
}

output "ecs_cluster_name" {
  value = module.stack.ecs_cluster_name
}

output "services" {
  value = module.stack.services
}

output "migration" {
  value = module.stack.migration
}

output "database" {
  value = module.stack.database
}

output "environment" {
  value = module.stack.environment
}

output "app_url" {
  value = module.stack.app_url
}

output "deploy_role_arn" {
  value = module.stack.deploy_role_arn
}

output "otel_collector" {
  description = "The tracing collector image the deploy CLI mirrors before the first rollout: source_image (pinned upstream), repository_url (this stack's <name>/otel-collector), tag; null with tracing off."
  value       = module.stack.otel_collector
}

output "outage_alarm_names" {
  description = "Alarms a pause or the bootstrap period trips on purpose; the deploy CLI turns their actions on after the first healthy rollout, off for pause, on for resume."
  value       = module.stack.outage_alarm_names
}
