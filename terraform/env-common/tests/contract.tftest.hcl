# The Terraform -> deploy contract (docs/deploy-contract.md#terraform-outputs), the same in every env: this file is
# linked into envs/dev/tests and envs/prod/tests, so each env's outputs are held to one definition; each env's own
# test file checks what it chose (URL scheme, subnets, replica).

mock_provider "aws" {
  source = "../../tests/mocks"
}

run "contract_outputs" {
  command = apply

  assert {
    condition     = contains(["dev", "prod"], output.environment) && output.aws_region == "eu-west-1" && output.ecs_cluster_name == "library-${output.environment}"
    error_message = "environment, aws_region and ecs_cluster_name (library-<environment>)."
  }
  assert {
    condition = toset(keys(output.services)) == toset(["reader", "writer"]) && alltrue([for k, s in output.services :
      toset(keys(s)) == toset(["service_name", "task_family", "container_name", "ecr_repository_url", "log_group_name", "task_definition_arn", "delivery"]) &&
      s.service_name == "library-${output.environment}-${k}" && s.task_family == s.service_name && s.container_name == "app" &&
      s.log_group_name == "/ecs/${s.service_name}" && s.ecr_repository_url != "" &&
      s.task_definition_arn == module.stack.modules.service[k].task.definition_arn && can(regex(":task-definition/[^:]+:[0-9]+$", s.task_definition_arn))
    ])
    error_message = "services: reader and writer, each { service_name, task_family, container_name, ecr_repository_url, log_group_name, task_definition_arn (with revision), delivery }."
  }
  assert {
    condition = (
      toset(keys(output.migration)) == toset(["task_family", "container_name", "task_definition_arn", "log_group_name", "subnet_ids", "security_group_ids", "assign_public_ip"]) &&
      output.migration.task_family == "library-${output.environment}-migrate" && output.migration.container_name == "app" &&
      output.migration.log_group_name == "/ecs/${output.migration.task_family}" &&
      output.migration.task_definition_arn == module.stack.modules.service["writer"].migration.task_definition_arn && can(regex(":task-definition/[^:]+:[0-9]+$", output.migration.task_definition_arn))
    )
    error_message = "migration: its own family library-<env>-migrate (the writer's image with the master credentials), logging to /ecs/library-<env>-migrate."
  }
  assert {
    condition     = output.migration.assign_public_ip == false && output.migration.subnet_ids == module.stack.modules.network.private_subnet_ids && output.migration.security_group_ids == [module.stack.modules.network.services_security_group_id]
    error_message = "The migration task runs in the private subnets with the services' security group and no public IP."
  }
  assert {
    condition = (
      toset(keys(output.database)) == toset(["instance_identifier", "endpoint", "read_endpoint", "secret_arn"]) &&
      output.database.instance_identifier == "library-${output.environment}" && output.database.read_endpoint == null &&
      startswith(output.database.secret_arn, "arn:aws:secretsmanager:") && output.database.secret_arn == module.stack.modules.database.secret_arn
    )
    error_message = "database is { instance_identifier, endpoint, read_endpoint (null without a replica), secret_arn (the master secret) }."
  }
  assert {
    condition     = output.deploy_role_arn == null && module.stack.modules.deployer.policy_name == "library-${output.environment}-deployer"
    error_message = "deploy_role_arn is null until github_oidc is set; the deployer policy exists anyway."
  }
}
