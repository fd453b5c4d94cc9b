# envs/dev: the deploy output contract and dev's cheap choices, through the outputs and module.stack.modules
# (what the modules built from this env's settings; the wiring itself is tested in modules/stack).

mock_provider "aws" {
  source = "../../tests/mocks"
}

run "contract_outputs" {
  command = apply

  assert {
    condition     = output.environment == "dev" && output.aws_region == "eu-west-1" && output.ecs_cluster_name == "library-dev"
    error_message = "environment, aws_region and ecs_cluster_name."
  }
  assert {
    condition     = toset(keys(output.services)) == toset(["reader", "writer"])
    error_message = "services has exactly reader and writer."
  }
  assert {
    condition = alltrue([for k, s in output.services :
      toset(keys(s)) == toset(["service_name", "task_family", "container_name", "ecr_repository_url", "log_group_name", "task_definition_arn", "delivery"]) &&
      s.service_name == "library-dev-${k}" && s.task_family == "library-dev-${k}" && s.container_name == "app" &&
      s.log_group_name == "/ecs/library-dev-${k}" && s.ecr_repository_url != "" &&
      s.task_definition_arn == module.stack.modules.service[k].task.definition_arn && can(regex(":task-definition/[^:]+:[0-9]+$", s.task_definition_arn))
    ])
    error_message = "Each service entry is { service_name, task_family, container_name, ecr_repository_url, log_group_name, task_definition_arn (with revision) }."
  }
  assert {
    condition     = toset(keys(output.migration)) == toset(["task_family", "container_name", "task_definition_arn", "log_group_name", "subnet_ids", "security_group_ids", "assign_public_ip"])
    error_message = "migration is { task_family, container_name, task_definition_arn, log_group_name, subnet_ids, security_group_ids, assign_public_ip }."
  }
  assert {
    condition = (
      output.migration.task_family == "library-dev-migrate" && output.migration.container_name == "app" &&
      output.migration.log_group_name == "/ecs/library-dev-migrate" &&
      output.migration.task_definition_arn == module.stack.modules.service["writer"].migration.task_definition_arn && can(regex(":task-definition/[^:]+:[0-9]+$", output.migration.task_definition_arn))
    )
    error_message = "Migrations run their own family library-dev-migrate (the writer's image with the master credentials), logging to /ecs/library-dev-migrate."
  }
  assert {
    condition     = output.migration.assign_public_ip == false && output.migration.subnet_ids == module.stack.modules.network.private_subnet_ids && output.migration.security_group_ids == [module.stack.modules.network.services_security_group_id]
    error_message = "The migration task runs in the private subnets with the services' security group and no public IP."
  }
  assert {
    condition     = toset(keys(output.database)) == toset(["instance_identifier", "endpoint", "read_endpoint", "secret_arn"])
    error_message = "database is { instance_identifier, endpoint, read_endpoint, secret_arn }."
  }
  assert {
    condition     = output.database.instance_identifier == "library-dev" && output.database.read_endpoint == null && startswith(output.database.secret_arn, "arn:aws:secretsmanager:") && output.database.secret_arn == module.stack.modules.database.secret_arn
    error_message = "Without a replica read_endpoint is null; secret_arn is the master secret."
  }
  assert {
    condition     = output.app_url == "http://mock-123456789.eu-west-1.elb.amazonaws.com"
    error_message = "Dev without a certificate: app_url is the ALB over HTTP."
  }
  assert {
    condition     = output.deploy_role_arn == null && module.stack.modules.deployer.policy_name == "library-dev-deployer"
    error_message = "deploy_role_arn is null until github_oidc is set; the deployer policy exists anyway."
  }
}

run "github_deploy_role_trusts_main" {
  command = apply

  variables {
    github_oidc = { repository = "acme/books" }
  }

  assert {
    condition     = module.stack.modules.deployer.github_subject == "repo:acme/books:ref:refs/heads/main" && output.deploy_role_arn == module.stack.modules.deployer.role_arn && output.deploy_role_arn != null
    error_message = "I4: dev's deploy role trusts exactly pushes to main of the repository; deploy_role_arn outputs it."
  }
}

run "database_login_end_to_end" {
  command = apply

  assert {
    condition     = module.stack.modules.service["writer"].migration.secret_value_from == "${output.database.secret_arn}:password::" && module.stack.modules.service["reader"].migration == null
    error_message = "R-1: only the migrate task takes DB_PASSWORD, from the master secret in output.database.secret_arn, key password."
  }
  assert {
    condition = alltrue([for k in ["reader", "writer"] :
      module.stack.modules.service[k].task.container_environment.DB_AUTH == "iam" && module.stack.modules.service[k].task.container_environment.DB_USER == "library_${k}" &&
      module.stack.modules.service[k].task.container_environment.DB_HOST == output.database.endpoint && module.stack.modules.service[k].task.container_environment.DB_SSL == "verify-full" &&
      module.stack.modules.service[k].task.container_environment.DB_NAME == "library_db" && module.stack.modules.service[k].task.container_environment.PORT == "8000" &&
      module.stack.modules.service[k].task.container_environment.AWS_REGION == output.aws_region
    ])
    error_message = "Both services log in to the primary with IAM auth as their own role over verified TLS, database library_db, port 8000."
  }
  assert {
    condition     = !contains(keys(module.stack.modules.service["reader"].task.container_environment), "DB_READ_HOST")
    error_message = "Without a replica the reader gets no DB_READ_HOST."
  }
  assert {
    condition     = module.stack.modules.database.protection.iam_database_authentication
    error_message = "D17: the instance accepts IAM authentication."
  }
}

run "dev_is_cheap" {
  command = plan

  assert {
    condition     = module.stack.modules.network.egress_mode == "nat_instance" && module.stack.modules.network.nat_gateway_count == 0 && length(module.stack.modules.network.interface_endpoints) == 0 && !module.stack.modules.network.flow_logs_enabled
    error_message = "Dev: one NAT instance (no NAT gateway, no interface endpoints), no flow logs."
  }
  assert {
    condition     = alltrue([for k in ["reader", "writer"] : module.stack.modules.service[k].service.fargate_spot])
    error_message = "Dev: both services on Fargate Spot (X86_64, the stack's default: the service module refuses Spot on ARM64)."
  }
  assert {
    condition     = length(module.stack.modules.network.private_subnet_ids) == 2
    error_message = "Dev: two AZs."
  }
  assert {
    condition     = module.stack.modules.database.protection.multi_az == false && module.stack.modules.database.protection.deletion_protection == false && module.stack.modules.database.protection.backup_retention_days >= 1
    error_message = "Dev: single-AZ database without deletion protection, backups still on."
  }
  assert {
    condition     = alltrue([for k in ["reader", "writer"] : module.stack.modules.service[k].service.desired_count == 1])
    error_message = "Dev: one task per service."
  }
  assert {
    condition     = module.stack.modules.load_balancer.https_enabled == false && module.stack.modules.load_balancer.web_acl_arn == null && module.stack.modules.load_balancer.access_logs_bucket == null
    error_message = "Dev: no certificate, WAF or access logs by default."
  }
  assert {
    condition     = alltrue([for k in ["reader", "writer"] : !module.stack.modules.service[k].tracing.enabled && length(module.stack.modules.service[k].tracing.environment) == 0])
    error_message = "Dev: no ADOT sidecar and no OTEL_* variables (tracing off, explicitly)."
  }
}

run "with_replica_the_reader_reads_from_it" {
  command = apply

  variables {
    create_read_replica = true
  }

  assert {
    condition     = output.database.read_endpoint != null && module.stack.modules.service["reader"].task.container_environment.DB_READ_HOST == output.database.read_endpoint
    error_message = "With a replica, database.read_endpoint is set and the reader gets it as DB_READ_HOST."
  }
  assert {
    condition     = !contains(keys(module.stack.modules.service["writer"].task.container_environment), "DB_READ_HOST")
    error_message = "The writer never reads from the replica."
  }
  assert {
    condition     = length(module.stack.modules.service["reader"].task.db_connect_arns) == 2 && length(module.stack.modules.service["writer"].task.db_connect_arns) == 1
    error_message = "With a replica, the reader may connect to the primary and the replica."
  }
}

run "ecs_exec_behind_the_nat_instance" {
  command = plan

  variables {
    enable_execute_command = true
  }

  assert {
    condition     = length(module.stack.modules.network.interface_endpoints) == 0
    error_message = "Dev's ECS Exec reaches SSM and KMS through the NAT instance: no interface endpoints."
  }
}

run "with_certificate_app_url_is_https" {
  command = apply

  variables {
    certificate_arn = "arn:aws:acm:eu-west-1:123456789012:certificate/00000000-0000-0000-0000-000000000000"
    app_hostname    = "books-dev.example.com"
  }

  assert {
    condition     = output.app_url == "https://books-dev.example.com" && module.stack.modules.load_balancer.https_enabled
    error_message = "With a certificate and a host name, app_url is https://<host>."
  }
}
