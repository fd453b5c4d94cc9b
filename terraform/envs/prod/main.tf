# The whole stack is modules/stack; this root only gives it what this environment chooses (settings.tf)
# and what a person sets (variables.tf). The provider and backend are in versions.tf.

module "stack" {
  source = "../../modules/stack"

  environment  = local.environment
  settings     = local.settings
  default_tags = local.default_tags

  project                    = var.project
  aws_region                 = var.aws_region
  certificate_arn            = var.certificate_arn
  domain_name                = var.domain_name
  hosted_zone_id             = var.hosted_zone_id
  app_hostname               = var.app_hostname
  alarm_email                = var.alarm_email
  initial_image_tag          = var.initial_image_tag
  cpu_architecture           = var.cpu_architecture
  create_read_replica        = var.create_read_replica
  enable_execute_command     = var.enable_execute_command
  db_master_password_version = var.db_master_password_version
  state_bucket               = var.state_bucket
  state_key                  = var.state_key
  github_oidc                = var.github_oidc
}
