# envs/dev: dev's cheap choices, through the outputs and module.stack.modules
# (what the modules built from this env's settings; the wiring itself is tested in modules/stack).

mock_provider "aws" {
  source = "../../tests/mocks"
}

# The contract's shape: contract.tftest.hcl (env-common, linked here).
run "dev_outputs" {
  command = apply

  assert {
    condition     = output.environment == "dev" && output.ecs_cluster_name == "library-dev"
    error_message = "envs/dev is environment dev."
  }
  assert {
    condition     = output.app_url == "http://mock-123456789.eu-west-1.elb.amazonaws.com"
    error_message = "Dev without a certificate: app_url is the ALB over HTTP."
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
