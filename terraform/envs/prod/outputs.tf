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
