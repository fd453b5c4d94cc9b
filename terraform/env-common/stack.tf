# The whole stack for one environment: the provider with its default tags and the call of modules/stack. The
# same file for every env root (envs/<env>/stack.tf is a link to it); what differs, the environment's name and
# its settings, is the env root's own main.tf (local.environment, local.settings, local.delivery).

locals {
  # Every resource's tags (cost allocation). The stack needs them too: the deploy CLI copies them from
  # Terraform's task-definition revision onto each revision it registers, and the deployer policy allows
  # exactly these keys.
  default_tags = {
    Project     = var.project
    Environment = local.environment
    ManagedBy   = "terraform"
  }
}

provider "aws" {
  region = var.aws_region

  default_tags {
    tags = local.default_tags
  }
}

module "stack" {
  source = "../../modules/stack"

  environment  = local.environment
  default_tags = local.default_tags
  settings     = local.settings
  delivery     = local.delivery

  # What a person sets in terraform.tfvars (variables.tf), as it is.
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
